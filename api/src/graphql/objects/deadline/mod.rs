//! Deadlines ("rettidigheder"): the time limits owed to each child, the rules they come from,
//! the notifications they send, closure days, and the timeliness report.

pub mod closure_day;
pub mod notification;
pub mod report;
pub mod rule;
pub mod shared;
pub mod types;

pub use closure_day::{ClosureDay, closure_days, node_closure_day};
pub use notification::{
    Notification, NotificationConnection, node_notification, notifications, unread_count,
};
pub use report::{RuleTimeliness, TimelinessReport};
pub use rule::{
    DeadlineOffset, DeadlineOffsetInput, DeadlineRecompute, DeadlineRule, node_recompute, node_rule,
};
pub use types::{
    Deadline, DeadlineConnection, DeadlineFilter, list, node_deadline, of_case, of_viewer,
};
