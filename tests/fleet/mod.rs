//! Several processes under load and faults: `kit-api` servers without a worker and
//! `kit-worker` processes on one PostgreSQL database, a constant-rate mix of the users' work
//! spread over the servers, and, while it runs, one server and one worker killed with SIGKILL
//! and started again, and the database server stopped and started. Afterwards the database and
//! the mail that arrived are checked: nothing committed was lost or done twice.
//!
//! Used by the test `faults` (a short run) and the benchmark `faults` (a region's peak ×10).

pub mod checks;
pub mod figures;
pub mod load;
pub mod postgres;
pub mod processes;
pub mod setup;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::harness::{Field, PATIENCE, TestApp, TestDatabase, eventually};
use crate::smtp::SmtpSink;
use load::{Kind, Op};
use postgres::Postgres;
use processes::{Process, Shared};

/// A port free on loopback a moment ago.
#[must_use]
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// The run's shape.
#[derive(Clone, Debug)]
pub struct Options {
    /// `kit-api` processes.
    pub servers: usize,
    /// `kit-worker` processes.
    pub workers: usize,
    /// Requests a second.
    pub rate: f64,
    /// How long the load runs.
    pub length: Duration,
    /// When one server and one worker are killed (and started again two seconds later).
    pub kill_at: Option<Duration>,
    /// When the database server is stopped, and for how long.
    pub database_restart_at: Option<(Duration, Duration)>,
    /// Access-log hash chains.
    pub audit_chains: u16,
    /// Active cases the load works on.
    pub cases: usize,
}

impl Options {
    /// A region's peak ×10 (about 100 requests a second: 2,000 professionals at 50 case views
    /// a day is 3.5 a second over a working day, its busiest hour three times that), three
    /// servers and two workers, for a minute: a kill at 20 s, the database down for 3 s at
    /// 40 s.
    #[must_use]
    pub fn region_peak() -> Self {
        Self {
            servers: 3,
            workers: 2,
            rate: 100.0,
            length: Duration::from_secs(60),
            kill_at: Some(Duration::from_secs(20)),
            database_restart_at: Some((Duration::from_secs(40), Duration::from_secs(3))),
            audit_chains: 8,
            cases: 12,
        }
    }
}

/// A fault and when it lasted, from the load's start.
#[derive(Clone, Debug)]
pub struct Fault {
    /// What happened.
    pub what: String,
    /// When it began.
    pub from: Duration,
    /// When everything was back (the process ready, the database accepting connections).
    pub to: Duration,
}

/// What the run saw.
pub struct Run {
    /// The options it ran with.
    pub options: Options,
    /// The requests and the mutations' answers.
    pub collected: load::Collected,
    /// The faults.
    pub faults: Vec<Fault>,
    /// The checks of what was committed and sent.
    pub checks: Vec<checks::Check>,
    /// Where the processes' logs are: removed with the run when every check held, kept
    /// otherwise.
    pub logs: std::path::PathBuf,
    _logs: Option<tempfile::TempDir>,
}

/// Runs it.
///
/// # Panics
/// When the set-up fails (a process that does not start, a refused step of the world).
pub async fn run(options: Options) -> Run {
    let postgres = Arc::new(Postgres::start());
    let sink = SmtpSink::start().await;
    let database = TestDatabase::create_at(&postgres.admin_url()).await;
    let url = database.url.clone();
    let cpr_key = kit_entity::cpr::vault::CprVault::generate_key();
    let key = cpr_key.clone();
    let chains = options.audit_chains;
    let app = TestApp::spawn_on(&url, database, move |c| {
        c.cpr_key = Some(key);
        c.settings.audit_chains = chains;
    })
    .await;
    // The processes run on the machine's clock; the world is made on it too.
    app.clock.set(Utc::now());
    let cast = setup::cast(&app, options.cases).await;
    let logs_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let logs = logs_dir.path().to_owned();
    let shared = Shared {
        database_url: url,
        secret: "test-secret-that-is-long-enough-for-hs256".into(),
        cpr_key,
        smtp_url: sink.url(),
        audit_chains: options.audit_chains,
        dir: logs.clone(),
    };
    let mut servers: Vec<Process> = (0..options.servers)
        .map(|i| Process::api(&shared, i, free_port()))
        .collect();
    for s in &mut servers {
        s.start().await;
    }
    let urls: Vec<String> = servers
        .iter()
        .filter_map(|s| s.port)
        .map(|p| format!("http://127.0.0.1:{p}/graphql"))
        .collect();
    let mut workers: Vec<Process> = (0..options.workers)
        .map(|i| Process::worker(&shared, i, urls[0].replace("/graphql", "")))
        .collect();
    for w in &mut workers {
        w.start().await;
    }

    // Every case has a meeting its psychiatrist answers during the run.
    let mut answerable = Vec::new();
    for case in &cast.cases {
        answerable.push(request_meeting(&urls[0], case).await);
    }
    for (case, id) in cast.cases.iter().zip(&answerable) {
        scheduled(&app, &case.contact_token, id).await;
    }
    let start = Instant::now() + Duration::from_secs(1);
    let moved = checks::due_during(&app, &cast, Utc::now() + TimeDelta::seconds(1), &options).await;

    let plan = mix(&cast, &answerable);
    let load = tokio::spawn(load::run(
        urls.clone(),
        options.rate,
        start,
        options.length,
        Duration::from_secs(90),
        plan,
    ));
    let mut faults = Vec::new();
    let mut events: Vec<(Duration, bool)> = Vec::new();
    if let Some(at) = options.kill_at {
        events.push((at, true));
    }
    if let Some((at, _)) = options.database_restart_at {
        events.push((at, false));
    }
    events.sort();
    for (at, is_kill) in events {
        tokio::time::sleep_until(start + at).await;
        let from = start.elapsed();
        if is_kill {
            let (s, w) = (servers.len() - 1, workers.len() - 1);
            servers[s].kill().await;
            workers[w].kill().await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            workers[w].start().await;
            servers[s].start().await;
            faults.push(Fault {
                what: format!(
                    "kill -9 {} and {}, started again 2 s later",
                    servers[s].name, workers[w].name
                ),
                from,
                to: start.elapsed(),
            });
        } else if let Some((_, down)) = options.database_restart_at {
            let pg = Arc::clone(&postgres);
            tokio::task::spawn_blocking(move || pg.restart(down))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            faults.push(Fault {
                what: format!("PostgreSQL stopped (fast), started again {down:?} later"),
                from,
                to: start.elapsed(),
            });
        }
    }
    let collected = load.await.unwrap_or_else(|e| panic!("the load ended: {e}"));
    for p in servers.iter_mut().chain(workers.iter_mut()) {
        p.assert_running();
    }
    let checks = checks::settle_and_check(&app, &sink, &collected, &moved, &faults).await;
    for p in servers.iter_mut().chain(workers.iter_mut()) {
        p.kill().await;
    }
    let kept = if checks.iter().all(|c| c.passed) {
        Some(logs_dir)
    } else {
        let kept = logs_dir.keep();
        eprintln!("the processes' logs are kept in {}", kept.display());
        None
    };
    Run {
        options,
        collected,
        faults,
        checks,
        logs,
        _logs: kept,
    }
}

const CASELOAD: &str = r"query { cases(first: 20) { edges { node { id reference status child { name } } } pageInfo { hasNextPage endCursor } } }";
const CASE: &str = r"query($id: ID!) { case(id: $id) { id reference status participants { id role name } meetings { id kind status startsAt } deadlines { id status dueAt } } }";
const REFER: &str =
    r"mutation($input: SubmitReferralInput!) { submitReferral(input: $input) { case { id } } }";
const REQUEST: &str = r"mutation($input: RequestMeetingInput!) { requestMeeting(input: $input) { meeting { id status } } }";
const ANSWER: &str = r"mutation($id: ID!, $r: InviteeResponse!) { respondToInvitation(input: { meetingId: $id, response: $r }) { invitee { response } } }";
const AGREE: &str =
    r"mutation($input: AddAgreementInput!) { addAgreement(input: $input) { agreement { id } } }";

/// The mix of a hundred requests: 40 caseload pages, 42 cases, 8 answers, 6 agreements,
/// 3 referrals, 1 meeting request.
fn mix(cast: &setup::Cast, answerable: &[String]) -> Arc<dyn Fn(u64) -> Op + Send + Sync> {
    let cast = cast.clone();
    let answerable = answerable.to_vec();
    let run = uuid::Uuid::new_v4().simple().to_string();
    Arc::new(move |i| {
        let case = &cast.cases[(i as usize / 7) % cast.cases.len()];
        let w = &cast.world;
        let key = Some(format!("{run}-{i}"));
        let query = |kind, token: &str, query: &str, variables: Value| Op {
            kind,
            token: token.to_owned(),
            body: json!({ "query": query, "variables": variables }),
            idempotency_key: None,
        };
        match i % 100 {
            0..40 => {
                let token = if i % 2 == 0 {
                    &case.contact_token
                } else {
                    &w.intake_a.token
                };
                query(Kind::Caseload, token, CASELOAD, json!({}))
            }
            40..82 => query(
                Kind::Case,
                &case.contact_token,
                CASE,
                json!({ "id": case.id }),
            ),
            82..90 => Op {
                idempotency_key: key,
                ..query(
                    Kind::Answer,
                    &w.psychiatrist.token,
                    ANSWER,
                    json!({ "id": answerable[i as usize % answerable.len()],
                            "r": if i % 3 == 0 { "TENTATIVE" } else { "ACCEPTED" } }),
                )
            },
            90..96 => Op {
                idempotency_key: key,
                ..query(
                    Kind::Agreement,
                    &case.contact_token,
                    AGREE,
                    json!({ "input": { "caseId": case.id, "description": format!("Aftale {i}"),
                        "ownerId": case.contact,
                        "dueOn": (Utc::now() + TimeDelta::days(30)).date_naive() } }),
                )
            },
            96..99 => Op {
                idempotency_key: key,
                ..query(
                    Kind::Referral,
                    &w.intake_a.token,
                    REFER,
                    json!({ "input": crate::world::referral(&w.municipality_a, &format!("Henvist {i}")) }),
                )
            },
            _ => Op {
                idempotency_key: key,
                ..query(
                    Kind::MeetingRequest,
                    &case.contact_token,
                    REQUEST,
                    request_input(case),
                )
            },
        }
    })
}

fn request_input(case: &setup::Case) -> Value {
    json!({ "input": { "caseId": case.id, "kind": "NETWORK", "invitees": setup::invitees(case),
        "durationMinutes": 60, "latest": (Utc::now() + TimeDelta::days(150)).to_rfc3339() } })
}

async fn request_meeting(url: &str, case: &setup::Case) -> String {
    let r: Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(&case.contact_token)
        .json(&json!({ "query": REQUEST, "variables": request_input(case) }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    r["data"]["requestMeeting"]["meeting"]["id"]
        .str()
        .to_owned()
}

/// Waits until the worker has scheduled meeting `id`.
async fn scheduled(app: &TestApp, token: &str, id: &str) {
    eventually("a meeting scheduled by the workers", PATIENCE, || async {
        let r = app
            .gql(
                token,
                "query($id: ID!) { meeting(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await;
        (r.data()["meeting"]["status"] == "SCHEDULED").then_some(())
    })
    .await;
}
