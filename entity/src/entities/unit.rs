//! `units`: a department of an organization. A municipality's intake unit is its single
//! entry point and coordination committee.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{OrganizationId, UnitId};

/// One unit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: UnitId,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// Display name ("PPR", "Familieafdelingen").
    pub name: String,
    /// True for the organization's single entry point; at most one per organization.
    pub is_intake: bool,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
