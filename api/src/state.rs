//! The one application state shared by HTTP handlers, GraphQL resolvers and commands.

use std::sync::Arc;

use kit_entity::{Result, SharedClock};
use kit_worker::announce::{self, Announcements};
use kit_worker::links::Links;
use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;

use crate::access_log::LogWriter;
use crate::auth::Authenticator;
use crate::config::Config;

/// Cheap to clone: everything inside is shared.
#[derive(Clone, Debug)]
pub struct AppState {
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
    /// Writes the access log: every read of a child's data.
    pub access_log: LogWriter,
    /// Stops the PostgreSQL listener feeding `announcements` when the last clone goes.
    _listener: Arc<Listener>,
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
    /// When the authenticator cannot read or create its local secret.
    pub async fn new(db: DatabaseConnection, config: Config, clock: SharedClock) -> Result<Self> {
        let auth = Authenticator::new(&config, &db).await?;
        let links = Links::load(&db, &config.settings.public_url).await?;
        let announcements = announce::channel();
        let listener = Listener(announce::listen(&db, announcements.clone()));
        let access_log = LogWriter::start(db.clone());
        Ok(Self {
            db,
            config: Arc::new(config),
            clock,
            auth,
            links,
            announcements,
            access_log,
            _listener: Arc::new(listener),
        })
    }
}
