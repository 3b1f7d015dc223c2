//! One plan per case, versioned: each held start, network, follow-up or closing meeting
//! writes a new version — the child's and the family's wishes, the challenges and resources
//! discussed (in priority order, as the agenda), and every agreement with its status then.
//! Old versions stay as they were written.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PlanVersions {
    Table,
    Id,
    CaseId,
    Version,
    MeetingId,
    ChildWishes,
    FamilyWishes,
    RecordedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlanItems {
    Table,
    Id,
    PlanVersionId,
    Kind,
    Text,
    Priority,
    Closed,
}

#[derive(DeriveIden)]
enum PlanAgreements {
    Table,
    Id,
    PlanVersionId,
    AgreementId,
    Status,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agreements {
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
                    .table(PlanVersions::Table)
                    .col(big_pk_auto(PlanVersions::Id))
                    .col(big_integer(PlanVersions::CaseId))
                    .col(integer(PlanVersions::Version))
                    .col(big_integer(PlanVersions::MeetingId))
                    .col(text_null(PlanVersions::ChildWishes))
                    .col(text_null(PlanVersions::FamilyWishes))
                    .col(big_integer(PlanVersions::RecordedById))
                    .col(timestamp_with_time_zone(PlanVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanVersions::Table, PlanVersions::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanVersions::Table, PlanVersions::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanVersions::Table, PlanVersions::RecordedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_plan_versions_case_version",
            "plan_versions",
            "case_id, version",
            true,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanItems::Table)
                    .col(big_pk_auto(PlanItems::Id))
                    .col(big_integer(PlanItems::PlanVersionId))
                    .col(string_len(PlanItems::Kind, 16))
                    .col(text(PlanItems::Text))
                    .col(integer(PlanItems::Priority))
                    .col(boolean(PlanItems::Closed).default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanItems::Table, PlanItems::PlanVersionId)
                            .to(PlanVersions::Table, PlanVersions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_plan_items_version",
            "plan_items",
            "plan_version_id, kind, priority",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanAgreements::Table)
                    .col(big_pk_auto(PlanAgreements::Id))
                    .col(big_integer(PlanAgreements::PlanVersionId))
                    .col(big_integer(PlanAgreements::AgreementId))
                    .col(string_len(PlanAgreements::Status, 16))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanAgreements::Table, PlanAgreements::PlanVersionId)
                            .to(PlanVersions::Table, PlanVersions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanAgreements::Table, PlanAgreements::AgreementId)
                            .to(Agreements::Table, Agreements::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_plan_agreements",
            "plan_agreements",
            "plan_version_id, agreement_id",
            true,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PlanAgreements::Table.into_iden(),
            PlanItems::Table.into_iden(),
            PlanVersions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
