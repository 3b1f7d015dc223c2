//! Telling live subscribers about new notifications.
//!
//! Every `kit-api` process keeps one broadcast channel of [`Announced`] notifications, which
//! its GraphQL subscriptions filter by viewer. On SQLite the worker runs in that same process
//! and sends into the channel after each sweep commits. On PostgreSQL the sweep announces
//! with `NOTIFY` inside its transaction — so only committed notifications are heard — and
//! every API process `LISTEN`s and forwards into its channel, wherever the worker runs.

use crate::ids::{NotificationId, ProfessionalId};
use crate::infra::listen::Heard;
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
    Some(crate::infra::listen::listen(
        db,
        NOTIFY_CHANNEL,
        "notification listener",
        move |heard| {
            if let Heard::Payload(payload) = heard {
                match parse(payload) {
                    Some(a) => {
                        let _ = tx.send(a);
                    }
                    None => tracing::warn!(payload, "unreadable notification announcement"),
                }
            }
        },
    ))
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
