//! A referral never tells its referrer whom a CPR number belongs to.
//!
//! When a referral names a CPR number already registered for a child, the referral gets a
//! child record of its own holding what the referrer sent, and keeps the number and the known
//! child aside (`submitted_cpr`, `match_child_id`) with whether the name and the date of
//! birth differ. The intake unit decides whether it is the same child
//! (`match_decision`, `match_decided_at`, `match_decided_by_id`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Referrals {
    Table,
    SubmittedCpr,
    MatchChildId,
    MatchNameDiffers,
    MatchBirthDateDiffers,
    MatchDecision,
    MatchDecidedAt,
    MatchDecidedById,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            string_len_null(Referrals::SubmittedCpr, 10),
            big_integer_null(Referrals::MatchChildId),
            boolean_null(Referrals::MatchNameDiffers),
            boolean_null(Referrals::MatchBirthDateDiffers),
            string_len_null(Referrals::MatchDecision, 16),
            timestamp_with_time_zone_null(Referrals::MatchDecidedAt),
            big_integer_null(Referrals::MatchDecidedById),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Referrals::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Referrals::MatchDecidedById,
            Referrals::MatchDecidedAt,
            Referrals::MatchDecision,
            Referrals::MatchBirthDateDiffers,
            Referrals::MatchNameDiffers,
            Referrals::MatchChildId,
            Referrals::SubmittedCpr,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Referrals::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
