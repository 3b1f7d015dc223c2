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

/// How many columns a professional has.
pub const COLUMNS: usize = 14;

/// The professional in the [`COLUMNS`] columns from the first of `c` on, in the order
/// `Entity::find()` selects them; `None` when the key is NULL (an outer join found none).
///
/// # Errors
/// When a column is missing or of another type.
pub fn decode(c: &super::columns::Columns<'_>) -> Result<Option<Model>, DbErr> {
    let Some(id) = c.get::<Option<i64>>(0)? else {
        return Ok(None);
    };
    Ok(Some(Model {
        id: ProfessionalId(id),
        subject: c.get(1)?,
        name: c.get(2)?,
        title: c.get(3)?,
        email: c.get(4)?,
        phone: c.get(5)?,
        unit_id: UnitId(c.get(6)?),
        leads_unit_id: c.get::<Option<i64>>(7)?.map(UnitId),
        is_admin: c.get(8)?,
        is_data_protection: c.get(9)?,
        is_active: c.get(10)?,
        language: c.enumeration(11)?,
        created_at: c.get(12)?,
        updated_at: c.get(13)?,
    }))
}
