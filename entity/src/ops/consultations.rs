//! Consultation ("sparring") without a case. An organization publishes recurring weekly slots
//! within its office hours (child psychiatry's consultation hours, a fixed weekly phone slot);
//! any professional books one about a concern without identifying the child — the text is
//! refused when it holds a CPR number — and both get a calendar invitation. The offering
//! organization sees monthly counts per topic.

use crate::domain::calendar::{calendar_of, clock_time};
use crate::domain::consultation::Weekdays;
use crate::domain::enums::{
    ConsultationChannel, ConsultationStatus, ConsultationTopic, ItipMethod,
};
use crate::domain::identifying::contains_cpr;
use crate::domain::unique::ONE_BOOKING_PER_SLOT;
use crate::domain::validate;
use crate::entities::{consultation_booking, consultation_offer, organization, professional, unit};
use crate::ids::{ConsultationBookingId, ConsultationOfferId, OrganizationId, ProfessionalId};
use crate::ops::outbox::{self, About, Mail};
use crate::{Error, Result};
use chrono::{DateTime, Utc, Weekday};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::access::Actor;

/// Shortest and longest slot.
pub const SLOT_MINUTES: std::ops::RangeInclusive<i32> = 10..=120;

/// An offer to publish, or its new shape.
#[derive(Debug, Clone)]
pub struct OfferInput {
    /// Who takes the consultations: a professional of the organization.
    pub host_id: ProfessionalId,
    /// Its name.
    pub name: String,
    /// What it is for and who may book it.
    pub description: String,
    /// Phone, video or in person.
    pub channel: ConsultationChannel,
    /// Where, or the number to call.
    pub location: Option<String>,
    /// The weekdays it recurs on.
    pub weekdays: Vec<Weekday>,
    /// First slot's start, minutes after local midnight.
    pub start_minute: i32,
    /// The last slot ends by then.
    pub end_minute: i32,
    /// Each slot's length.
    pub slot_minutes: i32,
}

async fn checked<C: ConnectionTrait>(
    db: &C,
    organization: &organization::Model,
    input: OfferInput,
) -> Result<(OfferInput, Weekdays)> {
    let host = professional::Entity::find_by_id(input.host_id)
        .one(db)
        .await?
        .filter(|p| p.is_active);
    let host_unit = match &host {
        Some(h) => unit::Entity::find_by_id(h.unit_id).one(db).await?,
        None => None,
    };
    if host_unit.is_none_or(|u| u.organization_id != organization.id) {
        return Err(Error::invalid(
            "hostId",
            "not an active professional of the organization",
        ));
    }
    if input.weekdays.is_empty() {
        return Err(Error::invalid("weekdays", "name at least one weekday"));
    }
    if input
        .weekdays
        .iter()
        .any(|d| matches!(d, Weekday::Sat | Weekday::Sun))
    {
        return Err(Error::invalid(
            "weekdays",
            "consultations are held on working days, Monday to Friday",
        ));
    }
    if !SLOT_MINUTES.contains(&input.slot_minutes) {
        return Err(Error::invalid(
            "slotMinutes",
            "must be between 10 and 120 minutes",
        ));
    }
    let (open, close) = (
        organization.office_hours_start_minute,
        organization.office_hours_end_minute,
    );
    if input.start_minute < open || input.start_minute >= close {
        return Err(Error::invalid(
            "startTime",
            format!(
                "must lie within the organization's office hours, {}–{}",
                clock_time(open),
                clock_time(close)
            ),
        ));
    }
    if input.end_minute > close {
        return Err(Error::invalid(
            "endTime",
            format!(
                "must lie within the organization's office hours, {}–{}",
                clock_time(open),
                clock_time(close)
            ),
        ));
    }
    if input.end_minute < input.start_minute + input.slot_minutes {
        return Err(Error::invalid(
            "endTime",
            "leaves no room for a single slot after startTime",
        ));
    }
    let weekdays = Weekdays::of(input.weekdays.iter().copied());
    Ok((
        OfferInput {
            name: validate::short_text("name", &input.name)?,
            description: validate::long_text("description", &input.description)?,
            location: validate::optional(
                "location",
                input.location.as_deref(),
                validate::short_text,
            )?,
            ..input
        },
        weekdays,
    ))
}

async fn organization_of<C: ConnectionTrait>(
    db: &C,
    id: OrganizationId,
    field: &str,
) -> Result<organization::Model> {
    organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("organization").at(field))
}

/// Publishes an offer of the organization the actor administers.
///
/// # Errors
/// [`Error::Forbidden`] for anyone but its administrators; [`Error::Validation`] naming the
/// field: a host of another organization, weekend days, times outside the office hours or
/// leaving no slot, a slot length outside 10–120 minutes, empty texts.
pub async fn publish_offer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    organization_id: OrganizationId,
    input: OfferInput,
) -> Result<consultation_offer::Model> {
    let organization = organization_of(txn, organization_id, "organizationId").await?;
    actor.require_admin_of(organization.id)?;
    let (input, weekdays) = checked(txn, &organization, input)
        .await
        .map_err(|e| e.nested("offer."))?;
    Ok(consultation_offer::ActiveModel {
        id: NotSet,
        organization_id: Set(organization.id),
        host_id: Set(input.host_id),
        name: Set(input.name),
        description: Set(input.description),
        channel: Set(input.channel),
        location: Set(input.location),
        weekdays: Set(weekdays.0),
        start_minute: Set(input.start_minute),
        end_minute: Set(input.end_minute),
        slot_minutes: Set(input.slot_minutes),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Changes an offer: its shape (bookings made stay), or whether it is open for booking.
///
/// # Errors
/// As [`publish_offer`]; [`Error::NotFound`] for an unknown offer.
pub async fn update_offer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: ConsultationOfferId,
    input: Option<OfferInput>,
    active: Option<bool>,
) -> Result<consultation_offer::Model> {
    let offer = consultation_offer::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("consultation offer").at("id"))?;
    actor.require_admin_of(offer.organization_id)?;
    let organization = organization_of(txn, offer.organization_id, "id").await?;
    let mut row: consultation_offer::ActiveModel = offer.into();
    if let Some(input) = input {
        let (input, weekdays) = checked(txn, &organization, input)
            .await
            .map_err(|e| e.nested("offer."))?;
        row.host_id = Set(input.host_id);
        row.name = Set(input.name);
        row.description = Set(input.description);
        row.channel = Set(input.channel);
        row.location = Set(input.location);
        row.weekdays = Set(weekdays.0);
        row.start_minute = Set(input.start_minute);
        row.end_minute = Set(input.end_minute);
        row.slot_minutes = Set(input.slot_minutes);
    }
    if let Some(active) = active {
        row.active = Set(active);
    }
    row.updated_at = Set(now);
    Ok(row.update(txn).await?)
}

/// A consultation to book.
#[derive(Debug, Clone)]
pub struct Book {
    /// The offer.
    pub offer_id: ConsultationOfferId,
    /// The slot's start, as `availableSlots` lists it.
    pub starts_at: DateTime<Utc>,
    /// What it is about.
    pub topic: ConsultationTopic,
    /// The concern, without the child's identity.
    pub concern: String,
}

/// Books a free slot of an open offer for the actor, and queues the calendar invitations to
/// the host and the actor.
///
/// # Errors
/// [`Error::Validation`] naming the field: an unknown or closed offer, a time that is no slot
/// of the offer (not one of its weekdays, a holiday or closure day, off the grid) or has
/// passed, a concern holding a CPR number; [`Error::Conflict`] when the slot is taken.
pub async fn book(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: Book,
) -> Result<consultation_booking::Model> {
    let offer = consultation_offer::Entity::find_by_id(cmd.offer_id)
        .one(txn)
        .await?
        .filter(|o| o.active)
        .ok_or_else(|| Error::invalid("offerId", "no open consultation offer"))?;
    if cmd.starts_at <= now {
        return Err(Error::invalid("startsAt", "has already passed"));
    }
    let calendar = calendar_of(txn, offer.organization_id).await?;
    if !offer.pattern().has_slot_at(&calendar, cmd.starts_at) {
        return Err(Error::invalid(
            "startsAt",
            "is not a slot of the offer: see its availableSlots",
        ));
    }
    let concern = validate::long_text("concern", &cmd.concern)?;
    if contains_cpr(&concern) {
        return Err(Error::invalid(
            "concern",
            "holds a CPR number: describe the concern without identifying the child",
        ));
    }
    let taken = consultation_booking::Entity::find()
        .filter(consultation_booking::Column::OfferId.eq(offer.id))
        .filter(consultation_booking::Column::StartsAt.eq(cmd.starts_at))
        .filter(consultation_booking::Column::Status.eq(ConsultationStatus::Booked))
        .one(txn)
        .await?
        .is_some();
    if taken {
        return Err(Error::conflict("the slot is booked already"));
    }
    let booking = consultation_booking::ActiveModel {
        id: NotSet,
        offer_id: Set(offer.id),
        starts_at: Set(cmd.starts_at),
        ends_at: Set(cmd.starts_at + chrono::TimeDelta::minutes(i64::from(offer.slot_minutes))),
        booked_by_id: Set(actor.id()),
        topic: Set(cmd.topic),
        concern: Set(concern),
        status: Set(ConsultationStatus::Booked),
        created_at: Set(now),
        cancelled_at: Set(None),
        cancelled_by_id: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(&ONE_BOOKING_PER_SLOT, "the slot is booked already")
    })?;
    queue_invitations(txn, now, &offer, &booking, ItipMethod::Request).await?;
    Ok(booking)
}

/// Cancels a booking: the one who booked it, or an administrator or the host of the offering
/// organization. Both are sent a cancellation.
///
/// # Errors
/// [`Error::NotFound`] for a booking the actor may not see; [`Error::Conflict`] when it is
/// cancelled already.
pub async fn cancel(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: ConsultationBookingId,
) -> Result<consultation_booking::Model> {
    let booking = consultation_booking::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("consultation").at("id"))?;
    let offer = consultation_offer::Entity::find_by_id(booking.offer_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a booking without its offer"))?;
    if !may_see_booking(actor, &offer, &booking) {
        return Err(Error::not_found("consultation").at("id"));
    }
    if booking.status == ConsultationStatus::Cancelled {
        return Err(Error::conflict("the consultation is cancelled already"));
    }
    let mut row: consultation_booking::ActiveModel = booking.into();
    row.status = Set(ConsultationStatus::Cancelled);
    row.cancelled_at = Set(Some(now));
    row.cancelled_by_id = Set(Some(actor.id()));
    let booking = row.update(txn).await?;
    queue_invitations(txn, now, &offer, &booking, ItipMethod::Cancel).await?;
    Ok(booking)
}

/// Who may see a booking and its concern: the one who booked it, the host, and the offering
/// organization's administrators.
#[must_use]
pub fn may_see_booking(
    actor: &Actor,
    offer: &consultation_offer::Model,
    booking: &consultation_booking::Model,
) -> bool {
    booking.booked_by_id == actor.id()
        || offer.host_id == actor.id()
        || actor.administers(offer.organization_id)
}

/// One calendar message to the host and one to the booker (REQUEST at sequence 0, CANCEL at
/// sequence 1), with a job to send each.
async fn queue_invitations(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    offer: &consultation_offer::Model,
    booking: &consultation_booking::Model,
    method: ItipMethod,
) -> Result<()> {
    let sequence = match method {
        ItipMethod::Request => 0,
        ItipMethod::Cancel => 1,
    };
    let people = professional::Entity::find()
        .filter(professional::Column::Id.is_in([offer.host_id, booking.booked_by_id]))
        .all(txn)
        .await?;
    for person in people {
        outbox::queue_mail(
            txn,
            now,
            Mail {
                about: About::Consultation(booking.id),
                sequence,
                method: Some(method),
                recipient: person.email,
                language: person.language,
            },
        )
        .await?;
    }
    Ok(())
}

// Reads: an offer's bookings as its fields show them, each under who may see it.

/// When an offer's booked consultations from `from` to `to` start: the slots taken.
///
/// # Errors
/// Database errors.
pub async fn taken<C: sea_orm::ConnectionTrait>(
    db: &C,
    offer: ConsultationOfferId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    use sea_orm::QuerySelect;
    Ok(consultation_booking::Entity::find()
        .select_only()
        .column(consultation_booking::Column::StartsAt)
        .filter(consultation_booking::Column::OfferId.eq(offer))
        .filter(consultation_booking::Column::Status.eq(ConsultationStatus::Booked))
        .filter(consultation_booking::Column::StartsAt.gte(from))
        .filter(consultation_booking::Column::StartsAt.lt(to))
        .into_tuple()
        .all(db)
        .await?)
}

/// An offer's bookings from `from` on (all when `None`), earliest first, as `actor` may see
/// them: every booking for the host and the organization's administrators, their own for
/// anyone else ([`may_see_booking`]).
///
/// # Errors
/// Database errors.
pub async fn bookings_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    offer: &consultation_offer::Model,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<consultation_booking::Model>> {
    use sea_orm::QueryOrder;
    let mut query = consultation_booking::Entity::find()
        .filter(consultation_booking::Column::OfferId.eq(offer.id));
    if offer.host_id != actor.id() && !actor.administers(offer.organization_id) {
        query = query.filter(consultation_booking::Column::BookedById.eq(actor.id()));
    }
    if let Some(from) = from {
        query = query.filter(consultation_booking::Column::StartsAt.gte(from));
    }
    Ok(query
        .order_by_asc(consultation_booking::Column::StartsAt)
        .order_by_asc(consultation_booking::Column::Id)
        .all(db)
        .await?)
}

/// When an offer's booked consultations from `from` to before `until` started, and on what
/// topic: what its statistics count.
///
/// # Errors
/// Database errors.
pub async fn booked_topics<C: sea_orm::ConnectionTrait>(
    db: &C,
    offer: ConsultationOfferId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, ConsultationTopic)>> {
    use sea_orm::QuerySelect;
    Ok(consultation_booking::Entity::find()
        .select_only()
        .column(consultation_booking::Column::StartsAt)
        .column(consultation_booking::Column::Topic)
        .filter(consultation_booking::Column::OfferId.eq(offer))
        .filter(consultation_booking::Column::Status.eq(ConsultationStatus::Booked))
        .filter(consultation_booking::Column::StartsAt.gte(from))
        .filter(consultation_booking::Column::StartsAt.lt(until))
        .into_tuple()
        .all(db)
        .await?)
}

/// The consultations a professional booked that start at `from` or later, earliest first.
///
/// # Errors
/// Database errors.
pub async fn booked_by<C: sea_orm::ConnectionTrait>(
    db: &C,
    professional: ProfessionalId,
    from: DateTime<Utc>,
) -> Result<Vec<consultation_booking::Model>> {
    use sea_orm::QueryOrder;
    Ok(consultation_booking::Entity::find()
        .filter(consultation_booking::Column::BookedById.eq(professional))
        .filter(consultation_booking::Column::StartsAt.gte(from))
        .order_by_asc(consultation_booking::Column::StartsAt)
        .all(db)
        .await?)
}

/// The consultation offers `actor` may list, for a page: those open to booking, of one
/// organization or of all; with `closed_too`, also the closed ones of `organization`, which
/// only its administrators may list.
///
/// # Errors
/// [`Error::Forbidden`] for closed offers without administering the organization.
pub fn offers_listed(
    actor: &Actor,
    organization: Option<OrganizationId>,
    closed_too: bool,
) -> Result<sea_orm::Select<consultation_offer::Entity>> {
    let mut offers = consultation_offer::Entity::find();
    if let Some(o) = organization {
        offers = offers.filter(consultation_offer::Column::OrganizationId.eq(o));
    }
    if closed_too {
        if !organization.is_some_and(|o| actor.administers(o)) {
            return Err(Error::forbidden(
                "closed offers are listed to their organization's administrators",
            ));
        }
        Ok(offers)
    } else {
        Ok(offers.filter(consultation_offer::Column::Active.eq(true)))
    }
}
