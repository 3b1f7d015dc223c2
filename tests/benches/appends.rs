//! Access-log appends from several processes (PostgreSQL): how many a second one chain and
//! several chains take when 1, 2 or 3 processes append at once.
//!
//! ```text
//! KIT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p kit-tests --bench appends
//! ```
//!
//! Each process stands for a kit-api process: `TASKS` requests at a time, each a write
//! transaction that appends the rows of one request (a case view's `ROWS` rows) and commits,
//! as the API does. The processes are this program started again in child mode; each counts
//! its appends and their latencies over `SECONDS`, and the parent adds them up.

use std::time::{Duration, Instant};

use chrono::Utc;
use kit_entity::domain::enums::{AccessBasis, AccessKind};
use kit_entity::ids::{CaseId, ProfessionalId};
use kit_entity::ops::access_log::{self, Entry};

const TASKS: usize = 8;
const ROWS: usize = 5;
const SECONDS: u64 = 10;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Ok(url) = std::env::var("KIT_APPENDS_CHILD_URL") {
        let chains = std::env::var("KIT_APPENDS_CHAINS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(1);
        rt.block_on(child(url, chains));
        return;
    }
    let admin = std::env::var("KIT_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        eprintln!("set KIT_BENCH_DATABASE_URL to a PostgreSQL server");
        std::process::exit(2);
    });
    let database = rt.block_on(async {
        let database = kit_tests::harness::TestDatabase::create_at(&admin).await;
        let settings = kit_entity::infra::settings::Settings {
            database_url: database.url.clone(),
            ..Default::default()
        };
        let db = kit_entity::infra::db::connect(&settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        kit_entity::ops::upgrade(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        kit_entity::ops::access_log::prepare(&db, 8, Utc::now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        database
    });
    println!(
        "\n### Access-log appends: {TASKS} concurrent requests per process, {ROWS} rows each, {SECONDS} s\n"
    );
    println!("| chains | processes | appends/s | rows/s | p50 | p99 |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for chains in [1_u16, 8] {
        for processes in 1..=3 {
            let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
            let children: Vec<std::process::Child> = (0..processes)
                .map(|_| {
                    std::process::Command::new(&exe)
                        .env("KIT_APPENDS_CHILD_URL", &database.url)
                        .env("KIT_APPENDS_CHAINS", chains.to_string())
                        .stdout(std::process::Stdio::piped())
                        .spawn()
                        .unwrap_or_else(|e| panic!("{e}"))
                })
                .collect();
            let mut appends = 0_u64;
            let mut latencies: Vec<f64> = Vec::new();
            for child in children {
                let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    if let Ok(ms) = line.parse::<f64>() {
                        latencies.push(ms);
                        appends += 1;
                    }
                }
            }
            latencies.sort_by(f64::total_cmp);
            let at = |p: f64| {
                latencies
                    .get(
                        ((latencies.len() as f64 * p) as usize)
                            .min(latencies.len().saturating_sub(1)),
                    )
                    .copied()
                    .unwrap_or(0.0)
            };
            let per_second = appends as f64 / SECONDS as f64;
            println!(
                "| {chains} | {processes} | {per_second:.0} | {:.0} | {:.1} ms | {:.1} ms |",
                per_second * ROWS as f64,
                at(0.5),
                at(0.99)
            );
        }
    }
    drop(database);
}

/// One process: `TASKS` loops appending for `SECONDS`; prints each append's milliseconds.
async fn child(url: String, chains: u16) {
    let settings = kit_entity::infra::settings::Settings {
        database_url: url,
        db_max_connections: u32::try_from(TASKS + 2).unwrap_or(10),
        ..Default::default()
    };
    let db = kit_entity::infra::db::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    access_log::prepare(&db, chains, Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut n = 0_i64;
                while Instant::now() < until {
                    n += 1;
                    let started = Instant::now();
                    let txn = kit_entity::infra::db::begin_write(&db)
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    let entries = (0..ROWS)
                        .map(|row| Entry {
                            at: Utc::now(),
                            kind: AccessKind::Read,
                            professional_id: ProfessionalId(1 + task as i64),
                            case_id: CaseId(1 + row as i64),
                            basis: AccessBasis::Participant,
                            what: "CHILD,PARTICIPANTS".into(),
                            operation: "CaseView(case)".into(),
                            request_id: format!("{task}-{n}"),
                            client_request_id: None,
                        })
                        .collect();
                    access_log::append(&txn, entries)
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
                    times.push(started.elapsed().as_secs_f64() * 1000.0);
                }
                times
            })
        })
        .collect();
    for task in tasks {
        for ms in task.await.unwrap_or_default() {
            println!("{ms:.3}");
        }
    }
}
