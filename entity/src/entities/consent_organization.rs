//! `consent_organizations`: the organizations a consent covers.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{ConsentId, OrganizationId};

/// One organization covered by one consent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_organizations")]
pub struct Model {
    /// The consent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consent_id: ConsentId,
    /// An organization it covers.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: OrganizationId,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
