//! `plan_agreements`: the agreements a plan version holds, each with its status when the
//! version was written.

use sea_orm::entity::prelude::*;

use crate::domain::enums::AgreementStatus;
use crate::domain::ids::AgreementId;

/// One agreement as a version records it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_agreements")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The version.
    pub plan_version_id: crate::domain::ids::PlanVersionId,
    /// The agreement.
    pub agreement_id: AgreementId,
    /// Its status then.
    pub status: AgreementStatus,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
