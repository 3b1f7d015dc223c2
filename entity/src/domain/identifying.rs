//! One detector for free text that must not identify a child: a consultation's concern (asked
//! about a child who is not named), the place and video address of a meeting (sent outside the
//! organization by e-mail and calendar).
//!
//! Text is read as a person reads it ([`text::skeleton`]: compatibility forms folded, so
//! full-width digits are digits; soft hyphens and zero-width spaces gone). A CPR number is
//! found in the forms people write it — `1503144127`, `150314-4127`, `150314 - 4127` as
//! copied from school systems, `15.03.14-4127`, `15 03 14 4127`, `15.03.2014-4127` — whenever
//! its first six digits are a real date; a child's name in any part of it ([`text::names`]);
//! and, when the child is known, their date of birth in the forms dates are written.

use chrono::{Datelike, NaiveDate};

use crate::cpr::Cpr;
use crate::domain::text;

/// What a text gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// A CPR number, anyone's.
    Cpr,
    /// The child's name or part of it.
    Name,
    /// The child's date of birth.
    DateOfBirth,
}

/// The child a text must not identify.
#[derive(Debug, Clone, Copy)]
pub struct Child<'a> {
    /// Their full name.
    pub name: &'a str,
    /// Their date of birth.
    pub date_of_birth: NaiveDate,
}

/// The first thing in `text` that identifies a child: a CPR number in any written form, and
/// when `child` is given, their name or date of birth.
#[must_use]
pub fn find(text: &str, child: Option<Child<'_>>) -> Option<Identifier> {
    let runs = number_runs(text);
    if runs.iter().any(|run| holds_cpr(run)) {
        return Some(Identifier::Cpr);
    }
    let child = child?;
    if text::names(text, child.name) {
        return Some(Identifier::Name);
    }
    runs.iter()
        .any(|run| holds_date(run, child.date_of_birth))
        .then_some(Identifier::DateOfBirth)
}

/// True when `text` holds a CPR number in any of its written forms.
#[must_use]
pub fn contains_cpr(text: &str) -> bool {
    find(text, None).is_some()
}

/// Characters that may stand between the digit groups of one written number: spaces, dots,
/// slashes, hyphens and dashes of every kind.
fn separates(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '\u{2007}'
            | '\u{202f}'
            | '.'
            | '/'
            | '-'
            | '_'
            | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2212}'
    )
}

/// The longest separation still read as one number (` - ` is three).
const MAX_SEPARATION: usize = 3;

/// The numbers of `text` as their digit groups: `150314 - 4127` is `["150314", "4127"]`.
fn number_runs(text: &str) -> Vec<Vec<String>> {
    let mut runs = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut group = String::new();
    let mut gap = 0;
    let mut close = |run: &mut Vec<String>| {
        if !run.is_empty() {
            runs.push(std::mem::take(run));
        }
    };
    for c in text::skeleton(text).chars() {
        if c.is_ascii_digit() {
            if gap > MAX_SEPARATION {
                close(&mut run);
            }
            gap = 0;
            group.push(c);
        } else {
            if !group.is_empty() {
                run.push(std::mem::take(&mut group));
            }
            if separates(c) {
                gap += 1;
            } else {
                close(&mut run);
                gap = 0;
            }
        }
    }
    if !group.is_empty() {
        run.push(group);
    }
    close(&mut run);
    runs
}

/// Consecutive groups of `run`.
fn windows(run: &[String]) -> impl Iterator<Item = &[String]> {
    (0..run.len()).flat_map(move |i| (i + 1..=run.len()).map(move |j| &run[i..j]))
}

/// True when consecutive groups of `run` make a CPR number: ten digits split, if at all,
/// only between pairs and with the date (six digits) apart from the sequence number
/// (`1503144127`, `150314 4127`, `15.03.14-4127`, `15 03 14 41 27`), or a date with a
/// four-digit year and the sequence number (`15.03.2014-4127`).
fn holds_cpr(run: &[String]) -> bool {
    windows(run).any(|groups| {
        let lengths: Vec<usize> = groups.iter().map(String::len).collect();
        let digits: String = groups.concat();
        let candidate = match lengths.as_slice() {
            [2, 2, 4, 4] => format!("{}{}{}{}", groups[0], groups[1], &groups[2][2..], groups[3]),
            _ if digits.len() == 10 && cpr_split(&lengths) => digits,
            _ => return false,
        };
        Cpr::parse(&candidate).is_ok()
    })
}

/// True when group lengths split ten digits the way CPR numbers are written: not at all, or
/// only between pairs and always after the date.
fn cpr_split(lengths: &[usize]) -> bool {
    let mut at = 0;
    let mut boundaries = Vec::new();
    for length in &lengths[..lengths.len().saturating_sub(1)] {
        at += length;
        boundaries.push(at);
    }
    boundaries.is_empty()
        || (boundaries.contains(&6) && boundaries.iter().all(|b| matches!(b, 2 | 4 | 6 | 8)))
}

/// True when consecutive groups of `run` write `born`: `150314`, `15.03.14`, `15/3/2014`.
fn holds_date(run: &[String], born: NaiveDate) -> bool {
    let two = |n: u32| format!("{n:02}");
    let yy = born.year().rem_euclid(100).unsigned_abs();
    windows(run).any(|groups| match groups {
        [one] => *one == format!("{}{}{}", two(born.day()), two(born.month()), two(yy)),
        [d, m, y] => {
            let number = |s: &str| s.parse::<u32>().ok();
            let year_matches = match y.len() {
                2 => number(y) == Some(yy),
                4 => number(y).and_then(|y| i32::try_from(y).ok()) == Some(born.year()),
                _ => false,
            };
            d.len() <= 2
                && m.len() <= 2
                && number(d) == Some(born.day())
                && number(m) == Some(born.month())
                && year_matches
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asta() -> Child<'static> {
        Child {
            name: "Asta Marie Holm",
            date_of_birth: NaiveDate::from_ymd_opt(2014, 3, 15).unwrap_or_default(),
        }
    }

    #[test]
    fn a_cpr_number_is_found_in_the_forms_people_write_it() {
        for text in [
            "Pigen (0305144321) har ondt i maven",
            "cpr 030514-4321",
            "cpr 030514 4321.",
            "030514–4321",
            "CPR: 150314 - 4127 (fra skolens system)",
            "født 15.03.14-4127 ifølge journalen",
            "15 03 14 41 27",
            "15.03.2014-4127",
            "15/03/14 4127",
            "１５０３１４－４１２７",
            "150314\u{ad}-4127",
            "tlf 12345678 150314-4127",
        ] {
            assert!(contains_cpr(text), "{text}");
            assert_eq!(find(text, Some(asta())), Some(Identifier::Cpr), "{text}");
        }
        for text in [
            "Ring på 12345678",
            "Ring på 20 12 34 56",
            "Pigen går i 3. klasse og er 9 år",
            "Sagsnr. 2026-000123",
            "KIT-2026-000042",
            "3205144321 er ikke en dato",
            "10305144321 er for langt",
            "mødet 2026-12-01 kl. 10.00",
            "150314    4127 er to tal",
            "",
        ] {
            assert!(!contains_cpr(text), "{text}");
        }
    }

    #[test]
    fn the_childs_name_and_date_of_birth_are_found_only_for_that_child() {
        assert_eq!(
            find("Hos Holm-familien", Some(asta())),
            Some(Identifier::Name)
        );
        for born in ["født 15.03.14", "150314", "15/3/2014", "d. 15-03-2014"] {
            assert_eq!(
                find(born, Some(asta())),
                Some(Identifier::DateOfBirth),
                "{born}"
            );
            assert_eq!(find(born, None), None, "{born}");
        }
        for place in ["Rådhuset, lokale 3.14", "Skolen, 2. sal", "16.03.14"] {
            assert_eq!(find(place, Some(asta())), None, "{place}");
        }
    }
}
