//! HTTP load benchmark: 10,000 cases with about 8 participants each, queried over real HTTP.
//!
//! ```text
//! cargo bench -p kit-tests --bench http                      # SQLite
//! KIT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p kit-tests --bench http                    # PostgreSQL
//! ```
//!
//! `KIT_BENCH_QUERY='{ … }'` adds a query of your own; with `KIT_BENCH_ONLY_CUSTOM=1` only
//! the baseline and that query run.
//!
//! The server runs on its own two-worker runtime; the load generator on another, with a fixed
//! number of concurrent clients. A response counts as a success only when its status is 200
//! and its body holds no `errors`. "Server CPU per request" is the CPU time of every thread
//! of the process but the load generator's (the server's runtime, SQLite's threads) while a
//! query is measured, divided by its successful requests; a PostgreSQL server's own processes
//! are not in it. Results are printed as a Markdown table for BENCHMARKS.md.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeDelta, Utc};
use kit_api::{App, Config};
use kit_entity::SystemClock;
use kit_entity::ids::CaseId;
use serde_json::json;

mod common;

use common::*;

fn main() {
    let database_url = std::env::var("KIT_BENCH_DATABASE_URL").ok();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(CLIENT_THREAD)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));

    let (addr, token, backend, _guard) = server_rt.block_on(async {
        let database = kit_tests::harness::TestDatabase::create_at(
            database_url.as_deref().unwrap_or("sqlite"),
        )
        .await;
        let config = Config {
            settings: kit_api::config::Settings {
                database_url: database.url.clone(),
                db_max_connections: 16,
                worker: false,
                ..Default::default()
            },
            auth_hs256_secret: Some("benchmark-secret-benchmark-secret".into()),
            // One load generator on 127.0.0.1 is not a client to limit.
            rate_limit_per_second: 0,
            cpr_key: Some(kit_entity::cpr::vault::CprVault::generate_key()),
            ..Config::default()
        };
        let db = kit_api::db::connect(&config.settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        kit_api::db::upgrade(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let subject = seed(&db).await;
        eprintln!(
            "seeded {CASES} cases with 8 participants each in {:.1?}",
            started.elapsed()
        );
        // Planner statistics, as a running system has them: SQLite's `PRAGMA optimize` (which
        // `kit-api` runs on start) and PostgreSQL's autovacuum ANALYZE.
        kit_api::db::optimize(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if database.is_postgres() {
            sea_orm::ConnectionTrait::execute_unprepared(&db, "ANALYZE")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let app = App::start(db, config, Arc::new(SystemClock))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let token = app
            .state
            .auth
            .issue_local(&subject, Utc::now(), TimeDelta::hours(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(app.serve(listener, std::future::pending()));
        let backend = if database.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        (addr, token, backend, database)
    });

    let url = format!("http://{addr}/graphql");
    let scenarios: Vec<(&str, Body)> = vec![
        (
            "`{ __typename }` (baseline)",
            Arc::new(|_| json!({ "query": "{ __typename }" })),
        ),
        (
            "`case(id:)` with participants",
            Arc::new(|i| {
                let id =
                    kit_api::graphql::ids::NodeId::to_global(CaseId(1 + (i % CASES as u64) as i64));
                json!({
                    "query": "query($id: ID!) { case(id: $id) { id reference status child { name cpr } participants { role sector name professional { name title } } } }",
                    "variables": { "id": id.0 },
                })
            }),
        ),
        (
            "`cases(first: 50)` with participants",
            Arc::new(|_| {
                json!({
                    "query": "{ cases(first: 50) { totalCount edges { node { id reference status child { name } participants { role sector name professional { name } } } } } }",
                })
            }),
        ),
    ];
    let mut scenarios = scenarios;
    if let Ok(extra) = std::env::var("KIT_BENCH_QUERY") {
        scenarios.push((
            "custom",
            Arc::new(move |_| json!({ "query": extra.clone() })),
        ));
    }
    if std::env::var("KIT_BENCH_ONLY_CUSTOM").is_ok() {
        scenarios.drain(1..scenarios.len() - 1);
    }
    println!(
        "\n### {backend}: {CASES} cases, 8 participants each, {CLIENTS} concurrent clients, {}s per row\n",
        MEASURE.as_secs()
    );
    println!(
        "| query | requests/s | p50 | p99 | server CPU per request | failures | vs. baseline |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut baseline = 0.0;
    for (name, body) in scenarios {
        let outcome = client_rt.block_on(load(url.clone(), token.clone(), body));
        let cpu_ms = outcome.server_ticks as f64 * MS_PER_TICK / outcome.ok.max(1) as f64;
        let mut latencies = outcome.latencies;
        latencies.sort();
        let rps = outcome.ok as f64 / MEASURE.as_secs_f64();
        if baseline == 0.0 {
            baseline = rps;
        }
        println!(
            "| {name} | {rps:.0} | {:.1} ms | {:.1} ms | {cpu_ms:.2} ms | {} | {:.1} % |",
            percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
            percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
            outcome.failed,
            100.0 * rps / baseline
        );
    }
}
