//! Who may consent to sharing information about a child: a young person of 15 or over
//! consents for themself (sundhedsloven § 17); for a younger child, a guardian with custody
//! (forældremyndighed) consents.

use chrono::{Datelike, NaiveDate};

use crate::domain::error::{Error, Result};

/// The age from which a young person consents for themself.
pub const OWN_CONSENT_AGE: i32 = 15;

/// Age in whole years on `on` of someone born on `born`.
#[must_use]
pub fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let had_birthday = (on.month(), on.day()) >= (born.month(), born.day());
    on.year() - born.year() - i32::from(!had_birthday)
}

/// Who gives a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Giver {
    /// The young person themself.
    YoungPerson,
    /// A family member of the child, with or without custody.
    FamilyMember {
        /// Whether they hold custody of the child.
        has_custody: bool,
    },
}

/// Checks that `giver` may consent for a child born on `born`, on `today`; errors name
/// `field`.
///
/// # Errors
/// [`Error::Validation`] for a child under 15 giving consent, a young person of 15 or over
/// for whom a family member would consent, or a family member without custody.
pub fn may_give(field: &str, giver: Giver, born: NaiveDate, today: NaiveDate) -> Result<()> {
    let age = age_on(born, today);
    match giver {
        Giver::YoungPerson if age < OWN_CONSENT_AGE => Err(Error::invalid(
            field,
            format!(
                "the child is {age}; under {OWN_CONSENT_AGE} a guardian with custody consents for \
                 them"
            ),
        )),
        Giver::FamilyMember { .. } if age >= OWN_CONSENT_AGE => Err(Error::invalid(
            field,
            format!(
                "the young person is {age} and consents for themself from {OWN_CONSENT_AGE} \
                 (sundhedsloven § 17)"
            ),
        )),
        Giver::FamilyMember { has_custody: false } => Err(Error::invalid(
            field,
            "only a guardian with custody can consent for the child",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_young_person_consents_from_the_15th_birthday_and_a_guardian_before() {
        let born = d(2011, 11, 24);
        let eve = d(2026, 11, 23);
        let birthday = d(2026, 11, 24);
        assert_eq!(age_on(born, eve), 14);
        assert_eq!(age_on(born, birthday), 15);
        let guardian = Giver::FamilyMember { has_custody: true };
        assert!(may_give("f", guardian, born, eve).is_ok());
        assert!(may_give("f", Giver::YoungPerson, born, eve).is_err());
        assert!(may_give("f", Giver::YoungPerson, born, birthday).is_ok());
        assert!(may_give("f", guardian, born, birthday).is_err());
        let no_custody = Giver::FamilyMember { has_custody: false };
        assert!(may_give("f", no_custody, born, eve).is_err());
    }

    #[test]
    fn a_leap_day_birthday_counts_from_the_first_of_march() {
        let born = d(2012, 2, 29);
        assert_eq!(age_on(born, d(2027, 2, 28)), 14);
        assert_eq!(age_on(born, d(2027, 3, 1)), 15);
    }
}
