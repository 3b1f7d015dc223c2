//! The e-mail telling a referrer that the coordination committee decided their referral:
//! the case reference and the outcome only — the reason and a redirect's target may identify
//! the child, so they are read in the product.

use crate::domain::enums::Language;
use crate::domain::status::CaseStatus;

/// The e-mail's (subject, body) in `language`, for a decision that took the case to
/// `outcome`, with a link to the product.
#[must_use]
pub fn decision_text(
    outcome: CaseStatus,
    reference: &str,
    language: Language,
    link: &str,
) -> (String, String) {
    match language {
        Language::Da => {
            let word = match outcome {
                CaseStatus::Active => "visiteret til et koordineret forløb",
                CaseStatus::Redirected => "omdirigeret til et andet tilbud",
                _ => "afvist",
            };
            (
                format!("Afgørelse om din henvisning – sag {reference}"),
                format!(
                    "Koordinationsudvalget har truffet afgørelse om din henvisning.\n\
                     Sag {reference}: henvisningen er {word}.\n\n\
                     Begrundelsen{} kan læses i KIT: {link}",
                    if outcome == CaseStatus::Redirected {
                        " og det tilbud, barnet er omdirigeret til,"
                    } else {
                        ""
                    }
                ),
            )
        }
        Language::En => {
            let word = match outcome {
                CaseStatus::Active => "accepted into a coordinated pathway",
                CaseStatus::Redirected => "redirected to another service",
                _ => "rejected",
            };
            (
                format!("Decision on your referral – case {reference}"),
                format!(
                    "The coordination committee has decided on your referral.\n\
                     Case {reference}: the referral was {word}.\n\n\
                     The reason{} can be read in KIT: {link}",
                    if outcome == CaseStatus::Redirected {
                        ", and the service the child was redirected to,"
                    } else {
                        ""
                    }
                ),
            )
        }
    }
}
