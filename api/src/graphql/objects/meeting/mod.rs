//! Meetings of a case: their time, place, invitees and answers, agenda, minutes, and the
//! messages sent about them.

pub mod lists;
mod types;

pub use lists::{
    MeetingConnection, MeetingFilter, MeetingOrder, MeetingOrderField, case_page, list, of_case,
    upcoming,
};
pub use types::*;
