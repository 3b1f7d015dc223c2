//! Relay cursor pagination helpers.
//!
//! Pages are keyset-based: a cursor holds the sort key of the last row seen, and the next page
//! starts strictly after it. Rows inserted while a client pages therefore never cause a
//! duplicate or a gap. `first` defaults to 20 and is capped at 100. Connection types are the
//! product's own (see [`connection!`](crate::connection)), so their shape and documentation
//! are stable whatever the GraphQL library does.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kit_entity::{Error, Result};
use sea_orm::{
    DatabaseConnection, DbErr, EntityTrait, Iterable, PaginatorTrait, PrimaryKeyToColumn,
    QuerySelect, Select,
};

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

/// Unwraps a cursor made by [`encode_cursor`] from `prefix:<id>`, returning the id.
///
/// # Errors
/// [`Error::Validation`] on `after`, as [`decode_cursor`].
pub fn decode_id_cursor(after: &str, prefix: &str) -> Result<i64> {
    decode_cursor(after, prefix)?
        .parse()
        .map_err(|_| Error::invalid("after", "is not a cursor of this list and ordering"))
}

type CountFuture = Pin<Box<dyn Future<Output = Result<u64, DbErr>> + Send>>;

/// A connection's `totalCount`, computed only when asked for.
#[derive(Clone)]
pub struct TotalCount {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

impl TotalCount {
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

    /// Counts the rows `query` selects on `db`, when `totalCount` is selected.
    #[must_use]
    pub fn of<E>(query: Select<E>, db: &DatabaseConnection) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        // The key alone: counting must not read every column of every row it counts.
        let query = match E::PrimaryKey::iter().next() {
            Some(key) => query.select_only().column(key.into_column()),
            None => query,
        };
        let db = db.clone();
        Self::new(move || {
            let (query, db) = (query.clone(), db.clone());
            async move { query.count(&db).await }
        })
    }

    /// Runs the count.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn get(&self) -> async_graphql::Result<u64> {
        (self.count)().await.map_err(Error::from).gql()
    }
}

/// Where a page sits in its list.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// True when more items follow the last item of this page.
    pub has_next_page: bool,
    /// True when items precede the first item of this page (that is, when `after` was given).
    pub has_previous_page: bool,
    /// The cursor of the first item of this page.
    pub start_cursor: Option<String>,
    /// The cursor of the last item of this page: pass it as `after` to get the next page.
    pub end_cursor: Option<String>,
}

/// A fetched page, before it is wrapped in its connection type.
pub struct Page<N> {
    /// The items with their cursors.
    pub edges: Vec<(String, N)>,
    /// Where the page sits.
    pub page_info: PageInfo,
    /// The lazy total.
    pub total_count: TotalCount,
}

/// Builds a page from `limit + 1` fetched rows: the extra row only says that more follow.
pub fn page<M, N>(
    mut rows: Vec<M>,
    limit: u64,
    has_previous_page: bool,
    total_count: TotalCount,
    cursor: impl Fn(&M) -> String,
    node: impl Fn(M) -> N,
) -> Page<N> {
    let has_next_page = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let edges: Vec<(String, N)> = rows.into_iter().map(|m| (cursor(&m), node(m))).collect();
    Page {
        page_info: PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: edges.first().map(|(c, _)| c.clone()),
            end_cursor: edges.last().map(|(c, _)| c.clone()),
        },
        edges,
        total_count,
    }
}

/// Declares a Relay connection type and its edge type for a node type.
#[macro_export]
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $connection_doc:literal, $edge_doc:literal) => {
        #[doc = $connection_doc]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: $crate::graphql::pagination::PageInfo,
            total_count: $crate::graphql::pagination::TotalCount,
        }

        #[doc = $edge_doc]
        pub struct $edge {
            cursor: String,
            node: $node,
        }

        impl From<$crate::graphql::pagination::Page<$node>> for $connection {
            fn from(page: $crate::graphql::pagination::Page<$node>) -> Self {
                Self {
                    edges: page
                        .edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: page.page_info,
                    total_count: page.total_count,
                }
            }
        }

        #[doc = $connection_doc]
        #[async_graphql::Object]
        impl $connection {
            /// Where this page sits in the list.
            async fn page_info(&self) -> &$crate::graphql::pagination::PageInfo {
                &self.page_info
            }

            /// The items of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The items of this page, without cursors.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }

            /// The number of items matching the filter, across all pages.
            async fn total_count(&self) -> async_graphql::Result<u64> {
                self.total_count.get().await
            }
        }

        #[doc = $edge_doc]
        #[async_graphql::Object]
        impl $edge {
            /// The item's cursor: pass it as `after` to continue after this item.
            async fn cursor(&self) -> &str {
                &self.cursor
            }

            /// The item.
            async fn node(&self) -> &$node {
                &self.node
            }
        }
    };
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
