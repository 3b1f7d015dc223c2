//! `waiting_entries`: a case (a child) on an early intervention's waiting list, from its
//! placement through a seat offered in a cohort to enrollment, a decline or a withdrawal. It
//! names a case, so it is the child's data: read and changed under the case's access.

use sea_orm::entity::prelude::*;

use crate::domain::enums::WaitingStatus;
use crate::domain::ids::{CaseId, CohortId, OfferId, ProfessionalId, WaitingEntryId};

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waiting_entries")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: WaitingEntryId,
    /// The offer whose list it is on.
    pub offer_id: OfferId,
    /// The case (child) waiting.
    pub case_id: CaseId,
    /// WAITING, OFFERED, ENROLLED, DECLINED or WITHDRAWN.
    pub status: WaitingStatus,
    /// When it was put on the list: its place in the queue.
    pub placed_at: DateTimeUtc,
    /// Who put it there.
    pub placed_by_id: ProfessionalId,
    /// The cohort whose seat was offered (and, once accepted, where it is enrolled).
    pub cohort_id: Option<CohortId>,
    /// When the seat was offered.
    pub offered_at: Option<DateTimeUtc>,
    /// Who offered it.
    pub offered_by_id: Option<ProfessionalId>,
    /// The last day to answer the offer (Europe/Copenhagen).
    pub answer_by: Option<Date>,
    /// When the offer was answered (accepted: the enrollment).
    pub answered_at: Option<DateTimeUtc>,
    /// When it was taken off the list.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Why.
    #[sea_orm(column_type = "Text", nullable)]
    pub withdraw_reason: Option<String>,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
