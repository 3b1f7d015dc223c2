//! Calling, moving and cancelling a committee meeting, and recording its decisions.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::ids::{CaseId, CommitteeAgendaItemId, CommitteeMeetingId, OfferId, ProfessionalId};
use kit_entity::{Error, Result};

use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt, decode_renamed};
use crate::graphql::mutations::Write;
use crate::graphql::objects::committee::*;
use crate::graphql::scalars::DateTime;
use kit_entity::ops::committee::{self, Decision, Redirect, Schedule};

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

/// Changes a called committee meeting's members and agenda.
#[derive(InputObject)]
pub struct ChangeCommitteeMeetingInput {
    /// The meeting.
    pub committee_meeting_id: ID,
    /// Professionals who join it.
    #[graphql(default)]
    pub add_member_ids: Vec<ID>,
    /// Members who leave it (not the one who called it).
    #[graphql(default)]
    pub remove_member_ids: Vec<ID>,
    /// Referrals waiting at the entry point, added at the end of the agenda.
    #[graphql(default)]
    pub add_case_ids: Vec<ID>,
    /// Undecided referrals taken off the agenda; they stay in the inbox.
    #[graphql(default)]
    pub remove_case_ids: Vec<ID>,
}

/// Answers your invitation to a committee meeting.
#[derive(InputObject)]
pub struct RespondToCommitteeInvitationInput {
    /// The meeting you sit on.
    pub committee_meeting_id: ID,
    /// ACCEPTED, DECLINED or TENTATIVE.
    pub response: crate::graphql::enums::InviteeResponse,
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
    /// For REDIRECTED: the early intervention whose waiting list the child is put on. Give
    /// this or `redirectedTo`.
    pub offer_id: Option<ID>,
    /// For REDIRECTED to a service outside the catalogue (family treatment, the child's own
    /// doctor): where, 1–500 characters. Give this or `offerId`.
    pub redirected_to: Option<String>,
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

    /// Changes a called committee meeting of your intake unit before it starts: members join
    /// or leave, referrals are added to or taken off its agenda. Its SEQUENCE rises: every
    /// member gets an update with the agenda and attendees as they now are, and anyone taken
    /// off a cancellation.
    async fn change_committee_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting and what changes.")] input: ChangeCommitteeMeetingInput,
    ) -> async_graphql::Result<CommitteeMeetingPayload> {
        fn ids<T: crate::graphql::ids::NodeId>(field: &str, list: &[ID]) -> Result<Vec<T>> {
            list.iter()
                .enumerate()
                .map(|(i, id)| decode::<T>(&format!("input.{field}.{i}"), id))
                .collect()
        }
        let id: CommitteeMeetingId =
            decode("input.committeeMeetingId", &input.committee_meeting_id).gql()?;
        let change = kit_entity::ops::committee_changes::Change {
            add_members: ids("addMemberIds", &input.add_member_ids).gql()?,
            remove_members: ids("removeMemberIds", &input.remove_member_ids).gql()?,
            add_cases: ids("addCaseIds", &input.add_case_ids).gql()?,
            remove_cases: ids("removeCaseIds", &input.remove_case_ids).gql()?,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result =
            kit_entity::ops::committee_changes::change(&w.txn, w.actor, w.now, id, change).await;
        let row = w.finish(result).await.gql()?;
        Ok(CommitteeMeetingPayload {
            committee_meeting: CommitteeMeeting(row),
        })
    }

    /// Answers your invitation to a committee meeting you sit on, until it ends; the intake
    /// unit sees it in `CommitteeMeeting.attendance` (an iTIP REPLY forwarded to
    /// `/calendar/reply` does the same).
    async fn respond_to_committee_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting and your answer.")] input: RespondToCommitteeInvitationInput,
    ) -> async_graphql::Result<CommitteeMeetingPayload> {
        let id: CommitteeMeetingId =
            decode("input.committeeMeetingId", &input.committee_meeting_id).gql()?;
        let response: kit_entity::domain::enums::InviteeResponse = input.response.into();
        if response == kit_entity::domain::enums::InviteeResponse::NeedsAction {
            return Err(Error::invalid(
                "input.response",
                "answer ACCEPTED, DECLINED or TENTATIVE",
            ))
            .gql();
        }
        let w = Write::begin(ctx).await.gql()?;
        let result = async {
            kit_entity::ops::committee_changes::respond(&w.txn, w.actor, w.now, id, response)
                .await?;
            committee_meeting_row(&w.txn, id).await
        }
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

    /// Records the committee's decision on a referral of its agenda, at or after the meeting
    /// (CONFLICT before it starts): the case's intake decision, which meets the intake
    /// deadline and is told to the referrer. ACCEPTED makes the named professionals
    /// participants of the new pathway; REDIRECTED puts the child on the early intervention's
    /// waiting list, or names a service outside the catalogue (`redirectedTo`); either closes
    /// the agenda item. REJECTED needs a reason. The municipality's intake unit.
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
            CommitteeDecision::Redirected => {
                let offer =
                    decode_opt::<OfferId>("input.offerId", input.offer_id.as_ref()).gql()?;
                Decision::Redirect(match (offer, input.redirected_to) {
                    (Some(offer), None) => Redirect::Offer(offer),
                    (None, Some(to)) => Redirect::Elsewhere(to),
                    (Some(_), Some(_)) => {
                        return Err(Error::invalid(
                            "input.redirectedTo",
                            "a redirect goes to an early intervention (offerId) or elsewhere \
                             (redirectedTo), not both",
                        ))
                        .gql();
                    }
                    (None, None) => {
                        return Err(Error::invalid(
                            "input.offerId",
                            "a redirect names the early intervention to wait for (offerId) or \
                             the service outside the catalogue (redirectedTo)",
                        ))
                        .gql();
                    }
                })
            }
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

async fn committee_meeting_row(
    txn: &sea_orm::DatabaseTransaction,
    id: CommitteeMeetingId,
) -> Result<kit_entity::entities::committee_meeting::Model> {
    use sea_orm::EntityTrait;
    kit_entity::entities::committee_meeting::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("committee meeting").at("committeeMeetingId"))
}
