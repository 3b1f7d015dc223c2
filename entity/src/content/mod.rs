//! What leaves the system for people outside it: iCalendar text (RFC 5545/5546), the wording
//! of e-mails, notifications and answer pages in Danish and English, and the signed links
//! they carry. Pure functions over the domain's data; the worker sends them, the API serves
//! the answer pages and calendar feeds with them.

pub mod decisions;
pub mod ical;
pub mod links;
pub mod plan_page;
pub mod texts;
