//! kit-api side by side with PostGraphile 4 on the same PostgreSQL tables and data.
//!
//! ```text
//! tests/benches/peer/run        # installs PostGraphile, builds kit-api, runs this
//! ```
//!
//! The data set of the HTTP benchmark (10,000 cases with 8 participants each) is loaded into a
//! fresh database (`KIT_PEER_DATABASE`, default `kit_peer`, on the server of
//! `KIT_PEER_ADMIN_URL`, default `postgres://postgres@127.0.0.1:5432/test`). Both servers run
//! on it at once, pinned to core 0; this process, the load generator, is pinned to core 1.
//! Before measuring, both answer the caseload page and the answers must carry the same values.
//! Then, for each query, the two servers take turns, 10 s each after 2 s of warm-up, for
//! `KIT_PEER_ROUNDS` rounds (default 5); the table gives each round's ratio and the median.
//! PostgreSQL's CPU per request is that of all its processes during each server's turns.
//! The database is dropped at the end.
//!
//! With `KIT_PEER_HOLD=1` nothing is measured: both servers stay up on the seeded data, and
//! their URLs, pids and the token are printed, for profiling one of them under load (e.g.
//! `perf record --call-graph dwarf -p <pid>` while `wrk` runs) until this process is stopped.
//! kit-api answers as a member of the municipality's intake unit (every case visible, every
//! read decided and logged); PostGraphile answers as the database owner.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kit_entity::ids::CaseId;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

mod common;

use common::*;

const KIT_PORT: u16 = 18_080;
const PEER_PORT: u16 = 18_081;
const SECRET: &str = "peer-benchmark-secret-peer-benchmark";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The servers under test; killed when dropped.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// CPU time (user + system, clock ticks) of process `pid` and its threads.
fn process_ticks(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat_ticks(&stat).map(|(_, ticks)| ticks))
        .unwrap_or(0)
}

/// CPU time (clock ticks) of each PostgreSQL server process, by pid: the backends serving
/// both servers' connections, and PostgreSQL's own background processes.
fn postgres_ticks() -> std::collections::HashMap<u32, u64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return std::collections::HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (comm, ticks) = stat_ticks(&stat)?;
            (comm == "postgres").then_some((pid, ticks))
        })
        .collect()
}

/// PostgreSQL's CPU (clock ticks) between two [`postgres_ticks`]: what the processes alive at
/// the end spent since the start. Only one server is under load at a time, so this is what its
/// requests cost PostgreSQL; a backend of the idle server that exits meanwhile (node-postgres
/// closes idle connections after 10 s) is not counted as negative work.
fn postgres_spent(
    before: &std::collections::HashMap<u32, u64>,
    after: &std::collections::HashMap<u32, u64>,
) -> u64 {
    after
        .iter()
        .map(|(pid, ticks)| ticks.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum()
}

async fn post(client: &reqwest::Client, url: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = client.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

async fn wait_ready(client: &reqwest::Client, url: &str, token: Option<&str>) {
    let started = Instant::now();
    loop {
        if let Ok(r) = client
            .post(url)
            .json(&json!({ "query": "{ __typename }" }))
            .bearer_auth(token.unwrap_or_default())
            .send()
            .await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{url} did not start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const KIT_CASELOAD: &str = "{ cases(first: 50) { totalCount edges { node { id reference status child { name } participants { role sector name professional { name } } } } } }";
const PEER_CASELOAD: &str = "{ allCases(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) { totalCount nodes { id reference status childByChildId { name } participantsByCaseIdList { kind role sector externalName professionalByProfessionalId { name } familyMemberByFamilyMemberId { name } } } } }";
const KIT_CASE: &str = "query($id: ID!) { case(id: $id) { id reference status child { name cpr } participants { role sector name professional { name title } } } }";
const PEER_CASE: &str = "query($id: BigInt!) { caseById(id: $id) { id reference status childByChildId { name cpr } participantsByCaseIdList { kind role sector externalName professionalByProfessionalId { name title } familyMemberByFamilyMemberId { name } } } }";

/// A case as both servers show it: reference, status, the child's name, and each
/// participant's role, sector, name and professional's name, sorted.
type Shown = (
    String,
    String,
    String,
    Vec<(String, String, String, String)>,
);

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn kit_shown(answer: &Value) -> (i64, Vec<Shown>) {
    let cases = &answer["data"]["cases"];
    let shown = cases["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("kit-api: {answer}"))
        .iter()
        .map(|e| {
            let c = &e["node"];
            let mut ps: Vec<_> = c["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        text(&p["role"]),
                        text(&p["sector"]),
                        text(&p["name"]),
                        text(&p["professional"]["name"]),
                    )
                })
                .collect();
            ps.sort();
            (
                text(&c["reference"]),
                text(&c["status"]),
                text(&c["child"]["name"]),
                ps,
            )
        })
        .collect();
    (cases["totalCount"].as_i64().unwrap_or(-1), shown)
}

fn peer_shown(answer: &Value) -> (i64, Vec<Shown>) {
    let cases = &answer["data"]["allCases"];
    let shown = cases["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("PostGraphile: {answer}"))
        .iter()
        .map(|c| {
            let child = text(&c["childByChildId"]["name"]);
            let mut ps: Vec<_> = c["participantsByCaseIdList"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let professional = text(&p["professionalByProfessionalId"]["name"]);
                    let name = match p["kind"].as_str() {
                        Some("PROFESSIONAL") => professional.clone(),
                        Some("FAMILY_MEMBER") => text(&p["familyMemberByFamilyMemberId"]["name"]),
                        Some("CHILD") => child.clone(),
                        _ => text(&p["externalName"]),
                    };
                    (text(&p["role"]), text(&p["sector"]), name, professional)
                })
                .collect();
            ps.sort();
            (text(&c["reference"]), text(&c["status"]), child, ps)
        })
        .collect();
    (cases["totalCount"].as_i64().unwrap_or(-1), shown)
}

fn leaves(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.values().map(leaves).sum(),
        Value::Array(a) => a.iter().map(leaves).sum(),
        _ => 1,
    }
}

struct Side {
    rps: Vec<f64>,
    p99: Vec<f64>,
    cpu_ms: Vec<f64>,
    /// PostgreSQL's CPU per request during this server's turns.
    pg_ms: Vec<f64>,
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

fn main() {
    // The load generator on core 1, every thread of it; the servers get core 0.
    let pinned = Command::new("taskset")
        .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("taskset: {e}"));
    assert!(pinned.success(), "taskset could not pin the load generator");
    let admin = env_or(
        "KIT_PEER_ADMIN_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    );
    let name = env_or("KIT_PEER_DATABASE", "kit_peer");
    let url = format!(
        "{}/{name}",
        admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base)
    );
    let kit_api = env_or("KIT_PEER_KIT_API", "../target/release/kit-api");
    let postgraphile = env_or(
        "KIT_PEER_POSTGRAPHILE",
        "benches/peer/node_modules/.bin/postgraphile",
    );
    let rounds: usize = env_or("KIT_PEER_ROUNDS", "5").parse().unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(CLIENT_THREAD)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));

    let subject = rt.block_on(async {
        let server = sea_orm::Database::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("{admin}: {e}"));
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            server
                .execute_unprepared(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let db = sea_orm::Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        kit_api::db::upgrade(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let subject = seed(&db).await;
        db.execute_unprepared("ANALYZE")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "seeded {CASES} cases with 8 participants each into {name} in {:.1?}",
            started.elapsed()
        );
        subject
    });

    let kit = Command::new("taskset")
        .args(["-c", "0", &kit_api])
        // Like PostGraphile (node-postgres connects without TLS unless told to), no TLS to
        // the database on loopback; see "Scaling out on PostgreSQL" in the README.
        .env("KIT_DATABASE_URL", format!("{url}?sslmode=disable"))
        .env("KIT_LISTEN", format!("127.0.0.1:{KIT_PORT}"))
        .env("KIT_WORKER", "off")
        .env("KIT_AUTH_HS256_SECRET", SECRET)
        .env(
            "KIT_CPR_KEY",
            kit_entity::cpr::vault::CprVault::generate_key(),
        )
        .env("KIT_DB_MAX_CONNECTIONS", "16")
        // One load generator on 127.0.0.1 is not a client to limit.
        .env("KIT_RATE_LIMIT_PER_SECOND", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{kit_api}: {e}"));
    let peer = Command::new("taskset")
        .args([
            "-c",
            "0",
            &postgraphile,
            "-c",
            &url,
            "-s",
            "public",
            "--simple-collections",
            "both",
            "-n",
            "127.0.0.1",
            "-p",
            &PEER_PORT.to_string(),
            "--disable-query-log",
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{postgraphile}: {e}"));
    let servers = Servers(vec![kit, peer]);
    // `taskset` execs its command: the children's pids are the servers'.
    let (kit_pid, peer_pid) = (servers.0[0].id(), servers.0[1].id());

    let now = Utc::now().timestamp();
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "sub": subject, "iat": now, "exp": now + 3 * 3600 }),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let kit_url = format!("http://127.0.0.1:{KIT_PORT}/graphql");
    let peer_url = format!("http://127.0.0.1:{PEER_PORT}/graphql");

    rt.block_on(async {
        let client = reqwest::Client::new();
        wait_ready(&client, &kit_url, Some(&token)).await;
        wait_ready(&client, &peer_url, None).await;
        // The same values, or the comparison means nothing.
        let kit_answer = post(&client, &kit_url, Some(&token), &json!({ "query": KIT_CASELOAD })).await;
        let peer_answer = post(&client, &peer_url, None, &json!({ "query": PEER_CASELOAD })).await;
        let (kit_total, kit_cases) = kit_shown(&kit_answer);
        let (peer_total, peer_cases) = peer_shown(&peer_answer);
        assert_eq!(kit_total, peer_total, "totalCount differs");
        assert_eq!(kit_cases.len(), 50, "{kit_answer}");
        assert_eq!(kit_cases, peer_cases, "the two caseload pages differ");
        eprintln!(
            "same caseload page from both: {} cases; {} leaf values from kit-api, {} from PostGraphile",
            kit_cases.len(),
            leaves(&kit_answer),
            leaves(&peer_answer)
        );
    });

    if std::env::var("KIT_PEER_HOLD").is_ok_and(|v| v == "1") {
        println!("kit-api      {kit_url} pid {kit_pid}");
        println!("PostGraphile {peer_url} pid {peer_pid}");
        println!("token        {token}");
        println!("caseload     {KIT_CASELOAD}");
        println!("holding; stop with Ctrl-C (the database {name} is kept)");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    let queries: Vec<(&str, Body, Body)> = vec![
        (
            "`{ __typename }`",
            Arc::new(|_| json!({ "query": "{ __typename }" })),
            Arc::new(|_| json!({ "query": "{ __typename }" })),
        ),
        (
            "single case with child and participants",
            Arc::new(|i| {
                let id =
                    kit_api::graphql::ids::NodeId::to_global(CaseId(1 + (i % CASES as u64) as i64));
                json!({ "query": KIT_CASE, "variables": { "id": id.0 } })
            }),
            Arc::new(
                |i| json!({ "query": PEER_CASE, "variables": { "id": (1 + i % CASES as u64).to_string() } }),
            ),
        ),
        (
            "caseload page (`first: 50`)",
            Arc::new(|_| json!({ "query": KIT_CASELOAD })),
            Arc::new(|_| json!({ "query": PEER_CASELOAD })),
        ),
    ];

    println!(
        "\n### kit-api vs. PostGraphile 4 on PostgreSQL: {CASES} cases, {CLIENTS} clients, {rounds} rounds of {}s each\n",
        MEASURE.as_secs()
    );
    println!(
        "| query | kit-api req/s (p99) | PostGraphile req/s (p99) | ratio per round | median ratio | kit-api CPU per request | PostGraphile CPU per request | PostgreSQL CPU per request (kit-api / PostGraphile) |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|");
    for (label, kit_body, peer_body) in queries {
        let mut sides = [
            Side {
                rps: vec![],
                p99: vec![],
                cpu_ms: vec![],
                pg_ms: vec![],
            },
            Side {
                rps: vec![],
                p99: vec![],
                cpu_ms: vec![],
                pg_ms: vec![],
            },
        ];
        for _ in 0..rounds {
            for (side, (url, token, body, server)) in [
                (&kit_url, token.clone(), Arc::clone(&kit_body), kit_pid),
                (&peer_url, String::new(), Arc::clone(&peer_body), peer_pid),
            ]
            .into_iter()
            .enumerate()
            {
                let (before, pg_before) = (process_ticks(server), postgres_ticks());
                let outcome = rt.block_on(load(url.clone(), token, body));
                let ticks = process_ticks(server) - before;
                let pg_ticks = postgres_spent(&pg_before, &postgres_ticks());
                let mut latencies = outcome.latencies;
                latencies.sort();
                assert_eq!(outcome.failed, 0, "{label}: failed requests");
                let s = &mut sides[side];
                s.rps.push(outcome.ok as f64 / MEASURE.as_secs_f64());
                s.p99
                    .push(percentile(&latencies, 99.0).as_secs_f64() * 1000.0);
                // Warm-up included in the ticks: scale by the measured share of the time.
                let share = MEASURE.as_secs_f64() / (MEASURE + WARMUP).as_secs_f64();
                s.cpu_ms
                    .push(ticks as f64 * MS_PER_TICK * share / outcome.ok.max(1) as f64);
                s.pg_ms
                    .push(pg_ticks as f64 * MS_PER_TICK * share / outcome.ok.max(1) as f64);
            }
        }
        let ratios: Vec<f64> = sides[0]
            .rps
            .iter()
            .zip(&sides[1].rps)
            .map(|(k, p)| k / p)
            .collect();
        println!(
            "| {label} | {:.0} ({:.1} ms) | {:.0} ({:.1} ms) | {} | **{:.2}** | {:.2} ms | {:.2} ms | {:.2} / {:.2} ms |",
            median(&sides[0].rps),
            median(&sides[0].p99),
            median(&sides[1].rps),
            median(&sides[1].p99),
            ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" "),
            median(&ratios),
            median(&sides[0].cpu_ms),
            median(&sides[1].cpu_ms),
            median(&sides[0].pg_ms),
            median(&sides[1].pg_ms),
        );
    }
    drop(servers);
    rt.block_on(async {
        let server = sea_orm::Database::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("{admin}: {e}"));
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        server
            .execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    });
}
