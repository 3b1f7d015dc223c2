//! What every job handler needs: the database, the clock, the settings, the mailer and the
//! link signer.

use std::sync::Arc;

use kit_entity::{Result, SharedClock};
use sea_orm::DatabaseConnection;

use crate::mail::Mailer;
use kit_entity::content::links::Links;
use kit_entity::infra::announce::Announcements;
use kit_entity::infra::settings::Settings;

/// The handlers' shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct Context {
    /// The database.
    pub db: DatabaseConnection,
    /// The clock every job reads "now" from; tests move it.
    pub clock: SharedClock,
    /// Mail, links, retry and scheduling settings.
    pub settings: Arc<Settings>,
    /// Where mail goes.
    pub mailer: Mailer,
    /// Signs answer links.
    pub links: Links,
    /// Where new notifications are announced to this process's subscribers, when the worker
    /// runs inside `kit-api` on SQLite (on PostgreSQL they travel by `NOTIFY`).
    pub announcements: Option<Announcements>,
}

impl Context {
    /// Builds the context for `settings` on an open, migrated database.
    ///
    /// # Errors
    /// When the mail settings are unusable or the link secret cannot be read.
    pub async fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        settings: Settings,
    ) -> Result<Self> {
        let mailer = Mailer::from_settings(&settings).map_err(kit_entity::Error::internal)?;
        let links = Links::load(&db, &settings.public_url, clock.now()).await?;
        Ok(Self {
            db,
            clock,
            settings: Arc::new(settings),
            mailer,
            links,
            announcements: None,
        })
    }
}
