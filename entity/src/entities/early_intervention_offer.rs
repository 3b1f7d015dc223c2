//! `early_intervention_offers`: one early intervention of a municipality's catalogue — a
//! preventive offer with a purpose, a provider unit, a target age range, a cadence and a
//! capacity per cohort (Kalundborg's catalogue: Cool Kids, children's groups, FØNIX…). Holds
//! no child's data.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{OfferId, OrganizationId, ProfessionalId, UnitId};

/// One offer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "early_intervention_offers")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: OfferId,
    /// The municipality whose catalogue holds it.
    pub municipality_id: OrganizationId,
    /// The unit that provides it (PPR, the health visitors, SSP…).
    pub provider_unit_id: UnitId,
    /// Its name ("Cool Kids").
    pub name: String,
    /// What it is for.
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    /// The youngest age, in whole years, it takes.
    pub min_age: i32,
    /// The oldest age, in whole years, it takes.
    pub max_age: i32,
    /// How it runs, in words ("10 sessions, weekly").
    pub cadence: String,
    /// How many sessions one cohort has, when it has a fixed number.
    pub sessions: Option<i32>,
    /// Weeks between the starts of two cohorts, when it starts them regularly.
    pub weeks_between_cohorts: Option<i32>,
    /// Seats of a cohort unless the cohort says otherwise.
    pub seats_per_cohort: i32,
    /// Information about a child is shared with the provider only under a signed consent.
    pub sharing_requires_consent: bool,
    /// Whether cases may be placed on its waiting list.
    pub is_active: bool,
    /// Who created it.
    pub created_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
