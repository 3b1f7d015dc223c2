//! The early-intervention catalogue's rules: who fits an offer's age range, how a waiting
//! list turns into expected starts, and the waiting-time figures a municipality reports.
//!
//! A waiting list is a queue in the order cases were placed on it (ties by entry id). An
//! entry WAITING has a 1-based position among the WAITING entries; an OFFERED entry holds a
//! seat of its cohort until the family answers, an ENROLLED one takes it for good. The
//! expected start of the waiting entries follows from the cohorts that have not started yet,
//! in start order: the first `free₁` in line fill the free seats of the next cohort, the next
//! `free₂` those of the one after, and so on; an entry beyond every known free seat has no
//! expected start. Declining or withdrawing frees a seat and everyone behind moves up; a
//! cohort whose seats change shifts the queue the same way.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::calendar::local_date;
use crate::domain::consent::age_on;
use crate::domain::figures::nearest_rank;
use crate::ids::CohortId;

/// The oldest age an offer may name: a young adult's aftercare ends at 23.
pub const MAX_TARGET_AGE: i32 = 25;

/// A cohort as the queue sees it: when it starts and how many of its seats are free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortRoom {
    /// The cohort.
    pub id: CohortId,
    /// The day it starts.
    pub starts_on: NaiveDate,
    /// Its seats minus those enrolled in it and those offered and not yet answered; never
    /// below zero (seats may have been lowered below what is taken only by a fault).
    pub free: u32,
}

impl CohortRoom {
    /// The room of a cohort of `seats` of which `taken` are enrolled or offered.
    #[must_use]
    pub fn new(id: CohortId, starts_on: NaiveDate, seats: i32, taken: u64) -> Self {
        let seats = u64::try_from(seats).unwrap_or(0);
        Self {
            id,
            starts_on,
            free: u32::try_from(seats.saturating_sub(taken)).unwrap_or(u32::MAX),
        }
    }
}

/// The cohort and start day each of `waiting` queued entries can expect, in queue order:
/// the cohorts that start on or after `today`, by start day (then id), fill their free seats
/// from the head of the queue. `None` for an entry no known cohort has room for.
#[must_use]
pub fn expected_starts(
    cohorts: &[CohortRoom],
    today: NaiveDate,
    waiting: usize,
) -> Vec<Option<(CohortId, NaiveDate)>> {
    let mut upcoming: Vec<&CohortRoom> = cohorts.iter().filter(|c| c.starts_on >= today).collect();
    upcoming.sort_by_key(|c| (c.starts_on, c.id));
    let mut seats = upcoming.into_iter().flat_map(|c| {
        std::iter::repeat_n((c.id, c.starts_on), usize::try_from(c.free).unwrap_or(0))
    });
    (0..waiting).map(|_| seats.next()).collect()
}

/// Whether a child born on `born` is within the target ages `min..=max` (whole years) on
/// `on`; returns the child's age with the answer.
#[must_use]
pub fn fits_age(born: NaiveDate, on: NaiveDate, min: i32, max: i32) -> (bool, i32) {
    let age = age_on(born, on);
    (age >= min && age <= max, age)
}

/// The days a family waited: from the day the case was placed on the list to the day its
/// cohort started (Europe/Copenhagen calendar days), never negative.
#[must_use]
pub fn wait_days(placed_at: DateTime<Utc>, starts_on: NaiveDate) -> i64 {
    (starts_on - local_date(placed_at)).num_days().max(0)
}

/// The waiting-time figures of one offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WaitingTime {
    /// Entries that got a seat (ENROLLED) and were counted.
    pub served: u64,
    /// The median wait in days (nearest rank, [`crate::domain::figures`]); `None` when none
    /// was served.
    pub median_days: Option<i64>,
    /// The 90th-percentile wait in days (nearest rank).
    pub p90_days: Option<i64>,
}

impl WaitingTime {
    /// The figures of `waits` (days, any order).
    #[must_use]
    pub fn of(mut waits: Vec<i64>) -> Self {
        waits.sort_unstable();
        Self {
            served: waits.len() as u64,
            median_days: nearest_rank(&waits, 50),
            p90_days: nearest_rank(&waits, 90),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap_or_default()
    }

    #[test]
    fn the_head_of_the_queue_fills_the_next_cohorts_free_seats_in_start_order() {
        let today = day(1, 10);
        let cohorts = [
            // Listed out of order: the queue goes by start day.
            CohortRoom::new(CohortId(2), day(3, 1), 2, 0),
            CohortRoom::new(CohortId(1), day(2, 1), 3, 2),
            // Started already: no one waiting joins it.
            CohortRoom::new(CohortId(3), day(1, 5), 8, 0),
            // Full.
            CohortRoom::new(CohortId(4), day(2, 15), 6, 6),
        ];
        let starts = expected_starts(&cohorts, today, 5);
        assert_eq!(
            starts,
            vec![
                Some((CohortId(1), day(2, 1))),
                Some((CohortId(2), day(3, 1))),
                Some((CohortId(2), day(3, 1))),
                None,
                None,
            ]
        );
        // A cohort starting today still takes the queue.
        let starts = expected_starts(&[CohortRoom::new(CohortId(9), today, 1, 0)], today, 2);
        assert_eq!(starts, vec![Some((CohortId(9), today)), None]);
        assert!(expected_starts(&cohorts, today, 0).is_empty());
    }

    #[test]
    fn seats_lowered_below_what_is_taken_leave_no_room() {
        let room = CohortRoom::new(CohortId(1), day(2, 1), 2, 3);
        assert_eq!(room.free, 0);
        assert_eq!(
            expected_starts(&[room], day(1, 1), 1),
            vec![None],
            "an overfull cohort takes no one"
        );
    }

    #[test]
    fn waiting_time_sorts_and_counts() {
        let w = WaitingTime::of(vec![40, 12, 26, 61, 33]);
        assert_eq!(w.served, 5);
        assert_eq!(w.median_days, Some(33));
        assert_eq!(w.p90_days, Some(61));
        assert_eq!(WaitingTime::of(Vec::new()), WaitingTime::default());
    }

    #[test]
    fn waits_count_copenhagen_days_and_ages_whole_years() {
        // 23:30 UTC on 31 January is 1 February in Copenhagen.
        let placed = day(1, 31)
            .and_hms_opt(23, 30, 0)
            .unwrap_or_default()
            .and_utc();
        assert_eq!(wait_days(placed, day(2, 11)), 10);
        assert_eq!(wait_days(placed, day(1, 20)), 0);
        let born = NaiveDate::from_ymd_opt(2019, 3, 2).unwrap_or_default();
        assert_eq!(fits_age(born, day(3, 1), 8, 17), (false, 7));
        assert_eq!(fits_age(born, day(3, 2), 8, 17), (true, 8));
        assert_eq!(fits_age(born, day(3, 2), 0, 7), (false, 8));
    }
}
