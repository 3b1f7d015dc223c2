//! iCalendar (RFC 5545) and iTIP (RFC 5546) text: pure functions from meeting data to
//! calendar text and back, tested on their own.
//!
//! Times are written as Europe/Copenhagen local times with `TZID=Europe/Copenhagen` and a
//! matching VTIMEZONE, so a meeting at 09:00 stays at 09:00 across daylight-saving changes in
//! every client. Lines end in CRLF and are folded here ([`fold`]), at most 75 octets each with
//! the continuation's leading space, never inside a UTF-8 sequence: whatever folding the
//! icalendar crate does is undone first, so no release of it can change what clients get.

use crate::domain::calendar::{ZONE, local};
use crate::domain::enums::{InviteeResponse, ItipMethod};
use chrono::{DateTime, Utc};
use icalendar::{
    Attendee, Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, PartStat,
    Property, Role,
};

/// The product identifier in every calendar the product writes.
pub const PRODID: &str = "-//KIT//Koordinerede forløb 1.0//DA";

/// The VTIMEZONE for Europe/Copenhagen (CET/CEST, EU rules), as Google and Apple write it.
pub const VTIMEZONE_COPENHAGEN: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Copenhagen\r\n\
X-LIC-LOCATION:Europe/Copenhagen\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// A person with an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// One ATTENDEE line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeLine {
    /// Who.
    pub party: Party,
    /// REQ-PARTICIPANT (true) or OPT-PARTICIPANT.
    pub required: bool,
    /// PARTSTAT.
    pub response: InviteeResponse,
}

/// One VEVENT. Every text in it must already be safe to leave the organization: a case
/// reference, never a name, CPR number or diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventText {
    /// UID, stable for the meeting's life.
    pub uid: String,
    /// `SEQUENCE`: raised with every change attendees must see (RFC 5546).
    pub sequence: i32,
    /// DTSTAMP: when this version was written.
    pub stamp: DateTime<Utc>,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// `SUMMARY`: the title calendars show; case reference only, never the child's name.
    pub summary: String,
    /// `DESCRIPTION`: the message body, in the recipient's language.
    pub description: String,
    /// `LOCATION`: where the meeting is held, if known.
    pub location: Option<String>,
    /// `URL`: the product's address, for professionals only.
    pub url: Option<String>,
    /// ORGANIZER; `None` in feeds.
    pub organizer: Option<Party>,
    /// SENT-BY of the ORGANIZER: the product's own address, which actually sends.
    pub sent_by: Option<String>,
    /// ATTENDEE lines; empty in feeds.
    pub attendees: Vec<AttendeeLine>,
    /// STATUS:CANCELLED instead of CONFIRMED.
    pub cancelled: bool,
}

fn clean_param(value: &str) -> String {
    value.replace(['"', '\r', '\n'], "")
}

fn partstat(response: InviteeResponse) -> PartStat {
    match response {
        InviteeResponse::NeedsAction => PartStat::NeedsAction,
        InviteeResponse::Accepted => PartStat::Accepted,
        InviteeResponse::Declined => PartStat::Declined,
        InviteeResponse::Tentative => PartStat::Tentative,
    }
}

fn event(e: &EventText, rsvp: bool) -> Event {
    let mut ev = Event::new();
    ev.uid(&e.uid)
        .sequence(u32::try_from(e.sequence).unwrap_or(0))
        .timestamp(e.stamp)
        .starts((local(e.starts), ZONE))
        .ends(CalendarDateTime::WithTimezone {
            date_time: local(e.ends),
            tzid: ZONE.name().to_owned(),
        })
        .summary(&e.summary)
        .description(&e.description)
        .status(if e.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    if let Some(location) = &e.location {
        ev.location(location);
    }
    if let Some(url) = &e.url {
        ev.url(url);
    }
    if let Some(organizer) = &e.organizer {
        let mut property = Property::new("ORGANIZER", format!("mailto:{}", organizer.email));
        property.add_parameter("CN", &clean_param(&organizer.name));
        if let Some(sent_by) = &e.sent_by {
            property.add_parameter("SENT-BY", &format!("mailto:{sent_by}"));
        }
        ev.append_property(property.done());
    }
    for a in &e.attendees {
        ev.attendee(
            Attendee::new(format!("mailto:{}", a.party.email))
                .cn(clean_param(&a.party.name))
                .role(if a.required {
                    Role::ReqParticipant
                } else {
                    Role::OptParticipant
                })
                .partstat(partstat(a.response))
                .rsvp(rsvp && !e.cancelled),
        );
    }
    ev.done()
}

/// A calendar holding `events`. With a `method` it is an iTIP message (REQUEST or CANCEL);
/// without one it is a subscribable feed.
#[must_use]
pub fn render(method: Option<ItipMethod>, events: &[EventText]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"));
    if let Some(method) = method {
        cal.append_property(Property::new("METHOD", method.as_str()));
    } else {
        cal.append_property(Property::new("X-WR-CALNAME", "KIT"))
            .append_property(Property::new("X-WR-TIMEZONE", ZONE.name()));
    }
    let rsvp = method == Some(ItipMethod::Request);
    for e in events {
        cal.push(event(e, rsvp));
    }
    let text = unfold(&cal.to_string());
    let text = match text.find("BEGIN:VEVENT\r\n") {
        Some(at) => format!("{}{VTIMEZONE_COPENHAGEN}{}", &text[..at], &text[at..]),
        None => text.replacen(
            "END:VCALENDAR\r\n",
            &format!("{VTIMEZONE_COPENHAGEN}END:VCALENDAR\r\n"),
            1,
        ),
    };
    fold(&text)
}

/// The longest content line RFC 5545 § 3.1 allows, in octets, without its CRLF; a
/// continuation line's leading space counts.
pub const LINE_OCTETS: usize = 75;

/// Undoes folding: every CRLF followed by one space or tab is removed (RFC 5545 § 3.1).
#[must_use]
pub fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

/// Folds every content line of `text` (CRLF-terminated) to at most [`LINE_OCTETS`] octets:
/// the first piece up to 75 octets, each continuation a space and up to 74 more, split only
/// between characters, never inside a UTF-8 sequence. [`unfold`] gives back `text`.
#[must_use]
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 24);
    for line in text.split_inclusive("\r\n") {
        let (content, end) = match line.strip_suffix("\r\n") {
            Some(content) => (content, "\r\n"),
            None => (line, ""),
        };
        fold_line(content, &mut out);
        out.push_str(end);
    }
    out
}

fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    loop {
        if rest.len() <= room {
            out.push_str(rest);
            return;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
}

/// One answer read from an iTIP REPLY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    /// The meeting's UID.
    pub uid: String,
    /// The SEQUENCE the answer refers to, if given.
    pub sequence: Option<i32>,
    /// The answering attendee's address, lower case.
    pub email: String,
    /// Their answer.
    pub response: InviteeResponse,
}

/// Reads the answers in an iTIP REPLY.
///
/// # Errors
/// A message in words when the text is not a calendar, not a REPLY, or holds no answer.
pub fn parse_reply(text: &str) -> Result<Vec<ReplyLine>, String> {
    let calendar: Calendar = text
        .parse()
        .map_err(|e| format!("not an iCalendar text: {e}"))?;
    let method = calendar
        .property_value("METHOD")
        .map(|m| m.trim().to_ascii_uppercase())
        .unwrap_or_default();
    if method != "REPLY" {
        return Err(format!("expected METHOD:REPLY, got {method:?}"));
    }
    let mut lines = Vec::new();
    for ev in calendar.events() {
        let Some(uid) = ev.get_uid() else { continue };
        let sequence = ev.get_sequence().and_then(|s| i32::try_from(s).ok());
        for attendee in ev.get_attendees() {
            let address = attendee.cal_address.trim();
            let email = address
                .strip_prefix("mailto:")
                .or_else(|| address.strip_prefix("MAILTO:"))
                .unwrap_or(address)
                .to_lowercase();
            let response = match attendee.part_stat {
                Some(PartStat::Accepted) => InviteeResponse::Accepted,
                Some(PartStat::Declined) => InviteeResponse::Declined,
                Some(PartStat::Tentative) => InviteeResponse::Tentative,
                _ => continue,
            };
            lines.push(ReplyLine {
                uid: uid.to_owned(),
                sequence,
                email,
                response,
            });
        }
    }
    if lines.is_empty() {
        return Err("the REPLY holds no attendee answer".to_owned());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap_or_default()
    }

    fn sample(sequence: i32, cancelled: bool) -> EventText {
        EventText {
            uid: "kit-meeting-7-abc@kit".into(),
            sequence,
            stamp: at(2026, 11, 23, 8, 0),
            starts: at(2027, 3, 10, 8, 30),
            ends: at(2027, 3, 10, 10, 0),
            summary: "Netværksmøde – sag KIT-2026-000042".into(),
            description: "Svar: https://kit.example/rsvp/x".into(),
            location: Some("Rådhuset, mødelokale 2".into()),
            url: Some("https://kit.example".into()),
            organizer: Some(Party {
                name: "Sofie Kjær".into(),
                email: "sofie@kommune.example".into(),
            }),
            sent_by: Some("kit@kommune.example".into()),
            attendees: vec![AttendeeLine {
                party: Party {
                    name: "Lone \"Mor\" Hansen".into(),
                    email: "lone@example.dk".into(),
                },
                required: true,
                response: InviteeResponse::NeedsAction,
            }],
            cancelled,
        }
    }

    #[test]
    fn a_request_is_well_formed() {
        let text = render(Some(ItipMethod::Request), &[sample(0, false)]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.lines().all(|l| l.len() <= 75), "folded at 75 octets");
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        assert!(text.contains("METHOD:REQUEST\r\n"));
        assert!(
            text.contains("DTSTART;TZID=Europe/Copenhagen:20270310T093000\r\n"),
            "{text}"
        );
        assert!(text.contains("DTEND;TZID=Europe/Copenhagen:20270310T110000\r\n"));
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n"));
        assert!(
            text.find("BEGIN:VTIMEZONE").unwrap_or(usize::MAX)
                < text.find("BEGIN:VEVENT").unwrap_or(0)
        );
        assert!(text.contains("STATUS:CONFIRMED"));
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("SENT-BY=\"mailto:kit@kommune.example\""),
            "{unfolded}"
        );
        assert!(unfolded.contains("RSVP=TRUE"));
        assert!(unfolded.contains("ROLE=REQ-PARTICIPANT"));
        assert!(
            unfolded.contains("CN=Lone Mor Hansen"),
            "quotes are stripped from names"
        );
    }

    /// Every physical line of `text`, without its CRLF, is at most 75 octets.
    fn assert_folded(text: &str) {
        assert!(text.ends_with("\r\n"), "ends in CRLF");
        for line in text.split("\r\n") {
            assert!(line.len() <= LINE_OCTETS, "{} octets: {line:?}", line.len());
        }
    }

    #[test]
    fn folding_keeps_every_line_within_75_octets_for_every_length_and_script() {
        let pieces = ["a", "æ", "ø", "Å", "€", "😀", " ", "mødelokale ", "🧒🏽"];
        for piece in pieces {
            for repeat in 0..320 {
                let value = piece.repeat(repeat);
                for prefix in ["LOCATION:", "DESCRIPTION;LANGUAGE=da:", "X:"] {
                    let line = format!("{prefix}{value}\r\n");
                    let folded = fold(&line);
                    assert_folded(&folded);
                    assert_eq!(unfold(&folded), line, "unfolds to the original");
                    // Nothing but the line itself: a continuation begins with one space.
                    for continuation in folded.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
                        assert!(continuation.starts_with(' '));
                    }
                }
            }
        }
        // A last piece of exactly 74 octets after a fold fills its line to 75, not 76.
        let line = format!("{}\r\n", "x".repeat(75 + 74));
        let folded = fold(&line);
        assert_eq!(
            folded.split("\r\n").map(str::len).collect::<Vec<_>>(),
            [75, 75, 0]
        );
        let line = format!("{}\r\n", "x".repeat(75 + 75));
        assert_eq!(
            fold(&line).split("\r\n").map(str::len).collect::<Vec<_>>(),
            [75, 75, 2, 0]
        );
    }

    #[test]
    fn long_places_and_answer_links_fold_within_75_octets() {
        for n in 100..260 {
            let mut e = sample(3, false);
            e.location = Some(format!(
                "Rådhuset, Torvet 1, {}",
                "mødelokale ".repeat(n / 11)
            ));
            e.location = e.location.map(|l| l.chars().take(n).collect());
            e.description = format!(
                "Svar her: https://kit.example/rsvp/{}\nMødet handler om sag KIT-2026-000042 – æøå 😀",
                "A".repeat(n)
            );
            let text = render(Some(ItipMethod::Request), &[e.clone()]);
            assert_folded(&text);
            let unfolded = unfold(&text);
            let location = e.location.clone().unwrap_or_default().replace(',', "\\,");
            assert!(
                unfolded.contains(&format!("LOCATION:{location}\r\n")),
                "{unfolded}"
            );
            let parsed: Calendar = text.parse().unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(parsed.components.len(), 2, "the timezone and the event");
        }
    }

    #[test]
    fn a_cancellation_is_a_cancel_with_cancelled_status() {
        let text = render(Some(ItipMethod::Cancel), &[sample(2, true)]);
        assert!(text.contains("METHOD:CANCEL\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        assert!(text.contains("SEQUENCE:2\r\n"));
        assert!(text.replace("\r\n ", "").contains("RSVP=FALSE"));
    }

    #[test]
    fn summer_and_winter_times_are_local() {
        let mut summer = sample(0, false);
        summer.starts = at(2027, 6, 1, 7, 0);
        summer.ends = at(2027, 6, 1, 8, 0);
        let text = render(None, &[summer]);
        assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20270601T090000"));
        assert!(!text.contains("METHOD:"), "a feed has no method");
    }

    #[test]
    fn replies_are_read() {
        let reply = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft//Outlook//EN\r\nMETHOD:REPLY\r\n\
BEGIN:VEVENT\r\nUID:kit-meeting-7-abc@kit\r\nSEQUENCE:3\r\nDTSTAMP:20270301T120000Z\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;CN=\"Hansen, Lone\":MAILTO:Lone@Example.dk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let lines = parse_reply(reply).unwrap_or_default();
        assert_eq!(
            lines,
            vec![ReplyLine {
                uid: "kit-meeting-7-abc@kit".into(),
                sequence: Some(3),
                email: "lone@example.dk".into(),
                response: InviteeResponse::Accepted,
            }]
        );
        assert!(parse_reply(&reply.replace("METHOD:REPLY", "METHOD:REQUEST")).is_err());
        assert!(parse_reply("hello").is_err());
    }
}
