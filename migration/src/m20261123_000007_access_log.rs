//! The access log: every read of a child's data, by whom, what, when, on what basis and through
//! which operation.
//!
//! Rows are written on every read, so the table carries no foreign keys: cases and
//! professionals are never deleted, so the ids an entry holds always resolve.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Id,
    ReadAt,
    ProfessionalId,
    CaseId,
    Basis,
    What,
    Operation,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessLog::Table)
                    .col(big_pk_auto(AccessLog::Id))
                    .col(timestamp_with_time_zone(AccessLog::ReadAt))
                    .col(big_integer(AccessLog::ProfessionalId))
                    .col(big_integer(AccessLog::CaseId))
                    .col(string_len(AccessLog::Basis, 16))
                    .col(string_len(AccessLog::What, 200))
                    .col(string_len(AccessLog::Operation, 200))
                    .col(string_len(AccessLog::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        // A case's log, newest first; and one person's reads, for audits of a professional.
        raw_index(
            manager,
            "ix_access_log_case",
            "access_log",
            "case_id, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_access_log_professional",
            "access_log",
            "professional_id, id",
            false,
            None,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessLog::Table).to_owned())
            .await
    }
}
