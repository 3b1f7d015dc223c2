//! Deadlines ("rettidigheder"): the time limits owed to each child, the rules they come from,
//! the notifications they send, closure days, and the timeliness report.

pub mod closure_day;
pub mod notification;
pub mod report;
pub mod rule;
pub mod shared;
pub mod types;

pub use closure_day::{ClosureDay, closure_days};
pub use notification::{Notification, NotificationConnection, notifications, unread_count};
pub use report::{RuleTimeliness, TimelinessReport};
pub use rule::{DeadlineOffset, DeadlineOffsetInput, DeadlineRecompute, DeadlineRule};
pub use types::{Deadline, DeadlineConnection, DeadlineFilter, list, of_case, of_viewer};
