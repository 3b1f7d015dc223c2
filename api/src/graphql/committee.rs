//! The coordination committee: meetings with an agenda of referrals from the inbox, and the
//! decision recorded on each.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use kit_entity::domain::enums;
use kit_entity::entities::{
    committee_agenda_item, committee_meeting, committee_member, early_intervention_offer, referral,
};
use kit_entity::ids::{
    CaseId, CommitteeAgendaItemId, CommitteeMeetingId, OfferId, OrganizationId, ProfessionalId,
};
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::graphql::case::Case;
use crate::graphql::catalogue::types::Offer;
use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::directory::{Organization, Professional};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode, decode_opt, decode_renamed};
use crate::graphql::mutation::Write;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;
use kit_entity::access::Actor;
use kit_entity::ops::committee::{self, Decision, Schedule};

/// What the coordination committee decided on a referral.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::CommitteeDecision")]
pub enum CommitteeDecision {
    /// Accepted into a coordinated pathway, with the units that take part.
    Accepted,
    /// Redirected to an early intervention: placed on its waiting list.
    Redirected,
    /// Rejected, with a reason.
    Rejected,
}

/// Whether a committee meeting still takes place.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::CommitteeMeetingStatus")]
pub enum CommitteeMeetingStatus {
    /// It takes place at its time.
    Scheduled,
    /// Called off; its undecided referrals wait for the next meeting.
    Cancelled,
}

/// Whether `actor` may see a committee meeting: the municipality's intake unit and the
/// meeting's members.
async fn may_see(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    meeting: &committee_meeting::Model,
) -> Result<bool> {
    if actor.intake_for == Some(meeting.municipality_id) {
        return Ok(true);
    }
    Ok(committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(meeting.id))
        .filter(committee_member::Column::ProfessionalId.eq(actor.id()))
        .one(db)
        .await?
        .is_some())
}

/// GraphQL `CommitteeMeeting` over `committee_meeting::Model`.
pub struct CommitteeMeeting(pub committee_meeting::Model);

/// A meeting of a municipality's coordination committee, which decides on the referrals on
/// its agenda.
#[Object]
impl CommitteeMeeting {
    /// Global id: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The municipality.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.municipality_id)
            .await
            .map(Organization)
            .gql()
    }

    /// Start.
    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    /// End.
    async fn ends_at(&self) -> DateTime {
        self.0.ends_at.into()
    }

    /// Where.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// SCHEDULED or CANCELLED.
    async fn status(&self) -> CommitteeMeetingStatus {
        self.0.status.into()
    }

    /// The iCalendar SEQUENCE of its newest invitation: raised each time it moves or is
    /// cancelled.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }

    /// The intake unit member who called it.
    async fn organizer(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.organizer_id)
            .await
            .map(Professional)
            .gql()
    }

    /// Who sits on it.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Professional>> {
        let ids: Vec<ProfessionalId> = committee_member::Entity::find()
            .select_only()
            .column(committee_member::Column::ProfessionalId)
            .filter(committee_member::Column::CommitteeMeetingId.eq(self.0.id))
            .order_by_asc(committee_member::Column::Id)
            .into_tuple()
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(Professional(load_required(ctx, id).await.gql()?));
        }
        Ok(out)
    }

    /// The referrals on its agenda, in order, with the decisions recorded.
    async fn agenda(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CommitteeAgendaItem>> {
        Ok(committee_agenda_item::Entity::find()
            .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(self.0.id))
            .order_by_asc(committee_agenda_item::Column::Position)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
            .into_iter()
            .map(CommitteeAgendaItem)
            .collect())
    }
}

/// GraphQL `CommitteeAgendaItem` over `committee_agenda_item::Model`.
pub struct CommitteeAgendaItem(pub committee_agenda_item::Model);

/// A referral on a committee meeting's agenda.
#[Object]
impl CommitteeAgendaItem {
    /// Global id: opaque, stable, accepted by `node(id:)`; pass it to
    /// `recordCommitteeDecision`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// 1, 2, 3… in the agenda's order.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// The case's reference: what members outside the intake unit see of it.
    async fn case_reference(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let case: kit_entity::entities::case::Model =
            load_required(ctx, self.0.case_id).await.gql()?;
        Ok(case.reference)
    }

    /// The case, for those who may see it (the intake unit); null for other members.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Case>> {
        let actor = ctx.actor().gql()?;
        let now = ctx.state().clock.now();
        Ok(
            kit_entity::access::case_access(&ctx.state().db, actor, self.0.case_id, now)
                .await
                .ok()
                .map(|(c, _)| Case(c)),
        )
    }

    /// Whole calendar days the referral had waited at the entry point when the committee met.
    async fn waited_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        let db = &ctx.state().db;
        let meeting = committee_meeting::Entity::find_by_id(self.0.committee_meeting_id)
            .one(db)
            .await
            .map_err(Error::from)
            .gql()?;
        let received = referral::Entity::find()
            .filter(referral::Column::CaseId.eq(self.0.case_id))
            .one(db)
            .await
            .map_err(Error::from)
            .gql()?;
        Ok(match (meeting, received) {
            (Some(m), Some(r)) => Some((m.starts_at - r.received_at).num_days().max(0)),
            _ => None,
        })
    }

    /// The decision, once recorded.
    async fn decision(&self) -> Option<CommitteeDecision> {
        self.0.decision.map(Into::into)
    }

    /// Why.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// The early intervention a redirect placed the child on the waiting list of.
    async fn offer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Offer>> {
        let Some(id) = self.0.offer_id else {
            return Ok(None);
        };
        Ok(early_intervention_offer::Entity::find_by_id(id)
            .one(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
            .map(Offer))
    }

    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.decided_at.map(Into::into)
    }

    /// Who recorded the decision.
    async fn decided_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.decided_by_id {
            Some(id) => Ok(Some(Professional(load_required(ctx, id).await.gql()?))),
            None => Ok(None),
        }
    }
}

crate::connection!(
    CommitteeMeetingConnection,
    CommitteeMeetingEdge,
    CommitteeMeeting,
    "A page of committee meetings.",
    "A committee meeting in a page."
);

/// Committee queries.
#[derive(Default)]
pub struct CommitteeQuery;

#[Object]
impl CommitteeQuery {
    /// A municipality's coordination committee meetings, latest first: for its intake unit,
    /// and for each meeting's members the meetings they sit on.
    async fn committee_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] municipality_id: ID,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<CommitteeMeetingConnection> {
        let actor = ctx.actor().gql()?;
        let municipality: OrganizationId = decode("municipalityId", &municipality_id).gql()?;
        let mut base = committee_meeting::Entity::find()
            .filter(committee_meeting::Column::MunicipalityId.eq(municipality));
        if actor.intake_for != Some(municipality) {
            let mine = sea_orm::sea_query::Query::select()
                .column(committee_member::Column::CommitteeMeetingId)
                .from(committee_member::Entity)
                .and_where(committee_member::Column::ProfessionalId.eq(actor.id()))
                .to_owned();
            base = base.filter(committee_meeting::Column::Id.in_subquery(mine));
        }
        Ok(Keyset::descending(
            "committee-meetings",
            vec![(committee_meeting::Column::Id, Key::Int(0))],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |m| {
            vec![Key::Int(m.id.0)]
        })
        .await
        .gql()?
        .map(CommitteeMeeting)
        .into())
    }
}

/// Loads a committee meeting for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the viewer is neither of the intake unit nor
/// a member.
pub async fn node_meeting(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    id: CommitteeMeetingId,
) -> Result<CommitteeMeeting> {
    let meeting = committee_meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("committee meeting"))?;
    if may_see(db, actor, &meeting).await? {
        Ok(CommitteeMeeting(meeting))
    } else {
        Err(Error::not_found("committee meeting"))
    }
}

/// Calls a coordination committee meeting.
#[derive(InputObject)]
pub struct ScheduleCommitteeMeetingInput {
    /// The municipality whose intake unit you belong to.
    pub municipality_id: ID,
    /// When it starts.
    pub starts_at: DateTime,
    /// How long it lasts, 15–480 minutes.
    pub duration_minutes: i32,
    /// Where.
    pub location: Option<String>,
    /// Who sits on it, across professions and organizations (you always do).
    pub member_ids: Vec<ID>,
    /// The referrals from the inbox on its agenda, in order (cases REFERRED or IN_INTAKE).
    pub case_ids: Vec<ID>,
}

/// Moves a committee meeting.
#[derive(InputObject)]
pub struct RescheduleCommitteeMeetingInput {
    /// The meeting (required).
    pub committee_meeting_id: Option<ID>,
    /// The meeting, under its old name.
    #[graphql(deprecation = "Use `committeeMeetingId`: inputs name their subject `<thing>Id`.")]
    pub id: Option<ID>,
    /// Its new start.
    pub starts_at: DateTime,
    /// Its new length, 15–480 minutes; unchanged when left out.
    pub duration_minutes: Option<i32>,
    /// Its new place; unchanged when left out.
    pub location: Option<String>,
}

/// Calls a committee meeting off.
#[derive(InputObject)]
pub struct CancelCommitteeMeetingInput {
    /// The meeting (required).
    pub committee_meeting_id: Option<ID>,
    /// The meeting, under its old name.
    #[graphql(deprecation = "Use `committeeMeetingId`: inputs name their subject `<thing>Id`.")]
    pub id: Option<ID>,
}

/// How the committee decided on one referral.
#[derive(InputObject)]
pub struct RecordCommitteeDecisionInput {
    /// The agenda item.
    pub agenda_item_id: ID,
    /// ACCEPTED, REDIRECTED or REJECTED.
    pub decision: CommitteeDecision,
    /// For ACCEPTED: one professional of each unit that takes part; each becomes a participant.
    pub participant_ids: Option<Vec<ID>>,
    /// For REDIRECTED: the early intervention whose waiting list the child is put on.
    pub offer_id: Option<ID>,
    /// Why; required for REJECTED.
    pub reason: Option<String>,
}

/// A committee meeting called.
#[derive(SimpleObject)]
pub struct CommitteeMeetingPayload {
    /// The meeting.
    pub committee_meeting: CommitteeMeeting,
}

/// A committee decision recorded.
#[derive(SimpleObject)]
pub struct CommitteeDecisionPayload {
    /// The agenda item with its decision.
    pub agenda_item: CommitteeAgendaItem,
}

/// Committee mutations.
#[derive(Default)]
pub struct CommitteeMutation;

#[Object]
impl CommitteeMutation {
    /// Calls a meeting of the municipality's coordination committee with referrals from the
    /// inbox on its agenda; its members get a calendar invitation naming the cases by
    /// reference only. The municipality's intake unit.
    async fn schedule_committee_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] input: ScheduleCommitteeMeetingInput,
    ) -> async_graphql::Result<CommitteeMeetingPayload> {
        let cmd = Schedule {
            municipality_id: decode("input.municipalityId", &input.municipality_id).gql()?,
            starts_at: input.starts_at.0,
            duration_minutes: i64::from(input.duration_minutes),
            location: input.location,
            member_ids: input
                .member_ids
                .iter()
                .enumerate()
                .map(|(i, id)| decode::<ProfessionalId>(&format!("input.memberIds.{i}"), id))
                .collect::<Result<_>>()
                .gql()?,
            case_ids: input
                .case_ids
                .iter()
                .enumerate()
                .map(|(i, id)| decode::<CaseId>(&format!("input.caseIds.{i}"), id))
                .collect::<Result<_>>()
                .gql()?,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = committee::schedule(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        Ok(CommitteeMeetingPayload {
            committee_meeting: CommitteeMeeting(row),
        })
    }

    /// Moves a committee meeting of your intake unit; every member gets an update.
    async fn reschedule_committee_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting and its new time.")] input: RescheduleCommitteeMeetingInput,
    ) -> async_graphql::Result<CommitteeMeetingPayload> {
        let id: CommitteeMeetingId = decode_renamed(
            "input.committeeMeetingId",
            input.committee_meeting_id.as_ref(),
            input.id.as_ref(),
        )
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = committee::reschedule(
            &w.txn,
            w.actor,
            w.now,
            id,
            input.starts_at.0,
            input.duration_minutes.map(i64::from),
            input.location,
        )
        .await;
        let row = w.finish(result).await.gql()?;
        Ok(CommitteeMeetingPayload {
            committee_meeting: CommitteeMeeting(row),
        })
    }

    /// Calls a committee meeting of your intake unit off; every member gets a cancellation.
    /// Its undecided referrals stay in the inbox for the next meeting.
    async fn cancel_committee_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] input: CancelCommitteeMeetingInput,
    ) -> async_graphql::Result<CommitteeMeetingPayload> {
        let id: CommitteeMeetingId = decode_renamed(
            "input.committeeMeetingId",
            input.committee_meeting_id.as_ref(),
            input.id.as_ref(),
        )
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = committee::cancel(&w.txn, w.actor, w.now, id).await;
        let row = w.finish(result).await.gql()?;
        Ok(CommitteeMeetingPayload {
            committee_meeting: CommitteeMeeting(row),
        })
    }

    /// Records the committee's decision on a referral of its agenda: the case's intake
    /// decision, which meets the intake deadline. ACCEPTED makes the named professionals
    /// participants of the new pathway; REDIRECTED puts the child on the early
    /// intervention's waiting list; REJECTED needs a reason. The municipality's intake unit.
    async fn record_committee_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision.")] input: RecordCommitteeDecisionInput,
    ) -> async_graphql::Result<CommitteeDecisionPayload> {
        let item: CommitteeAgendaItemId =
            decode("input.agendaItemId", &input.agenda_item_id).gql()?;
        let decision = match input.decision {
            CommitteeDecision::Accepted => Decision::Accept {
                participants: input
                    .participant_ids
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        decode::<ProfessionalId>(&format!("input.participantIds.{i}"), id)
                    })
                    .collect::<Result<_>>()
                    .gql()?,
            },
            CommitteeDecision::Redirected => Decision::Redirect {
                offer_id: decode_opt::<OfferId>("input.offerId", input.offer_id.as_ref())
                    .gql()?
                    .ok_or_else(|| {
                        Error::invalid(
                            "input.offerId",
                            "a redirect names the early intervention to wait for",
                        )
                    })
                    .gql()?,
            },
            CommitteeDecision::Rejected => Decision::Reject,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = committee::decide(&w.txn, w.actor, w.now, item, decision, input.reason).await;
        let row = w.finish(result).await.gql()?;
        Ok(CommitteeDecisionPayload {
            agenda_item: CommitteeAgendaItem(row),
        })
    }
}

/// A committee agenda item by id, for `node(id:)`: for those who may see its meeting.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or its meeting is not the actor's to see.
pub async fn node_agenda_item(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    id: CommitteeAgendaItemId,
) -> Result<CommitteeAgendaItem> {
    let gone = || Error::not_found("committee agenda item");
    let item = committee_agenda_item::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    node_meeting(db, actor, item.committee_meeting_id)
        .await
        .map_err(|_| gone())?;
    Ok(CommitteeAgendaItem(item))
}
