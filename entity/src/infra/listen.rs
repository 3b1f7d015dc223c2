//! Listening to a PostgreSQL `NOTIFY` channel, telling the listener when it can trust what it
//! hears: [`Heard::Listening`] once `LISTEN` is in place (after every reconnection), each
//! payload as it comes, and [`Heard::Lost`] when the connection drops — notifications sent
//! while it is down are gone, so whoever relies on them must assume it missed some.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use crate::infra::outage::Outage;

/// What the listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard<'a> {
    /// `LISTEN` is in place: from now on every notification on the channel is heard.
    Listening,
    /// A notification's payload.
    Payload(&'a str),
    /// The connection dropped; notifications may be missed until the next `Listening`.
    Lost,
}

/// Listens to `channel` on `db`'s PostgreSQL server in a task of its own, reconnecting with
/// growing pauses while the database is away, and hands everything heard to `hear`.
/// `what` names the listener in the log ("notification listener").
#[must_use]
pub fn listen(
    db: &DatabaseConnection,
    channel: &'static str,
    what: &'static str,
    mut hear: impl FnMut(Heard<'_>) + Send + 'static,
) -> JoinHandle<()> {
    let pool = db.get_postgres_connection_pool().clone();
    tokio::spawn(async move {
        let mut outage = Outage::new(what);
        loop {
            let subscribed = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen(channel).await?;
                Ok::<_, sea_orm::sqlx::Error>(listener)
            };
            let mut listener = match subscribed.await {
                Ok(listener) => listener,
                Err(e) => {
                    let pause = outage.failed(&crate::Error::from(sea_orm::DbErr::Conn(
                        sea_orm::RuntimeErr::SqlxError(e.into()),
                    )));
                    tokio::time::sleep(pause.max(Duration::from_secs(1))).await;
                    continue;
                }
            };
            outage.ok();
            hear(Heard::Listening);
            // `try_recv` answers `None` when the connection drops (where `recv` would reconnect
            // silently): the listener is dropped and made again, so `Listening` follows.
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => hear(Heard::Payload(n.payload())),
                    Ok(None) => {
                        tracing::debug!("{what} lost its connection; reconnecting");
                        break;
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "{what} failed; reconnecting");
                        break;
                    }
                }
            }
            hear(Heard::Lost);
        }
    })
}
