//! The sweep: claims the deadlines whose next stage is due, writes each stage's notifications
//! and e-mails, and moves each deadline on — one deadline per savepoint, so one that fails is
//! set aside and the others go on.

use crate::Result;
use crate::domain::enums::{DeadlineStatus, NotificationKind};
use crate::entities::{case, deadline, notification, professional};
use crate::ids::{CaseId, DeadlineId, NotificationId, ProfessionalId};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, TransactionTrait,
};

use super::recipients::{Lookups, leaders_of, recipients_with};
use super::timing::{next_stage, stage_kind};
use crate::infra::announce::{Announced, NOTIFY_CHANNEL};
use crate::ops::outbox;

/// The statement a sweep claims its batch with: the deadlines whose next action is due,
/// earliest first, from the partial index on `next_action_at`; on PostgreSQL locked
/// `FOR UPDATE SKIP LOCKED`, so concurrent sweepers take disjoint batches.
#[must_use]
pub fn claim(
    backend: DbBackend,
    now: DateTime<Utc>,
    limit: u64,
) -> sea_orm::Select<deadline::Entity> {
    let query = deadline::Entity::find()
        .filter(deadline::Column::NextActionAt.is_not_null())
        .filter(deadline::Column::NextActionAt.lte(now))
        .order_by_asc(deadline::Column::NextActionAt)
        .limit(limit);
    if backend == DbBackend::Postgres {
        query.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        )
    } else {
        query
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Deadlines claimed and moved on.
    pub claimed: usize,
    /// Notifications written.
    pub announced: Vec<Announced>,
    /// Deadlines that could not be processed and were set aside with their error.
    pub set_aside: Vec<DeadlineId>,
}

/// Runs one sweep: claims up to `limit` deadlines whose next action is due, emits their
/// stage, and moves each to its next stage.
///
/// Each deadline is processed inside a savepoint of the sweep's transaction. One that fails
/// is rolled back to its savepoint and set aside — its error kept on the row
/// (`alert_error`), its next try pushed back ([`retry_delay`]) — and the sweep goes on with
/// the others: one deadline that cannot be processed never stops the alerts of the rest.
///
/// # Errors
/// When the database fails for the sweep as a whole (claiming, committing); nothing of the
/// sweep is then kept.
pub async fn sweep(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Swept> {
    let started = std::time::Instant::now();
    let swept = sweep_batch(db, now, limit).await;
    crate::infra::metrics::METRICS
        .sweep_seconds
        .observe(started.elapsed().as_secs_f64());
    swept
}

async fn sweep_batch(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Swept> {
    let txn = crate::infra::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let query = claim(backend, now, limit);
    let due = query.all(&txn).await?;
    let claimed = due.len();
    let mut announced = Vec::new();
    let mut set_aside = Vec::new();
    let mut lookups = Lookups::default();
    // The batch's cases in one statement.
    let case_ids: Vec<CaseId> = due.iter().map(|d| d.case_id).collect();
    if !case_ids.is_empty() {
        for c in case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids))
            .all(&txn)
            .await?
        {
            lookups.cases.insert(c.id, c);
        }
    }
    for d in due {
        let savepoint = txn.begin().await?;
        match advance(&savepoint, &mut lookups, now, &d).await {
            Ok(written) => {
                savepoint.commit().await?;
                announced.extend(written);
            }
            Err(e) => {
                savepoint.rollback().await?;
                let cause = e.report();
                tracing::error!(deadline = %d.id, case = %d.case_id, rule = %d.rule_code,
                    attempt = d.alert_attempts + 1, error = %cause,
                    "a deadline could not be processed; it is set aside and the sweep goes on");
                put_aside(&txn, now, &d, &cause).await?;
                set_aside.push(d.id);
            }
        }
    }
    if backend == DbBackend::Postgres {
        for a in &announced {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_notify($1, $2)",
                [
                    NOTIFY_CHANNEL.into(),
                    format!("{}:{}", a.id, a.recipient).into(),
                ],
            ))
            .await?;
        }
    }
    txn.commit().await?;
    Ok(Swept {
        claimed,
        announced,
        set_aside,
    })
}

/// How long a deadline the sweeper could not process waits before the next try: a minute,
/// doubling with every failure in a row, at most six hours.
#[must_use]
pub fn retry_delay(attempts: i32) -> TimeDelta {
    let doublings = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
    TimeDelta::minutes(1_i64 << doublings).min(TimeDelta::hours(6))
}

/// Records why `d` could not be processed and when to try it again.
pub(crate) async fn put_aside<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    d: &deadline::Model,
    cause: &str,
) -> Result<()> {
    let attempts = d.alert_attempts.saturating_add(1);
    deadline::Entity::update_many()
        .col_expr(
            deadline::Column::AlertError,
            Expr::value(Some(cause.to_owned())),
        )
        .col_expr(deadline::Column::AlertFailedAt, Expr::value(Some(now)))
        .col_expr(deadline::Column::AlertAttempts, Expr::value(attempts))
        .col_expr(
            deadline::Column::NextActionAt,
            Expr::value(Some(now + retry_delay(attempts))),
        )
        .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
        .filter(deadline::Column::Id.eq(d.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Emits the stage of one claimed deadline and moves it to its next stage. Returns the
/// notifications written.
pub(crate) async fn advance<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    now: DateTime<Utc>,
    d: &deadline::Model,
) -> Result<Vec<Announced>> {
    let rule = lookups.rule(db, d.rule_id).await?;
    let case = lookups.case(db, d.case_id).await?;
    let calendar = lookups.calendar(db, case.municipality_id).await?;
    let stage = d.next_stage.unwrap_or(0);
    let kind = stage_kind(&rule, stage);
    let open = matches!(d.status, DeadlineStatus::Pending | DeadlineStatus::Missed);
    let mut announced = Vec::new();
    // A reminder the worker could not send before the due time (it was down) is dropped:
    // the due alert says more.
    let stale_reminder = kind == NotificationKind::Reminder && d.due_at <= now;
    if open && !stale_reminder {
        let to = recipients_with(db, lookups, &rule, &case, d.sector, d.agreement_id).await?;
        let to = if kind == NotificationKind::Escalation {
            leaders_of(db, lookups, &to, case.municipality_id).await?
        } else {
            to
        };
        for recipient in to {
            let person = lookups.person(db, recipient).await?;
            if let Some(id) = notify(db, now, d, stage, kind, recipient, person.as_ref()).await? {
                announced.push(Announced { id, recipient });
            }
        }
        if let Some(due) = d.next_action_at {
            let lag = (now - due).to_std().unwrap_or_default();
            crate::infra::metrics::METRICS
                .alert_lag_seconds
                .observe(lag.as_secs_f64());
        }
    }
    let next = if open {
        next_stage(&rule, d.due_at, &calendar, Some(stage), now)
    } else {
        None
    };
    let mut update = deadline::Entity::update_many()
        .col_expr(
            deadline::Column::NextActionAt,
            Expr::value(next.map(|(_, at)| at)),
        )
        .col_expr(
            deadline::Column::NextStage,
            Expr::value(next.map(|(s, _)| s)),
        )
        .col_expr(
            deadline::Column::AlertError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            deadline::Column::AlertFailedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(deadline::Column::AlertAttempts, Expr::value(0))
        .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
        .filter(deadline::Column::Id.eq(d.id));
    // Past its due time and not met: missed, whichever stage brought the sweeper here.
    if d.status == DeadlineStatus::Pending && d.due_at <= now {
        update = update.col_expr(
            deadline::Column::Status,
            Expr::value(DeadlineStatus::Missed),
        );
    }
    update.exec(db).await?;
    Ok(announced)
}

/// Writes the notification of one stage for one recipient, and its e-mail in the outbox.
/// `None` when it exists already.
pub(crate) async fn notify<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    d: &deadline::Model,
    stage: i32,
    kind: NotificationKind,
    recipient: ProfessionalId,
    person: Option<&professional::Model>,
) -> Result<Option<NotificationId>> {
    let inserted = notification::Entity::insert(notification::ActiveModel {
        id: NotSet,
        deadline_id: Set(d.id),
        stage: Set(stage),
        kind: Set(kind),
        recipient_id: Set(recipient),
        created_at: Set(now),
        read_at: Set(None),
    })
    .on_conflict_do_nothing_on([
        notification::Column::DeadlineId,
        notification::Column::Stage,
        notification::Column::RecipientId,
    ])
    // `RETURNING` the key: no row when the notification exists already. (sea-orm's
    // `exec_with_returning` turns that empty answer into an error, not `Conflicted`.)
    .exec_with_returning_keys(db)
    .await?;
    let id = match inserted {
        sea_orm::TryInsertResult::Inserted(keys) => match keys.first() {
            Some(id) => *id,
            None => return Ok(None),
        },
        sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => return Ok(None),
    };
    let Some(person) = person else {
        return Ok(Some(id));
    };
    outbox::queue_mail(
        db,
        now,
        outbox::Mail {
            about: outbox::About::Notification(id),
            sequence: 0,
            method: None,
            recipient: person.email.clone(),
            language: person.language,
        },
    )
    .await?;
    Ok(Some(id))
}
