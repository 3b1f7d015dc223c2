//! `discharges`: child psychiatry's planned discharge of a child, which starts the hand-back
//! meeting with the municipality and the deadline to hold it before the day.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CaseId, DischargeId, MeetingId, ProfessionalId};

/// One discharge.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "discharges")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DischargeId,
    /// The case.
    pub case_id: CaseId,
    /// The day the child is to be discharged.
    pub planned_on: Date,
    /// What psychiatry wants the municipality to know (no identifying text is checked: it stays
    /// inside the case).
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// The hand-back meeting it started.
    pub meeting_id: Option<MeetingId>,
    /// Who recorded it: a professional of child psychiatry taking part in the case.
    pub recorded_by_id: ProfessionalId,
    /// When.
    pub recorded_at: DateTimeUtc,
    /// When it was called off.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Who called it off.
    pub cancelled_by_id: Option<ProfessionalId>,
    /// Why.
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
