//! `committee_agenda_items`: a referral on a committee meeting's agenda, and the committee's
//! decision on it once recorded.

use sea_orm::entity::prelude::*;

use crate::domain::enums::CommitteeDecision;
use crate::domain::ids::{
    CaseId, CommitteeAgendaItemId, CommitteeMeetingId, OfferId, ProfessionalId,
};

/// One agenda item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_agenda_items")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CommitteeAgendaItemId,
    /// The meeting.
    pub committee_meeting_id: CommitteeMeetingId,
    /// The referral's case.
    pub case_id: CaseId,
    /// 1, 2, 3… in the agenda's order.
    pub position: i32,
    /// The decision, once recorded.
    pub decision: Option<CommitteeDecision>,
    /// Why: required for a rejection.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The early intervention a redirect placed the child on the waiting list of.
    pub offer_id: Option<OfferId>,
    /// Where a redirect outside the catalogue sent the child, in words.
    #[sea_orm(column_type = "Text", nullable)]
    pub redirected_to: Option<String>,
    /// When it was decided.
    pub decided_at: Option<DateTimeUtc>,
    /// Who recorded it.
    pub decided_by_id: Option<ProfessionalId>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
