//! Stored answers of idempotent mutations are sealed from now on (`idempotency_keys.response`,
//! under a key derived from `KIT_CPR_KEY`). Answers stored before were plain JSON that could
//! hold a child's name or CPR number: they are dropped. Their keys stay, so a retry is still
//! never made twice — it is told its first request was made and its answer is gone
//! (`IDEMPOTENCY_KEY_IN_PROGRESS`), and reads what it changed again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE idempotency_keys SET response = NULL, reads = NULL \
                 WHERE response IS NOT NULL AND response NOT LIKE 'a1:%'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Nothing to restore: the plain answers are gone, and sealed ones are kept.
        Ok(())
    }
}
