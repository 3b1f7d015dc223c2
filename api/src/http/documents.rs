//! `GET /documents/{id}/attachment`: a shared document's attachment, for a professional who
//! may read the document (their organization's, or shared with it under a consent that still
//! holds), with the same bearer token as `/graphql`. The read is logged before a byte leaves.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kit_entity::domain::enums::AccessKind;
use kit_entity::ids::DocumentId;
use kit_entity::ops::access_log as chain;

use super::authn::authenticate;
use super::error::{EdgeError, error_response};
use super::middleware::{client_request_id, request_id};
use crate::graphql::ids::decode;
use crate::state::AppState;
use kit_entity::access::ChildData;
use kit_entity::ops::documents::readable;

pub(super) async fn attachment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = request_id(&headers);
    let actor = match authenticate(&state, &headers).await {
        Ok(actor) => actor,
        Err(e) => return EdgeError::new(e, &rid).into_response(),
    };
    let Ok(key) = decode::<DocumentId>("id", &async_graphql::ID(id.clone())) else {
        return EdgeError::new(kit_entity::Error::not_found("document"), &rid).into_response();
    };
    let now = state.clock.now();
    let (doc, access) = match readable(&state.db, &actor, key, now).await {
        Ok(found) => found,
        Err(e) => return EdgeError::new(e, &rid).into_response(),
    };
    let (Some(bytes), Some(content_type)) = (doc.attachment, doc.attachment_type) else {
        return EdgeError::new(kit_entity::Error::not_found("attachment"), &rid).into_response();
    };
    let logged = state
        .access_log
        .write(vec![chain::Entry {
            at: now,
            kind: AccessKind::Read,
            professional_id: actor.id(),
            case_id: doc.case_id,
            basis: access.basis,
            what: ChildData::Documents.as_str().to_owned(),
            operation: format!("GET /documents/{id}/attachment"),
            request_id: rid.chars().take(64).collect(),
            client_request_id: client_request_id(&headers),
        }])
        .await;
    if let Err(e) = logged {
        tracing::error!(error = %e, "attachment withheld: its read could not be logged");
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
            &rid,
        );
    }
    let name = doc
        .attachment_name
        .unwrap_or_else(|| "attachment".to_owned());
    // An ASCII fallback and the exact name (RFC 6266 / RFC 5987).
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987's attr-char: alphanumerics and "!#$&+-.^_`|~" go as they are.
    const NOT_ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let exact = percent_encoding::utf8_percent_encode(&name, NOT_ATTR_CHAR);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}");
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
