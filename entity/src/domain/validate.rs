//! Input validation shared by every mutation. Each check names the input field it guards so
//! the client can point at it, and returns the cleaned value to store.

use std::str::FromStr;

use chrono::NaiveDate;

use super::error::{Error, Result};
use crate::cpr::Cpr;

/// The longest name (of a person, organization or unit) accepted, in characters.
pub const MAX_NAME: usize = 200;
/// The longest short free text (title, relation note, redirect target) accepted.
pub const MAX_SHORT_TEXT: usize = 500;
/// The longest reason or note accepted.
pub const MAX_LONG_TEXT: usize = 4000;
/// The longest document text, in characters.
pub const MAX_DOCUMENT_TEXT: usize = 100_000;

fn check_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters (got {chars})"),
        ));
    }
    let invisible = if multiline {
        super::text::invisible_char_multiline(trimmed)
    } else {
        super::text::invisible_char(trimmed)
    };
    if let Some(c) = invisible {
        return Err(Error::invalid(
            field,
            format!(
                "must not contain control or invisible formatting characters (found U+{:04X}); \
                 texts like this reach e-mails and calendars",
                u32::from(c)
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A person's, organization's or unit's name: one line, 1–200 characters.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn name(field: &str, value: &str) -> Result<String> {
    check_text(field, value, MAX_NAME, false)
}

/// A short one-line text such as a title: 1–500 characters.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn short_text(field: &str, value: &str) -> Result<String> {
    check_text(field, value, MAX_SHORT_TEXT, false)
}

/// A shared document's text (a treatment plan, a status note), several lines allowed:
/// 1–100,000 characters.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn document_text(field: &str, value: &str) -> Result<String> {
    check_text(field, value, MAX_DOCUMENT_TEXT, true)
}

/// A reason or note, several lines allowed: 1–4000 characters.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn long_text(field: &str, value: &str) -> Result<String> {
    check_text(field, value, MAX_LONG_TEXT, true)
}

/// An optional value checked by `check` when present.
///
/// # Errors
/// Whatever `check` returns.
pub fn optional<T>(
    field: &str,
    value: Option<&str>,
    check: impl Fn(&str, &str) -> Result<T>,
) -> Result<Option<T>> {
    value.map(|v| check(field, v)).transpose()
}

/// An e-mail address that mail can actually be sent to.
///
/// # Errors
/// [`Error::Validation`] on `field` when it is not an address.
pub fn email(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.len() > 254 {
        return Err(Error::invalid(field, "must be at most 254 characters"));
    }
    lettre::Address::from_str(trimmed)
        .map(|a| a.to_string())
        .map_err(|_| Error::invalid(field, "is not an e-mail address (expected name@domain)"))
}

/// A phone number: digits with optional `+`, spaces, hyphens and parentheses.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn phone(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')');
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    if trimmed.len() > 32 || !trimmed.chars().all(allowed) || !(3..=20).contains(&digits) {
        return Err(Error::invalid(
            field,
            "is not a phone number (digits, optionally with +, spaces and hyphens)",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A CPR number with a real date, optionally cross-checked against a date of birth.
///
/// # Errors
/// [`Error::Validation`] on `field` when it is malformed, its date is impossible, or it does
/// not match `date_of_birth`.
pub fn cpr(field: &str, value: &str, date_of_birth: Option<NaiveDate>) -> Result<Cpr> {
    let cpr = Cpr::parse(value).map_err(|e| Error::invalid(field, e.to_string()))?;
    if let Some(born) = date_of_birth
        && cpr.birth_date() != born
    {
        return Err(Error::invalid(
            field,
            format!(
                "encodes the birth date {}, not the date of birth given",
                cpr.birth_date()
            ),
        ));
    }
    Ok(cpr)
}

/// A date of birth: not in the future and not before 1900.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn date_of_birth(field: &str, value: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if value > today {
        return Err(Error::invalid(field, "must not be in the future"));
    }
    if value < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(Error::invalid(field, "must be after 1900-01-01"));
    }
    Ok(value)
}

/// A login subject as stored and compared: trimmed and in lower case, so that
/// `EVA.WINTHER@RM.EXAMPLE` and `eva.winther@rm.example` are one login, never two.
#[must_use]
pub fn login_subject(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A time of day written `HH:MM` (Copenhagen wall clock), as minutes after midnight.
///
/// # Errors
/// [`Error::Validation`] on `field` for anything else.
pub fn time_of_day(field: &str, value: &str) -> Result<i32> {
    let bad = || Error::invalid(field, "must be a time of day written HH:MM");
    let (h, m) = value.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<impl std::fmt::Debug>) -> String {
        match r {
            Err(Error::Validation { field, .. }) => field,
            other => format!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("n", "  Ida Jensen ").ok(), Some("Ida Jensen".into()));
        assert_eq!(
            field_of(name("input.name", &"x".repeat(10_240))),
            "input.name"
        );
        assert_eq!(field_of(name("n", "   ")), "n");
        assert_eq!(field_of(name("n", "a\u{0}b")), "n");
        assert!(name("n", &"æ".repeat(200)).is_ok());
        assert!(long_text("r", "line one\nline two").is_ok());
        assert!(name("n", "line one\nline two").is_err());
    }

    #[test]
    fn emails_must_be_addresses() {
        assert_eq!(
            email("e", " ida@kommune.dk ").ok(),
            Some("ida@kommune.dk".into())
        );
        for bad in [
            "ida",
            "ida@",
            "@kommune.dk",
            "ida kommune.dk",
            "ida@@kommune.dk",
        ] {
            assert_eq!(field_of(email("input.email", bad)), "input.email", "{bad}");
        }
    }

    #[test]
    fn phones_are_digits() {
        assert!(phone("p", "+45 12 34 56 78").is_ok());
        assert!(phone("p", "call me").is_err());
        assert!(phone("p", "12").is_err());
    }

    #[test]
    fn cpr_must_match_the_date_of_birth() {
        let born = NaiveDate::from_ymd_opt(2015, 1, 1);
        assert!(cpr("c", "010115-4321", born).is_ok());
        assert_eq!(field_of(cpr("c", "020115-4321", born)), "c");
        assert_eq!(field_of(cpr("c", "310215-4321", None)), "c");
    }

    #[test]
    fn times_of_day_are_hours_and_minutes() {
        assert_eq!(time_of_day("f", "09:30").ok(), Some(570));
        assert_eq!(super::super::calendar::clock_time(570), "09:30");
        for bad in ["24:00", "09:60", "0930", "9.30", "ni"] {
            assert_eq!(
                field_of(time_of_day("input.startTime", bad)),
                "input.startTime",
                "{bad}"
            );
        }
    }
}
