//! Small helpers that give resolvers the application state, the actor and the loaders
//! without `ctx.data().unwrap()` scattered around.

use std::sync::Arc;

use async_graphql::Context;
use kit_entity::{Error, Result};

use crate::graphql::loaders::{Keyed, Loaders};
use crate::state::AppState;
use kit_entity::access::Actor;

/// Access to what every resolver needs.
pub trait ContextExt {
    /// The application state.
    fn state(&self) -> &AppState;
    /// The authenticated actor.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] when the request carried no valid token.
    fn actor(&self) -> Result<&Actor>;
    /// The per-request loaders.
    fn loaders(&self) -> &Loaders;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn actor(&self) -> Result<&Actor> {
        self.data_opt::<Actor>()
            .ok_or_else(|| Error::Unauthenticated("a bearer token is required".to_owned()))
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }
}

/// Turns a shared loader error back into a domain error.
#[must_use]
pub fn db_error(e: &Arc<sea_orm::DbErr>) -> Error {
    Error::shared_db(e)
}

/// Loads one value through the request's loaders.
///
/// # Errors
/// [`Error::Db`] when the database fails.
pub async fn load<K: Keyed>(ctx: &Context<'_>, key: K) -> Result<Option<K::Value>> {
    Ok(load_shared(ctx, key).await?.map(Arc::unwrap_or_clone))
}

/// Loads one value through the request's loaders, shared with their cache: for reading it
/// without a copy.
///
/// # Errors
/// [`Error::Db`] when the database fails.
pub async fn load_shared<K: Keyed>(ctx: &Context<'_>, key: K) -> Result<Option<Arc<K::Value>>> {
    ctx.loaders().load(key).await.map_err(|e| db_error(&e))
}

/// Loads a value that a foreign key guarantees exists.
///
/// # Errors
/// [`Error::Internal`] when it is missing after all; [`Error::Db`] when the database fails.
pub async fn load_required<K: Keyed>(ctx: &Context<'_>, key: K) -> Result<K::Value> {
    load(ctx, key.clone())
        .await?
        .ok_or_else(|| Error::internal(format!("{key:?} is referenced but missing")))
}
