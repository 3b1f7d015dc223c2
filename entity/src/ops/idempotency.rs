//! How long a mutation's `Idempotency-Key` is kept, and its removal afterwards. The API
//! records and replays keys; the worker removes the old ones.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::idempotency_key;
use crate::ids::ProfessionalId;
use crate::{Error, Result};

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

/// Records `professional`'s key `key` for the request hashed `hash`, in the mutation's own
/// transaction: its answer is stored with it later, and a second request with the key waits
/// for that answer or replays it.
///
/// # Errors
/// [`Error::Conflict`] when the key is recorded already (a concurrent retry won); database
/// errors.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    professional: ProfessionalId,
    key: &str,
    hash: &str,
) -> Result<()> {
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        id: NotSet,
        professional_id: Set(professional),
        idem_key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        response: Set(None),
        reads: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(
            &crate::domain::unique::ONE_IDEMPOTENCY_KEY,
            "a request with this Idempotency-Key is already being made; wait for its answer",
        )
    })?;
    Ok(())
}
