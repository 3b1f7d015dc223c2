//! How long a mutation's `Idempotency-Key` is kept, and its removal afterwards. The API
//! records and replays keys; the worker removes the old ones.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::Result;
use crate::entities::idempotency_key;

/// How long a key is kept: a retry comes within minutes, not days.
pub const KEPT: TimeDelta = TimeDelta::hours(24);

/// Removes keys older than [`KEPT`]; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn purge<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now - KEPT))
        .exec(db)
        .await?
        .rows_affected)
}
