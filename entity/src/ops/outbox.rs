//! The jobs the worker runs, their queues, and how to enqueue them inside the transaction of
//! the change that causes them.
//!
//! Jobs are apalis jobs stored in the product's own database (`Jobs` on SQLite, `apalis.jobs`
//! on PostgreSQL). [`enqueue`] writes the job row with the caller's connection, so a job
//! pushed inside a transaction commits or rolls back with it: nothing is ever sent for a
//! change that did not happen, and nothing is lost for one that did. The row is exactly what
//! apalis's own `push` writes (JSON payload, a ULID id, status `Pending`).

use std::time::Duration;

use crate::ids::{CaseId, DeliveryId, MeetingId};
use chrono::Utc;
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
