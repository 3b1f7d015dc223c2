//! Reading meetings: the filter and order of `meetings`, the list a viewer may see, the
//! upcoming meetings of the viewer and a case's meetings.

use async_graphql::{Context, Enum, ID, InputObject};
use kit_entity::Result;
use kit_entity::domain::enums::MeetingStatus as DomainStatus;
use kit_entity::entities::{meeting, meeting_invitee};
use kit_entity::ids::{CaseId, ParticipantId, ProfessionalId};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::{MeetingKind, MeetingStatus};
use crate::graphql::ids::{NodeId, decode_opt};
use crate::graphql::pagination::OrderDirection;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;
use kit_entity::access::Actor;
use kit_entity::ops::meetings::reads;

use super::types::*;

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
    /// Only the meetings of this case.
    pub case_id: Option<ID>,
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
    /// What to sort by.
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

pub(crate) fn meeting_condition(
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    filter: MeetingFilter,
) -> Result<Condition> {
    let mut all = Condition::all().add(reads::seen_by(actor, now));
    if let Some(case) = decode_opt::<CaseId>("filter.caseId", filter.case_id.as_ref())? {
        all = all.add(meeting::Column::CaseId.eq(case));
    }
    if let Some(from) = filter.from {
        all = all.add(meeting::Column::EndsAt.gt(from.0));
    }
    if let Some(to) = filter.to {
        all = all.add(meeting::Column::StartsAt.lt(to.0));
    }
    if let Some(p) =
        decode_opt::<ParticipantId>("filter.participantId", filter.participant_id.as_ref())?
    {
        all = all.add(reads::invited(meeting_invitee::Column::ParticipantId.eq(p)));
    }
    if let Some(p) =
        decode_opt::<ProfessionalId>("filter.professionalId", filter.professional_id.as_ref())?
    {
        all = all.add(reads::invited_professional(p));
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
    let mut base = meeting::Entity::find().filter(condition);
    let (name, columns) = match order.field {
        MeetingOrderField::CreatedAt => ("created", vec![(meeting::Column::Id, Key::Int(0))]),
        MeetingOrderField::StartsAt => {
            base = base.filter(meeting::Column::StartsAt.is_not_null());
            (
                "starts",
                vec![
                    (
                        meeting::Column::StartsAt,
                        Key::Time(chrono::DateTime::UNIX_EPOCH),
                    ),
                    (meeting::Column::Id, Key::Int(0)),
                ],
            )
        }
    };
    let keyset = match order.direction {
        OrderDirection::Asc => Keyset::ascending(name, columns),
        OrderDirection::Desc => Keyset::descending(name, columns),
    };
    let key = |m: &meeting::Model| match order.field {
        MeetingOrderField::CreatedAt => vec![Key::Int(m.id.0)],
        MeetingOrderField::StartsAt => vec![
            Key::Time(m.starts_at.unwrap_or(chrono::DateTime::UNIX_EPOCH)),
            Key::Int(m.id.0),
        ],
    };
    Ok(keyset
        .page(&ctx.state().db, base, first, after.as_deref(), key)
        .await?
        .map(Meeting)
        .into())
}

/// A page of a case's meetings, for `Case.meetingsConnection`: `filter` narrowed to the case
/// (a `caseId` in it must be the case's), under the same rule as the `meetings` list.
///
/// # Errors
/// Bad `filter`, `first` or `after`; database errors.
pub async fn case_page(
    ctx: &Context<'_>,
    case_id: CaseId,
    filter: Option<MeetingFilter>,
    order_by: Option<MeetingOrder>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<MeetingConnection> {
    let actor = ctx.actor()?;
    let mut filter = filter.unwrap_or_default();
    if let Some(other) = decode_opt::<CaseId>("filter.caseId", filter.case_id.as_ref())?
        && other != case_id
    {
        return Err(kit_entity::Error::invalid(
            "filter.caseId",
            "is another case's: leave it out here",
        ));
    }
    filter.case_id = Some(case_id.to_global());
    let condition = meeting_condition(actor, ctx.state().clock.now(), filter)?;
    list(ctx, condition, order_by.unwrap_or_default(), first, after).await
}

/// Your upcoming meetings: scheduled, not yet ended, where you are invited or organize.
///
/// # Errors
/// Database errors.
pub async fn upcoming(
    ctx: &Context<'_>,
    actor: &Actor,
    first: Option<i32>,
    after: Option<String>,
) -> Result<MeetingConnection> {
    let now = ctx.state().clock.now();
    let condition = reads::upcoming_for(actor, now);
    list(ctx, condition, MeetingOrder::default(), first, after).await
}

/// The meetings of a case, for `Case.meetings`.
///
/// # Errors
/// Database errors.
pub async fn of_case(
    ctx: &Context<'_>,
    case_id: CaseId,
    access: &kit_entity::access::CaseAccess,
) -> Result<Vec<Meeting>> {
    let meetings = load(ctx, crate::graphql::loaders::MeetingsOf(case_id))
        .await?
        .unwrap_or_default();
    if access.shares_child_data() {
        return Ok(meetings.into_iter().map(Meeting).collect());
    }
    // Only the meetings the viewer is invited to.
    let participants = load(ctx, crate::graphql::loaders::ParticipantsOf(case_id))
        .await?
        .unwrap_or_default();
    let keys = meetings
        .iter()
        .map(|m| crate::graphql::loaders::InviteesOf(m.id))
        .collect();
    let invitees = ctx
        .loaders()
        .load_many(keys)
        .await
        .map_err(|e| crate::graphql::context::db_error(&e))?;
    Ok(meetings
        .into_iter()
        .filter(|m| {
            let of_meeting = invitees
                .get(&crate::graphql::loaders::InviteesOf(m.id))
                .map_or(&[][..], |v| v.as_slice());
            access.sees_meeting(participants.iter().filter(|p| {
                of_meeting
                    .iter()
                    .any(|i| i.participant_id == p.id && i.removed_at.is_none())
            }))
        })
        .map(Meeting)
        .collect())
}
