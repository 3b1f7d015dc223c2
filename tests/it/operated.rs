//! The `kit-api` binary run as an operator runs it: its own process, configured by `KIT_*`
//! variables alone, on a fresh test database, with the first administrator created from the
//! command line. For the tests of what an operator's tools see (metrics, traces).

use std::time::{Duration, Instant};

use kit_tests::harness::{TestDatabase, binary};
use tokio::process::{Child, Command};

const SECRET: &str = "operated-test-secret-operated-test-secret";

pub use kit_tests::fleet::free_port;

/// Waits up to a minute for `ready`.
pub async fn wait_for(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(60);
    while !ready().await {
        assert!(
            Instant::now() < until,
            "{what} did not happen within a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A Debian tool the suite needs (`.ci/run` installs its package).
pub fn tool(name: &str, package: &str) -> std::path::PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{name} is missing: apt-get install {package}"))
}

/// A database and a directory for one `kit-api` set-up.
pub struct Operated {
    /// The database.
    pub database: TestDatabase,
    /// Where the process runs (its mail directory, the tools' files).
    pub dir: tempfile::TempDir,
    cpr_key: String,
}

/// A `kit-api` server process and where it listens.
pub struct Server {
    /// The process, killed when dropped.
    pub child: Child,
    /// Its GraphQL endpoint.
    pub graphql: String,
}

impl Operated {
    /// A fresh database and directory.
    pub async fn new() -> Self {
        Self {
            database: TestDatabase::create().await,
            dir: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
            cpr_key: kit_entity::cpr::vault::CprVault::generate_key(),
        }
    }

    /// `kit-api` with this set-up's variables and nothing else.
    pub fn command(&self) -> Command {
        let mut command = Command::new(binary("kit-api"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KIT_CONFIG", "/nonexistent/kit.toml")
            .env("KIT_DATABASE_URL", &self.database.url)
            .env("KIT_AUTH_HS256_SECRET", SECRET)
            .env("KIT_CPR_KEY", &self.cpr_key)
            .env("KIT_MAIL_DIR", self.dir.path().join("mail"))
            .env("RUST_LOG", "warn")
            .current_dir(self.dir.path())
            .kill_on_drop(true);
        command
    }

    /// Creates the first administrator with `kit-api create-admin` and returns their token.
    pub async fn admin_token(&self) -> String {
        let admin = self
            .command()
            .args(["create-admin", "--organization", "Syddjurs Kommune"])
            .args(["--name", "Anna Admin", "--email", "anna@syddjurs.dk"])
            .output()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            admin.status.success(),
            "{}",
            String::from_utf8_lossy(&admin.stderr)
        );
        String::from_utf8_lossy(&admin.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// Starts `kit-api` serving, adjusted by `adjust`, and waits until it is ready.
    pub async fn serve(&self, adjust: impl FnOnce(&mut Command)) -> Server {
        let listen = free_port();
        let mut command = self.command();
        command
            .env("KIT_LISTEN", format!("127.0.0.1:{listen}"))
            .env("KIT_PUBLIC_URL", format!("http://127.0.0.1:{listen}"));
        adjust(&mut command);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start kit-api: {e}"));
        let http = reqwest::Client::new();
        wait_for("kit-api serving", async || {
            http.get(format!("http://127.0.0.1:{listen}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        Server {
            child,
            graphql: format!("http://127.0.0.1:{listen}/graphql"),
        }
    }
}
