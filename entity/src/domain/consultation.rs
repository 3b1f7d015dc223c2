//! Consultation ("sparring") without a case: an organization's recurring weekly slots, in
//! Copenhagen time, on its working days only; and the check that a concern described without
//! identifying the child holds no CPR number (`domain::identifying`).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

use crate::domain::calendar::{WorkingCalendar, instant};

/// Days of the week as a set, Monday the lowest bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekdays(pub i32);

impl Weekdays {
    /// The set of `days`.
    #[must_use]
    pub fn of(days: impl IntoIterator<Item = Weekday>) -> Self {
        Self(
            days.into_iter()
                .fold(0, |m, d| m | (1 << d.num_days_from_monday())),
        )
    }

    /// True when `day` is in the set.
    #[must_use]
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// The days, Monday first.
    #[must_use]
    pub fn days(self) -> Vec<Weekday> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .filter(|d| self.contains(*d))
        .collect()
    }
}

/// A weekly pattern of consultation slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotPattern {
    /// The days it recurs on.
    pub weekdays: Weekdays,
    /// First slot's start, minutes after local midnight.
    pub start_minute: i32,
    /// The last slot ends by then, minutes after local midnight.
    pub end_minute: i32,
    /// Each slot's length in minutes.
    pub slot_minutes: i32,
}

impl SlotPattern {
    /// The slots that start within `[from, to)`, on working days of `calendar` only.
    #[must_use]
    pub fn slots(
        &self,
        calendar: &WorkingCalendar,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        if self.slot_minutes <= 0 || to <= from {
            return out;
        }
        let first = crate::domain::calendar::local_date(from);
        let last = crate::domain::calendar::local_date(to);
        let mut day = first;
        while day <= last {
            if self.weekdays.contains(day.weekday()) && calendar.is_working_day(day) {
                let mut minute = self.start_minute;
                while minute + self.slot_minutes <= self.end_minute {
                    let starts = at(day, minute);
                    let ends = at(day, minute + self.slot_minutes);
                    if starts >= from && starts < to {
                        out.push((starts, ends));
                    }
                    minute += self.slot_minutes;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        out
    }

    /// True when a slot of the pattern starts exactly at `starts` (on a working day).
    #[must_use]
    pub fn has_slot_at(&self, calendar: &WorkingCalendar, starts: DateTime<Utc>) -> bool {
        self.slots(calendar, starts, starts + TimeDelta::minutes(1))
            .first()
            .is_some_and(|(s, _)| *s == starts)
    }
}

fn at(day: NaiveDate, minute: i32) -> DateTime<Utc> {
    let minute = u32::try_from(minute).unwrap_or(0);
    let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN);
    instant(day.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn slots_recur_weekly_in_copenhagen_time_on_working_days_only() {
        let pattern = SlotPattern {
            weekdays: Weekdays::of([Weekday::Tue, Weekday::Thu]),
            start_minute: 9 * 60,
            end_minute: 10 * 60 + 10,
            slot_minutes: 30,
        };
        // Tue 22 and Thu 24 December 2026 (Christmas Eve is a closure day here).
        let calendar = WorkingCalendar::with_closures([
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default()
        ]);
        let slots = pattern.slots(
            &calendar,
            utc("2026-12-21T00:00:00+01:00"),
            utc("2026-12-28T00:00:00+01:00"),
        );
        assert_eq!(
            slots.iter().map(|s| s.0).collect::<Vec<_>>(),
            [
                utc("2026-12-22T09:00:00+01:00"),
                utc("2026-12-22T09:30:00+01:00")
            ],
            "two whole slots fit before 10:10; Thursday is closed"
        );
        assert_eq!(slots[0].1, utc("2026-12-22T09:30:00+01:00"));
        // Summer time: still 09:00 on the wall clock.
        let summer = pattern.slots(
            &WorkingCalendar::danish(),
            utc("2027-06-01T00:00:00+02:00"),
            utc("2027-06-02T00:00:00+02:00"),
        );
        assert_eq!(summer[0].0, utc("2027-06-01T09:00:00+02:00"));
        assert!(pattern.has_slot_at(&calendar, utc("2026-12-22T09:30:00+01:00")));
        assert!(!pattern.has_slot_at(&calendar, utc("2026-12-22T09:15:00+01:00")));
        assert!(!pattern.has_slot_at(&calendar, utc("2026-12-24T09:00:00+01:00")));
        assert_eq!(
            Weekdays::of([Weekday::Thu, Weekday::Tue]).days(),
            [Weekday::Tue, Weekday::Thu]
        );
    }
}
