//! `cases`: one child's coordinated pathway, from referral to closing.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CaseId, ChildId, OrganizationId};
use crate::domain::status::CaseStatus;

/// One case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CaseId,
    /// The human reference used in e-mails and calendars instead of the child's name
    /// (`KIT-2026-000042`); unique.
    #[sea_orm(unique)]
    pub reference: String,
    /// The child the pathway is for; one child may have several cases over the years.
    pub child_id: ChildId,
    /// The municipality whose single entry point received it.
    pub municipality_id: OrganizationId,
    /// Where the pathway is.
    pub status: CaseStatus,
    /// Where a redirected case was sent, if it was.
    pub redirected_to: Option<String>,
    /// When the case was opened.
    pub created_at: DateTimeUtc,
    /// When anything on the case row last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The human reference of the case with key `id`, opened in `year`.
#[must_use]
pub fn reference_for(year: i32, id: CaseId) -> String {
    format!("KIT-{year}-{:06}", id.0)
}
