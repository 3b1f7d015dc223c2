//! The professionals behind recent tokens, kept between requests so that a request does not
//! have to look its caller up again — only while this process is sure to hear of every change.
//!
//! Every request names a professional by its token's subject, and the access decision needs
//! their directory row and their unit ([`Actor`]). Those rows change seldom (a professional
//! leaves, moves unit, becomes an administrator) but must take effect at once: a deactivated
//! professional is refused on their next request. So the cache is kept only on PostgreSQL,
//! where a statement trigger on `professionals` and `units` (migration
//! `m20261124_000026_directory_changes`) sends `NOTIFY kit_directory` with every change,
//! whoever makes it — this process, another instance, the command line or an operator's SQL.
//! Each process `LISTEN`s; on every notification it forgets every professional it holds.
//! While its listening connection is down it keeps nothing (it could miss a change), and it
//! starts afresh once it listens again. Changes this process commits itself are forgotten
//! right after their commit, without waiting for the notification.
//!
//! A read that raced a change never lands in the cache: each lookup notes the cache's
//! generation before it reads the database and keeps what it read only if nothing was
//! forgotten in between. Entries also expire after `KIT_AUTH_CACHE_SECS` (0 turns the cache
//! off). Only professionals found active are kept; a refused subject is looked up every time.
//!
//! SQLite (the embedded default) keeps nothing: another process (the command line) may write
//! the same file, and SQLite has no way to tell this one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use kit_entity::Result;
use kit_entity::domain::validate::login_subject;
use kit_entity::infra::listen::{Heard, listen};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use tokio::task::JoinHandle;

use kit_entity::access::Actor;

/// The PostgreSQL channel on which changes to professionals and units are announced.
pub const DIRECTORY_CHANNEL: &str = "kit_directory";

/// At most this many professionals are kept; past it, the cache starts afresh.
const MAX_ENTRIES: usize = 100_000;

/// Authenticated professionals by subject. Cheap to clone: clones share one cache.
#[derive(Clone, Debug)]
pub struct Principals {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// How long an entry lives; `None` when nothing is kept.
    ttl: Option<Duration>,
    /// True while every change is heard (PostgreSQL, listening).
    listening: AtomicBool,
    /// Raised each time everything is forgotten.
    generation: AtomicU64,
    entries: RwLock<HashMap<String, Entry>>,
}

#[derive(Debug)]
struct Entry {
    actor: Actor,
    kept: Instant,
}

impl Principals {
    /// A cache that keeps nothing.
    #[must_use]
    pub fn disabled() -> Self {
        Self::with_ttl(None)
    }

    fn with_ttl(ttl: Option<Duration>) -> Self {
        Self {
            inner: Arc::new(Inner {
                ttl,
                listening: AtomicBool::new(false),
                generation: AtomicU64::new(0),
                entries: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The cache for `db`, entries living `ttl_secs`: on PostgreSQL with a non-zero lifetime,
    /// also the task listening for directory changes (abort it to stop); otherwise a cache
    /// that keeps nothing.
    #[must_use]
    pub fn start(db: &DatabaseConnection, ttl_secs: u64) -> (Self, Option<JoinHandle<()>>) {
        if ttl_secs == 0 || db.get_database_backend() != DbBackend::Postgres {
            return (Self::disabled(), None);
        }
        let principals = Self::with_ttl(Some(Duration::from_secs(ttl_secs)));
        let heard = principals.clone();
        let task = listen(
            db,
            DIRECTORY_CHANNEL,
            "directory listener",
            move |event| match event {
                Heard::Listening => {
                    heard.forget_all();
                    heard.inner.listening.store(true, Ordering::Release);
                }
                Heard::Payload(_) => heard.forget_all(),
                Heard::Lost => {
                    heard.inner.listening.store(false, Ordering::Release);
                    heard.forget_all();
                }
            },
        );
        (principals, Some(task))
    }

    /// True while entries are kept: the cache is on and hears every change.
    #[must_use]
    pub fn is_keeping(&self) -> bool {
        self.inner.ttl.is_some() && self.inner.listening.load(Ordering::Acquire)
    }

    /// The active professional with this token subject: kept, or read from `db` (and kept).
    ///
    /// # Errors
    /// As [`Actor::load`].
    pub async fn actor<C: ConnectionTrait>(&self, db: &C, subject: &str) -> Result<Actor> {
        let Some(ttl) = self.inner.ttl else {
            return Actor::load(db, subject).await;
        };
        let key = login_subject(subject);
        if self.is_keeping()
            && let Some(actor) = self.kept(&key, ttl)
        {
            return Ok(actor);
        }
        let generation = self.inner.generation.load(Ordering::Acquire);
        let actor = Actor::load(db, subject).await?;
        self.keep(key, &actor, generation);
        Ok(actor)
    }

    fn kept(&self, key: &str, ttl: Duration) -> Option<Actor> {
        let entries = self
            .inner
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|e| e.kept.elapsed() < ttl)
            .map(|e| e.actor.clone())
    }

    /// Keeps `actor`, read when the generation was `generation`, unless something has been
    /// forgotten since (the read may predate a change) or changes are not being heard.
    fn keep(&self, key: String, actor: &Actor, generation: u64) {
        let mut entries = self
            .inner
            .entries
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        // Under the write lock, which `forget_all` takes too: no forgetting can slip between
        // this check and the insert.
        if !self.is_keeping() || self.inner.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                actor: actor.clone(),
                kept: Instant::now(),
            },
        );
    }

    /// Forgets every professional: after a change to professionals or units.
    pub fn forget_all(&self) {
        let mut entries = self
            .inner
            .entries
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// How many professionals are kept now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when none is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kit_entity::entities::professional;
    use kit_entity::ids::{OrganizationId, ProfessionalId, UnitId};

    fn actor(name: &str) -> Actor {
        let now = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        Actor {
            professional: professional::Model {
                id: ProfessionalId(1),
                subject: name.to_owned(),
                name: name.to_owned(),
                title: String::new(),
                email: format!("{name}@example.org"),
                phone: None,
                unit_id: UnitId(1),
                leads_unit_id: None,
                is_admin: false,
                is_data_protection: false,
                is_active: true,
                language: kit_entity::domain::enums::Language::Da,
                created_at: now,
                updated_at: now,
            },
            organization_id: OrganizationId(1),
            intake_for: None,
        }
    }

    fn listening(ttl: Duration) -> Principals {
        let p = Principals::with_ttl(Some(ttl));
        p.inner.listening.store(true, Ordering::Release);
        p
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let p = listening(Duration::from_secs(60));
        let before = p.inner.generation.load(Ordering::Acquire);
        p.forget_all();
        p.keep("a".into(), &actor("a"), before);
        assert!(p.kept("a", Duration::from_secs(60)).is_none());

        let now = p.inner.generation.load(Ordering::Acquire);
        p.keep("a".into(), &actor("a"), now);
        assert_eq!(
            p.kept("a", Duration::from_secs(60))
                .map(|a| a.professional.name),
            Some("a".to_owned())
        );
        p.forget_all();
        assert!(p.is_empty());
    }

    #[test]
    fn nothing_is_kept_while_changes_are_not_heard_nor_past_its_lifetime() {
        let p = Principals::with_ttl(Some(Duration::from_secs(60)));
        p.keep("a".into(), &actor("a"), 0);
        assert!(p.is_empty(), "kept before listening");

        let p = listening(Duration::from_millis(1));
        p.keep("a".into(), &actor("a"), 0);
        std::thread::sleep(Duration::from_millis(5));
        assert!(p.kept("a", Duration::from_millis(1)).is_none());

        let p = Principals::disabled();
        p.inner.listening.store(true, Ordering::Release);
        assert!(!p.is_keeping());
    }
}
