//! Timeliness deadlines ("rettidigheder"): time limits owed to a child, as rows.
//!
//! A deadline is created by the domain event that starts it and met by the one that meets
//! it, inside those events' transactions ([`on_event`]); nothing scans cases to find them. It
//! carries the time the sweeper must next act (`next_action_at`, indexed): each reminder, the
//! due alert (the deadline becomes MISSED) and the escalation to the leader. [`sweep`] claims
//! what is due in batches — `FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite — and writes one notification per deadline, stage and recipient (a unique key), with
//! its e-mail in the outbox, in one transaction. Its cost follows the number due, not the
//! number stored.
//!
//! Rules are data (`deadline_rules`), versioned per organization over the product's
//! defaults; a deadline keeps the version it started with until an administrator
//! recomputes it.
//!
//! The engine's parts, each using only those before it: [`event`] (what happened), [`rules`]
//! (versions in force), [`facts`] (what a case's deadlines are computed from), [`timing`]
//! (due times and stages), [`recipients`] (who is told), [`engine`] (what an event starts,
//! meets and withdraws; recomputes; a person's waiver) and [`sweep`] (the stages as they fall
//! due). The wording of notifications is in `content::texts`; the announcement of new ones in
//! `infra::announce`.

pub mod engine;
pub mod event;
pub mod facts;
pub mod manage;
pub mod reads;
pub mod recipients;
pub mod rules;
pub mod sweep;
pub mod timing;

pub use crate::domain::calendar::{calendar_of, calendar_of_all};
pub use crate::infra::announce::{Announced, NOTIFY_CHANNEL};
pub use engine::{
    consent_subject, discharge_subject, on_event, recompute, refresh_responsible,
    seat_offer_subject, waive, withdraw_for_agreement, withdraw_for_case, withdraw_for_consent,
    withdraw_for_discharge, withdraw_for_meeting, withdraw_for_seat_offer,
};
pub use event::Event;
pub use recipients::{Responsible, recipients};
pub use rules::{describe, rules_in_force};
pub use sweep::{Swept, claim, retry_delay, sweep};
pub use timing::{
    MIN_PREPARATION_WORKING_DAYS, Offset, Progress, due_from_meeting, lead_before_meeting,
    meeting_notice, preparation_floor, reminders, shift, stage_kind, stages,
};
