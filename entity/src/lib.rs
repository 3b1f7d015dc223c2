//! The KIT pathway domain.
//!
//! `entities` holds the sea-orm table models (one file per table, nothing but columns and
//! relations). `domain` holds the hand-written rules that guard them: typed ids, statuses and
//! their transitions, CPR numbers, input validation, the clock and the one error type every
//! layer above speaks.

pub mod content;
pub mod domain;
pub mod entities;
pub mod infra;
pub mod ops;

pub use domain::clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use domain::error::{Error, Result};
pub use domain::ids;
