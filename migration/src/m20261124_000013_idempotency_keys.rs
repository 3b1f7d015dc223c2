//! Idempotency keys: a client that retries a mutation with the same `Idempotency-Key` gets
//! the first result instead of a second change. The key is recorded in the mutation's own
//! transaction; its response (and the reads of children's data it carried, to log again when
//! it is replayed) right after. Keys are kept for a day.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    ProfessionalId,
    IdemKey,
    RequestHash,
    Response,
    Reads,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(big_pk_auto(IdempotencyKeys::Id))
                    .col(big_integer(IdempotencyKeys::ProfessionalId))
                    .col(string_len(IdempotencyKeys::IdemKey, 200))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(text_null(IdempotencyKeys::Response))
                    .col(text_null(IdempotencyKeys::Reads))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_idempotency_keys_key",
            "idempotency_keys",
            "professional_id, idem_key",
            true,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_idempotency_keys_created",
            "idempotency_keys",
            "created_at",
            false,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
