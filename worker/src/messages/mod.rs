//! The product's e-mails, one file per kind of message behind one small trait: [`Message`]
//! reads what a delivery row's message says ([`Message::load`]) and writes it
//! ([`Message::render`]). [`build`] picks the kind from the row's subject
//! ([`About::of`]); adding an e-mail is one variant of `About` and one file here.

mod committee;
mod consultation;
mod decision;
mod invitation;
mod notification;
mod plan_link;

use chrono::{DateTime, Utc};
use kit_entity::entities::{delivery, professional};
use kit_entity::ops::outbox::About;
use kit_entity::{Error, Result};

use crate::context::Context;
use crate::mail::{CalendarMail, compose};
use kit_entity::content::ical::{EventText, Party, render};
use kit_entity::domain::enums::ItipMethod;

/// A rendered e-mail and its text: the calendar object of a calendar message, the body of a
/// plain one.
pub type Rendered = (lettre::Message, String);

/// One kind of message.
pub(crate) trait Message: Sized {
    /// The id its delivery rows carry as their subject.
    type Id: Copy;

    /// Reads what the message of `row` says, about `id`.
    ///
    /// # Errors
    /// When what it is about is missing; database errors.
    async fn load(ctx: &Context, row: &delivery::Model, id: Self::Id) -> Result<Self>;

    /// Writes the message to `row.recipient`, stamped `now`.
    ///
    /// # Errors
    /// When an address is malformed or a signed link cannot be made.
    fn render(&self, ctx: &Context, row: &delivery::Model, now: DateTime<Utc>) -> Result<Rendered>;

    /// True when what the message carries was taken back before it left (it is then
    /// SUPERSEDED, never sent). A newer version of the same subject to the same recipient
    /// supersedes any kind; this is for what else a kind can withdraw.
    ///
    /// # Errors
    /// Database errors.
    async fn withdrawn(_ctx: &Context, _id: Self::Id) -> Result<bool> {
        Ok(false)
    }
}

/// Loads and renders the message of a delivery row.
///
/// # Errors
/// When the rows it refers to are missing, or an address is malformed.
pub async fn build(ctx: &Context, row: &delivery::Model, now: DateTime<Utc>) -> Result<Rendered> {
    async fn of<M: Message>(
        ctx: &Context,
        row: &delivery::Model,
        id: M::Id,
        now: DateTime<Utc>,
    ) -> Result<Rendered> {
        M::load(ctx, row, id).await?.render(ctx, row, now)
    }
    match About::of(row) {
        About::Invitation(id) => of::<invitation::Invitation>(ctx, row, id, now).await,
        About::Notification(id) => of::<notification::Notification>(ctx, row, id, now).await,
        About::PlanLink(id) => of::<plan_link::PlanLink>(ctx, row, id, now).await,
        About::Consultation(id) => of::<consultation::Consultation>(ctx, row, id, now).await,
        About::Committee(id) => of::<committee::Committee>(ctx, row, id, now).await,
        About::Decision(id) => of::<decision::Decision>(ctx, row, id, now).await,
    }
}

/// True when what `row` carries was withdrawn before it left.
///
/// # Errors
/// Database errors.
pub async fn withdrawn(ctx: &Context, row: &delivery::Model) -> Result<bool> {
    match About::of(row) {
        About::Invitation(id) => invitation::Invitation::withdrawn(ctx, id).await,
        About::Notification(id) => notification::Notification::withdrawn(ctx, id).await,
        About::PlanLink(id) => plan_link::PlanLink::withdrawn(ctx, id).await,
        About::Consultation(id) => consultation::Consultation::withdrawn(ctx, id).await,
        About::Committee(id) => committee::Committee::withdrawn(ctx, id).await,
        About::Decision(id) => decision::Decision::withdrawn(ctx, id).await,
    }
}

/// The error for a row whose `what` is gone.
fn missing(row: &delivery::Model, what: &str) -> Error {
    Error::internal(format!("delivery {}: its {what} is missing", row.id))
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
fn party(p: &professional::Model) -> Party {
    Party {
        name: p.name.clone(),
        email: p.email.clone(),
    }
}

/// A plain e-mail (no calendar) with `subject` and `body` to `row.recipient`.
fn plain(ctx: &Context, row: &delivery::Model, subject: &str, body: String) -> Result<Rendered> {
    let message = crate::mail::compose_plain(
        &ctx.settings.mail_from,
        &row.recipient,
        subject,
        &body,
        &row.message_id,
    )
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, body))
}

/// A calendar e-mail to `row.recipient`, called `to_name`: `event` in an iCalendar object of
/// `method`, under `subject`, its description as the body; answers go to `reply_to`.
fn calendar_mail(
    ctx: &Context,
    row: &delivery::Model,
    to_name: &str,
    reply_to: Option<(&str, &str)>,
    method: ItipMethod,
    subject: &str,
    event: EventText,
) -> Result<Rendered> {
    let body = event.description.clone();
    let calendar = render(Some(method), &[event]);
    let message = compose(&CalendarMail {
        from: &ctx.settings.mail_from,
        to: (to_name, &row.recipient),
        reply_to,
        subject,
        body: &body,
        calendar: &calendar,
        method: method.as_str(),
        message_id: &row.message_id,
    })
    .map_err(|e| Error::internal(e.message))?;
    Ok((message, calendar))
}
