//! Configuration: product defaults, then an optional `kit.toml`, then `KIT_*` environment
//! variables, each layer overriding the one before.
//!
//! The defaults are the embedded set-up: a SQLite file under `./data/`, listening on
//! `127.0.0.1:8080`, with a locally generated token secret. Secrets are never logged: `Debug`
//! redacts them.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, bail};
use kit_entity::cpr::vault::{CprVault, MasterKey};
use kit_entity::infra::settings::Secs;
use serde::{Deserialize, Serialize};

pub use kit_entity::infra::settings::{Settings, redact_url};
pub use kit_entity::infra::telemetry::LogFormat;

/// Every setting of the API server: the settings it shares with `kit-worker` (database,
/// logging, public address, mail, worker) and its own. See the README for each `KIT_*`
/// variable.
#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Settings shared with `kit-worker`.
    #[serde(flatten)]
    pub settings: Settings,
    /// `KIT_LISTEN`: the address the HTTP server binds.
    pub listen: SocketAddr,
    /// `KIT_AUTH_HS256_SECRET`: secret for locally signed HS256 tokens.
    pub auth_hs256_secret: Option<String>,
    /// `KIT_AUTH_JWKS_URL`: an identity provider's JWKS URL; enables RS256 tokens.
    pub auth_jwks_url: Option<String>,
    /// `KIT_AUTH_ISSUER`: when set, tokens must carry this `iss`.
    pub auth_issuer: Option<String>,
    /// `KIT_AUTH_AUDIENCE`: when set, tokens must carry this `aud`.
    pub auth_audience: Option<String>,
    /// `KIT_ITIP_SECRET`: the bearer secret a mail gateway presents to post iTIP replies to
    /// `/calendar/reply`; the endpoint is off while unset.
    pub itip_secret: Option<String>,
    /// `KIT_AUTH_MAX_TOKEN_HOURS`: the longest a token may live, from its `iat` (or from now,
    /// without one) to its `exp`; longer-lived tokens are refused.
    pub auth_max_token_hours: u32,
    /// `KIT_AUTH_CACHE_SECS`: how long a checked token is remembered (its expiry is still
    /// checked on every request), and how long a professional found behind a token is kept
    /// for the next requests, on PostgreSQL, where every change to professionals and units is
    /// heard and forgets them at once (see `principals`); 0 checks the token and looks the
    /// professional up on every request.
    pub auth_cache_secs: u64,
    /// `KIT_WS_INIT_TIMEOUT_SECS`: how long a subscription connection may wait before sending
    /// `connection_init`; then it is closed with 4408.
    pub ws_init_timeout_secs: Secs,
    /// `KIT_WS_RECHECK_SECS`: how often an open subscription connection checks that its
    /// professional is still active (and closes with 4403 when not).
    pub ws_recheck_secs: Secs,
    /// `KIT_CORS_ORIGINS`: the origins of browser apps allowed to call the API from another
    /// origin, comma-separated (`https://kit.kommune.dk,http://localhost:5173`); none by
    /// default.
    pub cors_origins: Option<String>,
    /// `KIT_CORS_MAX_AGE_SECS`: how long a browser may keep a preflight's answer.
    pub cors_max_age_secs: u64,
    /// `KIT_TRUSTED_DOCUMENTS`: a manifest of the registered operations (hash → document);
    /// when set, nothing else runs (see `graphql::persisted`).
    pub trusted_documents: Option<String>,
    /// `KIT_MAX_QUERY_COST`: the most an operation may cost (see `graphql::cost`).
    pub max_query_cost: u64,
    /// `KIT_MAX_ALIASES`: the most aliased fields an operation may hold.
    pub max_aliases: usize,
    /// `KIT_QUERY_TIMEOUT_SECS`: the longest a query or a subscription's event may run; then
    /// it ends with `TIMEOUT`. Mutations are not cut short: their one transaction commits or
    /// rolls back whole, and a client is never told a committed change failed.
    pub query_timeout_secs: Secs,
    /// `KIT_HTTP_HEADER_TIMEOUT_SECS`: how long a client may take to send a request's headers
    /// (also while a kept-alive connection waits for its next request).
    pub http_header_timeout_secs: Secs,
    /// `KIT_HTTP_BODY_TIMEOUT_SECS`: how long a client may take to send a request's body;
    /// then HTTP 408.
    pub http_body_timeout_secs: Secs,
    /// `KIT_RATE_LIMIT_PER_SECOND`: requests per second one client may send, sustained; 0
    /// turns the rate limit off.
    pub rate_limit_per_second: u32,
    /// `KIT_RATE_LIMIT_BURST`: requests one client may send at once before the sustained rate
    /// applies.
    pub rate_limit_burst: u32,
    /// `KIT_TRUST_FORWARDED_FOR`: behind a reverse proxy, the client is the last address of
    /// `X-Forwarded-For` rather than the connection's peer.
    pub trust_forwarded_for: bool,
    /// `KIT_MAX_IN_FLIGHT`: GraphQL requests this process works on at once; more are refused
    /// at once with 503 `OVERLOADED` and `Retry-After`, before any work.
    pub max_in_flight: usize,
    /// `KIT_ENV`: `development` (the default) or `production`, which refuses to start without
    /// the secrets an embedded set-up generates for itself (`KIT_CPR_KEY`).
    pub env: Environment,
    /// `KIT_CPR_KEY`: the master key CPR numbers are encrypted and found with, base64 of 32
    /// bytes (`kit-api cpr new-key` prints one). Unset: a SQLite set-up keeps a generated key
    /// in `cpr.key` beside the database file.
    pub cpr_key: Option<String>,
    /// `KIT_DOCUMENT_MAX_BYTES`: the largest attachment a shared document may carry.
    pub document_max_bytes: usize,
    /// `KIT_CPR_OLD_KEYS`: keys rotated out, comma-separated: numbers sealed under them still
    /// open until `kit-api cpr rotate` has re-sealed them under `KIT_CPR_KEY`.
    pub cpr_old_keys: Option<String>,
}

/// Where the product runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// A developer's machine or a trial: missing secrets are generated and kept locally.
    #[default]
    Development,
    /// Production: every secret must be configured.
    Production,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            auth_hs256_secret: None,
            auth_jwks_url: None,
            auth_issuer: None,
            auth_audience: None,
            itip_secret: None,
            auth_max_token_hours: 24,
            auth_cache_secs: 60,
            ws_init_timeout_secs: Secs::new(10),
            ws_recheck_secs: Secs::new(10),
            max_query_cost: 50_000,
            max_aliases: 50,
            query_timeout_secs: Secs::new(15),
            http_header_timeout_secs: Secs::new(10),
            http_body_timeout_secs: Secs::new(30),
            rate_limit_per_second: 50,
            rate_limit_burst: 200,
            trust_forwarded_for: false,
            max_in_flight: 64,
            cors_origins: None,
            cors_max_age_secs: 600,
            trusted_documents: None,
            env: Environment::Development,
            cpr_key: None,
            cpr_old_keys: None,
            document_max_bytes: 10 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("settings", &self.settings)
            .field("listen", &self.listen)
            .field(
                "auth_hs256_secret",
                &self.auth_hs256_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_jwks_url", &self.auth_jwks_url)
            .field("auth_issuer", &self.auth_issuer)
            .field("auth_audience", &self.auth_audience)
            .field(
                "itip_secret",
                &self.itip_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_max_token_hours", &self.auth_max_token_hours)
            .field("auth_cache_secs", &self.auth_cache_secs)
            .field("ws_init_timeout_secs", &self.ws_init_timeout_secs)
            .field("ws_recheck_secs", &self.ws_recheck_secs)
            .field("max_query_cost", &self.max_query_cost)
            .field("max_aliases", &self.max_aliases)
            .field("query_timeout_secs", &self.query_timeout_secs)
            .field("http_header_timeout_secs", &self.http_header_timeout_secs)
            .field("http_body_timeout_secs", &self.http_body_timeout_secs)
            .field("rate_limit_per_second", &self.rate_limit_per_second)
            .field("rate_limit_burst", &self.rate_limit_burst)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("max_in_flight", &self.max_in_flight)
            .field("cors_origins", &self.cors_origins)
            .field("cors_max_age_secs", &self.cors_max_age_secs)
            .field("trusted_documents", &self.trusted_documents)
            .field("env", &self.env)
            .field("document_max_bytes", &self.document_max_bytes)
            .field("cpr_key", &self.cpr_key.as_ref().map(|_| "<redacted>"))
            .field(
                "cpr_old_keys",
                &self.cpr_old_keys.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Config {
    /// The origins of `KIT_CORS_ORIGINS`, each an origin as browsers send it
    /// (`scheme://host[:port]`, no path, no trailing slash).
    ///
    /// # Errors
    /// An entry that is not such an origin, named.
    pub fn cors_origins(&self) -> Result<Vec<String>, String> {
        self.cors_origins
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|origin| {
                let parsed = url::Url::parse(origin)
                    .map_err(|e| format!("KIT_CORS_ORIGINS: {origin} is not an origin: {e}"))?;
                let canonical = parsed.origin().ascii_serialization();
                if !matches!(parsed.scheme(), "http" | "https") || canonical != origin {
                    return Err(format!(
                        "KIT_CORS_ORIGINS: {origin} is not an origin as browsers send it \
                         (scheme://host[:port], without a path or a trailing slash)"
                    ));
                }
                Ok(canonical)
            })
            .collect()
    }

    /// [`Self::cors_origins`] as header values; entries that are not origins are left out
    /// (start-up refuses them first: [`Self::cors_origins`]).
    #[must_use]
    pub fn cors_origin_values(&self) -> Vec<axum::http::HeaderValue> {
        self.cors_origins()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| axum::http::HeaderValue::from_str(&o).ok())
            .collect()
    }

    /// Loads defaults, then `file` if it exists, then `KIT_*` variables.
    ///
    /// # Errors
    /// When the file or a variable holds a value of the wrong type.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        kit_entity::infra::settings::load(file)
    }
}

/// The name of the generated key file beside a SQLite database.
pub const CPR_KEY_FILE: &str = "cpr.key";

/// The vault of `config`: `KIT_CPR_KEY` and `KIT_CPR_OLD_KEYS`; without a key, in development
/// on a SQLite file, the key in `cpr.key` beside it, generated on first start.
///
/// # Errors
/// A malformed key; no key in production, or on a database with no directory to keep one in.
pub fn cpr_vault(config: &Config) -> anyhow::Result<CprVault> {
    let old: Vec<MasterKey> = config
        .cpr_old_keys
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|k| !k.trim().is_empty())
        .map(|k| CprVault::parse_key("KIT_CPR_OLD_KEYS", k))
        .collect::<Result<_, _>>()
        .context("KIT_CPR_OLD_KEYS: each key must be base64 of 32 bytes")?;
    if let Some(key) = &config.cpr_key {
        let key = CprVault::parse_key("KIT_CPR_KEY", key)
            .context("KIT_CPR_KEY must be base64 of 32 bytes")?;
        return Ok(CprVault::new(&key, &old));
    }
    if config.env == Environment::Production {
        bail!(
            "KIT_ENV=production requires KIT_CPR_KEY: the key CPR numbers are encrypted with \
             (`kit-api cpr new-key` prints a new one; keep it apart from the database's backups)"
        );
    }
    let Some(dir) = config.settings.sqlite_dir() else {
        bail!(
            "set KIT_CPR_KEY (`kit-api cpr new-key` prints one): only a SQLite file keeps a \
             generated key beside it"
        );
    };
    let key = key_beside(&dir)?;
    Ok(CprVault::new(&key, &old))
}

/// Reads `cpr.key` in `dir`, creating it (readable by its owner only) with a new key first.
fn key_beside(dir: &Path) -> anyhow::Result<MasterKey> {
    let path = dir.join(CPR_KEY_FILE);
    if !path.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, CprVault::generate_key().as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
                tracing::warn!(
                    path = %path.display(),
                    "generated the key CPR numbers are encrypted with; keep it, and keep it \
                     out of the database's backups"
                );
            }
            // Another process created it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    CprVault::parse_key(&path.display().to_string(), &text)
        .with_context(|| format!("{} must hold base64 of 32 bytes", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_are_origins_as_browsers_send_them() {
        let with = |origins: &str| Config {
            cors_origins: Some(origins.to_owned()),
            ..Config::default()
        };
        assert_eq!(
            with("http://localhost:5173, https://kit.kommune.dk").cors_origins(),
            Ok(vec![
                "http://localhost:5173".to_owned(),
                "https://kit.kommune.dk".to_owned()
            ])
        );
        assert_eq!(Config::default().cors_origins(), Ok(Vec::new()));
        for bad in [
            "https://kit.kommune.dk/",
            "kit.kommune.dk",
            "https://kit.dk/app",
            "ftp://x.dk",
        ] {
            assert!(with(bad).cors_origins().is_err(), "{bad}");
        }
    }

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
                config.settings.public_url, "https://kit.kommune.example",
                "file beats default"
            );
            assert_eq!(config.settings.log_format, LogFormat::Json);
            assert_eq!(
                config.auth_jwks_url.as_deref(),
                Some("https://login.example/jwks.json")
            );
            assert_eq!(
                config.settings.database_url, "sqlite://data/kit.db?mode=rwc",
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
}
