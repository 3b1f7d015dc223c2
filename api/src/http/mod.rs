//! The HTTP surface: `/graphql` (POST for operations, GET for GraphiQL in a browser),
//! `/graphql/ws` (subscriptions over `graphql-transport-ws`), `/healthz`, `/readyz`, and the
//! public endpoints of [`public`] (answer links, calendar feeds, iTIP replies) and [`family`]
//! (the family's plan page).
//!
//! Every request gets the server's own `x-request-id`, which is in every log line of the
//! request, in every GraphQL error's `extensions.requestId` and in the access log; one a
//! client sent is kept beside it as `x-client-request-id`, never in its place.

use std::time::Duration;

use axum::Router;
use axum::extract::State;

use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::db::is_migrated;

use crate::graphql::executor::Guarded;
use crate::graphql::schema;

use crate::state::AppState;
use middleware::{CLIENT_REQUEST_ID, json_errors, request_ids, security_headers};
use ws::graphql_ws;

mod authn;
mod committee_rsvp;
mod documents;
mod error;
pub mod family;
mod graphql;
mod media;
mod middleware;
mod params;
pub mod protect;
pub mod public;
mod ws;

pub use error::{EdgeError, error_response};
pub(crate) use middleware::request_id;
pub use ws::{WS_FORBIDDEN, WS_INIT_TIMEOUT, WS_UNAUTHORIZED};

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
pub(crate) struct Http {
    state: AppState,
    schema: Guarded,
}

/// The router serving `state`.
pub fn router(state: AppState) -> Router {
    let http = Http {
        schema: schema(state.clone()),
        state,
    };
    let public = Router::new()
        .route(
            "/rsvp/{token}",
            get(public::show_answer).post(public::record_answer),
        )
        .route(
            "/rsvp/committee/{token}",
            get(committee_rsvp::show).post(committee_rsvp::record),
        )
        .route("/plan/{token}", get(family::show))
        .route("/plan/{token}/pdf", get(family::pdf))
        .route("/calendar/reply", axum::routing::post(public::reply))
        .route("/calendar/{file}", get(public::feed))
        .route("/documents/{id}/attachment", get(documents::attachment))
        .with_state(http.state.clone());
    let body_timeout = http.state.config.http_body_timeout_secs.duration();
    let upload_limit = http
        .state
        .config
        .document_max_bytes
        .saturating_add(MAX_BODY);
    let guards = http.state.guards.clone();
    let cors_origins = http.state.config.cors_origin_values();
    let cors_max_age = Duration::from_secs(http.state.config.cors_max_age_secs);
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/assets/{file}", get(crate::graphiql::asset))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(http)
        .merge(public)
        .layer(axum::middleware::from_fn_with_state(
            upload_limit,
            body_limit,
        ))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(media::stamp))
        .layer(axum::middleware::from_fn_with_state(
            guards,
            crate::http::protect::rate_limit,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(
            TraceLayer::new_for_http()
                // Failed answers are logged where they fail (and an outage once per episode), not
                // once more per response here.
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG))
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let client = req
                        .headers()
                        .get(CLIENT_REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let span = tracing::info_span!(
                        "request",
                        otel.name = tracing::field::Empty,
                        otel.kind = tracing::field::Empty,
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                        client_request_id = %client,
                        trace_id = tracing::field::Empty
                    );
                    if kit_entity::infra::telemetry::exporting() {
                        span.record(
                            "otel.name",
                            format!("{} {}", req.method(), req.uri().path()),
                        );
                        span.record("otel.kind", "server");
                        // A caller's W3C trace context makes this request a part of its trace.
                        let parent = req
                            .headers()
                            .get("traceparent")
                            .and_then(|v| v.to_str().ok());
                        kit_entity::infra::telemetry::continue_trace(&span, parent);
                    }
                    span
                }),
        )
        .layer(axum::middleware::from_fn(request_ids))
        .layer(cors(&cors_origins, cors_max_age))
}

/// Cross-origin requests from the browser apps at `origins` (`KIT_CORS_ORIGINS`; none by
/// default): their preflights are answered here, before any other layer, and cached for
/// `max_age`. Bearer tokens, not cookies, carry the identity: no credentials are allowed.
fn cors(origins: &[axum::http::HeaderValue], max_age: Duration) -> tower_http::cors::CorsLayer {
    use axum::http::{Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("idempotency-key"),
            REQUEST_ID,
            HeaderName::from_static("apollographql-client-name"),
            HeaderName::from_static("apollographql-client-version"),
            HeaderName::from_static("apollo-require-preflight"),
        ])
        .expose_headers([
            REQUEST_ID,
            HeaderName::from_static("idempotency-replayed"),
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
        ])
        .max_age(max_age)
}

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// Bounds every request body to [`MAX_BODY`] — except a multipart request to `/graphql`,
/// which carries a document's attachment and may be `upload` bytes — answering 413 at once
/// when the declared length is over, and cutting the body off where it goes over otherwise.
async fn body_limit(
    State(upload): State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let multipart = request.uri().path() == "/graphql"
        && request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
    let limit = if multipart { upload } else { MAX_BODY };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: 200 when the database answers and is fully migrated; 503 at once while the
/// health watch finds the database unreachable, and within two seconds otherwise, so that a
/// load balancer takes the instance out instead of sending it requests that would hang.
async fn readyz(State(http): State<Http>) -> Response {
    if !http.state.guards.database_reachable() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    match tokio::time::timeout(Duration::from_secs(2), is_migrated(&http.state.db)).await {
        Ok(Ok(true)) => (StatusCode::OK, "ready").into_response(),
        Ok(Ok(false)) => (StatusCode::SERVICE_UNAVAILABLE, "database not migrated").into_response(),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database too slow to answer",
        )
            .into_response(),
    }
}
