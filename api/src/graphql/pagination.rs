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

use async_graphql::{Enum, SimpleObject};
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

impl<N> Page<N> {
    /// The same page with each node turned into another.
    pub fn map<T>(self, node: impl FnMut(N) -> T) -> Page<T> {
        let mut node = node;
        Page {
            edges: self.edges.into_iter().map(|(c, n)| (c, node(n))).collect(),
            page_info: self.page_info,
            total_count: self.total_count,
        }
    }
}

/// A value of a keyset ordering's column, as a row holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// An id or another whole number.
    Int(i64),
    /// A time (carried in a cursor as microseconds).
    Time(chrono::DateTime<chrono::Utc>),
    /// A text (carried in a cursor encoded, so it may hold any character).
    Text(String),
}

impl Key {
    fn encode(&self) -> String {
        match self {
            Self::Int(n) => n.to_string(),
            Self::Time(t) => t.timestamp_micros().to_string(),
            Self::Text(t) => URL_SAFE_NO_PAD.encode(t),
        }
    }

    /// Reads a part of a cursor back as a value of the kind `like` is.
    fn decode(part: &str, like: &Self) -> Option<Self> {
        match like {
            Self::Int(_) => part.parse().ok().map(Self::Int),
            Self::Time(_) => {
                chrono::DateTime::from_timestamp_micros(part.parse().ok()?).map(Self::Time)
            }
            Self::Text(_) => String::from_utf8(URL_SAFE_NO_PAD.decode(part).ok()?)
                .ok()
                .map(Self::Text),
        }
    }

    fn value(&self) -> sea_orm::Value {
        match self {
            Self::Int(n) => (*n).into(),
            Self::Time(t) => (*t).into(),
            Self::Text(t) => t.clone().into(),
        }
    }
}

/// The keyset order of a list: the columns it is sorted by (the last one unique, usually the
/// id), all in one direction, and a name that its cursors carry, so that a cursor of another
/// list or ordering is refused. Every list of the schema pages through [`Keyset::page`],
/// except the caseload, whose "next deadline" order is an expression with nulls last.
pub struct Keyset<E: EntityTrait> {
    name: &'static str,
    columns: Vec<(E::Column, Key)>,
    descending: bool,
}

impl<E> Keyset<E>
where
    E: EntityTrait,
    E::Model: Sync + Send,
{
    /// An ascending order named `name` over `columns`, each with a sample of its kind of
    /// value (`Key::Int(0)`, `Key::Time(…)`, `Key::Text(String::new())`).
    #[must_use]
    pub fn ascending(name: &'static str, columns: Vec<(E::Column, Key)>) -> Self {
        Self {
            name,
            columns,
            descending: false,
        }
    }

    /// As [`Keyset::ascending`], newest (largest) first.
    #[must_use]
    pub fn descending(name: &'static str, columns: Vec<(E::Column, Key)>) -> Self {
        Self {
            name,
            columns,
            descending: true,
        }
    }

    /// A page of the rows `base` selects, in this order, after the cursor `after`, of
    /// `first` rows (default 20, at most 100), with a `totalCount` counted only when asked
    /// for. `key` gives a row's values of the order's columns, in order.
    ///
    /// # Errors
    /// [`Error::Validation`] on `first` or `after`; database errors.
    pub async fn page(
        &self,
        db: &DatabaseConnection,
        base: Select<E>,
        first: Option<i32>,
        after: Option<&str>,
        key: impl Fn(&E::Model) -> Vec<Key>,
    ) -> Result<Page<E::Model>> {
        use sea_orm::{QueryFilter, QueryOrder};
        let limit = page_size(first)?;
        let total = TotalCount::of(base.clone(), db);
        let mut query = base;
        if let Some(after) = after {
            query = query.filter(self.after(after)?);
        }
        let order = if self.descending {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        };
        for (column, _) in &self.columns {
            query = query.order_by(*column, order.clone());
        }
        let rows = query.limit(limit + 1).all(db).await?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            total,
            |m| self.cursor(&key(m)),
            |m| m,
        ))
    }

    /// The cursor of a row whose order values are `values`.
    fn cursor(&self, values: &[Key]) -> String {
        let parts: Vec<String> = values.iter().map(Key::encode).collect();
        encode_cursor(&format!("{}:{}", self.name, parts.join(":")))
    }

    /// The rows strictly after the cursor `after`: beyond it on the first column, or equal on
    /// it and beyond on the next, and so on.
    fn after(&self, after: &str) -> Result<sea_orm::Condition> {
        use sea_orm::ColumnTrait;
        let bad = || Error::invalid("after", "is not a cursor of this list and ordering");
        let rest = decode_cursor(after, self.name)?;
        let parts: Vec<&str> = rest.split(':').collect();
        if parts.len() != self.columns.len() {
            return Err(bad());
        }
        let values = parts
            .iter()
            .zip(&self.columns)
            .map(|(part, (_, like))| Key::decode(part, like).map(|k| k.value()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        let mut any = sea_orm::Condition::any();
        for (i, (column, _)) in self.columns.iter().enumerate() {
            let mut all = sea_orm::Condition::all();
            for (j, (equal, _)) in self.columns.iter().enumerate().take(i) {
                all = all.add(equal.eq(values[j].clone()));
            }
            let beyond = if self.descending {
                column.lt(values[i].clone())
            } else {
                column.gt(values[i].clone())
            };
            any = any.add(all.add(beyond));
        }
        Ok(any)
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

/// A sort direction.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum OrderDirection {
    /// Oldest first.
    Asc,
    /// Newest first.
    #[default]
    Desc,
}
