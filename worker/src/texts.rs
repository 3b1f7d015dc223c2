//! The words of e-mails and calendar entries, in Danish (the default) and English.
//!
//! Nothing here ever names the child, gives a CPR number or a diagnosis: a message carries
//! the case reference, the kind of meeting, its time and place, and links.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use kit_entity::domain::calendar::local;
use kit_entity::domain::enums::{ItipMethod, Language, MeetingKind};

/// The links an invitee can answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLinks {
    /// Accept.
    pub accept: String,
    /// Tentatively accept.
    pub tentative: String,
    /// Decline.
    pub decline: String,
}

/// What a message is about.
#[derive(Debug, Clone)]
pub struct Invitation<'a> {
    /// REQUEST or CANCEL.
    pub method: ItipMethod,
    /// True when this REQUEST changes a meeting the recipient was invited to before.
    pub update: bool,
    /// The meeting's kind.
    pub kind: MeetingKind,
    /// The case reference.
    pub reference: &'a str,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// Where.
    pub location: Option<&'a str>,
    /// The video link.
    pub video_url: Option<&'a str>,
    /// The organizer's name.
    pub organizer: &'a str,
    /// Answer links, for REQUESTs.
    pub answers: Option<&'a AnswerLinks>,
    /// A link into the product, for professionals.
    pub product_url: Option<&'a str>,
}

/// The texts of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    /// The e-mail subject.
    pub subject: String,
    /// The calendar SUMMARY.
    pub summary: String,
    /// The calendar DESCRIPTION and the plain-text body.
    pub body: String,
}

const DA_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday(day: Weekday, language: Language) -> &'static str {
    match (language, day) {
        (Language::Da, Weekday::Mon) => "mandag",
        (Language::Da, Weekday::Tue) => "tirsdag",
        (Language::Da, Weekday::Wed) => "onsdag",
        (Language::Da, Weekday::Thu) => "torsdag",
        (Language::Da, Weekday::Fri) => "fredag",
        (Language::Da, Weekday::Sat) => "lørdag",
        (Language::Da, Weekday::Sun) => "søndag",
        (Language::En, Weekday::Mon) => "Monday",
        (Language::En, Weekday::Tue) => "Tuesday",
        (Language::En, Weekday::Wed) => "Wednesday",
        (Language::En, Weekday::Thu) => "Thursday",
        (Language::En, Weekday::Fri) => "Friday",
        (Language::En, Weekday::Sat) => "Saturday",
        (Language::En, Weekday::Sun) => "Sunday",
    }
}

/// "onsdag den 10. marts 2027 kl. 09.30–11.00" / "Wednesday 10 March 2027, 09:30–11:00",
/// in Copenhagen time.
#[must_use]
pub fn when(starts: DateTime<Utc>, ends: DateTime<Utc>, language: Language) -> String {
    let (s, e) = (local(starts), local(ends));
    let month = usize::try_from(s.month0()).unwrap_or(0);
    match language {
        Language::Da => format!(
            "{} den {}. {} {} kl. {:02}.{:02}–{:02}.{:02}",
            weekday(s.weekday(), language),
            s.day(),
            DA_MONTHS[month],
            s.year(),
            s.hour(),
            s.minute(),
            e.hour(),
            e.minute()
        ),
        Language::En => format!(
            "{} {} {} {}, {:02}:{:02}–{:02}:{:02}",
            weekday(s.weekday(), language),
            s.day(),
            EN_MONTHS[month],
            s.year(),
            s.hour(),
            s.minute(),
            e.hour(),
            e.minute()
        ),
    }
}

/// The texts of an invitation, update or cancellation.
#[must_use]
pub fn invitation(i: &Invitation<'_>, language: Language) -> Texts {
    let kind = i.kind.name(language);
    let when = when(i.starts, i.ends, language);
    let (case_word, prefix) = match (language, i.method, i.update) {
        (Language::Da, ItipMethod::Cancel, _) => ("sag", "Aflyst"),
        (Language::Da, ItipMethod::Request, true) => ("sag", "Ændret"),
        (Language::Da, ItipMethod::Request, false) => ("sag", "Invitation"),
        (Language::En, ItipMethod::Cancel, _) => ("case", "Cancelled"),
        (Language::En, ItipMethod::Request, true) => ("case", "Updated"),
        (Language::En, ItipMethod::Request, false) => ("case", "Invitation"),
    };
    let summary = format!("{kind} – {case_word} {}", i.reference);
    let subject = format!("{prefix}: {summary}, {when}");
    let mut body = Vec::new();
    match (language, i.method) {
        (Language::Da, ItipMethod::Request) => {
            body.push(format!(
                "Du er inviteret til {} i det koordinerede forløb for {case_word} {}.",
                kind.to_lowercase(),
                i.reference
            ));
            body.push(format!("Tid: {when}"));
        }
        (Language::En, ItipMethod::Request) => {
            body.push(format!(
                "You are invited to a {} in the coordinated pathway of {case_word} {}.",
                kind.to_lowercase(),
                i.reference
            ));
            body.push(format!("When: {when}"));
        }
        (Language::Da, ItipMethod::Cancel) => {
            body.push(format!(
                "Mødet ({}, {case_word} {}) er aflyst.",
                kind.to_lowercase(),
                i.reference
            ));
            body.push(format!("Det skulle have været {when}."));
        }
        (Language::En, ItipMethod::Cancel) => {
            body.push(format!(
                "The meeting ({}, {case_word} {}) is cancelled.",
                kind.to_lowercase(),
                i.reference
            ));
            body.push(format!("It was to take place {when}."));
        }
    }
    let (place, video, organizer) = match language {
        Language::Da => ("Sted", "Videolink", "Arrangør"),
        Language::En => ("Where", "Video link", "Organizer"),
    };
    if let Some(location) = i.location {
        body.push(format!("{place}: {location}"));
    }
    if let Some(url) = i.video_url {
        body.push(format!("{video}: {url}"));
    }
    body.push(format!("{organizer}: {}", i.organizer));
    if let (ItipMethod::Request, Some(links)) = (i.method, i.answers) {
        body.push(String::new());
        body.push(
            match language {
                Language::Da => "Svar på invitationen (ingen login):",
                Language::En => "Answer the invitation (no login needed):",
            }
            .to_owned(),
        );
        let (yes, maybe, no) = match language {
            Language::Da => ("Jeg deltager", "Jeg deltager måske", "Jeg deltager ikke"),
            Language::En => ("I will attend", "I might attend", "I will not attend"),
        };
        body.push(format!("{yes}: {}", links.accept));
        body.push(format!("{maybe}: {}", links.tentative));
        body.push(format!("{no}: {}", links.decline));
    }
    if let Some(url) = i.product_url {
        body.push(String::new());
        body.push(match language {
            Language::Da => format!("Se forløbet i KIT: {url}"),
            Language::En => format!("See the pathway in KIT: {url}"),
        });
    }
    Texts {
        subject,
        summary,
        body: body.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 30, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let (s, e) = (at(2027, 3, 10, 8), at(2027, 3, 10, 10));
        assert_eq!(
            when(s, e, Language::Da),
            "onsdag den 10. marts 2027 kl. 09.30–11.30"
        );
        assert_eq!(
            when(s, e, Language::En),
            "Wednesday 10 March 2027, 09:30–11:30"
        );
    }

    #[test]
    fn invitations_name_the_case_not_the_child() {
        let links = AnswerLinks {
            accept: "https://kit.example/rsvp/t?answer=accept".into(),
            tentative: "https://kit.example/rsvp/t?answer=tentative".into(),
            decline: "https://kit.example/rsvp/t?answer=decline".into(),
        };
        let i = Invitation {
            method: ItipMethod::Request,
            update: false,
            kind: MeetingKind::Network,
            reference: "KIT-2026-000042",
            starts: at(2027, 3, 10, 8),
            ends: at(2027, 3, 10, 10),
            location: Some("Rådhuset"),
            video_url: None,
            organizer: "Sofie Kjær",
            answers: Some(&links),
            product_url: None,
        };
        let da = invitation(&i, Language::Da);
        assert_eq!(da.summary, "Netværksmøde – sag KIT-2026-000042");
        assert!(
            da.subject
                .starts_with("Invitation: Netværksmøde – sag KIT-2026-000042, onsdag")
        );
        assert!(
            da.body
                .contains("Jeg deltager: https://kit.example/rsvp/t?answer=accept")
        );
        let en = invitation(
            &Invitation {
                method: ItipMethod::Cancel,
                ..i
            },
            Language::En,
        );
        assert!(
            en.subject
                .starts_with("Cancelled: Network meeting – case KIT-2026-000042")
        );
        assert!(!en.body.contains("rsvp"));
    }
}
