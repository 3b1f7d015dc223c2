//! The jobs the worker runs, their queues, and how to enqueue them inside the transaction of
//! the change that causes them.
//!
//! Jobs are apalis jobs stored in the product's own database (`Jobs` on SQLite, `apalis.jobs`
//! on PostgreSQL). [`enqueue`] writes the job row with the caller's connection, so a job
//! pushed inside a transaction commits or rolls back with it: nothing is ever sent for a
//! change that did not happen, and nothing is lost for one that did. The row is exactly what
//! apalis's own `push` writes (JSON payload, a ULID id, status `Pending`).

use std::time::Duration;

use crate::domain::enums::{DeliveryStatus, ItipMethod, Language};
use crate::entities::delivery;
use crate::ids::{
    CaseId, CommitteeMeetingId, ConsultationBookingId, DeliveryId, MeetingId, PlanLinkId,
};
use chrono::{DateTime, Utc};
use sea_orm::ActiveModelTrait;
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
    let payload =
        serde_json::to_vec(job).map_err(|e| DbErr::Custom(format!("cannot encode a job: {e}")))?;
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

/// What an outbox e-mail is about, for the messages that are neither a meeting's invitation
/// nor a deadline's notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// A family member's plan link.
    PlanLink(PlanLinkId),
    /// A booked or cancelled consultation.
    Consultation(ConsultationBookingId),
    /// A coordination committee meeting.
    Committee(CommitteeMeetingId),
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
/// and enqueues the job that sends it.
///
/// # Errors
/// When the database refuses the row.
pub async fn queue_mail<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    mail: Mail,
) -> Result<delivery::Model, DbErr> {
    let (plan_link, consultation, committee, tag) = match mail.about {
        About::PlanLink(id) => (Some(id), None, None, format!("plan-link-{id}")),
        About::Consultation(id) => (None, Some(id), None, format!("consultation-{id}")),
        About::Committee(id) => (None, None, Some(id), format!("committee-{id}")),
    };
    let row = delivery::ActiveModel {
        id: NotSet,
        meeting_id: Set(None),
        invitee_id: Set(None),
        notification_id: Set(None),
        plan_link_id: Set(plan_link),
        consultation_booking_id: Set(consultation),
        committee_meeting_id: Set(committee),
        sequence: Set(mail.sequence),
        method: Set(mail.method),
        recipient: Set(mail.recipient),
        language: Set(mail.language),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        sent_at: Set(None),
        message_id: Set(format!(
            "<{tag}.{}.{}@kit>",
            mail.sequence,
            uuid::Uuid::new_v4().simple()
        )),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    enqueue(
        db,
        &SendDelivery {
            delivery_id: row.id,
        },
        None,
    )
    .await?;
    Ok(row)
}
