//! The writes every change to a case shares, below the concepts that change it: marking the
//! case as changed now (its `updatedAt`, which lists sort by).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::Result;
use crate::entities::case;
use crate::ids::CaseId;

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
