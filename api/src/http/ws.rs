//! `/graphql/ws`: subscriptions over `graphql-transport-ws`, with the connection's own
//! rules — a token in `connection_init` within a time limit, closed when the token expires or
//! the professional is deactivated.

use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;

use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use kit_entity::Error;

use crate::access_log::RequestId;

use crate::graphql::loaders;

use super::authn::{authenticate_token_claims, payload_token};
use crate::state::AppState;

use super::Http;

/// The close code of a connection whose `connection_init` was refused, or whose professional
/// was deactivated while it was open: 4403 Forbidden, as graphql-transport-ws recommends, so
/// that clients can tell a refused token from a protocol error.
pub const WS_FORBIDDEN: u16 = 4403;

/// The close code of a connection whose token expired while it was open: 4401 Unauthorized
/// (the client logs in again and reconnects).
pub const WS_UNAUTHORIZED: u16 = 4401;

/// The close code of a connection that sent no `connection_init` in time
/// (`KIT_WS_INIT_TIMEOUT_SECS`): 4408, as graphql-transport-ws prescribes.
pub const WS_INIT_TIMEOUT: u16 = 4408;

/// Who an open subscription connection speaks for, once `connection_init` was accepted.
#[derive(Clone, Copy)]
struct Session {
    professional: kit_entity::ids::ProfessionalId,
    expires: tokio::time::Instant,
}

/// `/graphql/ws`: subscriptions over `graphql-transport-ws`, authenticated by the token in
/// `connection_init`. A connection without a valid token is closed with [`WS_FORBIDDEN`];
/// one that sends no `connection_init` within `KIT_WS_INIT_TIMEOUT_SECS` with
/// [`WS_INIT_TIMEOUT`]. An open connection is closed with [`WS_UNAUTHORIZED`] when its token
/// expires and with [`WS_FORBIDDEN`] when its professional is deactivated (checked every
/// `KIT_WS_RECHECK_SECS`).
pub(super) async fn graphql_ws(
    State(http): State<Http>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    use std::str::FromStr;
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|protocols| {
            protocols
                .split(',')
                .find_map(|p| async_graphql::http::WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "ask for the graphql-transport-ws subprotocol",
        )
            .into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_ws(http, protocol, socket))
}

async fn serve_ws(
    http: Http,
    protocol: async_graphql::http::WebSocketProtocols,
    socket: axum::extract::ws::WebSocket,
) {
    use futures_util::{SinkExt, StreamExt};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let state = http.state.clone();
    let config = &state.config;
    let init_timeout = config.ws_init_timeout_secs.duration();
    let recheck = config
        .ws_recheck_secs
        .duration()
        .min(Duration::from_secs(3600));
    let refused = Arc::new(AtomicBool::new(false));
    let session: Arc<Mutex<Option<Session>>> = Arc::new(Mutex::new(None));
    let (mut sink, stream) = socket.split();
    let input = stream
        .take_while(|message| std::future::ready(message.is_ok()))
        .filter_map(|message| {
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message),
                _ => None,
            })
        })
        .map(Message::into_data);
    // The access log names every read over this connection by one id.
    let connection = RequestId(format!("ws-{}", uuid::Uuid::new_v4()));
    let init_state = state.clone();
    let init_refused = Arc::clone(&refused);
    let init_session = Arc::clone(&session);
    let on_init = move |payload: serde_json::Value| async move {
        let refuse = |message: String| {
            init_refused.store(true, Ordering::SeqCst);
            async_graphql::Error::new(message)
        };
        let token = payload_token(&payload).ok_or_else(|| {
            refuse("send {\"Authorization\": \"Bearer <token>\"} in connection_init".to_owned())
        })?;
        let (actor, claims) = authenticate_token_claims(&init_state, &token)
            .await
            .map_err(|e| match e {
                Error::Unauthenticated(m) => refuse(m),
                other => {
                    tracing::error!(error = %other.report(), "subscription authentication failed");
                    async_graphql::Error::new("internal error")
                }
            })?;
        // What is left of the token by the product's clock, waited out in real time.
        let left = (claims.exp - init_state.clock.now().timestamp()).max(0);
        *init_session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Session {
            professional: actor.id(),
            expires: tokio::time::Instant::now()
                + Duration::from_secs(u64::try_from(left).unwrap_or(0)),
        });
        let mut data = async_graphql::Data::default();
        data.insert(loaders::Loaders::new(&init_state.db));
        data.insert(actor);
        Ok(data)
    };
    let closing = Arc::clone(&refused);
    let messages = async_graphql::http::WebSocket::new(
        http.schema.for_connection(connection),
        input,
        protocol,
    )
    .on_connection_init(on_init)
    .map(move |message| match message {
        async_graphql::http::WsMessage::Text(text) => Message::Text(text.into()),
        // async-graphql closes a refused connection with 1002 (protocol error); say
        // Forbidden instead.
        async_graphql::http::WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame {
            code: if closing.load(Ordering::SeqCst) {
                WS_FORBIDDEN
            } else {
                code
            },
            reason: reason.into(),
        })),
    });
    futures_util::pin_mut!(messages);
    let init_deadline = tokio::time::sleep(init_timeout);
    futures_util::pin_mut!(init_deadline);
    let mut checks = tokio::time::interval(recheck);
    checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let close = |code: u16, reason: &str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.to_owned().into(),
        }))
    };
    loop {
        let current = *session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let expiry = async {
            match current {
                Some(s) => tokio::time::sleep_until(s.expires).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            message = messages.next() => match message {
                Some(message) => {
                    if sink.send(message).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            () = &mut init_deadline, if current.is_none() => {
                let _ = sink.send(close(WS_INIT_TIMEOUT, "Connection initialisation timeout")).await;
                break;
            }
            () = expiry => {
                let _ = sink.send(close(WS_UNAUTHORIZED, "the token has expired")).await;
                break;
            }
            _ = checks.tick(), if current.is_some() => {
                let Some(s) = current else { continue };
                match still_active(&state, s.professional).await {
                    Ok(true) => {}
                    Ok(false) => {
                        let _ = sink
                            .send(close(WS_FORBIDDEN, "the professional is no longer active"))
                            .await;
                        break;
                    }
                    Err(e) => tracing::warn!(error = %e.report(), "cannot recheck a subscriber"),
                }
            }
        }
    }
}

async fn still_active(
    state: &AppState,
    professional: kit_entity::ids::ProfessionalId,
) -> Result<bool, Error> {
    use sea_orm::EntityTrait;
    Ok(
        kit_entity::entities::professional::Entity::find_by_id(professional)
            .one(&state.db)
            .await?
            .is_some_and(|p| p.is_active),
    )
}
