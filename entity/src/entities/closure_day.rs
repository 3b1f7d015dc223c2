//! `closure_days`: days an organization is closed beyond the national holidays (for example
//! 24 and 31 December); they are not working days for its deadlines and meetings.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{ClosureDayId, OrganizationId};

/// One closure day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "closure_days")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ClosureDayId,
    /// The organization that is closed that day.
    pub organization_id: OrganizationId,
    /// The day.
    pub date: Date,
    /// What it is ("Juleaftensdag").
    pub name: String,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
