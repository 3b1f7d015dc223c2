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
//! | `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED` | the document itself is wrong |
//!
//! Every error also carries `extensions.requestId`, the `x-request-id` of the HTTP request
//! (see [`stamp_request_id`]).

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    ErrorExtensionValues, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use kit_entity::Error;
use std::sync::Arc;

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

/// Converts a domain error into a GraphQL error with its code. Internal causes are logged
/// here, inside the request's span, and masked for the client.
#[must_use]
pub fn to_graphql(error: Error) -> async_graphql::Error {
    let (message, ext) = match &error {
        Error::Validation { field, message } => {
            let mut ext = with_code("BAD_USER_INPUT");
            ext.set("field", field.as_str());
            (format!("{field}: {message}"), ext)
        }
        Error::NotFound { what, field } => {
            let mut ext = with_code("NOT_FOUND");
            if let Some(field) = field {
                ext.set("field", field.as_str());
            }
            (format!("{what} not found"), ext)
        }
        Error::Conflict(message) => (message.clone(), with_code("CONFLICT")),
        Error::Unauthenticated(message) => (message.clone(), with_code("UNAUTHENTICATED")),
        Error::Forbidden(message) => (message.clone(), with_code("FORBIDDEN")),
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %error_chain(&error), "internal error");
            ("internal error".to_owned(), with_code("INTERNAL"))
        }
    };
    async_graphql::Error {
        message,
        source: None,
        extensions: Some(ext),
    }
}

/// The error and all its causes, for the log.
#[must_use]
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

/// The schema extension that gives errors raised outside the resolvers (parsing, validation,
/// argument coercion) their codes, and stamps every error with the request id.
#[derive(Debug, Default, Clone, Copy)]
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

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

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            // What is left without a code failed while coercing an argument at run time.
            set_code(error, "BAD_USER_INPUT");
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut e| {
            set_code(&mut e, "GRAPHQL_PARSE_FAILED");
            e
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                if let Some(path) = argument_path(&e.message).map(str::to_owned) {
                    set_code(e, "BAD_USER_INPUT");
                    if let Some(ext) = e.extensions.as_mut() {
                        ext.set("field", path);
                    }
                } else {
                    set_code(e, "GRAPHQL_VALIDATION_FAILED");
                }
            }
            errors
        })
    }
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
