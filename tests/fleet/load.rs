//! An open-loop load: requests start on a fixed schedule (a constant rate), whether or not
//! earlier ones have been answered, spread round-robin over the servers as a simple load
//! balancer would — one that skips a server refusing connections, since such a request never
//! reached it. Each request's start, latency and outcome are recorded. A mutation that fails
//! retryably is sent again, with the same `Idempotency-Key`, as a client library does, until it
//! is answered; the retries are not part of the schedule's figures.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

/// The kinds of the users' work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A page of someone's caseload.
    Caseload,
    /// One case with its participants, meetings and deadlines.
    Case,
    /// A referral to the inbox.
    Referral,
    /// A meeting request the worker schedules.
    MeetingRequest,
    /// A professional's answer to an invitation.
    Answer,
    /// An agreement added to a plan.
    Agreement,
}

/// One request of the schedule.
#[derive(Clone, Debug)]
pub struct Op {
    /// What it is.
    pub kind: Kind,
    /// Whose token.
    pub token: String,
    /// The GraphQL request.
    pub body: Value,
    /// A mutation's key: it is retried until answered.
    pub idempotency_key: Option<String>,
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with data and no error.
    Ok,
    /// Refused in a way a client can retry: 503/429 with `Retry-After` and a retryable code,
    /// or the connection lost mid-request (its server killed).
    Retryable(String),
    /// Anything else.
    Failed(String),
}

/// One request's record.
#[derive(Clone, Debug)]
pub struct Record {
    /// What it was.
    pub kind: Kind,
    /// When it was due to start, from the run's start.
    pub at: Duration,
    /// How long until it was answered.
    pub latency: Duration,
    /// How it ended.
    pub outcome: Outcome,
}

/// A mutation's final answer, after any retries.
#[derive(Clone, Debug)]
pub struct Answered {
    /// What it was.
    pub kind: Kind,
    /// Its key.
    pub key: String,
    /// The `data` it was answered with (`None` when it never was).
    pub data: Option<Value>,
    /// Attempts it took.
    pub attempts: u32,
    /// How the last attempt ended.
    pub last: Outcome,
}

/// What a run of the schedule gives.
#[derive(Default)]
pub struct Collected {
    /// Every scheduled request.
    pub records: Vec<Record>,
    /// Every mutation's final answer.
    pub answered: Vec<Answered>,
}

/// Runs `plan(i)` for i = 0, 1, … at `rate` a second for `length` from `start`, against
/// `servers` (GraphQL URLs) in turn; mutations are retried until answered or until
/// `give_up_after` past the end.
pub async fn run(
    servers: Vec<String>,
    rate: f64,
    start: Instant,
    length: Duration,
    give_up_after: Duration,
    plan: Arc<dyn Fn(u64) -> Op + Send + Sync>,
) -> Collected {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let servers = Arc::new(servers);
    let collected = Arc::new(Mutex::new(Collected::default()));
    let give_up = start + length + give_up_after;
    let mut tasks = tokio::task::JoinSet::new();
    let count = (rate * length.as_secs_f64()) as u64;
    for i in 0..count {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let (client, servers, collected, op) = (
            client.clone(),
            Arc::clone(&servers),
            Arc::clone(&collected),
            plan(i),
        );
        tasks.spawn(async move {
            let first = usize::try_from(i).unwrap_or(0) % servers.len();
            let (latency, outcome, data) = send(&client, &servers, first, &op).await;
            let record = Record {
                kind: op.kind,
                at: due - start,
                latency,
                outcome: outcome.clone(),
            };
            lock(&collected).records.push(record);
            let Some(key) = op.idempotency_key.clone() else {
                return;
            };
            let (mut outcome, mut data, mut attempts) = (outcome, data, 1);
            while matches!(outcome, Outcome::Retryable(_)) && Instant::now() < give_up {
                tokio::time::sleep(Duration::from_millis(500)).await;
                attempts += 1;
                (_, outcome, data) = send(&client, &servers, first + attempts as usize, &op).await;
            }
            lock(&collected).answered.push(Answered {
                kind: op.kind,
                key,
                data: (outcome == Outcome::Ok).then_some(data).flatten(),
                attempts,
                last: outcome,
            });
        });
    }
    while tasks.join_next().await.is_some() {}
    Arc::try_unwrap(collected)
        .ok()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        })
        .unwrap_or_default()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends `op` to the first server that takes the connection, from `first` on.
async fn send(
    client: &reqwest::Client,
    servers: &[String],
    first: usize,
    op: &Op,
) -> (Duration, Outcome, Option<Value>) {
    let started = Instant::now();
    let mut last = String::new();
    for k in 0..servers.len() {
        let url = &servers[(first + k) % servers.len()];
        let mut request = client.post(url).bearer_auth(&op.token).json(&op.body);
        if let Some(key) = &op.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        match request.send().await {
            Err(e) if e.is_connect() => {
                last = format!("connect: {e}");
            }
            Err(e) => {
                return (
                    started.elapsed(),
                    Outcome::Retryable(format!("transport: {e}")),
                    None,
                );
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().contains_key("retry-after");
                let body = response.json::<Value>().await;
                let latency = started.elapsed();
                return match body {
                    Err(e) => (
                        latency,
                        Outcome::Retryable(format!("transport: {status} {e}")),
                        None,
                    ),
                    Ok(body) => classify(status, retry_after, body, latency),
                };
            }
        }
    }
    (
        started.elapsed(),
        Outcome::Retryable(format!("no server took the connection: {last}")),
        None,
    )
}

/// The codes a client may retry on (with `Retry-After`).
pub const RETRYABLE: [&str; 3] = ["UNAVAILABLE", "OVERLOADED", "RATE_LIMITED"];

fn classify(
    status: u16,
    retry_after: bool,
    body: Value,
    latency: Duration,
) -> (Duration, Outcome, Option<Value>) {
    let Some(error) = body["errors"].as_array().and_then(|e| e.first()) else {
        return match body.get("data") {
            Some(data) if !data.is_null() => (latency, Outcome::Ok, Some(data.clone())),
            _ => (
                latency,
                Outcome::Failed(format!("{status} without data or errors")),
                None,
            ),
        };
    };
    let code = error["extensions"]["code"].as_str().unwrap_or("none");
    let described = format!("{status} {code}: {}", error["message"]);
    if RETRYABLE.contains(&code) && retry_after && matches!(status, 429 | 503) {
        (latency, Outcome::Retryable(described), None)
    } else {
        (latency, Outcome::Failed(described), None)
    }
}
