//! The slot finder: the earliest time a meeting fits, as a pure function.
//!
//! A slot lies on a working day (no weekends, no Danish public holidays, no closure days of
//! the organization), inside office hours in Copenhagen time, after the minimum notice,
//! before the latest allowed end, and clear of every busy period of every required invitee.
//! Slots start on the quarter hour.

use crate::domain::calendar::{WorkingCalendar, instant, local_date};
use chrono::{DateTime, Days, NaiveTime, TimeDelta, Timelike, Utc};

/// Granularity of slot starts.
const GRID_MINUTES: i64 = 15;

/// What a slot must satisfy.
#[derive(Debug, Clone)]
pub struct SlotQuery<'a> {
    /// No slot starts before this instant (the later of the requested earliest start and the
    /// minimum notice).
    pub not_before: DateTime<Utc>,
    /// No slot ends after this instant.
    pub latest_end: DateTime<Utc>,
    /// The meeting's length.
    pub duration: TimeDelta,
    /// Office hours start, minutes after midnight.
    pub office_start_minute: u32,
    /// Office hours end, minutes after midnight.
    pub office_end_minute: u32,
    /// Which days are working days.
    pub calendar: &'a WorkingCalendar,
    /// Busy periods of the required invitees, in any order.
    pub busy: &'a [(DateTime<Utc>, DateTime<Utc>)],
}

fn round_up(t: DateTime<Utc>) -> DateTime<Utc> {
    let grid = GRID_MINUTES * 60;
    let secs = t.timestamp();
    let rem = secs.rem_euclid(grid);
    let base = if rem == 0 && t.nanosecond() == 0 {
        secs
    } else {
        secs - rem + grid
    };
    DateTime::from_timestamp(base, 0).unwrap_or(t)
}

fn minute_time(minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// The earliest start satisfying `q`, or `None` when there is none before `latest_end`.
#[must_use]
pub fn find_slot(q: &SlotQuery<'_>) -> Option<DateTime<Utc>> {
    if q.duration <= TimeDelta::zero() || q.office_end_minute <= q.office_start_minute {
        return None;
    }
    let mut busy: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        q.busy.iter().copied().filter(|(s, e)| s < e).collect();
    busy.sort();
    let last_day = local_date(q.latest_end);
    let mut day = local_date(q.not_before);
    while day <= last_day {
        if q.calendar.is_working_day(day) {
            let open = instant(day.and_time(minute_time(q.office_start_minute)));
            let close = instant(day.and_time(minute_time(q.office_end_minute)));
            let mut t = round_up(open.max(q.not_before));
            loop {
                let end = t + q.duration;
                if end > close || end > q.latest_end {
                    break;
                }
                match busy
                    .iter()
                    .filter(|(s, e)| *s < end && *e > t)
                    .map(|(_, e)| *e)
                    .max()
                {
                    Some(blocked_until) => t = round_up(blocked_until),
                    None => return Some(t),
                }
            }
        }
        day = day.checked_add_days(Days::new(1))?;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::domain::calendar::local;
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        instant(
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(h, min, 0))
                .unwrap_or_default(),
        )
    }

    fn query<'a>(
        cal: &'a WorkingCalendar,
        busy: &'a [(DateTime<Utc>, DateTime<Utc>)],
        from: DateTime<Utc>,
    ) -> SlotQuery<'a> {
        SlotQuery {
            not_before: from,
            latest_end: from + TimeDelta::days(60),
            duration: TimeDelta::minutes(90),
            office_start_minute: 8 * 60,
            office_end_minute: 16 * 60,
            calendar: cal,
            busy,
        }
    }

    #[test]
    fn weekends_move_to_monday_morning() {
        let cal = WorkingCalendar::danish();
        let saturday = cph(2026, 11, 28, 10, 0);
        assert_eq!(
            find_slot(&query(&cal, &[], saturday)),
            Some(cph(2026, 11, 30, 8, 0))
        );
    }

    #[test]
    fn easter_2027_christmas_and_ascension_are_skipped() {
        let cal = WorkingCalendar::danish();
        // Wednesday 24 March 2027 after office hours → Maundy Thursday, Good Friday, weekend and
        // Easter Monday are skipped → Tuesday 30 March.
        assert_eq!(
            find_slot(&query(&cal, &[], cph(2027, 3, 24, 15, 0))),
            Some(cph(2027, 3, 30, 8, 0))
        );
        // Thursday 24 December 2026 afternoon → Christmas Day and Boxing Day → Monday 28.
        assert_eq!(
            find_slot(&query(&cal, &[], cph(2026, 12, 24, 15, 0))),
            Some(cph(2026, 12, 28, 8, 0))
        );
        // Ascension Day 2027 is Thursday 6 May.
        assert_eq!(
            find_slot(&query(&cal, &[], cph(2027, 5, 6, 7, 0))),
            Some(cph(2027, 5, 7, 8, 0))
        );
    }

    #[test]
    fn busy_invitees_push_the_slot_later() {
        let cal = WorkingCalendar::danish();
        let monday = cph(2026, 11, 30, 8, 0);
        let busy = [
            (cph(2026, 11, 30, 8, 0), cph(2026, 11, 30, 9, 10)),
            (cph(2026, 11, 30, 10, 0), cph(2026, 11, 30, 12, 0)),
            (cph(2026, 11, 30, 13, 0), cph(2026, 11, 30, 16, 0)),
        ];
        // 09:15–10:45 collides with 10:00; 12:00–13:30 collides with 13:00; the whole afternoon is
        // taken → Tuesday 08:00.
        assert_eq!(
            find_slot(&query(&cal, &busy, monday)),
            Some(cph(2026, 12, 1, 8, 0))
        );
        let short = SlotQuery {
            duration: TimeDelta::minutes(45),
            ..query(&cal, &busy, monday)
        };
        assert_eq!(find_slot(&short), Some(cph(2026, 11, 30, 9, 15)));
    }

    #[test]
    fn no_slot_before_the_latest_end() {
        let cal = WorkingCalendar::danish();
        let from = cph(2026, 11, 30, 8, 0);
        let all_week = [(from, cph(2026, 12, 5, 0, 0))];
        let q = SlotQuery {
            latest_end: cph(2026, 12, 4, 16, 0),
            ..query(&cal, &all_week, from)
        };
        assert_eq!(find_slot(&q), None);
    }

    #[test]
    fn slots_keep_local_office_hours_across_daylight_saving() {
        let cal = WorkingCalendar::danish();
        // Friday 23 October 2026 is full; the next working day, Monday 26, is after the change.
        let busy = [(cph(2026, 10, 23, 8, 0), cph(2026, 10, 23, 16, 0))];
        let slot = find_slot(&query(&cal, &busy, cph(2026, 10, 23, 8, 0)));
        assert_eq!(
            slot.map(|t| local(t).time()),
            NaiveTime::from_hms_opt(8, 0, 0)
        );
        assert_eq!(
            slot,
            Some(
                Utc.with_ymd_and_hms(2026, 10, 26, 7, 0, 0)
                    .single()
                    .unwrap_or_default()
            )
        );
    }
}
