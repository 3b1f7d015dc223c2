//! Who changed what a professional may see: moves between units, unit leadership, and which
//! unit is a municipality's intake unit — with who changed it, when, and the values before
//! and after. Need-to-know follows from these facts, so every change to them is kept for the
//! organization's administrators to audit.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessChanges {
    Table,
    Id,
    OrganizationId,
    ChangedAt,
    ChangedById,
    Kind,
    ProfessionalId,
    UnitId,
    UnitBeforeId,
    UnitAfterId,
    FlagBefore,
    FlagAfter,
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
                    .table(AccessChanges::Table)
                    .col(big_pk_auto(AccessChanges::Id))
                    .col(big_integer(AccessChanges::OrganizationId))
                    .col(timestamp_with_time_zone(AccessChanges::ChangedAt))
                    .col(big_integer_null(AccessChanges::ChangedById))
                    .col(string_len(AccessChanges::Kind, 24))
                    .col(big_integer_null(AccessChanges::ProfessionalId))
                    .col(big_integer_null(AccessChanges::UnitId))
                    .col(big_integer_null(AccessChanges::UnitBeforeId))
                    .col(big_integer_null(AccessChanges::UnitAfterId))
                    .col(boolean_null(AccessChanges::FlagBefore))
                    .col(boolean_null(AccessChanges::FlagAfter))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_access_changes_organization",
            "access_changes",
            "organization_id, id",
            false,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessChanges::Table).to_owned())
            .await
    }
}
