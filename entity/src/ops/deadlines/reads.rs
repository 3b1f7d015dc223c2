//! Reads of deadlines and what comes of them, as the GraphQL fields show them: a case's open
//! deadlines, a seat offer's answer deadline, a professional's notifications, an
//! organization's closure days, rule versions and recomputes. The caller has decided the
//! viewer's access.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Select,
};

use crate::Result;
use crate::access::{self, Actor};
use crate::domain::enums::DeadlineStatus;
use crate::entities::{
    closure_day, deadline, deadline_recompute, deadline_rule, notification, professional,
};
use crate::ids::{CaseId, OrganizationId, ProfessionalId, WaitingEntryId};

/// The deadlines `actor` sees at `now`: those of the cases they may see; where the child's
/// data is not shared with them, only those they answer for (as
/// [`crate::access::CaseAccess::sees_deadline`]).
#[must_use]
pub fn seen_by(actor: &Actor, now: DateTime<Utc>) -> Condition {
    access::seen_through_case(
        deadline::Column::CaseId,
        actor,
        now,
        Condition::all().add(deadline::Column::ResponsibleId.eq(actor.id())),
    )
}

#[must_use]
/// The deadlines whose reminders and alerts go to `p`: those `p` is responsible for, those
/// of `p`'s unit when nobody holds the position (every member of the intake unit finds them),
/// and every deadline `p` has already been alerted about (escalations to a leader included).
pub fn alerted(p: ProfessionalId) -> Condition {
    Condition::any()
        .add(deadline::Column::ResponsibleId.eq(p))
        .add(
            Condition::all()
                .add(deadline::Column::ResponsibleId.is_null())
                .add(
                    deadline::Column::ResponsibleUnitId.in_subquery(
                        Query::select()
                            .column(professional::Column::UnitId)
                            .from(professional::Entity)
                            .and_where(professional::Column::Id.eq(p))
                            .and_where(professional::Column::IsActive.eq(true))
                            .to_owned(),
                    ),
                ),
        )
        .add(
            deadline::Column::Id.in_subquery(
                Query::select()
                    .column(notification::Column::DeadlineId)
                    .from(notification::Entity)
                    .and_where(notification::Column::RecipientId.eq(p))
                    .to_owned(),
            ),
        )
}

/// A case's deadlines still open (PENDING, or MISSED and not yet met), earliest due first.
///
/// # Errors
/// Database errors.
pub async fn open_of_case<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> Result<Vec<deadline::Model>> {
    Ok(deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case))
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .order_by_asc(deadline::Column::DueAt)
        .all(db)
        .await?)
}

/// The deadline to answer the seat offered to a waiting-list entry (rule
/// `seat-offer-answer`): the latest not withdrawn.
///
/// # Errors
/// Database errors.
pub async fn seat_offer_answer<C: ConnectionTrait>(
    db: &C,
    case: CaseId,
    entry: WaitingEntryId,
) -> Result<Option<deadline::Model>> {
    Ok(deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case))
        .filter(deadline::Column::Subject.eq(super::seat_offer_subject(entry)))
        .filter(deadline::Column::Status.ne(DeadlineStatus::Withdrawn))
        .order_by_desc(deadline::Column::Id)
        .one(db)
        .await?)
}

/// A professional's notifications (only the unread with `unread_only`), for a page.
#[must_use]
pub fn notifications_of(
    recipient: ProfessionalId,
    unread_only: bool,
) -> Select<notification::Entity> {
    let all = notification::Entity::find().filter(notification::Column::RecipientId.eq(recipient));
    if unread_only {
        all.filter(notification::Column::ReadAt.is_null())
    } else {
        all
    }
}

/// A notification by id, when it is `recipient`'s.
///
/// # Errors
/// Database errors.
pub async fn notification_for<C: ConnectionTrait>(
    db: &C,
    recipient: ProfessionalId,
    id: crate::ids::NotificationId,
) -> Result<Option<notification::Model>> {
    Ok(notification::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| n.recipient_id == recipient))
}

/// How many of a professional's notifications are unread.
///
/// # Errors
/// Database errors.
pub async fn unread_count<C: ConnectionTrait>(db: &C, recipient: ProfessionalId) -> Result<u64> {
    Ok(notifications_of(recipient, true).count(db).await?)
}

/// An organization's closure days from `from` to `to` (both included, either open), by date.
///
/// # Errors
/// Database errors.
pub async fn closure_days<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<closure_day::Model>> {
    let mut query =
        closure_day::Entity::find().filter(closure_day::Column::OrganizationId.eq(organization));
    if let Some(from) = from {
        query = query.filter(closure_day::Column::Date.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(closure_day::Column::Date.lte(to));
    }
    Ok(query
        .order_by_asc(closure_day::Column::Date)
        .all(db)
        .await?)
}

/// Every version of the rules an organization works by — the product's defaults and its own
/// edits, superseded ones included — by code and version. (The versions in force are
/// [`super::rules_in_force`].)
///
/// # Errors
/// Database errors.
pub async fn rule_history<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<Vec<deadline_rule::Model>> {
    Ok(deadline_rule::Entity::find()
        .filter(
            Condition::any()
                .add(deadline_rule::Column::OrganizationId.is_null())
                .add(deadline_rule::Column::OrganizationId.eq(organization)),
        )
        .order_by_asc(deadline_rule::Column::Code)
        .order_by_asc(deadline_rule::Column::Version)
        .all(db)
        .await?)
}

/// An organization's logged recomputes, newest first.
///
/// # Errors
/// Database errors.
pub async fn recomputes_of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<Vec<deadline_recompute::Model>> {
    Ok(deadline_recompute::Entity::find()
        .filter(deadline_recompute::Column::OrganizationId.eq(organization))
        .order_by_desc(deadline_recompute::Column::Id)
        .all(db)
        .await?)
}
