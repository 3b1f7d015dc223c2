//! What a deadline's status is at a given instant, and the statistics a timeliness report
//! gives: the facts a municipality reports, independent of how far the worker has come.
//!
//! The sweeper marks a deadline MISSED when it sends the due alert, but a deadline past its
//! due time and not met *is* missed whether or not the worker has run: reads and reports use
//! [`status_at`] and [`missed_condition`], never the stored status alone.

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr};

use crate::domain::enums::DeadlineStatus;
use crate::entities::deadline;

/// The status of `d` at `now`: a PENDING deadline whose due time has come is MISSED.
#[must_use]
pub fn status_at(d: &deadline::Model, now: DateTime<Utc>) -> DeadlineStatus {
    effective(d.status, d.due_at, now)
}

/// [`status_at`] from the stored status and due time.
#[must_use]
pub fn effective(
    stored: DeadlineStatus,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DeadlineStatus {
    if stored == DeadlineStatus::Pending && due_at <= now {
        DeadlineStatus::Missed
    } else {
        stored
    }
}

/// The SQL condition "has status `status` at `now`", the same rule as [`status_at`].
#[must_use]
pub fn status_condition(status: DeadlineStatus, now: DateTime<Utc>) -> Condition {
    match status {
        DeadlineStatus::Pending => Condition::all()
            .add(deadline::Column::Status.eq(DeadlineStatus::Pending))
            .add(deadline::Column::DueAt.gt(now)),
        DeadlineStatus::Missed => missed_condition(now),
        other => Condition::all().add(deadline::Column::Status.eq(other)),
    }
}

/// The SQL condition "missed at `now`": marked MISSED, or PENDING past its due time.
#[must_use]
pub fn missed_condition(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(deadline::Column::Status.eq(DeadlineStatus::Missed))
        .add(
            Condition::all()
                .add(deadline::Column::Status.eq(DeadlineStatus::Pending))
                .add(deadline::Column::DueAt.lte(now)),
        )
}

/// The SQL condition "has one of `statuses` at `now`"; no statuses match nothing.
#[must_use]
pub fn statuses_condition(statuses: &[DeadlineStatus], now: DateTime<Utc>) -> Condition {
    if statuses.is_empty() {
        return Condition::all().add(Expr::value(false));
    }
    statuses.iter().fold(Condition::any(), |any, s| {
        any.add(status_condition(*s, now))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_deadline_past_due_is_missed() {
        let due = DateTime::<Utc>::from_timestamp(1_000, 0).unwrap_or_default();
        let before = DateTime::<Utc>::from_timestamp(999, 0).unwrap_or_default();
        assert_eq!(
            effective(DeadlineStatus::Pending, due, before),
            DeadlineStatus::Pending
        );
        assert_eq!(
            effective(DeadlineStatus::Pending, due, due),
            DeadlineStatus::Missed
        );
        assert_eq!(
            effective(DeadlineStatus::Met, due, due),
            DeadlineStatus::Met
        );
        assert_eq!(
            effective(DeadlineStatus::Waived, due, due),
            DeadlineStatus::Waived
        );
    }
}
