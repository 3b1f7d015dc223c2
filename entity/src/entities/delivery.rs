//! `deliveries`: the outbox. One row per (subject, sequence, recipient) — what the message is
//! about, the version of it, the address — written in the same transaction as the change it
//! announces; the unique key makes a repeated job a no-op.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{DeliveryStatus, ItipMethod, Language, MailSubject};
use crate::domain::ids::DeliveryId;

/// One message to one address about one version of its subject.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DeliveryId,
    /// What it is about: the kind of thing ([`crate::ops::outbox::About`] reads both halves).
    pub subject: MailSubject,
    /// What it is about: the id of that thing (an invitation, a notification, a plan link, a
    /// consultation booking or a committee meeting).
    pub subject_id: i64,
    /// The meeting's SEQUENCE this message carries (0 for deadline e-mails).
    pub sequence: i32,
    /// REQUEST (invitation or update) or CANCEL, for calendar messages.
    pub method: Option<ItipMethod>,
    /// The address it goes to.
    pub recipient: String,
    /// The language it is written in.
    pub language: Language,
    /// PENDING, SENT, FAILED or SUPERSEDED.
    pub status: DeliveryStatus,
    /// How many times sending was tried.
    pub attempts: i32,
    /// The last failure, for the people who follow up.
    pub last_error: Option<String>,
    /// When the next try is due.
    pub next_attempt_at: DateTimeUtc,
    /// While a worker is sending it: until when its claim holds.
    pub claimed_until: Option<DateTimeUtc>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTimeUtc>,
    /// The Message-ID, stable across retries.
    pub message_id: String,
    /// When it was queued.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
