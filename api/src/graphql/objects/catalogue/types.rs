//! The catalogue's object types: offers, cohorts, waiting-list entries and waiting times.
//!
//! Offers and cohorts hold no child's data; a waiting-list entry names a case, so every list
//! of entries passes the read gate (`EARLY_INTERVENTIONS`) and shows only the entries of
//! cases the viewer's access decision permits.

use async_graphql::{Context, ID, Object};
use kit_entity::Result;
use kit_entity::domain::calendar::local_date;
use kit_entity::domain::catalogue::WaitingTime;
use kit_entity::domain::enums::WaitingStatus;
use kit_entity::entities::{
    early_intervention_cohort as cohort, early_intervention_offer as offer, waiting_entry,
};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::enums::WaitingListStatus;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::deadline::Deadline;
use crate::graphql::objects::directory::{Organization, Professional, Unit};
use crate::graphql::read::read_case;
use crate::graphql::scalars::{Date, DateTime};
use kit_entity::access::ChildData;
use kit_entity::ops::catalogue::{self, Placement};

/// GraphQL `EarlyInterventionOffer` over `early_intervention_offer::Model`, described on its
/// `#[Object]` impl.
pub struct Offer(pub offer::Model);

/// An early intervention of a municipality's catalogue: a preventive offer such as Cool Kids,
/// a children's group or a parents' course, with its purpose, provider, target ages, cadence
/// and capacity, its cohorts and its waiting list. Readable by the municipality's
/// professionals and by the members of its provider unit; it holds no child's data itself.
#[Object(name = "EarlyInterventionOffer")]
impl Offer {
    /// Global id of the offer: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The municipality whose catalogue holds it.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.municipality_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The unit that provides it (PPR, the health visitors, SSP…).
    async fn provider_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        load_required(ctx, self.0.provider_unit_id)
            .await
            .map(Unit)
            .gql()
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is for.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }

    /// The youngest age it takes, in whole years (included).
    async fn min_age(&self) -> i32 {
        self.0.min_age
    }

    /// The oldest age it takes, in whole years (included).
    async fn max_age(&self) -> i32 {
        self.0.max_age
    }

    /// How it runs, in words ("10 sessions, weekly").
    async fn cadence(&self) -> &str {
        &self.0.cadence
    }

    /// How many sessions one cohort has; null when not fixed.
    async fn sessions(&self) -> Option<i32> {
        self.0.sessions
    }

    /// Weeks between the starts of two cohorts; null when cohorts do not start regularly.
    async fn weeks_between_cohorts(&self) -> Option<i32> {
        self.0.weeks_between_cohorts
    }

    /// The seats a new cohort gets unless it says otherwise.
    async fn seats_per_cohort(&self) -> i32 {
        self.0.seats_per_cohort
    }

    /// True when information about a child is shared with the provider only under a signed
    /// consent (as the REHAB team works): a case is placed on the list only while an active
    /// consent recorded on it covers the municipality and the provider's organization.
    async fn sharing_requires_consent(&self) -> bool {
        self.0.sharing_requires_consent
    }

    /// True while cases may be placed on its waiting list.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// Its cohorts, by start day. Without `includeStarted`, only those starting today or
    /// later.
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Include cohorts that have started already. Default true.",
            default = true
        )]
        include_started: bool,
    ) -> async_graphql::Result<Vec<Cohort>> {
        let from = (!include_started).then(|| local_date(ctx.state().clock.now()));
        let rows = catalogue::cohorts_of(&ctx.state().db, self.0.id, from)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Cohort).collect())
    }

    /// How many cases wait now (WAITING), whoever may see them.
    async fn queue_length(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let today = local_date(ctx.state().clock.now());
        Ok(catalogue::queue(&ctx.state().db, self.0.id, today)
            .await
            .gql()?
            .waiting)
    }

    /// The waiting list in queue order: the entries of the cases you may see whose child's
    /// data is shared with you, each read logged (`EARLY_INTERVENTIONS`). Entries of other
    /// cases are left out (they count in `queueLength`), so a provider unit's staff see how
    /// many wait, not who, unless the case's access decision lets them see the case.
    async fn waiting_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which statuses to list. Default WAITING and OFFERED: those on the list now."
        )]
        status: Option<Vec<WaitingListStatus>>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the entries after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<super::WaitingListEntryConnection> {
        let statuses: Vec<WaitingStatus> = status.map_or_else(
            || vec![WaitingStatus::Waiting, WaitingStatus::Offered],
            |s| s.into_iter().map(Into::into).collect(),
        );
        super::lists::waiting_list(ctx, &self.0, statuses, first, after.as_deref())
            .await
            .gql()
    }

    /// How long families waited for a seat: for each entry ENROLLED in a cohort, the days
    /// from the day it was placed on the list to the day its cohort starts
    /// (Europe/Copenhagen); median and 90th percentile by nearest rank. With `from` and
    /// `to`, only entries whose cohort starts within those days (both included).
    async fn waiting_time(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Cohorts starting from this day. Default: all.")] from: Option<Date>,
        #[graphql(desc = "Cohorts starting until this day, included. Default: all.")] to: Option<
            Date,
        >,
    ) -> async_graphql::Result<OfferWaitingTime> {
        let window = (from.map(|d| d.0), to.map(|d| d.0));
        let db = &ctx.state().db;
        let time = catalogue::waiting_time(db, &[self.0.id], window)
            .await
            .gql()?
            .remove(&self.0.id)
            .unwrap_or_default();
        let queue = catalogue::queue(db, self.0.id, local_date(ctx.state().clock.now()))
            .await
            .gql()?;
        Ok(OfferWaitingTime {
            offer: self.0.clone(),
            waiting: queue.waiting,
            offered: queue.offered,
            time,
        })
    }

    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.created_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// GraphQL `EarlyInterventionCohort` over `early_intervention_cohort::Model`, described on
/// its `#[Object]` impl.
pub struct Cohort(pub cohort::Model);

/// A cohort (hold) of an early intervention: the day it starts and its seats. Enrolled
/// entries and seats offered and not yet answered take seats; the rest are free for the
/// queue.
#[Object(name = "EarlyInterventionCohort")]
impl Cohort {
    /// Global id of the cohort: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The offer it is a cohort of.
    async fn offer(&self, ctx: &Context<'_>) -> async_graphql::Result<Offer> {
        load_required(ctx, self.0.offer_id).await.map(Offer).gql()
    }

    /// The day it starts (Europe/Copenhagen).
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }

    /// Its seats.
    async fn seats(&self) -> i32 {
        self.0.seats
    }

    /// Seats taken by enrolled entries.
    async fn enrolled(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.taken(ctx).await.gql()?.0)
    }

    /// Seats offered and not yet answered: held until the family answers.
    async fn offered(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.taken(ctx).await.gql()?.1)
    }

    /// Seats neither enrolled nor offered: what the queue can still fill.
    async fn free(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let (enrolled, offered) = self.taken(ctx).await.gql()?;
        Ok(u64::try_from(self.0.seats)
            .unwrap_or(0)
            .saturating_sub(enrolled + offered))
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

impl Cohort {
    async fn taken(&self, ctx: &Context<'_>) -> Result<(u64, u64)> {
        Ok(catalogue::taken(&ctx.state().db, &[self.0.id])
            .await?
            .remove(&self.0.id)
            .unwrap_or_default())
    }
}

/// GraphQL `WaitingListEntry` over `waiting_entry::Model` with its place in the queue,
/// described on its `#[Object]` impl.
pub struct WaitingListEntry {
    /// The entry.
    pub model: waiting_entry::Model,
    /// Where it stands in its queue now.
    pub placement: Placement,
}

impl WaitingListEntry {
    /// The entry with its placement computed from its offer's queue now.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn placed(ctx: &Context<'_>, model: waiting_entry::Model) -> Result<Self> {
        let placement = if model.status == WaitingStatus::Waiting {
            let today = local_date(ctx.state().clock.now());
            catalogue::queue(&ctx.state().db, model.offer_id, today)
                .await?
                .placements
                .remove(&model.id)
                .unwrap_or_default()
        } else {
            Placement::default()
        };
        Ok(Self { model, placement })
    }

    /// The entries of a case the viewer may read (the caller has passed the read gate),
    /// newest first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of_case(ctx: &Context<'_>, case_id: kit_entity::ids::CaseId) -> Result<Vec<Self>> {
        let rows = catalogue::entries_of_case(&ctx.state().db, case_id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(Self::placed(ctx, row).await?);
        }
        Ok(out)
    }
}

/// A case (a child) on an early intervention's waiting list: where it stands in the queue,
/// when it can expect to start, and the seat offered to it and the family's answer. Seen only
/// by those whose access decision permits the case and its child's data.
#[Object]
impl WaitingListEntry {
    /// Global id of the entry: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.model.id.to_global()
    }

    /// The offer whose list it is on.
    async fn offer(&self, ctx: &Context<'_>) -> async_graphql::Result<Offer> {
        load_required(ctx, self.model.offer_id)
            .await
            .map(Offer)
            .gql()
    }

    /// The case waiting (its own fields follow the case's access rules).
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.model.case_id).await.map(Case).gql()
    }

    /// WAITING, OFFERED, ENROLLED, DECLINED or WITHDRAWN.
    async fn status(&self) -> WaitingListStatus {
        self.model.status.into()
    }

    /// Its place among the entries WAITING, from 1 in the order they were placed; null for
    /// any other status. It moves up as seats are offered to those ahead, and as they
    /// decline or are withdrawn.
    async fn position(&self) -> Option<u32> {
        self.placement.position
    }

    /// When it was put on the list.
    async fn placed_at(&self) -> DateTime {
        self.model.placed_at.into()
    }

    /// Who put it there.
    async fn placed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.model.placed_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// The day it can expect to start. WAITING: the start of the cohort whose free seats
    /// reach its position, filling the cohorts that have not started in start order from the
    /// head of the queue (null when no known cohort has room for it); OFFERED and ENROLLED:
    /// the start of its cohort; otherwise null.
    async fn expected_start(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        Ok(self
            .expected_cohort_model(ctx)
            .await
            .gql()?
            .map(|(_, d)| Date(d)))
    }

    /// The cohort it can expect to start in (as `expectedStart`), or the one whose seat it
    /// was offered or is enrolled in.
    async fn expected_cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Cohort>> {
        match self.expected_cohort_model(ctx).await.gql()? {
            Some((id, _)) => load_required(ctx, id).await.map(|c| Some(Cohort(c))).gql(),
            None => Ok(None),
        }
    }

    /// The cohort whose seat was offered to it (and, once accepted, where it is enrolled).
    async fn cohort(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Cohort>> {
        match self.model.cohort_id {
            Some(id) => load_required(ctx, id).await.map(|c| Some(Cohort(c))).gql(),
            None => Ok(None),
        }
    }

    /// When the seat was offered.
    async fn offered_at(&self) -> Option<DateTime> {
        self.model.offered_at.map(Into::into)
    }

    /// Who offered it.
    async fn offered_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.model.offered_by_id {
            Some(id) => load_required(ctx, id)
                .await
                .map(|p| Some(Professional(p)))
                .gql(),
            None => Ok(None),
        }
    }

    /// The last day to answer the offer (Europe/Copenhagen).
    async fn answer_by(&self) -> Option<Date> {
        self.model.answer_by.map(Date)
    }

    /// The deadline to answer the offer (rule `seat-offer-answer`), on the case's deadlines;
    /// null before a seat is offered.
    async fn answer_deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deadline>> {
        if self.model.offered_at.is_none() {
            return Ok(None);
        }
        let access = read_case(ctx, self.model.case_id, ChildData::Deadlines)
            .await
            .gql()?;
        let row = kit_entity::ops::deadlines::reads::seat_offer_answer(
            &ctx.state().db,
            self.model.case_id,
            self.model.id,
        )
        .await
        .gql()?;
        Ok(row
            .filter(|d| access.sees_deadline(d.responsible_id))
            .map(Deadline))
    }

    /// When the family answered the offer.
    async fn answered_at(&self) -> Option<DateTime> {
        self.model.answered_at.map(Into::into)
    }

    /// When it was enrolled in its cohort (the accepted answer).
    async fn enrolled_at(&self) -> Option<DateTime> {
        (self.model.status == WaitingStatus::Enrolled)
            .then_some(self.model.answered_at)
            .flatten()
            .map(Into::into)
    }

    /// When it was taken off the list.
    async fn withdrawn_at(&self) -> Option<DateTime> {
        self.model.withdrawn_at.map(Into::into)
    }

    /// Why it was taken off the list.
    async fn withdraw_reason(&self) -> Option<&str> {
        self.model.withdraw_reason.as_deref()
    }
}

impl WaitingListEntry {
    async fn expected_cohort_model(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<(kit_entity::ids::CohortId, chrono::NaiveDate)>> {
        match (self.model.status, self.model.cohort_id) {
            (WaitingStatus::Waiting, _) => Ok(self.placement.expected),
            (WaitingStatus::Offered | WaitingStatus::Enrolled, Some(id)) => {
                let c: cohort::Model = load_required(ctx, id).await?;
                Ok(Some((c.id, c.starts_on)))
            }
            _ => Ok(None),
        }
    }
}

/// An offer's queue and waiting time, as `EarlyInterventionOffer.waitingTime` and the
/// timeliness report give them.
pub struct OfferWaitingTime {
    pub(crate) offer: offer::Model,
    pub(crate) waiting: u64,
    pub(crate) offered: u64,
    pub(crate) time: WaitingTime,
}

/// How long families waited for an early intervention, and how many wait now. A wait is the
/// days from the day a case was placed on the list to the day the cohort it enrolled in
/// starts (Europe/Copenhagen calendar days); only entries that got a seat (ENROLLED) count.
/// Percentiles are by nearest rank: the smallest wait such that at least that share of the
/// waits are no longer — always a wait that happened (the median of 3, 5, 8 and 10 days is
/// 5).
#[Object]
impl OfferWaitingTime {
    /// The offer.
    async fn offer(&self) -> Offer {
        Offer(self.offer.clone())
    }

    /// How many cases wait now (WAITING).
    async fn queue_length(&self) -> u64 {
        self.waiting
    }

    /// How many hold a seat offered and not yet answered now.
    async fn seats_offered(&self) -> u64 {
        self.offered
    }

    /// How many entries got a seat and were counted.
    async fn served(&self) -> u64 {
        self.time.served
    }

    /// The median wait in days (nearest rank); null when nobody was served.
    async fn median_wait_days(&self) -> Option<i64> {
        self.time.median_days
    }

    /// The 90th-percentile wait in days (nearest rank: the wait at rank ⌈0.9·n⌉).
    async fn p90_wait_days(&self) -> Option<i64> {
        self.time.p90_days
    }
}

impl From<catalogue::OfferFigures> for OfferWaitingTime {
    fn from(f: catalogue::OfferFigures) -> Self {
        Self {
            offer: f.offer,
            waiting: f.waiting,
            offered: f.offered,
            time: f.waiting_time,
        }
    }
}
