//! What the waiting lists add up to: each entry's place and expected start, and the waiting
//! time per offer.

use std::collections::HashMap;

use crate::Result;
use crate::domain::catalogue::{CohortRoom, WaitingTime, expected_starts, wait_days};
use crate::domain::enums::WaitingStatus;
use crate::entities::{
    early_intervention_cohort as cohort, early_intervention_offer as offer, waiting_entry,
};
use crate::ids::{CohortId, OfferId, OrganizationId, WaitingEntryId};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::taken;

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
