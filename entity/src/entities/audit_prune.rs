//! `audit_prunes`: each retention prune of the access log — how many rows of the chain's
//! start it removed, through which row, and that row's hash, which the first remaining row
//! chains from. Chained itself, append-only.

use sea_orm::entity::prelude::*;

/// One prune.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_prunes")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When it ran.
    pub pruned_at: DateTimeUtc,
    /// The last access-log row it removed.
    pub through_id: i64,
    /// That row's hash: the first remaining row's `prev_hash`.
    pub through_hash: String,
    /// How many rows it removed.
    pub rows: i64,
    /// The retention period it applied, in days.
    pub retention_days: i32,
    /// Who or what ran it (`worker`, `kit-api audit prune`).
    pub pruned_by: String,
    /// The previous prune's hash (zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and this row's content, hex.
    pub hash: String,
    /// The chain whose start it removed.
    pub chain: i16,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
