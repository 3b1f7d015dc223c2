//! Relay cursor pagination helpers.
//!
//! Pages are keyset-based: a cursor holds the sort key of the last row seen, and the next page
//! starts strictly after it. Rows inserted while a client pages therefore never cause a
//! duplicate or a gap. `first` defaults to 20 and is capped at 100.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::Object;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kit_entity::{Error, Result};
use sea_orm::DbErr;

use crate::graphql::errors::IntoGraphql;

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page; larger `first` values are reduced to it.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The page size for `first`.
///
/// # Errors
/// [`Error::Validation`] on `first` when it is negative.
pub fn page_size(first: Option<i32>) -> Result<u64> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 => Err(Error::invalid("first", "must not be negative")),
        Some(n) => Ok(u64::try_from(n).unwrap_or(0).min(MAX_PAGE_SIZE)),
    }
}

/// Wraps a sort key in an opaque cursor.
#[must_use]
pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// Unwraps a cursor made by [`encode_cursor`] whose key starts with `prefix:`, returning the
/// rest.
///
/// # Errors
/// [`Error::Validation`] on `after` when the cursor is not one of ours or belongs to another
/// ordering.
pub fn decode_cursor(after: &str, prefix: &str) -> Result<String> {
    let bad = || Error::invalid("after", "is not a cursor of this list and ordering");
    let bytes = URL_SAFE_NO_PAD.decode(after).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(str::to_owned)
        .ok_or_else(bad)
}

type CountFuture = Pin<Box<dyn Future<Output = Result<u64, DbErr>> + Send>>;

/// The connection-level fields: `totalCount`, computed only when asked for.
#[derive(Clone)]
pub struct ConnectionFields {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

impl ConnectionFields {
    /// Counts with `count` when `totalCount` is selected.
    pub fn new<F, Fut>(count: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<u64, DbErr>> + Send + 'static,
    {
        Self {
            count: Arc::new(move || Box::pin(count())),
        }
    }
}

#[Object]
impl ConnectionFields {
    /// The number of items matching the filter, across all pages.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        (self.count)().await.map_err(Error::from).gql()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_capped_and_checked() {
        assert_eq!(page_size(None).ok(), Some(20));
        assert_eq!(page_size(Some(500)).ok(), Some(100));
        assert_eq!(page_size(Some(0)).ok(), Some(0));
        assert!(page_size(Some(-1)).is_err());
    }

    #[test]
    fn cursors_belong_to_one_ordering() {
        let c = encode_cursor("created:42");
        assert_eq!(decode_cursor(&c, "created").ok(), Some("42".into()));
        assert!(decode_cursor(&c, "updated").is_err());
        assert!(decode_cursor("!!", "created").is_err());
    }
}
