//! Transition milestones: the ages at which a young person's support must be looked at, from
//! the date of birth — the month of the 16th birthday, 17½ years, and the 18th birthday.
//!
//! Ages are counted in months from the date of birth; a day that does not exist in the target
//! month (29 February, the 31st) becomes the month's last day.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A transition milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The month of the 16th birthday.
    Sixteen,
    /// The month the young person turns 17½.
    SeventeenAndAHalf,
}

impl Transition {
    /// Both milestones, in order.
    pub const ALL: [Self; 2] = [Self::Sixteen, Self::SeventeenAndAHalf];

    /// The meeting milestone key.
    #[must_use]
    pub fn milestone(self) -> &'static str {
        match self {
            Self::Sixteen => "transition-16",
            Self::SeventeenAndAHalf => "transition-17.5",
        }
    }

    fn months(self) -> u32 {
        match self {
            Self::Sixteen => 16 * 12,
            Self::SeventeenAndAHalf => 17 * 12 + 6,
        }
    }

    /// The day the young person reaches the milestone.
    #[must_use]
    pub fn date(self, born: NaiveDate) -> NaiveDate {
        born.checked_add_months(Months::new(self.months()))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first and last day of the milestone's month.
    #[must_use]
    pub fn window(self, born: NaiveDate) -> (NaiveDate, NaiveDate) {
        month_of(self.date(born))
    }
}

/// The 18th birthday: support must be settled before it.
#[must_use]
pub fn adulthood(born: NaiveDate) -> NaiveDate {
    born.checked_add_months(Months::new(18 * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The first and last day of `date`'s month.
#[must_use]
pub fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).unwrap_or(date);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn milestones_follow_the_date_of_birth() {
        let born = d(2011, 8, 31);
        assert_eq!(Transition::Sixteen.date(born), d(2027, 8, 31));
        assert_eq!(
            Transition::Sixteen.window(born),
            (d(2027, 8, 1), d(2027, 8, 31))
        );
        // 31 August + 17½ years: February has no 31st.
        assert_eq!(Transition::SeventeenAndAHalf.date(born), d(2029, 2, 28));
        assert_eq!(adulthood(born), d(2029, 8, 31));
    }

    #[test]
    fn born_on_29_february() {
        let born = d(2012, 2, 29);
        assert_eq!(
            Transition::Sixteen.date(born),
            d(2028, 2, 29),
            "2028 is a leap year"
        );
        assert_eq!(Transition::SeventeenAndAHalf.date(born), d(2029, 8, 29));
        assert_eq!(
            adulthood(born),
            d(2030, 2, 28),
            "in a common year: the last day of February"
        );
        assert_eq!(
            Transition::Sixteen.window(d(2011, 2, 28)),
            (d(2027, 2, 1), d(2027, 2, 28))
        );
    }
}
