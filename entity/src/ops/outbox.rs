//! The jobs the worker runs, their queues, and how to enqueue them inside the transaction of
//! the change that causes them.
//!
//! Jobs are apalis jobs stored in the product's own database (`Jobs` on SQLite, `apalis.jobs`
//! on PostgreSQL). [`enqueue`] writes the job row with the caller's connection, so a job
//! pushed inside a transaction commits or rolls back with it: nothing is ever sent for a
//! change that did not happen, and nothing is lost for one that did. The row is exactly what
//! apalis's own `push` writes (JSON payload, a ULID id, status `Pending`).

use std::time::Duration;

use crate::domain::enums::{DeliveryStatus, ItipMethod, Language, MailSubject};
use crate::entities::delivery;
use crate::ids::{
    CaseId, CommitteeMeetingId, ConsultationBookingId, DeliveryId, InviteeId, MeetingId,
    NotificationId, PlanLinkId, ReferralDecisionId,
};
use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use serde::{Deserialize, Serialize};

/// Tries apalis makes of a job whose handler fails unexpectedly (a database outage). Expected
/// failures, such as an SMTP outage, are retried by the handlers themselves, with backoff.
pub const MAX_JOB_ATTEMPTS: i32 = 5;

/// A job: its payload and its queue.
pub trait Job:
    Serialize + for<'de> Deserialize<'de> + Clone + Send + Sync + Unpin + 'static
{
    /// The queue, named explicitly so that moving the type never orphans queued jobs.
    const QUEUE: &'static str;
}

/// A job as it is stored: its payload, and the W3C trace context of the change that enqueued
/// it, so that the job's work (an invitation's e-mail) continues that change's trace. Rows
/// written before the context was carried decode with none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Traced<J> {
    /// The job.
    #[serde(flatten)]
    pub job: J,
    /// The enqueuing span's `traceparent`, when it was traced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}

/// Find a time for a meeting and invite everyone.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScheduleMeeting {
    /// The meeting to find a time for and announce.
    pub meeting_id: MeetingId,
}

impl Job for ScheduleMeeting {
    const QUEUE: &'static str = "kit.schedule-meeting";
}

/// Send one outbox message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SendDelivery {
    /// The outbox row.
    pub delivery_id: DeliveryId,
}

impl Job for SendDelivery {
    const QUEUE: &'static str = "kit.send-delivery";
}

/// A step of a child's pathway that plans a meeting by itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PathwayEvent {
    /// The case was accepted: plan its start meeting and its transition meetings.
    CaseActivated {
        /// The case that became active.
        case_id: CaseId,
    },
    /// A meeting was held: plan the next follow-up.
    MeetingHeld {
        /// The meeting that was held.
        meeting_id: MeetingId,
    },
    /// A transition milestone (16 or 17½ years) is near: plan its meeting.
    TransitionDue {
        /// The case whose child has a birthday milestone.
        case_id: CaseId,
        /// Which milestone.
        milestone: crate::domain::transition::Transition,
    },
}

impl Job for PathwayEvent {
    const QUEUE: &'static str = "kit.pathway";
}

/// Enqueues `job` with `db` — pass the open transaction of the change that causes it — to run
/// now, or after `delay`.
///
/// # Errors
/// When the database refuses the row.
pub async fn enqueue<C: ConnectionTrait, J: Job>(
    db: &C,
    job: &J,
    delay: Option<Duration>,
) -> Result<(), DbErr> {
    let traced = Traced {
        job,
        traceparent: crate::infra::telemetry::traceparent(),
    };
    let payload = serde_json::to_vec(&traced)
        .map_err(|e| DbErr::Custom(format!("cannot encode a job: {e}")))?;
    let id = ulid::Ulid::generate().to_string();
    let run_at =
        Utc::now() + chrono::Duration::from_std(delay.unwrap_or_default()).unwrap_or_default();
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Sqlite => Statement::from_sql_and_values(
            backend,
            "INSERT INTO Jobs (job, id, job_type, status, attempts, max_attempts, run_at, priority, metadata) \
             VALUES (?, ?, ?, 'Pending', 0, ?, ?, 0, '{}')",
            [
                Value::Bytes(Some(payload)),
                id.into(),
                J::QUEUE.into(),
                MAX_JOB_ATTEMPTS.into(),
                run_at.timestamp().into(),
            ],
        ),
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "INSERT INTO apalis.jobs (id, job_type, job, status, attempts, max_attempts, run_at, priority) \
             VALUES ($1, $2, $3, 'Pending', 0, $4, to_timestamp($5::float8), 0)",
            [
                id.into(),
                J::QUEUE.into(),
                Value::Bytes(Some(payload)),
                MAX_JOB_ATTEMPTS.into(),
                run_at.timestamp().into(),
            ],
        ),
        other => return Err(DbErr::Custom(format!("unsupported database {other:?}"))),
    };
    db.execute_raw(statement).await.map(|_| ())
}

/// What an outbox e-mail is about: the one closed list of the product's messages. Every
/// delivery row is built from one of these by [`queue_mail`], stored as its subject (a
/// [`MailSubject`] and an id), and read back as one by [`About::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// A meeting's calendar message (REQUEST or CANCEL) to one invitee.
    Invitation(InviteeId),
    /// A deadline's reminder, alert or escalation to one professional.
    Notification(NotificationId),
    /// A family member's plan link.
    PlanLink(PlanLinkId),
    /// A booked or cancelled consultation.
    Consultation(ConsultationBookingId),
    /// A coordination committee meeting.
    Committee(CommitteeMeetingId),
    /// The committee's decision on a referral, to its referrer.
    Decision(ReferralDecisionId),
}

impl About {
    /// What a delivery row is about.
    #[must_use]
    pub fn of(row: &delivery::Model) -> Self {
        let id = row.subject_id;
        match row.subject {
            MailSubject::Invitation => Self::Invitation(InviteeId(id)),
            MailSubject::Notification => Self::Notification(NotificationId(id)),
            MailSubject::PlanLink => Self::PlanLink(PlanLinkId(id)),
            MailSubject::Consultation => Self::Consultation(ConsultationBookingId(id)),
            MailSubject::Committee => Self::Committee(CommitteeMeetingId(id)),
            MailSubject::Decision => Self::Decision(ReferralDecisionId(id)),
        }
    }

    /// The subject as it is stored: its kind and the id of the thing.
    #[must_use]
    pub fn subject(self) -> (MailSubject, i64) {
        match self {
            Self::Invitation(id) => (MailSubject::Invitation, id.0),
            Self::Notification(id) => (MailSubject::Notification, id.0),
            Self::PlanLink(id) => (MailSubject::PlanLink, id.0),
            Self::Consultation(id) => (MailSubject::Consultation, id.0),
            Self::Committee(id) => (MailSubject::Committee, id.0),
            Self::Decision(id) => (MailSubject::Decision, id.0),
        }
    }

    /// The condition selecting the delivery rows about this.
    #[must_use]
    pub fn rows(self) -> sea_orm::Condition {
        use sea_orm::ColumnTrait;
        let (subject, id) = self.subject();
        sea_orm::Condition::all()
            .add(delivery::Column::Subject.eq(subject))
            .add(delivery::Column::SubjectId.eq(id))
    }

    /// The start of the Message-ID of its e-mails.
    fn tag(self) -> String {
        let (subject, id) = self.subject();
        format!(
            "{}-{id}",
            subject.to_value().to_lowercase().replace('_', "-")
        )
    }
}

/// One e-mail to queue.
#[derive(Debug, Clone)]
pub struct Mail {
    /// What it is about.
    pub about: About,
    /// The iCalendar SEQUENCE it carries (0 for a plain e-mail).
    pub sequence: i32,
    /// REQUEST or CANCEL for a calendar message; `None` for a plain e-mail.
    pub method: Option<ItipMethod>,
    /// The address.
    pub recipient: String,
    /// The recipient's language.
    pub language: Language,
}

/// Writes `mail` to the outbox with `db` — the open transaction of the change it announces —
/// and enqueues the job that sends it: the one place a delivery row is built. A message is
/// written once per subject, SEQUENCE and recipient (a unique key); `None` when it exists
/// already.
///
/// # Errors
/// When the database refuses the row.
pub async fn queue_mail<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    mail: Mail,
) -> Result<Option<delivery::Model>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (subject, subject_id) = mail.about.subject();
    let row = delivery::ActiveModel {
        id: NotSet,
        subject: Set(subject),
        subject_id: Set(subject_id),
        sequence: Set(mail.sequence),
        method: Set(mail.method),
        recipient: Set(mail.recipient.clone()),
        language: Set(mail.language),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        sent_at: Set(None),
        message_id: Set(format!(
            "<{}.{}.{}@kit>",
            mail.about.tag(),
            mail.sequence,
            uuid::Uuid::new_v4().simple()
        )),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = delivery::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                delivery::Column::Subject,
                delivery::Column::SubjectId,
                delivery::Column::Sequence,
                delivery::Column::Recipient,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted != 1 {
        return Ok(None);
    }
    let row = delivery::Entity::find()
        .filter(mail.about.rows())
        .filter(delivery::Column::Sequence.eq(mail.sequence))
        .filter(delivery::Column::Recipient.eq(mail.recipient))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the delivery just written".to_owned()))?;
    enqueue(
        db,
        &SendDelivery {
            delivery_id: row.id,
        },
        None,
    )
    .await?;
    Ok(Some(row))
}
