//! `plan_link_reads`: every time the plan was read through a family link, and which version.

use sea_orm::entity::prelude::*;

use crate::domain::enums::PlanFormat;
use crate::domain::ids::{PlanLinkId, PlanVersionId};

/// One reading.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_link_reads")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The link read through.
    pub plan_link_id: PlanLinkId,
    /// The plan version shown.
    pub plan_version_id: PlanVersionId,
    /// The page or the PDF.
    pub format: PlanFormat,
    /// When.
    pub read_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
