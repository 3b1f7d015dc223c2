//! Database connection, migration and write transactions: the same functions `kit-worker`
//! uses, so both binaries open the database in exactly the same way.

pub use kit_entity::infra::db::{SQLITE_BUSY_TIMEOUT, begin_write, connect, is_migrated, optimize};
pub use kit_entity::ops::upgrade;
