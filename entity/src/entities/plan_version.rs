//! `plan_versions`: one version of a case's cross-sector plan, written when a start, network,
//! follow-up or closing meeting is recorded as held. Never changed afterwards.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CaseId, MeetingId, PlanVersionId, ProfessionalId};

/// One version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_versions")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: PlanVersionId,
    /// The case whose plan it is.
    pub case_id: CaseId,
    /// 1, 2, 3… per case.
    pub version: i32,
    /// The held meeting that wrote it.
    pub meeting_id: MeetingId,
    /// The child's or young person's own wishes.
    #[sea_orm(column_type = "Text", nullable)]
    pub child_wishes: Option<String>,
    /// The family's wishes.
    #[sea_orm(column_type = "Text", nullable)]
    pub family_wishes: Option<String>,
    /// Who recorded the meeting.
    pub recorded_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
