//! Deadlines name the unit they alert when nobody holds the position, and keep the error of
//! a sweep that could not process them.
//!
//! `responsible_unit_id` is the intake unit whose members are told when no one person holds
//! the position (`responsible_id` is then null). `alert_error`, `alert_failed_at` and
//! `alert_attempts` hold why the sweeper set a deadline aside, so that one deadline it cannot
//! process never stops the others and the failure stays visible on the row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deadlines {
    Table,
    ResponsibleUnitId,
    AlertError,
    AlertFailedAt,
    AlertAttempts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [
            big_integer_null(Deadlines::ResponsibleUnitId),
            text_null(Deadlines::AlertError),
            timestamp_with_time_zone_null(Deadlines::AlertFailedAt),
            integer(Deadlines::AlertAttempts).default(0).to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Deadlines::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Deadlines::AlertAttempts,
            Deadlines::AlertFailedAt,
            Deadlines::AlertError,
            Deadlines::ResponsibleUnitId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deadlines::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
