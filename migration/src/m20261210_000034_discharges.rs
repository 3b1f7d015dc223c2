//! Back to the municipality (seed 002: "fra at være i kommunen til at komme i psykiatrien og
//! tilbage til kommunen igen"). Child psychiatry records a planned discharge; it starts a
//! hand-back meeting with the municipality's contact and a default rule — the hand-back meeting
//! is held before the discharge date, psychiatry's responsible contact reminded 5 and 1
//! working days ahead. Agreements the municipality makes for after the discharge name it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Discharges {
    Table,
    Id,
    CaseId,
    PlannedOn,
    Note,
    MeetingId,
    RecordedById,
    RecordedAt,
    CancelledAt,
    CancelledById,
    CancelReason,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    AfterDischargeId,
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
enum Professionals {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DeadlineRules {
    Table,
    OrganizationId,
    Code,
    Version,
    NameDa,
    NameEn,
    Description,
    StartEvent,
    StartFilter,
    Anchor,
    OffsetValue,
    OffsetUnit,
    MetByEvent,
    MetByFilter,
    PerSector,
    AlertTo,
    AlertSector,
    Reminders,
    EscalateAfterWorkingDays,
    CreatedAt,
}

const CODE: &str = "hand-back-meeting";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Discharges::Table)
                    .col(big_pk_auto(Discharges::Id))
                    .col(big_integer(Discharges::CaseId))
                    .col(date(Discharges::PlannedOn))
                    .col(text_null(Discharges::Note))
                    .col(big_integer_null(Discharges::MeetingId))
                    .col(big_integer(Discharges::RecordedById))
                    .col(timestamp_with_time_zone(Discharges::RecordedAt))
                    .col(timestamp_with_time_zone_null(Discharges::CancelledAt))
                    .col(big_integer_null(Discharges::CancelledById))
                    .col(text_null(Discharges::CancelReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discharges::Table, Discharges::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discharges::Table, Discharges::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discharges::Table, Discharges::RecordedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Discharges::Table, Discharges::CancelledById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_discharges_case",
            "discharges",
            "case_id, id",
            false,
            None,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .add_column(big_integer_null(Agreements::AfterDischargeId))
                    .to_owned(),
            )
            .await?;
        let now =
            sea_orm_migration::sea_orm::prelude::DateTimeUtc::from(std::time::SystemTime::now());
        let insert = Query::insert()
            .into_table(DeadlineRules::Table)
            .columns([
                DeadlineRules::Code,
                DeadlineRules::Version,
                DeadlineRules::NameDa,
                DeadlineRules::NameEn,
                DeadlineRules::Description,
                DeadlineRules::StartEvent,
                DeadlineRules::StartFilter,
                DeadlineRules::Anchor,
                DeadlineRules::OffsetValue,
                DeadlineRules::OffsetUnit,
                DeadlineRules::MetByEvent,
                DeadlineRules::MetByFilter,
                DeadlineRules::PerSector,
                DeadlineRules::AlertTo,
                DeadlineRules::AlertSector,
                DeadlineRules::Reminders,
                DeadlineRules::EscalateAfterWorkingDays,
                DeadlineRules::CreatedAt,
            ])
            .values_panic([
                CODE.into(),
                1.into(),
                "Tilbageførselsmødet med kommunen holdes inden udskrivelsen".into(),
                "The hand-back meeting with the municipality is held before the discharge".into(),
                "KIT (seed 002): the child goes from the municipality to psychiatry and back to \
                 the municipality again — before child psychiatry discharges the child, its \
                 responsible contact and the municipality's meet to hand the pathway back."
                    .into(),
                "DISCHARGE_RECORDED".into(),
                Option::<String>::None.into(),
                "DISCHARGE_DATE".into(),
                0.into(),
                "WORKING_DAYS".into(),
                "MEETING_HELD".into(),
                Some("HAND_BACK").into(),
                false.into(),
                "RESPONSIBLE_CONTACT".into(),
                Some("CHILD_PSYCHIATRY").into(),
                r#"[{"value":5,"unit":"WORKING_DAYS"},{"value":1,"unit":"WORKING_DAYS"}]"#.into(),
                Some(1).into(),
                now.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(DeadlineRules::Table)
            .and_where(Expr::col(DeadlineRules::Code).eq(CODE))
            .and_where(Expr::col(DeadlineRules::OrganizationId).is_null())
            .to_owned();
        manager.exec_stmt(delete).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .drop_column(Agreements::AfterDischargeId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Discharges::Table).to_owned())
            .await
    }
}
