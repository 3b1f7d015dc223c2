//! What keeps one client, a flood or a lost database from taking the service down: a rate
//! limit per client, load shedding before work starts, and a database health watch that lets
//! requests fail fast while the database is unreachable.
//!
//! Each answers at once, before any work — no authentication, no SQL — in the shape of every
//! GraphQL error: `429 RATE_LIMITED` or `503 OVERLOADED` / `503 UNAVAILABLE`, with
//! `Retry-After`. Each logs once per episode (when it starts and when it ends), never once per
//! request.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::Semaphore;

use super::error::error_response;

/// The guards of one process.
#[derive(Clone)]
pub struct Guards {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    trust_forwarded_for: bool,
    in_flight: Arc<Semaphore>,
    shedding: Arc<Episode>,
    limiting: Arc<Episode>,
    health: Arc<Health>,
}

impl std::fmt::Debug for Guards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guards")
            .field("rate_limited", &self.limiter.is_some())
            .field("in_flight_available", &self.in_flight.available_permits())
            .field("database_reachable", &self.health.reachable())
            .finish()
    }
}

/// The settings of the guards.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests per second per client, sustained; 0 turns the rate limit off.
    pub per_second: u32,
    /// Requests a client may send at once before the sustained rate applies.
    pub burst: u32,
    /// The client is the last address of `X-Forwarded-For` (behind a trusted proxy), not the
    /// peer.
    pub trust_forwarded_for: bool,
    /// GraphQL requests one process works on at once; more are shed.
    pub max_in_flight: usize,
}

impl Guards {
    /// Guards with `limits`, watching `db`'s health in the background.
    #[must_use]
    pub fn start(limits: Limits, db: DatabaseConnection) -> Self {
        let limiter = NonZeroU32::new(limits.per_second).map(|rate| {
            let burst = NonZeroU32::new(limits.burst.max(limits.per_second)).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        let health = Arc::new(Health::default());
        tokio::spawn(watch(db, Arc::downgrade(&health)));
        if let Some(limiter) = &limiter {
            // Forget clients that have been quiet, so the table stays small.
            let weak = Arc::downgrade(limiter);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(60));
                loop {
                    every.tick().await;
                    match weak.upgrade() {
                        Some(limiter) => {
                            limiter.retain_recent();
                            limiter.shrink_to_fit();
                        }
                        None => return,
                    }
                }
            });
        }
        Self {
            limiter,
            trust_forwarded_for: limits.trust_forwarded_for,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            shedding: Arc::new(Episode::new(
                "overloaded: shedding requests",
                "load is back to normal",
            )),
            limiting: Arc::new(Episode::new(
                "rate limit: refusing a client's requests",
                "rate limit: no client over its rate any more",
            )),
            health,
        }
    }

    /// True while the last health check reached the database.
    #[must_use]
    pub fn database_reachable(&self) -> bool {
        self.health.reachable()
    }

    /// A slot for one GraphQL request, or `None` when the process is at its limit.
    #[must_use]
    pub fn admit(&self) -> Option<Admitted> {
        let metrics = &kit_entity::infra::metrics::METRICS;
        match Arc::clone(&self.in_flight).try_acquire_owned() {
            Ok(permit) => {
                self.shedding.calm();
                metrics.in_flight.inc();
                Some(Admitted { _permit: permit })
            }
            Err(_) => {
                self.shedding.hit();
                metrics.shed.inc();
                None
            }
        }
    }

    fn client(&self, request: &Request) -> Option<IpAddr> {
        if self.trust_forwarded_for
            && let Some(forwarded) = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Some(forwarded);
        }
        crate::server::peer(request).map(|p| p.ip())
    }
}

/// A GraphQL request's slot, given back when the request ends.
pub struct Admitted {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        kit_entity::infra::metrics::METRICS.in_flight.dec();
    }
}

/// The rate limit per client, for every route but the health probes.
pub async fn rate_limit(State(guards): State<Guards>, request: Request, next: Next) -> Response {
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    if let (Some(limiter), false) = (&guards.limiter, probe)
        && let Some(client) = guards.client(&request)
    {
        match limiter.check_key(&client) {
            Ok(()) => guards.limiting.calm(),
            Err(not_until) => {
                guards.limiting.hit();
                kit_entity::infra::metrics::METRICS.rate_limited.inc();
                let wait = not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ));
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let mut response = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    "too many requests from this client: wait as Retry-After says, then try again",
                    &id,
                );
                if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                return response;
            }
        }
    }
    next.run(request).await
}

/// Something that happens in episodes (being overloaded, refusing a client): logged when an
/// episode starts, with how many times it happened, and when it ends — not on every
/// occurrence.
struct Episode {
    active: AtomicBool,
    count: AtomicU64,
    started: &'static str,
    ended: &'static str,
}

impl Episode {
    fn new(started: &'static str, ended: &'static str) -> Self {
        Self {
            active: AtomicBool::new(false),
            count: AtomicU64::new(0),
            started,
            ended,
        }
    }

    fn hit(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if !self.active.swap(true, Ordering::AcqRel) {
            tracing::warn!("{}", self.started);
        }
    }

    fn calm(&self) {
        if self.active.load(Ordering::Relaxed) && self.active.swap(false, Ordering::AcqRel) {
            let refused = self.count.swap(0, Ordering::AcqRel);
            tracing::warn!(refused, "{}", self.ended);
        }
    }
}

/// Whether the database answers, as last checked.
#[derive(Default)]
struct Health {
    unreachable: AtomicBool,
}

impl Health {
    fn reachable(&self) -> bool {
        !self.unreachable.load(Ordering::Acquire)
    }
}

/// How often the database is checked, and how long one check may take.
const CHECK_EVERY: Duration = Duration::from_millis(500);
const CHECK_WITHIN: Duration = Duration::from_secs(1);

/// Checks the database every half second with a statement that must answer within a second;
/// logs once when it becomes unreachable, with the cause, and once when it is back.
async fn watch(db: DatabaseConnection, health: std::sync::Weak<Health>) {
    let mut every = tokio::time::interval(CHECK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(health) = health.upgrade() else {
            return;
        };
        let check = tokio::time::timeout(CHECK_WITHIN, db.execute_unprepared("SELECT 1")).await;
        let failure = match check {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(kit_entity::Error::from(e).report()),
            Err(_) => Some(format!("no answer within {} ms", CHECK_WITHIN.as_millis())),
        };
        match failure {
            Some(cause) => {
                if !health.unreachable.swap(true, Ordering::AcqRel) {
                    tracing::error!(error = %cause, "database unreachable: requests fail fast with UNAVAILABLE until it is back");
                }
            }
            None => {
                if health.unreachable.swap(false, Ordering::AcqRel) {
                    tracing::warn!("database reachable again");
                }
            }
        }
    }
}
