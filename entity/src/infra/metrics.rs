//! What an operator's Prometheus scrapes: one registry per process, shared by the API and the
//! worker inside it, served as the Prometheus text format on `KIT_METRICS_LISTEN` (off the
//! public listener; off unless set).
//!
//! Names follow Prometheus' conventions: a `kit_` prefix, the unit in the name (`_seconds`,
//! `_bytes`), counters ending in `_total`. Every label has a bounded set of values — an
//! operation's name is kept only when it is a plain GraphQL name and one of the first
//! [`MAX_OPERATIONS`] seen, otherwise it is `other` — and no label ever carries a case, a
//! person or a query. The figures that live in the database (the job queues, the outbox's pending messages) are
//! read when the registry is scraped ([`refresh`]), so every process reports the same shared
//! state.

use std::collections::HashSet;
use std::sync::{LazyLock, PoisonError, RwLock};
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The most distinct operation names kept as label values; later names count as `other`.
pub const MAX_OPERATIONS: usize = 200;

/// How a GraphQL request ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Outcome {
    /// Data without errors.
    ok,
    /// Data with some fields in error (a partial answer).
    partial,
    /// Refused before it ran: not signed in, malformed, too costly, not allowed.
    refused,
    /// Failed: a database outage, a timeout, an internal error.
    failed,
}

/// The kind of a GraphQL operation.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum OperationType {
    /// A query.
    query,
    /// A mutation.
    mutation,
    /// A subscription's event.
    subscription,
}

/// The labels of a GraphQL request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The operation's name, bounded (see the module's documentation); `anonymous` without one.
    pub operation: String,
    /// Query, mutation or subscription.
    pub r#type: OperationType,
    /// How it ended.
    pub outcome: Outcome,
}

/// The labels of a request's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    /// The operation's name, bounded.
    pub operation: String,
    /// Query, mutation or subscription.
    pub r#type: OperationType,
}

/// One label: a job queue.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    /// The queue (`kit.send-delivery`, …): a fixed set.
    pub queue: String,
}

/// One label: a state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    /// The state: a fixed set per metric.
    pub state: String,
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    /// `kit_graphql_requests_total{operation, type, outcome}`.
    pub requests: Family<RequestLabels, Counter>,
    /// `kit_graphql_request_duration_seconds{operation, type}`.
    pub request_seconds: Family<OperationLabels, Histogram>,
    /// `kit_graphql_request_statements`: database statements per GraphQL request.
    pub request_statements: Histogram,
    /// `kit_http_requests_in_flight`: GraphQL requests being worked on.
    pub in_flight: Gauge,
    /// `kit_http_requests_shed_total`: refused at once with 503 OVERLOADED.
    pub shed: Counter,
    /// `kit_http_rate_limited_total`: refused with 429 RATE_LIMITED.
    pub rate_limited: Counter,
    /// `kit_graphql_subscriptions_open`.
    pub subscriptions_open: Gauge,
    /// `kit_db_pool_connections{state}`: `idle` and `in_use`.
    pub pool_connections: Family<StateLabels, Gauge>,
    /// `kit_db_pool_max_connections`.
    pub pool_max: Gauge,
    /// `kit_db_write_begin_seconds`: the wait for a connection and the write lock before a
    /// write transaction begins.
    pub write_begin_seconds: Histogram,
    /// `kit_jobs_queued{queue}`: jobs waiting to run.
    pub jobs_queued: Family<QueueLabels, Gauge>,
    /// `kit_jobs_oldest_age_seconds{queue}`: how long the oldest job due has waited.
    pub jobs_oldest_age: Family<QueueLabels, Gauge>,
    /// `kit_deliveries_pending`: outbox messages waiting to be sent (or tried again).
    pub deliveries_pending: Gauge,
    /// `kit_delivery_attempts_total{state}`: tries to send, by what came of them (`sent`,
    /// `retry`, `failed`).
    pub delivery_attempts: Family<StateLabels, Counter>,
    /// `kit_deadline_sweep_duration_seconds`.
    pub sweep_seconds: Histogram,
    /// `kit_deadline_alert_lag_seconds`: from when a reminder, alert or escalation fell due
    /// to when it was written.
    pub alert_lag_seconds: Histogram,
    /// `kit_access_log_append_duration_seconds`.
    pub access_log_append_seconds: Histogram,
    /// `kit_access_log_rows_total`.
    pub access_log_rows: Counter,
    operations: RwLock<HashSet<String>>,
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

fn seconds() -> Histogram {
    // 1 ms … about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("kit");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "graphql_requests",
            "GraphQL requests by operation and outcome",
            requests.clone(),
        );
        let request_seconds =
            Family::<OperationLabels, Histogram>::new_with_constructor(seconds as fn() -> _);
        registry.register_with_unit(
            "graphql_request_duration",
            "Time to answer a GraphQL request",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let request_statements = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        registry.register(
            "graphql_request_statements",
            "Database statements a GraphQL request made",
            request_statements.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "GraphQL requests being worked on",
            in_flight.clone(),
        );
        let shed = Counter::default();
        registry.register(
            "http_requests_shed",
            "Requests refused at once because the process was at its limit (503 OVERLOADED)",
            shed.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "http_rate_limited",
            "Requests refused to a client over its rate (429 RATE_LIMITED)",
            rate_limited.clone(),
        );
        let subscriptions_open = Gauge::default();
        registry.register(
            "graphql_subscriptions_open",
            "Subscriptions open",
            subscriptions_open.clone(),
        );
        let pool_connections = Family::<StateLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections of this process, idle or in use",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The most database connections this process opens",
            pool_max.clone(),
        );
        let write_begin_seconds = seconds();
        registry.register_with_unit(
            "db_write_begin",
            "Wait for a connection and the write lock before a write transaction",
            Unit::Seconds,
            write_begin_seconds.clone(),
        );
        let jobs_queued = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "jobs_queued",
            "Jobs waiting to run, by queue",
            jobs_queued.clone(),
        );
        let jobs_oldest_age = Family::<QueueLabels, Gauge>::default();
        registry.register_with_unit(
            "jobs_oldest_age",
            "How long the oldest job due has waited, by queue",
            Unit::Seconds,
            jobs_oldest_age.clone(),
        );
        let deliveries_pending = Gauge::default();
        registry.register(
            "deliveries_pending",
            "Outbox messages waiting to be sent or tried again",
            deliveries_pending.clone(),
        );
        let delivery_attempts = Family::<StateLabels, Counter>::default();
        registry.register(
            "delivery_attempts",
            "Tries to send a message, by what came of them",
            delivery_attempts.clone(),
        );
        let sweep_seconds = seconds();
        registry.register_with_unit(
            "deadline_sweep_duration",
            "Time one deadline sweep took",
            Unit::Seconds,
            sweep_seconds.clone(),
        );
        let alert_lag_seconds = Histogram::new(exponential_buckets(0.1, 2.0, 16));
        registry.register_with_unit(
            "deadline_alert_lag",
            "From when a reminder, alert or escalation fell due to when it was written",
            Unit::Seconds,
            alert_lag_seconds.clone(),
        );
        let access_log_append_seconds = seconds();
        registry.register_with_unit(
            "access_log_append_duration",
            "Time to append a response's reads to the access log",
            Unit::Seconds,
            access_log_append_seconds.clone(),
        );
        let access_log_rows = Counter::default();
        registry.register(
            "access_log_rows",
            "Rows appended to the access log",
            access_log_rows.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            request_statements,
            in_flight,
            shed,
            rate_limited,
            subscriptions_open,
            pool_connections,
            pool_max,
            write_begin_seconds,
            jobs_queued,
            jobs_oldest_age,
            deliveries_pending,
            delivery_attempts,
            sweep_seconds,
            alert_lag_seconds,
            access_log_append_seconds,
            access_log_rows,
            operations: RwLock::new(HashSet::new()),
        }
    }

    /// The label value for an operation named `name`: the name when it is a plain GraphQL name
    /// among the first [`MAX_OPERATIONS`] seen, `anonymous` without one, `other` otherwise.
    pub fn operation(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".to_owned();
        };
        let plain = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return "other".to_owned();
        }
        let seen = self
            .operations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(name);
        if seen {
            return name.to_owned();
        }
        let mut known = self
            .operations
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if known.contains(name) || known.len() < MAX_OPERATIONS && known.insert(name.to_owned()) {
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// Counts one GraphQL request and its latency.
    pub fn request(
        &self,
        operation: &str,
        r#type: OperationType,
        outcome: Outcome,
        took: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.to_owned(),
                r#type,
                outcome,
            })
            .inc();
        self.request_seconds
            .get_or_create(&OperationLabels {
                operation: operation.to_owned(),
                r#type,
            })
            .observe(took.as_secs_f64());
    }

    /// Counts one try to send a message: `sent`, `retry` or `failed`.
    pub fn delivery_attempt(&self, state: &'static str) {
        self.delivery_attempts
            .get_or_create(&StateLabels {
                state: state.to_owned(),
            })
            .inc();
    }

    /// The registry in the Prometheus text format (version 0.0.4).
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        out
    }
}

tokio::task_local! {
    static STATEMENTS: std::sync::Arc<std::sync::atomic::AtomicU64>;
}

/// Counts one database statement for the request running in this task, if any: the pool's
/// statement callback calls it (`infra::db::connect`).
pub fn count_statement() {
    let _ = STATEMENTS.try_with(|c| c.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
}

/// Runs `work`, counting the database statements it makes in this task.
pub async fn counting_statements<F: std::future::Future>(work: F) -> (F::Output, u64) {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let out = STATEMENTS
        .scope(std::sync::Arc::clone(&counter), work)
        .await;
    (out, counter.load(std::sync::atomic::Ordering::Relaxed))
}

/// The `Content-Type` of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Reads what lives in the database into the gauges — the database pool, the job queues and
/// the outbox — before a scrape.
///
/// # Errors
/// When the database fails; the gauges keep their last values.
pub async fn refresh(db: &DatabaseConnection, max_connections: u32) -> Result<(), sea_orm::DbErr> {
    let m = &*METRICS;
    pool(db, max_connections);
    let backend = db.get_database_backend();
    let now = chrono::Utc::now().timestamp();
    let jobs = match backend {
        DbBackend::Sqlite => {
            "SELECT job_type, COUNT(*), MIN(CASE WHEN run_at <= ? THEN run_at END) FROM Jobs \
             WHERE status = 'Pending' GROUP BY job_type"
        }
        _ => {
            "SELECT job_type, COUNT(*)::int8, \
             MIN(CASE WHEN run_at <= to_timestamp($1::float8) THEN EXTRACT(EPOCH FROM run_at) END)::int8 \
             FROM apalis.jobs WHERE status = 'Pending' GROUP BY job_type"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, jobs, [now.into()]))
        .await?;
    m.jobs_queued.clear();
    m.jobs_oldest_age.clear();
    for row in rows {
        let queue: String = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(1)?;
        let oldest: Option<i64> = row.try_get_by_index(2)?;
        let labels = QueueLabels { queue };
        m.jobs_queued.get_or_create(&labels).set(count);
        m.jobs_oldest_age
            .get_or_create(&labels)
            .set(oldest.map_or(0, |t| (now - t).max(0)));
    }
    // The partial index on PENDING rows answers this without reading the sent ones.
    let pending = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM deliveries WHERE status = 'PENDING'",
        ))
        .await?;
    if let Some(row) = pending {
        let count: i64 = row.try_get_by_index(0)?;
        m.deliveries_pending.set(count);
    }
    Ok(())
}

fn pool(db: &DatabaseConnection, max_connections: u32) {
    let m = &*METRICS;
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle())
        }
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle())
        }
        _ => (0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    m.pool_connections
        .get_or_create(&StateLabels {
            state: "idle".to_owned(),
        })
        .set(i64::from(idle));
    m.pool_connections
        .get_or_create(&StateLabels {
            state: "in_use".to_owned(),
        })
        .set(i64::from(size - idle));
    m.pool_max.set(i64::from(max_connections));
}
