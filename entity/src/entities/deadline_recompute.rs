//! `deadline_recomputes`: the log of explicit recomputes of running deadlines under a newer
//! rule version: which rule, for which organization, how many, by whom, when.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{DeadlineRecomputeId, DeadlineRuleId, OrganizationId, ProfessionalId};

/// One recompute.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_recomputes")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DeadlineRecomputeId,
    /// The rule version the deadlines now run under.
    pub rule_id: DeadlineRuleId,
    /// The organization whose cases it concerned.
    pub organization_id: OrganizationId,
    /// How many deadlines changed.
    pub recomputed: i32,
    /// Who asked.
    pub recomputed_by_id: ProfessionalId,
    /// When.
    pub recomputed_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
