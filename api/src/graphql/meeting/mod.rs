//! Meetings of a case: their time, place, invitees and answers, agenda, minutes, and the
//! messages sent about them.

pub mod mutation;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use kit_entity::domain::enums::{ItipMethod, MeetingStatus as DomainStatus, ParticipantRole};
use kit_entity::entities::{
    agenda_item, busy_period, calendar_feed, case, delivery, meeting, meeting_invitee, participant,
};
use kit_entity::ids::{CaseId, MeetingId, ParticipantId, ProfessionalId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub use mutation::MeetingMutation;

use crate::access::{self, Actor};
use crate::access_log::ChildData;
use crate::graphql::case::{Case, OrderDirection, read, read_case};
use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{
    DeliveryStatus, InviteeResponse, MeetingKind, MeetingStatus, MessageMethod,
};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode, decode_opt};
use crate::graphql::loaders::{AgendaOf, DeliveriesOf, InviteesOf};
use crate::graphql::pagination::{
    TotalCount, decode_cursor, decode_id_cursor, encode_cursor, page, page_size,
};
use crate::graphql::participant::Participant;
use crate::graphql::scalars::DateTime;
use crate::services::meeting::{meeting_access, sees_closed_items};

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

/// A pathway meeting of a case. Times are Europe/Copenhagen local times, written in RFC 3339
/// with their offset.
pub struct Meeting(pub meeting::Model);

/// A pathway meeting of a case. Times are Europe/Copenhagen local times, written in RFC 3339
/// with their offset.
#[Object]
impl Meeting {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case.
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

    /// The minutes, once held.
    async fn minutes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        if self.0.minutes.is_some() {
            read_case(ctx, self.0.case_id, ChildData::Meetings)
                .await
                .gql()?;
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

    /// Every message sent or to be sent about this meeting, oldest first.
    async fn deliveries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Delivery>> {
        Ok(load(ctx, DeliveriesOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .map(Delivery)
            .collect())
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

/// One participant's invitation to a meeting, with their answer.
pub struct MeetingInvitee(pub meeting_invitee::Model);

/// One participant's invitation to a meeting, with their answer.
#[Object]
impl MeetingInvitee {
    /// The global id.
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
    /// The global id.
    async fn id(&self) -> ID {
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
}

/// One e-mail with a calendar about one version of a meeting, to one invitee.
pub struct Delivery(pub delivery::Model);

/// One e-mail with a calendar about one version of a meeting, to one invitee.
#[Object]
impl Delivery {
    /// The global id.
    async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The invitation it is about.
    async fn invitee(&self, ctx: &Context<'_>) -> async_graphql::Result<MeetingInvitee> {
        let id = self
            .0
            .invitee_id
            .ok_or_else(|| Error::internal("a meeting delivery names no invitee"))
            .gql()?;
        meeting_invitee::Entity::find_by_id(id)
            .one(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
            .map(MeetingInvitee)
            .ok_or_else(|| Error::internal("a delivery's invitee is missing"))
            .gql()
    }

    /// The address.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }

    /// REQUEST (invitation or update) or CANCEL.
    async fn method(&self) -> MessageMethod {
        self.0.method.unwrap_or(ItipMethod::Request).into()
    }

    /// The meeting's SEQUENCE this message carries.
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }

    /// PENDING, SENT, FAILED or SUPERSEDED.
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    /// How many times sending was tried.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The last failure.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the next try is due, while PENDING.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.status == kit_entity::domain::enums::DeliveryStatus::Pending)
            .then(|| self.0.next_attempt_at.into())
    }

    /// When the mail server accepted it.
    async fn sent_at(&self) -> Option<DateTime> {
        self.0.sent_at.map(Into::into)
    }
}

/// A period a professional is busy; the scheduler avoids it.
pub struct BusyPeriod(pub busy_period::Model);

/// A period a professional is busy; the scheduler avoids it.
#[Object]
impl BusyPeriod {
    /// The global id.
    async fn id(&self) -> ID {
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
    /// The global id.
    async fn id(&self) -> ID {
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

/// Which meetings to list. All conditions must hold.
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Only meetings that end after this instant.
    pub from: Option<DateTime>,
    /// Only meetings that start before this instant.
    pub to: Option<DateTime>,
    /// Only meetings this participant is invited to.
    pub participant_id: Option<ID>,
    /// Only meetings this professional is invited to, in any case.
    pub professional_id: Option<ID>,
    /// Only meetings of these kinds.
    pub kind: Option<Vec<MeetingKind>>,
    /// Only meetings in these statuses.
    pub status: Option<Vec<MeetingStatus>>,
}

/// What to sort meetings by.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum MeetingOrderField {
    /// Start time; meetings without a time are left out.
    #[default]
    StartsAt,
    /// When the meeting was requested.
    CreatedAt,
}

/// How to sort meetings. Default: by start time, earliest first.
#[derive(InputObject)]
pub struct MeetingOrder {
    /// The field.
    #[graphql(default)]
    pub field: MeetingOrderField,
    /// The direction. Default ascending.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl Default for MeetingOrder {
    fn default() -> Self {
        Self {
            field: MeetingOrderField::StartsAt,
            direction: OrderDirection::Asc,
        }
    }
}

crate::connection!(
    MeetingConnection,
    MeetingEdge,
    Meeting,
    "A page of meetings.",
    "A meeting in a page of meetings."
);

fn invited(participant: sea_orm::sea_query::SimpleExpr) -> Condition {
    Condition::all().add(
        meeting::Column::Id.in_subquery(
            Query::select()
                .column(meeting_invitee::Column::MeetingId)
                .from(meeting_invitee::Entity)
                .and_where(meeting_invitee::Column::RemovedAt.is_null())
                .and_where(participant)
                .to_owned(),
        ),
    )
}

fn of_professional(id: ProfessionalId) -> Condition {
    invited(
        meeting_invitee::Column::ParticipantId.in_subquery(
            Query::select()
                .column(participant::Column::Id)
                .from(participant::Entity)
                .and_where(participant::Column::ProfessionalId.eq(id))
                .to_owned(),
        ),
    )
}

fn meeting_condition(actor: &Actor, filter: MeetingFilter) -> Result<Condition> {
    let mut all = Condition::all().add(
        meeting::Column::CaseId.in_subquery(
            Query::select()
                .column(case::Column::Id)
                .from(case::Entity)
                .cond_where(access::visible_cases(actor))
                .to_owned(),
        ),
    );
    if let Some(from) = filter.from {
        all = all.add(meeting::Column::EndsAt.gt(from.0));
    }
    if let Some(to) = filter.to {
        all = all.add(meeting::Column::StartsAt.lt(to.0));
    }
    if let Some(p) =
        decode_opt::<ParticipantId>("filter.participantId", filter.participant_id.as_ref())?
    {
        all = all.add(invited(meeting_invitee::Column::ParticipantId.eq(p)));
    }
    if let Some(p) =
        decode_opt::<ProfessionalId>("filter.professionalId", filter.professional_id.as_ref())?
    {
        all = all.add(of_professional(p));
    }
    if let Some(kinds) = filter.kind {
        let kinds: Vec<kit_entity::domain::enums::MeetingKind> =
            kinds.into_iter().map(Into::into).collect();
        all = all.add(meeting::Column::Kind.is_in(kinds));
    }
    if let Some(statuses) = filter.status {
        let statuses: Vec<DomainStatus> = statuses.into_iter().map(Into::into).collect();
        all = all.add(meeting::Column::Status.is_in(statuses));
    }
    Ok(all)
}

fn after_meeting(order: &MeetingOrder, after: Option<&str>) -> Result<Option<Condition>> {
    let Some(after) = after else { return Ok(None) };
    let bad = || Error::invalid("after", "is not a cursor of this list and ordering");
    let asc = order.direction == OrderDirection::Asc;
    let cmp_id = |id: MeetingId| {
        if asc {
            meeting::Column::Id.gt(id)
        } else {
            meeting::Column::Id.lt(id)
        }
    };
    match order.field {
        MeetingOrderField::CreatedAt => {
            let id: i64 = decode_id_cursor(after, "created")?;
            Ok(Some(Condition::all().add(cmp_id(MeetingId(id)))))
        }
        MeetingOrderField::StartsAt => {
            let rest = decode_cursor(after, "starts")?;
            let (micros, id) = rest.split_once(':').ok_or_else(bad)?;
            let at = chrono::DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?)
                .ok_or_else(bad)?;
            let id = MeetingId(id.parse().map_err(|_| bad())?);
            let beyond = if asc {
                meeting::Column::StartsAt.gt(at)
            } else {
                meeting::Column::StartsAt.lt(at)
            };
            Ok(Some(
                Condition::any().add(beyond).add(
                    Condition::all()
                        .add(meeting::Column::StartsAt.eq(at))
                        .add(cmp_id(id)),
                ),
            ))
        }
    }
}

fn meeting_cursor(order: &MeetingOrder, m: &meeting::Model) -> String {
    match order.field {
        MeetingOrderField::CreatedAt => encode_cursor(&format!("created:{}", m.id.0)),
        MeetingOrderField::StartsAt => encode_cursor(&format!(
            "starts:{}:{}",
            m.starts_at.map_or(0, |t| t.timestamp_micros()),
            m.id.0
        )),
    }
}

/// Lists meetings visible to `actor` matching `condition`.
///
/// # Errors
/// Database errors and malformed cursors.
pub async fn list(
    ctx: &Context<'_>,
    condition: Condition,
    order: MeetingOrder,
    first: Option<i32>,
    after: Option<String>,
) -> Result<MeetingConnection> {
    let limit = page_size(first)?;
    let mut base = meeting::Entity::find().filter(condition);
    if order.field == MeetingOrderField::StartsAt {
        base = base.filter(meeting::Column::StartsAt.is_not_null());
    }
    let total = TotalCount::of(base.clone(), &ctx.state().db);
    let mut query = base;
    if let Some(c) = after_meeting(&order, after.as_deref())? {
        query = query.filter(c);
    }
    let direction = match order.direction {
        OrderDirection::Asc => sea_orm::Order::Asc,
        OrderDirection::Desc => sea_orm::Order::Desc,
    };
    if order.field == MeetingOrderField::StartsAt {
        query = query.order_by(meeting::Column::StartsAt, direction.clone());
    }
    let rows = query
        .order_by(meeting::Column::Id, direction)
        .limit(limit + 1)
        .all(&ctx.state().db)
        .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        total,
        |m| meeting_cursor(&order, m),
        Meeting,
    )
    .into())
}

/// Meeting queries.
#[derive(Default)]
pub struct MeetingQuery;

/// Meeting queries.
#[Object]
impl MeetingQuery {
    /// One meeting. `NOT_FOUND` when it does not exist or its case is not visible to you.
    async fn meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Meeting>> {
        let id: MeetingId = decode("id", &id).gql()?;
        let (m, _, _) = meeting_access(&ctx.state().db, ctx.actor().gql()?, id)
            .await
            .gql()?;
        Ok(Some(Meeting(m)))
    }

    /// Meetings of the cases you may see.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meetings to list.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "How to sort them. Default: by start time, earliest first.")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<MeetingConnection> {
        let actor = ctx.actor().gql()?;
        let condition = meeting_condition(actor, filter.unwrap_or_default()).gql()?;
        list(ctx, condition, order_by.unwrap_or_default(), first, after)
            .await
            .gql()
    }
}

/// Your upcoming meetings: scheduled, not yet ended, where you are invited or organize.
///
/// # Errors
/// Database errors.
pub async fn upcoming(
    ctx: &Context<'_>,
    actor: &Actor,
    first: Option<i32>,
) -> Result<MeetingConnection> {
    let now = ctx.state().clock.now();
    let organizes = meeting::Column::OrganizerId.in_subquery(
        Query::select()
            .column(participant::Column::Id)
            .from(participant::Entity)
            .and_where(participant::Column::ProfessionalId.eq(actor.id()))
            .and_where(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
            .to_owned(),
    );
    let condition = Condition::all()
        .add(meeting::Column::Status.eq(DomainStatus::Scheduled))
        .add(meeting::Column::EndsAt.gt(now))
        .add(
            Condition::any()
                .add(of_professional(actor.id()))
                .add(organizes),
        )
        .add(
            meeting::Column::CaseId.in_subquery(
                Query::select()
                    .column(case::Column::Id)
                    .from(case::Entity)
                    .cond_where(access::visible_cases(actor))
                    .to_owned(),
            ),
        );
    list(ctx, condition, MeetingOrder::default(), first, None).await
}

/// The meetings of a case, for `Case.meetings`.
///
/// # Errors
/// Database errors.
pub async fn of_case(ctx: &Context<'_>, case_id: CaseId) -> Result<Vec<Meeting>> {
    Ok(load(ctx, crate::graphql::loaders::MeetingsOf(case_id))
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(Meeting)
        .collect())
}
