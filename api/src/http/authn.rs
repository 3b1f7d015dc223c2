//! Who is calling: the bearer token of a request, or of a subscription's `connection_init`,
//! checked and turned into the actor.

use axum::http::{HeaderMap, header};

use kit_entity::Error;

use crate::state::AppState;
use kit_entity::access::Actor;

pub(super) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, Error> {
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

pub(super) async fn authenticate_token(state: &AppState, token: &str) -> Result<Actor, Error> {
    authenticate_token_claims(state, token)
        .await
        .map(|(actor, _)| actor)
}

pub(super) async fn authenticate_token_claims(
    state: &AppState,
    token: &str,
) -> Result<(Actor, crate::auth::Claims), Error> {
    let claims = state.auth.verify(token).await?;
    let actor = state.principals.actor(&state.db, &claims.sub).await?;
    Ok((actor, claims))
}

/// The bearer token of a `connection_init` payload: `{"Authorization": "Bearer …"}` (any
/// case), or `{"token": "…"}`.
pub(super) fn payload_token(payload: &serde_json::Value) -> Option<String> {
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
