//! `POST /graphql`: one operation per request — shed or refused before any work when the
//! process is full or the database is away, authenticated, made idempotent with
//! `Idempotency-Key`, executed (queries with a time limit), answered.

use async_graphql_axum::GraphQLRequest;

use axum::extract::State;

use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::graphql::errors::stamp_request_id;
use crate::graphql::loaders;

use super::Http;
use super::MAX_BODY;
use super::authn::authenticate;
use super::error::{EdgeError, error_response};
use super::media::Media;
use super::middleware::{client_request_id, request_id};
use super::params;
use crate::state::AppState;

/// `POST /graphql`: an operation as `application/json` (or a GraphQL multipart request
/// carrying a document's attachment).
pub(super) async fn post(
    State(http): State<Http>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let id = request_id(&headers);
    let media = Media::negotiate(&headers);
    if let Some(refused) = shed(&http, &id) {
        return refused;
    }
    let Some(_permit) = http.state.guards.admit() else {
        return overloaded(&id);
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let request = if content_type.starts_with("multipart/form-data") {
        use axum::extract::FromRequest;
        match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
            request,
            &(),
        )
        .await
        {
            Ok(request) => request.into_inner(),
            Err(rejection) => return rejected(&rejection.0, &id),
        }
    } else if content_type.starts_with("application/json") {
        let bytes = match axum::body::to_bytes(request.into_body(), usize::MAX).await {
            Ok(bytes) => bytes,
            Err(e) => {
                return rejected(
                    &async_graphql::ParseRequestError::Io(std::io::Error::other(e.into_inner())),
                    &id,
                );
            }
        };
        match params::from_json(&bytes) {
            Ok(request) => request,
            Err(e) => return e.answer(&id),
        }
    } else {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            "send the operation as application/json (or as a GraphQL multipart request with a \
             file)",
            &id,
        );
    };
    run(&http, &headers, request, media, Method::Post, &id).await
}

/// `GET /graphql`: a query in the URL (`?query=…&variables=…`), as urql and Apollo send short
/// queries; never a mutation. A browser asking for a page without a query gets GraphiQL.
pub(super) async fn get(
    State(http): State<Http>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let id = request_id(&headers);
    let media = Media::negotiate(&headers);
    let query = uri.query().unwrap_or_default();
    let asks_for_page = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if asks_for_page && !params::has_query(query) {
        return crate::graphiql::page().await;
    }
    if let Some(refused) = shed(&http, &id) {
        return refused;
    }
    let Some(_permit) = http.state.guards.admit() else {
        return overloaded(&id);
    };
    let request = match params::from_url(query) {
        Ok(request) => request,
        Err(e) => return e.answer(&id),
    };
    run(&http, &headers, request, media, Method::Get, &id).await
}

/// How the operation came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Fails fast, before any work, while the database is unreachable.
fn shed(http: &Http, id: &str) -> Option<Response> {
    (!http.state.guards.database_reachable()).then(|| {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "the database is unreachable; try again shortly",
            id,
        )
    })
}

fn overloaded(id: &str) -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "OVERLOADED",
        "the server is busy; try again shortly",
        id,
    )
}

/// Authenticates, prepares (parse, cost), makes idempotent, executes and answers one
/// operation.
async fn run(
    http: &Http,
    headers: &HeaderMap,
    request: async_graphql::Request,
    media: Media,
    method: Method,
    id: &str,
) -> Response {
    let started = std::time::Instant::now();
    let metrics = &kit_entity::infra::metrics::METRICS;
    let operation = metrics.operation(request.operation_name.as_deref());
    let actor = match authenticate(&http.state, headers).await {
        Ok(actor) => actor,
        Err(e) => {
            metrics.request(
                &operation,
                kit_entity::infra::metrics::OperationType::query,
                kit_entity::infra::metrics::Outcome::refused,
                started.elapsed(),
            );
            return EdgeError::new(e, id).into_response();
        }
    };
    // Parsed once and checked before anything touches the database.
    let prepared = match http.schema.prepare(request) {
        Ok(prepared) => prepared,
        Err(mut refused) => {
            stamp_request_id(&mut refused, id);
            return answer(*refused, media);
        }
    };
    let mutation = prepared.is_mutation();
    if method == Method::Get && !prepared.is_query() {
        let mut refused = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries run over GET: send mutations with POST (subscriptions over \
             /graphql/ws)",
            id,
        );
        refused
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return refused;
    }
    let client_id = client_request_id(headers);
    // A retried mutation with the same Idempotency-Key gets the first result.
    let idempotency = match headers.get(crate::idempotency::HEADER) {
        Some(raw) if mutation => {
            match idempotent(
                &http.state,
                prepared.request(),
                &actor,
                raw,
                id,
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
    let execution = http.schema.run(prepared, id, client_id.as_deref());
    let mut response = if mutation {
        execution.await
    } else {
        let limit = http.state.config.query_timeout_secs.duration();
        match tokio::time::timeout(limit, execution).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(limit_secs = limit.as_secs(), "query timed out");
                metrics.request(
                    &operation,
                    kit_entity::infra::metrics::OperationType::query,
                    kit_entity::infra::metrics::Outcome::failed,
                    started.elapsed(),
                );
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "TIMEOUT",
                    &format!(
                        "the query ran longer than {} seconds (KIT_QUERY_TIMEOUT_SECS); ask for \
                         less, or try again",
                        limit.as_secs()
                    ),
                    id,
                );
            }
        }
    };
    stamp_request_id(&mut response, id);
    if let (Some(recorded), Some((professional, key, hash, actor))) = (recorded, stored_as)
        && recorded.load(std::sync::atomic::Ordering::Acquire)
    {
        let stored = crate::idempotency::Idempotency {
            professional,
            key,
            hash,
            recorded,
        };
        let body = serde_json::to_string(&response).unwrap_or_default();
        let state = &http.state;
        let now = state.clock.now();
        if let Err(e) =
            crate::idempotency::store(&state.db, &state.cpr, &actor, now, &stored, &body, id).await
        {
            // The change is made; only a retry's replay is lost (it is told the key is in use).
            tracing::error!(error = %e.report(), "cannot store an idempotent mutation's answer");
        }
    }
    answer(response, media)
}

/// The HTTP answer to a GraphQL response. A response that ran nothing (its document did not
/// parse or validate, its variables did not coerce) is a request error: no `data`, and the
/// status [`Media::request_error_status`]. A response that lost the database on its way is
/// 503 with `Retry-After`; every other executed result is 200.
fn answer(response: async_graphql::Response, media: Media) -> Response {
    let code_is = |code: &str| {
        response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from(code))
        })
    };
    let executed = !matches!(response.data, async_graphql::Value::Null)
        || response.errors.iter().any(|e| !e.path.is_empty());
    let unavailable = code_is("UNAVAILABLE");
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if !executed && code_is("INTERNAL") {
        // Withheld whole (its reads could not be logged): the server's failure, not the
        // request's.
        StatusCode::INTERNAL_SERVER_ERROR
    } else if !executed && !response.errors.is_empty() {
        media.request_error_status()
    } else {
        StatusCode::OK
    };
    let extra_headers = response.http_headers.clone();
    // Serialized as it is, fields in the order the operation selected them.
    let body = if executed {
        serde_json::to_string(&response)
    } else {
        #[derive(serde::Serialize)]
        struct RequestError<'a> {
            errors: &'a [async_graphql::ServerError],
        }
        serde_json::to_string(&RequestError {
            errors: &response.errors,
        })
    }
    .unwrap_or_default();
    let mut answer = (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
    answer.headers_mut().extend(extra_headers);
    if unavailable {
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
    actor: &kit_entity::access::Actor,
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
