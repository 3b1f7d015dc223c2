//! Seat offers lapse when their answer-by day ends unanswered: the worker finds them by this
//! index — only the entries holding an offer, by answer-by day.

use sea_orm_migration::prelude::*;

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_waiting_entries_offered";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        raw_index(
            manager,
            INDEX,
            "waiting_entries",
            "answer_by, id",
            false,
            Some("status = 'OFFERED'"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await
            .map(|_| ())
    }
}
