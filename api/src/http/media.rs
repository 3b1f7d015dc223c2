//! One content-type policy for every answer of `/graphql`, as the GraphQL over HTTP
//! specification has it.
//!
//! The answer's media type follows the request's `Accept`: `application/graphql-response+json`
//! when the client accepts it (and prefers it, or accepts both equally), `application/json`
//! when it accepts that, `*/*` or nothing at all (legacy clients send no `Accept`). Every
//! answer of the route is stamped with it — GraphQL results, refusals before any GraphQL runs
//! (401, 413, 429, 503…), errors of the middleware — by [`stamp`], so that a client reads
//! `extensions.code` the same way from every answer.
//!
//! The status of a *request error* (the document does not parse, does not validate, its
//! variables do not coerce, its parameters are malformed: nothing was executed, and the answer
//! has no `data`) depends on the media type: 400 with `application/graphql-response+json`,
//! 200 with `application/json` (whose clients read errors from the body only). A result that
//! was executed is 200 with its `data`, errors or not.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// The media type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: statuses carry meaning.
    GraphqlResponse,
    /// `application/json`: the legacy type; request errors are 200.
    Json,
}

/// `application/graphql-response+json`.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

impl Media {
    /// The media type `headers` ask for.
    #[must_use]
    pub fn negotiate(headers: &HeaderMap) -> Self {
        let mut graphql = 0.0_f32;
        let mut json = 0.0_f32;
        let mut any = false;
        for part in headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
        {
            any = true;
            let mut pieces = part.split(';');
            let kind = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match kind.as_str() {
                GRAPHQL_RESPONSE => graphql = graphql.max(q),
                "application/json" | "*/*" | "application/*" => json = json.max(q),
                _ => {}
            }
        }
        if any && graphql > 0.0 && graphql >= json {
            Self::GraphqlResponse
        } else {
            Self::Json
        }
    }

    /// The `Content-Type` of an answer in this media type.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// The status of a request error: nothing was executed.
    #[must_use]
    pub const fn request_error_status(self) -> StatusCode {
        match self {
            Self::GraphqlResponse => StatusCode::BAD_REQUEST,
            Self::Json => StatusCode::OK,
        }
    }
}

/// True when `response` holds a JSON body (of either media type).
fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/json") || v.starts_with(GRAPHQL_RESPONSE)
        })
}

/// Stamps a JSON answer of `/graphql` with the media type the request asked for.
pub async fn stamp(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let graphql = request.uri().path() == "/graphql";
    let media = Media::negotiate(request.headers());
    let mut response = next.run(request).await;
    if graphql && is_json(&response) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: Option<&str>) -> Media {
        let mut headers = HeaderMap::new();
        if let Some(v) = value {
            headers.insert(
                header::ACCEPT,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("*/*")),
            );
        }
        Media::negotiate(&headers)
    }

    #[test]
    fn the_answer_follows_accept() {
        assert_eq!(accept(None), Media::Json);
        assert_eq!(accept(Some("application/json")), Media::Json);
        assert_eq!(accept(Some("*/*")), Media::Json);
        assert_eq!(accept(Some(GRAPHQL_RESPONSE)), Media::GraphqlResponse);
        assert_eq!(
            accept(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Media::GraphqlResponse
        );
        assert_eq!(
            accept(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Media::Json
        );
        assert_eq!(accept(Some("text/html")), Media::Json);
    }
}
