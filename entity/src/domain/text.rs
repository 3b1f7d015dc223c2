//! Text as people read it, not as bytes: what counts as the same word, and which characters
//! are invisible.
//!
//! A place that must not name the child can be made to by tricks a person does not see — a
//! soft hyphen or a zero-width space inside the name, a right-to-left override, compatibility
//! forms of letters. Texts are compared on a skeleton (Unicode NFKD, combining marks and
//! format characters removed, lower case); format and control characters are refused outright
//! in every one-line text, since those are what e-mails and calendars carry.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The first character of `text` a one-line text must not hold: a control character
/// (general category Cc), an invisible format character (Cf: soft hyphen, zero-width space and
/// joiners, bidirectional overrides and isolates, byte-order mark), or a line or paragraph
/// separator (Zl, Zp).
#[must_use]
pub fn invisible_char(text: &str) -> Option<char> {
    text.chars().find(|c| {
        matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
    })
}

/// The first character a multi-line text must not hold: as [`invisible_char`], but line
/// breaks and tabs are allowed, and so are the zero-width joiners that join emoji and some
/// scripts' letters.
#[must_use]
pub fn invisible_char_multiline(text: &str) -> Option<char> {
    text.chars().find(|c| {
        !matches!(c, '\n' | '\r' | '\t' | '\u{200C}' | '\u{200D}')
            && matches!(
                c.general_category(),
                GeneralCategory::Control
                    | GeneralCategory::Format
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            )
    })
}

/// `text` reduced to what a reader sees: compatibility forms folded (NFKD), combining marks
/// and format characters removed, in lower case. `"Ｉ\u{AD}da"` and `"Ída"` both become `"ida"`.
#[must_use]
pub fn skeleton(text: &str) -> String {
    text.nfkd()
        .filter(|c| {
            !matches!(
                c.general_category(),
                GeneralCategory::NonspacingMark
                    | GeneralCategory::EnclosingMark
                    | GeneralCategory::SpacingMark
                    | GeneralCategory::Format
            )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `text`'s skeleton: runs of letters and digits.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    skeleton(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// True when `text` names the person called `full_name`: it holds any part of the name —
/// first name, middle names or surname — of two letters or more as a word of its own, or the
/// whole name, as a reader would see them.
#[must_use]
pub fn names(text: &str, full_name: &str) -> bool {
    let in_text = words(text);
    let whole = words(full_name).join(" ");
    if !whole.is_empty() && in_text.join(" ").contains(&whole) {
        return true;
    }
    words(full_name)
        .iter()
        .filter(|part| part.chars().count() >= 2)
        .any(|part| in_text.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_however_it_is_disguised() {
        let child = "Ida Marie Larsen";
        for text in [
            "Familien Larsen",
            "Hos Ida",
            "Mødelokale 2, I\u{AD}da",
            "Mødelokale 2, I\u{200B}da",
            "Ｉｄａ (fuldbredde)",
            "LARSEN-huset",
            "Ída på besøg",
            "marie",
        ] {
            assert!(names(text, child), "{text:?}");
        }
        for text in [
            "Rådhuset, mødelokale 2",
            "Larsensvej 4",
            "Idrætshallen",
            "I",
        ] {
            assert!(!names(text, child), "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_are_found() {
        for text in [
            "Rådhuset\u{202E}2 elakolødem",
            "soft\u{AD}hyphen",
            "zero\u{200B}width",
            "byte\u{FEFF}order",
            "line\u{2028}separator",
            "tab\there",
            "isolate\u{2066}x\u{2069}",
        ] {
            assert!(invisible_char(text).is_some(), "{text:?}");
        }
        assert_eq!(invisible_char("Rådhuset, mødelokale 2 – Æbelø"), None);
        assert_eq!(
            invisible_char_multiline("To linjer\nmed 👨\u{200D}👩\u{200D}👧"),
            None
        );
        assert!(invisible_char_multiline("skjult\u{202E}tekst").is_some());
    }
}
