//! Meeting object types: the meeting, its invitees and their answers, agenda items, the
//! messages sent about it, busy periods and calendar feeds.

use async_graphql::{Context, Enum, ID, Object};
use kit_entity::domain::enums::ItipMethod;
use kit_entity::entities::{
    agenda_item, busy_period, calendar_feed, case, delivery, meeting, meeting_invitee,
};
use kit_entity::ids::{InviteeId, MeetingId};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{
    DeliveryStatus, InviteeResponse, MeetingKind, MeetingStatus, MessageMethod,
};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::{AgendaOf, DeliveriesOf, InviteesOf, ParticipantsOf};
use crate::graphql::objects::case::Case;
use crate::graphql::objects::participant::Participant;
use crate::graphql::read::{read, read_case};
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;
use kit_entity::ops::meetings::commands::sees_closed_items;

/// Whether an invitee must be able to come.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum InviteeRequirement {
    /// The scheduler only picks times this invitee is free (iCalendar ROLE=REQ-PARTICIPANT).
    Required,
    /// Invited, but the time does not wait for them (ROLE=OPT-PARTICIPANT).
    Optional,
}

impl InviteeRequirement {
    /// True for REQUIRED.
    #[must_use]
    pub fn is_required(self) -> bool {
        self == Self::Required
    }

    fn of(required: bool) -> Self {
        if required {
            Self::Required
        } else {
            Self::Optional
        }
    }
}

/// GraphQL `Meeting` over `meeting::Model`, described on its `#[Object]` impl.
pub struct Meeting(pub meeting::Model);

/// A pathway meeting of a case. Times are Europe/Copenhagen local times, written in RFC 3339
/// with their offset.
#[Object]
impl Meeting {
    /// Global id of the meeting: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case the meeting is held for.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// Start, network, follow-up, closing, transition or coordination.
    async fn kind(&self) -> MeetingKind {
        self.0.kind.into()
    }

    /// PLANNED → SCHEDULED → HELD, or CANCELLED.
    async fn status(&self) -> MeetingStatus {
        self.0.status.into()
    }

    /// Start, once scheduled.
    async fn starts_at(&self) -> Option<DateTime> {
        self.0.starts_at.map(Into::into)
    }

    /// End, once scheduled.
    async fn ends_at(&self) -> Option<DateTime> {
        self.0.ends_at.map(Into::into)
    }

    /// Length in minutes.
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }

    /// The earliest start the scheduler may choose.
    async fn earliest(&self) -> Option<DateTime> {
        self.0.earliest.map(Into::into)
    }

    /// The latest end the scheduler may choose.
    async fn latest(&self) -> Option<DateTime> {
        self.0.latest.map(Into::into)
    }

    /// Where, if in person.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The video link, if online.
    async fn video_url(&self) -> Option<&str> {
        self.0.video_url.as_deref()
    }

    /// The organizing responsible contact.
    async fn organizer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Participant>> {
        match self.0.organizer_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Participant)),
            None => Ok(None),
        }
    }

    /// While PLANNED: why the scheduler found no time yet ("no common free slot before
    /// 2027-03-01", "waiting for a responsible contact to organize the meeting").
    async fn scheduling_note(&self) -> Option<&str> {
        self.0.scheduling_note.as_deref()
    }

    /// The iCalendar SEQUENCE of the latest version sent; grows with every change invitees
    /// care about.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }

    /// The iCalendar UID, stable for the meeting's life.
    async fn uid(&self) -> &str {
        &self.0.uid
    }

    /// The invitees with their answers. Removed invitees only when asked for.
    async fn invitees(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include invitees who were removed. Default false.", default)]
        include_removed: bool,
    ) -> async_graphql::Result<Vec<MeetingInvitee>> {
        read_case(ctx, self.0.case_id, ChildData::Meetings)
            .await
            .gql()?;
        Ok(load(ctx, InviteesOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(|i| include_removed || i.removed_at.is_none())
            .map(MeetingInvitee)
            .collect())
    }

    /// The agenda, in priority order. Closed (person-sensitive) items are shown only to
    /// professionals who take part in the case.
    async fn agenda(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AgendaItem>> {
        let case: case::Model = load_required(ctx, self.0.case_id).await.gql()?;
        let sees_closed = sees_closed_items(&read(ctx, &case, ChildData::Meetings).await.gql()?);
        Ok(load(ctx, AgendaOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(|a| sees_closed || !a.closed)
            .map(AgendaItem)
            .collect())
    }

    /// The minutes, once held. Only for those with whom the child's data is shared: null for
    /// anyone else (`Case.viewerAccess.childData` REFERRER or WITHHELD).
    async fn minutes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        if self.0.minutes.is_some() && !shared(ctx, self.0.case_id).await? {
            return Ok(None);
        }
        Ok(self.0.minutes.as_deref())
    }

    /// When it was recorded as held.
    async fn held_at(&self) -> Option<DateTime> {
        self.0.held_at.map(Into::into)
    }

    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// True for meetings the pathway planned by itself (start, follow-ups, transitions).
    async fn planned_by_pathway(&self) -> bool {
        self.0.milestone.is_some()
    }

    /// Every message sent or to be sent about this meeting, oldest first. Only for those with
    /// whom the child's data is shared: null for anyone else (`Case.viewerAccess.childData`
    /// REFERRER or WITHHELD).
    async fn deliveries(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Delivery>>> {
        if !shared(ctx, self.0.case_id).await? {
            return Ok(None);
        }
        // Whose address each message went to: a guardian's or the child's own is family or
        // child data, and is logged as such when it is read.
        let invitees = load(ctx, InviteesOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default();
        let participants = load(ctx, ParticipantsOf(self.0.case_id))
            .await
            .gql()?
            .unwrap_or_default();
        let kind_of = |invitee: Option<kit_entity::ids::InviteeId>| {
            let invitee = invitees.iter().find(|i| Some(i.id) == invitee)?;
            let person = participants
                .iter()
                .find(|p| p.id == invitee.participant_id)?;
            match person.kind {
                kit_entity::domain::enums::ParticipantKind::FamilyMember => Some(ChildData::Family),
                kit_entity::domain::enums::ParticipantKind::Child => Some(ChildData::Child),
                _ => None,
            }
        };
        Ok(Some(
            load(ctx, DeliveriesOf(self.0.id))
                .await
                .gql()?
                .unwrap_or_default()
                .into_iter()
                .map(|d| Delivery {
                    recipient_data: kind_of(Some(InviteeId(d.subject_id))),
                    meeting: self.0.id,
                    model: d,
                })
                .collect(),
        ))
    }

    /// When it was requested.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// True when the child's data of case `case_id` is shared with the viewer (the meeting's
/// minutes and deliveries are then shown, and the read is noted for the access log).
async fn shared(
    ctx: &Context<'_>,
    case_id: kit_entity::ids::CaseId,
) -> async_graphql::Result<bool> {
    let access = read_case(ctx, case_id, ChildData::Meetings).await.gql()?;
    Ok(access.shares_child_data())
}

/// One participant's invitation to a meeting, with their answer.
pub struct MeetingInvitee(pub meeting_invitee::Model);

/// One participant's invitation to a meeting, with their answer.
#[Object]
impl MeetingInvitee {
    /// Global id of the meeting invitee: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Who is invited.
    async fn participant(&self, ctx: &Context<'_>) -> async_graphql::Result<Participant> {
        load_required(ctx, self.0.participant_id)
            .await
            .map(Participant)
            .gql()
    }

    /// REQUIRED or OPTIONAL.
    async fn requirement(&self) -> InviteeRequirement {
        InviteeRequirement::of(self.0.required)
    }

    /// Their answer.
    async fn response(&self) -> InviteeResponse {
        self.0.response.into()
    }

    /// When they answered.
    async fn responded_at(&self) -> Option<DateTime> {
        self.0.responded_at.map(Into::into)
    }

    /// When they were removed from the meeting; null while invited.
    async fn removed_at(&self) -> Option<DateTime> {
        self.0.removed_at.map(Into::into)
    }
}

/// A prioritised agenda item.
pub struct AgendaItem(pub agenda_item::Model);

/// A prioritised agenda item.
#[Object]
impl AgendaItem {
    /// Global id of the agenda item: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The topic.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Priority order, 1 first.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// The participant who owns the item.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Participant>> {
        match self.0.owner_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Participant)),
            None => Ok(None),
        }
    }

    /// Person-sensitive: discussed in the closed part, seen only by professionals taking part.
    async fn closed(&self) -> bool {
        self.0.closed
    }

    /// What the item is for, as the template the meeting started from says.
    async fn guidance(&self) -> Option<&str> {
        self.0.guidance.as_deref()
    }

    /// What was said and decided under it; null until the meeting is recorded held with
    /// minutes for it.
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }

    /// The plan's agreements made under it, by due date. Null when the child's data is not
    /// shared with you (REFERRER or WITHHELD).
    async fn agreements(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<crate::graphql::objects::plan::Agreement>>> {
        let meeting: kit_entity::entities::meeting::Model =
            load_required(ctx, self.0.meeting_id).await.gql()?;
        if crate::graphql::read::read_case_shared(ctx, meeting.case_id, ChildData::Plan)
            .await
            .gql()?
            .is_none()
        {
            return Ok(None);
        }
        let rows = kit_entity::ops::plans::agreements_of(&ctx.state().db, meeting.case_id)
            .await
            .gql()?;
        Ok(Some(
            rows.into_iter()
                .filter(|a| a.agenda_item_id == Some(self.0.id))
                .map(crate::graphql::objects::plan::Agreement)
                .collect(),
        ))
    }
}

/// One e-mail with a calendar about one version of a meeting, to one invitee.
pub struct Delivery {
    /// The row (an invitation's: its subject is the invitee).
    pub model: delivery::Model,
    /// The meeting it is about.
    pub meeting: MeetingId,
    /// What kind of a child's data its recipient's address is: a guardian's (FAMILY) or the
    /// young person's own (CHILD); none for professionals and external actors.
    pub recipient_data: Option<ChildData>,
}

/// One e-mail with a calendar about one version of a meeting, to one invitee.
#[Object]
impl Delivery {
    /// Global id of the delivery: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.model.id.to_global()
    }

    /// The invitation it is about.
    async fn invitee(&self, ctx: &Context<'_>) -> async_graphql::Result<MeetingInvitee> {
        let row = load_required(ctx, InviteeId(self.model.subject_id))
            .await
            .gql()?;
        Ok(MeetingInvitee(row))
    }

    /// The address. A guardian's or the young person's own address is family or child data:
    /// reading it is logged as such.
    async fn recipient(&self, ctx: &Context<'_>) -> async_graphql::Result<&str> {
        if let Some(kind) = self.recipient_data {
            let meeting: meeting::Model = load_required(ctx, self.meeting).await.gql()?;
            read_case(ctx, meeting.case_id, kind).await.gql()?;
        }
        Ok(&self.model.recipient)
    }

    /// REQUEST (invitation or update) or CANCEL.
    async fn method(&self) -> MessageMethod {
        self.model.method.unwrap_or(ItipMethod::Request).into()
    }

    /// The meeting's SEQUENCE this message carries.
    async fn sequence(&self) -> i32 {
        self.model.sequence
    }

    /// PENDING, SENT, FAILED or SUPERSEDED.
    async fn status(&self) -> DeliveryStatus {
        self.model.status.into()
    }

    /// How many times sending was tried.
    async fn attempts(&self) -> i32 {
        self.model.attempts
    }

    /// The last failure.
    async fn last_error(&self) -> Option<&str> {
        self.model.last_error.as_deref()
    }

    /// When the next try is due, while PENDING.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.model.status == kit_entity::domain::enums::DeliveryStatus::Pending)
            .then(|| self.model.next_attempt_at.into())
    }

    /// When the mail server accepted it.
    async fn sent_at(&self) -> Option<DateTime> {
        self.model.sent_at.map(Into::into)
    }
}

/// A period a professional is busy; the scheduler avoids it.
pub struct BusyPeriod(pub busy_period::Model);

/// A period a professional is busy; the scheduler avoids it.
#[Object]
impl BusyPeriod {
    /// Global id of the busy period: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Start.
    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    /// End.
    async fn ends_at(&self) -> DateTime {
        self.0.ends_at.into()
    }

    /// A private note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A personal, read-only calendar feed. Its URL is shown once, when it is created.
pub struct CalendarFeed(pub calendar_feed::Model);

/// A personal, read-only calendar feed. Its URL is shown once, when it is created.
#[Object]
impl CalendarFeed {
    /// Global id of the calendar feed: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was revoked; its URL no longer works.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }
}
