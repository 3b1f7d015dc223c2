//! Catalogue mutations: offers and cohorts (no child's data), and the waiting list (changes
//! to a case, logged with it).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::ids::{CaseId, CohortId, OfferId, OrganizationId, UnitId, WaitingEntryId};

use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::{Write, maybe};
use crate::graphql::objects::{Cohort, Offer, WaitingListEntry};
use crate::graphql::scalars::Date;
use kit_entity::ops::catalogue::{self, OfferChanges, OfferFields, OfferSeat};

/// A new early intervention for a municipality's catalogue.
#[derive(InputObject)]
pub struct CreateEarlyInterventionOfferInput {
    /// The municipality whose catalogue gets it; you must administer it.
    pub municipality_id: ID,
    /// The unit that provides it (any unit of the directory).
    pub provider_unit_id: ID,
    /// Its name, 1–200 characters.
    pub name: String,
    /// What it is for, 1–4000 characters.
    pub purpose: String,
    /// The youngest age it takes, in whole years, 0–25.
    pub min_age: i32,
    /// The oldest age it takes, in whole years, from `minAge` to 25.
    pub max_age: i32,
    /// How it runs, in words, 1–200 characters ("10 sessions, weekly").
    pub cadence: String,
    /// Sessions per cohort, 1–200, when fixed.
    pub sessions: Option<i32>,
    /// Weeks between cohort starts, 1–104, when regular.
    pub weeks_between_cohorts: Option<i32>,
    /// Seats a cohort gets unless it says otherwise, 1–500.
    pub seats_per_cohort: i32,
    /// Information about a child is shared with the provider only under a signed consent.
    /// Default false.
    #[graphql(default)]
    pub sharing_requires_consent: bool,
}

/// Changes to an offer; a field left out stays as it is.
#[derive(InputObject)]
pub struct UpdateEarlyInterventionOfferInput {
    /// The offer; you must administer its municipality.
    pub offer_id: ID,
    /// A new provider unit.
    pub provider_unit_id: Option<ID>,
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
    /// Sessions per cohort; null removes it.
    pub sessions: MaybeUndefined<i32>,
    /// Weeks between cohort starts; null removes it.
    pub weeks_between_cohorts: MaybeUndefined<i32>,
    /// Seats for cohorts added from now on; existing cohorts keep theirs.
    pub seats_per_cohort: Option<i32>,
    /// Whether sharing needs a signed consent (for placements from now on).
    pub sharing_requires_consent: Option<bool>,
    /// False: no new case is placed on its list (those on it stay).
    pub is_active: Option<bool>,
}

/// The offer as it is now.
#[derive(SimpleObject)]
pub struct EarlyInterventionOfferPayload {
    /// The offer.
    pub offer: Offer,
}

/// A new cohort of an offer.
#[derive(InputObject)]
pub struct AddCohortInput {
    /// The offer; you must administer its municipality or belong to its provider unit.
    pub offer_id: ID,
    /// The day it starts; not in the past.
    pub starts_on: Date,
    /// Its seats, 1–500. Default the offer's `seatsPerCohort`.
    pub seats: Option<i32>,
}

/// A cohort's new number of seats.
#[derive(InputObject)]
pub struct ChangeCohortCapacityInput {
    /// The cohort.
    pub cohort_id: ID,
    /// Its seats, 1–500, and no fewer than those enrolled or offered.
    pub seats: i32,
}

/// The cohort as it is now, with its offer (whose queue moved with it).
#[derive(SimpleObject)]
pub struct CohortPayload {
    /// The cohort.
    pub cohort: Cohort,
    /// Its offer.
    pub offer: Offer,
}

/// Puts a case on an offer's waiting list.
#[derive(InputObject)]
pub struct PlaceOnWaitingListInput {
    /// The case (the child); you must manage it. The child's age today must be within the
    /// offer's target ages.
    pub case_id: ID,
    /// The offer, in the case's municipality's catalogue and active.
    pub offer_id: ID,
}

/// Offers a seat of a cohort.
#[derive(InputObject)]
pub struct OfferSeatInput {
    /// The cohort whose next free seat is offered; it has not started.
    pub cohort_id: ID,
    /// The entry to offer it to, waiting on the cohort's offer. Default: the first in line.
    pub entry_id: Option<ID>,
    /// The last day to answer; from today to the cohort's start.
    pub answer_by: Date,
}

/// The family's answer to a seat offered.
#[derive(InputObject)]
pub struct AnswerSeatOfferInput {
    /// The entry holding the offer.
    pub entry_id: ID,
    /// True: enroll in the cohort. False: decline; the seat goes back to the queue.
    pub accept: bool,
}

/// Takes an entry off its waiting list.
#[derive(InputObject)]
pub struct WithdrawFromWaitingListInput {
    /// The entry, WAITING or OFFERED.
    pub entry_id: ID,
    /// Why, 1–4000 characters.
    pub reason: String,
}

/// The entry as it is now (its offer's queue moved with it).
#[derive(SimpleObject)]
pub struct WaitingListEntryPayload {
    /// The entry.
    pub entry: WaitingListEntry,
}

/// Catalogue mutations.
#[derive(Default)]
pub struct CatalogueMutation;

#[Object]
impl CatalogueMutation {
    /// Adds an early intervention to a municipality's catalogue: for its administrators.
    async fn create_early_intervention_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The offer.")] input: CreateEarlyInterventionOfferInput,
    ) -> async_graphql::Result<EarlyInterventionOfferPayload> {
        let municipality: OrganizationId =
            decode("input.municipalityId", &input.municipality_id).gql()?;
        let fields = OfferFields {
            provider_unit_id: decode::<UnitId>("input.providerUnitId", &input.provider_unit_id)
                .gql()?,
            name: input.name,
            purpose: input.purpose,
            min_age: input.min_age,
            max_age: input.max_age,
            cadence: input.cadence,
            sessions: input.sessions,
            weeks_between_cohorts: input.weeks_between_cohorts,
            seats_per_cohort: input.seats_per_cohort,
            sharing_requires_consent: input.sharing_requires_consent,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::create_offer(&w.txn, w.actor, w.now, municipality, fields).await;
        let row = w.finish(result).await.gql()?;
        Ok(EarlyInterventionOfferPayload { offer: Offer(row) })
    }

    /// Changes an early intervention of the catalogue: for its municipality's administrators.
    async fn update_early_intervention_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateEarlyInterventionOfferInput,
    ) -> async_graphql::Result<EarlyInterventionOfferPayload> {
        let id: OfferId = decode("input.offerId", &input.offer_id).gql()?;
        let changes = OfferChanges {
            provider_unit_id: decode_opt("input.providerUnitId", input.provider_unit_id.as_ref())
                .gql()?,
            name: input.name,
            purpose: input.purpose,
            min_age: input.min_age,
            max_age: input.max_age,
            cadence: input.cadence,
            sessions: maybe(input.sessions, Ok).gql()?,
            weeks_between_cohorts: maybe(input.weeks_between_cohorts, Ok).gql()?,
            seats_per_cohort: input.seats_per_cohort,
            sharing_requires_consent: input.sharing_requires_consent,
            is_active: input.is_active,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::update_offer(&w.txn, w.actor, w.now, id, changes).await;
        let row = w.finish(result).await.gql()?;
        Ok(EarlyInterventionOfferPayload { offer: Offer(row) })
    }

    /// Adds a cohort to an offer: the municipality's administrators or the provider unit.
    async fn add_cohort(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort.")] input: AddCohortInput,
    ) -> async_graphql::Result<CohortPayload> {
        let offer: OfferId = decode("input.offerId", &input.offer_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::add_cohort(
            &w.txn,
            w.actor,
            w.now,
            offer,
            input.starts_on.0,
            input.seats,
        )
        .await;
        let row = w.finish(result).await.gql()?;
        cohort_payload(ctx, row).await
    }

    /// Changes a cohort's seats: the municipality's administrators or the provider unit.
    /// Positions and expected starts on the waiting list follow.
    async fn change_cohort_capacity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort and its seats.")] input: ChangeCohortCapacityInput,
    ) -> async_graphql::Result<CohortPayload> {
        let id: CohortId = decode("input.cohortId", &input.cohort_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::change_cohort_seats(&w.txn, w.actor, w.now, id, input.seats).await;
        let row = w.finish(result).await.gql()?;
        cohort_payload(ctx, row).await
    }

    /// Puts a case you manage on an offer's waiting list, at the back of the queue. The
    /// child's age must fit the offer (BAD_USER_INPUT on `input.caseId` otherwise); a case
    /// waits on an offer once at a time (CONFLICT).
    async fn place_on_waiting_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case and the offer.")] input: PlaceOnWaitingListInput,
    ) -> async_graphql::Result<WaitingListEntryPayload> {
        let case: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let offer: OfferId = decode("input.offerId", &input.offer_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::place(&w.txn, w.actor, w.now, case, offer).await;
        let row = w.finish(result).await.gql()?;
        entry_payload(ctx, row).await
    }

    /// Offers the next free seat of a cohort to the first in line on its offer's waiting
    /// list, or to a named entry, to be answered by `answerBy`. The entry becomes OFFERED
    /// and holds the seat; a deadline to answer starts on its case, alerting the municipal
    /// responsible contact. You must manage the entry's case.
    async fn offer_seat(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cohort, the entry and the answer day.")] input: OfferSeatInput,
    ) -> async_graphql::Result<WaitingListEntryPayload> {
        let cmd = OfferSeat {
            cohort_id: decode("input.cohortId", &input.cohort_id).gql()?,
            entry_id: decode_opt::<WaitingEntryId>("input.entryId", input.entry_id.as_ref())
                .gql()?,
            answer_by: input.answer_by.0,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::offer_seat(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        entry_payload(ctx, row).await
    }

    /// Records the family's answer to a seat offered: accepted → ENROLLED in the cohort;
    /// declined → DECLINED, and the seat goes back to the queue. Meets the deadline to
    /// answer. You must manage the case.
    async fn answer_seat_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry and the answer.")] input: AnswerSeatOfferInput,
    ) -> async_graphql::Result<WaitingListEntryPayload> {
        let id: WaitingEntryId = decode("input.entryId", &input.entry_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::answer_seat_offer(&w.txn, w.actor, w.now, id, input.accept).await;
        let row = w.finish(result).await.gql()?;
        entry_payload(ctx, row).await
    }

    /// Takes a WAITING or OFFERED entry off its list, with a reason; an offered seat goes
    /// back to the queue and its deadline is withdrawn. You must manage the case.
    async fn withdraw_from_waiting_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry and why.")] input: WithdrawFromWaitingListInput,
    ) -> async_graphql::Result<WaitingListEntryPayload> {
        let id: WaitingEntryId = decode("input.entryId", &input.entry_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = catalogue::withdraw(&w.txn, w.actor, w.now, id, &input.reason).await;
        let row = w.finish(result).await.gql()?;
        entry_payload(ctx, row).await
    }
}

async fn cohort_payload(
    ctx: &Context<'_>,
    row: kit_entity::entities::early_intervention_cohort::Model,
) -> async_graphql::Result<CohortPayload> {
    let offer = crate::graphql::context::load_required(ctx, row.offer_id)
        .await
        .gql()?;
    Ok(CohortPayload {
        cohort: Cohort(row),
        offer: Offer(offer),
    })
}

async fn entry_payload(
    ctx: &Context<'_>,
    row: kit_entity::entities::waiting_entry::Model,
) -> async_graphql::Result<WaitingListEntryPayload> {
    Ok(WaitingListEntryPayload {
        entry: WaitingListEntry::placed(ctx, row).await.gql()?,
    })
}
