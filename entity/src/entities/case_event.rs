//! `case_events`: pathway events recorded on a case — information shared, the plan shared,
//! an investigation started or finished, a psychiatric referral or assessment, adult support
//! settled. Deadlines start and are met by them.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{CaseEventKind, Sector};
use crate::domain::ids::{CaseEventId, CaseId, MeetingId, ProfessionalId};

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CaseEventId,
    /// The case it happened in.
    pub case_id: CaseId,
    /// What happened.
    pub kind: CaseEventKind,
    /// The sector it concerns (information shared).
    pub sector: Option<Sector>,
    /// The meeting it concerns.
    pub meeting_id: Option<MeetingId>,
    /// Free text recorded with the event.
    pub note: Option<String>,
    /// Who recorded it.
    pub recorded_by_id: ProfessionalId,
    /// When.
    pub recorded_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
