//! The parameters of a GraphQL over HTTP request — `query`, `operationName`, `variables`,
//! `extensions` — read from a JSON body (POST) or from the URL (GET), each checked for its
//! type: a malformed request is refused as a whole (400, no `data`) before anything runs.

use async_graphql::{Request, Variables};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::error_response;

/// Why the parameters are refused.
#[derive(Debug)]
pub struct Refused {
    status: StatusCode,
    message: String,
}

impl Refused {
    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// The answer, in the shape of every GraphQL error.
    #[must_use]
    pub fn answer(&self, request_id: &str) -> Response {
        error_response(self.status, "BAD_REQUEST", &self.message, request_id)
    }
}

/// True when the URL's query string names a `query` parameter.
#[must_use]
pub fn has_query(query_string: &str) -> bool {
    url::form_urlencoded::parse(query_string.as_bytes()).any(|(k, _)| k == "query")
}

/// The request in a JSON body.
///
/// # Errors
/// A body that is not JSON, a batch, or parameters of the wrong type.
pub fn from_json(body: &[u8]) -> Result<Request, Refused> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refused::bad(format!("the body is not JSON: {e}")))?;
    match value {
        Value::Object(params) => from_params(params),
        Value::Array(_) => Err(Refused::bad(
            "batches are not supported: send one operation per request",
        )),
        _ => Err(Refused::bad(
            "the body must be a JSON object with `query` and, if any, `operationName`, \
             `variables` and `extensions`",
        )),
    }
}

/// The request in a URL's query string: `variables` and `extensions` JSON-encoded.
///
/// # Errors
/// Parameters of the wrong type, or `variables`/`extensions` that are not JSON objects.
pub fn from_url(query_string: &str) -> Result<Request, Refused> {
    let mut params = Map::new();
    for (key, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        let value = match key.as_ref() {
            "variables" | "extensions" if !value.is_empty() => serde_json::from_str(&value)
                .map_err(|_| Refused::bad(format!("`{key}` must be a JSON-encoded object")))?,
            _ => Value::String(value.into_owned()),
        };
        params.insert(key.into_owned(), value);
    }
    from_params(params)
}

fn from_params(mut params: Map<String, Value>) -> Result<Request, Refused> {
    let extensions = match params.remove("extensions") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(Refused::bad("`extensions` must be an object")),
    };
    // A persisted query may come as its hash alone (`extensions.persistedQuery`, or
    // `documentId`).
    let document_id = match params.remove("documentId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(Refused::bad("`documentId` must be a string")),
    };
    let persisted = extensions.contains_key("persistedQuery") || document_id.is_some();
    let query = match params.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) if persisted => String::new(),
        None | Some(Value::Null) => {
            return Err(Refused::bad(
                "`query` is missing: send the GraphQL document",
            ));
        }
        Some(_) => return Err(Refused::bad("`query` must be a string")),
    };
    let mut request = Request::new(query);
    match params.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err(Refused::bad("`operationName` must be a string")),
    }
    match params.remove("variables") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            request = request.variables(Variables::from_json(Value::Object(map)));
        }
        Some(_) => return Err(Refused::bad("`variables` must be an object")),
    }
    if let Some(id) = document_id {
        request.extensions.insert(
            crate::graphql::persisted::DOCUMENT_ID.to_owned(),
            async_graphql::Value::from(id),
        );
    }
    for (key, value) in extensions {
        let value = async_graphql::Value::from_json(value)
            .map_err(|_| Refused::bad(format!("`extensions.{key}` is not a GraphQL value")))?;
        request.extensions.insert(key, value);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_for_their_types() {
        assert!(from_json(br#"{"query":"{ __typename }"}"#).is_ok());
        assert!(
            from_json(br#"{"query":"{ __typename }","variables":null,"operationName":null}"#)
                .is_ok()
        );
        for bad in [
            &b"{"[..],
            br#"[{"query":"{ __typename }"}]"#,
            br#"{"query":1}"#,
            br#"{"query":{"a":1}}"#,
            br#"{"variables":{}}"#,
            br#"{"query":"{ a }","variables":"x"}"#,
            br#"{"query":"{ a }","operationName":["x"]}"#,
            br#"{"query":"{ a }","extensions":"x"}"#,
        ] {
            assert!(from_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let r = from_url("query=%7B+a+%7D&variables=%7B%22n%22%3A1%7D&operationName=A")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(r.query, "{ a }");
        assert_eq!(r.operation_name.as_deref(), Some("A"));
        assert!(from_url("query=%7B+a+%7D&variables=nope").is_err());
        assert!(has_query("a=1&query=x") && !has_query("a=1"));
        // A persisted query by its hash alone.
        let hashed =
            from_json(br#"{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}"#);
        assert!(hashed.is_ok_and(|r| r.query.is_empty()));
    }
}
