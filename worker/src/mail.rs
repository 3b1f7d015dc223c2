//! Sending mail: over SMTP with lettre when `KIT_SMTP_URL` is set, otherwise — the embedded
//! default — as `.eml` files in `KIT_MAIL_DIR`, one per message, named after its Message-ID
//! so a repeated send overwrites rather than doubles.
//!
//! Each SMTP conversation is bounded by a timeout and uses its own connection, so a
//! conversation cut short can never leave a half-used connection for the next message. Plain
//! and STARTTLS connections are made here, with `TCP_NODELAY`; implicit TLS (`smtps://`)
//! goes through lettre's transport.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use kit_entity::infra::settings::Settings;

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// True when trying again later may help (a 4xx reply, a refused connection, a timeout).
    pub transient: bool,
    /// What happened, for the outbox row.
    pub message: String,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            transient: false,
            message: message.into(),
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        Self {
            transient: true,
            message: message.into(),
        }
    }
}

/// Whether a plain SMTP connection is upgraded with STARTTLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StartTls {
    /// Never (`smtp://host`).
    Off,
    /// When the server offers it (`?tls=opportunistic`).
    Opportunistic,
    /// Always; refuse to send otherwise (`?tls=required`).
    Required,
}

/// An SMTP server reached over TCP (`smtp://`), optionally upgraded with STARTTLS.
#[derive(Clone)]
pub struct SmtpEndpoint {
    host: String,
    port: u16,
    starttls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl SmtpEndpoint {
    /// Reads an `smtp://` URL the way lettre does: default port 25, or 587 with `tls=`; the
    /// path names the EHLO host; user and password are percent-decoded.
    fn parse(url: &str) -> Result<Self, String> {
        let url = url::Url::parse(url).map_err(|e| e.to_string())?;
        let host = url
            .host_str()
            .ok_or("the URL names no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let starttls = match tls.as_deref() {
            None => StartTls::Off,
            Some("opportunistic") => StartTls::Opportunistic,
            Some("required") => StartTls::Required,
            Some(other) => return Err(format!("unknown tls={other}")),
        };
        let port = url
            .port()
            .unwrap_or(if starttls == StartTls::Off { 25 } else { 587 });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .to_string()
        };
        let credentials = url
            .password()
            .map(|password| Credentials::new(decode(url.username()), decode(password)));
        let hello = if url.path().len() > 1 {
            ClientId::Domain(url.path().trim_matches('/').to_owned())
        } else {
            ClientId::default()
        };
        Ok(Self {
            host,
            port,
            starttls,
            credentials,
            hello,
        })
    }

    /// One conversation: connect, EHLO, STARTTLS and AUTH as configured, send, QUIT.
    ///
    /// The socket has Nagle's algorithm off: the client writes the message and its final
    /// `.` separately, and with Nagle on, that `.` waits for the server's delayed ACK —
    /// 40 ms on every message.
    async fn send(&self, message: &Message) -> Result<(), SendError> {
        let smtp = |e: lettre::transport::smtp::Error| {
            if e.is_permanent() || e.is_client() {
                SendError::permanent(e.to_string())
            } else {
                SendError::transient(e.to_string())
            }
        };
        let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| {
                SendError::transient(format!(
                    "cannot connect to {}:{}: {e}",
                    self.host, self.port
                ))
            })?;
        stream
            .set_nodelay(true)
            .map_err(|e| SendError::transient(e.to_string()))?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
            .await
            .map_err(smtp)?;
        match self.starttls {
            StartTls::Required => {
                let tls = TlsParameters::new(self.host.clone()).map_err(smtp)?;
                conn.starttls(tls, &self.hello).await.map_err(smtp)?;
            }
            StartTls::Opportunistic if conn.can_starttls() => {
                let tls = TlsParameters::new(self.host.clone()).map_err(smtp)?;
                conn.starttls(tls, &self.hello).await.map_err(smtp)?;
            }
            StartTls::Opportunistic | StartTls::Off => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(smtp)?;
        }
        let result = conn
            .send(message.envelope(), &message.formatted())
            .await
            .map_err(smtp);
        if result.is_ok() {
            // The message is accepted; a failing QUIT changes nothing.
            let _ = conn.quit().await;
        } else {
            conn.abort().await;
        }
        result.map(|_| ())
    }
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server over TCP, optionally with STARTTLS (`smtp://`).
    Smtp {
        /// The server.
        endpoint: Arc<SmtpEndpoint>,
        /// How long one conversation may take.
        timeout: Duration,
    },
    /// An SMTP server over implicit TLS (`smtps://`).
    Smtps {
        /// lettre's pooled SMTP transport to the configured relay.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// How long one conversation may take.
        timeout: Duration,
    },
    /// A folder of `.eml` files.
    Folder(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { endpoint, .. } => {
                write!(f, "Mailer::Smtp({}:{})", endpoint.host, endpoint.port)
            }
            Self::Smtps { .. } => f.write_str("Mailer::Smtps"),
            Self::Folder(dir) => write!(f, "Mailer::Folder({})", dir.display()),
        }
    }
}

impl Mailer {
    /// The mailer `settings` describe.
    ///
    /// # Errors
    /// When the SMTP URL cannot be read.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        let timeout = settings.mail_timeout_secs.duration();
        match &settings.smtp_url {
            Some(url) if url.starts_with("smtps:") => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("KIT_SMTP_URL is not usable: {e}"))?
                    .timeout(Some(timeout))
                    .pool_config(PoolConfig::new().max_size(0))
                    .build();
                Ok(Self::Smtps { transport, timeout })
            }
            Some(url) if url.starts_with("smtp:") => {
                let endpoint = SmtpEndpoint::parse(url)
                    .map_err(|e| format!("KIT_SMTP_URL is not usable: {e}"))?;
                Ok(Self::Smtp {
                    endpoint: Arc::new(endpoint),
                    timeout,
                })
            }
            Some(_) => Err("KIT_SMTP_URL must start with smtp:// or smtps://".to_owned()),
            None => Ok(Self::Folder(settings.mail_dir.clone())),
        }
    }

    /// Sends one message.
    ///
    /// # Errors
    /// [`SendError`], transient or permanent.
    pub async fn send(&self, message: Message, message_id: &str) -> Result<(), SendError> {
        match self {
            Self::Smtp { endpoint, timeout } => {
                match tokio::time::timeout(*timeout, endpoint.send(&message)).await {
                    Ok(result) => result,
                    Err(_) => Err(SendError::transient(format!(
                        "no answer from the SMTP server within {timeout:?}"
                    ))),
                }
            }
            Self::Smtps { transport, timeout } => {
                // The transport keeps no idle connections (pool size 0): a conversation cut
                // short by the timeout never leaves a half-used connection for the next one.
                match tokio::time::timeout(*timeout, transport.send(message)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) if e.is_permanent() || e.is_client() => {
                        Err(SendError::permanent(e.to_string()))
                    }
                    Ok(Err(e)) => Err(SendError::transient(e.to_string())),
                    Err(_) => Err(SendError::transient(format!(
                        "no answer from the SMTP server within {timeout:?}"
                    ))),
                }
            }
            Self::Folder(dir) => {
                let dir = dir.clone();
                let name: String = message_id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    let path = dir.join(format!("{name}.eml"));
                    let tmp = dir.join(format!(".{name}.tmp"));
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(tmp, path)
                })
                .await
                .map_err(|e| SendError::transient(e.to_string()))?
                .map_err(|e| SendError::transient(format!("cannot write to KIT_MAIL_DIR: {e}")))
            }
        }
    }
}

/// The parts of one calendar message.
#[derive(Debug, Clone)]
pub struct CalendarMail<'a> {
    /// The `From` address: the product's own (`KIT_MAIL_FROM`); answers go to `Reply-To`.
    pub from: &'a str,
    /// To: name and address.
    pub to: (&'a str, &'a str),
    /// Reply-To: the organizer.
    pub reply_to: Option<(&'a str, &'a str)>,
    /// The `Subject`: the meeting kind, case reference and time, never the child's name.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
    /// The iCalendar text.
    pub calendar: &'a str,
    /// REQUEST or CANCEL, as in the calendar's METHOD.
    pub method: &'a str,
    /// The Message-ID, with angle brackets.
    pub message_id: &'a str,
}

fn mailbox(name: &str, address: &str) -> Result<Mailbox, SendError> {
    let address = address
        .parse()
        .map_err(|e| SendError::permanent(format!("{address} is not an address: {e}")))?;
    Ok(Mailbox::new(
        Some(name.replace(['"', '\r', '\n'], "")),
        address,
    ))
}

/// Composes an invitation per RFC 6047: the calendar as a `text/calendar; method=…`
/// alternative to the plain text, and the same calendar attached as `invite.ics`.
///
/// # Errors
/// [`SendError`] (permanent) when an address is malformed.
pub fn compose(m: &CalendarMail<'_>) -> Result<Message, SendError> {
    let from: Mailbox = m
        .from
        .parse()
        .map_err(|e| SendError::permanent(format!("KIT_MAIL_FROM is not an address: {e}")))?;
    let calendar_type = ContentType::parse(&format!(
        "text/calendar; charset=utf-8; method={}",
        m.method
    ))
    .map_err(|e| SendError::permanent(e.to_string()))?;
    let attachment_type = ContentType::parse("application/ics; name=\"invite.ics\"")
        .map_err(|e| SendError::permanent(e.to_string()))?;
    let mut builder = Message::builder()
        .message_id(Some(m.message_id.to_owned()))
        .from(from)
        .to(mailbox(m.to.0, m.to.1)?)
        .subject(m.subject);
    if let Some((name, address)) = m.reply_to {
        builder = builder.reply_to(mailbox(name, address)?);
    }
    builder
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(m.body.to_owned()))
                        .singlepart(
                            SinglePart::builder()
                                .header(calendar_type)
                                .body(m.calendar.to_owned()),
                        ),
                )
                .singlepart(
                    Attachment::new("invite.ics".to_owned())
                        .body(m.calendar.to_owned(), attachment_type),
                ),
        )
        .map_err(|e| SendError::permanent(e.to_string()))
}

/// Composes a plain-text e-mail, for deadline notifications.
///
/// # Errors
/// [`SendError`] (permanent) when an address is malformed.
pub fn compose_plain(
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
) -> Result<Message, SendError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| SendError::permanent(format!("KIT_MAIL_FROM is not an address: {e}")))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| SendError::permanent(format!("{to} is not an address: {e}")))?;
    Message::builder()
        .message_id(Some(message_id.to_owned()))
        .from(from)
        .to(to)
        .subject(subject)
        .singlepart(SinglePart::plain(body.to_owned()))
        .map_err(|e| SendError::permanent(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_carries_the_method_in_its_content_type_and_an_attachment() {
        let message = compose(&CalendarMail {
            from: "KIT <kit@kommune.example>",
            to: ("Lone Hansen", "lone@example.dk"),
            reply_to: Some(("Sofie Kjær", "sofie@kommune.example")),
            subject: "Invitation: Netværksmøde – sag KIT-2026-000042",
            body: "Du er inviteret.",
            calendar: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
            method: "REQUEST",
            message_id: "<meeting-1.0.1.x@kit>",
        });
        let raw = String::from_utf8(message.map(|m| m.formatted()).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            raw.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"),
            "{raw}"
        );
        assert!(raw.contains("filename=\"invite.ics\""));
        assert!(raw.contains("Message-ID: <meeting-1.0.1.x@kit>"));
        assert!(raw.contains("multipart/mixed"));
        assert!(raw.contains("multipart/alternative"));
    }

    #[test]
    fn a_malformed_address_is_a_permanent_failure() {
        let err = compose(&CalendarMail {
            from: "KIT <kit@kommune.example>",
            to: ("X", "not an address"),
            reply_to: None,
            subject: "s",
            body: "b",
            calendar: "c",
            method: "REQUEST",
            message_id: "<m@kit>",
        })
        .err();
        assert!(err.is_some_and(|e| !e.transient));
    }
}
