//! Configuration: product defaults, then an optional `kit.toml`, then `KIT_*` environment
//! variables, each layer overriding the one before.
//!
//! The defaults are the embedded set-up: a SQLite file under `./data/`, listening on
//! `127.0.0.1:8080`, with a locally generated token secret. Secrets are never logged: `Debug`
//! redacts them.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use kit_worker::settings::{Settings, redact_url};
pub use kit_worker::telemetry::LogFormat;

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
            .finish()
    }
}

impl Config {
    /// Loads defaults, then `file` if it exists, then `KIT_*` variables.
    ///
    /// # Errors
    /// When the file or a variable holds a value of the wrong type.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        kit_worker::settings::load(file)
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
