//! `organizations`: a region's child psychiatry, a municipality, a practice, a ward, a school.

use sea_orm::entity::prelude::*;

use crate::domain::enums::OrganizationKind;
use crate::domain::ids::OrganizationId;

/// One organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: OrganizationId,
    /// Display name.
    pub name: String,
    /// Kind; decides the sector its professionals act for.
    pub kind: OrganizationKind,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
