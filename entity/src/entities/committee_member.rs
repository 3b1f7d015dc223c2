//! `committee_members`: who sits on a committee meeting (and is invited to it).

use sea_orm::entity::prelude::*;

use crate::domain::enums::InviteeResponse;
use crate::domain::ids::{CommitteeMeetingId, ProfessionalId};

/// One member of one meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_members")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The meeting.
    pub committee_meeting_id: CommitteeMeetingId,
    /// The member.
    pub professional_id: ProfessionalId,
    /// Their answer to the invitation.
    pub response: InviteeResponse,
    /// When they answered.
    pub responded_at: Option<DateTimeUtc>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
