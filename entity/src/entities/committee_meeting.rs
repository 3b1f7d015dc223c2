//! `committee_meetings`: a meeting of a municipality's coordination committee, which decides
//! on the referrals on its agenda.

use sea_orm::entity::prelude::*;

use crate::domain::enums::CommitteeMeetingStatus;
use crate::domain::ids::{CommitteeMeetingId, OrganizationId, ProfessionalId};

/// One meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_meetings")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CommitteeMeetingId,
    /// The municipality whose single entry point it serves.
    pub municipality_id: OrganizationId,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: DateTimeUtc,
    /// Where.
    pub location: Option<String>,
    /// The intake unit member who called it.
    pub organizer_id: ProfessionalId,
    /// SCHEDULED or CANCELLED.
    pub status: CommitteeMeetingStatus,
    /// The iCalendar SEQUENCE of its newest invitation: raised when it moves or is cancelled.
    pub sequence: i32,
    /// When it was called.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
