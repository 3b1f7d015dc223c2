//! Every participation of a professional, ended ones too, found by index: a meeting they were
//! invited to stays theirs to see after their participation ended, and the meetings they
//! organized are found by their participations — both asked of every meeting list. (The
//! existing index holds active participations only.)

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
                "CREATE INDEX ix_participants_professional ON participants (professional_id, id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ix_participants_professional")
            .await?;
        Ok(())
    }
}
