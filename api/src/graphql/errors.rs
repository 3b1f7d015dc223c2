//! The one place where domain errors become GraphQL errors.
//!
//! Every error the API returns carries `extensions.code`:
//!
//! | code | meaning |
//! |---|---|
//! | `BAD_USER_INPUT` | an input value is wrong; `extensions.field` names it (`input.child.cpr`) |
//! | `NOT_FOUND` | the object does not exist or is not visible to you |
//! | `CONFLICT` | the change contradicts the current state (status rules, one contact per sector) |
//! | `UNAUTHENTICATED` | no valid token |
//! | `FORBIDDEN` | you may see this but not do this |
//! | `INTERNAL` | a fault on our side; the message is masked, `extensions.requestId` finds the log |
//! | `UNAVAILABLE` | the database cannot be reached; HTTP 503 with `Retry-After` |
//! | `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED` | the document itself is wrong |
//!
//! Every error also carries `extensions.requestId`, the `x-request-id` of the HTTP request
//! (see [`stamp_request_id`]).

use async_graphql::{ErrorExtensionValues, Response, ServerError};
use kit_entity::Error;

/// Stamps every error of `response` with the HTTP request's id.
pub fn stamp_request_id(response: &mut Response, request_id: &str) {
    for error in &mut response.errors {
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("requestId", request_id);
    }
}

fn with_code(code: &str) -> ErrorExtensionValues {
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    ext
}

/// How a domain error is answered, wherever it is answered: the one mapping of errors to
/// codes, messages and HTTP statuses. Internal causes are logged here, inside the request's
/// span, and masked for the client.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status when the error is answered outside a GraphQL response.
    pub status: axum::http::StatusCode,
    /// `extensions.code`.
    pub code: &'static str,
    /// The message the client sees.
    pub message: String,
    /// `extensions.field`, the input field at fault.
    pub field: Option<String>,
}

impl Answer {
    /// The answer to `error`.
    #[must_use]
    pub fn to(error: &Error) -> Self {
        use axum::http::StatusCode as S;
        let (status, code, message, field) = match error {
            Error::Validation { field, message } => (
                S::BAD_REQUEST,
                "BAD_USER_INPUT",
                format!("{field}: {message}"),
                Some(field.clone()),
            ),
            Error::NotFound { what, field } => (
                S::NOT_FOUND,
                "NOT_FOUND",
                format!("{what} not found"),
                field.clone(),
            ),
            Error::Conflict(message) => (S::CONFLICT, "CONFLICT", message.clone(), None),
            Error::Unauthenticated(message) => {
                (S::UNAUTHORIZED, "UNAUTHENTICATED", message.clone(), None)
            }
            Error::Forbidden(message) => (S::FORBIDDEN, "FORBIDDEN", message.clone(), None),
            Error::Db(_) if is_unavailable(error) => {
                tracing::warn!(error = %error_chain(error), "database unavailable");
                (
                    S::SERVICE_UNAVAILABLE,
                    "UNAVAILABLE",
                    "the database is unreachable; try again shortly".to_owned(),
                    None,
                )
            }
            Error::Db(_) | Error::Internal(_) => {
                tracing::error!(error = %error_chain(error), "internal error");
                (
                    S::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "internal error".to_owned(),
                    None,
                )
            }
        };
        Self {
            status,
            code,
            message,
            field,
        }
    }
}

/// Converts a domain error into a GraphQL error with its code (see [`Answer`]).
#[must_use]
pub fn to_graphql(error: Error) -> async_graphql::Error {
    let answer = Answer::to(&error);
    let mut ext = with_code(answer.code);
    if let Some(field) = &answer.field {
        ext.set("field", field.as_str());
    }
    async_graphql::Error {
        message: answer.message,
        source: None,
        extensions: Some(ext),
    }
}

pub use kit_entity::domain::error::chain as error_chain;

/// True for an error that says the database cannot be reached (no connection within the
/// acquire timeout, a connection lost), not that a statement was wrong.
#[must_use]
pub fn is_unavailable(error: &Error) -> bool {
    kit_entity::infra::outage::unreachable(error)
}

/// Lets resolvers write `result.gql()?`.
pub trait IntoGraphql<T> {
    /// Maps the error with [`to_graphql`].
    ///
    /// # Errors
    /// The mapped error.
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGraphql<T> for Result<T, Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_graphql)
    }
}

/// The argument path in "Invalid value for argument "input.child.dateOfBirth", …".
fn argument_path(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    rest.split('"').next()
}

fn set_code(error: &mut ServerError, code: &str) {
    let ext = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
}

/// Gives every error of a finished response that has no code its code. One without a path
/// was raised before anything ran — by the validation (`BAD_USER_INPUT` naming the argument in
/// `field` when an argument's value is invalid, `GRAPHQL_VALIDATION_FAILED` otherwise); one
/// with a path failed while coercing an argument at run time (`BAD_USER_INPUT`).
pub fn code_errors(response: &mut Response) {
    for error in &mut response.errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if coded {
            continue;
        }
        if !error.path.is_empty() {
            set_code(error, "BAD_USER_INPUT");
        } else if let Some(path) = argument_path(&error.message).map(str::to_owned) {
            set_code(error, "BAD_USER_INPUT");
            if let Some(ext) = error.extensions.as_mut() {
                ext.set("field", path);
            }
        } else {
            set_code(error, "GRAPHQL_VALIDATION_FAILED");
        }
    }
}

/// A document that could not be parsed (or was refused as it was): `GRAPHQL_PARSE_FAILED`
/// unless the refusal gave its own code.
#[must_use]
pub fn code_parse_error(mut error: ServerError) -> ServerError {
    set_code(&mut error, "GRAPHQL_PARSE_FAILED");
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_argument_path() {
        assert_eq!(
            argument_path(
                r#"Invalid value for argument "input.child.dateOfBirth", expected type "Date""#
            ),
            Some("input.child.dateOfBirth")
        );
        assert_eq!(argument_path("Unknown field"), None);
    }
}
