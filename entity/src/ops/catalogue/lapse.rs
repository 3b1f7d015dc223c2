//! An unanswered seat offer lapses: when the answer-by day of a seat offered from a waiting
//! list has ended without the family's answer, the entry goes off the list as LAPSED and the
//! seat goes to the next in line — offered in the same transaction, with as many days to
//! answer as the lapsed offer gave (never past the cohort's start), and its own deadline to
//! answer. The worker runs this with each deadline sweep; each lapse is one transaction,
//! guarded by the entry's status, so two workers never lapse or offer the same seat twice.

use crate::Result;
use crate::domain::calendar::local_date;
use crate::domain::enums::{RuleEvent, WaitingStatus};
use crate::entities::waiting_entry;
use crate::ids::WaitingEntryId;
use crate::ops::case_row::touch;
use crate::ops::deadlines::{self, Event};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{lock_cohort, taken};

/// How many lapsed offers one call handles; the next sweep takes the rest.
const BATCH: u64 = 100;

/// What a lapse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lapsed {
    /// The entry whose offer lapsed.
    pub entry: WaitingEntryId,
    /// The entry the seat was offered to next, if anyone waited and the cohort had not
    /// started.
    pub next: Option<WaitingEntryId>,
}

/// Lapses the seat offers whose answer-by day has ended unanswered, each in its own
/// transaction, and offers each seat to the next in line.
///
/// # Errors
/// Database errors.
pub async fn lapse_unanswered(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Lapsed>> {
    let today = local_date(now);
    let due = waiting_entry::Entity::find()
        .filter(waiting_entry::Column::Status.eq(WaitingStatus::Offered))
        .filter(waiting_entry::Column::AnswerBy.lt(today))
        .order_by_asc(waiting_entry::Column::AnswerBy)
        .order_by_asc(waiting_entry::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for entry in due {
        let txn = crate::infra::db::begin_write(db).await?;
        let lapsed = lapse(&txn, now, &entry).await?;
        txn.commit().await?;
        out.extend(lapsed);
    }
    Ok(out)
}

async fn lapse(
    db: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    entry: &waiting_entry::Model,
) -> Result<Option<Lapsed>> {
    let today = local_date(now);
    let Some(cohort_id) = entry.cohort_id else {
        return Ok(None);
    };
    let cohort = lock_cohort(db, cohort_id, now, "cohortId").await?;
    let changed = waiting_entry::Entity::update_many()
        .col_expr(
            waiting_entry::Column::Status,
            Expr::value(WaitingStatus::Lapsed),
        )
        .col_expr(waiting_entry::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(
            waiting_entry::Column::WithdrawReason,
            Expr::value(Some(
                "Pladsen blev ikke besvaret inden svarfristen og gik videre til den næste på \
                 ventelisten"
                    .to_owned(),
            )),
        )
        .col_expr(waiting_entry::Column::UpdatedAt, Expr::value(now))
        .filter(waiting_entry::Column::Id.eq(entry.id))
        .filter(waiting_entry::Column::Status.eq(WaitingStatus::Offered))
        .filter(waiting_entry::Column::AnswerBy.lt(today))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        // Answered, withdrawn or lapsed by another worker meanwhile.
        return Ok(None);
    }
    touch(db, entry.case_id, now).await?;
    let mut lapsed = Lapsed {
        entry: entry.id,
        next: None,
    };
    if cohort.starts_on <= today {
        return Ok(Some(lapsed));
    }
    let (enrolled, offered) = taken(db, &[cohort.id])
        .await?
        .remove(&cohort.id)
        .unwrap_or_default();
    if enrolled + offered >= u64::try_from(cohort.seats).unwrap_or(0) {
        return Ok(Some(lapsed));
    }
    // As many days to answer as the lapsed offer gave, from today, never past the start.
    let window = entry
        .answer_by
        .zip(entry.offered_at)
        .map_or(7, |(by, at)| (by - local_date(at)).num_days().max(1));
    let answer_by = (today + TimeDelta::days(window)).min(cohort.starts_on);
    let candidates = waiting_entry::Entity::find()
        .filter(waiting_entry::Column::OfferId.eq(entry.offer_id))
        .filter(waiting_entry::Column::Status.eq(WaitingStatus::Waiting))
        .order_by_asc(waiting_entry::Column::PlacedAt)
        .order_by_asc(waiting_entry::Column::Id)
        .limit(10)
        .all(db)
        .await?;
    for next in candidates {
        let offered = waiting_entry::Entity::update_many()
            .col_expr(
                waiting_entry::Column::Status,
                Expr::value(WaitingStatus::Offered),
            )
            .col_expr(
                waiting_entry::Column::CohortId,
                Expr::value(Some(cohort.id)),
            )
            .col_expr(waiting_entry::Column::OfferedAt, Expr::value(Some(now)))
            .col_expr(
                waiting_entry::Column::OfferedById,
                Expr::value(Option::<crate::ids::ProfessionalId>::None),
            )
            .col_expr(
                waiting_entry::Column::AnswerBy,
                Expr::value(Some(answer_by)),
            )
            .col_expr(waiting_entry::Column::UpdatedAt, Expr::value(now))
            .filter(waiting_entry::Column::Id.eq(next.id))
            .filter(waiting_entry::Column::Status.eq(WaitingStatus::Waiting))
            .exec(db)
            .await?;
        if offered.rows_affected != 1 {
            continue;
        }
        deadlines::on_event(
            db,
            now,
            &Event::new(next.case_id, RuleEvent::SeatOffered, now).seat_offer(next.id, answer_by),
        )
        .await?;
        touch(db, next.case_id, now).await?;
        lapsed.next = Some(next.id);
        break;
    }
    Ok(Some(lapsed))
}
