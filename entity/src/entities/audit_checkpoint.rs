//! `audit_checkpoints`: where a verification of the access log reached, per chain — the row,
//! its time and its hash — so that a later verification can start there. Chained itself
//! (each checkpoint's hash covers the one before it), append-only, and exported for an
//! outside witness who can tell a rewritten log from the one they were given.

use sea_orm::entity::prelude::*;

/// One chain's verified head at one time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When it was made.
    pub made_at: DateTimeUtc,
    /// The chain.
    pub chain: i16,
    /// The last row verified.
    pub through_id: i64,
    /// That row's time.
    pub through_at: DateTimeUtc,
    /// That row's hash.
    pub head_hash: String,
    /// Rows verified since the chain's checkpoint before (or since its start).
    pub rows: i64,
    /// Who or what made it (`worker`, `kit-api audit checkpoint`).
    pub made_by: String,
    /// The previous checkpoint's hash (zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and this row's content, hex.
    pub hash: String,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
