//! Running the worker: one apalis worker per queue under a monitor, plus the outbox sweep.
//!
//! Workers poll their queue at `KIT_WORKER_POLL_MS` when idle, so a new job is picked up
//! within about a second. Each process names its workers uniquely; a worker whose process
//! died stops reporting heartbeats, and after two missed beats its unfinished jobs go back to
//! the queue for the others. If a worker fails (the database went away, or refused its
//! heartbeat once), all of the process's workers stop and are started again after a pause.
//! The outbox sweep re-enqueues any pending message whose job was lost, so nothing waits
//! forever.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use chrono::TimeDelta;
use kit_entity::domain::enums::DeliveryStatus;
use kit_entity::entities::delivery;
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::context::Context;
use kit_entity::ops::outbox::{self, Job, PathwayEvent, ScheduleMeeting, SendDelivery, Traced};
use tracing::Instrument as _;

/// How often the outbox sweep looks for pending messages whose job is gone.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How long past its due time a pending message waits before the sweep re-enqueues it.
const SWEEP_GRACE: TimeDelta = TimeDelta::minutes(5);
/// The pause before a failed monitor is rebuilt.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// The span a job runs in: a child of the change that enqueued it.
fn job_span<J: Job>(job: &Traced<J>) -> tracing::Span {
    let span = tracing::info_span!(
        "job",
        otel.name = J::QUEUE,
        otel.kind = "consumer",
        queue = J::QUEUE,
        trace_id = tracing::field::Empty
    );
    kit_entity::infra::telemetry::continue_trace(&span, job.traceparent.as_deref());
    span
}

async fn schedule_meeting(
    job: Traced<ScheduleMeeting>,
    ctx: Data<Context>,
) -> Result<(), BoxDynError> {
    let span = job_span(&job);
    let job = job.job;
    crate::schedule::run(&ctx, job.meeting_id)
        .instrument(span)
        .await
        .map_err(|e| {
            if matches!(e, kit_entity::Error::Conflict(_)) {
                // Someone changed the meeting meanwhile: the retry sees the change.
                tracing::info!(meeting = %job.meeting_id, reason = %e, "scheduling deferred; retrying");
            } else {
                tracing::error!(meeting = %job.meeting_id, error = %e.report(), "scheduling failed");
            }
            e.into()
        })
}

async fn send_delivery(job: Traced<SendDelivery>, ctx: Data<Context>) -> Result<(), BoxDynError> {
    let span = job_span(&job);
    let job = job.job;
    crate::delivery::send(&ctx, job.delivery_id)
        .instrument(span)
        .await
        .map(|_| ())
        .map_err(|e| {
            tracing::error!(delivery = %job.delivery_id, error = %e.report(), "delivery failed");
            e.into()
        })
}

async fn pathway(job: Traced<PathwayEvent>, ctx: Data<Context>) -> Result<(), BoxDynError> {
    let span = job_span(&job);
    let job = job.job;
    crate::pathway::handle(&ctx, &job)
        .instrument(span)
        .await
        .map_err(|e| {
            tracing::error!(event = ?job, error = %e.report(), "pathway step failed");
            e.into()
        })
}

fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "kit".to_owned());
    format!("{host}-{}-{}", std::process::id(), ulid::Ulid::generate())
}

fn sqlite_config<J: Job>(ctx: &Context) -> apalis_sqlite::Config {
    apalis_sqlite::Config::default()
        .queue(J::QUEUE)
        .heartbeat_interval(ctx.settings.worker_heartbeat_secs.duration())
        .missed_heartbeats(2)
}

fn postgres_config<J: Job>(ctx: &Context) -> apalis_postgres::Config {
    apalis_postgres::Config::default()
        .queue(J::QUEUE)
        .heartbeat_interval(ctx.settings.worker_heartbeat_secs.duration())
        .missed_heartbeats(2)
}

/// Messages one worker process sends at a time. One: a process that dies can then leave at
/// most one message in doubt — accepted by the mail server in the instant before it was
/// recorded as sent — and that message is repeated with the same Message-ID. More throughput
/// comes from more worker processes.
const DELIVERY_CONCURRENCY: usize = 1;

macro_rules! register {
    ($monitor:expr, $storage:ident, $config:ident, $pool:expr, $ctx:expr, $instance:expr, $job:ty, $handler:expr, $concurrency:expr) => {{
        let (pool, ctx, instance) = ($pool.clone(), $ctx.clone(), $instance.clone());
        $monitor.register(move |restarts| {
            let storage = $storage::<Traced<$job>>::new(&pool)
                .with_config($config::<$job>(&ctx))
                .poll_with_interval(ctx.settings.poll_interval());
            WorkerBuilder::new(format!(
                "{}@{}.{}",
                <$job as Job>::QUEUE,
                instance,
                restarts
            ))
            .backend(storage)
            .data(ctx.clone())
            .concurrency($concurrency(&ctx))
            .build($handler)
        })
    }};
}

fn per_setting(ctx: &Context) -> usize {
    ctx.settings.worker_concurrency.max(1)
}

fn one_at_a_time(_: &Context) -> usize {
    DELIVERY_CONCURRENCY
}

/// The workers of one process under one monitor. A worker that fails (its heartbeat or fetch
/// met a database error) does not stay dead beside running ones: `failed` is told, and the
/// caller stops the others and starts them all again after a pause. Left alone, apalis' monitor
/// keeps the rest running and waits for them, so that queue's jobs, and the orphans of dead
/// processes its heartbeat would re-enqueue, would wait for a restart of the whole process.
fn monitor(ctx: &Context, instance: &str, failed: &Arc<Notify>) -> Monitor {
    use apalis_postgres::PostgresStorage;
    use apalis_sqlite::SqliteStorage;
    let instance = instance.to_owned();
    let failed = Arc::clone(failed);
    let monitor = Monitor::new().should_restart(move |worker, error| {
        tracing::warn!(worker = worker.name(), %error, "a worker failed; stopping the others to start them all again");
        failed.notify_one();
        false
    });
    match ctx.db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = ctx.db.get_postgres_connection_pool().clone();
            let monitor = register!(
                monitor,
                PostgresStorage,
                postgres_config,
                pool,
                ctx,
                instance,
                ScheduleMeeting,
                schedule_meeting,
                per_setting
            );
            let monitor = register!(
                monitor,
                PostgresStorage,
                postgres_config,
                pool,
                ctx,
                instance,
                SendDelivery,
                send_delivery,
                one_at_a_time
            );
            register!(
                monitor,
                PostgresStorage,
                postgres_config,
                pool,
                ctx,
                instance,
                PathwayEvent,
                pathway,
                per_setting
            )
        }
        _ => {
            let pool = ctx.db.get_sqlite_connection_pool().clone();
            let monitor = register!(
                monitor,
                SqliteStorage,
                sqlite_config,
                pool,
                ctx,
                instance,
                ScheduleMeeting,
                schedule_meeting,
                per_setting
            );
            let monitor = register!(
                monitor,
                SqliteStorage,
                sqlite_config,
                pool,
                ctx,
                instance,
                SendDelivery,
                send_delivery,
                one_at_a_time
            );
            register!(
                monitor,
                SqliteStorage,
                sqlite_config,
                pool,
                ctx,
                instance,
                PathwayEvent,
                pathway,
                per_setting
            )
        }
    }
}

/// Re-enqueues pending messages that are well past due and not claimed: their job was lost
/// (for example, it ran out of attempts while the database was down). Sending is idempotent,
/// so an extra job costs nothing.
///
/// # Errors
/// Database errors.
pub async fn sweep_outbox(ctx: &Context) -> kit_entity::Result<usize> {
    let now = ctx.clock.now();
    let stale = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(delivery::Column::NextAttemptAt.lt(now - SWEEP_GRACE))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(delivery::Column::NextAttemptAt)
        .limit(500)
        .all(&ctx.db)
        .await?;
    let txn = kit_entity::infra::db::begin_write(&ctx.db).await?;
    for d in &stale {
        outbox::enqueue(&txn, &SendDelivery { delivery_id: d.id }, None).await?;
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(delivery::Column::Id.eq(d.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(stale.len())
}

/// Sweeps deadlines every `KIT_DEADLINE_SWEEP_MS` until stopped; a full batch is followed at
/// once by the next, so a backlog drains without waiting. Its own loop, not a queued job: an
/// idle job queue is polled far less often than a deadline may fall due.
async fn sweep_deadlines(ctx: Context, mut stopped: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(ctx.settings.deadline_sweep_interval());
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let batch = ctx.settings.deadline_batch.max(1);
    let mut outage = kit_entity::infra::outage::Outage::new("deadline sweep");
    let mut pause = std::time::Duration::ZERO;
    loop {
        tokio::select! {
            _ = every.tick(), if pause.is_zero() => {}
            () = tokio::time::sleep(pause), if !pause.is_zero() => {}
            _ = stopped.wait_for(|s| *s) => break,
        }
        pause = std::time::Duration::ZERO;
        loop {
            match kit_entity::ops::deadlines::sweep(&ctx.db, ctx.clock.now(), batch).await {
                Ok(swept) => {
                    outage.ok();
                    if !swept.announced.is_empty() {
                        tracing::info!(
                            claimed = swept.claimed,
                            notifications = swept.announced.len(),
                            "deadline stages emitted"
                        );
                    }
                    if let Some(tx) = &ctx.announcements
                        && ctx.db.get_database_backend() != DbBackend::Postgres
                    {
                        for a in &swept.announced {
                            let _ = tx.send(*a);
                        }
                    }
                    if u64::try_from(swept.claimed).unwrap_or(0) < batch || *stopped.borrow() {
                        // Seat offers whose answer-by day ended unanswered lapse, each seat
                        // going to the next in line.
                        match kit_entity::ops::catalogue::lapse_unanswered(&ctx.db, ctx.clock.now())
                            .await
                        {
                            Ok(lapsed) if !lapsed.is_empty() => {
                                tracing::info!(lapsed = lapsed.len(), "seat offers lapsed");
                            }
                            Ok(_) => {}
                            Err(e) => pause = outage.failed(&e),
                        }
                        break;
                    }
                }
                Err(e) => {
                    pause = outage.failed(&e);
                    break;
                }
            }
        }
    }
}

/// A running worker.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to stop: no new jobs start, running ones finish.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Waits until the worker has stopped.
    pub async fn join(self) {
        let _ = self.task.await;
    }
}

/// Starts the worker in the background. It runs until [`WorkerHandle::stop`] or `shutdown`.
#[must_use]
pub fn start(ctx: Context, shutdown: impl Future<Output = ()> + Send + 'static) -> WorkerHandle {
    let (stop, mut stopped) = watch::channel(false);
    let on_shutdown = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        let _ = on_shutdown.send(true);
    });
    let task = tokio::spawn(async move {
        let instance = instance_name();
        tracing::info!(%instance, "worker started");
        let sweeper = {
            let ctx = ctx.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(SWEEP_EVERY);
                let mut outage = kit_entity::infra::outage::Outage::new("outbox sweep");
                loop {
                    tokio::select! {
                        _ = every.tick() => {
                            match sweep_outbox(&ctx).await {
                                Ok(n) => {
                                    outage.ok();
                                    if n > 0 {
                                        tracing::warn!(count = n, "re-enqueued pending messages whose job was lost");
                                    }
                                }
                                Err(e) => {
                                    let _ = outage.failed(&e);
                                }
                            }
                            if let Err(e) = kit_entity::ops::idempotency::purge(&ctx.db, ctx.clock.now()).await {
                                tracing::debug!(error = %e.report(), "idempotency keys not purged this time");
                            }
                            access_log_housekeeping(&ctx).await;
                        }
                        _ = stopped.changed() => break,
                    }
                }
            })
        };
        let deadlines = tokio::spawn(sweep_deadlines(ctx.clone(), stopped.clone()));
        // Each start of the workers registers new names: a name is refused while its last
        // heartbeat is recent.
        let mut generation: u32 = 0;
        loop {
            let failed = Arc::new(Notify::new());
            let monitor = monitor(&ctx, &format!("{instance}.{generation}"), &failed);
            generation = generation.wrapping_add(1);
            let control = monitor.context();
            let mut watch_stop = stopped.clone();
            let stopper = tokio::spawn(async move {
                tokio::select! {
                    _ = watch_stop.wait_for(|s| *s) => {}
                    () = failed.notified() => {}
                }
                let _ = control.shutdown();
            });
            let result = monitor.run().await;
            stopper.abort();
            if *stopped.borrow() {
                break;
            }
            match result {
                Ok(()) => tracing::warn!("all workers ended; restarting them"),
                Err(e) => tracing::warn!(error = %e, "a worker failed; restarting the workers"),
            }
            tokio::select! {
                () = tokio::time::sleep(RESTART_PAUSE) => {}
                _ = stopped.wait_for(|s| *s) => break,
            }
            // While the database is unreachable the workers would only fail again: wait for
            // it, with growing pauses and one log line for the outage.
            let mut outage = kit_entity::infra::outage::Outage::new("job queue");
            loop {
                let probe = tokio::time::timeout(
                    std::time::Duration::from_secs(2),
                    sea_orm::ConnectionTrait::execute_unprepared(&ctx.db, "SELECT 1"),
                )
                .await;
                let error = match probe {
                    Ok(Ok(_)) => break,
                    Ok(Err(e)) => kit_entity::Error::from(e),
                    Err(_) => kit_entity::Error::from(sea_orm::DbErr::ConnectionAcquire(
                        sea_orm::ConnAcquireErr::Timeout,
                    )),
                };
                let pause = outage.failed(&error).max(RESTART_PAUSE);
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = stopped.wait_for(|s| *s) => break,
                }
            }
            outage.ok();
            if *stopped.borrow() {
                break;
            }
        }
        sweeper.abort();
        let _ = deadlines.await;
        tracing::info!("worker stopped");
    });
    WorkerHandle { stop, task }
}

/// The access log's upkeep, checked every minute: retention (and, on PostgreSQL, the months
/// ahead), and once a day a checkpoint of every chain.
async fn access_log_housekeeping(ctx: &Context) {
    use kit_entity::ops::access_log;
    let now = ctx.clock.now();
    match access_log::prune(&ctx.db, now, ctx.settings.audit_retention_days, "worker").await {
        Ok(Some(pruned)) => tracing::info!(
            rows = pruned.rows,
            through = pruned.through.0,
            months = ?pruned.months,
            "access-log rows past retention pruned"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "the access log could not be pruned"),
    }
    match access_log::checkpoint_due(&ctx.db, now).await {
        Ok(false) => {}
        Ok(true) => match access_log::checkpoint(&ctx.db, now, "worker").await {
            Ok(done) if done.breaks.is_empty() => tracing::info!(
                chains = done.made.len(),
                rows = done.rows,
                "access log verified and checkpointed"
            ),
            Ok(done) => {
                for b in &done.breaks {
                    tracing::error!(table = b.table, id = b.id, problem = %b.problem, "the access log's chain is broken");
                }
            }
            Err(e) => tracing::warn!(error = %e, "the access log could not be checkpointed"),
        },
        Err(e) => tracing::warn!(error = %e, "the access log's checkpoints could not be read"),
    }
}
