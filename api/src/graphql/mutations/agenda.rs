//! A meeting's agenda — which starts from its kind's template — and its minutes, whole or per
//! agenda item.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::validate;
use kit_entity::ids::{AgendaItemId, MeetingId};
use kit_entity::ops::meetings::agenda::{self, EditItem, Held};

use crate::graphql::context::load_required;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::meeting::MeetingPayload;
use crate::graphql::mutations::{Write, maybe};
use crate::graphql::objects::{AgendaItem, Meeting};
use crate::graphql::scalars::DateTime;

/// Records a scheduled meeting as held.
#[derive(InputObject)]
pub struct RecordMeetingHeldInput {
    /// The meeting that took place.
    pub meeting_id: ID,
    /// The minutes, 1–4000 characters: the agreements made, who does what by when. May be
    /// left out when `agendaMinutes` is given: then the meeting's minutes are the open agenda
    /// items' minutes in priority order.
    pub minutes: Option<String>,
    /// The minutes per agenda item, structured as the agenda. A closed item's minutes are
    /// seen only by the professionals taking part.
    #[graphql(default)]
    pub agenda_minutes: Vec<AgendaMinutesInput>,
    /// When it took place, for a meeting held earlier than booked: it is recorded held at
    /// that time, with no update sent (the meeting is over). Not in the future. Left out, the
    /// booked time stands, and the meeting must have started.
    pub started_at: Option<DateTime>,
    /// What a START, NETWORK, FOLLOW_UP, CLOSING or HAND_BACK meeting writes into the plan;
    /// each such meeting writes a new version, carrying over what this leaves out. Its
    /// agreements may name the agenda item they were agreed under.
    pub plan: Option<super::plan::PlanInput>,
}

/// The minutes of one agenda item.
#[derive(InputObject)]
pub struct AgendaMinutesInput {
    /// The agenda item of the meeting.
    pub agenda_item_id: ID,
    /// What was said and decided under it, 1–4000 characters.
    pub minutes: String,
}

/// Adds an agenda item.
#[derive(InputObject)]
pub struct AddAgendaItemInput {
    /// The meeting whose agenda it joins.
    pub meeting_id: ID,
    /// The topic, 1–500 characters. Never sent out.
    pub title: String,
    /// The participant who owns the item.
    pub owner_id: Option<ID>,
    /// Person-sensitive: only professionals taking part see it. Default false.
    #[graphql(default)]
    pub closed: bool,
}

/// The new agenda item.
#[derive(SimpleObject)]
pub struct AgendaItemPayload {
    /// The agenda item as recorded.
    pub agenda_item: AgendaItem,
    /// The meeting after the change, with its agenda in priority order.
    pub meeting: Meeting,
}

/// Removes an agenda item.
#[derive(InputObject)]
pub struct RemoveAgendaItemInput {
    /// The agenda item to remove.
    pub agenda_item_id: ID,
}

/// Edits an agenda item; what is left out stays as it is.
#[derive(InputObject)]
pub struct UpdateAgendaItemInput {
    /// The agenda item.
    pub agenda_item_id: ID,
    /// A new topic, 1–500 characters.
    pub title: Option<String>,
    /// Whether it is discussed in the closed part.
    pub closed: Option<bool>,
    /// New guidance, 1–4000 characters; null removes it.
    #[graphql(default)]
    pub guidance: MaybeUndefined<String>,
}

/// Puts an agenda in a new order.
#[derive(InputObject)]
pub struct ReorderAgendaInput {
    /// The meeting.
    pub meeting_id: ID,
    /// Every agenda item of the meeting, once, most important first.
    pub agenda_item_ids: Vec<ID>,
}

/// Agenda and minutes mutations.
#[derive(Default)]
pub struct AgendaMutation;

#[Object]
impl AgendaMutation {
    /// Records a scheduled meeting as held, with its minutes, once it has started (CONFLICT
    /// before its start time, unless `startedAt` says when a meeting held earlier than booked
    /// took place: it is recorded at that time, without an update e-mail). After a start, network, follow-up or hand-back meeting the pathway
    /// requests the next follow-up. Minutes may be given per agenda item.
    async fn record_meeting_held(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RecordMeetingHeldInput`.")]
        input: RecordMeetingHeldInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let agenda_minutes = input
            .agenda_minutes
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let item = decode::<AgendaItemId>(
                    &format!("input.agendaMinutes.{i}.agendaItemId"),
                    &m.agenda_item_id,
                )?;
                Ok((item, m.minutes))
            })
            .collect::<Result<Vec<_>>>()
            .gql()?;
        let plan = input.plan.map(|p| p.into_content()).transpose().gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let held = Held {
            minutes: input.minutes,
            agenda_minutes,
            started_at: input.started_at.map(|d| d.0),
            plan,
        };
        let r = agenda::record_held(&w.txn, w.actor, w.now, id, held).await;
        Ok(MeetingPayload {
            meeting: Meeting(w.finish(r).await.gql()?),
        })
    }

    /// Adds an item to a meeting's agenda, last in priority.
    async fn add_agenda_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AddAgendaItemInput`.")]
        input: AddAgendaItemInput,
    ) -> async_graphql::Result<AgendaItemPayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let title = validate::short_text("input.title", &input.title).gql()?;
        let owner = decode_opt("input.ownerId", input.owner_id.as_ref()).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r =
            agenda::add_agenda_item(&w.txn, w.actor, w.now, id, title, owner, input.closed).await;
        let item = w.finish(r).await.gql()?;
        let meeting = load_required(ctx, item.meeting_id).await.gql()?;
        Ok(AgendaItemPayload {
            agenda_item: AgendaItem(item),
            meeting: Meeting(meeting),
        })
    }

    /// Removes an agenda item, until the meeting is held; the rest close up.
    async fn remove_agenda_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RemoveAgendaItemInput`.")]
        input: RemoveAgendaItemInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let id: AgendaItemId = decode("input.agendaItemId", &input.agenda_item_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = agenda::remove_agenda_item(&w.txn, w.actor, w.now, id).await;
        Ok(MeetingPayload {
            meeting: Meeting(w.finish(r).await.gql()?),
        })
    }

    /// Edits an agenda item until the meeting is held: its title, whether it is closed, its
    /// guidance.
    async fn update_agenda_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateAgendaItemInput`.")]
        input: UpdateAgendaItemInput,
    ) -> async_graphql::Result<AgendaItemPayload> {
        let id: AgendaItemId = decode("input.agendaItemId", &input.agenda_item_id).gql()?;
        let edit = EditItem {
            title: input.title,
            closed: input.closed,
            guidance: maybe(input.guidance, Ok).gql()?,
        };
        let w = Write::begin(ctx).await.gql()?;
        let r = agenda::edit_agenda_item(&w.txn, w.actor, w.now, id, edit).await;
        let item = w.finish(r).await.gql()?;
        let meeting = load_required(ctx, item.meeting_id).await.gql()?;
        Ok(AgendaItemPayload {
            agenda_item: AgendaItem(item),
            meeting: Meeting(meeting),
        })
    }

    /// Puts a meeting's agenda in a new priority order, until the meeting is held.
    async fn reorder_agenda(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `ReorderAgendaInput`.")]
        input: ReorderAgendaInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let order = input
            .agenda_item_ids
            .iter()
            .enumerate()
            .map(|(i, item)| decode::<AgendaItemId>(&format!("input.agendaItemIds.{i}"), item))
            .collect::<Result<Vec<_>>>()
            .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = agenda::reorder_agenda(&w.txn, w.actor, w.now, id, &order).await;
        w.finish(r).await.gql()?;
        let meeting = load_required(ctx, id).await.gql()?;
        Ok(MeetingPayload {
            meeting: Meeting(meeting),
        })
    }
}
