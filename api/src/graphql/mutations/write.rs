//! The shape every mutation shares: one write transaction, committed only when the whole
//! operation succeeded, after which the request's loaders are cleared so the returned payload
//! is read fresh.

use async_graphql::{Context, MaybeUndefined};
use chrono::{DateTime, Utc};
use kit_entity::Result;
use sea_orm::DatabaseTransaction;

use crate::db::begin_write;
use crate::graphql::context::ContextExt;
use kit_entity::access::Actor;

/// An open write transaction with the actor and the time of the change.
pub struct Write<'c> {
    /// The transaction.
    pub txn: DatabaseTransaction,
    /// Who is making the change.
    pub actor: &'c Actor,
    /// When: one instant for every row the change writes.
    pub now: DateTime<Utc>,
    ctx: &'c Context<'c>,
}

impl<'c> Write<'c> {
    /// Begins a write for the authenticated actor.
    ///
    /// # Errors
    /// [`kit_entity::Error::Unauthenticated`] without an actor; database errors.
    pub async fn begin(ctx: &'c Context<'c>) -> Result<Self> {
        let actor = ctx.actor()?;
        let txn = begin_write(&ctx.state().db).await?;
        Ok(Self {
            txn,
            actor,
            now: ctx.state().clock.now(),
            ctx,
        })
    }

    /// Commits when `result` is a success, rolls back otherwise.
    ///
    /// # Errors
    /// The operation's error, or the commit's.
    pub async fn finish<T>(self, result: Result<T>) -> Result<T> {
        // The core names its commands' fields; the schema's mutations take them as `input`.
        let result = result.map_err(kit_entity::Error::in_input);
        let idempotency = self.ctx.data_opt::<crate::idempotency::Idempotency>();
        let result = match (result, idempotency) {
            // The key is recorded with the change it stands for, in the same transaction.
            (Ok(value), Some(key)) => crate::idempotency::record(&self.txn, self.now, key)
                .await
                .map(|()| value),
            (result, _) => result,
        };
        match result {
            Ok(value) => {
                self.txn.commit().await?;
                if let Some(key) = idempotency {
                    crate::idempotency::committed(key);
                }
                self.ctx.loaders().clear_all();
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) = self.txn.rollback().await {
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(e)
            }
        }
    }

    /// As [`Write::finish`], for a change to professionals or units: once committed, the
    /// authenticated professionals this process keeps are forgotten at once (other processes
    /// hear of it through the database, see [`crate::principals`]).
    ///
    /// # Errors
    /// As [`Write::finish`].
    pub async fn finish_directory<T>(self, result: Result<T>) -> Result<T> {
        let principals = self.ctx.state().principals.clone();
        let result = self.finish(result).await;
        if result.is_ok() {
            principals.forget_all();
        }
        result
    }
}

/// Reads an optional, clearable input field: absent → `None` (keep), `null` → `Some(None)`
/// (remove), a value → `Some(Some(check(value)))`.
///
/// # Errors
/// Whatever `check` returns.
pub fn maybe<T, U>(
    value: MaybeUndefined<T>,
    check: impl FnOnce(T) -> Result<U>,
) -> Result<Option<Option<U>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => check(v).map(|u| Some(Some(u))),
    }
}
