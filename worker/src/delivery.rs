//! Sending one outbox message, exactly once as far as the mail server and the database can
//! tell each other.
//!
//! A job claims the outbox row for a lease before it talks to the mail server, so that two
//! jobs for the same row (a re-enqueued orphan, the outbox sweep) never send it twice; the
//! row is marked SENT in the same breath as the server accepts it. A row a newer message about
//! the same subject to the same address has overtaken is SUPERSEDED rather than sent. What a
//! message says is in [`crate::messages`]. Failures the server calls
//! temporary are retried with doubling waits; after the last try, or a permanent refusal, the
//! row is FAILED and shows so in the API. The Message-ID is fixed per row, so in the one case
//! no system can rule out — the process dies after the server accepted the message and
//! before the row is marked — the repeated message is recognisably the same one.

use kit_entity::infra::metrics::METRICS;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use kit_entity::Result;
use kit_entity::domain::enums::DeliveryStatus;
use kit_entity::entities::delivery;
use kit_entity::ids::DeliveryId;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};

use crate::context::Context;
use kit_entity::ops::outbox::{self, About, SendDelivery};

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted it.
    Sent,
    /// Nothing to do: it was sent, failed or superseded before.
    AlreadySettled,
    /// A newer message to the same invitee replaced it, or the plan link it carried was
    /// revoked before it left.
    Superseded,
    /// Another job is sending it; checked again when that claim ends.
    ClaimedElsewhere,
    /// It failed for now and will be tried again.
    WillRetry,
    /// It failed for good.
    Failed,
}

/// How long a claim on an outbox row holds: long enough for the SMTP conversation (bounded
/// by its timeout) and marking the row, short enough that a row whose worker died is retried
/// soon.
fn lease(ctx: &Context) -> TimeDelta {
    ctx.settings.mail_timeout_secs.time_delta() + TimeDelta::seconds(10)
}

fn until(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or_default()
}

/// Sends delivery `id` if it is still due.
///
/// # Errors
/// Database errors; the job is then retried by the queue.
pub async fn send(ctx: &Context, id: DeliveryId) -> Result<Outcome> {
    let db = &ctx.db;
    let Some(row) = delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(Outcome::AlreadySettled);
    };
    if row.status != DeliveryStatus::Pending {
        return Ok(Outcome::AlreadySettled);
    }
    let now = ctx.clock.now();
    // A newer version of the same subject to the same address replaces it (a meeting or a
    // committee meeting moved or cancelled since); so does what it carried being taken back.
    let newer = delivery::Entity::find()
        .filter(About::of(&row).rows())
        .filter(delivery::Column::Recipient.eq(row.recipient.as_str()))
        .filter(delivery::Column::Sequence.gt(row.sequence))
        .count(db)
        .await?;
    let revoked = newer == 0 && crate::messages::withdrawn(ctx, &row).await?;
    if newer > 0 || revoked {
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(DeliveryStatus::Superseded),
            )
            .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
            .filter(delivery::Column::Id.eq(row.id))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
            .exec(db)
            .await?;
        return Ok(Outcome::Superseded);
    }
    let claimed_until = now + lease(ctx);
    let claimed = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Some(claimed_until)),
        )
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(row.id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        let current = delivery::Entity::find_by_id(id).one(db).await?;
        if let Some(current) = current
            && current.status == DeliveryStatus::Pending
        {
            let wake = current.claimed_until.unwrap_or(now) + TimeDelta::seconds(1);
            outbox::enqueue(
                db,
                &SendDelivery { delivery_id: id },
                Some(until(now, wake)),
            )
            .await?;
            return Ok(Outcome::ClaimedElsewhere);
        }
        return Ok(Outcome::AlreadySettled);
    }
    let attempt = row.attempts + 1;
    let result = match crate::messages::build(ctx, &row, now).await {
        Ok((message, _)) => ctx.mailer.send(message, &row.message_id).await,
        Err(e) => Err(crate::mail::SendError {
            transient: false,
            message: e.to_string(),
        }),
    };
    let now = ctx.clock.now();
    let settle = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(row.id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending));
    match result {
        Ok(()) => {
            settle
                .col_expr(delivery::Column::Status, Expr::value(DeliveryStatus::Sent))
                .col_expr(delivery::Column::SentAt, Expr::value(Some(now)))
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .exec(db)
                .await?;
            tracing::info!(delivery = %row.id, subject = ?row.subject, subject_id = row.subject_id, sequence = row.sequence, "e-mail sent");
            METRICS.delivery_attempt("sent");
            Ok(Outcome::Sent)
        }
        Err(e) if e.transient && attempt < ctx.settings.mail_max_attempts => {
            let wait = ctx.settings.retry_delay(attempt);
            let next = now + TimeDelta::from_std(wait).unwrap_or_default();
            let txn = kit_entity::infra::db::begin_write(db).await?;
            settle
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Some(e.message.clone())),
                )
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
                .exec(&txn)
                .await?;
            outbox::enqueue(
                &txn,
                &SendDelivery {
                    delivery_id: row.id,
                },
                Some(wait),
            )
            .await?;
            txn.commit().await?;
            tracing::warn!(delivery = %row.id, attempt, error = %e.message, ?wait, "sending failed; will retry");
            METRICS.delivery_attempt("retry");
            Ok(Outcome::WillRetry)
        }
        Err(e) => {
            settle
                .col_expr(
                    delivery::Column::Status,
                    Expr::value(DeliveryStatus::Failed),
                )
                .col_expr(
                    delivery::Column::LastError,
                    Expr::value(Some(e.message.clone())),
                )
                .exec(db)
                .await?;
            tracing::error!(delivery = %row.id, attempt, error = %e.message, "sending failed for good");
            METRICS.delivery_attempt("failed");
            Ok(Outcome::Failed)
        }
    }
}
