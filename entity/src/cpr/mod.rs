//! Danish personal identification numbers (CPR numbers): the number and its rules (here), the
//! numbers at rest ([`vault`]: encrypted, found again by a keyed hash) and re-sealing them
//! under a new key ([`reseal`]).
//!
//! A CPR number is ten digits, `DDMMYY` followed by a four-digit sequence number whose first
//! digit fixes the century. The modulus-11 check is not applied: numbers issued since 2007 may
//! fail it. Outside the case's responsible contacts a CPR number is only ever shown masked, as
//! `DDMMYY-XXXX`.

pub mod reseal;
pub mod vault;

pub use reseal::{Resealed, reseal};

use std::fmt;

use chrono::NaiveDate;

/// A validated CPR number. `Debug` prints it masked so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr(String);

/// Why a string is not a CPR number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    /// Not ten digits (optionally with a hyphen after the sixth).
    #[error("a CPR number is 10 digits, written DDMMYYXXXX or DDMMYY-XXXX")]
    Format,
    /// The first six digits are not a date that exists.
    #[error("the first six digits of a CPR number must be a real date (DDMMYY)")]
    ImpossibleDate,
}

impl Cpr {
    /// Parses `DDMMYYXXXX` or `DDMMYY-XXXX`, surrounding spaces ignored.
    ///
    /// # Errors
    /// [`CprError`] when the shape is wrong or the date does not exist.
    pub fn parse(input: &str) -> Result<Self, CprError> {
        let trimmed = input.trim();
        if !trimmed.is_ascii() {
            return Err(CprError::Format);
        }
        let digits: String = match trimmed.len() {
            10 => trimmed.to_owned(),
            11 if trimmed.as_bytes()[6] == b'-' => {
                format!("{}{}", &trimmed[..6], &trimmed[7..])
            }
            _ => return Err(CprError::Format),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CprError::Format);
        }
        let cpr = Self(digits);
        cpr.compute_birth_date().ok_or(CprError::ImpossibleDate)?;
        Ok(cpr)
    }

    fn digit(&self, i: usize) -> u32 {
        u32::from(self.0.as_bytes()[i] - b'0')
    }

    fn compute_birth_date(&self) -> Option<NaiveDate> {
        let day = self.digit(0) * 10 + self.digit(1);
        let month = self.digit(2) * 10 + self.digit(3);
        let yy = i32::try_from(self.digit(4) * 10 + self.digit(5)).ok()?;
        let century = match self.digit(6) {
            0..=3 => 1900,
            4 | 9 => {
                if yy <= 36 {
                    2000
                } else {
                    1900
                }
            }
            _ => {
                if yy <= 57 {
                    2000
                } else {
                    1800
                }
            }
        };
        NaiveDate::from_ymd_opt(century + yy, month, day)
    }

    /// The date of birth the number encodes.
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        self.compute_birth_date().unwrap_or_default()
    }

    /// The ten digits, for storage. Never show this to someone who is not a responsible
    /// contact of the case.
    #[must_use]
    pub fn as_digits(&self) -> &str {
        &self.0
    }

    /// `DDMMYY-XXXX`: the date part only.
    #[must_use]
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// `DDMMYY-1234`: the whole number in its usual written form.
    #[must_use]
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.0[..6], &self.0[6..])
    }
}

/// Masks a stored CPR number as `DDMMYY-XXXX`. Anything that is not ten digits is masked
/// completely.
#[must_use]
pub fn mask(stored: &str) -> String {
    if stored.len() == 10 && stored.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-XXXX", &stored[..6])
    } else {
        "XXXXXX-XXXX".to_owned()
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn accepts_both_written_forms() {
        assert_eq!(Cpr::parse("0101151234"), Cpr::parse(" 010115-1234 "));
        assert_eq!(
            Cpr::parse("010115-1234").map(|c| c.masked()),
            Ok("010115-XXXX".into())
        );
        assert_eq!(
            Cpr::parse("0101151234").map(|c| c.formatted()),
            Ok("010115-1234".into())
        );
    }

    #[test]
    fn century_follows_the_seventh_digit() {
        let born = |s: &str| Cpr::parse(s).map(|c| c.birth_date());
        assert_eq!(born("0101151234"), Ok(date(1915, 1, 1)));
        assert_eq!(born("0101154234"), Ok(date(2015, 1, 1)));
        assert_eq!(born("0101504234"), Ok(date(1950, 1, 1)));
        assert_eq!(born("0101155234"), Ok(date(2015, 1, 1)));
        assert_eq!(born("0101605234"), Ok(date(1860, 1, 1)));
        assert_eq!(born("0101159234"), Ok(date(2015, 1, 1)));
    }

    #[test]
    fn rejects_impossible_dates_and_bad_shapes() {
        assert_eq!(Cpr::parse("3102151234"), Err(CprError::ImpossibleDate));
        assert_eq!(Cpr::parse("0013151234"), Err(CprError::ImpossibleDate));
        assert_eq!(Cpr::parse("0000001234"), Err(CprError::ImpossibleDate));
        // 29 February exists in 2000 (digit 4 → 2000s) but not in 1900 (digit 0 → 1900s).
        assert!(Cpr::parse("2902004321").is_ok());
        assert_eq!(Cpr::parse("2902000321"), Err(CprError::ImpossibleDate));
        for bad in [
            "",
            "123",
            "01011512345",
            "01011A1234",
            "0101-151234",
            "010115 1234",
        ] {
            assert_eq!(Cpr::parse(bad), Err(CprError::Format), "{bad}");
        }
    }

    #[test]
    fn debug_never_prints_the_sequence_number() {
        let cpr = Cpr::parse("0101154321").unwrap_or_else(|_| Cpr(String::new()));
        assert!(!format!("{cpr:?}").contains("4321"));
    }
}
