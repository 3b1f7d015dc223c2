//! `deliveries`: the outbox. One row per (meeting, sequence, invitee) for calendar messages,
//! or per notification for deadline e-mails, written in the same transaction as the change
//! it announces; the unique keys make a repeated job a no-op.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{DeliveryStatus, ItipMethod, Language};
use crate::domain::ids::{DeliveryId, InviteeId, MeetingId, NotificationId};

/// One message to one invitee about one version of a meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DeliveryId,
    /// The meeting, for calendar messages.
    pub meeting_id: Option<MeetingId>,
    /// The invitee, for calendar messages.
    pub invitee_id: Option<InviteeId>,
    /// The notification, for deadline e-mails.
    pub notification_id: Option<NotificationId>,
    /// The family's plan link this e-mail carries.
    pub plan_link_id: Option<crate::domain::ids::PlanLinkId>,
    /// The consultation this calendar message is about.
    pub consultation_booking_id: Option<crate::domain::ids::ConsultationBookingId>,
    /// The committee meeting this calendar message is about.
    pub committee_meeting_id: Option<crate::domain::ids::CommitteeMeetingId>,
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
