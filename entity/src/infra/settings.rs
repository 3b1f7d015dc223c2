//! Settings shared by `kit-api` and `kit-worker`: the database, logging, the public address,
//! mail, and the worker itself. Both binaries layer them the same way: defaults, then an
//! optional `kit.toml`, then `KIT_*` environment variables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::infra::telemetry::LogFormat;

/// A length of time in whole seconds from the settings, at least one: a `KIT_*_SECS` of 0 is
/// refused when the settings load, naming the variable, so no use needs to clamp it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Secs(std::num::NonZeroU64);

impl Secs {
    /// `n` seconds.
    ///
    /// # Panics
    /// For 0 (a constant in code, never a setting: settings are checked when they load).
    #[must_use]
    pub const fn new(n: u64) -> Self {
        match std::num::NonZeroU64::new(n) {
            Some(n) => Self(n),
            None => panic!("a duration in settings is at least one second"),
        }
    }

    /// The number of seconds.
    #[must_use]
    pub const fn get(self) -> u64 {
        self.0.get()
    }

    /// As a [`Duration`].
    #[must_use]
    pub const fn duration(self) -> Duration {
        Duration::from_secs(self.0.get())
    }

    /// As a [`chrono::TimeDelta`].
    #[must_use]
    pub fn time_delta(self) -> chrono::TimeDelta {
        chrono::TimeDelta::seconds(i64::try_from(self.0.get()).unwrap_or(i64::MAX))
    }
}

impl TryFrom<u64> for Secs {
    type Error = String;

    fn try_from(n: u64) -> Result<Self, Self::Error> {
        std::num::NonZeroU64::new(n)
            .map(Self)
            .ok_or_else(|| "must be at least 1 (second)".to_owned())
    }
}

impl From<Secs> for u64 {
    fn from(s: Secs) -> Self {
        s.get()
    }
}

/// The settings both binaries read. See the README for every `KIT_*` variable.
#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `KIT_DATABASE_URL`: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// `KIT_DB_MAX_CONNECTIONS`: size of this process's database pool.
    pub db_max_connections: u32,
    /// `KIT_DB_ACQUIRE_TIMEOUT_SECS`: how long work waits for a free database connection
    /// before it fails (UNAVAILABLE) instead of hanging.
    pub db_acquire_timeout_secs: Secs,
    /// `KIT_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `KIT_PUBLIC_URL`: where users reach the product; links in e-mails start with it.
    pub public_url: String,
    /// `KIT_WORKER`: run the worker inside `kit-api` (`on`, the default) or not (`off`, when
    /// separate `kit-worker` processes do the work).
    #[serde(with = "on_off")]
    pub worker: bool,
    /// `KIT_WORKER_POLL_MS`: how often an idle worker looks for new jobs.
    pub worker_poll_ms: u64,
    /// `KIT_WORKER_HEARTBEAT_SECS`: how often a worker reports that it is alive; jobs of a
    /// worker silent for two beats are handed to another.
    pub worker_heartbeat_secs: Secs,
    /// `KIT_WORKER_CONCURRENCY`: jobs one worker process runs at once, per queue.
    pub worker_concurrency: usize,
    /// `KIT_SMTP_URL`: `smtp://host:port`, `smtp://user:password@host?tls=required` or
    /// `smtps://…`. Unset: messages are written as `.eml` files into `KIT_MAIL_DIR`.
    pub smtp_url: Option<String>,
    /// `KIT_MAIL_FROM`: the sender of every message.
    pub mail_from: String,
    /// `KIT_MAIL_DIR`: where messages go when no SMTP server is configured.
    pub mail_dir: PathBuf,
    /// `KIT_MAIL_MAX_ATTEMPTS`: tries before a message is marked FAILED.
    pub mail_max_attempts: i32,
    /// `KIT_MAIL_RETRY_SECS`: the wait after the first failed try; it doubles with every
    /// further failure, up to an hour.
    pub mail_retry_secs: Secs,
    /// `KIT_MAIL_TIMEOUT_SECS`: how long one SMTP conversation may take.
    pub mail_timeout_secs: Secs,
    /// `KIT_DEADLINE_SWEEP_MS`: how often the worker looks for deadlines whose reminder,
    /// alert or escalation is due. It bounds the lag from due time to notification.
    pub deadline_sweep_ms: u64,
    /// `KIT_DEADLINE_BATCH`: deadlines one sweep claims per transaction; a full batch is
    /// followed at once by the next.
    pub deadline_batch: u64,
    /// `KIT_AUDIT_RETENTION_DAYS`: how long access-log rows are kept; older ones are pruned
    /// by the worker (checked every minute) or `kit-api audit prune` — on PostgreSQL as whole
    /// months, once all of a month is that old.
    pub audit_retention_days: u32,
    /// `KIT_AUDIT_CHAINS`: how many hash chains the access log's appends spread over on
    /// PostgreSQL, so that several processes append side by side (1 to 64; SQLite has one).
    pub audit_chains: u16,
    /// `KIT_METRICS_LISTEN`: the address to serve Prometheus metrics on (`/metrics`), apart
    /// from the public listener (`127.0.0.1:9464`); off when unset.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// `KIT_OTLP_ENDPOINT`: an OpenTelemetry collector's OTLP/HTTP base URL
    /// (`http://127.0.0.1:4318`); traces go to its `/v1/traces`. Off when unset.
    pub otlp_endpoint: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/kit.db?mode=rwc".to_owned(),
            db_max_connections: 10,
            db_acquire_timeout_secs: Secs::new(5),
            log_format: LogFormat::Text,
            public_url: "http://127.0.0.1:8080".to_owned(),
            worker: true,
            worker_poll_ms: 1000,
            worker_heartbeat_secs: Secs::new(10),
            worker_concurrency: 4,
            smtp_url: None,
            mail_from: "KIT <kit@localhost>".to_owned(),
            mail_dir: PathBuf::from("data/mail"),
            mail_max_attempts: 8,
            mail_retry_secs: Secs::new(30),
            mail_timeout_secs: Secs::new(30),
            deadline_sweep_ms: 1000,
            deadline_batch: 500,
            audit_retention_days: 1826,
            audit_chains: 8,
            metrics_listen: None,
            otlp_endpoint: None,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("worker", &self.worker)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// True when the database is a SQLite file.
    #[must_use]
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The directory holding the SQLite file; `None` for PostgreSQL or in-memory SQLite.
    #[must_use]
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let path = rest.trim_start_matches("//").split('?').next()?;
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        Path::new(path).parent().map(Path::to_path_buf)
    }

    /// The idle polling interval.
    #[must_use]
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.worker_poll_ms.max(10))
    }

    /// The interval between deadline sweeps.
    #[must_use]
    pub fn deadline_sweep_interval(&self) -> Duration {
        Duration::from_millis(self.deadline_sweep_ms.max(10))
    }

    /// The wait before try number `attempt + 1` after `attempt` failures (1-based).
    #[must_use]
    pub fn retry_delay(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(0);
        self.mail_retry_secs
            .duration()
            .saturating_mul(2_u32.saturating_pow(doublings))
            .min(Duration::from_secs(3600))
    }
}

mod on_off {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *value { "on" } else { "off" })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Flag {
            Bool(bool),
            Text(String),
        }
        match Flag::deserialize(d)? {
            Flag::Bool(b) => Ok(b),
            Flag::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "on" | "true" | "1" | "yes" => Ok(true),
                "off" | "false" | "0" | "no" => Ok(false),
                other => Err(serde::de::Error::custom(format!(
                    "expected on or off, got {other:?}"
                ))),
            },
        }
    }
}

/// A database or SMTP URL with any password replaced, for logs.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:<redacted>{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Loads `T`: its defaults, then `file` if it exists, then `KIT_*` variables.
///
/// # Errors
/// When the file or a variable holds a value of the wrong type.
pub fn load<T: Serialize + DeserializeOwned + Default>(
    file: &Path,
) -> Result<T, Box<figment::Error>> {
    Figment::from(Serialized::defaults(T::default()))
        .merge(Toml::file(file))
        .merge(Env::prefixed("KIT_").ignore(&["config"]))
        .extract()
        .map_err(Box::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        let s = Settings {
            mail_retry_secs: Secs::new(30),
            ..Settings::default()
        };
        assert_eq!(s.retry_delay(1), Duration::from_secs(30));
        assert_eq!(s.retry_delay(2), Duration::from_secs(60));
        assert_eq!(s.retry_delay(3), Duration::from_secs(120));
        assert_eq!(s.retry_delay(20), Duration::from_secs(3600));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closure type is figment's choice
    fn the_worker_switch_reads_on_and_off() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KIT_WORKER", "off");
            jail.set_env("KIT_SMTP_URL", "smtp://mail.kommune.example:25");
            let s: Settings = load(Path::new("absent.toml")).map_err(|e| e.to_string())?;
            assert!(!s.worker);
            assert_eq!(
                s.smtp_url.as_deref(),
                Some("smtp://mail.kommune.example:25")
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closure type is figment's choice
    fn a_duration_of_zero_seconds_is_refused_naming_the_variable() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KIT_MAIL_TIMEOUT_SECS", "0");
            let refused = load::<Settings>(Path::new("absent.toml"))
                .err()
                .map(|e| e.to_string())
                .ok_or("a timeout of 0 s was taken")?;
            assert!(refused.contains("MAIL_TIMEOUT_SECS"), "{refused}");
            assert!(refused.contains("at least 1"), "{refused}");
            jail.set_env("KIT_MAIL_TIMEOUT_SECS", "7");
            let s: Settings = load(Path::new("absent.toml")).map_err(|e| e.to_string())?;
            assert_eq!(s.mail_timeout_secs.duration(), Duration::from_secs(7));
            Ok(())
        });
    }

    #[test]
    fn passwords_never_reach_the_log() {
        let s = Settings {
            database_url: "postgres://kit:s3cret@db/kit".into(),
            smtp_url: Some("smtps://kit:hunter2@mail.example".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
