//! Meetings of a case: their time, place, invitees and answers, agenda, minutes, and the
//! messages sent about them.

pub mod mutation;
mod query;
mod types;

pub use mutation::MeetingMutation;

pub use query::{
    MeetingConnection, MeetingFilter, MeetingOrder, MeetingOrderField, MeetingQuery, case_page,
    list, of_case, upcoming,
};
pub use types::*;
