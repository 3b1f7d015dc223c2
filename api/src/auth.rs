//! Authentication: who is calling.
//!
//! Every request carries `Authorization: Bearer <JWT>`. Two kinds of token are accepted:
//!
//! * **HS256**, signed with a shared secret, for local use: the `create-admin` and
//!   `seed --demo` commands print such tokens. The secret is `KIT_AUTH_HS256_SECRET`; when
//!   neither it nor a JWKS URL is configured, the instance generates a secret once and keeps
//!   it in its database, so every process on that database agrees on it. When only a JWKS URL
//!   is configured, HS256 tokens are refused.
//! * **RS256**, checked against the keys published at `KIT_AUTH_JWKS_URL` by a real identity
//!   provider. Keys are cached by `kid` and fetched again when an unknown `kid` appears (at
//!   most every 30 seconds) or the cache is an hour old.
//!
//! The token's `sub` names a professional (`professionals.subject`, compared without case).
//! `exp` is required; a token may live at most `KIT_AUTH_MAX_TOKEN_HOURS` (from `iat`, or
//! from now without one); `nbf` is honoured; and when `KIT_AUTH_ISSUER`/`KIT_AUTH_AUDIENCE`
//! are set, `iss`/`aud` must be present and match. Thirty seconds of clock skew are allowed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kit_entity::{Error, Result, SharedClock};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::config::Config;
use crate::memo::Memo;

const LOCAL_SECRET_NAME: &str = "auth.hs256";
const JWKS_MIN_REFETCH: Duration = Duration::from_secs(30);
const JWKS_MAX_AGE: Duration = Duration::from_secs(3600);
/// At most this many checked tokens are remembered; past it, the memory starts afresh.
const MAX_REMEMBERED: usize = 4096;
/// Longer tokens are checked every time rather than remembered.
const MAX_REMEMBERED_LEN: usize = 8192;

/// The claims the product reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The professional's subject.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Clock skew allowed between the identity provider and this server, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// Checks tokens and, for local use, issues them.
#[derive(Clone)]
pub struct Authenticator {
    hs256: Option<(EncodingKey, DecodingKey)>,
    jwks: Option<Arc<Jwks>>,
    issuer: Option<String>,
    audience: Option<String>,
    max_lifetime: TimeDelta,
    remembered: Arc<Remembered>,
    /// The product's one clock: it decides every expiry, never the library's own reading.
    clock: SharedClock,
}

/// Tokens already checked, by their exact text, with their claims: a front end sends the
/// same token with every request, and checking it again (decoding, verifying the signature,
/// parsing the claims) cost a sixth of a trivial request. A token is found here only if it
/// is byte for byte one that passed every check; only its expiry can change the verdict
/// since (`nbf` and the lifetime only get easier to meet as time passes), so that is checked
/// again on every use. Entries live at most `KIT_AUTH_CACHE_SECS` (0 remembers nothing).
struct Remembered {
    ttl: Option<Duration>,
    tokens: Memo<(Claims, Instant)>,
}

impl Remembered {
    /// The claims of `token` if it was checked within the last `ttl`; an expired token's
    /// refusal.
    fn find(&self, token: &str, now: i64) -> Option<Result<Claims>> {
        let ttl = self.ttl?;
        let (claims, kept) = self.tokens.get(token)?;
        if kept.elapsed() >= ttl {
            return None;
        }
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        Some(if claims.exp < now.saturating_sub(leeway) {
            Err(unauthenticated("the token has expired"))
        } else {
            Ok(claims)
        })
    }

    fn keep(&self, token: &str, claims: &Claims) {
        if self.ttl.is_some() {
            self.tokens.keep(token, (claims.clone(), Instant::now()));
        }
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("hs256", &self.hs256.is_some())
            .field("jwks", &self.jwks.as_ref().map(|j| &j.url))
            .finish_non_exhaustive()
    }
}

struct Jwks {
    url: String,
    http: reqwest::Client,
    cache: RwLock<JwksCache>,
}

struct JwksCache {
    keys: HashMap<String, DecodingKey>,
    fetched: Option<Instant>,
}

fn unauthenticated(message: &str) -> Error {
    Error::Unauthenticated(message.to_owned())
}

impl Authenticator {
    /// Builds the authenticator for `config`, generating the local secret in `db` if this
    /// instance uses local tokens and has none configured. Tokens are judged by `clock`.
    ///
    /// # Errors
    /// When the local secret cannot be read or stored.
    pub async fn new(config: &Config, db: &DatabaseConnection, clock: SharedClock) -> Result<Self> {
        let secret = match (&config.auth_hs256_secret, &config.auth_jwks_url) {
            (Some(secret), _) => Some(secret.as_bytes().to_vec()),
            (None, None) => Some(local_secret(db, clock.now()).await?),
            (None, Some(_)) => None,
        };
        let jwks = match &config.auth_jwks_url {
            Some(url) => Some(Arc::new(Jwks {
                url: url.clone(),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(Error::internal)?,
                cache: RwLock::new(JwksCache {
                    keys: HashMap::new(),
                    fetched: None,
                }),
            })),
            None => None,
        };
        Ok(Self {
            hs256: secret.map(|s| (EncodingKey::from_secret(&s), DecodingKey::from_secret(&s))),
            jwks,
            issuer: config.auth_issuer.clone(),
            audience: config.auth_audience.clone(),
            max_lifetime: TimeDelta::hours(i64::from(config.auth_max_token_hours)),
            remembered: Arc::new(Remembered {
                ttl: (config.auth_cache_secs > 0)
                    .then(|| Duration::from_secs(config.auth_cache_secs)),
                tokens: Memo::new(MAX_REMEMBERED, MAX_REMEMBERED_LEN),
            }),
            clock,
        })
    }

    /// The longest a token may live (`KIT_AUTH_MAX_TOKEN_HOURS`).
    #[must_use]
    pub fn max_lifetime(&self) -> TimeDelta {
        self.max_lifetime
    }

    /// True when this instance can issue local (HS256) tokens.
    #[must_use]
    pub fn issues_local_tokens(&self) -> bool {
        self.hs256.is_some()
    }

    /// Issues a local HS256 token for `subject`, valid for `ttl` from `now`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when local tokens are disabled (only a JWKS URL is configured).
    pub fn issue_local(&self, subject: &str, now: DateTime<Utc>, ttl: TimeDelta) -> Result<String> {
        let Some((key, _)) = &self.hs256 else {
            return Err(Error::forbidden(
                "local tokens are disabled: an identity provider (KIT_AUTH_JWKS_URL) is configured",
            ));
        };
        if ttl > self.max_lifetime {
            return Err(Error::invalid(
                "hours",
                format!(
                    "a token may live at most {} hours (KIT_AUTH_MAX_TOKEN_HOURS)",
                    self.max_lifetime.num_hours()
                ),
            ));
        }
        let claims = Claims {
            sub: subject.to_owned(),
            exp: (now + ttl).timestamp(),
            iat: Some(now.timestamp()),
            nbf: None,
        };
        #[derive(Serialize)]
        struct WithIss<'a> {
            #[serde(flatten)]
            claims: &'a Claims,
            #[serde(skip_serializing_if = "Option::is_none")]
            iss: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            aud: Option<&'a str>,
        }
        let body = WithIss {
            claims: &claims,
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &body, key).map_err(Error::internal)
    }

    /// Verifies a bearer token and returns its claims.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a missing, malformed, expired or wrongly signed token.
    pub async fn verify(&self, token: &str) -> Result<Claims> {
        let now = self.clock.now();
        if let Some(known) = self.remembered.find(token, now.timestamp()) {
            return known;
        }
        let claims = self.check(token, now).await?;
        self.remembered.keep(token, &claims);
        Ok(claims)
    }

    /// Checks `token` in full at `now`: its signature, its claims, its lifetime.
    async fn check(&self, token: &str, now: DateTime<Utc>) -> Result<Claims> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthenticated("the bearer token is not a JWT"))?;
        let key = match header.alg {
            Algorithm::HS256 => match &self.hs256 {
                Some((_, key)) => key.clone(),
                None => return Err(unauthenticated("HS256 tokens are not accepted here")),
            },
            Algorithm::RS256 => match &self.jwks {
                Some(jwks) => {
                    let kid = header
                        .kid
                        .as_deref()
                        .ok_or_else(|| unauthenticated("the token has no key id (kid)"))?;
                    jwks.key(kid).await?
                }
                None => return Err(unauthenticated("RS256 tokens are not accepted here")),
            },
            _ => return Err(unauthenticated("the token's algorithm is not accepted")),
        };
        let mut validation = Validation::new(header.alg);
        // `exp` and `nbf` are judged below against the product's clock, not by the library
        // against the machine's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::InvalidIssuer => {
                        unauthenticated("the token's issuer is not accepted")
                    }
                    ErrorKind::InvalidAudience => {
                        unauthenticated("the token's audience is not accepted")
                    }
                    ErrorKind::MissingRequiredClaim(claim) => {
                        Error::Unauthenticated(format!("the token has no `{claim}` claim"))
                    }
                    _ => unauthenticated("the token's signature is not valid"),
                }
            })?;
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        if claims.exp < now.timestamp().saturating_sub(leeway) {
            return Err(unauthenticated("the token has expired"));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.timestamp().saturating_add(leeway))
        {
            return Err(unauthenticated("the token is not valid yet (nbf)"));
        }
        self.check_lifetime(&claims, now)?;
        Ok(claims)
    }

    /// Refuses a token that lives longer than the maximum: from `iat` to `exp`, or from now
    /// to `exp` when it carries no `iat` (or one in the future).
    fn check_lifetime(&self, claims: &Claims, now: DateTime<Utc>) -> Result<()> {
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        let now = now.timestamp();
        let from = claims.iat.filter(|iat| *iat <= now + leeway).unwrap_or(now);
        if claims.exp.saturating_sub(from) > self.max_lifetime.num_seconds() + leeway {
            return Err(Error::Unauthenticated(format!(
                "the token lives longer than the {} hours allowed here",
                self.max_lifetime.num_hours()
            )));
        }
        Ok(())
    }
}

impl Jwks {
    async fn key(&self, kid: &str) -> Result<DecodingKey> {
        {
            let cache = self.cache.read().await;
            let fresh = cache.fetched.is_some_and(|t| t.elapsed() < JWKS_MAX_AGE);
            if fresh && let Some(key) = cache.keys.get(kid) {
                return Ok(key.clone());
            }
        }
        let mut cache = self.cache.write().await;
        let stale = cache.fetched.is_none_or(|t| t.elapsed() >= JWKS_MAX_AGE);
        let may_refetch = cache
            .fetched
            .is_none_or(|t| t.elapsed() >= JWKS_MIN_REFETCH);
        if stale || (!cache.keys.contains_key(kid) && may_refetch) {
            match self.fetch().await {
                Ok(keys) => {
                    cache.keys = keys;
                    cache.fetched = Some(Instant::now());
                }
                Err(e) => {
                    tracing::warn!(url = %self.url, error = %e, "cannot fetch the JWKS");
                    if cache.keys.is_empty() {
                        return Err(unauthenticated(
                            "the identity provider's keys are unavailable",
                        ));
                    }
                }
            }
        }
        cache
            .keys
            .get(kid)
            .cloned()
            .ok_or_else(|| unauthenticated("the token was signed with an unknown key"))
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, reqwest::Error> {
        let set: JwkSet = self
            .http
            .get(&self.url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(set
            .keys
            .iter()
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
            })
            .collect())
    }
}

/// Reads the instance's local signing secret, generating it on first use.
async fn local_secret(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<u8>> {
    kit_entity::infra::secrets::get_or_create(db, LOCAL_SECRET_NAME, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    type Outcome = std::result::Result<(), Box<dyn std::error::Error>>;

    async fn authenticator(cache_secs: u64) -> Result<Authenticator> {
        let config = Config {
            auth_hs256_secret: Some("a-secret-for-the-tests-of-token-memory".to_owned()),
            auth_cache_secs: cache_secs,
            ..Config::default()
        };
        // With a configured secret, no database is needed.
        let clock = Arc::new(kit_entity::domain::clock::ManualClock::new(now()));
        Authenticator::new(&config, &DatabaseConnection::default(), clock).await
    }

    /// The tests' instant, years from the machine's date: tokens are judged by the clock the
    /// authenticator is given.
    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2031-06-01T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn remembered(auth: &Authenticator) -> usize {
        auth.remembered.tokens.len()
    }

    #[tokio::test]
    async fn a_remembered_token_is_only_ever_the_same_text_that_passed() -> Outcome {
        let auth = authenticator(60).await?;
        let token = auth.issue_local("p1", now(), TimeDelta::hours(1))?;
        assert_eq!(auth.verify(&token).await?.sub, "p1");
        assert_eq!(remembered(&auth), 1);
        assert_eq!(auth.verify(&token).await?.sub, "p1");
        // The same claims under a damaged signature are checked, and refused.
        let mut forged = token.clone();
        let last = forged.pop().ok_or("an empty token")?;
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(matches!(
            auth.verify(&forged).await,
            Err(Error::Unauthenticated(_))
        ));
        assert_eq!(remembered(&auth), 1, "a refused token is not remembered");
        Ok(())
    }

    #[tokio::test]
    async fn a_remembered_token_is_refused_once_it_expires() -> Outcome {
        let auth = authenticator(60).await?;
        let claims = Claims {
            sub: "p1".to_owned(),
            exp: 1_000_000,
            iat: Some(999_000),
            nbf: None,
        };
        auth.remembered.keep("t", &claims);
        let leeway = i64::try_from(LEEWAY_SECS)?;
        let Some(Ok(found)) = auth.remembered.find("t", 1_000_000 + leeway) else {
            panic!("within the leeway, the remembered token is valid");
        };
        assert_eq!(found.sub, "p1");
        let Some(Err(Error::Unauthenticated(message))) =
            auth.remembered.find("t", 1_000_001 + leeway)
        else {
            panic!("an expired token must be refused");
        };
        assert_eq!(message, "the token has expired");
        Ok(())
    }

    #[tokio::test]
    async fn with_no_cache_time_nothing_is_remembered() -> Outcome {
        let auth = authenticator(0).await?;
        let token = auth.issue_local("p1", now(), TimeDelta::hours(1))?;
        auth.verify(&token).await?;
        assert_eq!(remembered(&auth), 0);
        Ok(())
    }
}
