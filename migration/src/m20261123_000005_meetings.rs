//! Meetings, their invitees and agenda, professionals' busy periods, the delivery outbox,
//! calendar feeds, and each organization's scheduling settings.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    OfficeHoursStartMinute,
    OfficeHoursEndMinute,
    FollowUpMonths,
    MeetingNoticeDays,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    CaseId,
    Kind,
    Status,
    Uid,
    Sequence,
    StartsAt,
    EndsAt,
    DurationMinutes,
    Earliest,
    Latest,
    Location,
    VideoUrl,
    OrganizerId,
    SchedulingNote,
    Minutes,
    HeldAt,
    CancelReason,
    Milestone,
    CreatedById,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeetingInvitees {
    Table,
    Id,
    MeetingId,
    ParticipantId,
    Required,
    Response,
    RespondedAt,
    RemovedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Id,
    MeetingId,
    Title,
    Position,
    OwnerId,
    Closed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BusyPeriods {
    Table,
    Id,
    ProfessionalId,
    StartsAt,
    EndsAt,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    MeetingId,
    InviteeId,
    NotificationId,
    Sequence,
    Method,
    Recipient,
    Language,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    ClaimedUntil,
    SentAt,
    MessageId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    TokenHash,
    ProfessionalId,
    FamilyMemberId,
    ParticipantId,
    CreatedById,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Professionals {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FamilyMembers {
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
        // SQLite alters one column per statement.
        for column in [
            integer(Organizations::OfficeHoursStartMinute)
                .default(8 * 60)
                .to_owned(),
            integer(Organizations::OfficeHoursEndMinute)
                .default(16 * 60)
                .to_owned(),
            integer(Organizations::FollowUpMonths).default(3).to_owned(),
            integer(Organizations::MeetingNoticeDays)
                .default(5)
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Meetings::Table)
                    .col(big_pk_auto(Meetings::Id))
                    .col(big_integer(Meetings::CaseId))
                    .col(string_len(Meetings::Kind, 16))
                    .col(string_len(Meetings::Status, 16))
                    .col(string_uniq(Meetings::Uid))
                    .col(integer(Meetings::Sequence))
                    .col(timestamp_with_time_zone_null(Meetings::StartsAt))
                    .col(timestamp_with_time_zone_null(Meetings::EndsAt))
                    .col(integer(Meetings::DurationMinutes))
                    .col(timestamp_with_time_zone_null(Meetings::Earliest))
                    .col(timestamp_with_time_zone_null(Meetings::Latest))
                    .col(string_null(Meetings::Location))
                    .col(string_null(Meetings::VideoUrl))
                    .col(big_integer_null(Meetings::OrganizerId))
                    .col(text_null(Meetings::SchedulingNote))
                    .col(text_null(Meetings::Minutes))
                    .col(timestamp_with_time_zone_null(Meetings::HeldAt))
                    .col(text_null(Meetings::CancelReason))
                    .col(string_null(Meetings::Milestone))
                    .col(big_integer_null(Meetings::CreatedById))
                    .col(timestamp_with_time_zone(Meetings::CreatedAt))
                    .col(timestamp_with_time_zone(Meetings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_meetings_case",
                        (Meetings::Table, Meetings::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meetings_organizer",
                        (Meetings::Table, Meetings::OrganizerId),
                        (Participants::Table, Participants::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meetings_created_by",
                        (Meetings::Table, Meetings::CreatedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_meetings_case",
            "meetings",
            "case_id, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_meetings_starts",
            "meetings",
            "starts_at, id",
            false,
            Some("starts_at IS NOT NULL"),
        )
        .await?;
        // The pathway plans each of its own meetings once. (NULL milestones never collide, so
        // the index needs no predicate and can be an ON CONFLICT target on both databases.)
        raw_index(
            manager,
            "ux_meetings_milestone",
            "meetings",
            "case_id, milestone",
            true,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(MeetingInvitees::Table)
                    .col(big_pk_auto(MeetingInvitees::Id))
                    .col(big_integer(MeetingInvitees::MeetingId))
                    .col(big_integer(MeetingInvitees::ParticipantId))
                    .col(boolean(MeetingInvitees::Required))
                    .col(string_len(MeetingInvitees::Response, 16))
                    .col(timestamp_with_time_zone_null(MeetingInvitees::RespondedAt))
                    .col(timestamp_with_time_zone_null(MeetingInvitees::RemovedAt))
                    .col(timestamp_with_time_zone(MeetingInvitees::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_meeting_invitees_meeting",
                        (MeetingInvitees::Table, MeetingInvitees::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_meeting_invitees_participant",
                        (MeetingInvitees::Table, MeetingInvitees::ParticipantId),
                        (Participants::Table, Participants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_meeting_invitees_meeting",
            "meeting_invitees",
            "meeting_id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_meeting_invitees_participant",
            "meeting_invitees",
            "participant_id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ux_meeting_invitees_active",
            "meeting_invitees",
            "meeting_id, participant_id",
            true,
            Some("removed_at IS NULL"),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AgendaItems::Table)
                    .col(big_pk_auto(AgendaItems::Id))
                    .col(big_integer(AgendaItems::MeetingId))
                    .col(string(AgendaItems::Title))
                    .col(integer(AgendaItems::Position))
                    .col(big_integer_null(AgendaItems::OwnerId))
                    .col(boolean(AgendaItems::Closed))
                    .col(timestamp_with_time_zone(AgendaItems::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_agenda_items_meeting",
                        (AgendaItems::Table, AgendaItems::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_agenda_items_owner",
                        (AgendaItems::Table, AgendaItems::OwnerId),
                        (Participants::Table, Participants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_agenda_items_meeting",
            "agenda_items",
            "meeting_id, position",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(BusyPeriods::Table)
                    .col(big_pk_auto(BusyPeriods::Id))
                    .col(big_integer(BusyPeriods::ProfessionalId))
                    .col(timestamp_with_time_zone(BusyPeriods::StartsAt))
                    .col(timestamp_with_time_zone(BusyPeriods::EndsAt))
                    .col(string_null(BusyPeriods::Note))
                    .col(timestamp_with_time_zone(BusyPeriods::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_busy_periods_professional",
                        (BusyPeriods::Table, BusyPeriods::ProfessionalId),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_busy_periods_professional",
            "busy_periods",
            "professional_id, ends_at",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(big_pk_auto(Deliveries::Id))
                    .col(big_integer_null(Deliveries::MeetingId))
                    .col(big_integer_null(Deliveries::InviteeId))
                    .col(big_integer_null(Deliveries::NotificationId))
                    .col(integer(Deliveries::Sequence))
                    .col(string_len_null(Deliveries::Method, 16))
                    .col(string(Deliveries::Recipient))
                    .col(string_len(Deliveries::Language, 8))
                    .col(string_len(Deliveries::Status, 16))
                    .col(integer(Deliveries::Attempts))
                    .col(text_null(Deliveries::LastError))
                    .col(timestamp_with_time_zone(Deliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Deliveries::ClaimedUntil))
                    .col(timestamp_with_time_zone_null(Deliveries::SentAt))
                    .col(string(Deliveries::MessageId))
                    .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                    .col(timestamp_with_time_zone(Deliveries::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_deliveries_meeting",
                        (Deliveries::Table, Deliveries::MeetingId),
                        (Meetings::Table, Meetings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_deliveries_invitee",
                        (Deliveries::Table, Deliveries::InviteeId),
                        (MeetingInvitees::Table, MeetingInvitees::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // One message per (meeting, sequence, recipient): a repeated job cannot send twice.
        raw_index(
            manager,
            "ux_deliveries_meeting_sequence_invitee",
            "deliveries",
            "meeting_id, sequence, invitee_id",
            true,
            None,
        )
        .await?;
        // One e-mail per in-app notification.
        raw_index(
            manager,
            "ux_deliveries_notification",
            "deliveries",
            "notification_id",
            true,
            Some("notification_id IS NOT NULL"),
        )
        .await?;
        // The outbox sweep looks only at what is still pending.
        raw_index(
            manager,
            "ix_deliveries_pending",
            "deliveries",
            "next_attempt_at",
            false,
            Some("status = 'PENDING'"),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(big_pk_auto(CalendarFeeds::Id))
                    .col(string_uniq(CalendarFeeds::TokenHash))
                    .col(big_integer_null(CalendarFeeds::ProfessionalId))
                    .col(big_integer_null(CalendarFeeds::FamilyMemberId))
                    .col(big_integer_null(CalendarFeeds::ParticipantId))
                    .col(big_integer(CalendarFeeds::CreatedById))
                    .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                    .col(timestamp_with_time_zone_null(CalendarFeeds::RevokedAt))
                    .foreign_key(&mut fk(
                        "fk_calendar_feeds_professional",
                        (CalendarFeeds::Table, CalendarFeeds::ProfessionalId),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_calendar_feeds_family_member",
                        (CalendarFeeds::Table, CalendarFeeds::FamilyMemberId),
                        (FamilyMembers::Table, FamilyMembers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_calendar_feeds_participant",
                        (CalendarFeeds::Table, CalendarFeeds::ParticipantId),
                        (Participants::Table, Participants::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_calendar_feeds_created_by",
                        (CalendarFeeds::Table, CalendarFeeds::CreatedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CalendarFeeds::Table.into_iden(),
            Deliveries::Table.into_iden(),
            BusyPeriods::Table.into_iden(),
            AgendaItems::Table.into_iden(),
            MeetingInvitees::Table.into_iden(),
            Meetings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            Organizations::OfficeHoursStartMinute,
            Organizations::OfficeHoursEndMinute,
            Organizations::FollowUpMonths,
            Organizations::MeetingNoticeDays,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organizations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
