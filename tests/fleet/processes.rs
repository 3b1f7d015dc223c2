//! The product's processes as an operator runs them: `kit-api` servers without a worker
//! (`KIT_WORKER=off`) and `kit-worker` processes, all on one database, each configured by
//! `KIT_*` variables alone and logging to a file of its own.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::harness::binary;

/// What every process shares.
#[derive(Clone, Debug)]
pub struct Shared {
    /// The database.
    pub database_url: String,
    /// The HS256 secret tokens are signed with.
    pub secret: String,
    /// The CPR key.
    pub cpr_key: String,
    /// The SMTP server the workers send to.
    pub smtp_url: String,
    /// Access-log hash chains (`KIT_AUDIT_CHAINS`).
    pub audit_chains: u16,
    /// Where logs go.
    pub dir: PathBuf,
}

/// One process, started again after it was killed.
pub struct Process {
    /// `api-0`, `worker-1`, …
    pub name: String,
    child: Option<Child>,
    command: Box<dyn Fn() -> Command + Send + Sync>,
    /// Where a server listens (`None` for a worker).
    pub port: Option<u16>,
}

impl Process {
    /// A `kit-api` server on `port`.
    #[must_use]
    pub fn api(shared: &Shared, index: usize, port: u16) -> Self {
        let shared = shared.clone();
        let name = format!("api-{index}");
        let log = shared.dir.join(format!("{name}.log"));
        Self {
            name,
            child: None,
            port: Some(port),
            command: Box::new(move || {
                let mut c = base("kit-api", &shared, &log);
                c.env("KIT_LISTEN", format!("127.0.0.1:{port}"))
                    .env("KIT_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
                    .env("KIT_WORKER", "off")
                    .env("KIT_DB_MAX_CONNECTIONS", "12")
                    .env("KIT_MAIL_DIR", shared.dir.join("mail"));
                c
            }),
        }
    }

    /// A `kit-worker`; its e-mails' links point at `public_url`.
    #[must_use]
    pub fn worker(shared: &Shared, index: usize, public_url: String) -> Self {
        let shared = shared.clone();
        let name = format!("worker-{index}");
        let log = shared.dir.join(format!("{name}.log"));
        Self {
            name,
            child: None,
            port: None,
            command: Box::new(move || {
                let mut c = base("kit-worker", &shared, &log);
                c.env("KIT_SMTP_URL", &shared.smtp_url)
                    .env("KIT_PUBLIC_URL", &public_url)
                    .env("KIT_DB_MAX_CONNECTIONS", "6")
                    .env("KIT_WORKER_POLL_MS", "100")
                    .env("KIT_WORKER_HEARTBEAT_SECS", "2")
                    .env("KIT_WORKER_CONCURRENCY", "4")
                    .env("KIT_MAIL_RETRY_SECS", "1")
                    .env("KIT_MAIL_TIMEOUT_SECS", "5");
                c
            }),
        }
    }

    /// Starts it and, for a server, waits until it answers `/readyz`.
    ///
    /// # Panics
    /// When it cannot start or is not ready within a minute.
    pub async fn start(&mut self) {
        let child = (self.command)()
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.name));
        self.child = Some(child);
        let Some(port) = self.port else { return };
        let http = reqwest::Client::new();
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = http
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("{} ended at start: {status}", self.name);
            }
            assert!(
                Instant::now() < until,
                "{} not ready in a minute",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills it with SIGKILL and reaps it.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Fails when it ended by itself.
    ///
    /// # Panics
    /// When it did.
    pub fn assert_running(&mut self) {
        if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
            panic!("{} ended by itself: {status}", self.name);
        }
    }
}

fn base(program: &str, shared: &Shared, log: &Path) -> Command {
    let mut c = Command::new(binary(program));
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", log.display()));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", log.display()));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(std::env::vars().filter(|(k, _)| k == "LD_PRELOAD" || k.starts_with("FAKETIME")))
        .env("KIT_CONFIG", "/nonexistent/kit.toml")
        .env("KIT_DATABASE_URL", &shared.database_url)
        .env("KIT_AUTH_HS256_SECRET", &shared.secret)
        .env(
            "KIT_AUTH_MAX_TOKEN_HOURS",
            crate::harness::TOKEN_HOURS.to_string(),
        )
        .env("KIT_CPR_KEY", &shared.cpr_key)
        .env("KIT_AUDIT_CHAINS", shared.audit_chains.to_string())
        // One load generator on 127.0.0.1 stands for a region's users behind a proxy.
        .env("KIT_RATE_LIMIT_PER_SECOND", "0")
        .env("KIT_LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            std::env::var("KIT_FLEET_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .kill_on_drop(true);
    c
}
