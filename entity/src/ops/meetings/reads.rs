//! Reads of a professional's calendar as the GraphQL fields show it: the periods they
//! registered as busy and the calendar feeds they created.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Result;
use crate::entities::{busy_period, calendar_feed};
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
