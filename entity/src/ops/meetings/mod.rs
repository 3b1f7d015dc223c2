//! Meeting operations that write, shared by the API (after its access checks) and the
//! worker. Each runs on the caller's transaction and writes the outbox rows and jobs its
//! change causes in that same transaction.
//!
//! SEQUENCE follows RFC 5546: it starts at 0 with the first invitation and grows with every
//! change an invitee cares about — a new time or place, a cancellation, being removed.
//!
//! Each part uses only those before it: [`messages`] (the outbox rows of the calendar
//! messages), [`rows`] (the guarded save, the invitations), [`calendar`] (whose time a meeting
//! takes: no one it requires in two meetings at once, and the earliest time everyone can
//! meet), [`invitees`] (who is invited and their answers), [`lifecycle`] (create, schedule,
//! move, hold, cancel), [`handover`] (people leaving and joining a case), and the commands
//! people give: [`commands`] and [`agenda`] (the agenda, and the minutes written per item).

pub mod agenda;
pub mod calendar;
pub mod commands;
pub mod handover;
pub mod invitees;
pub mod lifecycle;
pub mod messages;
pub mod reads;
pub mod rows;

pub use handover::{contact_joined, participant_left};
pub use invitees::{
    add_invitee, default_invitees, invite_defaults, invitee, pick_organizer, remove_invitee,
    respond,
};
pub use lifecycle::{
    NewMeeting, TimeIs, cancel, create, lock_case, note_unscheduled, record_held,
    request_scheduling, schedule, set_organizer,
};
pub use messages::{Recipient, recipient};
pub use rows::{active_invitees, shared_sectors};
