//! The coordination committee: meetings with an agenda of referrals from the inbox, and the
//! decision recorded on each.

use async_graphql::{Context, Enum, ID, Object};
use kit_entity::domain::enums;
use kit_entity::entities::{committee_agenda_item, committee_meeting};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::catalogue::Offer;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::scalars::DateTime;
use kit_entity::ops::committee;

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
        let ids = committee::members_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(Professional(load_required(ctx, id).await.gql()?));
        }
        Ok(out)
    }

    /// Who comes: each member with their answer and how their invitation fared (a FAILED
    /// delivery says why), in the order they were added.
    async fn attendance(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CommitteeAttendance>> {
        let rows = kit_entity::ops::committee_changes::attendance(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(|(member, last)| CommitteeAttendance { member, last })
            .collect())
    }

    /// The referrals on its agenda, in order, with the decisions recorded.
    async fn agenda(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CommitteeAgendaItem>> {
        let rows = committee::agenda_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(CommitteeAgendaItem).collect())
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
        committee::waited_days(&ctx.state().db, &self.0).await.gql()
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
        let row = committee::offer_of(&ctx.state().db, &self.0).await.gql()?;
        Ok(row.map(Offer))
    }

    /// Where a redirect outside the catalogue sent the child, in words; null otherwise.
    async fn redirected_to(&self) -> Option<&str> {
        self.0.redirected_to.as_deref()
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

/// One member of a committee meeting: their answer and their invitation's delivery.
pub struct CommitteeAttendance {
    member: kit_entity::entities::committee_member::Model,
    last: Option<kit_entity::entities::delivery::Model>,
}

/// One member of a committee meeting: whether they come, and whether their invitation
/// reached them.
#[Object]
impl CommitteeAttendance {
    /// The member.
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.member.professional_id)
            .await
            .map(Professional)
            .gql()
    }

    /// Their answer: NEEDS_ACTION until they answer (in the product or by an iTIP REPLY).
    async fn response(&self) -> crate::graphql::enums::InviteeResponse {
        self.member.response.into()
    }

    /// When they answered.
    async fn responded_at(&self) -> Option<DateTime> {
        self.member.responded_at.map(Into::into)
    }

    /// The state of the last message sent to them about the meeting; null before the first is
    /// written.
    async fn invitation_status(&self) -> Option<crate::graphql::enums::DeliveryStatus> {
        self.last.as_ref().map(|d| d.status.into())
    }

    /// Why that message failed or waits to be tried again.
    async fn invitation_error(&self) -> Option<&str> {
        self.last.as_ref().and_then(|d| d.last_error.as_deref())
    }
}
