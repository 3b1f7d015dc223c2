//! `instance_secrets`: secrets the instance generated for itself, such as the local
//! token-signing key, so every process on the same database agrees on them.

use sea_orm::entity::prelude::*;

/// One named secret.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_secrets")]
pub struct Model {
    /// The secret's name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The secret, base64.
    pub value: String,
    /// When it was generated.
    pub created_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("instance_secret::Model")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
