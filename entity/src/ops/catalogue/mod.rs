//! The early-intervention catalogue (Kalundborg's model): a municipality's preventive offers,
//! their cohorts, and the waiting list of cases for each.
//!
//! Who may do what:
//!
//! * the **catalogue** (offers) holds no child's data. A municipality's administrators create
//!   and change its offers; its professionals read them, and so do the members of an offer's
//!   provider unit when that unit belongs to another organization;
//! * **cohorts** (start days and seats) are run by the municipality's administrators and by
//!   the provider unit's members and leader, who know their capacity;
//! * a **waiting-list entry** names a case, so it is the child's data: it is placed, offered a
//!   seat, answered and withdrawn only by someone who manages the case (the intake unit, the
//!   case's responsible contacts and intervention lead — the same decision as every change
//!   to a case, logged as a CHANGE of `EARLY_INTERVENTIONS` in the changing transaction), and
//!   read only through the case's access decision. Provider staff who do not otherwise see a
//!   case see the queue's length and the cohorts' seats, never who is waiting.
//!
//! [`place_on_waiting_list`] is the placement itself, without an access check, for callers
//! that have decided access already inside their own transaction (the coordination
//! committee's decision to redirect a child to an early intervention); [`place`] is the same
//! for a professional, with the check.

use std::collections::HashMap;

use crate::domain::calendar::local_date;
use crate::domain::catalogue::MAX_TARGET_AGE;
use crate::domain::enums::WaitingStatus;
use crate::domain::validate;
use crate::entities::{
    early_intervention_cohort as cohort, early_intervention_offer as offer, organization, unit,
    waiting_entry,
};
use crate::ids::{CohortId, OfferId, OrganizationId, UnitId};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::access::Actor;

mod figures;
mod lapse;
mod waiting;

pub use figures::{OfferFigures, Placement, Queue, figures, queue, waiting_time};
pub use lapse::{Lapsed, lapse_unanswered};
pub use waiting::{
    OfferSeat, answer_seat_offer, offer_seat, place, place_on_waiting_list, withdraw,
};

/// The most seats a cohort may have.
pub const MAX_SEATS: i32 = 500;

/// True when `actor` may read `offer`: a professional of its municipality, or a member of its
/// provider unit.
#[must_use]
pub fn may_read(actor: &Actor, offer: &offer::Model) -> bool {
    actor.organization_id == offer.municipality_id
        || actor.professional.unit_id == offer.provider_unit_id
}

/// The condition on offers `actor` may read ([`may_read`] for lists).
#[must_use]
pub fn readable(actor: &Actor) -> Condition {
    Condition::any()
        .add(offer::Column::MunicipalityId.eq(actor.organization_id))
        .add(offer::Column::ProviderUnitId.eq(actor.professional.unit_id))
}

/// True when `actor` runs `offer`'s cohorts: an administrator of its municipality, or a
/// member or the leader of its provider unit.
#[must_use]
pub fn runs(actor: &Actor, offer: &offer::Model) -> bool {
    actor.administers(offer.municipality_id)
        || actor.professional.unit_id == offer.provider_unit_id
        || actor.leads_unit() == Some(offer.provider_unit_id)
}

/// What an offer is: the fields of a new one.
#[derive(Debug, Clone)]
pub struct OfferFields {
    /// The unit that provides it.
    pub provider_unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub purpose: String,
    /// The youngest age it takes, in whole years.
    pub min_age: i32,
    /// The oldest age it takes, in whole years.
    pub max_age: i32,
    /// How it runs, in words.
    pub cadence: String,
    /// Sessions per cohort, when fixed.
    pub sessions: Option<i32>,
    /// Weeks between cohort starts, when regular.
    pub weeks_between_cohorts: Option<i32>,
    /// Seats per cohort.
    pub seats_per_cohort: i32,
    /// Information is shared with the provider only under a signed consent.
    pub sharing_requires_consent: bool,
}

/// Changes to an offer; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct OfferChanges {
    /// A new provider unit.
    pub provider_unit_id: Option<UnitId>,
    /// A new name.
    pub name: Option<String>,
    /// A new purpose.
    pub purpose: Option<String>,
    /// A new youngest age.
    pub min_age: Option<i32>,
    /// A new oldest age.
    pub max_age: Option<i32>,
    /// A new cadence.
    pub cadence: Option<String>,
    /// Sessions per cohort: `Some(None)` removes it.
    pub sessions: Option<Option<i32>>,
    /// Weeks between cohorts: `Some(None)` removes it.
    pub weeks_between_cohorts: Option<Option<i32>>,
    /// New seats per cohort (for cohorts added from now on).
    pub seats_per_cohort: Option<i32>,
    /// Whether sharing needs a signed consent.
    pub sharing_requires_consent: Option<bool>,
    /// Whether cases may be placed on its list.
    pub is_active: Option<bool>,
}

fn in_range(field: &str, value: i32, min: i32, max: i32) -> Result<i32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            field,
            format!("must be from {min} to {max}, not {value}"),
        ))
    }
}

fn check_ages(min: i32, max: i32) -> Result<()> {
    in_range("minAge", min, 0, MAX_TARGET_AGE)?;
    in_range("maxAge", max, 0, MAX_TARGET_AGE)?;
    if max < min {
        return Err(Error::invalid(
            "maxAge",
            format!("must not be below the youngest age ({min})"),
        ));
    }
    Ok(())
}

async fn provider_unit<C: ConnectionTrait>(db: &C, id: UnitId) -> Result<unit::Model> {
    unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::invalid("providerUnitId", "no unit has this id"))
}

/// Creates an offer in a municipality's catalogue, by one of its administrators.
///
/// # Errors
/// [`Error::Validation`] naming the field for an unknown municipality or unit, ages outside
/// 0–25 or reversed, seats outside 1–500, texts too long; [`Error::Forbidden`] for anyone
/// but the municipality's administrators.
pub async fn create_offer<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    municipality_id: OrganizationId,
    fields: OfferFields,
) -> Result<offer::Model> {
    let municipality = organization::Entity::find_by_id(municipality_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::invalid("municipalityId", "no organization has this id"))?;
    actor.require_admin_of(municipality.id)?;
    if municipality.kind != crate::domain::enums::OrganizationKind::Municipality {
        return Err(Error::invalid(
            "municipalityId",
            "only a municipality keeps a catalogue of early interventions",
        ));
    }
    let unit = provider_unit(txn, fields.provider_unit_id).await?;
    check_ages(fields.min_age, fields.max_age)?;
    let row = offer::ActiveModel {
        id: NotSet,
        municipality_id: Set(municipality.id),
        provider_unit_id: Set(unit.id),
        name: Set(validate::name("name", &fields.name)?),
        purpose: Set(validate::long_text("purpose", &fields.purpose)?),
        min_age: Set(fields.min_age),
        max_age: Set(fields.max_age),
        cadence: Set(validate::name("cadence", &fields.cadence)?),
        sessions: Set(fields
            .sessions
            .map(|n| in_range("sessions", n, 1, 200))
            .transpose()?),
        weeks_between_cohorts: Set(fields
            .weeks_between_cohorts
            .map(|n| in_range("weeksBetweenCohorts", n, 1, 104))
            .transpose()?),
        seats_per_cohort: Set(in_range(
            "seatsPerCohort",
            fields.seats_per_cohort,
            1,
            MAX_SEATS,
        )?),
        sharing_requires_consent: Set(fields.sharing_requires_consent),
        is_active: Set(true),
        created_by_id: Set(actor.id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(row)
}

/// Loads an offer named by `field`.
async fn find_offer<C: ConnectionTrait>(db: &C, id: OfferId, field: &str) -> Result<offer::Model> {
    offer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("early intervention offer").at(field))
}

/// Changes an offer, by an administrator of its municipality. Cohorts keep their seats; a
/// new `seatsPerCohort` applies to cohorts added from now on.
///
/// # Errors
/// As [`create_offer`]; [`Error::NotFound`] on `input.offerId` for an offer the actor cannot
/// read.
pub async fn update_offer<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: OfferId,
    changes: OfferChanges,
) -> Result<offer::Model> {
    let found = find_offer(txn, id, "offerId").await?;
    if !may_read(actor, &found) {
        return Err(Error::not_found("early intervention offer").at("offerId"));
    }
    actor.require_admin_of(found.municipality_id)?;
    let min = changes.min_age.unwrap_or(found.min_age);
    let max = changes.max_age.unwrap_or(found.max_age);
    check_ages(min, max)?;
    let mut row: offer::ActiveModel = found.into();
    if let Some(unit) = changes.provider_unit_id {
        row.provider_unit_id = Set(provider_unit(txn, unit).await?.id);
    }
    if let Some(name) = changes.name {
        row.name = Set(validate::name("name", &name)?);
    }
    if let Some(purpose) = changes.purpose {
        row.purpose = Set(validate::long_text("purpose", &purpose)?);
    }
    row.min_age = Set(min);
    row.max_age = Set(max);
    if let Some(cadence) = changes.cadence {
        row.cadence = Set(validate::name("cadence", &cadence)?);
    }
    if let Some(sessions) = changes.sessions {
        row.sessions = Set(sessions
            .map(|n| in_range("sessions", n, 1, 200))
            .transpose()?);
    }
    if let Some(weeks) = changes.weeks_between_cohorts {
        row.weeks_between_cohorts = Set(weeks
            .map(|n| in_range("weeksBetweenCohorts", n, 1, 104))
            .transpose()?);
    }
    if let Some(seats) = changes.seats_per_cohort {
        row.seats_per_cohort = Set(in_range("seatsPerCohort", seats, 1, MAX_SEATS)?);
    }
    if let Some(flag) = changes.sharing_requires_consent {
        row.sharing_requires_consent = Set(flag);
    }
    if let Some(active) = changes.is_active {
        row.is_active = Set(active);
    }
    row.updated_at = Set(now);
    Ok(row.update(txn).await?)
}

/// Adds a cohort to an offer: its start day and seats (the offer's capacity by default).
///
/// # Errors
/// [`Error::NotFound`] on `input.offerId`; [`Error::Forbidden`] for anyone who does not run
/// the offer ([`runs`]); [`Error::Validation`] for a start in the past or seats outside 1–500.
pub async fn add_cohort<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    offer_id: OfferId,
    starts_on: NaiveDate,
    seats: Option<i32>,
) -> Result<cohort::Model> {
    let offer = find_offer(txn, offer_id, "offerId").await?;
    require_runs(actor, &offer, "offerId")?;
    if starts_on < local_date(now) {
        return Err(Error::invalid("startsOn", "must not be in the past"));
    }
    let seats = in_range(
        "seats",
        seats.unwrap_or(offer.seats_per_cohort),
        1,
        MAX_SEATS,
    )?;
    Ok(cohort::ActiveModel {
        id: NotSet,
        offer_id: Set(offer.id),
        starts_on: Set(starts_on),
        seats: Set(seats),
        created_by_id: Set(actor.id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?)
}

fn require_runs(actor: &Actor, offer: &offer::Model, field: &str) -> Result<()> {
    if !may_read(actor, offer) {
        return Err(Error::not_found("early intervention offer").at(field));
    }
    if runs(actor, offer) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the municipality's administrators and the provider unit run an offer's cohorts",
        ))
    }
}

/// Locks a cohort for the rest of the transaction (a row lock on PostgreSQL; SQLite has one
/// writer) so that seats are counted and taken by one change at a time.
async fn lock_cohort<C: ConnectionTrait>(
    db: &C,
    id: CohortId,
    now: DateTime<Utc>,
    field: &str,
) -> Result<cohort::Model> {
    let locked = cohort::Entity::update_many()
        .col_expr(cohort::Column::UpdatedAt, Expr::value(now))
        .filter(cohort::Column::Id.eq(id))
        .exec(db)
        .await?;
    if locked.rows_affected != 1 {
        return Err(Error::not_found("cohort").at(field));
    }
    cohort::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("cohort").at(field))
}

/// Seats of a cohort taken: entries enrolled in it, and those offered a seat in it and not
/// yet answered.
///
/// # Errors
/// When the database fails.
pub async fn taken<C: ConnectionTrait>(
    db: &C,
    cohorts: &[CohortId],
) -> Result<HashMap<CohortId, (u64, u64)>> {
    let mut out: HashMap<CohortId, (u64, u64)> = cohorts.iter().map(|&c| (c, (0, 0))).collect();
    if cohorts.is_empty() {
        return Ok(out);
    }
    for e in waiting_entry::Entity::find()
        .filter(waiting_entry::Column::CohortId.is_in(cohorts.iter().copied()))
        .filter(
            waiting_entry::Column::Status.is_in([WaitingStatus::Offered, WaitingStatus::Enrolled]),
        )
        .all(db)
        .await?
    {
        if let Some(c) = e.cohort_id {
            let counts = out.entry(c).or_default();
            if e.status == WaitingStatus::Enrolled {
                counts.0 += 1;
            } else {
                counts.1 += 1;
            }
        }
    }
    Ok(out)
}

/// Changes a cohort's seats. Seats below those already taken (enrolled or offered) are
/// refused; the queue's expected starts follow the new number.
///
/// # Errors
/// [`Error::NotFound`] on `input.cohortId`; [`Error::Forbidden`] as [`add_cohort`];
/// [`Error::Validation`] on `input.seats`.
pub async fn change_cohort_seats<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    cohort_id: CohortId,
    seats: i32,
) -> Result<cohort::Model> {
    let found = cohort::Entity::find_by_id(cohort_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("cohort").at("cohortId"))?;
    let offer = find_offer(txn, found.offer_id, "cohortId").await?;
    require_runs(actor, &offer, "cohortId")?;
    let locked = lock_cohort(txn, cohort_id, now, "cohortId").await?;
    let seats = in_range("seats", seats, 1, MAX_SEATS)?;
    let (enrolled, offered) = taken(txn, &[cohort_id])
        .await?
        .remove(&cohort_id)
        .unwrap_or_default();
    if u64::try_from(seats).unwrap_or(0) < enrolled + offered {
        return Err(Error::invalid(
            "seats",
            format!(
                "{} seats are taken ({enrolled} enrolled, {offered} offered and not yet answered)",
                enrolled + offered
            ),
        ));
    }
    let mut row: cohort::ActiveModel = locked.into();
    row.seats = Set(seats);
    row.updated_at = Set(now);
    Ok(row.update(txn).await?)
}

// Reads: an offer's cohorts and a case's places in the queues, as the GraphQL fields show
// them. The caller has decided that the viewer may read them.

/// An offer's cohorts by start day; only those starting on `from` or later when given.
///
/// # Errors
/// Database errors.
pub async fn cohorts_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    offer: OfferId,
    from: Option<NaiveDate>,
) -> Result<Vec<cohort::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let mut query = cohort::Entity::find().filter(cohort::Column::OfferId.eq(offer));
    if let Some(from) = from {
        query = query.filter(cohort::Column::StartsOn.gte(from));
    }
    Ok(query
        .order_by_asc(cohort::Column::StartsOn)
        .order_by_asc(cohort::Column::Id)
        .all(db)
        .await?)
}

/// A case's waiting-list entries, newest first.
///
/// # Errors
/// Database errors.
pub async fn entries_of_case<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: crate::ids::CaseId,
) -> Result<Vec<waiting_entry::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(waiting_entry::Entity::find()
        .filter(waiting_entry::Column::CaseId.eq(case))
        .order_by_desc(waiting_entry::Column::PlacedAt)
        .order_by_desc(waiting_entry::Column::Id)
        .all(db)
        .await?)
}
