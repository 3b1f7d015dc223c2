//! `audit_chain_heads`: one row per hash chain of the access log — the hash the chain's next
//! row chains from and the time of its last row. An append locks its chain's row until it
//! commits; a chain another transaction holds is skipped.

use sea_orm::entity::prelude::*;

/// One chain's head.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_chain_heads")]
pub struct Model {
    /// The chain's number.
    #[sea_orm(primary_key, auto_increment = false)]
    pub chain: i16,
    /// The hash of its last row (or of the prune that removed it; zeros for a new chain).
    pub hash: String,
    /// The time of its last row: a chain's rows never go back in time.
    pub at: Option<DateTimeUtc>,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
