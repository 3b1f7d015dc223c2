//! The committee tells the referrer: each intake decision on a referral sent by a professional
//! outside the deciding hands is written down for them — the outcome, the reason, where the
//! child was redirected — and read in the product; their e-mail says only that a decision was
//! made on the case reference.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReferralDecisions {
    Table,
    Id,
    CaseId,
    RecipientId,
    Outcome,
    Reason,
    RedirectedTo,
    DecidedById,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Professionals {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReferralDecisions::Table)
                    .col(big_pk_auto(ReferralDecisions::Id))
                    .col(big_integer(ReferralDecisions::CaseId))
                    .col(big_integer(ReferralDecisions::RecipientId))
                    .col(string_len(ReferralDecisions::Outcome, 16))
                    .col(text(ReferralDecisions::Reason))
                    .col(text_null(ReferralDecisions::RedirectedTo))
                    .col(big_integer(ReferralDecisions::DecidedById))
                    .col(timestamp_with_time_zone(ReferralDecisions::CreatedAt))
                    .col(timestamp_with_time_zone_null(ReferralDecisions::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReferralDecisions::Table, ReferralDecisions::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReferralDecisions::Table, ReferralDecisions::RecipientId)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReferralDecisions::Table, ReferralDecisions::DecidedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_referral_decisions_recipient",
            "referral_decisions",
            "recipient_id, id",
            false,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReferralDecisions::Table).to_owned())
            .await
    }
}
