//! The words of e-mails and calendar entries, in Danish (the default) and English.
//!
//! Nothing here ever names the child, gives a CPR number or a diagnosis: a message carries
//! the case reference, the kind of meeting, its time and place, and links.

use crate::domain::calendar::local;
use crate::domain::enums::NotificationKind;
use crate::domain::enums::{ItipMethod, Language, MeetingKind, Sector};
use crate::entities::deadline_rule;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};

/// The links an invitee can answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLinks {
    /// The signed link that accepts the invitation.
    pub accept: String,
    /// The signed link that tentatively accepts the invitation.
    pub tentative: String,
    /// The signed link that declines the invitation.
    pub decline: String,
}

/// The lines of an e-mail that offer `links` to answer with, after a blank line.
fn answer_lines(links: &AnswerLinks, language: Language) -> Vec<String> {
    let (ask, yes, maybe, no) = match language {
        Language::Da => (
            "Svar på invitationen (ingen login):",
            "Jeg deltager",
            "Jeg deltager måske",
            "Jeg deltager ikke",
        ),
        Language::En => (
            "Answer the invitation (no login needed):",
            "I will attend",
            "I might attend",
            "I will not attend",
        ),
    };
    vec![
        String::new(),
        ask.to_owned(),
        format!("{yes}: {}", links.accept),
        format!("{maybe}: {}", links.tentative),
        format!("{no}: {}", links.decline),
    ]
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
    /// The sectors that have shared their information for the meeting (names only, no
    /// content); listed in a network meeting's invitation.
    pub shared: &'a [Sector],
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

/// `text` safe inside HTML, in element content and in quoted attribute values.
#[must_use]
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// "10. marts 2027" / "10 March 2027".
#[must_use]
pub fn date(day: NaiveDate, language: Language) -> String {
    let month = usize::try_from(day.month0()).unwrap_or(0);
    match language {
        Language::Da => format!("{}. {} {}", day.day(), DA_MONTHS[month], day.year()),
        Language::En => format!("{} {} {}", day.day(), EN_MONTHS[month], day.year()),
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
    if i.method == ItipMethod::Request && i.kind == MeetingKind::Network {
        let names: Vec<&str> = i.shared.iter().map(|s| s.name(language)).collect();
        body.push(match (language, names.is_empty()) {
            (Language::Da, true) => {
                "Ingen sektorer har endnu delt oplysninger til mødet.".to_owned()
            }
            (Language::Da, false) => {
                format!("Oplysninger til mødet er delt af: {}.", names.join(", "))
            }
            (Language::En, true) => {
                "No sector has shared its information for the meeting yet.".to_owned()
            }
            (Language::En, false) => format!(
                "Information for the meeting has been shared by: {}.",
                names.join(", ")
            ),
        });
    }
    if let (ItipMethod::Request, Some(links)) = (i.method, i.answers) {
        body.extend(answer_lines(links, language));
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

/// The text of a notification: (subject, body), in `language`.
#[must_use]
pub fn notification_text(
    kind: NotificationKind,
    rule: &deadline_rule::Model,
    reference: &str,
    due: DateTime<Utc>,
    language: crate::domain::enums::Language,
    link: &str,
) -> (String, String) {
    use crate::domain::enums::Language;
    let when = local(due);
    // A deadline at midnight is the end of the day before: say so, not "00:00".
    let end_of_day = when.time() == chrono::NaiveTime::MIN;
    let day = if end_of_day {
        when.date().pred_opt().unwrap_or(when.date())
    } else {
        when.date()
    };
    let date = day.format("%d-%m-%Y").to_string();
    let time = when.time().format("%H:%M").to_string();
    match language {
        Language::Da => {
            let name = &rule.name_da;
            let at = if end_of_day {
                format!("ved udgangen af {date}")
            } else {
                format!("{date} kl. {time}")
            };
            let (prefix, line) = match kind {
                NotificationKind::Reminder => ("Påmindelse", format!("Fristen udløber {at}.")),
                NotificationKind::Due => (
                    "Frist overskredet",
                    format!("Fristen udløb {at} og er ikke overholdt."),
                ),
                NotificationKind::Escalation => (
                    "Eskaleret frist",
                    format!(
                        "Fristen udløb {at} og er stadig ikke overholdt. Du får besked som leder af enheden."
                    ),
                ),
            };
            (
                format!("{prefix}: {name} – sag {reference}"),
                format!("{name}\nSag {reference}\n{line}\n\nSe sagen i KIT: {link}"),
            )
        }
        Language::En => {
            let name = &rule.name_en;
            let at = if end_of_day {
                format!("the end of {date}")
            } else {
                format!("{date} at {time}")
            };
            let (prefix, line) = match kind {
                NotificationKind::Reminder => ("Reminder", format!("The deadline is {at}.")),
                NotificationKind::Due => (
                    "Deadline missed",
                    format!("The deadline was {at} and is not met."),
                ),
                NotificationKind::Escalation => (
                    "Escalated deadline",
                    format!(
                        "The deadline was {at} and is still not met. You are told as the leader of the unit."
                    ),
                ),
            };
            (
                format!("{prefix}: {name} – case {reference}"),
                format!("{name}\nCase {reference}\n{line}\n\nSee the case in KIT: {link}"),
            )
        }
    }
}

/// The e-mail carrying a family member's personal plan link: (subject, body), in `language`.
/// It names neither the child nor the case, the municipality nor the sender: whoever sees the
/// e-mail on its way learns only that a plan exists behind the link.
#[must_use]
pub fn plan_link_text(url: &str, expires: DateTime<Utc>, language: Language) -> (String, String) {
    let until = date(local(expires).date(), language);
    match language {
        Language::Da => (
            "Jeres fælles plan".to_owned(),
            format!(
                "Hej\n\nDer er en fælles plan til dig fra jeres møde med de fagpersoner, der er \
                 med omkring barnet. Du kan læse den, udskrive den og hente den som PDF her:\n\n\
                 {url}\n\nLinket er personligt og virker til {until}. Del det ikke med andre. \
                 Har du spørgsmål til planen, så kontakt jeres kontaktperson.\n\n\
                 Venter du ikke denne e-mail, kan du se bort fra den.\n"
            ),
        ),
        Language::En => (
            "Your shared plan".to_owned(),
            format!(
                "Hello\n\nThere is a shared plan for you from your meeting with the \
                 professionals around the child. You can read it, print it and download it as \
                 a PDF here:\n\n{url}\n\nThe link is personal and works until {until}. Do not \
                 share it. If you have questions about the plan, ask your contact person.\n\n\
                 If you were not expecting this e-mail, you can ignore it.\n"
            ),
        ),
    }
}

/// A booked or cancelled consultation, as its e-mails tell it.
#[derive(Debug, Clone, Copy)]
pub struct ConsultationMail<'a> {
    /// The offer's name.
    pub offer: &'a str,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// How it is held.
    pub channel: crate::domain::enums::ConsultationChannel,
    /// Where, or the number to call.
    pub location: Option<&'a str>,
    /// The topic.
    pub topic: crate::domain::enums::ConsultationTopic,
    /// A cancellation.
    pub cancelled: bool,
    /// The product's address.
    pub product_url: &'a str,
}

/// The e-mail and calendar texts of a booked (or cancelled) consultation. They name the offer,
/// the time, how it is held and the topic — never the concern, which stays in the product.
#[must_use]
pub fn consultation_text(c: &ConsultationMail<'_>, language: Language) -> Texts {
    let ConsultationMail {
        offer,
        starts,
        ends,
        channel,
        location,
        topic,
        cancelled,
        product_url,
    } = *c;
    let at = when(starts, ends, language);
    let (summary, lines) = match language {
        Language::Da => (
            format!("Sparring: {offer}"),
            vec![
                if cancelled {
                    format!("Sparringen er aflyst: {offer}")
                } else {
                    format!("Sparring er booket: {offer}")
                },
                format!("Tid: {at}"),
                format!(
                    "Form: {}{}",
                    channel.name(language),
                    location.map(|l| format!(", {l}")).unwrap_or_default()
                ),
                format!("Emne: {}", topic.name(language)),
                String::new(),
                "Henvendelsen identificerer ikke barnet. Den kan læses i KIT:".to_owned(),
                product_url.to_owned(),
            ],
        ),
        Language::En => (
            format!("Consultation: {offer}"),
            vec![
                if cancelled {
                    format!("The consultation is cancelled: {offer}")
                } else {
                    format!("Consultation booked: {offer}")
                },
                format!("When: {at}"),
                format!(
                    "How: {}{}",
                    channel.name(language),
                    location.map(|l| format!(", {l}")).unwrap_or_default()
                ),
                format!("Topic: {}", topic.name(language)),
                String::new(),
                "The concern does not identify the child. Read it in KIT:".to_owned(),
                product_url.to_owned(),
            ],
        ),
    };
    let subject = match (cancelled, language) {
        (false, Language::Da) => format!("Invitation: {summary} – {at}"),
        (true, Language::Da) => format!("Aflyst: {summary} – {at}"),
        (false, Language::En) => format!("Invitation: {summary} – {at}"),
        (true, Language::En) => format!("Cancelled: {summary} – {at}"),
    };
    Texts {
        subject,
        summary,
        body: lines.join("\n"),
    }
}

/// A coordination committee meeting, as its invitations tell it.
#[derive(Debug, Clone, Copy)]
pub struct CommitteeMail<'a> {
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// Where.
    pub location: Option<&'a str>,
    /// The agenda's case references, in order.
    pub references: &'a [String],
    /// A cancellation.
    pub cancelled: bool,
    /// The product's address.
    pub product_url: &'a str,
    /// The member's signed links to answer with (an invitation or update).
    pub answers: Option<&'a AnswerLinks>,
}

/// The invitation to (or cancellation of) a coordination committee meeting. The agenda names
/// the referrals by case reference only.
#[must_use]
pub fn committee_text(m: &CommitteeMail<'_>, language: Language) -> Texts {
    let at = when(m.starts, m.ends, language);
    let name = MeetingKind::Coordination.name(language);
    let list = m
        .references
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {r}", i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let url = m.product_url;
    let body = match (language, m.cancelled) {
        (Language::Da, false) => format!(
            "{name}\nTid: {at}\n{}Dagsorden – henvisninger til beslutning:\n{list}\n\n\
             Sagerne kan læses i KIT: {url}",
            m.location
                .map(|l| format!("Sted: {l}\n"))
                .unwrap_or_default()
        ),
        (Language::Da, true) => format!(
            "{name} {at} er aflyst.\nHenvisningerne, der ikke er besluttet, behandles på \
             næste møde.\n\nKIT: {url}"
        ),
        (Language::En, false) => format!(
            "{name}\nWhen: {at}\n{}Agenda – referrals to decide on:\n{list}\n\n\
             Read the cases in KIT: {url}",
            m.location
                .map(|l| format!("Where: {l}\n"))
                .unwrap_or_default()
        ),
        (Language::En, true) => format!(
            "The {name} {at} is cancelled.\nThe referrals not yet decided go to the next \
             meeting.\n\nKIT: {url}"
        ),
    };
    let body = match (m.answers, m.cancelled) {
        (Some(links), false) => {
            let mut lines = vec![body];
            lines.extend(answer_lines(links, language));
            lines.join("\n")
        }
        _ => body,
    };
    let subject = match (language, m.cancelled) {
        (Language::Da, true) => format!("Aflyst: {name} – {at}"),
        (Language::En, true) => format!("Cancelled: {name} – {at}"),
        (_, false) => format!("Invitation: {name} – {at}"),
    };
    Texts {
        subject,
        summary: name.to_owned(),
        body,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn notification_texts_say_the_end_of_the_day_in_the_reader_s_language() {
        let cph = |y: i32, m: u32, d: u32, h: u32| {
            crate::domain::calendar::instant(
                chrono::NaiveDate::from_ymd_opt(y, m, d)
                    .and_then(|d| d.and_hms_opt(h, 0, 0))
                    .unwrap_or_default(),
            )
        };
        use crate::domain::enums::{AlertTo, Language, OffsetUnit, RuleAnchor, RuleEvent};
        let rule = deadline_rule::Model {
            id: crate::ids::DeadlineRuleId(1),
            organization_id: None,
            code: "start-meeting".into(),
            version: 1,
            name_da: "Opstartsmødet holdes inden for 20 arbejdsdage".into(),
            name_en: "The start meeting is held within 20 working days".into(),
            description: String::new(),
            start_event: RuleEvent::IntakeAccepted,
            start_filter: None,
            anchor: RuleAnchor::Event,
            offset_value: 20,
            offset_unit: OffsetUnit::WorkingDays,
            met_by_event: RuleEvent::MeetingHeld,
            met_by_filter: Some("START".into()),
            per_sector: false,
            alert_to: AlertTo::IntakeUnit,
            alert_sector: None,
            reminders: "[]".into(),
            escalate_after_working_days: Some(3),
            superseded_at: None,
            created_by_id: None,
            created_at: cph(2026, 1, 1, 0),
        };
        let due = cph(2026, 12, 22, 0);
        let (subject, body) = notification_text(
            NotificationKind::Due,
            &rule,
            "KIT-2026-000001",
            due,
            Language::Da,
            "https://kit.example",
        );
        assert_eq!(
            subject,
            "Frist overskredet: Opstartsmødet holdes inden for 20 arbejdsdage – sag KIT-2026-000001"
        );
        assert!(
            body.contains("Fristen udløb ved udgangen af 21-12-2026 og er ikke overholdt."),
            "{body}"
        );
        let (subject, body) = notification_text(
            NotificationKind::Reminder,
            &rule,
            "KIT-2026-000001",
            cph(2026, 11, 24, 9),
            Language::En,
            "https://kit.example",
        );
        assert!(
            subject.starts_with("Reminder: The start meeting"),
            "{subject}"
        );
        assert!(
            body.contains("The deadline is 24-11-2026 at 09:00."),
            "{body}"
        );
    }

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
            shared: &[],
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
        // A network meeting's invitation says which sectors have shared, never what.
        assert!(
            da.body
                .contains("Ingen sektorer har endnu delt oplysninger til mødet.")
        );
        let shared = invitation(
            &Invitation {
                shared: &[Sector::ChildPsychiatry, Sector::Municipality],
                ..i
            },
            Language::Da,
        );
        assert!(
            shared.body.contains(
                "Oplysninger til mødet er delt af: børne- og ungdomspsykiatrien, kommunen."
            ),
            "{}",
            shared.body
        );
        assert!(!en.body.contains("shared"), "not in a cancellation");
    }
}
