//! Timeliness deadlines ("rettidigheder"): versioned rules with the product's defaults,
//! organizations' closure days, recorded pathway events, agreements, deadline instances,
//! recompute log and in-app notifications.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

mod defaults;

use defaults::DEFAULTS;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClosureDays {
    Table,
    Id,
    OrganizationId,
    Date,
    Name,
}

#[derive(DeriveIden)]
enum DeadlineRules {
    Table,
    Id,
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
    SupersededAt,
    CreatedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Id,
    CaseId,
    Kind,
    Sector,
    MeetingId,
    Note,
    RecordedById,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    Id,
    CaseId,
    MeetingId,
    Description,
    OwnerId,
    DueOn,
    CompletedAt,
    CreatedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Deadlines {
    Table,
    Id,
    CaseId,
    RuleId,
    RuleCode,
    Subject,
    Sector,
    MeetingId,
    AgreementId,
    Status,
    StartedAt,
    DueAt,
    MetAt,
    WaivedAt,
    WaivedById,
    WaiveReason,
    WithdrawnAt,
    ResponsibleId,
    NextActionAt,
    NextStage,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeadlineRecomputes {
    Table,
    Id,
    RuleId,
    OrganizationId,
    Recomputed,
    RecomputedById,
    RecomputedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    DeadlineId,
    Stage,
    Kind,
    RecipientId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
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

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClosureDays::Table)
                    .col(big_pk_auto(ClosureDays::Id))
                    .col(big_integer(ClosureDays::OrganizationId))
                    .col(date(ClosureDays::Date))
                    .col(string(ClosureDays::Name))
                    .foreign_key(&mut fk(
                        "fk_closure_days_organization",
                        (ClosureDays::Table, ClosureDays::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_closure_days",
            "closure_days",
            "organization_id, date",
            true,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeadlineRules::Table)
                    .col(big_pk_auto(DeadlineRules::Id))
                    .col(big_integer_null(DeadlineRules::OrganizationId))
                    .col(string_len(DeadlineRules::Code, 64))
                    .col(integer(DeadlineRules::Version))
                    .col(string(DeadlineRules::NameDa))
                    .col(string(DeadlineRules::NameEn))
                    .col(text(DeadlineRules::Description))
                    .col(string_len(DeadlineRules::StartEvent, 32))
                    .col(string_null(DeadlineRules::StartFilter))
                    .col(string_len(DeadlineRules::Anchor, 32))
                    .col(integer(DeadlineRules::OffsetValue))
                    .col(string_len(DeadlineRules::OffsetUnit, 16))
                    .col(string_len(DeadlineRules::MetByEvent, 32))
                    .col(string_null(DeadlineRules::MetByFilter))
                    .col(boolean(DeadlineRules::PerSector))
                    .col(string_len(DeadlineRules::AlertTo, 32))
                    .col(string_len_null(DeadlineRules::AlertSector, 32))
                    .col(text(DeadlineRules::Reminders))
                    .col(integer_null(DeadlineRules::EscalateAfterWorkingDays))
                    .col(timestamp_with_time_zone_null(DeadlineRules::SupersededAt))
                    .col(big_integer_null(DeadlineRules::CreatedById))
                    .col(timestamp_with_time_zone(DeadlineRules::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_deadline_rules_organization",
                        (DeadlineRules::Table, DeadlineRules::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_deadline_rules_code",
            "deadline_rules",
            "code, organization_id",
            false,
            None,
        )
        .await?;
        // One version of a rule in force per organization: two administrators editing at
        // once cannot both add one.
        raw_index(
            manager,
            "ux_deadline_rules_current",
            "deadline_rules",
            "organization_id, code",
            true,
            Some("superseded_at IS NULL AND organization_id IS NOT NULL"),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseEvents::Table)
                    .col(big_pk_auto(CaseEvents::Id))
                    .col(big_integer(CaseEvents::CaseId))
                    .col(string_len(CaseEvents::Kind, 48))
                    .col(string_len_null(CaseEvents::Sector, 32))
                    .col(big_integer_null(CaseEvents::MeetingId))
                    .col(text_null(CaseEvents::Note))
                    .col(big_integer(CaseEvents::RecordedById))
                    .col(timestamp_with_time_zone(CaseEvents::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_case_events_case",
                        (CaseEvents::Table, CaseEvents::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_events_meeting",
                        (CaseEvents::Table, CaseEvents::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_events_recorded_by",
                        (CaseEvents::Table, CaseEvents::RecordedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_case_events_case",
            "case_events",
            "case_id, id",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Agreements::Table)
                    .col(big_pk_auto(Agreements::Id))
                    .col(big_integer(Agreements::CaseId))
                    .col(big_integer_null(Agreements::MeetingId))
                    .col(text(Agreements::Description))
                    .col(big_integer(Agreements::OwnerId))
                    .col(date(Agreements::DueOn))
                    .col(timestamp_with_time_zone_null(Agreements::CompletedAt))
                    .col(big_integer(Agreements::CreatedById))
                    .col(timestamp_with_time_zone(Agreements::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_agreements_case",
                        (Agreements::Table, Agreements::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_agreements_meeting",
                        (Agreements::Table, Agreements::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_agreements_owner",
                        (Agreements::Table, Agreements::OwnerId),
                        (Participants::Table, Participants::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_agreements_created_by",
                        (Agreements::Table, Agreements::CreatedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_agreements_case",
            "agreements",
            "case_id, id",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deadlines::Table)
                    .col(big_pk_auto(Deadlines::Id))
                    .col(big_integer(Deadlines::CaseId))
                    .col(big_integer(Deadlines::RuleId))
                    .col(string_len(Deadlines::RuleCode, 64))
                    .col(string_len(Deadlines::Subject, 96))
                    .col(string_len_null(Deadlines::Sector, 32))
                    .col(big_integer_null(Deadlines::MeetingId))
                    .col(big_integer_null(Deadlines::AgreementId))
                    .col(string_len(Deadlines::Status, 16))
                    .col(timestamp_with_time_zone(Deadlines::StartedAt))
                    .col(timestamp_with_time_zone(Deadlines::DueAt))
                    .col(timestamp_with_time_zone_null(Deadlines::MetAt))
                    .col(timestamp_with_time_zone_null(Deadlines::WaivedAt))
                    .col(big_integer_null(Deadlines::WaivedById))
                    .col(text_null(Deadlines::WaiveReason))
                    .col(timestamp_with_time_zone_null(Deadlines::WithdrawnAt))
                    .col(big_integer_null(Deadlines::ResponsibleId))
                    .col(timestamp_with_time_zone_null(Deadlines::NextActionAt))
                    .col(integer_null(Deadlines::NextStage))
                    .col(timestamp_with_time_zone(Deadlines::CreatedAt))
                    .col(timestamp_with_time_zone(Deadlines::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_deadlines_case",
                        (Deadlines::Table, Deadlines::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_deadlines_rule",
                        (Deadlines::Table, Deadlines::RuleId),
                        (DeadlineRules::Table, DeadlineRules::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // A deadline is created once per rule, case and subject, whoever tells it twice.
        raw_index(
            manager,
            "ux_deadlines_subject",
            "deadlines",
            "case_id, rule_code, subject",
            true,
            None,
        )
        .await?;
        // The sweeper reads only what is due, from this index: its cost follows the number due.
        raw_index(
            manager,
            "ix_deadlines_next_action",
            "deadlines",
            "next_action_at",
            false,
            Some("next_action_at IS NOT NULL"),
        )
        .await?;
        raw_index(
            manager,
            "ix_deadlines_case",
            "deadlines",
            "case_id, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_deadlines_due",
            "deadlines",
            "due_at, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_deadlines_responsible",
            "deadlines",
            "responsible_id, due_at",
            false,
            Some("responsible_id IS NOT NULL"),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeadlineRecomputes::Table)
                    .col(big_pk_auto(DeadlineRecomputes::Id))
                    .col(big_integer(DeadlineRecomputes::RuleId))
                    .col(big_integer(DeadlineRecomputes::OrganizationId))
                    .col(integer(DeadlineRecomputes::Recomputed))
                    .col(big_integer(DeadlineRecomputes::RecomputedById))
                    .col(timestamp_with_time_zone(DeadlineRecomputes::RecomputedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(big_pk_auto(Notifications::Id))
                    .col(big_integer(Notifications::DeadlineId))
                    .col(integer(Notifications::Stage))
                    .col(string_len(Notifications::Kind, 16))
                    .col(big_integer(Notifications::RecipientId))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_deadline",
                        (Notifications::Table, Notifications::DeadlineId),
                        (Deadlines::Table, Deadlines::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_notifications_recipient",
                        (Notifications::Table, Notifications::RecipientId),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Exactly one notification per deadline, stage and recipient.
        raw_index(
            manager,
            "ux_notifications_stage",
            "notifications",
            "deadline_id, stage, recipient_id",
            true,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_notifications_recipient",
            "notifications",
            "recipient_id, id",
            false,
            None,
        )
        .await?;

        let now = chrono_now();
        for d in DEFAULTS {
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
                    d.code.into(),
                    1.into(),
                    d.name_da.into(),
                    d.name_en.into(),
                    d.description.into(),
                    d.start.0.into(),
                    d.start.1.into(),
                    d.anchor.into(),
                    d.offset.0.into(),
                    d.offset.1.into(),
                    d.met_by.0.into(),
                    d.met_by.1.into(),
                    d.per_sector.into(),
                    d.alert.0.into(),
                    d.alert.1.into(),
                    d.reminders.into(),
                    d.escalate_after.into(),
                    now.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            DeadlineRecomputes::Table.into_iden(),
            Deadlines::Table.into_iden(),
            Agreements::Table.into_iden(),
            CaseEvents::Table.into_iden(),
            DeadlineRules::Table.into_iden(),
            ClosureDays::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The current instant as a value both databases store in a timestamp column.
fn chrono_now() -> sea_orm_migration::sea_orm::prelude::DateTimeUtc {
    sea_orm_migration::sea_orm::prelude::DateTimeUtc::from(std::time::SystemTime::now())
}
