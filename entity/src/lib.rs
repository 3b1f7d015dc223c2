//! The KIT pathway domain: the models, rules and operations that the API and the worker both
//! call.
//!
//! ARCHITECTURE: [`entities`] holds the sea-orm table models (one file per table, nothing but
//! columns and relations). [`domain`] holds the rules that guard them: typed ids, statuses and
//! their transitions, CPR numbers, validation, the working-day calendar (which reads the
//! organizations' closure days), the clock and the one error type every layer above speaks. [`ops`] holds the pathway's
//! operations — meetings, deadlines, pathway planning, the outbox of jobs — each taking the
//! caller's connection or transaction, so that a mutation and everything it sets in motion
//! commit together. [`content`] renders what leaves the organization (iCalendar, message
//! texts, signed links) and [`infra`] sets up what both processes share (database, settings,
//! telemetry, secrets, live announcements). Nothing here knows about GraphQL or the job
//! runner; the layers read top-down: `infra` and `domain` below `ops`, `content` beside it.

pub mod access;
pub mod content;
pub mod domain;
pub mod entities;
pub mod infra;
pub mod ops;

pub use domain::clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use domain::error::{Error, Result};
pub use domain::ids;
