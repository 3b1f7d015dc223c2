//! The test harness: starts the real application on port 0 against a fresh database migrated
//! by the real migrator, with an injected clock, and talks to it over HTTP.
//!
//! The database is SQLite (a temporary file) unless `KIT_TEST_DATABASE_URL` names a
//! PostgreSQL server, in which case each test gets its own freshly created database, dropped
//! afterwards.

pub mod conformance;
pub mod fleet;
pub mod harness;
pub mod mail;
pub mod proxy;
pub mod smtp;
pub mod world;
pub mod ws;
