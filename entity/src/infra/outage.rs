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
/// was wrong: the connection failed or broke, or the server ended the session because it is
/// shutting down, restarting or not yet accepting connections (PostgreSQL's SQLSTATE class
/// 57 "operator intervention" — `57P01` admin shutdown, `57P02` crash shutdown, `57P03`
/// cannot connect now — and class 08 "connection exception").
#[must_use]
pub fn unreachable(error: &crate::Error) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let crate::Error::Db(e) = error else {
        return false;
    };
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::Tls(_)
                | sea_orm::sqlx::Error::Protocol(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::WorkerCrashed => true,
                sea_orm::sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use sea_orm::sqlx::error::{DatabaseError, ErrorKind};
    use sea_orm::{DbErr, RuntimeErr};

    use super::unreachable;

    /// A database's error with an SQLSTATE, as PostgreSQL sends it.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Sqlstate {}

    impl DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "from the database"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> ErrorKind {
            ErrorKind::Other
        }
    }

    fn query_failed(code: &'static str) -> crate::Error {
        crate::Error::Db(db_err(code))
    }

    fn db_err(code: &'static str) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(
            sea_orm::sqlx::Error::Database(Box::new(Sqlstate(code))),
        )))
    }

    #[test]
    fn a_shared_error_keeps_its_kind() {
        // A loader's result is shared by every field that asked; the copy each gets of its
        // error still says the database went away.
        let shared = Arc::new(db_err("57P01"));
        assert!(unreachable(&crate::Error::shared_db(&shared)));
        let acquire = DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout);
        assert!(unreachable(&crate::Error::shared_db(&acquire)));
        assert!(!unreachable(&crate::Error::shared_db(&db_err("23505"))));
    }

    #[test]
    fn a_server_shutting_down_or_starting_is_unreachable_and_a_wrong_statement_is_not() {
        // "terminating connection due to administrator command" (a fast shutdown or restart),
        // a crash, "the database system is starting up", a connection failure.
        for code in ["57P01", "57P02", "57P03", "08006"] {
            assert!(unreachable(&query_failed(code)), "{code}");
        }
        // A unique violation, a syntax error, a serialization failure: the statement's own.
        for code in ["23505", "42601", "40001"] {
            assert!(!unreachable(&query_failed(code)), "{code}");
        }
    }
}
