//! `templates`: an organization's standard templates — each meeting kind's agenda, the status
//! note and the plan — replacing the product's defaults (`domain::templates`) for it.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{MeetingKind, TemplateKind};
use crate::domain::ids::{OrganizationId, ProfessionalId};

/// One template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "templates")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The organization whose standard it is.
    pub organization_id: OrganizationId,
    /// Agenda, status note or plan.
    pub kind: TemplateKind,
    /// For an agenda: the meeting kind it is for.
    pub meeting_kind: Option<MeetingKind>,
    /// 1 for the first the organization set, then one more with each change.
    pub version: i32,
    /// The items in priority order, as JSON (`domain::templates::TemplateItem`).
    #[sea_orm(column_type = "Text")]
    pub items: String,
    /// Who last changed it.
    pub updated_by_id: ProfessionalId,
    /// When.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
