//! Error answers outside GraphQL's own, in the shape of a GraphQL request error: no `data`
//! (nothing was executed) and one error with `extensions.code` and `extensions.requestId`.
//! Their `Content-Type` follows the request's `Accept` like every answer of `/graphql`
//! (`http::media`).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use kit_entity::Error;

use crate::graphql::errors::Answer;

/// An error answer in the shape of a GraphQL request error: no `data` and one error with
/// `extensions.code` and `extensions.requestId`.
pub fn error_response(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    answer(status, code, message, None, request_id)
}

fn answer(
    status: StatusCode,
    code: &str,
    message: &str,
    field: Option<&str>,
    request_id: &str,
) -> Response {
    let mut extensions = serde_json::json!({ "code": code, "requestId": request_id });
    if let Some(field) = field {
        extensions["field"] = field.into();
    }
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": extensions }],
    });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

/// A domain error answered at the HTTP edge, outside a GraphQL response: the one mapping of
/// errors to status and code for the routes that are not GraphQL's own.
#[derive(Debug)]
pub struct EdgeError {
    /// What went wrong; it decides the status, code and message.
    pub error: Error,
    /// The request's id, echoed in `extensions.requestId` for support to find the log lines.
    pub request_id: String,
}

impl EdgeError {
    /// `error` for the request with `request_id`.
    #[must_use]
    pub fn new(error: Error, request_id: &str) -> Self {
        Self {
            error,
            request_id: request_id.to_owned(),
        }
    }
}

impl IntoResponse for EdgeError {
    fn into_response(self) -> Response {
        let a = Answer::to(&self.error);
        let mut response = answer(
            a.status,
            a.code,
            &a.message,
            a.field.as_deref(),
            &self.request_id,
        );
        if a.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
