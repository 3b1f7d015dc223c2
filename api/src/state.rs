//! The one application state shared by HTTP handlers, GraphQL resolvers and commands.

use std::sync::Arc;

use kit_entity::content::links::Links;
use kit_entity::infra::announce::{self, Announcements};
use kit_entity::{Result, SharedClock};
use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use crate::access_log::LogWriter;
use crate::auth::Authenticator;
use crate::config::Config;
use crate::http::protect::{Guards, Limits};
use crate::principals::Principals;

/// Cheap to clone: one reference count, whatever it holds (every request clones it several
/// times, on every core).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Parts>);

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the application state holds.
#[derive(Debug)]
pub struct Parts {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The configuration it was started with.
    pub config: Arc<Config>,
    /// The clock; tests inject a manual one.
    pub clock: SharedClock,
    /// Token checking and local issuing.
    pub auth: Authenticator,
    /// Signs and checks the links in invitations and calendar feeds.
    pub links: Links,
    /// New notifications, for `notificationAdded` subscriptions.
    pub announcements: Announcements,
    /// Changes to cases' meetings and deadlines, for `caseChanged` subscriptions.
    pub case_feed: kit_entity::infra::case_feed::CaseFeed,
    /// Writes the access log: every read of a child's data.
    pub access_log: LogWriter,
    /// Rate limit, load shedding and the database health watch.
    pub guards: Guards,
    /// Seals and opens CPR numbers, and finds them by their keyed hash.
    pub cpr: Arc<kit_entity::cpr::vault::CprVault>,
    /// The professionals behind recent tokens (PostgreSQL only; see [`crate::principals`]).
    pub principals: Principals,
    /// Documents known by their hash, and the allow-list of `KIT_TRUSTED_DOCUMENTS`.
    pub persisted: Arc<crate::graphql::persisted::Persisted>,
    /// Stops the listeners (`announcements`, `principals`, `case_feed`) when the state goes.
    _listeners: [Listener; 3],
}

/// The task forwarding PostgreSQL announcements; aborted when dropped.
#[derive(Debug)]
struct Listener(Option<JoinHandle<()>>);

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

impl AppState {
    /// Builds the state on an open, migrated database.
    ///
    /// # Errors
    /// When the authenticator cannot read or create its local secret, or the CPR key is
    /// missing or malformed.
    pub async fn new(db: DatabaseConnection, config: Config, clock: SharedClock) -> Result<Self> {
        let auth = Authenticator::new(&config, &db, Arc::clone(&clock)).await?;
        let persisted = Arc::new(match &config.trusted_documents {
            Some(path) => crate::graphql::persisted::Persisted::trusted(std::path::Path::new(path))
                .map_err(|e| kit_entity::Error::internal(format!("{e:#}")))?,
            None => crate::graphql::persisted::Persisted::open(),
        });
        let cpr = Arc::new(
            crate::config::cpr_vault(&config)
                .map_err(|e| kit_entity::Error::internal(format!("{e:#}")))?,
        );
        let links = Links::load(&db, &config.settings.public_url, clock.now()).await?;
        let announcements = announce::channel();
        let listener = Listener(announce::listen(&db, announcements.clone()));
        // The case change feed reads on a connection of its own: its steady reading neither
        // waits for nor holds the pool's connections.
        let feed_db = kit_entity::infra::db::connect(&kit_entity::infra::settings::Settings {
            db_max_connections: 1,
            ..config.settings.clone()
        })
        .await?;
        let (case_feed, case_feed_task) = kit_entity::infra::case_feed::start(&feed_db);
        let (principals, directory) = Principals::start(&db, config.auth_cache_secs);
        let access_log = LogWriter::start(db.clone());
        // The health watch has a connection of its own: a pool busy with work is not a
        // database that is down.
        let probe = kit_entity::infra::db::connect(&kit_entity::infra::settings::Settings {
            db_max_connections: 1,
            db_acquire_timeout_secs: kit_entity::infra::settings::Secs::new(1),
            ..config.settings.clone()
        })
        .await?;
        let guards = Guards::start(
            Limits {
                per_second: config.rate_limit_per_second,
                burst: config.rate_limit_burst,
                trust_forwarded_for: config.trust_forwarded_for,
                max_in_flight: config.max_in_flight,
            },
            probe,
        );
        Ok(Self(Arc::new(Parts {
            db,
            config: Arc::new(config),
            clock,
            auth,
            links,
            announcements,
            case_feed,
            access_log,
            guards,
            cpr,
            principals,
            persisted,
            _listeners: [
                listener,
                Listener(directory),
                Listener(Some(case_feed_task)),
            ],
        })))
    }
}
