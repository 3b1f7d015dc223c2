//! `meetings`: pathway meetings of a case, with their scheduling window and iCalendar
//! identity (a stable UID and a SEQUENCE that grows with every change invitees care about).

use sea_orm::entity::prelude::*;

use crate::domain::enums::{MeetingKind, MeetingStatus};
use crate::domain::ids::{CaseId, MeetingId, ParticipantId, ProfessionalId};

/// One meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: MeetingId,
    /// The case it is held for.
    pub case_id: CaseId,
    /// Start, network, follow-up, closing, transition or coordination.
    pub kind: MeetingKind,
    /// PLANNED → SCHEDULED → HELD, or CANCELLED.
    pub status: MeetingStatus,
    /// The iCalendar UID; never changes.
    #[sea_orm(unique)]
    pub uid: String,
    /// The iCalendar SEQUENCE of the latest version sent.
    pub sequence: i32,
    /// Start, once scheduled.
    pub starts_at: Option<DateTimeUtc>,
    /// End, once scheduled.
    pub ends_at: Option<DateTimeUtc>,
    /// The length asked for.
    pub duration_minutes: i32,
    /// The earliest start the scheduler may choose.
    pub earliest: Option<DateTimeUtc>,
    /// The latest end the scheduler may choose.
    pub latest: Option<DateTimeUtc>,
    /// Where, if in person.
    pub location: Option<String>,
    /// The video link, if online.
    pub video_url: Option<String>,
    /// The organizing participant: a responsible contact.
    pub organizer_id: Option<ParticipantId>,
    /// Why the scheduler found no slot, while the meeting is PLANNED.
    pub scheduling_note: Option<String>,
    /// The minutes, once held.
    pub minutes: Option<String>,
    /// When it was recorded as held.
    pub held_at: Option<DateTimeUtc>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// For meetings the pathway plans itself: which step this is ("start",
    /// "follow-up-after-12", "transition-16"); unique per case, so it is planned once.
    pub milestone: Option<String>,
    /// Who asked for it; none when the pathway planned it.
    pub created_by_id: Option<ProfessionalId>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
