//! Small helpers that give resolvers the application state, the actor and the loaders
//! without `ctx.data().unwrap()` scattered around.

use std::hash::Hash;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use kit_entity::{Error, Result};

use crate::access::Actor;
use crate::graphql::loaders::{DbLoader, LoadError, Loaders};
use crate::state::AppState;

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

/// Loads one value through the request's loader.
///
/// # Errors
/// [`Error::Db`] when the database fails.
pub async fn load<K>(ctx: &Context<'_>, key: K) -> Result<Option<<DbLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
{
    ctx.loaders().load_one(key).await.map_err(|e| {
        Error::Db(std::sync::Arc::try_unwrap(e).unwrap_or_else(|e| sea_orm::DbErr::Custom(e.to_string())))
    })
}

/// Loads a value that a foreign key guarantees exists.
///
/// # Errors
/// [`Error::Internal`] when it is missing after all; [`Error::Db`] when the database fails.
pub async fn load_required<K>(ctx: &Context<'_>, key: K) -> Result<<DbLoader as Loader<K>>::Value>
where
    K: Send + Sync + Hash + Eq + Clone + std::fmt::Debug + 'static,
    DbLoader: Loader<K, Error = LoadError>,
{
    let missing = format!("{key:?} is referenced but missing");
    load(ctx, key).await?.ok_or_else(|| Error::internal(missing))
}
