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

/// The `p`-th percentile (0–100) of sorted `values`, by linear interpolation between the
/// closest ranks (the method of spreadsheets' PERCENTILE.INC and R's default): the median of
/// an even count is the mean of the two middle values. `None` for no values.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn percentile(sorted: &[f64], p: u8) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = f64::from(p.min(100)) / 100.0 * last as f64;
    let below = rank.floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = below as usize;
    let lower = sorted[i];
    let upper = sorted.get(i + 1).copied().unwrap_or(lower);
    Some(lower + (upper - lower) * (rank - below))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let delays = [0.0, 29.67, 48.0, 148.67];
        let median = percentile(&delays, 50).unwrap_or_default();
        assert!((median - 38.835).abs() < 1e-9, "{median}");
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50), Some(2.0));
        assert_eq!(percentile(&[7.0], 90), Some(7.0));
        assert_eq!(percentile(&[], 50), None);
        let tens: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&tens, 50), Some(5.5));
        let p90 = percentile(&tens, 90).unwrap_or_default();
        assert!((p90 - 9.1).abs() < 1e-9, "{p90}");
        assert_eq!(percentile(&tens, 100), Some(10.0));
        assert_eq!(percentile(&tens, 0), Some(1.0));
    }

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
