//! The `kit-worker` binary as an operator runs it: it starts on a fresh database, migrates
//! it, and stops cleanly on SIGTERM.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// How long the test waits for the process before calling it hung: a guard against hangs,
/// never a speed limit (a loaded machine may be many times slower than a quiet one).
const PATIENCE: Duration = Duration::from_secs(300);

#[tokio::test]
async fn starts_on_a_fresh_database_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut worker = Command::new(env!("CARGO_BIN_EXE_kit-worker"))
        .current_dir(dir.path())
        .env_clear()
        .env(
            "KIT_DATABASE_URL",
            format!("sqlite://{}/kit.db?mode=rwc", dir.path().display()),
        )
        .env("KIT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = worker.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    tokio::time::timeout(PATIENCE, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("worker started") {
                return;
            }
        }
        panic!("kit-worker ended without starting");
    })
    .await
    .unwrap_or_else(|_| panic!("kit-worker did not start"));
    assert!(
        dir.path().join("kit.db").exists(),
        "it created and migrated the database"
    );
    let pid = worker.id().unwrap_or_else(|| panic!("no pid")).to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let status = tokio::time::timeout(PATIENCE, worker.wait())
        .await
        .unwrap_or_else(|_| panic!("kit-worker did not stop"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "{status:?}");
}
