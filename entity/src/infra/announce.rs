//! Telling live subscribers about new notifications.
//!
//! Every `kit-api` process keeps one broadcast channel of [`Announced`] notifications, which
//! its GraphQL subscriptions filter by viewer. On SQLite the worker runs in that same process
//! and sends into the channel after each sweep commits. On PostgreSQL the sweep announces
//! with `NOTIFY` inside its transaction — so only committed notifications are heard — and
//! every API process `LISTEN`s and forwards into its channel, wherever the worker runs.

use crate::ids::{NotificationId, ProfessionalId};
use sea_orm::{DatabaseConnection, DbBackend};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// A process's channel of new notifications.
pub type Announcements = broadcast::Sender<Announced>;

/// How many announcements a slow subscriber may fall behind before it skips some.
const CAPACITY: usize = 1024;

/// A new channel.
#[must_use]
pub fn channel() -> Announcements {
    broadcast::channel(CAPACITY).0
}

/// Parses a `NOTIFY` payload, `"<notification id>:<recipient id>"`.
#[must_use]
pub fn parse(payload: &str) -> Option<Announced> {
    let (id, recipient) = payload.split_once(':')?;
    Some(Announced {
        id: NotificationId(id.parse().ok()?),
        recipient: ProfessionalId(recipient.parse().ok()?),
    })
}

/// On PostgreSQL, starts forwarding `NOTIFY` announcements into `tx`; on SQLite there is
/// nothing to listen to and `None` is returned. The listener reconnects by itself when the
/// connection drops.
#[must_use]
pub fn listen(db: &DatabaseConnection, tx: Announcements) -> Option<JoinHandle<()>> {
    if db.get_database_backend() != DbBackend::Postgres {
        return None;
    }
    let pool = db.get_postgres_connection_pool().clone();
    Some(tokio::spawn(async move {
        use sea_orm::sqlx::postgres::PgListener;
        let mut outage = crate::infra::outage::Outage::new("notification listener");
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    let pause = outage.failed(&crate::Error::from(sea_orm::DbErr::Conn(
                        sea_orm::RuntimeErr::SqlxError(e.into()),
                    )));
                    tokio::time::sleep(pause.max(std::time::Duration::from_secs(1))).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(NOTIFY_CHANNEL).await {
                let pause = outage.failed(&crate::Error::from(sea_orm::DbErr::Conn(
                    sea_orm::RuntimeErr::SqlxError(e.into()),
                )));
                tokio::time::sleep(pause.max(std::time::Duration::from_secs(1))).await;
                continue;
            }
            outage.ok();
            loop {
                match listener.recv().await {
                    Ok(n) => match parse(n.payload()) {
                        Some(a) => {
                            let _ = tx.send(a);
                        }
                        None => tracing::warn!(
                            payload = n.payload(),
                            "unreadable notification announcement"
                        ),
                    },
                    Err(e) => {
                        tracing::debug!(error = %e, "notification listener lost its connection; reconnecting");
                        break;
                    }
                }
            }
        }
    }))
}

/// The PostgreSQL channel new notifications are announced on.
pub const NOTIFY_CHANNEL: &str = "kit_notifications";

/// A new notification, for subscribers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    /// The notification.
    pub id: NotificationId,
    /// The professional the notification is for; only their subscriptions receive it.
    pub recipient: ProfessionalId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        assert_eq!(
            parse("42:7"),
            Some(Announced {
                id: NotificationId(42),
                recipient: ProfessionalId(7),
            })
        );
        assert_eq!(parse("42"), None);
        assert_eq!(parse("x:7"), None);
    }
}
