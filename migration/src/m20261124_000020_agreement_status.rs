//! An agreement of the plan is OPEN, DONE or CANCELLED: a meeting may drop what no longer
//! serves the child, with a reason, instead of leaving it open or calling it done. Agreements
//! already carried out are DONE.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agreements {
    Table,
    Status,
    CompletedAt,
    CancelledAt,
    CancelReason,
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
                    .table(Agreements::Table)
                    .add_column(string_len(Agreements::Status, 16).default("OPEN"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .add_column(timestamp_with_time_zone_null(Agreements::CancelledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .add_column(text_null(Agreements::CancelReason))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Agreements::Table)
                    .value(Agreements::Status, "DONE")
                    .and_where(Expr::col(Agreements::CompletedAt).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Agreements::CancelReason,
            Agreements::CancelledAt,
            Agreements::Status,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Agreements::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
