//! Starting the application and speaking GraphQL to it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use kit_api::config::Settings;
use kit_api::{App, AppState, Config};
use kit_entity::{Clock, ManualClock};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

/// The environment variable naming a PostgreSQL server to test against. (Set `KIT_TEST_LOG`
/// to see the application's logs, filtered by `RUST_LOG`.)
pub const DATABASE_ENV: &str = "KIT_TEST_DATABASE_URL";

/// A fresh database for one test, removed when dropped.
pub struct TestDatabase {
    /// The URL the application connects to.
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates a fresh, empty database.
    ///
    /// # Panics
    /// When the test database server cannot be reached.
    pub async fn create() -> Self {
        Self::create_at(&std::env::var(DATABASE_ENV).unwrap_or_default()).await
    }

    /// Creates a fresh database on the PostgreSQL server `admin_url`, or a SQLite file when
    /// `admin_url` is not a PostgreSQL URL.
    ///
    /// # Panics
    /// When the database server cannot be reached.
    pub async fn create_at(admin_url: &str) -> Self {
        match admin_url.to_owned() {
            admin_url if admin_url.starts_with("postgres") => {
                let name = format!("kit_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach {admin_url}: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                Self {
                    url: format!("{base}/{name}"),
                    postgres: Some((admin_url.clone(), name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
                let url = format!("sqlite://{}/kit.db?mode=rwc", dir.path().display());
                Self {
                    url,
                    postgres: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// True on PostgreSQL.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop on a thread of its own: this may run inside a runtime that is shutting down.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Fails the test when `response` does not hold to the schema's types for the operation in
/// `sent` (a missing key, a null where the schema promises a value): every answer of the suite
/// is checked ([`crate::conformance`]).
///
/// # Panics
/// On the first response that does not conform.
pub fn conform(sent: &Value, response: &Value) {
    let Some(query) = sent["query"].as_str() else {
        return;
    };
    let problems = crate::conformance::problems(
        query,
        sent["operationName"].as_str(),
        &sent["variables"],
        response,
    );
    assert!(
        problems.is_empty(),
        "the response does not hold to the schema:\n  {}\nquery: {query}\nresponse: {response:#}",
        problems.join("\n  ")
    );
}

/// The longest a test's token may live, in hours of the application's clock: longer than
/// any test moves it.
pub const TOKEN_HOURS: u32 = 24 * 800;

/// What [`TestApp::token`] and the test world's tokens live for.
pub const TOKEN_LIFETIME: TimeDelta = TimeDelta::hours(TOKEN_HOURS as i64);

/// The instant test clocks start at: Monday 23 November 2026, 09:00 in Copenhagen.
#[must_use]
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A running application.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (database, clock, authenticator).
    pub state: AppState,
    /// Its clock; move it instead of sleeping.
    pub clock: Arc<ManualClock>,
    /// How many SQL statements the application's pool has run.
    pub statements: Arc<AtomicUsize>,
    /// The SQL of the statements counted since the last reset.
    pub statement_log: Arc<std::sync::Mutex<Vec<String>>>,
    /// The statements themselves, with their values, when [`TestApp::record_statements`]
    /// is on (to explain their plans).
    pub statements_run: Arc<std::sync::Mutex<Option<Vec<sea_orm::Statement>>>>,
    http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The database; dropped (and on PostgreSQL removed) with the app.
    pub database: TestDatabase,
}

/// Reading a field of a GraphQL answer that must be there: a missing or mistyped field fails
/// the test with the value found, instead of reading as an empty default.
pub trait Field {
    /// The string value.
    ///
    /// # Panics
    /// When the value is not a string.
    fn str(&self) -> &str;
    /// The numeric value.
    ///
    /// # Panics
    /// When the value is not a number.
    fn f64(&self) -> f64;
    /// The integer value.
    ///
    /// # Panics
    /// When the value is not an integer.
    fn i64(&self) -> i64;
    /// The elements of a list.
    ///
    /// # Panics
    /// When the value is not a list.
    fn items(&self) -> &[Value];
}

impl Field for Value {
    fn str(&self) -> &str {
        self.as_str()
            .unwrap_or_else(|| panic!("expected a string, found {self}"))
    }

    fn f64(&self) -> f64 {
        self.as_f64()
            .unwrap_or_else(|| panic!("expected a number, found {self}"))
    }

    fn i64(&self) -> i64 {
        self.as_i64()
            .unwrap_or_else(|| panic!("expected an integer, found {self}"))
    }

    fn items(&self) -> &[Value] {
        self.as_array()
            .unwrap_or_else(|| panic!("expected a list, found {self}"))
    }
}

/// A GraphQL response.
#[derive(Debug, Clone)]
pub struct Gql {
    /// The HTTP status.
    pub status: u16,
    /// The whole body.
    pub body: Value,
}

impl Gql {
    /// `data`, asserting that there are no errors.
    ///
    /// # Panics
    /// When the response holds errors.
    #[must_use]
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            serde_json::to_string_pretty(&self.body).unwrap_or_default()
        );
        &self.body["data"]
    }

    /// The first error's `extensions.code`.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    /// Asserts that the value at `pointer` (a JSON pointer into the response, `/data/case/child`)
    /// is withheld: null, or under a null, with no error at all — an honest null a screen
    /// renders, not a failure that throws the rest away.
    ///
    /// # Panics
    /// When the response holds errors or a value there.
    pub fn assert_withheld(&self, pointer: &str) {
        assert!(
            self.body.get("errors").is_none(),
            "a withheld value is no error: {}",
            self.body
        );
        let mut at = &self.body;
        for key in pointer.trim_start_matches('/').split('/') {
            if at.is_null() {
                return;
            }
            at = match at.as_array() {
                Some(items) => items
                    .get(key.parse::<usize>().unwrap_or(usize::MAX))
                    .unwrap_or(&Value::Null),
                None => at
                    .get(key)
                    .unwrap_or_else(|| panic!("{pointer}: no key {key} in {}", self.body)),
            };
        }
        assert!(at.is_null(), "{pointer} is not withheld: {}", self.body);
    }

    /// The first error's `extensions.field`.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }

    /// The first error's message.
    #[must_use]
    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].str()
    }

    /// Asserts the first error has `code` (and `field`, if given).
    ///
    /// # Panics
    /// When it does not.
    pub fn assert_error(&self, code: &str, field: Option<&str>) {
        assert_eq!(self.code(), Some(code), "body: {}", self.body);
        if let Some(field) = field {
            assert_eq!(self.field(), Some(field), "body: {}", self.body);
        }
    }
}

impl TestApp {
    /// Starts the application on a fresh database.
    ///
    /// # Panics
    /// When it cannot start.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the application with a configuration adjusted by `adjust`.
    ///
    /// # Panics
    /// When it cannot start.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::create().await;
        let url = database.url.clone();
        Self::spawn_in(database, &url, adjust).await
    }

    /// Starts the application on `database`, reached at `url` (through a proxy, say).
    ///
    /// # Panics
    /// When it cannot start.
    pub async fn spawn_on(
        url: &str,
        database: TestDatabase,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        Self::spawn_in(database, url, adjust).await
    }

    async fn spawn_in(database: TestDatabase, url: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        if std::env::var_os("KIT_TEST_LOG").is_some() {
            kit_api::telemetry::init(kit_api::config::LogFormat::Text);
        }
        let mut config = Config {
            settings: Settings {
                database_url: url.to_owned(),
                worker: false,
                worker_poll_ms: 50,
                mail_retry_secs: kit_entity::infra::settings::Secs::new(1),
                ..Settings::default()
            },
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth_hs256_secret: Some("test-secret-that-is-long-enough-for-hs256".into()),
            // Every test client is 127.0.0.1: the rate limit is tested where it is meant to.
            rate_limit_per_second: 0,
            // Tests move the clock by months and keep their tokens; token lifetimes are
            // tested where they are meant to (`it::auth`).
            auth_max_token_hours: TOKEN_HOURS,
            // A SQLite test keeps its generated key beside its database file; PostgreSQL has
            // no such place, so each test database gets a key of its own.
            cpr_key: url
                .starts_with("postgres")
                .then(kit_entity::cpr::vault::CprVault::generate_key),
            ..Config::default()
        };
        adjust(&mut config);
        let mut db = kit_api::db::connect(&config.settings)
            .await
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", database.url));
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&statements);
        let statement_log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = Arc::clone(&statement_log);
        let statements_run = Arc::new(std::sync::Mutex::new(None::<Vec<sea_orm::Statement>>));
        let recorded = Arc::clone(&statements_run);
        db.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut log) = log.lock() {
                log.push(info.statement.sql.clone());
            }
            if let Ok(mut recorded) = recorded.lock()
                && let Some(recorded) = recorded.as_mut()
            {
                recorded.push(info.statement.clone());
            }
        });
        let clock = Arc::new(ManualClock::new(monday_morning()));
        let app = App::start(db, config, clock.clone())
            .await
            .unwrap_or_else(|e| panic!("cannot start: {e:#}"))
            .start_worker()
            .await
            .unwrap_or_else(|e| panic!("cannot start the worker: {e:#}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no address: {e}"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = app.state.clone();
        tokio::spawn(app.serve(listener, async {
            let _ = rx.await;
        }));
        Self {
            addr,
            state,
            clock,
            statements,
            statement_log,
            statements_run,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            database,
        }
    }

    /// The database pool.
    #[must_use]
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The base URL.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A local token for `subject`, issued now by the application's clock and valid for
    /// [`TOKEN_LIFETIME`] of it (tests move the clock by months).
    ///
    /// # Panics
    /// When local tokens are disabled.
    #[must_use]
    pub fn token(&self, subject: &str) -> String {
        self.state
            .auth
            .issue_local(subject, self.clock.now(), TOKEN_LIFETIME)
            .unwrap_or_else(|e| panic!("cannot issue a token: {e}"))
    }

    /// Runs a GraphQL operation as the holder of `token`.
    ///
    /// # Panics
    /// When the server cannot be reached or answers with something that is not JSON.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Gql {
        self.post(
            Some(token),
            &json!({ "query": query, "variables": variables }),
        )
        .await
    }

    /// Posts a raw body to `/graphql`.
    ///
    /// # Panics
    /// When the server cannot be reached or answers with something that is not JSON.
    pub async fn post(&self, token: Option<&str>, sent: &Value) -> Gql {
        let mut request = self.http.post(self.url("/graphql")).json(sent);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = response.status().as_u16();
        let body = response
            .json::<Value>()
            .await
            .unwrap_or_else(|e| panic!("not JSON: {e}"));
        conform(sent, &body);
        Gql { status, body }
    }

    /// Runs a GraphQL operation with one file, as a GraphQL multipart request: the file is
    /// the variable at `path` (`input.attachment`).
    ///
    /// # Panics
    /// When the server cannot be reached or answers with something that is not JSON.
    pub async fn upload(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        path: &str,
        file: (&str, Vec<u8>),
    ) -> Gql {
        let operations = json!({ "query": query, "variables": variables });
        let map = json!({ "0": [format!("variables.{path}")] });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", map.to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned()),
            );
        let response = self
            .http
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = response.status().as_u16();
        let body = response
            .json::<Value>()
            .await
            .unwrap_or_else(|e| panic!("not JSON: {e}"));
        Gql { status, body }
    }

    /// A plain GET.
    ///
    /// # Panics
    /// When the server cannot be reached.
    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_accepting(path, "*/*").await
    }

    /// `GET path` as a browser asking for `accept` (`text/html` for a page).
    ///
    /// # Panics
    /// When the server cannot be reached.
    pub async fn get_accepting(&self, path: &str, accept: &str) -> (u16, String) {
        let response = self
            .http
            .get(self.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = response.status().as_u16();
        (
            status,
            response
                .text()
                .await
                .unwrap_or_else(|e| panic!("no body: {e}")),
        )
    }

    /// The statements (with their values) the application ran while `f` ran.
    pub async fn record_statements<F: std::future::Future>(
        &self,
        f: F,
    ) -> (Vec<sea_orm::Statement>, F::Output) {
        if let Ok(mut recorded) = self.statements_run.lock() {
            *recorded = Some(Vec::new());
        }
        let out = f.await;
        let recorded = self
            .statements_run
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .unwrap_or_default();
        (recorded, out)
    }

    /// Resets the statement counter and returns the count after `f` ran.
    pub async fn count_statements<F: std::future::Future>(&self, f: F) -> (usize, F::Output) {
        // Counted from a cold start: the caller is looked up as on their first request (on
        // PostgreSQL the server keeps the professionals behind recent tokens).
        self.state.principals.forget_all();
        self.statements.store(0, Ordering::SeqCst);
        if let Ok(mut log) = self.statement_log.lock() {
            log.clear();
        }
        let out = f.await;
        (self.statements.load(Ordering::SeqCst), out)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The database key inside a global id.
///
/// # Panics
/// When `global` is not a global id.
#[must_use]
pub fn key_of(global: &str) -> i64 {
    kit_api::graphql::ids::split(global)
        .map(|(_, key)| key)
        .unwrap_or_else(|| panic!("{global} is not a global id"))
}

/// How long a test waits for something the application does in the background — the
/// worker, a server process, a message on its way — before it calls it hung. A guard against
/// hangs, never a speed limit: on a quiet machine everything arrives within a second or two,
/// and a loaded machine may take many times longer without failing a test.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// Polls `check` every 50 ms until it yields a value or `timeout` passes. For waiting on the
/// worker, never on the clock: tests move the clock themselves.
///
/// # Panics
/// When `timeout` passes first; the message says what was awaited.
pub async fn eventually<T, F, Fut>(what: &str, timeout: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The path of the workspace's binary `name` (`kit-api`, `kit-worker`), built beside the test
/// binaries.
///
/// # Panics
/// When it has not been built.
#[must_use]
pub fn binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap_or_else(|| panic!("no target dir"));
    let binary = dir.join(name);
    assert!(
        binary.exists(),
        "{} is missing: run `cargo test --workspace`, which builds it",
        binary.display()
    );
    binary
}
