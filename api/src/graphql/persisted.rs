//! Persisted operations: a document sent once and named by its SHA-256 after that (automatic
//! persisted queries, the protocol Apollo Client and urql speak), and — for a deployment that
//! wants no ad-hoc queries against children's data — an allow-list of registered operations
//! (`KIT_TRUSTED_DOCUMENTS`) outside which nothing runs.
//!
//! A request names its document by `extensions.persistedQuery.sha256Hash` (`version` 1) or by
//! `documentId` (the GraphQL over HTTP trusted-documents convention; `sha256:<hex>` or the
//! bare hex). Without its text, the hash must be known: registered in the allow-list, or sent
//! before with its text to this process (automatic persisted queries; each process keeps
//! [`MAX_KEPT`] documents) — otherwise `PERSISTED_QUERY_NOT_FOUND`, and the client sends the
//! text with the hash. With its text, the hash must be the text's (`BAD_REQUEST`). In
//! allow-list mode, a text whose hash is not registered is refused with `TRUSTED_DOCUMENTS_ONLY`,
//! however it came.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, Request, ServerError, Value};
use sha2::{Digest, Sha256};

use crate::memo::Memo;

/// How many documents sent with their hash one process keeps.
pub const MAX_KEPT: usize = 4096;
/// The longest document kept by its hash (longer ones run, and are sent again in full).
const MAX_KEPT_LEN: usize = 64 * 1024;

/// The documents known by their hash.
pub struct Persisted {
    /// Sent with their hash before (automatic persisted queries), by hash.
    sent: Memo<Arc<str>>,
    /// The allow-list, by hash, when `KIT_TRUSTED_DOCUMENTS` names one.
    trusted: Option<HashMap<String, Arc<str>>>,
}

impl std::fmt::Debug for Persisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persisted")
            .field("sent", &self.sent.len())
            .field("trusted", &self.trusted.as_ref().map(HashMap::len))
            .finish()
    }
}

/// The lower-case hex SHA-256 of a document's text.
#[must_use]
pub fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Persisted {
    /// Automatic persisted queries only: any document runs.
    #[must_use]
    pub fn open() -> Self {
        Self {
            sent: Memo::new(MAX_KEPT, MAX_KEPT_LEN),
            trusted: None,
        }
    }

    /// Only the operations of the manifest at `path` run: a JSON object of hash → document
    /// (what the Relay compiler's and GraphQL Code Generator's persisted-document outputs
    /// are), or Apollo's persisted query manifest (`{"format":
    /// "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`). Each hash is
    /// checked against its document.
    ///
    /// # Errors
    /// When the file cannot be read, is neither shape, or a hash is not its document's.
    pub fn trusted(path: &Path) -> anyhow::Result<Self> {
        use anyhow::{Context, bail};
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("KIT_TRUSTED_DOCUMENTS: cannot read {}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("KIT_TRUSTED_DOCUMENTS: {} is not JSON", path.display()))?;
        let pairs: Vec<(String, String)> = match &json {
            serde_json::Value::Object(map) if map.get("format").is_some() => map
                .get("operations")
                .and_then(serde_json::Value::as_array)
                .map(|ops| {
                    ops.iter()
                        .filter_map(|op| {
                            Some((
                                op.get("id")?.as_str()?.to_owned(),
                                op.get("body")?.as_str()?.to_owned(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            serde_json::Value::Object(map) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect(),
            _ => bail!(
                "KIT_TRUSTED_DOCUMENTS: {} is neither a JSON object of hash → document nor an \
                 Apollo persisted query manifest",
                path.display()
            ),
        };
        let mut trusted = HashMap::with_capacity(pairs.len());
        for (id, document) in pairs {
            let id = id
                .strip_prefix("sha256:")
                .unwrap_or(&id)
                .to_ascii_lowercase();
            if id != hash(&document) {
                bail!(
                    "KIT_TRUSTED_DOCUMENTS: {}: the document registered as {id} has another \
                     SHA-256 ({})",
                    path.display(),
                    hash(&document)
                );
            }
            trusted.insert(id, Arc::from(document));
        }
        if trusted.is_empty() {
            bail!(
                "KIT_TRUSTED_DOCUMENTS: {} registers no operation",
                path.display()
            );
        }
        Ok(Self {
            trusted: Some(trusted),
            ..Self::open()
        })
    }

    /// True when only registered operations run.
    #[must_use]
    pub fn allow_list_only(&self) -> bool {
        self.trusted.is_some()
    }

    /// Gives `request` the text of the document it names by hash, and checks that what runs
    /// may run.
    ///
    /// # Errors
    /// `PERSISTED_QUERY_NOT_FOUND`, `BAD_REQUEST` (a hash that is not the text's, an
    /// unsupported version) or `TRUSTED_DOCUMENTS_ONLY`, as request errors.
    pub fn resolve(&self, request: &mut Request) -> Result<(), ServerError> {
        let named = named_hash(request)?;
        if request.query.is_empty() {
            let Some(id) = named else {
                return Err(refusal(
                    "BAD_REQUEST",
                    "`query` is missing: send the GraphQL document",
                ));
            };
            let known = match &self.trusted {
                Some(trusted) => trusted.get(&id).cloned(),
                None => self.sent.get(&id),
            };
            let text = known.ok_or_else(|| {
                // Apollo Client and urql recognise this message and send the text.
                refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            })?;
            request.query = text.to_string();
            return Ok(());
        }
        let actual = hash(&request.query);
        if let Some(id) = &named
            && *id != actual
        {
            return Err(refusal(
                "BAD_REQUEST",
                "provided sha does not match query: the hash must be the SHA-256 of the document",
            ));
        }
        match &self.trusted {
            Some(trusted) if !trusted.contains_key(&actual) => Err(refusal(
                "TRUSTED_DOCUMENTS_ONLY",
                "this server runs registered operations only (KIT_TRUSTED_DOCUMENTS): the \
                 document is not one of them",
            )),
            Some(_) => Ok(()),
            None => {
                if named.is_some() {
                    self.sent.keep(&actual, Arc::from(request.query.as_str()));
                }
                Ok(())
            }
        }
    }
}

/// The hash a request names its document by, lower case, if it names one.
fn named_hash(request: &Request) -> Result<Option<String>, ServerError> {
    if let Some(persisted) = request.extensions.get("persistedQuery") {
        let Value::Object(persisted) = persisted else {
            return Err(refusal(
                "BAD_REQUEST",
                "`extensions.persistedQuery` must be an object",
            ));
        };
        if persisted.get("version") != Some(&Value::from(1)) {
            return Err(refusal(
                "BAD_REQUEST",
                "`extensions.persistedQuery.version` must be 1",
            ));
        }
        return match persisted.get("sha256Hash") {
            Some(Value::String(h)) => Ok(Some(h.to_ascii_lowercase())),
            _ => Err(refusal(
                "BAD_REQUEST",
                "`extensions.persistedQuery.sha256Hash` must be the document's SHA-256 in hex",
            )),
        };
    }
    match request.extensions.get(DOCUMENT_ID) {
        Some(Value::String(id)) => Ok(Some(
            id.strip_prefix("sha256:")
                .unwrap_or(id)
                .to_ascii_lowercase(),
        )),
        Some(_) => Err(refusal("BAD_REQUEST", "`documentId` must be a string")),
        None => Ok(None),
    }
}

/// Where a request's `documentId` parameter is kept beside its extensions.
pub const DOCUMENT_ID: &str = "__documentId";

fn refusal(code: &str, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_hash(query: &str, id: &str) -> Request {
        let mut r = Request::new(query);
        r.extensions.insert(
            "persistedQuery".into(),
            Value::from_json(serde_json::json!({ "version": 1, "sha256Hash": id }))
                .unwrap_or_default(),
        );
        r
    }

    fn code(e: &ServerError) -> String {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    #[test]
    fn a_document_sent_once_is_found_by_its_hash_after() {
        let p = Persisted::open();
        let query = "{ viewer { isAdmin } }";
        let id = hash(query);
        let mut unknown = with_hash("", &id);
        let e = p
            .resolve(&mut unknown)
            .err()
            .unwrap_or_else(|| panic!("found"));
        assert_eq!(code(&e), "\"PERSISTED_QUERY_NOT_FOUND\"");
        assert_eq!(e.message, "PersistedQueryNotFound");
        assert!(p.resolve(&mut with_hash(query, &id)).is_ok());
        let mut again = with_hash("", &id);
        assert!(p.resolve(&mut again).is_ok());
        assert_eq!(again.query, query);
        let e = p
            .resolve(&mut with_hash("{ other }", &id))
            .err()
            .unwrap_or_else(|| panic!("accepted a wrong hash"));
        assert_eq!(code(&e), "\"BAD_REQUEST\"");
        // Any document runs without a hash.
        assert!(p.resolve(&mut Request::new("{ __typename }")).is_ok());
    }

    #[test]
    fn with_an_allow_list_only_registered_documents_run() {
        let query = "query Caseload { cases { totalCount } }";
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("manifest.json");
        let manifest = serde_json::json!({ hash(query): query });
        std::fs::write(&path, manifest.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let p = Persisted::trusted(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.allow_list_only());
        let mut by_id = Request::new("");
        by_id.extensions.insert(
            DOCUMENT_ID.into(),
            Value::from(format!("sha256:{}", hash(query))),
        );
        assert!(p.resolve(&mut by_id).is_ok());
        assert_eq!(by_id.query, query);
        assert!(p.resolve(&mut Request::new(query)).is_ok());
        let e = p
            .resolve(&mut Request::new("{ cases { nodes { child { name } } } }"))
            .err()
            .unwrap_or_else(|| panic!("an ad-hoc query ran"));
        assert_eq!(code(&e), "\"TRUSTED_DOCUMENTS_ONLY\"");
        // Sending a new document with its hash does not register it.
        let other = "{ __typename }";
        assert!(p.resolve(&mut with_hash(other, &hash(other))).is_err());
        // A manifest whose hash is not its document's is refused at start.
        std::fs::write(&path, serde_json::json!({ "ab": query }).to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(Persisted::trusted(&path).is_err());
        // Apollo's manifest shape.
        let apollo = serde_json::json!({ "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": hash(query), "name": "Caseload", "type": "query", "body": query }] });
        std::fs::write(&path, apollo.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert!(Persisted::trusted(&path).is_ok());
    }
}
