//! The one error type of the domain.
//!
//! Every layer returns [`Error`]; the GraphQL layer maps it to `extensions.code` in one place.
//! Database and unexpected errors keep their cause for the log and are shown to clients only
//! as an opaque `INTERNAL`.

use sea_orm::{DbErr, SqlErr};

/// The result of a domain operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong, from the client's point of view.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object does not exist, or the actor may not know that it exists.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, in words ("case").
        what: &'static str,
        /// The input field that named it, if it came from an input.
        field: Option<String>,
    },
    /// An input value is wrong; `field` is its path in the input (`input.child.cpr`).
    #[error("{message}")]
    Validation {
        /// The input field's path.
        field: String,
        /// What is wrong with it, in words a user can act on.
        message: String,
    },
    /// The change contradicts the current state: an illegal status transition, a second
    /// responsible contact for a sector, a concurrent change that won.
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials came with the request.
    #[error("{0}")]
    Unauthenticated(String),
    /// The actor is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The database failed; the cause is logged (see [`Error::report`]), never shown.
    #[error("database error")]
    Db(#[source] DbErr),
    /// Something else failed that the client cannot fix; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A validation error on `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The object named by an input field does not exist (or is not visible).
    #[must_use]
    pub fn not_found(what: &'static str) -> Self {
        Self::NotFound { what, field: None }
    }

    /// A conflict with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// The actor may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    /// An unexpected failure with a cause for the log.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// Attaches the input field that named a missing object.
    #[must_use]
    pub fn at(self, input_field: impl Into<String>) -> Self {
        match self {
            Self::NotFound { what, .. } => Self::NotFound {
                what,
                field: Some(input_field.into()),
            },
            other => other,
        }
    }

    /// Moves a validation error of an input object's field under `prefix`: `name` (or
    /// `input.name`) of a nested object becomes `offer.name` with prefix `offer.`.
    #[must_use]
    pub fn nested(self, prefix: &str) -> Self {
        match self {
            Self::Validation { field, message } => Self::Validation {
                field: format!("{prefix}{}", field.trim_start_matches("input.")),
                message,
            },
            other => other,
        }
    }

    /// Names the field at fault as a path in a mutation's `input` argument: the core names a
    /// command's fields (`child.cpr`), the API answers with the argument's path
    /// (`input.child.cpr`). A path the API already gave in full is kept.
    #[must_use]
    pub fn in_input(self) -> Self {
        let full = |field: String| {
            if field.starts_with("input.") {
                field
            } else {
                format!("input.{field}")
            }
        };
        match self {
            Self::Validation { field, message } => Self::Validation {
                field: full(field),
                message,
            },
            Self::NotFound {
                what,
                field: Some(field),
            } => Self::NotFound {
                what,
                field: Some(full(field)),
            },
            other => other,
        }
    }

    /// True when the database refused a row because a unique index already held its key.
    #[must_use]
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Db(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
    }

    /// Turns a violation of `index` into a [`Error::Conflict`] with `message`; leaves any
    /// other error — another unique index included, which is a fault — as it is.
    #[must_use]
    pub fn unique_as_conflict(
        self,
        index: &crate::domain::unique::UniqueIndex,
        message: &str,
    ) -> Self {
        match &self {
            Self::Db(e) => match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(report)) if index.is_named_in(&report) => {
                    Self::Conflict(message.to_owned())
                }
                _ => self,
            },
            _ => self,
        }
    }
}

impl Error {
    /// This error with all its causes, for the log: `database error: Execution Error: …`.
    /// A log line names the real cause, never just "database error".
    #[must_use]
    pub fn report(&self) -> String {
        chain(self)
    }
}

/// An error and all its causes, joined with `: `, for the log. A cause whose text its
/// parent already shows is not repeated.
#[must_use]
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

impl From<DbErr> for Error {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

impl Error {
    /// The error of a database result several readers share (a loader's, cached for every
    /// field that asked for it). The driver's error inside is itself shared, so the copy keeps
    /// its kind — a database that went away still reads as unreachable
    /// ([`crate::infra::outage::unreachable`]) — and only errors without a driver's cause are
    /// copied as their text.
    #[must_use]
    pub fn shared_db(e: &DbErr) -> Self {
        Self::Db(copy_db_err(e))
    }
}

/// A copy of `e` that keeps its variant and its driver's error (see [`Error::shared_db`]).
#[must_use]
pub fn copy_db_err(e: &DbErr) -> DbErr {
    use sea_orm::RuntimeErr;
    let runtime = |r: &RuntimeErr| match r {
        RuntimeErr::SqlxError(e) => RuntimeErr::SqlxError(std::sync::Arc::clone(e)),
        other => RuntimeErr::Internal(other.to_string()),
    };
    match e {
        DbErr::ConnectionAcquire(a) => DbErr::ConnectionAcquire(*a),
        DbErr::Conn(r) => DbErr::Conn(runtime(r)),
        DbErr::Exec(r) => DbErr::Exec(runtime(r)),
        DbErr::Query(r) => DbErr::Query(runtime(r)),
        other => DbErr::Custom(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_the_underlying_cause() {
        let e = Error::from(DbErr::Custom("deadlock detected".into()));
        assert_eq!(e.to_string(), "database error");
        let report = e.report();
        assert!(report.starts_with("database error: "), "{report}");
        assert!(report.contains("deadlock detected"), "{report}");
        let io = std::io::Error::other("disk full");
        let report = Error::internal(io).report();
        assert_eq!(report, "internal error: disk full");
    }
}
