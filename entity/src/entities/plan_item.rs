//! `plan_items`: the challenges and resources a plan version records, in priority order.

use sea_orm::entity::prelude::*;

use crate::domain::enums::PlanItemKind;

/// One challenge or resource.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_items")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The version it belongs to.
    pub plan_version_id: crate::domain::ids::PlanVersionId,
    /// CHALLENGE or RESOURCE.
    pub kind: PlanItemKind,
    /// What it is.
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// 1 first.
    pub priority: i32,
    /// Discussed in the meeting's closed part: person-sensitive, shown only to the
    /// professionals taking part.
    pub closed: bool,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
