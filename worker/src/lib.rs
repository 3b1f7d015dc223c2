//! The KIT worker: everything that happens after a change has committed.
//!
//! Mutations write their consequences — a meeting to schedule, invitations to send, a step of
//! the pathway to plan — as rows and apalis jobs in the same transaction as the change. The
//! worker runs those jobs at least once; every job is idempotent, keyed on a natural unique
//! key in the database. It runs inside `kit-api` by default and as `kit-worker` processes for
//! scale-out, on the same database.

pub mod db;
pub mod ical;
pub mod jobs;
pub mod links;
pub mod pathway;
pub mod secrets;
pub mod settings;
pub mod slots;
pub mod telemetry;
pub mod texts;
