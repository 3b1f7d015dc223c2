//! Several processes under load and faults (PostgreSQL, a server of the run's own).
//!
//! ```text
//! cargo build --release --bins                          # the kit-api and kit-worker it starts
//! cargo bench -p kit-tests --bench faults               # a region's peak ×10, with faults
//! KIT_FAULTS_COMPARE=1 cargo bench -p kit-tests --bench faults   # one chain against eight
//! ```
//!
//! The first runs three `kit-api` (`KIT_WORKER=off`) and two `kit-worker` processes at 100
//! requests a second for a minute — one server and one worker killed with SIGKILL at 20 s and
//! started 2 s later, PostgreSQL stopped for 3 s at 40 s — then checks what was committed and
//! sent, and prints the figures as Markdown. `KIT_FAULTS_RATE`, `KIT_FAULTS_SECONDS` change
//! the rate and the length; `KIT_FAULTS_NONE=1` runs the same without faults, the figures to
//! hold the run's against.
//!
//! The second runs two servers and one worker without faults at the same rate, with one
//! access-log chain and with eight, in interleaved rounds (`KIT_FAULTS_ROUNDS`, 3 by default),
//! and prints p50/p95/p99 of each round.

use std::time::Duration;

use kit_tests::fleet::{self, Options, figures};

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut base = Options::region_peak();
    if let Some(rate) = env("KIT_FAULTS_RATE") {
        base.rate = rate;
    }
    if let Some(seconds) = env("KIT_FAULTS_SECONDS") {
        base.length = Duration::from_secs(seconds);
    }
    if std::env::var_os("KIT_FAULTS_NONE").is_some() {
        base.kill_at = None;
        base.database_restart_at = None;
    }
    if std::env::var_os("KIT_FAULTS_COMPARE").is_none() {
        let run = rt.block_on(fleet::run(base));
        println!("{}", figures::report(&run));
        if run.checks.iter().any(|c| !c.passed) {
            std::process::exit(1);
        }
        return;
    }
    let rounds: usize = env("KIT_FAULTS_ROUNDS").unwrap_or(3);
    println!(
        "| round | chains | requests | errors | p50 | p95 | p99 |\n|---:|---:|---:|---:|---:|---:|---:|"
    );
    for round in 1..=rounds {
        for chains in [1, 8] {
            let run = rt.block_on(fleet::run(Options {
                servers: 2,
                workers: 1,
                kill_at: None,
                database_restart_at: None,
                audit_chains: chains,
                ..base.clone()
            }));
            let mut l: Vec<Duration> = run
                .collected
                .records
                .iter()
                .filter(|r| r.at >= Duration::from_secs(5))
                .map(|r| r.latency)
                .collect();
            l.sort();
            let errors = run
                .collected
                .records
                .iter()
                .filter(|r| r.outcome != fleet::load::Outcome::Ok)
                .count();
            println!(
                "| {round} | {chains} | {} | {errors} | {:.1?} | {:.1?} | {:.1?} |",
                l.len(),
                figures::percentile(&l, 50.0),
                figures::percentile(&l, 95.0),
                figures::percentile(&l, 99.0),
            );
        }
    }
}
