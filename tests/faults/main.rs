//! Several processes under load and faults, on PostgreSQL: three `kit-api` servers without a
//! worker and two `kit-worker` processes on a PostgreSQL server of the test's own, a
//! constant-rate mix of the users' work; one server and one worker killed with SIGKILL and
//! started again, then the database stopped for two seconds and started again (40 s at 40
//! requests a second). Nothing
//! committed is lost or done twice, errors come only during the faults and are retryable, and
//! p99 comes back within 10 s. (The benchmark `faults` runs the same at a region's peak ×10.)
//!
//! A test binary of its own: it runs alone, not beside the rest of the suite, whose load
//! would be in its figures. It runs where the suite runs on PostgreSQL
//! (`KIT_TEST_DATABASE_URL`), as `.ci/run` does; its database server is its own either way.

use std::time::Duration;

use kit_tests::fleet::{self, Options, figures};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_and_two_workers_survive_kills_and_a_database_restart_under_load() {
    let on_postgres =
        std::env::var(kit_tests::harness::DATABASE_ENV).is_ok_and(|u| u.starts_with("postgres"));
    if !on_postgres {
        eprintln!("runs with the suite on PostgreSQL (KIT_TEST_DATABASE_URL)");
        return;
    }
    let run = fleet::run(Options {
        rate: 40.0,
        length: Duration::from_secs(40),
        kill_at: Some(Duration::from_secs(10)),
        database_restart_at: Some((Duration::from_secs(20), Duration::from_secs(2))),
        cases: 6,
        ..Options::region_peak()
    })
    .await;
    let report = figures::report(&run);
    eprintln!("{report}");
    for c in &run.checks {
        assert!(c.passed, "{}: {}\n\n{report}", c.name, c.detail);
    }
    let base = figures::baseline(&run, Duration::from_secs(5));
    for (fault, after) in figures::recovery(&run, base) {
        assert!(
            after.is_some_and(|a| a <= Duration::from_secs(10)),
            "p99 not back within 10 s of {}: {after:?}\n\n{report}",
            fault.what
        );
    }
}
