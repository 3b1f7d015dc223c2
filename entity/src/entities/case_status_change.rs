//! `case_status_changes`: the history of every status change: who, when, and why.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CaseId, CaseStatusChangeId, ProfessionalId};
use crate::domain::status::CaseStatus;

/// One status change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_status_changes")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CaseStatusChangeId,
    /// The case whose status changed.
    pub case_id: CaseId,
    /// The status before; none for the change that opened the case.
    pub from_status: Option<CaseStatus>,
    /// The status after.
    pub to_status: CaseStatus,
    /// Why.
    pub reason: String,
    /// Who made the change.
    pub changed_by_id: ProfessionalId,
    /// When.
    pub changed_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
