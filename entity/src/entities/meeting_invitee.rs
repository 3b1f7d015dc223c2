//! `meeting_invitees`: who is invited to a meeting, whether they are required, and their
//! answer. Removing an invitee stamps `removed_at`; the row stays so the removal can be sent.

use sea_orm::entity::prelude::*;

use crate::domain::enums::InviteeResponse;
use crate::domain::ids::{InviteeId, MeetingId, ParticipantId};

/// One invitation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_invitees")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: InviteeId,
    /// The meeting they are invited to.
    pub meeting_id: MeetingId,
    /// The participant invited.
    pub participant_id: ParticipantId,
    /// REQUIRED (true) or OPTIONAL (false); the scheduler waits for required invitees only.
    pub required: bool,
    /// Their answer.
    pub response: InviteeResponse,
    /// When they answered.
    pub responded_at: Option<DateTimeUtc>,
    /// When they were removed from the meeting.
    pub removed_at: Option<DateTimeUtc>,
    /// When they were invited.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
