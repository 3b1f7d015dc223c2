//! Reading a row's columns by position, for the few reads so hot that sea-orm's decoding by
//! name shows in a profile: on PostgreSQL straight from the driver's row (sea-orm formats an
//! error message for every NULL column it meets by name, then drops it), elsewhere through
//! sea-orm by index.
//!
//! On PostgreSQL a column's value is decoded without first asking whether its declared type
//! suits the Rust type (`try_get_unchecked`): that check compares type descriptions for every
//! column of every row and cost more than the decoding itself. The decoders read the columns
//! of their own `Entity::find()` in its order, and `tests/it/decoding.rs` holds them to
//! sea-orm's own decoding on both databases; a value of the wrong shape still fails to decode
//! (a NULL where none may be, a number of the wrong width, text that is not UTF-8).

use sea_orm::sqlx::postgres::{PgRow, Postgres};
use sea_orm::sqlx::{Decode, Row};
use sea_orm::{DbErr, QueryResult, TryGetable};

/// The columns of one row from `offset` on: `get(0)` is the column at `offset`.
pub struct Columns<'r> {
    res: &'r QueryResult,
    pg: Option<&'r PgRow>,
    offset: usize,
}

impl<'r> Columns<'r> {
    /// The row's columns from the first on.
    #[must_use]
    pub fn of(res: &'r QueryResult) -> Self {
        Self {
            res,
            pg: res.try_as_pg_row(),
            offset: 0,
        }
    }

    /// The columns after the first `n` of these.
    #[must_use]
    pub fn skip(&self, n: usize) -> Self {
        Self {
            res: self.res,
            pg: self.pg,
            offset: self.offset + n,
        }
    }

    /// The value of the `i`-th column.
    ///
    /// # Errors
    /// When the column is missing or of another type.
    pub fn get<T>(&self, i: usize) -> Result<T, DbErr>
    where
        T: TryGetable + for<'q> Decode<'q, Postgres>,
    {
        let at = self.offset + i;
        match self.pg {
            Some(row) => row
                .try_get_unchecked::<T, _>(at)
                .map_err(|e| DbErr::Type(format!("column {at}: {e}"))),
            None => self.res.try_get_by_index::<T>(at),
        }
    }

    /// The value of the `i`-th column, a stored enumeration's name.
    ///
    /// # Errors
    /// When the column is missing or holds no known name.
    pub fn enumeration<E: sea_orm::ActiveEnum<Value = String>>(
        &self,
        i: usize,
    ) -> Result<E, DbErr> {
        E::try_from_value(&self.get::<String>(i)?)
    }
}
