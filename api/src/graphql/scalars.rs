//! The product's own date and time scalars.
//!
//! `Date` is a calendar date (`2015-03-28`); `DateTime` is an instant in RFC 3339 with an
//! offset (`2026-11-22T10:00:00+01:00`), written in Europe/Copenhagen local time. Both check
//! their input during validation, so a malformed value is reported with the path of the input
//! field before anything runs.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// An instant, RFC 3339 with offset. Output in Europe/Copenhagen local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// The first year a date or instant may fall in: no child, referral or meeting of this
/// product lies before it.
pub const FIRST_YEAR: i32 = 1900;
/// The last year a date or instant may fall in.
pub const LAST_YEAR: i32 = 2199;

fn in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    (s.len() == 10)
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| in_range(chrono::Datelike::year(d)))
}

fn parse_datetime(s: &str) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| in_range(chrono::Datelike::year(t)))
}

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (for example `2015-03-28`), from
/// 1900-01-01 to 2199-12-31. Fields may narrow this further (a date of birth is not in the
/// future).
#[Scalar(
    name = "Date",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(
                    "expected a date written YYYY-MM-DD, from 1900-01-01 to 2199-12-31",
                )
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if parse_date(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// An instant in RFC 3339 form with an offset, for example `2026-11-22T10:00:00+01:00`, in the
/// years 1900 to 2199. Output is in Europe/Copenhagen local time; input may use any offset.
/// Fields may narrow this further (a referral is not received in the future).
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_datetime(s).map(DateTime).ok_or_else(|| {
                InputValueError::custom(
                    "expected an RFC 3339 date-time with offset, in the years 1900 to 2199",
                )
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if parse_datetime(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(
            self.0
                .with_timezone(&Copenhagen)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
        )
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        Self(t)
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(Date::is_valid(&Value::String("2015-03-28".into())));
        for bad in [
            "2015-02-30",
            "28-03-2015",
            "2015-3-28",
            "2015-03-28T00:00:00Z",
            "",
            "0000-01-01",
            "9999-12-31",
            "1899-12-31",
            "2200-01-01",
        ] {
            assert!(!Date::is_valid(&Value::String(bad.into())), "{bad}");
        }
    }

    #[test]
    fn instants_are_written_in_copenhagen_time() {
        let winter = DateTime::parse(Value::String("2026-11-22T09:00:00Z".into()));
        let summer = DateTime::parse(Value::String("2026-07-01T09:00:00Z".into()));
        assert_eq!(
            winter.map(|d| d.to_value()).ok(),
            Some(Value::String("2026-11-22T10:00:00+01:00".into()))
        );
        assert_eq!(
            summer.map(|d| d.to_value()).ok(),
            Some(Value::String("2026-07-01T11:00:00+02:00".into()))
        );
        assert!(!DateTime::is_valid(&Value::String(
            "2026-11-22 10:00".into()
        )));
        for bad in ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            assert!(!DateTime::is_valid(&Value::String(bad.into())), "{bad}");
        }
        assert!(Date::is_valid(&Value::String("1900-01-01".into())));
        assert!(Date::is_valid(&Value::String("2199-12-31".into())));
    }
}
