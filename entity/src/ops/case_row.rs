//! What every change to a case shares, below the concepts that change it: marking the case as
//! changed now (its `updatedAt`, which lists sort by), and checking that a meeting a command
//! names is one of the case's.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::entities::{case, meeting};
use crate::ids::{CaseId, MeetingId};
use crate::{Error, Result};

/// Marks the case as changed now (a participant joined or left, the child was edited).
///
/// # Errors
/// When the database fails.
pub async fn touch(txn: &DatabaseTransaction, case_id: CaseId, now: DateTime<Utc>) -> Result<()> {
    case::Entity::update_many()
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(case_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Requires that `meeting`, when a command names one (its `meetingId`), is a meeting of the
/// case `case_id`.
///
/// # Errors
/// [`Error::Validation`] on `meetingId` otherwise; database errors.
pub async fn require_meeting_of(
    txn: &DatabaseTransaction,
    case_id: CaseId,
    meeting: Option<MeetingId>,
) -> Result<()> {
    let Some(id) = meeting else { return Ok(()) };
    meeting::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|m| m.case_id == case_id)
        .ok_or_else(|| Error::invalid("meetingId", "no meeting of this case has this id"))?;
    Ok(())
}
