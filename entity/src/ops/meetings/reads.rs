//! Reads of a professional's calendar as the GraphQL fields show it: the periods they
//! registered as busy and the calendar feeds they created; which meetings a viewer sees.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Result;
use crate::access::{self, Actor};
use crate::entities::{busy_period, calendar_feed, meeting, meeting_invitee, participant};
use crate::ids::ProfessionalId;

/// The periods a professional registered as busy that have not ended by `now`, by start.
///
/// # Errors
/// Database errors.
pub async fn busy_periods_ahead<C: ConnectionTrait>(
    db: &C,
    professional: ProfessionalId,
    now: DateTime<Utc>,
) -> Result<Vec<busy_period::Model>> {
    Ok(busy_period::Entity::find()
        .filter(busy_period::Column::ProfessionalId.eq(professional))
        .filter(busy_period::Column::EndsAt.gt(now))
        .order_by_asc(busy_period::Column::StartsAt)
        .all(db)
        .await?)
}

/// The calendar feeds a professional created, revoked ones included, oldest first.
///
/// # Errors
/// Database errors.
pub async fn feeds_created_by<C: ConnectionTrait>(
    db: &C,
    professional: ProfessionalId,
) -> Result<Vec<calendar_feed::Model>> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::CreatedById.eq(professional))
        .order_by_asc(calendar_feed::Column::Id)
        .all(db)
        .await?)
}

/// The meetings a participation matching `participant` (a condition on
/// `meeting_invitee`) is invited to and not removed from.
#[must_use]
pub fn invited(participant: sea_orm::sea_query::SimpleExpr) -> Condition {
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

/// The meetings a professional is invited to, through any of their participations.
#[must_use]
pub fn invited_professional(id: ProfessionalId) -> Condition {
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

/// The meetings the actor sees at `now`: those of visible cases whose child's data is
/// shared with them, and otherwise those they are invited to (as [`crate::access::CaseAccess::sees_meeting`]).
#[must_use]
pub fn seen_by(actor: &Actor, now: DateTime<Utc>) -> Condition {
    access::seen_through_case(
        meeting::Column::CaseId,
        actor,
        now,
        invited_professional(actor.id()),
    )
}

/// The meetings ahead of a professional at `now`: SCHEDULED, not yet ended, that they are
/// invited to or organize (as a responsible contact), among those they see.
#[must_use]
pub fn upcoming_for(actor: &Actor, now: DateTime<Utc>) -> Condition {
    use crate::domain::enums::{MeetingStatus, ParticipantRole};
    let organizes = meeting::Column::OrganizerId.in_subquery(
        Query::select()
            .column(participant::Column::Id)
            .from(participant::Entity)
            .and_where(participant::Column::ProfessionalId.eq(actor.id()))
            .and_where(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
            .to_owned(),
    );
    Condition::all()
        .add(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .add(meeting::Column::EndsAt.gt(now))
        .add(
            Condition::any()
                .add(invited_professional(actor.id()))
                .add(organizes),
        )
        .add(seen_by(actor, now))
}
