//! `early_intervention_cohorts`: one cohort (hold) of an early intervention, with the day it
//! starts and its seats (the offer's capacity unless changed).

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CohortId, OfferId, ProfessionalId};

/// One cohort.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "early_intervention_cohorts")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CohortId,
    /// The offer it is a cohort of.
    pub offer_id: OfferId,
    /// The day it starts (Europe/Copenhagen).
    pub starts_on: Date,
    /// Its seats: enrolled and offered entries take them.
    pub seats: i32,
    /// Who added it.
    pub created_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
    /// When it last changed (its seats, or a seat offered in it).
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
