//! `access_changes`: one recorded change to what a professional may see — a move between
//! units, a change of unit leadership, or a unit becoming (or ceasing to be) the intake unit —
//! with who made it, when, and the values before and after.

use sea_orm::entity::prelude::*;

use crate::domain::enums::AccessChangeKind;
use crate::domain::ids::{AccessChangeId, OrganizationId, ProfessionalId, UnitId};

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_changes")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: AccessChangeId,
    /// The organization it happened in.
    pub organization_id: OrganizationId,
    /// When.
    pub changed_at: DateTimeUtc,
    /// Who made it; null when made from the command line.
    pub changed_by_id: Option<ProfessionalId>,
    /// What changed.
    pub kind: AccessChangeKind,
    /// The professional concerned (MEMBER_OF_UNIT, LEADS_UNIT).
    pub professional_id: Option<ProfessionalId>,
    /// The unit concerned (UNIT_IS_INTAKE).
    pub unit_id: Option<UnitId>,
    /// The unit before (MEMBER_OF_UNIT, LEADS_UNIT); null for none.
    pub unit_before_id: Option<UnitId>,
    /// The unit after the change; null when they left every unit.
    pub unit_after_id: Option<UnitId>,
    /// Intake unit before (UNIT_IS_INTAKE); null for a new unit.
    pub flag_before: Option<bool>,
    /// Intake unit after.
    pub flag_after: Option<bool>,
}

/// No navigable relations: the entries refer to rows that are never deleted.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
