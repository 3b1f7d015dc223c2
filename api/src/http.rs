//! The HTTP surface: `/graphql` (POST for operations, GET for GraphiQL in a browser),
//! `/graphql/ws` (subscriptions over `graphql-transport-ws`), `/healthz`, `/readyz`, and the
//! public endpoints of [`crate::public`] (answer links, calendar feeds, iTIP replies).
//!
//! Every request gets an `x-request-id` (kept if the client sent one), which is in every log
//! line of the request and in every GraphQL error's `extensions.requestId`.

use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kit_entity::Error;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::access::Actor;
use crate::access_log::RequestId;
use crate::db::is_migrated;
use crate::graphql::errors::stamp_request_id;
use crate::graphql::{KitSchema, loaders, schema};
use crate::public;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: KitSchema,
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
        .route("/calendar/reply", axum::routing::post(public::reply))
        .route("/calendar/{file}", get(public::feed))
        .with_state(http.state.clone());
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(http)
        .merge(public)
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, Error> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        Error::Unauthenticated("send an Authorization: Bearer <token> header".to_owned())
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::Unauthenticated("the Authorization header must be `Bearer <token>`".to_owned())
        })?;
    authenticate_token(state, token).await
}

async fn authenticate_token(state: &AppState, token: &str) -> Result<Actor, Error> {
    let claims = state.auth.verify(token).await?;
    Actor::load(&state.db, &claims.sub).await
}

/// The bearer token of a `connection_init` payload: `{"Authorization": "Bearer …"}` (any
/// case), or `{"token": "…"}`.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let object = payload.as_object()?;
    let header = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.as_str())
        .and_then(|v| v.strip_prefix("Bearer "));
    header
        .or_else(|| object.get("token").and_then(|v| v.as_str()))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The close code of a connection whose `connection_init` was refused: 4403 Forbidden, as
/// graphql-transport-ws recommends, so that clients can tell a refused token from a protocol
/// error.
pub const WS_FORBIDDEN: u16 = 4403;

/// `/graphql/ws`: subscriptions over `graphql-transport-ws`, authenticated by the token in
/// `connection_init`. A connection without a valid token is closed with [`WS_FORBIDDEN`].
async fn graphql_ws(
    State(http): State<Http>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    use futures_util::{SinkExt, StreamExt};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let state = http.state.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let refused = Arc::new(AtomicBool::new(false));
            let (sink, stream) = socket.split();
            // async-graphql closes a refused connection with 1002 (protocol error); say
            // Forbidden instead.
            let closing = Arc::clone(&refused);
            let sink = sink.with(move |message: Message| {
                let message = match message {
                    Message::Close(Some(frame)) if closing.load(Ordering::SeqCst) => {
                        Message::Close(Some(CloseFrame {
                            code: WS_FORBIDDEN,
                            reason: frame.reason,
                        }))
                    }
                    other => other,
                };
                std::future::ready(Ok::<_, axum::Error>(message))
            });
            GraphQLWebSocket::new_with_pair(sink, stream, http.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let refuse = |message: String| {
                        refused.store(true, Ordering::SeqCst);
                        async_graphql::Error::new(message)
                    };
                    let token = payload_token(&payload).ok_or_else(|| {
                        refuse(
                            "send {\"Authorization\": \"Bearer <token>\"} in connection_init"
                                .to_owned(),
                        )
                    })?;
                    let actor = authenticate_token(&state, &token)
                        .await
                        .map_err(|e| match e {
                            Error::Unauthenticated(m) => refuse(m),
                            other => {
                                tracing::error!(error = %crate::graphql::errors::error_chain(&other), "subscription authentication failed");
                                async_graphql::Error::new("internal error")
                            }
                        })?;
                    let mut data = async_graphql::Data::default();
                    data.insert(loaders::Loaders::new(&state.db));
                    data.insert(actor);
                    data.insert(RequestId(format!("ws-{}", uuid::Uuid::new_v4())));
                    Ok(data)
                })
                .serve()
        })
}

async fn graphql(
    State(http): State<Http>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let id = request_id(&headers);
    let actor = match authenticate(&http.state, &headers).await {
        Ok(actor) => actor,
        Err(e) => {
            let (status, code) = match &e {
                Error::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
                _ => {
                    tracing::error!(error = %crate::graphql::errors::error_chain(&e), "authentication failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
                }
            };
            let message = if code == "INTERNAL" {
                "internal error".to_owned()
            } else {
                e.to_string()
            };
            let body = serde_json::json!({
                "data": null,
                "errors": [{ "message": message, "extensions": { "code": code, "requestId": id } }],
            });
            return (
                status,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(body),
            )
                .into_response();
        }
    };
    let request = request
        .into_inner()
        .data(actor)
        .data(loaders::Loaders::new(&http.state.db))
        .data(RequestId(id.clone()));
    let mut response = http.schema.execute(request).await;
    stamp_request_id(&mut response, &id);
    GraphQLResponse::from(response).into_response()
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("KIT GraphQL")
            .finish(),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(http): State<Http>) -> Response {
    match is_migrated(&http.state.db).await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "database not migrated").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}
