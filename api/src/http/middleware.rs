//! Middleware every answer passes: the server's own request ids, security headers, and the
//! GraphQL error shape for every error answer of `/graphql`.

use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::Response;

use super::MAX_BODY;
use super::REQUEST_ID;
use super::error::error_response;

/// Headers every answer carries: no MIME sniffing, no referrer (answer links hold tokens),
/// no framing; HTML pages get a strict Content-Security-Policy unless they set their own, and
/// what is not marked cacheable is not stored.
pub(super) async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use header::HeaderValue;
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Every error answer of `/graphql` has the shape of a GraphQL error — `data: null` and one
/// error with `extensions.code` and `extensions.requestId` — whichever layer produced it
/// (a body too large, a method not allowed, a body that did not arrive in time).
pub(super) async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let graphql = request.uri().path() == "/graphql";
    let id = request_id(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/json") || v.starts_with(super::media::GRAPHQL_RESPONSE)
        });
    if !graphql || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "PAYLOAD_TOO_LARGE",
            format!("the request body is larger than {MAX_BODY} bytes"),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "REQUEST_TIMEOUT",
            "the request body did not arrive in time".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "METHOD_NOT_ALLOWED",
            "send GraphQL operations with POST (GET opens GraphiQL in a browser)".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "BAD_REQUEST",
            "send the operation as application/json".to_owned(),
        ),
        s if s.is_server_error() => ("INTERNAL", "internal error".to_owned()),
        _ => (
            "BAD_REQUEST",
            "the request is not a GraphQL request".to_owned(),
        ),
    };
    error_response(status, code, &message, &id)
}

/// The `x-client-request-id` header: the `x-request-id` a client sent, moved aside.
pub(super) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");

/// Gives every request the server's own `x-request-id` (a fresh UUID), which the log lines,
/// error answers and the access log carry. An `x-request-id` the client sent is never taken
/// for it: it is kept, cleaned (visible ASCII, at most 64 characters), as
/// `x-client-request-id` beside it, for the client to correlate its own logs.
pub(super) async fn request_ids(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let client = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty());
    let id = uuid::Uuid::new_v4().to_string();
    let value = header::HeaderValue::from_str(&id)
        .unwrap_or_else(|_| header::HeaderValue::from_static("invalid"));
    request.headers_mut().insert(REQUEST_ID, value.clone());
    request.headers_mut().remove(CLIENT_REQUEST_ID);
    if let Some(client) = &client
        && let Ok(v) = header::HeaderValue::from_str(client)
    {
        request.headers_mut().insert(CLIENT_REQUEST_ID, v);
    }
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

pub(super) fn client_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
