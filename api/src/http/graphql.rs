//! `POST /graphql`: one operation per request — shed or refused before any work when the
//! process is full or the database is away, authenticated, made idempotent with
//! `Idempotency-Key`, executed (queries with a time limit), answered.

use std::time::Duration;

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};

use axum::extract::State;

use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::graphql::errors::stamp_request_id;
use crate::graphql::loaders;

use super::Http;
use super::MAX_BODY;
use super::authn::authenticate;
use super::error::{EdgeError, error_response};
use super::middleware::{client_request_id, request_id};
use crate::state::AppState;

pub(super) async fn graphql(
    State(http): State<Http>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    let id = request_id(&headers);
    // Fail fast, before any work: while the database is unreachable, and when this process
    // has as many requests in hand as it may.
    if !http.state.guards.database_reachable() {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "the database is unreachable; try again shortly",
            &id,
        );
    }
    let Some(_permit) = http.state.guards.admit() else {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "OVERLOADED",
            "the server is busy; try again shortly",
            &id,
        );
    };
    let request = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(&rejection.0, &id),
    };
    let actor = match authenticate(&http.state, &headers).await {
        Ok(actor) => actor,
        Err(e) => return EdgeError::new(e, &id).into_response(),
    };
    // Parsed once and checked before anything touches the database.
    let prepared = match http.schema.prepare(request.into_inner()) {
        Ok(prepared) => prepared,
        Err(mut refused) => {
            stamp_request_id(&mut refused, &id);
            return GraphQLResponse::from(*refused).into_response();
        }
    };
    let mutation = prepared.is_mutation();
    let client_id = client_request_id(&headers);
    // A retried mutation with the same Idempotency-Key gets the first result.
    let idempotency = match headers.get(crate::idempotency::HEADER) {
        Some(raw) if mutation => {
            match idempotent(
                &http.state,
                prepared.request(),
                &actor,
                raw,
                &id,
                client_id.as_deref(),
            )
            .await
            {
                Ok(idempotency) => Some(idempotency),
                Err(answer) => return *answer,
            }
        }
        _ => None,
    };
    let recorded = idempotency
        .as_ref()
        .map(|i| std::sync::Arc::clone(&i.recorded));
    let stored_as = idempotency
        .as_ref()
        .map(|i| (i.professional, i.key.clone(), i.hash.clone(), actor.clone()));
    let mut prepared = prepared
        .data(actor)
        .data(loaders::Loaders::new(&http.state.db));
    if let Some(idempotency) = idempotency {
        prepared = prepared.data(idempotency);
    }
    // Queries end after KIT_QUERY_TIMEOUT_SECS. A mutation is never cut short: its one
    // transaction commits or rolls back whole, and a client is never told that a change it
    // made failed when it was committed.
    let execution = http.schema.run(prepared, &id, client_id.as_deref());
    let mut response = if mutation {
        execution.await
    } else {
        let limit = Duration::from_secs(http.state.config.query_timeout_secs.max(1));
        match tokio::time::timeout(limit, execution).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(limit_secs = limit.as_secs(), "query timed out");
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "TIMEOUT",
                    &format!(
                        "the query ran longer than {} seconds (KIT_QUERY_TIMEOUT_SECS); ask for \
                         less, or try again",
                        limit.as_secs()
                    ),
                    &id,
                );
            }
        }
    };
    stamp_request_id(&mut response, &id);
    if let (Some(recorded), Some((professional, key, hash, actor))) = (recorded, stored_as)
        && recorded.load(std::sync::atomic::Ordering::Acquire)
    {
        let stored = crate::idempotency::Idempotency {
            professional,
            key,
            hash,
            recorded,
        };
        let body = serde_json::to_value(&response).unwrap_or_default();
        let state = &http.state;
        let now = state.clock.now();
        if let Err(e) =
            crate::idempotency::store(&state.db, &state.cpr, &actor, now, &stored, &body, &id).await
        {
            // The change is made; only a retry's replay is lost (it is told the key is in use).
            tracing::error!(error = %e.report(), "cannot store an idempotent mutation's answer");
        }
    }
    let unavailable = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from("UNAVAILABLE"))
    });
    let mut answer = GraphQLResponse::from(response).into_response();
    if unavailable {
        *answer.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    answer
}

/// Checks a mutation's `Idempotency-Key`: a new key goes ahead (returned for the request's
/// data); a known one is answered here — with the first result, or refused.
async fn idempotent(
    state: &AppState,
    request: &async_graphql::Request,
    actor: &crate::access::Actor,
    raw: &header::HeaderValue,
    id: &str,
    client_id: Option<&str>,
) -> Result<crate::idempotency::Idempotency, Box<Response>> {
    use crate::idempotency::{self, Found, Replay};
    let professional = actor.id();
    let bad = |message: &str| {
        Box::new(error_response(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            message,
            id,
        ))
    };
    let key = raw
        .to_str()
        .map_err(|_| bad("Idempotency-Key: must be visible ASCII"))
        .and_then(|raw| idempotency::parse_key(raw).map_err(|e| bad(&e.to_string())))?;
    let hash = idempotency::hash(request);
    let now = state.clock.now();
    let found = idempotency::find(&state.db, now, professional, &key, &hash)
        .await
        .map_err(|e| Box::new(EdgeError::new(e, id).into_response()))?;
    match found {
        Found::New => Ok(idempotency::Idempotency {
            professional,
            key,
            hash,
            recorded: std::sync::Arc::default(),
        }),
        Found::Reused => Err(Box::new(error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used for another request; use a new key for a new change",
            id,
        ))),
        Found::InProgress => {
            let mut answer = error_response(
                StatusCode::CONFLICT,
                "IDEMPOTENCY_KEY_IN_PROGRESS",
                "the request with this Idempotency-Key is being made (or was made and its answer \
                 lost): it is not made twice; reload what it changes",
                id,
            );
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            Err(Box::new(answer))
        }
        Found::Answered(row) => {
            // The first answer again, only to whoever may still see all of it; withheld when
            // its reads cannot be logged.
            let replay =
                idempotency::replay(&state.db, &state.cpr, actor, now, &row, id, client_id)
                    .await
                    .map_err(|e| Box::new(EdgeError::new(e, id).into_response()))?;
            let body = match replay {
                Replay::Answer(body) => body,
                Replay::Withheld => {
                    return Err(Box::new(error_response(
                        StatusCode::FORBIDDEN,
                        "FORBIDDEN",
                        "the change was made by the first request with this Idempotency-Key, but \
                         its answer holds data you may no longer see (a consent withdrawn, a \
                         participation ended): read what it changed again",
                        id,
                    )));
                }
            };
            Err(Box::new(
                (
                    StatusCode::OK,
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (HeaderName::from_static("idempotency-replayed"), "true"),
                    ],
                    body,
                )
                    .into_response(),
            ))
        }
    }
}

/// The answer to a body that is not a GraphQL request, in the shape of every GraphQL error.
fn rejected(error: &async_graphql::ParseRequestError, id: &str) -> Response {
    use async_graphql::ParseRequestError;
    let timed_out = {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        let mut found = false;
        while let Some(e) = cause {
            if e.is::<tower_http::timeout::TimeoutError>() {
                found = true;
            }
            cause = e.source();
        }
        found || matches!(error, ParseRequestError::Io(e) if e.to_string().contains("timeout"))
    };
    // The body limit (`super::body_limit`) cut the body off: too large.
    let too_large = {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        let mut found = false;
        while let Some(e) = cause {
            if e.is::<http_body_util::LengthLimitError>()
                || e.to_string().contains("length limit exceeded")
            {
                found = true;
            }
            cause = e.source();
        }
        found
    };
    if too_large || matches!(error, ParseRequestError::PayloadTooLarge) {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!(
                "the request body is larger than {MAX_BODY} bytes (a multipart request with a                  document's attachment: larger than KIT_DOCUMENT_MAX_BYTES and {MAX_BODY} bytes)"
            ),
            id,
        );
    }
    if timed_out {
        return error_response(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "the request body did not arrive in time",
            id,
        );
    }
    match error {
        ParseRequestError::PayloadTooLarge => error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the request body is larger than {MAX_BODY} bytes"),
            id,
        ),
        ParseRequestError::UnsupportedBatch => error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "batches are not supported: send one operation per request",
            id,
        ),
        other => error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("not a GraphQL request: {other}"),
            id,
        ),
    }
}
