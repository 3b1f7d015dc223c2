//! The data-protection role: a professional an administrator names to answer citizens'
//! requests for access to their data (GDPR art. 15) on the organization's behalf.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Professionals {
    Table,
    IsDataProtection,
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
                    .table(Professionals::Table)
                    .add_column(boolean(Professionals::IsDataProtection).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Professionals::Table)
                    .drop_column(Professionals::IsDataProtection)
                    .to_owned(),
            )
            .await
    }
}
