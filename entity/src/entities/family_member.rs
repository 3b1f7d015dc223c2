//! `family_members`: a child's guardians and other family members.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{FamilyRelation, Language};
use crate::domain::ids::{ChildId, FamilyMemberId};

/// One family member of one child.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "family_members")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: FamilyMemberId,
    /// The child they are family of.
    pub child_id: ChildId,
    /// Full name.
    pub name: String,
    /// Relation to the child.
    pub relation: FamilyRelation,
    /// Whether they hold custody (forældremyndighed).
    pub has_custody: bool,
    /// E-mail address, if any; invitations go here.
    pub email: Option<String>,
    /// Phone number, if any.
    pub phone: Option<String>,
    /// Language to write to them in.
    pub language: Language,
    /// When the record was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
