//! A loop that depends on the database, when the database is gone: it logs the outage once,
//! with its cause, backs off — doubling its pause up to half a minute — and logs once when the
//! database answers again. Never a log line per poll.

use std::time::Duration;

/// The longest pause between tries while the database is unreachable.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The state of one loop's outage.
#[derive(Debug)]
pub struct Outage {
    what: &'static str,
    failures: u32,
}

impl Outage {
    /// For the loop that does `what` ("deadline sweep").
    #[must_use]
    pub fn new(what: &'static str) -> Self {
        Self { what, failures: 0 }
    }

    /// A try failed with `cause`: logged the first time; returns how long to pause before the
    /// next try (none for a failure that is not an outage, which is logged each time).
    pub fn failed(&mut self, error: &crate::Error) -> Duration {
        if !unreachable(error) {
            tracing::warn!(error = %error.report(), "{} failed; retrying", self.what);
            return Duration::ZERO;
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures == 1 {
            tracing::error!(error = %error.report(), "{}: database unreachable; pausing and retrying with growing pauses", self.what);
        }
        let doublings = self.failures.saturating_sub(1).min(5);
        (Duration::from_secs(1) * 2_u32.pow(doublings)).min(MAX_BACKOFF)
    }

    /// A try succeeded: ends an outage, if there was one.
    pub fn ok(&mut self) {
        if self.failures > 0 {
            tracing::warn!(
                failed_tries = self.failures,
                "{}: database reachable again",
                self.what
            );
            self.failures = 0;
        }
    }
}

/// True for an error that says the database cannot be reached rather than that a statement
/// was wrong.
#[must_use]
pub fn unreachable(error: &crate::Error) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let crate::Error::Db(e) = error else {
        return false;
    };
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            e.as_ref(),
            sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::Tls(_)
                | sea_orm::sqlx::Error::Protocol(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::WorkerCrashed
        ),
        _ => false,
    }
}
