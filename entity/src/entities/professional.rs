//! `professionals`: staff members who log in. The token's subject maps to `subject`.

use sea_orm::entity::prelude::*;

use crate::domain::enums::Language;
use crate::domain::ids::{ProfessionalId, UnitId};

/// One professional.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "professionals")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ProfessionalId,
    /// The identity provider's subject (`sub` claim); unique.
    #[sea_orm(unique)]
    pub subject: String,
    /// Full name.
    pub name: String,
    /// Job title ("Socialrådgiver", "Overlæge").
    pub title: String,
    /// Work e-mail address.
    pub email: String,
    /// Work phone, if any.
    pub phone: Option<String>,
    /// The unit they work in.
    pub unit_id: UnitId,
    /// The unit they lead, if they are a leader; escalations go to leaders.
    pub leads_unit_id: Option<UnitId>,
    /// May manage their organization's units and professionals.
    pub is_admin: bool,
    /// Answers citizens' requests for access to their data for the organization
    /// (`subjectAccess`).
    pub is_data_protection: bool,
    /// False once they have left: they can no longer log in.
    pub is_active: bool,
    /// Language for e-mails and notifications.
    pub language: crate::domain::enums::Language,
    /// When they were created.
    pub created_at: DateTimeUtc,
    /// When they last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The language to write to them in.
    #[must_use]
    pub fn language(&self) -> Language {
        self.language
    }
}
