//! The KIT pathway domain: the models, rules and operations that the API and the worker both
//! call.
//!
//! ARCHITECTURE: [`entities`] holds the sea-orm table models (one file per table, nothing but
//! columns and relations). [`domain`] holds the pure rules that guard them: typed ids,
//! statuses and their transitions, validation, the working-day calendar (which reads the
//! organizations' closure days), the clock and the one error type every layer above speaks.
//! [`cpr`] is the CPR number in one place: the number, its encryption at rest and re-sealing.
//! [`access`] is the one access decision. [`ops`] holds every rule and write of the pathway,
//! one module per concept, each command taking the caller's transaction, so that a mutation
//! and everything it sets in motion commit together. [`content`] renders what leaves the
//! organization (iCalendar, message texts, signed links) and [`infra`] sets up what both
//! processes share (database, settings, telemetry, secrets, live announcements). Nothing here
//! knows about GraphQL or the job runner; the layers read bottom-up: `infra`, `domain` and `cpr`;
//! the access log's chain (`ops::access_log`); the access decision; the concepts of `ops`;
//! `content` beside them.

pub mod access;
pub mod content;
pub mod cpr;
pub mod domain;
pub mod entities;
pub mod infra;
pub mod lookup;
pub mod ops;

pub use domain::clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use domain::error::{Error, Result};
pub use domain::ids;
