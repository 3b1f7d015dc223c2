//! A committee may redirect a referral to a service outside the early-intervention catalogue
//! (family treatment, the child's own doctor): the agenda item keeps where to, in words.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CommitteeAgendaItems {
    Table,
    RedirectedTo,
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
                    .table(CommitteeAgendaItems::Table)
                    .add_column(text_null(CommitteeAgendaItems::RedirectedTo))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CommitteeAgendaItems::Table)
                    .drop_column(CommitteeAgendaItems::RedirectedTo)
                    .to_owned(),
            )
            .await
    }
}
