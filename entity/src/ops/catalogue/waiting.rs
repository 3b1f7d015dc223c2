//! The waiting list: placing a case, offering it a seat, the family's answer, withdrawal.

use crate::domain::calendar::local_date;
use crate::domain::catalogue::fits_age;
use crate::domain::enums::{RuleEvent, WaitingStatus};
use crate::domain::status::CaseStatus;
use crate::domain::unique::ONE_OPEN_WAITING_ENTRY;
use crate::domain::validate;
use crate::entities::{
    case, child, early_intervention_cohort as cohort, early_intervention_offer as offer, unit,
    waiting_entry,
};
use crate::ids::{CaseId, CohortId, OfferId, ProfessionalId, WaitingEntryId};
use crate::ops::deadlines::{self, Event};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::access::ChildData;
use crate::access::change_access;
use crate::access::{Actor, consents_of};
use crate::ops::case_row::touch;

use super::{find_offer, lock_cohort, may_read, taken};

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
        .ok_or_else(|| Error::not_found("case").at("caseId"))?;
    let offer = find_offer(txn, offer_id, "offerId").await?;
    if offer.municipality_id != case.municipality_id {
        return Err(Error::invalid(
            "offerId",
            "the offer is in another municipality's catalogue than the case",
        ));
    }
    if !offer.is_active {
        return Err(Error::invalid(
            "offerId",
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
            "caseId",
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
            "caseId",
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
        .map_err(|e| e.at("caseId"))?;
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
        .ok_or_else(|| Error::not_found("cohort").at("cohortId"))?;
    let offer = find_offer(txn, found.offer_id, "cohortId").await?;
    if !may_read(actor, &offer) {
        return Err(Error::not_found("cohort").at("cohortId"));
    }
    let cohort = lock_cohort(txn, cmd.cohort_id, now, "cohortId").await?;
    let today = local_date(now);
    if cohort.starts_on < today {
        return Err(Error::invalid(
            "cohortId",
            format!("the cohort started on {}", cohort.starts_on),
        ));
    }
    if cmd.answer_by < today {
        return Err(Error::invalid("answerBy", "must not be in the past"));
    }
    if cmd.answer_by > cohort.starts_on {
        return Err(Error::invalid(
            "answerBy",
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
                .ok_or_else(|| Error::not_found("waiting-list entry").at("entryId"))?;
            let (_, access) = change_access(
                txn,
                actor,
                entry.case_id,
                now,
                &[ChildData::EarlyInterventions],
            )
            .await
            .map_err(|_| Error::not_found("waiting-list entry").at("entryId"))?;
            access.require_manage()?;
            if entry.offer_id != offer.id {
                return Err(Error::invalid(
                    "entryId",
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
    let not_found = || Error::not_found("waiting-list entry").at("entryId");
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
    let reason = validate::long_text("reason", reason)?;
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
