//! Reading what the SMTP sink received: headers, the calendar part, the attachment, and the
//! calendar's fields.

use icalendar::{Calendar, Component, EventLike};
use mail_parser::{MessageParser, MimeHeaders};

use crate::smtp::Received;

/// One received invitation, taken apart.
#[derive(Debug, Clone)]
pub struct Invite {
    /// The envelope recipient.
    pub to: String,
    /// Message-ID.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// The `method` parameter of the `text/calendar` part's Content-Type.
    pub content_type_method: String,
    /// The `text/calendar` part, decoded.
    pub calendar: String,
    /// The `invite.ics` attachment, decoded.
    pub attachment: String,
}

impl Invite {
    /// Takes a received message apart, if it is a calendar message (not, say, a deadline's
    /// alert).
    #[must_use]
    pub fn try_parse(received: &Received) -> Option<Self> {
        let message = MessageParser::default().parse(&received.data)?;
        let calendar = message.parts.iter().any(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        });
        calendar.then(|| Self::parse(received))
    }

    /// Takes a received message apart.
    ///
    /// # Panics
    /// When it is not a calendar message of the expected shape.
    #[must_use]
    pub fn parse(received: &Received) -> Self {
        let message = MessageParser::default()
            .parse(&received.data)
            .unwrap_or_else(|| panic!("not a MIME message"));
        let mut calendar = None;
        let mut method = None;
        let mut attachment = None;
        let mut body = None;
        for part in &message.parts {
            let Some(ct) = part.content_type() else {
                continue;
            };
            let text = part
                .text_contents()
                .map(str::to_owned)
                .or_else(|| std::str::from_utf8(part.contents()).ok().map(str::to_owned));
            match (ct.ctype(), ct.subtype()) {
                ("text", Some("calendar")) => {
                    method = ct.attribute("method").map(str::to_owned);
                    calendar = text;
                }
                ("application", Some("ics")) => attachment = text,
                ("text", Some("plain")) => body = text,
                _ => {}
            }
        }
        Self {
            to: received.rcpt_to.join(","),
            message_id: message.message_id().unwrap_or_default().to_owned(),
            subject: message.subject().unwrap_or_default().to_owned(),
            body: body.unwrap_or_default(),
            content_type_method: method.unwrap_or_default(),
            calendar: calendar.unwrap_or_else(|| panic!("no text/calendar part")),
            attachment: attachment.unwrap_or_else(|| panic!("no invite.ics attachment")),
        }
    }

    /// The calendar, parsed.
    ///
    /// # Panics
    /// When it does not parse.
    #[must_use]
    pub fn parsed(&self) -> Calendar {
        self.calendar
            .parse()
            .unwrap_or_else(|e| panic!("the calendar does not parse: {e}\n{}", self.calendar))
    }

    /// METHOD in the calendar body.
    #[must_use]
    pub fn method(&self) -> String {
        self.parsed()
            .property_value("METHOD")
            .unwrap_or_default()
            .to_owned()
    }

    /// (UID, SEQUENCE, SUMMARY, DESCRIPTION, LOCATION) of the one event.
    ///
    /// # Panics
    /// When there is not exactly one event.
    #[must_use]
    pub fn event(&self) -> (String, u32, String, String, String) {
        let calendar = self.parsed();
        let events: Vec<_> = calendar.events().collect();
        assert_eq!(events.len(), 1, "one VEVENT per message");
        let e = events[0];
        (
            e.get_uid().unwrap_or_default().to_owned(),
            e.get_sequence().unwrap_or_default(),
            e.get_summary().unwrap_or_default().to_owned(),
            e.get_description().unwrap_or_default().to_owned(),
            e.get_location().unwrap_or_default().to_owned(),
        )
    }

    /// The calendar with folded lines joined.
    #[must_use]
    pub fn unfolded(&self) -> String {
        self.calendar.replace("\r\n ", "").replace("\n ", "")
    }
}
