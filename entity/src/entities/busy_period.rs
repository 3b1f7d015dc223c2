//! `busy_periods`: times a professional has registered as unavailable (leave, courses,
//! other appointments), which the scheduler avoids.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{BusyPeriodId, ProfessionalId};

/// One busy period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "busy_periods")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: BusyPeriodId,
    /// Whose.
    pub professional_id: ProfessionalId,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: DateTimeUtc,
    /// A private note.
    pub note: Option<String>,
    /// When it was registered.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
