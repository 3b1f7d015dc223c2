//! The Danish working-day calendar and Europe/Copenhagen local time.
//!
//! Public holidays are computed for any year: New Year's Day, Maundy Thursday, Good Friday,
//! Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day and Boxing
//! Day, and Store Bededag (the fourth Friday after Easter) until it was abolished from 2024.
//! A working day is a weekday that is neither a public holiday nor one of an organization's
//! own closure days (for example 24 and 31 December).
//!
//! Instants are stored in UTC; calendars are computed in Europe/Copenhagen. The helpers here
//! convert between the two across daylight-saving changes: a local time that does not exist
//! (the spring-forward hour) moves forward to the first valid instant, and a local time that
//! exists twice (the fall-back hour) means its first occurrence.

use crate::entities::closure_day;
use crate::ids::OrganizationId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Europe::Copenhagen;
use chrono_tz::Tz;

/// The time zone every calendar computation uses.
pub const ZONE: Tz = Copenhagen;

/// A Danish public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holiday {
    /// Nytårsdag, 1 January.
    NewYearsDay,
    /// Skærtorsdag, the Thursday before Easter.
    MaundyThursday,
    /// Langfredag, the Friday before Easter.
    GoodFriday,
    /// Påskedag.
    EasterSunday,
    /// 2. påskedag.
    EasterMonday,
    /// Store bededag, the fourth Friday after Easter; a holiday until 2023.
    GreatPrayerDay,
    /// Kristi himmelfartsdag, 39 days after Easter.
    AscensionDay,
    /// Pinsedag, 49 days after Easter.
    WhitSunday,
    /// 2. pinsedag, 50 days after Easter.
    WhitMonday,
    /// Juledag, 25 December.
    ChristmasDay,
    /// 2. juledag, 26 December.
    BoxingDay,
}

impl Holiday {
    /// The name Danish calendars use, e.g. "Skærtorsdag".
    #[must_use]
    pub fn danish_name(self) -> &'static str {
        match self {
            Self::NewYearsDay => "Nytårsdag",
            Self::MaundyThursday => "Skærtorsdag",
            Self::GoodFriday => "Langfredag",
            Self::EasterSunday => "Påskedag",
            Self::EasterMonday => "2. påskedag",
            Self::GreatPrayerDay => "Store bededag",
            Self::AscensionDay => "Kristi himmelfartsdag",
            Self::WhitSunday => "Pinsedag",
            Self::WhitMonday => "2. pinsedag",
            Self::ChristmasDay => "Juledag",
            Self::BoxingDay => "2. juledag",
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm).
#[must_use]
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(
        year,
        u32::try_from(month).unwrap_or(4),
        u32::try_from(day).unwrap_or(1),
    )
    .unwrap_or_default()
}

/// The public holidays of `year`, in date order.
#[must_use]
pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let easter = easter_sunday(year);
    let offset = |days: i64| easter + TimeDelta::days(days);
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    let mut days = vec![
        (fixed(1, 1), Holiday::NewYearsDay),
        (offset(-3), Holiday::MaundyThursday),
        (offset(-2), Holiday::GoodFriday),
        (easter, Holiday::EasterSunday),
        (offset(1), Holiday::EasterMonday),
        (offset(39), Holiday::AscensionDay),
        (offset(49), Holiday::WhitSunday),
        (offset(50), Holiday::WhitMonday),
        (fixed(12, 25), Holiday::ChristmasDay),
        (fixed(12, 26), Holiday::BoxingDay),
    ];
    if year < 2024 {
        days.push((offset(26), Holiday::GreatPrayerDay));
    }
    days.sort_by_key(|(d, _)| *d);
    days
}

/// The public holiday on `date`, if it is one.
#[must_use]
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h)
}

/// Which days are working days: weekdays that are neither public holidays nor closure days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    closures: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The national calendar: weekends and public holidays are off.
    #[must_use]
    pub fn danish() -> Self {
        Self::default()
    }

    /// The national calendar plus an organization's own closure days.
    #[must_use]
    pub fn with_closures(closures: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            closures: closures.into_iter().collect(),
        }
    }

    /// True on a working day.
    #[must_use]
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && holiday_on(date).is_none()
            && !self.closures.contains(&date)
    }

    /// The first working day on or after `date`.
    #[must_use]
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        d
    }

    /// The date `n` working days after `date` (`date` itself does not count). With `n = 0`,
    /// `date` itself.
    #[must_use]
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The date `n` working days before `date` (`date` itself does not count).
    #[must_use]
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d - Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// How many working days lie after `from` up to and including `to` (0 when `to <= from`).
    #[must_use]
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                count += 1;
            }
        }
        count
    }
}

/// The Copenhagen calendar date of an instant.
#[must_use]
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ZONE).date_naive()
}

/// The Copenhagen wall-clock time of an instant.
#[must_use]
pub fn local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&ZONE).naive_local()
}

/// The instant of a Copenhagen wall-clock time. A time in the spring-forward gap moves
/// forward by the gap; a time in the fall-back overlap means its first occurrence.
#[must_use]
pub fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    match ZONE.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Only the spring-forward hour is missing: 02:xx becomes 03:xx.
            let later = local + TimeDelta::hours(1);
            ZONE.from_local_datetime(&later)
                .earliest()
                .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
        }
    }
}

/// The instant a Copenhagen calendar day starts.
#[must_use]
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    instant(date.and_time(NaiveTime::MIN))
}

/// The working-day calendar of an organization: national holidays plus its closure days.
///
/// # Errors
/// When the database fails.
pub async fn calendar_of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> crate::Result<WorkingCalendar> {
    calendar_of_all(db, &[organization]).await
}

/// The working-day calendar shared by several organizations: national holidays plus the
/// closure days of any of them.
///
/// # Errors
/// When the database fails.
pub async fn calendar_of_all<C: ConnectionTrait>(
    db: &C,
    organizations: &[OrganizationId],
) -> crate::Result<WorkingCalendar> {
    let days = closure_day::Entity::find()
        .filter(closure_day::Column::OrganizationId.is_in(organizations.iter().copied()))
        .all(db)
        .await?;
    Ok(WorkingCalendar::with_closures(
        days.into_iter().map(|d| d.date),
    ))
}

/// Minutes after midnight written `HH:MM`.
#[must_use]
pub fn clock_time(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn easter_matches_the_published_dates() {
        let known = [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, day) in known {
            assert_eq!(easter_sunday(y), d(y, m, day), "{y}");
        }
    }

    #[test]
    fn every_holiday_from_2023_to_2030_matches_the_published_table() {
        use Holiday::*;
        let order = [
            NewYearsDay,
            MaundyThursday,
            GoodFriday,
            EasterSunday,
            EasterMonday,
            AscensionDay,
            WhitSunday,
            WhitMonday,
            ChristmasDay,
            BoxingDay,
        ];
        // (year, [New Year, Maundy Thursday, Good Friday, Easter Sunday, Easter Monday,
        // Ascension, Whit Sunday, Whit Monday, Christmas Day, Boxing Day]) as (month, day).
        let table: [(i32, [(u32, u32); 10]); 7] = [
            (
                2024,
                [
                    (1, 1),
                    (3, 28),
                    (3, 29),
                    (3, 31),
                    (4, 1),
                    (5, 9),
                    (5, 19),
                    (5, 20),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2025,
                [
                    (1, 1),
                    (4, 17),
                    (4, 18),
                    (4, 20),
                    (4, 21),
                    (5, 29),
                    (6, 8),
                    (6, 9),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2026,
                [
                    (1, 1),
                    (4, 2),
                    (4, 3),
                    (4, 5),
                    (4, 6),
                    (5, 14),
                    (5, 24),
                    (5, 25),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2027,
                [
                    (1, 1),
                    (3, 25),
                    (3, 26),
                    (3, 28),
                    (3, 29),
                    (5, 6),
                    (5, 16),
                    (5, 17),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2028,
                [
                    (1, 1),
                    (4, 13),
                    (4, 14),
                    (4, 16),
                    (4, 17),
                    (5, 25),
                    (6, 4),
                    (6, 5),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2029,
                [
                    (1, 1),
                    (3, 29),
                    (3, 30),
                    (4, 1),
                    (4, 2),
                    (5, 10),
                    (5, 20),
                    (5, 21),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2030,
                [
                    (1, 1),
                    (4, 18),
                    (4, 19),
                    (4, 21),
                    (4, 22),
                    (5, 30),
                    (6, 9),
                    (6, 10),
                    (12, 25),
                    (12, 26),
                ],
            ),
        ];
        for (year, dates) in table {
            let expected: Vec<(NaiveDate, Holiday)> = dates
                .iter()
                .zip(order)
                .map(|(&(m, day), h)| (d(year, m, day), h))
                .collect();
            assert_eq!(holidays(year), expected, "{year}");
        }
        // 2023 still had Store Bededag, the fourth Friday after Easter.
        let mut y2023: Vec<(NaiveDate, Holiday)> = [
            ((1, 1), NewYearsDay),
            ((4, 6), MaundyThursday),
            ((4, 7), GoodFriday),
            ((4, 9), EasterSunday),
            ((4, 10), EasterMonday),
            ((5, 5), GreatPrayerDay),
            ((5, 18), AscensionDay),
            ((5, 28), WhitSunday),
            ((5, 29), WhitMonday),
            ((12, 25), ChristmasDay),
            ((12, 26), BoxingDay),
        ]
        .into_iter()
        .map(|((m, day), h)| (d(2023, m, day), h))
        .collect();
        y2023.sort_by_key(|(date, _)| *date);
        assert_eq!(holidays(2023), y2023);
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
    }

    #[test]
    fn store_bededag_ended_in_2024() {
        assert_eq!(holiday_on(d(2023, 5, 5)), Some(Holiday::GreatPrayerDay));
        assert_eq!(holiday_on(d(2024, 4, 26)), None);
        assert!(WorkingCalendar::danish().is_working_day(d(2024, 4, 26)));
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_closures() {
        let cal = WorkingCalendar::danish();
        // Thursday 25 March 2027 is Maundy Thursday; Monday 29 March is Easter Monday.
        assert_eq!(cal.add_working_days(d(2027, 3, 24), 1), d(2027, 3, 30));
        assert_eq!(cal.sub_working_days(d(2027, 3, 30), 1), d(2027, 3, 24));
        assert_eq!(cal.working_days_between(d(2027, 3, 24), d(2027, 3, 30)), 1);
        // Across Christmas 2026: Thu 24 is a working day nationally, 25 (Fri) and 26 (Sat) not.
        assert_eq!(cal.add_working_days(d(2026, 12, 24), 1), d(2026, 12, 28));
        let closed = WorkingCalendar::with_closures([d(2026, 12, 24), d(2026, 12, 31)]);
        assert_eq!(closed.add_working_days(d(2026, 12, 23), 1), d(2026, 12, 28));
        assert_eq!(closed.add_working_days(d(2026, 12, 30), 1), d(2027, 1, 4));
        assert_eq!(
            cal.next_working_day(d(2027, 5, 6)),
            d(2027, 5, 7),
            "Ascension 2027 is 6 May"
        );
    }

    #[test]
    fn local_times_survive_daylight_saving_changes() {
        // 25 October 2026: clocks go back at 03:00 CEST. 09:00 is +01:00 after, +02:00 before.
        let before = instant(d(2026, 10, 23).and_hms_opt(9, 0, 0).unwrap_or_default());
        let after = instant(d(2026, 10, 26).and_hms_opt(9, 0, 0).unwrap_or_default());
        assert_eq!(before.to_rfc3339(), "2026-10-23T07:00:00+00:00");
        assert_eq!(after.to_rfc3339(), "2026-10-26T08:00:00+00:00");
        assert_eq!(
            local(after).time(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()
        );
        // The spring-forward gap: 02:30 on 28 March 2027 does not exist; it becomes 03:30.
        let gap = instant(d(2027, 3, 28).and_hms_opt(2, 30, 0).unwrap_or_default());
        assert_eq!(
            local(gap).time(),
            NaiveTime::from_hms_opt(3, 30, 0).unwrap_or_default()
        );
    }
}
