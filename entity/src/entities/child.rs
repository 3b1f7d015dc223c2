//! `children`: the child at the centre of one or more cases.

use sea_orm::entity::prelude::*;

use crate::domain::ids::ChildId;

/// One child. Holds person-sensitive data: never expose the model directly.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ChildId,
    /// Full name.
    pub name: String,
    /// The name lower-cased, for case-insensitive search on both databases.
    pub name_search: String,
    /// Date of birth; transition milestones follow from it.
    pub date_of_birth: Date,
    /// The CPR number, if known, sealed (`cpr::vault`: encrypted, never the digits).
    /// Shown in full only to the case's responsible contacts.
    #[sea_orm(unique)]
    pub cpr: Option<String>,
    /// The keyed hash the CPR number is found by; unique.
    pub cpr_hmac: Option<String>,
    /// When the record was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("child::Model")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The search form of a name: trimmed and lower-cased (Unicode-aware, so "Ø" finds "ø").
#[must_use]
pub fn search_key(name: &str) -> String {
    name.trim().to_lowercase()
}
