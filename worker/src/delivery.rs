//! Sending one outbox message, exactly once as far as the mail server and the database can
//! tell each other.
//!
//! A job claims the outbox row for a lease before it talks to the mail server, so that two
//! jobs for the same row (a re-enqueued orphan, the outbox sweep) never send it twice; the
//! row is marked SENT in the same breath as the server accepts it. A row a newer message to
//! the same invitee has overtaken is SUPERSEDED rather than sent. Failures the server calls
//! temporary are retried with doubling waits; after the last try, or a permanent refusal, the
//! row is FAILED and shows so in the API. The Message-ID is fixed per row, so in the one case
//! no system can rule out — the process dies after the server accepted the message and
//! before the row is marked — the repeated message is recognisably the same one.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use kit_entity::domain::enums::{DeliveryStatus, ItipMethod};
use kit_entity::entities::{case, delivery, meeting, meeting_invitee, participant};
use kit_entity::ids::DeliveryId;
use kit_entity::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};

use crate::context::Context;
use crate::mail::{CalendarMail, compose};
use kit_entity::content::ical::{AttendeeLine, EventText, Party, render};
use kit_entity::content::texts::{Invitation, invitation};
use kit_entity::ops::meetings::{active_invitees, recipient};
use kit_entity::ops::outbox::{self, About, SendDelivery};

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted it.
    Sent,
    /// Nothing to do: it was sent, failed or superseded before.
    AlreadySettled,
    /// A newer message to the same invitee replaced it, or the plan link it carried was
    /// revoked before it left.
    Superseded,
    /// Another job is sending it; checked again when that claim ends.
    ClaimedElsewhere,
    /// It failed for now and will be tried again.
    WillRetry,
    /// It failed for good.
    Failed,
}

/// How long a claim on an outbox row holds: long enough for the SMTP conversation (bounded
/// by its timeout) and marking the row, short enough that a row whose worker died is retried
/// soon.
fn lease(ctx: &Context) -> TimeDelta {
    ctx.settings.mail_timeout_secs.time_delta() + TimeDelta::seconds(10)
}

fn until(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or_default()
}

/// Sends delivery `id` if it is still due.
///
/// # Errors
/// Database errors; the job is then retried by the queue.
pub async fn send(ctx: &Context, id: DeliveryId) -> Result<Outcome> {
    let db = &ctx.db;
    let Some(row) = delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(Outcome::AlreadySettled);
    };
    if row.status != DeliveryStatus::Pending {
        return Ok(Outcome::AlreadySettled);
    }
    let now = ctx.clock.now();
    let about = About::of(&row);
    let newer = match about {
        Some(About::Invitation { meeting, invitee }) => {
            delivery::Entity::find()
                .filter(delivery::Column::MeetingId.eq(meeting))
                .filter(delivery::Column::InviteeId.eq(invitee))
                .filter(delivery::Column::Sequence.gt(row.sequence))
                .count(db)
                .await?
        }
        // A committee meeting moved or cancelled since: the newer message replaces it.
        Some(About::Committee(meeting)) => {
            delivery::Entity::find()
                .filter(delivery::Column::CommitteeMeetingId.eq(meeting))
                .filter(delivery::Column::Recipient.eq(row.recipient.as_str()))
                .filter(delivery::Column::Sequence.gt(row.sequence))
                .count(db)
                .await?
        }
        _ => 0,
    };
    // A plan link revoked before its e-mail left is not sent.
    let revoked = match about {
        Some(About::PlanLink(link)) => kit_entity::entities::plan_link::Entity::find_by_id(link)
            .one(db)
            .await?
            .is_none_or(|l| l.revoked_at.is_some()),
        _ => false,
    };
    if newer > 0 || revoked {
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(DeliveryStatus::Superseded),
            )
            .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
            .filter(delivery::Column::Id.eq(row.id))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
            .exec(db)
            .await?;
        return Ok(Outcome::Superseded);
    }
    let claimed_until = now + lease(ctx);
    let claimed = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Some(claimed_until)),
        )
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(row.id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        let current = delivery::Entity::find_by_id(id).one(db).await?;
        if let Some(current) = current
            && current.status == DeliveryStatus::Pending
        {
            let wake = current.claimed_until.unwrap_or(now) + TimeDelta::seconds(1);
            outbox::enqueue(
                db,
                &SendDelivery { delivery_id: id },
                Some(until(now, wake)),
            )
            .await?;
            return Ok(Outcome::ClaimedElsewhere);
        }
        return Ok(Outcome::AlreadySettled);
    }
    let attempt = row.attempts + 1;
    let result = match build(ctx, &row, now).await {
        Ok((message, _)) => ctx.mailer.send(message, &row.message_id).await,
        Err(e) => Err(crate::mail::SendError {
            transient: false,
            message: e.to_string(),
        }),
    };
    let now = ctx.clock.now();
    let settle = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(row.id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending));
    match result {
        Ok(()) => {
            settle
                .col_expr(delivery::Column::Status, Expr::value(DeliveryStatus::Sent))
                .col_expr(delivery::Column::SentAt, Expr::value(Some(now)))
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .exec(db)
                .await?;
            tracing::info!(delivery = %row.id, meeting = ?row.meeting_id, notification = ?row.notification_id, sequence = row.sequence, "e-mail sent");
            Ok(Outcome::Sent)
        }
        Err(e) if e.transient && attempt < ctx.settings.mail_max_attempts => {
            let wait = ctx.settings.retry_delay(attempt);
            let next = now + TimeDelta::from_std(wait).unwrap_or_default();
            let txn = kit_entity::infra::db::begin_write(db).await?;
            settle
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Some(e.message.clone())),
                )
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
                .exec(&txn)
                .await?;
            outbox::enqueue(
                &txn,
                &SendDelivery {
                    delivery_id: row.id,
                },
                Some(wait),
            )
            .await?;
            txn.commit().await?;
            tracing::warn!(delivery = %row.id, attempt, error = %e.message, ?wait, "sending failed; will retry");
            Ok(Outcome::WillRetry)
        }
        Err(e) => {
            settle
                .col_expr(
                    delivery::Column::Status,
                    Expr::value(DeliveryStatus::Failed),
                )
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Some(e.message.clone())),
                )
                .exec(db)
                .await?;
            tracing::error!(delivery = %row.id, attempt, error = %e.message, "sending failed for good");
            Ok(Outcome::Failed)
        }
    }
}

/// The product's own address from `KIT_MAIL_FROM` (`Name <address>` or a bare address): the
/// SENT-BY of every calendar's ORGANIZER.
fn sender_address(ctx: &Context) -> String {
    let from = ctx.settings.mail_from.as_str();
    from.rsplit_once('<')
        .map_or(from, |(_, a)| a.trim_end_matches('>'))
        .to_owned()
}

/// A professional as a calendar's ORGANIZER or ATTENDEE.
fn party(p: &kit_entity::entities::professional::Model) -> Party {
    Party {
        name: p.name.clone(),
        email: p.email.clone(),
    }
}

/// Renders the message of a delivery: the e-mail and its calendar text.
///
/// # Errors
/// When the rows it refers to are missing, or an address is malformed.
pub async fn build(
    ctx: &Context,
    row: &delivery::Model,
    now: DateTime<Utc>,
) -> Result<(lettre::Message, String)> {
    let about = About::of(row)
        .ok_or_else(|| Error::internal(format!("delivery {} is about nothing", row.id)))?;
    let (meeting_id, invitee_id) = match about {
        About::Notification(id) => return build_notification(ctx, row, id).await,
        About::PlanLink(id) => return build_plan_link(ctx, row, id).await,
        About::Consultation(id) => return build_consultation(ctx, row, id, now).await,
        About::Committee(id) => return build_committee(ctx, row, id, now).await,
        About::Invitation { meeting, invitee } => (meeting, invitee),
    };
    let method = row.method.ok_or_else(|| {
        Error::internal(format!(
            "delivery {}: a calendar message without a method",
            row.id
        ))
    })?;
    let db = &ctx.db;
    let missing =
        |what: &str| Error::internal(format!("delivery {}: its {what} is missing", row.id));
    let meeting = meeting::Entity::find_by_id(meeting_id)
        .one(db)
        .await?
        .ok_or_else(|| missing("meeting"))?;
    let case = case::Entity::find_by_id(meeting.case_id)
        .one(db)
        .await?
        .ok_or_else(|| missing("case"))?;
    let invitee = meeting_invitee::Entity::find_by_id(invitee_id)
        .one(db)
        .await?
        .ok_or_else(|| missing("invitee"))?;
    let person = participant::Entity::find_by_id(invitee.participant_id)
        .one(db)
        .await?
        .ok_or_else(|| missing("participant"))?;
    let to = recipient(db, &person).await?;
    let organizer = match meeting.organizer_id {
        Some(id) => match participant::Entity::find_by_id(id).one(db).await? {
            Some(p) => Some(recipient(db, &p).await?),
            None => None,
        },
        None => None,
    };
    let (starts, ends) = match (meeting.starts_at, meeting.ends_at) {
        (Some(s), Some(e)) => (s, e),
        _ => {
            return Err(Error::internal(format!(
                "meeting {} has no time",
                meeting.id
            )));
        }
    };
    let mut attendees = Vec::new();
    for i in active_invitees(db, meeting.id).await? {
        if let Some(p) = participant::Entity::find_by_id(i.participant_id)
            .one(db)
            .await?
        {
            let r = recipient(db, &p).await?;
            if let Some(email) = r.email {
                attendees.push(AttendeeLine {
                    party: Party {
                        name: r.name,
                        email,
                    },
                    required: i.required,
                    response: i.response,
                });
            }
        }
    }
    if method == ItipMethod::Cancel && invitee.removed_at.is_some() {
        // The removed invitee is told about their own removal.
        attendees.push(AttendeeLine {
            party: Party {
                name: to.name.clone(),
                email: row.recipient.clone(),
            },
            required: invitee.required,
            response: invitee.response,
        });
    }
    let answers = if method == ItipMethod::Request {
        let token = ctx
            .links
            .answer_token(invitee.id, row.sequence, ends + TimeDelta::days(30))?;
        Some(ctx.links.answer_links(&token))
    } else {
        None
    };
    let product_url = to.professional.then(|| ctx.links.public_url().to_owned());
    let organizer_name = organizer
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let earlier_sent = delivery::Entity::find()
        .filter(delivery::Column::MeetingId.eq(meeting_id))
        .filter(delivery::Column::InviteeId.eq(invitee_id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
        .count(db)
        .await?
        > 0;
    let shared = kit_entity::ops::meetings::shared_sectors(db, meeting.id).await?;
    let texts = invitation(
        &Invitation {
            method,
            update: earlier_sent || row.sequence > 0,
            kind: meeting.kind,
            reference: &case.reference,
            starts,
            ends,
            location: meeting.location.as_deref(),
            video_url: meeting.video_url.as_deref(),
            organizer: &organizer_name,
            answers: answers.as_ref(),
            product_url: product_url.as_deref(),
            shared: &shared,
        },
        row.language,
    );
    let from_address = sender_address(ctx);
    let calendar = render(
        Some(method),
        &[EventText {
            uid: meeting.uid.clone(),
            sequence: row.sequence,
            stamp: now,
            starts,
            ends,
            summary: texts.summary.clone(),
            description: texts.body.clone(),
            location: meeting
                .location
                .clone()
                .or_else(|| meeting.video_url.clone()),
            url: product_url.clone(),
            organizer: organizer.as_ref().and_then(|o| {
                o.email.clone().map(|email| Party {
                    name: o.name.clone(),
                    email,
                })
            }),
            sent_by: Some(from_address),
            attendees,
            cancelled: method == ItipMethod::Cancel,
        }],
    );
    let reply_to = organizer
        .as_ref()
        .and_then(|o| o.email.as_deref().map(|e| (o.name.as_str(), e)));
    let message = compose(&CalendarMail {
        from: &ctx.settings.mail_from,
        to: (&to.name, &row.recipient),
        reply_to,
        subject: &texts.subject,
        body: &texts.body,
        calendar: &calendar,
        method: method.as_str(),
        message_id: &row.message_id,
    })
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, calendar))
}

/// A coordination committee meeting's invitation to a member: the time, the place, and the
/// agenda's case references — never a child's name.
async fn build_committee(
    ctx: &Context,
    row: &delivery::Model,
    id: kit_entity::ids::CommitteeMeetingId,
    now: DateTime<Utc>,
) -> Result<(lettre::Message, String)> {
    use kit_entity::entities::{
        committee_agenda_item, committee_meeting, committee_member, professional,
    };
    use sea_orm::QueryOrder;
    let db = &ctx.db;
    let meeting = committee_meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::internal(format!(
                "delivery {}: its committee meeting is missing",
                row.id
            ))
        })?;
    let items = committee_agenda_item::Entity::find()
        .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(id))
        .order_by_asc(committee_agenda_item::Column::Position)
        .all(db)
        .await?;
    let cases = case::Entity::find()
        .filter(case::Column::Id.is_in(items.iter().map(|i| i.case_id)))
        .all(db)
        .await?;
    let references: Vec<String> = items
        .iter()
        .filter_map(|i| {
            cases
                .iter()
                .find(|c| c.id == i.case_id)
                .map(|c| c.reference.clone())
        })
        .collect();
    let member_ids: Vec<_> = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.professional_id)
        .collect();
    let members = professional::Entity::find()
        .filter(professional::Column::Id.is_in(member_ids))
        .all(db)
        .await?;
    let organizer = members
        .iter()
        .find(|m| m.id == meeting.organizer_id)
        .ok_or_else(|| Error::internal(format!("delivery {}: its organizer is missing", row.id)))?;
    let method = row.method.unwrap_or(ItipMethod::Request);
    let cancelled = method == ItipMethod::Cancel;
    let texts = kit_entity::content::texts::committee_text(
        &kit_entity::content::texts::CommitteeMail {
            starts: meeting.starts_at,
            ends: meeting.ends_at,
            location: meeting.location.as_deref(),
            references: &references,
            cancelled,
            product_url: ctx.links.public_url(),
        },
        row.language,
    );
    let from_address = sender_address(ctx);
    let calendar = render(
        Some(method),
        &[EventText {
            uid: format!("committee-{}@kit", meeting.id),
            sequence: row.sequence,
            stamp: now,
            starts: meeting.starts_at,
            ends: meeting.ends_at,
            summary: texts.summary.clone(),
            description: texts.body.clone(),
            location: meeting.location.clone(),
            url: Some(ctx.links.public_url().to_owned()),
            organizer: Some(party(organizer)),
            sent_by: Some(from_address),
            attendees: members
                .iter()
                .map(|m| AttendeeLine {
                    party: party(m),
                    required: true,
                    response: if m.id == meeting.organizer_id {
                        kit_entity::domain::enums::InviteeResponse::Accepted
                    } else {
                        kit_entity::domain::enums::InviteeResponse::NeedsAction
                    },
                })
                .collect(),
            cancelled,
        }],
    );
    let to_name = members
        .iter()
        .find(|m| m.email == row.recipient)
        .map_or_else(String::new, |m| m.name.clone());
    let message = compose(&CalendarMail {
        from: &ctx.settings.mail_from,
        to: (&to_name, &row.recipient),
        reply_to: Some((&organizer.name, &organizer.email)),
        subject: &texts.subject,
        body: &texts.body,
        calendar: &calendar,
        method: method.as_str(),
        message_id: &row.message_id,
    })
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, calendar))
}

/// A consultation's invitation or cancellation, to its host or the one who booked it: the
/// offer, the time and the topic, never the concern.
async fn build_consultation(
    ctx: &Context,
    row: &delivery::Model,
    id: kit_entity::ids::ConsultationBookingId,
    now: DateTime<Utc>,
) -> Result<(lettre::Message, String)> {
    use kit_entity::entities::{consultation_booking, consultation_offer, professional};
    let missing =
        |what: &str| Error::internal(format!("delivery {}: its {what} is missing", row.id));
    let booking = consultation_booking::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| missing("consultation"))?;
    let offer = consultation_offer::Entity::find_by_id(booking.offer_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| missing("consultation offer"))?;
    let host = professional::Entity::find_by_id(offer.host_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| missing("host"))?;
    let booker = professional::Entity::find_by_id(booking.booked_by_id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| missing("booker"))?;
    let method = row.method.unwrap_or(ItipMethod::Request);
    let cancelled = method == ItipMethod::Cancel;
    let texts = kit_entity::content::texts::consultation_text(
        &kit_entity::content::texts::ConsultationMail {
            offer: &offer.name,
            starts: booking.starts_at,
            ends: booking.ends_at,
            channel: offer.channel,
            location: offer.location.as_deref(),
            topic: booking.topic,
            cancelled,
            product_url: ctx.links.public_url(),
        },
        row.language,
    );
    let from_address = sender_address(ctx);
    let calendar = render(
        Some(method),
        &[EventText {
            uid: format!("consultation-{}@kit", booking.id),
            sequence: row.sequence,
            stamp: now,
            starts: booking.starts_at,
            ends: booking.ends_at,
            summary: texts.summary.clone(),
            description: texts.body.clone(),
            location: offer.location.clone(),
            url: Some(ctx.links.public_url().to_owned()),
            organizer: Some(party(&host)),
            sent_by: Some(from_address),
            attendees: vec![
                AttendeeLine {
                    party: party(&host),
                    required: true,
                    response: kit_entity::domain::enums::InviteeResponse::Accepted,
                },
                AttendeeLine {
                    party: party(&booker),
                    required: true,
                    response: kit_entity::domain::enums::InviteeResponse::Accepted,
                },
            ],
            cancelled,
        }],
    );
    let to_name = if row.recipient == host.email {
        host.name.clone()
    } else {
        booker.name.clone()
    };
    let message = compose(&CalendarMail {
        from: &ctx.settings.mail_from,
        to: (&to_name, &row.recipient),
        reply_to: Some((&host.name, &host.email)),
        subject: &texts.subject,
        body: &texts.body,
        calendar: &calendar,
        method: method.as_str(),
        message_id: &row.message_id,
    })
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, calendar))
}

/// The e-mail carrying a family member's plan link: no personal data, only the link.
async fn build_plan_link(
    ctx: &Context,
    row: &delivery::Model,
    id: kit_entity::ids::PlanLinkId,
) -> Result<(lettre::Message, String)> {
    let link = kit_entity::entities::plan_link::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| Error::internal(format!("delivery {}: its plan link is missing", row.id)))?;
    let token = ctx.links.plan_token(link.id, link.expires_at)?;
    let (subject, body) = kit_entity::content::texts::plan_link_text(
        &ctx.links.plan_url(&token),
        link.expires_at,
        row.language,
    );
    let message = crate::mail::compose_plain(
        &ctx.settings.mail_from,
        &row.recipient,
        &subject,
        &body,
        &row.message_id,
    )
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, body))
}

async fn build_notification(
    ctx: &Context,
    row: &delivery::Model,
    id: kit_entity::ids::NotificationId,
) -> Result<(lettre::Message, String)> {
    let n = kit_entity::entities::notification::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or_else(|| {
            Error::internal(format!("delivery {}: its notification is missing", row.id))
        })?;
    let (d, rule, reference) = kit_entity::ops::deadlines::describe(&ctx.db, &n).await?;
    let (subject, body) = kit_entity::content::texts::notification_text(
        n.kind,
        &rule,
        &reference,
        d.due_at,
        row.language,
        ctx.links.public_url(),
    );
    let message = crate::mail::compose_plain(
        &ctx.settings.mail_from,
        &row.recipient,
        &subject,
        &body,
        &row.message_id,
    )
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, body))
}
