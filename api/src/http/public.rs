//! What is reachable without logging in: the personal answer links in invitations and the
//! personal calendar feeds; and the endpoint a mail gateway posts iTIP replies to.
//!
//! * `GET /rsvp/{token}?answer=accept|tentative|decline` shows the meeting (by case
//!   reference, never by name) and asks to confirm; `POST /rsvp/{token}` records the answer.
//!   Confirming with a button keeps mail scanners that follow links from answering for
//!   anyone.
//! * `GET /calendar/{token}.ics` is a read-only feed of the owner's meetings.
//! * `POST /calendar/reply` takes an iTIP REPLY (for example forwarded from the organizer's
//!   mailbox), with `Authorization: Bearer <KIT_ITIP_SECRET>`, and applies its answers.

use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::TimeDelta;
use kit_entity::content::ical::{self, EventText, Party};
use kit_entity::content::links::feed_token_hash;
use kit_entity::content::texts::escape_html as escape;
use kit_entity::content::texts::{Invitation, invitation, when};
use kit_entity::domain::enums::{
    DeliveryStatus, InviteeResponse, ItipMethod, Language, MailSubject, MeetingStatus,
    ParticipantKind,
};
use kit_entity::entities::{calendar_feed, case, delivery, meeting, meeting_invitee, participant};
use kit_entity::ids::{MeetingId, ParticipantId};
use kit_entity::ops::meetings::recipient;
use kit_entity::ops::outbox::About;
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use crate::db::begin_write;
use crate::http::{EdgeError, request_id};
use crate::state::AppState;

/// How far back a feed shows meetings.
const FEED_HISTORY: TimeDelta = TimeDelta::days(180);

/// The `answer` of an answer link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// Will come.
    Accept,
    /// Might come.
    Tentative,
    /// Will not come.
    Decline,
}

impl Answer {
    pub(crate) fn response(self) -> InviteeResponse {
        match self {
            Self::Accept => InviteeResponse::Accepted,
            Self::Tentative => InviteeResponse::Tentative,
            Self::Decline => InviteeResponse::Declined,
        }
    }

    pub(crate) fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Accept, Language::Da) => "Jeg deltager",
            (Self::Tentative, Language::Da) => "Jeg deltager måske",
            (Self::Decline, Language::Da) => "Jeg deltager ikke",
            (Self::Accept, Language::En) => "I will attend",
            (Self::Tentative, Language::En) => "I might attend",
            (Self::Decline, Language::En) => "I will not attend",
        }
    }

    pub(crate) fn value(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Tentative => "tentative",
            Self::Decline => "decline",
        }
    }
}

/// The query or form of an answer link.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// The chosen answer.
    pub answer: Option<Answer>,
}

/// The answer pages' only style, inline; the Content-Security-Policy names it by its hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}\
     button{font-size:1rem;margin:.25rem .5rem .25rem 0;padding:.5rem 1rem}button.chosen{font-weight:bold}";

/// The public pages' one stylesheet: the answer pages' and the family's plan page's.
fn style() -> &'static str {
    static ALL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ALL.get_or_init(|| format!("{STYLE}{}", kit_entity::content::plan_page::STYLE))
}

/// The public pages' Content-Security-Policy: no script at all, the one style by its hash,
/// forms only to this server, no framing. (Their URLs hold a token: every answer also says
/// `Referrer-Policy: no-referrer`.)
fn page_csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

/// A public page: `title` as its heading, `body` (HTML, already escaped) under it; never
/// cached, never framed, no referrer sent on.
pub(crate) fn page(status: StatusCode, language: Language, title: &str, body: &str) -> Response {
    let lang = match language {
        Language::Da => "da",
        Language::En => "en",
    };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title><style>{style}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
        style = style()
    );
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, page_csp()),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}

struct Invited {
    invitee: meeting_invitee::Model,
    meeting: meeting::Model,
    reference: String,
    language: Language,
}

pub(crate) fn refusal(language: Language, e: &Error) -> Response {
    let (status, title, text) = match (e, language) {
        (Error::Forbidden(_), Language::Da) => (
            StatusCode::GONE,
            "Linket virker ikke",
            "Linket er udløbet eller ugyldigt. Brug den nyeste invitation, eller kontakt arrangøren.",
        ),
        (Error::Forbidden(_), Language::En) => (
            StatusCode::GONE,
            "This link does not work",
            "The link has expired or is not valid. Use the newest invitation, or contact the organizer.",
        ),
        (Error::Conflict(_), Language::Da) => {
            (StatusCode::CONFLICT, "Svaret kan ikke registreres", "")
        }
        (Error::Conflict(_), Language::En) => {
            (StatusCode::CONFLICT, "The answer cannot be recorded", "")
        }
        (_, Language::Da) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Noget gik galt",
            "Prøv igen senere.",
        ),
        (_, Language::En) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Please try again later.",
        ),
    };
    let detail = match e {
        Error::Conflict(message) => message.clone(),
        _ => text.to_owned(),
    };
    if matches!(e, Error::Db(_) | Error::Internal(_)) {
        tracing::error!(error = %crate::graphql::errors::error_chain(e), "answer link failed");
    }
    page(
        status,
        language,
        title,
        &format!("<p>{}</p>", escape(&detail)),
    )
}

/// Checks an answer token and that the invitation can still be answered.
async fn invited(state: &AppState, token: &str) -> Result<Invited> {
    let claims = state.links.verify_answer(token, state.clock.now())?;
    let db = &state.db;
    let gone = || Error::forbidden("this answer link is not valid");
    let invitee = meeting_invitee::Entity::find_by_id(claims.inv)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let meeting = meeting::Entity::find_by_id(invitee.meeting_id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let case = case::Entity::find_by_id(meeting.case_id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let person = participant::Entity::find_by_id(invitee.participant_id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let language = recipient(db, &person).await?.language;
    // The newest version this person is sent, whether or not its e-mail has left yet: once
    // a change is committed, a link to the version before it answers nothing.
    let newest = delivery::Entity::find()
        .filter(About::Invitation(invitee.id).rows())
        .filter(delivery::Column::Method.eq(ItipMethod::Request))
        .order_by_desc(delivery::Column::Sequence)
        .one(db)
        .await?
        .map_or(claims.seq, |d| d.sequence);
    let (stale, removed, over) = match language {
        Language::Da => (
            "Mødet er ændret siden denne invitation. Brug linket i den nyeste invitation.",
            "Du er ikke længere inviteret til dette møde.",
            "Mødet er aflyst eller allerede holdt.",
        ),
        Language::En => (
            "The meeting has changed since this invitation. Use the link in the newest invitation.",
            "You are no longer invited to this meeting.",
            "The meeting is cancelled or has already taken place.",
        ),
    };
    if invitee.removed_at.is_some() {
        return Err(Error::conflict(removed));
    }
    if meeting.status != MeetingStatus::Scheduled {
        return Err(Error::conflict(over));
    }
    if newest > claims.seq {
        return Err(Error::conflict(stale));
    }
    Ok(Invited {
        invitee,
        meeting,
        reference: case.reference,
        language,
    })
}

fn summary(invited: &Invited) -> String {
    let m = &invited.meeting;
    let l = invited.language;
    let (Some(starts), Some(ends)) = (m.starts_at, m.ends_at) else {
        return String::new();
    };
    let case_word = match l {
        Language::Da => "sag",
        Language::En => "case",
    };
    let mut lines = vec![
        format!(
            "<p><strong>{} – {case_word} {}</strong></p>",
            escape(m.kind.name(l)),
            escape(&invited.reference)
        ),
        format!("<p>{}</p>", escape(&when(starts, ends, l))),
    ];
    if let Some(location) = &m.location {
        lines.push(format!("<p>{}</p>", escape(location)));
    }
    lines.join("")
}

/// `GET /rsvp/{token}`: shows the meeting and asks to confirm the answer.
pub async fn show_answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(form): Query<AnswerForm>,
) -> Response {
    let invited = match invited(&state, &token).await {
        Ok(i) => i,
        Err(e) => return refusal(Language::Da, &e),
    };
    ask_page(
        invited.language,
        &summary(&invited),
        &format!("/rsvp/{token}"),
        form.answer,
    )
}

/// The page asking to confirm an answer: `summary` (HTML) and the three answers, posted to
/// `action`, `chosen` marked.
pub(crate) fn ask_page(
    l: Language,
    summary: &str,
    action: &str,
    chosen: Option<Answer>,
) -> Response {
    let buttons: String = [Answer::Accept, Answer::Tentative, Answer::Decline]
        .into_iter()
        .map(|a| {
            let mark = if chosen == Some(a) {
                " class=\"chosen\""
            } else {
                ""
            };
            format!(
                "<button name=\"answer\" value=\"{}\"{mark}>{}</button>",
                a.value(),
                escape(a.label(l))
            )
        })
        .collect();
    let (title, ask) = match l {
        Language::Da => ("Svar på invitation", "Vælg dit svar:"),
        Language::En => ("Answer the invitation", "Choose your answer:"),
    };
    page(
        StatusCode::OK,
        l,
        title,
        &format!(
            "{summary}<form method=\"post\" action=\"{}\"><p>{ask}</p>{buttons}</form>",
            escape(action)
        ),
    )
}

/// The page confirming that `answer` was recorded, with `summary` (HTML).
pub(crate) fn answered_page(l: Language, answer: Answer, summary: &str) -> Response {
    let (title, text) = match l {
        Language::Da => ("Tak for dit svar", "Dit svar er registreret:"),
        Language::En => ("Thank you", "Your answer is recorded:"),
    };
    page(
        StatusCode::OK,
        l,
        title,
        &format!(
            "<p>{text} <strong>{}</strong></p>{summary}",
            escape(answer.label(l))
        ),
    )
}

/// `POST /rsvp/{token}`: records the answer and confirms it.
pub async fn record_answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let invited = match invited(&state, &token).await {
        Ok(i) => i,
        Err(e) => return refusal(Language::Da, &e),
    };
    let l = invited.language;
    let Some(answer) = form.answer else {
        return show_answer(State(state), Path(token), Query(form)).await;
    };
    let result = async {
        let txn = begin_write(&state.db).await?;
        let updated = kit_entity::ops::meetings::respond(
            &txn,
            state.clock.now(),
            invited.invitee.clone(),
            answer.response(),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, Error>(updated)
    }
    .await;
    match result {
        Ok(_) => answered_page(l, answer, &summary(&invited)),
        Err(e) => refusal(l, &e),
    }
}

/// `GET /calendar/{token}.ics`: the feed's meetings.
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match feed_text(&state, token).await {
        Ok(Some(text)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            text,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => EdgeError::new(e, &request_id(&headers)).into_response(),
    }
}

async fn feed_text(state: &AppState, token: &str) -> Result<Option<String>> {
    let db = &state.db;
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(feed_token_hash(token)))
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let owner = if let Some(id) = feed.professional_id {
        participant::Column::ProfessionalId.eq(id)
    } else if let Some(id) = feed.family_member_id {
        participant::Column::FamilyMemberId.eq(id)
    } else if let Some(id) = feed.participant_id {
        participant::Column::Id.eq(id)
    } else {
        return Ok(None);
    };
    let participations = participant::Entity::find().filter(owner).all(db).await?;
    let language = match participations.first() {
        Some(p) if p.kind != ParticipantKind::Child => recipient(db, p).await?.language,
        _ => Language::Da,
    };
    let ids: Vec<ParticipantId> = participations.iter().map(|p| p.id).collect();
    let meeting_ids: Vec<MeetingId> = if ids.is_empty() {
        Vec::new()
    } else {
        meeting_invitee::Entity::find()
            .filter(meeting_invitee::Column::ParticipantId.is_in(ids))
            .filter(meeting_invitee::Column::RemovedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|i| i.meeting_id)
            .collect()
    };
    let now = state.clock.now();
    let meetings = if meeting_ids.is_empty() {
        Vec::new()
    } else {
        meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(meeting_ids))
            .filter(meeting::Column::Status.ne(MeetingStatus::Planned))
            .filter(meeting::Column::StartsAt.gt(now - FEED_HISTORY))
            .order_by_asc(meeting::Column::StartsAt)
            .all(db)
            .await?
    };
    let mut events = Vec::new();
    for m in meetings {
        let (Some(starts), Some(ends)) = (m.starts_at, m.ends_at) else {
            continue;
        };
        let reference = case::Entity::find_by_id(m.case_id)
            .one(db)
            .await?
            .map(|c| c.reference)
            .unwrap_or_default();
        let organizer = match m.organizer_id {
            Some(id) => match participant::Entity::find_by_id(id).one(db).await? {
                Some(p) => recipient(db, &p).await?.name,
                None => String::new(),
            },
            None => String::new(),
        };
        let shared = kit_entity::ops::meetings::shared_sectors(db, m.id).await?;
        let texts = invitation(
            &Invitation {
                method: if m.status == MeetingStatus::Cancelled {
                    ItipMethod::Cancel
                } else {
                    ItipMethod::Request
                },
                update: false,
                kind: m.kind,
                reference: &reference,
                starts,
                ends,
                location: m.location.as_deref(),
                video_url: m.video_url.as_deref(),
                organizer: &organizer,
                answers: None,
                product_url: None,
                shared: &shared,
            },
            language,
        );
        events.push(EventText {
            uid: m.uid.clone(),
            sequence: m.sequence,
            stamp: m.updated_at,
            starts,
            ends,
            summary: texts.summary,
            description: texts.body,
            location: m.location.clone().or_else(|| m.video_url.clone()),
            url: None,
            organizer: None::<Party>,
            sent_by: None,
            attendees: Vec::new(),
            cancelled: m.status == MeetingStatus::Cancelled,
        });
    }
    Ok(Some(ical::render(None, &events)))
}

fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `POST /calendar/reply`: applies the answers of an iTIP REPLY.
pub async fn reply(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.config.itip_secret.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let refuse = |e: Error| EdgeError::new(e, &request_id(&headers)).into_response();
    if !same_secret(given.trim(), secret) {
        return refuse(Error::Unauthenticated(
            "the reply gateway's bearer secret is required".to_owned(),
        ));
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return refuse(Error::invalid("body", "is not UTF-8 text"));
    };
    let lines = match ical::parse_reply(text) {
        Ok(lines) => lines,
        Err(e) => return refuse(Error::invalid("body", e)),
    };
    match apply_reply(&state, lines).await {
        Ok(outcome) => axum::Json(outcome).into_response(),
        Err(e) => refuse(e),
    }
}

async fn apply_reply(state: &AppState, lines: Vec<ical::ReplyLine>) -> Result<serde_json::Value> {
    let now = state.clock.now();
    let txn = begin_write(&state.db).await?;
    let mut applied = 0;
    let mut ignored = Vec::new();
    for line in lines {
        let reason = async {
            if let Some(committee) = kit_entity::ops::committee_changes::meeting_of_uid(&line.uid) {
                return kit_entity::ops::committee_changes::apply_reply(
                    &txn,
                    now,
                    committee,
                    &line.email,
                    line.sequence,
                    line.response,
                )
                .await;
            }
            let Some(m) = meeting::Entity::find()
                .filter(meeting::Column::Uid.eq(&line.uid))
                .one(&txn)
                .await?
            else {
                return Ok::<_, Error>(Some("no meeting has this UID"));
            };
            if m.status != MeetingStatus::Scheduled {
                return Ok(Some("the meeting is not scheduled"));
            }
            let invitations = meeting_invitee::Entity::find()
                .filter(meeting_invitee::Column::MeetingId.eq(m.id))
                .all(&txn)
                .await?;
            let sent = delivery::Entity::find()
                .filter(delivery::Column::Subject.eq(MailSubject::Invitation))
                .filter(delivery::Column::SubjectId.is_in(invitations.iter().map(|i| i.id.0)))
                .filter(delivery::Column::Method.eq(ItipMethod::Request))
                .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
                .order_by_desc(delivery::Column::Sequence)
                .all(&txn)
                .await?;
            let Some(latest) = sent
                .iter()
                .find(|d| d.recipient.eq_ignore_ascii_case(&line.email))
            else {
                return Ok(Some("no invitation to this attendee was sent"));
            };
            if line.sequence.is_some_and(|s| s < latest.sequence) {
                return Ok(Some("the reply answers an older version of the meeting"));
            }
            let invitee = invitations
                .into_iter()
                .find(|i| i.id.0 == latest.subject_id);
            let Some(invitee) = invitee.filter(|i| i.removed_at.is_none()) else {
                return Ok(Some("the attendee is no longer invited"));
            };
            kit_entity::ops::meetings::respond(&txn, now, invitee, line.response).await?;
            Ok(None)
        }
        .await?;
        match reason {
            None => applied += 1,
            Some(reason) => ignored.push(
                serde_json::json!({ "uid": line.uid, "attendee": line.email, "reason": reason }),
            ),
        }
    }
    txn.commit().await?;
    Ok(serde_json::json!({ "applied": applied, "ignored": ignored }))
}
