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

use chrono::{DateTime, NaiveDate, Utc};
use kit_entity::domain::calendar::local_date;
use kit_entity::domain::catalogue::{
    CohortRoom, MAX_TARGET_AGE, WaitingTime, expected_starts, fits_age, wait_days,
};
use kit_entity::domain::enums::{RuleEvent, WaitingStatus};
use kit_entity::domain::status::CaseStatus;
use kit_entity::domain::unique::ONE_OPEN_WAITING_ENTRY;
use kit_entity::domain::validate;
use kit_entity::entities::{
    case, child, early_intervention_cohort as cohort, early_intervention_offer as offer,
    organization, unit, waiting_entry,
};
use kit_entity::ids::{
    CaseId, CohortId, OfferId, OrganizationId, ProfessionalId, UnitId, WaitingEntryId,
};
use kit_entity::ops::deadlines::{self, Event};
use kit_entity::{Error, Result};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder,
};

use crate::access::{Actor, change_access, consents_of};
use crate::access_log::ChildData;
use crate::services::case::touch;

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
    in_range("input.minAge", min, 0, MAX_TARGET_AGE)?;
    in_range("input.maxAge", max, 0, MAX_TARGET_AGE)?;
    if max < min {
        return Err(Error::invalid(
            "input.maxAge",
            format!("must not be below the youngest age ({min})"),
        ));
    }
    Ok(())
}

async fn provider_unit<C: ConnectionTrait>(db: &C, id: UnitId) -> Result<unit::Model> {
    unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::invalid("input.providerUnitId", "no unit has this id"))
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
        .ok_or_else(|| Error::invalid("input.municipalityId", "no organization has this id"))?;
    actor.require_admin_of(municipality.id)?;
    if municipality.kind != kit_entity::domain::enums::OrganizationKind::Municipality {
        return Err(Error::invalid(
            "input.municipalityId",
            "only a municipality keeps a catalogue of early interventions",
        ));
    }
    let unit = provider_unit(txn, fields.provider_unit_id).await?;
    check_ages(fields.min_age, fields.max_age)?;
    let row = offer::ActiveModel {
        id: NotSet,
        municipality_id: Set(municipality.id),
        provider_unit_id: Set(unit.id),
        name: Set(validate::name("input.name", &fields.name)?),
        purpose: Set(validate::long_text("input.purpose", &fields.purpose)?),
        min_age: Set(fields.min_age),
        max_age: Set(fields.max_age),
        cadence: Set(validate::name("input.cadence", &fields.cadence)?),
        sessions: Set(fields
            .sessions
            .map(|n| in_range("input.sessions", n, 1, 200))
            .transpose()?),
        weeks_between_cohorts: Set(fields
            .weeks_between_cohorts
            .map(|n| in_range("input.weeksBetweenCohorts", n, 1, 104))
            .transpose()?),
        seats_per_cohort: Set(in_range(
            "input.seatsPerCohort",
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
    let found = find_offer(txn, id, "input.offerId").await?;
    if !may_read(actor, &found) {
        return Err(Error::not_found("early intervention offer").at("input.offerId"));
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
        row.name = Set(validate::name("input.name", &name)?);
    }
    if let Some(purpose) = changes.purpose {
        row.purpose = Set(validate::long_text("input.purpose", &purpose)?);
    }
    row.min_age = Set(min);
    row.max_age = Set(max);
    if let Some(cadence) = changes.cadence {
        row.cadence = Set(validate::name("input.cadence", &cadence)?);
    }
    if let Some(sessions) = changes.sessions {
        row.sessions = Set(sessions
            .map(|n| in_range("input.sessions", n, 1, 200))
            .transpose()?);
    }
    if let Some(weeks) = changes.weeks_between_cohorts {
        row.weeks_between_cohorts = Set(weeks
            .map(|n| in_range("input.weeksBetweenCohorts", n, 1, 104))
            .transpose()?);
    }
    if let Some(seats) = changes.seats_per_cohort {
        row.seats_per_cohort = Set(in_range("input.seatsPerCohort", seats, 1, MAX_SEATS)?);
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
    let offer = find_offer(txn, offer_id, "input.offerId").await?;
    require_runs(actor, &offer, "input.offerId")?;
    if starts_on < local_date(now) {
        return Err(Error::invalid("input.startsOn", "must not be in the past"));
    }
    let seats = in_range(
        "input.seats",
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
        .ok_or_else(|| Error::not_found("cohort").at("input.cohortId"))?;
    let offer = find_offer(txn, found.offer_id, "input.cohortId").await?;
    require_runs(actor, &offer, "input.cohortId")?;
    let locked = lock_cohort(txn, cohort_id, now, "input.cohortId").await?;
    let seats = in_range("input.seats", seats, 1, MAX_SEATS)?;
    let (enrolled, offered) = taken(txn, &[cohort_id])
        .await?
        .remove(&cohort_id)
        .unwrap_or_default();
    if u64::try_from(seats).unwrap_or(0) < enrolled + offered {
        return Err(Error::invalid(
            "input.seats",
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

/// Puts a case on an offer's waiting list, at the back of the queue, inside the caller's
/// transaction. This is the placement without an access check: the caller has decided
/// already that the change is allowed and logged it (as the coordination committee's intake
/// decision does with `change_access`); [`place`] is the same for a professional, with the
/// check.
///
/// It checks that the offer is active and in the case's municipality's catalogue, that the
/// case's pathway is not CLOSED or REJECTED (a REDIRECTED case is what the catalogue is for),
/// that the child's age on the day (Europe/Copenhagen, whole years) is within the offer's
/// target ages, that a signed consent covers the provider when the offer shares only under
/// one (an active consent on the case naming the municipality and, if it is another
/// organization, the provider unit's), and that the case is not waiting on the offer
/// already (WAITING or OFFERED; a case enrolled, declined or withdrawn before may wait
/// again).
///
/// # Errors
/// [`Error::NotFound`] on `input.offerId` or `input.caseId`; [`Error::Validation`] on
/// `input.offerId` for an inactive offer or another municipality's, on `input.caseId` for a
/// child outside the target ages or a missing consent; [`Error::Conflict`] for a closed or
/// rejected case and for a case waiting on the offer already.
pub async fn place_on_waiting_list<C: ConnectionTrait>(
    txn: &C,
    placed_by: ProfessionalId,
    case_id: CaseId,
    offer_id: OfferId,
    now: DateTime<Utc>,
) -> Result<waiting_entry::Model> {
    let case = case::Entity::find_by_id(case_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("case").at("input.caseId"))?;
    let offer = find_offer(txn, offer_id, "input.offerId").await?;
    if offer.municipality_id != case.municipality_id {
        return Err(Error::invalid(
            "input.offerId",
            "the offer is in another municipality's catalogue than the case",
        ));
    }
    if !offer.is_active {
        return Err(Error::invalid(
            "input.offerId",
            format!(
                "{} takes no one on its waiting list: it is not active",
                offer.name
            ),
        ));
    }
    if matches!(case.status, CaseStatus::Closed | CaseStatus::Rejected) {
        return Err(Error::conflict(format!(
            "the case is {} and can no longer wait for an early intervention",
            case.status.as_str()
        )));
    }
    let child = child::Entity::find_by_id(case.child_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a case's child is missing"))?;
    let (fits, age) = fits_age(
        child.date_of_birth,
        local_date(now),
        offer.min_age,
        offer.max_age,
    );
    if !fits {
        return Err(Error::invalid(
            "input.caseId",
            format!(
                "the child is {age}; {} takes children aged {} to {}",
                offer.name, offer.min_age, offer.max_age
            ),
        ));
    }
    if offer.sharing_requires_consent {
        require_sharing_consent(txn, &case, &offer, now).await?;
    }
    let open = waiting_entry::Entity::find()
        .filter(waiting_entry::Column::OfferId.eq(offer.id))
        .filter(waiting_entry::Column::CaseId.eq(case.id))
        .filter(
            waiting_entry::Column::Status.is_in([WaitingStatus::Waiting, WaitingStatus::Offered]),
        )
        .one(txn)
        .await?;
    if open.is_some() {
        return Err(Error::conflict(WAITS_ALREADY));
    }
    let row = waiting_entry::ActiveModel {
        id: NotSet,
        offer_id: Set(offer.id),
        case_id: Set(case.id),
        status: Set(WaitingStatus::Waiting),
        placed_at: Set(now),
        placed_by_id: Set(placed_by),
        cohort_id: Set(None),
        offered_at: Set(None),
        offered_by_id: Set(None),
        answer_by: Set(None),
        answered_at: Set(None),
        withdrawn_at: Set(None),
        withdraw_reason: Set(None),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| Error::from(e).unique_as_conflict(&ONE_OPEN_WAITING_ENTRY, WAITS_ALREADY))?;
    Ok(row)
}

const WAITS_ALREADY: &str = "the case is on this offer's waiting list already";

async fn require_sharing_consent<C: ConnectionTrait>(
    db: &C,
    case: &case::Model,
    offer: &offer::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let provider = unit::Entity::find_by_id(offer.provider_unit_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("an offer's provider unit is missing"))?;
    let consents = consents_of(db, &[case.id])
        .await?
        .remove(&case.id)
        .unwrap_or_default();
    let signed = consents.iter().any(|(c, covered)| {
        c.holds_at(now)
            && covered.contains(&case.municipality_id)
            && covered.contains(&provider.organization_id)
    });
    if signed {
        Ok(())
    } else {
        Err(Error::invalid(
            "input.caseId",
            format!(
                "{} shares information with its provider only under a signed consent: record an \
                 active consent for the case that covers the municipality{} first",
                offer.name,
                if provider.organization_id == case.municipality_id {
                    ""
                } else {
                    " and the provider's organization"
                }
            ),
        ))
    }
}

/// Puts a case the actor manages on an offer's waiting list ([`place_on_waiting_list`]),
/// logging the change to the case.
///
/// # Errors
/// [`Error::NotFound`] on `input.caseId` for a case the actor may not see;
/// [`Error::Forbidden`] when they do not manage it; as [`place_on_waiting_list`].
pub async fn place(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    offer_id: OfferId,
) -> Result<waiting_entry::Model> {
    let (case, access) = change_access(txn, actor, case_id, now, &[ChildData::EarlyInterventions])
        .await
        .map_err(|e| e.at("input.caseId"))?;
    access.require_manage()?;
    let row = place_on_waiting_list(txn, actor.id(), case.id, offer_id, now).await?;
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// A seat to offer.
#[derive(Debug, Clone, Copy)]
pub struct OfferSeat {
    /// The cohort whose seat is offered.
    pub cohort_id: CohortId,
    /// The entry to offer it to; the first in line when `None`.
    pub entry_id: Option<WaitingEntryId>,
    /// The last day to answer.
    pub answer_by: NaiveDate,
}

/// Offers the next free seat of a cohort to the first in line on its offer's list, or to a
/// named entry. The entry becomes OFFERED and holds the seat; a deadline to answer by
/// `answer_by` starts on its case (rule `seat-offer-answer`: the municipal responsible
/// contact is reminded and alerted, the intake unit when the case has none).
///
/// # Errors
/// [`Error::NotFound`] on `input.cohortId` or `input.entryId`; [`Error::Validation`] on
/// `input.cohortId` for a cohort that has started, on `input.answerBy` for a day in the past
/// or after the cohort's start, on `input.entryId` for an entry of another offer;
/// [`Error::Conflict`] when every seat is taken, nobody waits or the entry is not WAITING;
/// [`Error::Forbidden`] when the actor does not manage the entry's case.
pub async fn offer_seat(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: OfferSeat,
) -> Result<waiting_entry::Model> {
    let found = cohort::Entity::find_by_id(cmd.cohort_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("cohort").at("input.cohortId"))?;
    let offer = find_offer(txn, found.offer_id, "input.cohortId").await?;
    if !may_read(actor, &offer) {
        return Err(Error::not_found("cohort").at("input.cohortId"));
    }
    let cohort = lock_cohort(txn, cmd.cohort_id, now, "input.cohortId").await?;
    let today = local_date(now);
    if cohort.starts_on < today {
        return Err(Error::invalid(
            "input.cohortId",
            format!("the cohort started on {}", cohort.starts_on),
        ));
    }
    if cmd.answer_by < today {
        return Err(Error::invalid("input.answerBy", "must not be in the past"));
    }
    if cmd.answer_by > cohort.starts_on {
        return Err(Error::invalid(
            "input.answerBy",
            format!(
                "must be no later than the day the cohort starts ({})",
                cohort.starts_on
            ),
        ));
    }
    let (enrolled, offered) = taken(txn, &[cohort.id])
        .await?
        .remove(&cohort.id)
        .unwrap_or_default();
    if enrolled + offered >= u64::try_from(cohort.seats).unwrap_or(0) {
        return Err(Error::conflict(format!(
            "every seat of the cohort is taken ({enrolled} enrolled, {offered} offered)"
        )));
    }
    let entry = match cmd.entry_id {
        Some(id) => {
            let entry = waiting_entry::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| Error::not_found("waiting-list entry").at("input.entryId"))?;
            let (_, access) = change_access(
                txn,
                actor,
                entry.case_id,
                now,
                &[ChildData::EarlyInterventions],
            )
            .await
            .map_err(|_| Error::not_found("waiting-list entry").at("input.entryId"))?;
            access.require_manage()?;
            if entry.offer_id != offer.id {
                return Err(Error::invalid(
                    "input.entryId",
                    "the entry waits for another offer than the cohort's",
                ));
            }
            entry
        }
        None => {
            let entry = waiting_entry::Entity::find()
                .filter(waiting_entry::Column::OfferId.eq(offer.id))
                .filter(waiting_entry::Column::Status.eq(WaitingStatus::Waiting))
                .order_by_asc(waiting_entry::Column::PlacedAt)
                .order_by_asc(waiting_entry::Column::Id)
                .one(txn)
                .await?
                .ok_or_else(|| Error::conflict("nobody is waiting for this offer"))?;
            let (_, access) = change_access(
                txn,
                actor,
                entry.case_id,
                now,
                &[ChildData::EarlyInterventions],
            )
            .await
            .map_err(|_| first_in_line_not_yours())?;
            access
                .require_manage()
                .map_err(|_| first_in_line_not_yours())?;
            entry
        }
    };
    let changed = waiting_entry::Entity::update_many()
        .col_expr(
            waiting_entry::Column::Status,
            Expr::value(WaitingStatus::Offered),
        )
        .col_expr(
            waiting_entry::Column::CohortId,
            Expr::value(Some(cohort.id)),
        )
        .col_expr(waiting_entry::Column::OfferedAt, Expr::value(Some(now)))
        .col_expr(
            waiting_entry::Column::OfferedById,
            Expr::value(Some(actor.id())),
        )
        .col_expr(
            waiting_entry::Column::AnswerBy,
            Expr::value(Some(cmd.answer_by)),
        )
        .col_expr(waiting_entry::Column::UpdatedAt, Expr::value(now))
        .filter(waiting_entry::Column::Id.eq(entry.id))
        .filter(waiting_entry::Column::Status.eq(WaitingStatus::Waiting))
        .exec(txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(Error::conflict(format!(
            "the entry is {}: only a WAITING entry can be offered a seat",
            entry.status.as_str()
        )));
    }
    deadlines::on_event(
        txn,
        now,
        &Event::new(entry.case_id, RuleEvent::SeatOffered, now).seat_offer(entry.id, cmd.answer_by),
    )
    .await?;
    touch(txn, entry.case_id, now).await?;
    reload(txn, entry.id).await
}

fn first_in_line_not_yours() -> Error {
    Error::forbidden(
        "the first in line is a case you do not manage: the intake unit or the case's \
         responsible contact offers it the seat, or name an entry of yours with input.entryId",
    )
}

async fn reload<C: ConnectionTrait>(db: &C, id: WaitingEntryId) -> Result<waiting_entry::Model> {
    waiting_entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a waiting-list entry vanished in its own change"))
}

/// Loads an entry whose case the actor manages, logging the change to the case.
async fn managed_entry(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WaitingEntryId,
) -> Result<waiting_entry::Model> {
    let not_found = || Error::not_found("waiting-list entry").at("input.entryId");
    let entry = waiting_entry::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (_, access) = change_access(
        txn,
        actor,
        entry.case_id,
        now,
        &[ChildData::EarlyInterventions],
    )
    .await
    .map_err(|_| not_found())?;
    access.require_manage()?;
    Ok(entry)
}

/// Records the family's answer to a seat offered: accepted, the entry is ENROLLED in the
/// cohort (and keeps its seat); declined, it is DECLINED, the seat is free again and
/// everyone behind moves up. Either meets the deadline to answer.
///
/// # Errors
/// [`Error::NotFound`] on `input.entryId`; [`Error::Forbidden`] when the actor does not
/// manage the case; [`Error::Conflict`] for an entry that holds no offer.
pub async fn answer_seat_offer(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WaitingEntryId,
    accept: bool,
) -> Result<waiting_entry::Model> {
    let entry = managed_entry(txn, actor, now, id).await?;
    let status = if accept {
        WaitingStatus::Enrolled
    } else {
        WaitingStatus::Declined
    };
    let changed = waiting_entry::Entity::update_many()
        .col_expr(waiting_entry::Column::Status, Expr::value(status))
        .col_expr(waiting_entry::Column::AnsweredAt, Expr::value(Some(now)))
        .col_expr(waiting_entry::Column::UpdatedAt, Expr::value(now))
        .filter(waiting_entry::Column::Id.eq(entry.id))
        .filter(waiting_entry::Column::Status.eq(WaitingStatus::Offered))
        .exec(txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(Error::conflict(format!(
            "the entry is {}: only an OFFERED seat can be answered",
            entry.status.as_str()
        )));
    }
    let mut event = Event::new(entry.case_id, RuleEvent::SeatAnswered, now).filtered(if accept {
        "ACCEPTED"
    } else {
        "DECLINED"
    });
    if let Some(answer_by) = entry.answer_by {
        event = event.seat_offer(entry.id, answer_by);
    }
    deadlines::on_event(txn, now, &event).await?;
    touch(txn, entry.case_id, now).await?;
    reload(txn, entry.id).await
}

/// Takes a WAITING or OFFERED entry off the list, with a reason. An offered seat is free
/// again and its deadline to answer is withdrawn.
///
/// # Errors
/// [`Error::NotFound`] on `input.entryId`; [`Error::Forbidden`] when the actor does not
/// manage the case; [`Error::Validation`] on `input.reason`; [`Error::Conflict`] for an
/// entry enrolled, declined or withdrawn already.
pub async fn withdraw(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WaitingEntryId,
    reason: &str,
) -> Result<waiting_entry::Model> {
    let entry = managed_entry(txn, actor, now, id).await?;
    let reason = validate::long_text("input.reason", reason)?;
    let changed = waiting_entry::Entity::update_many()
        .col_expr(
            waiting_entry::Column::Status,
            Expr::value(WaitingStatus::Withdrawn),
        )
        .col_expr(waiting_entry::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(
            waiting_entry::Column::WithdrawReason,
            Expr::value(Some(reason)),
        )
        .col_expr(waiting_entry::Column::UpdatedAt, Expr::value(now))
        .filter(waiting_entry::Column::Id.eq(entry.id))
        .filter(
            waiting_entry::Column::Status.is_in([WaitingStatus::Waiting, WaitingStatus::Offered]),
        )
        .exec(txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(Error::conflict(format!(
            "the entry is {} and is no longer on the list",
            entry.status.as_str()
        )));
    }
    if entry.status == WaitingStatus::Offered {
        deadlines::withdraw_for_seat_offer(txn, now, entry.case_id, entry.id).await?;
    }
    touch(txn, entry.case_id, now).await?;
    reload(txn, entry.id).await
}

/// Where an entry stands in its queue now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    /// 1-based among the WAITING entries, in queue order; `None` for any other status.
    pub position: Option<u32>,
    /// The cohort and day a WAITING entry can expect to start, from the cohorts' free seats
    /// in queue order; `None` when no known cohort has room for it.
    pub expected: Option<(CohortId, NaiveDate)>,
}

/// An offer's queue now: the placement of each WAITING entry, and how many wait.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    /// The placement of each WAITING entry.
    pub placements: HashMap<WaitingEntryId, Placement>,
    /// How many entries are WAITING.
    pub waiting: u64,
    /// How many hold a seat offered and not yet answered.
    pub offered: u64,
}

/// Computes an offer's queue at `today`: three statements (cohorts, seats taken, the
/// waiting entries in order).
///
/// # Errors
/// When the database fails.
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    offer_id: OfferId,
    today: NaiveDate,
) -> Result<Queue> {
    let cohorts = cohort::Entity::find()
        .filter(cohort::Column::OfferId.eq(offer_id))
        .filter(cohort::Column::StartsOn.gte(today))
        .all(db)
        .await?;
    let ids: Vec<CohortId> = cohorts.iter().map(|c| c.id).collect();
    let taken = taken(db, &ids).await?;
    let rooms: Vec<CohortRoom> = cohorts
        .iter()
        .map(|c| {
            let (enrolled, offered) = taken.get(&c.id).copied().unwrap_or_default();
            CohortRoom::new(c.id, c.starts_on, c.seats, enrolled + offered)
        })
        .collect();
    let open = waiting_entry::Entity::find()
        .filter(waiting_entry::Column::OfferId.eq(offer_id))
        .filter(
            waiting_entry::Column::Status.is_in([WaitingStatus::Waiting, WaitingStatus::Offered]),
        )
        .order_by_asc(waiting_entry::Column::PlacedAt)
        .order_by_asc(waiting_entry::Column::Id)
        .all(db)
        .await?;
    let waiting: Vec<WaitingEntryId> = open
        .iter()
        .filter(|e| e.status == WaitingStatus::Waiting)
        .map(|e| e.id)
        .collect();
    let starts = expected_starts(&rooms, today, waiting.len());
    let placements = waiting
        .iter()
        .zip(starts)
        .zip(1u32..)
        .map(|((&id, expected), position)| {
            (
                id,
                Placement {
                    position: Some(position),
                    expected,
                },
            )
        })
        .collect();
    Ok(Queue {
        placements,
        waiting: waiting.len() as u64,
        offered: (open.len() - waiting.len()) as u64,
    })
}

/// The waiting time of an offer's entries that got a seat: for each ENROLLED entry, the
/// days from the day it was placed on the list to the day its cohort started (or starts),
/// Europe/Copenhagen; only entries whose cohort starts from `from` and until `to` (both
/// included) when they are given. Median and 90th percentile by nearest rank.
///
/// # Errors
/// When the database fails.
pub async fn waiting_time<C: ConnectionTrait>(
    db: &C,
    offers: &[OfferId],
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
) -> Result<HashMap<OfferId, WaitingTime>> {
    let mut waits: HashMap<OfferId, Vec<i64>> = offers.iter().map(|&o| (o, Vec::new())).collect();
    if offers.is_empty() {
        return Ok(HashMap::new());
    }
    let mut cohorts =
        cohort::Entity::find().filter(cohort::Column::OfferId.is_in(offers.iter().copied()));
    if let Some(from) = from {
        cohorts = cohorts.filter(cohort::Column::StartsOn.gte(from));
    }
    if let Some(to) = to {
        cohorts = cohorts.filter(cohort::Column::StartsOn.lte(to));
    }
    let cohorts: HashMap<CohortId, cohort::Model> = cohorts
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    if !cohorts.is_empty() {
        for e in waiting_entry::Entity::find()
            .filter(waiting_entry::Column::CohortId.is_in(cohorts.keys().copied()))
            .filter(waiting_entry::Column::Status.eq(WaitingStatus::Enrolled))
            .all(db)
            .await?
        {
            if let Some(c) = e.cohort_id.and_then(|c| cohorts.get(&c)) {
                waits
                    .entry(c.offer_id)
                    .or_default()
                    .push(wait_days(e.placed_at, c.starts_on));
            }
        }
    }
    Ok(waits
        .into_iter()
        .map(|(o, w)| (o, WaitingTime::of(w)))
        .collect())
}

/// One offer's figures in the timeliness report.
#[derive(Debug, Clone)]
pub struct OfferFigures {
    /// The offer.
    pub offer: offer::Model,
    /// How many wait now.
    pub waiting: u64,
    /// How many hold a seat offered and not yet answered now.
    pub offered: u64,
    /// The waiting time of those whose cohort started in the period.
    pub waiting_time: WaitingTime,
}

/// The figures of every offer of a municipality's catalogue (active or not) for the
/// timeliness report: the queue now, and the waiting time of the entries whose cohort
/// starts from `from` to `to`. The caller has checked that the actor may see the report.
///
/// # Errors
/// When the database fails.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    municipality: OrganizationId,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OfferFigures>> {
    let offers = offer::Entity::find()
        .filter(offer::Column::MunicipalityId.eq(municipality))
        .order_by_asc(offer::Column::Name)
        .order_by_asc(offer::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<OfferId> = offers.iter().map(|o| o.id).collect();
    let mut times = waiting_time(db, &ids, (Some(from), Some(to))).await?;
    let mut out = Vec::with_capacity(offers.len());
    for offer in offers {
        let queue = queue(db, offer.id, today).await?;
        out.push(OfferFigures {
            waiting_time: times.remove(&offer.id).unwrap_or_default(),
            waiting: queue.waiting,
            offered: queue.offered,
            offer,
        });
    }
    Ok(out)
}
