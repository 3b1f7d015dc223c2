//! Configuration: product defaults, then an optional `kit.toml`, then `KIT_*` environment
//! variables, each layer overriding the one before.
//!
//! The defaults are the embedded set-up: a SQLite file under `./data/`, listening on
//! `127.0.0.1:8080`, with a locally generated token secret. Secrets are never logged: `Debug`
//! redacts them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every setting of the server. See the README for each `KIT_*` variable.
#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// `KIT_DATABASE_URL`: `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// `KIT_LISTEN`: the address the HTTP server binds.
    pub listen: SocketAddr,
    /// `KIT_PUBLIC_URL`: the URL users reach the product at; used in links.
    pub public_url: String,
    /// `KIT_AUTH_HS256_SECRET`: secret for locally signed HS256 tokens.
    pub auth_hs256_secret: Option<String>,
    /// `KIT_AUTH_JWKS_URL`: an identity provider's JWKS URL; enables RS256 tokens.
    pub auth_jwks_url: Option<String>,
    /// `KIT_AUTH_ISSUER`: when set, tokens must carry this `iss`.
    pub auth_issuer: Option<String>,
    /// `KIT_AUTH_AUDIENCE`: when set, tokens must carry this `aud`.
    pub auth_audience: Option<String>,
    /// `KIT_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `KIT_DB_MAX_CONNECTIONS`: size of the database connection pool.
    pub db_max_connections: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/kit.db?mode=rwc".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".to_owned(),
            auth_hs256_secret: None,
            auth_jwks_url: None,
            auth_issuer: None,
            auth_audience: None,
            log_format: LogFormat::Text,
            db_max_connections: 10,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field(
                "auth_hs256_secret",
                &self.auth_hs256_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_jwks_url", &self.auth_jwks_url)
            .field("auth_issuer", &self.auth_issuer)
            .field("auth_audience", &self.auth_audience)
            .field("log_format", &self.log_format)
            .field("db_max_connections", &self.db_max_connections)
            .finish()
    }
}

/// A database URL with any password replaced, for logs.
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

impl Config {
    /// Loads defaults, then `file` if it exists, then `KIT_*` variables.
    ///
    /// # Errors
    /// When the file or a variable holds a value of the wrong type.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Self::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("KIT_").ignore(&["config"]))
            .extract()
            .map_err(Box::new)
    }

    /// True when the database is a SQLite file.
    #[must_use]
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The directory holding the SQLite file, created on start; `None` for PostgreSQL or an
    /// in-memory database.
    #[must_use]
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let path = rest.trim_start_matches("//").split('?').next()?;
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        Path::new(path).parent().map(Path::to_path_buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://kit:s3cret@db.example/kit"),
            "postgres://kit:<redacted>@db.example/kit"
        );
        assert_eq!(redact_url("postgres://kit@db/kit"), "postgres://kit@db/kit");
        let config = Config {
            auth_hs256_secret: Some("topsecret".into()),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("topsecret"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closure type is figment's choice
    fn layers_defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "kit.toml",
                r#"
                    listen = "0.0.0.0:9000"
                    public_url = "https://kit.kommune.example"
                    log_format = "json"
                "#,
            )?;
            jail.set_env("KIT_LISTEN", "127.0.0.1:9100");
            jail.set_env("KIT_AUTH_JWKS_URL", "https://login.example/jwks.json");
            let config = Config::load(Path::new("kit.toml")).map_err(|e| e.to_string())?;
            assert_eq!(
                config.listen,
                SocketAddr::from(([127, 0, 0, 1], 9100)),
                "env beats file"
            );
            assert_eq!(
                config.public_url, "https://kit.kommune.example",
                "file beats default"
            );
            assert_eq!(config.log_format, LogFormat::Json);
            assert_eq!(
                config.auth_jwks_url.as_deref(),
                Some("https://login.example/jwks.json")
            );
            assert_eq!(
                config.database_url, "sqlite://data/kit.db?mode=rwc",
                "default"
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's closure type is figment's choice
    fn a_missing_file_is_fine_and_a_bad_value_is_an_error() {
        figment::Jail::expect_with(|jail| {
            assert!(Config::load(Path::new("absent.toml")).is_ok());
            jail.set_env("KIT_LISTEN", "not an address");
            assert!(Config::load(Path::new("absent.toml")).is_err());
            Ok(())
        });
    }

    #[test]
    fn sqlite_dir_follows_the_url() {
        let c = Config::default();
        assert_eq!(c.sqlite_dir(), Some(PathBuf::from("data")));
        let pg = Config {
            database_url: "postgres://localhost/test".into(),
            ..Config::default()
        };
        assert_eq!(pg.sqlite_dir(), None);
    }
}
