//! Committee members answer their invitation as network meetings' invitees do: in the product
//! or by an iTIP REPLY. Each member's answer and when it came.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CommitteeMembers {
    Table,
    Response,
    RespondedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CommitteeMembers::Table)
                    .add_column(string_len(CommitteeMembers::Response, 16).default("NEEDS_ACTION"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CommitteeMembers::Table)
                    .add_column(timestamp_with_time_zone_null(CommitteeMembers::RespondedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [CommitteeMembers::RespondedAt, CommitteeMembers::Response] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CommitteeMembers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
