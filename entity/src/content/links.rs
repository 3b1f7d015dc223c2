//! Links that leave the system: personal answer links in invitations and calendar feed URLs.
//!
//! An answer link carries a signed, expiring token naming one invitation and the version of
//! the meeting it was sent for; whoever holds the e-mail can answer from a browser without
//! logging in, and nobody can forge or reuse a link for another invitation. Feed URLs carry a
//! random secret; only its SHA-256 is stored, so a database reader cannot rebuild the URL.

use crate::ids::{InviteeId, PlanLinkId};
use crate::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::texts::AnswerLinks;

const SECRET_NAME: &str = "links.hs256";
const AUDIENCE: &str = "kit-rsvp";
const PLAN_AUDIENCE: &str = "kit-plan";
const COMMITTEE_AUDIENCE: &str = "kit-committee-rsvp";

/// What a committee member's answer link proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitteeAnswerClaims {
    /// The membership (`committee_members.id`).
    pub member: i64,
    /// The meeting's SEQUENCE the link was sent with.
    pub seq: i32,
}

#[derive(Serialize, Deserialize)]
struct CommitteeWire {
    mem: i64,
    seq: i32,
    exp: i64,
    aud: String,
}

/// What an answer link proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerClaims {
    /// The invitation.
    pub inv: InviteeId,
    /// The meeting's SEQUENCE the link was sent with.
    pub seq: i32,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    inv: i64,
    seq: i32,
    exp: i64,
    aud: String,
}

#[derive(Serialize, Deserialize)]
struct PlanWire {
    lnk: i64,
    exp: i64,
    aud: String,
}

/// Signs and checks links.
#[derive(Clone)]
pub struct Links {
    public_url: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Links {
    /// The instance's link signer, with its secret from the database.
    ///
    /// # Errors
    /// When the secret cannot be read or created.
    pub async fn load(
        db: &DatabaseConnection,
        public_url: &str,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let secret = crate::infra::secrets::get_or_create(db, SECRET_NAME, now).await?;
        Ok(Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        })
    }

    /// The product's address.
    #[must_use]
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// A token answering invitation `invitee` at `sequence`, valid until `expires`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn answer_token(
        &self,
        invitee: InviteeId,
        sequence: i32,
        expires: DateTime<Utc>,
    ) -> Result<String> {
        let wire = Wire {
            inv: invitee.0,
            seq: sequence,
            exp: expires.timestamp(),
            aud: AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)
            .map_err(Error::internal)
    }

    /// The three answer links for a token.
    #[must_use]
    pub fn answer_links(&self, token: &str) -> AnswerLinks {
        let link = |answer: &str| format!("{}/rsvp/{token}?answer={answer}", self.public_url);
        AnswerLinks {
            accept: link("accept"),
            tentative: link("tentative"),
            decline: link("decline"),
        }
    }

    /// Checks an answer token at `now` (the product's clock, never the library's own).
    ///
    /// # Errors
    /// [`Error::Forbidden`] when it is forged, altered or expired.
    pub fn verify_answer(&self, token: &str, now: DateTime<Utc>) -> Result<AnswerClaims> {
        let wire = jsonwebtoken::decode::<Wire>(token, &self.decoding, &validation(AUDIENCE))
            .map_err(|_| Error::forbidden("this answer link is not valid"))?
            .claims;
        if expired(wire.exp, now) {
            return Err(Error::forbidden("this answer link has expired"));
        }
        Ok(AnswerClaims {
            inv: InviteeId(wire.inv),
            seq: wire.seq,
            exp: wire.exp,
        })
    }

    /// A token answering committee membership `member` at `sequence`, valid until `expires`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn committee_answer_token(
        &self,
        member: i64,
        sequence: i32,
        expires: DateTime<Utc>,
    ) -> Result<String> {
        let wire = CommitteeWire {
            mem: member,
            seq: sequence,
            exp: expires.timestamp(),
            aud: COMMITTEE_AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)
            .map_err(Error::internal)
    }

    /// The three answer links of a committee member's token.
    #[must_use]
    pub fn committee_answer_links(&self, token: &str) -> AnswerLinks {
        let link =
            |answer: &str| format!("{}/rsvp/committee/{token}?answer={answer}", self.public_url);
        AnswerLinks {
            accept: link("accept"),
            tentative: link("tentative"),
            decline: link("decline"),
        }
    }

    /// Checks a committee member's answer token at `now`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when it is forged, altered, expired or of another kind.
    pub fn verify_committee_answer(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<CommitteeAnswerClaims> {
        let wire = jsonwebtoken::decode::<CommitteeWire>(
            token,
            &self.decoding,
            &validation(COMMITTEE_AUDIENCE),
        )
        .map_err(|_| Error::forbidden("this answer link is not valid"))?
        .claims;
        if expired(wire.exp, now) {
            return Err(Error::forbidden("this answer link has expired"));
        }
        Ok(CommitteeAnswerClaims {
            member: wire.mem,
            seq: wire.seq,
        })
    }

    /// A token opening the plan through family link `link` until `expires`. The token names
    /// only the link: revocation is checked against its row.
    ///
    /// # Errors
    /// When signing fails.
    pub fn plan_token(&self, link: PlanLinkId, expires: DateTime<Utc>) -> Result<String> {
        let wire = PlanWire {
            lnk: link.0,
            exp: expires.timestamp(),
            aud: PLAN_AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)
            .map_err(Error::internal)
    }

    /// Checks a plan token at `now` (the product's clock) and returns the link it names.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when it is forged, altered, expired, or an answer token.
    pub fn verify_plan(&self, token: &str, now: DateTime<Utc>) -> Result<PlanLinkId> {
        let wire =
            jsonwebtoken::decode::<PlanWire>(token, &self.decoding, &validation(PLAN_AUDIENCE))
                .map_err(|_| Error::forbidden("this plan link is not valid"))?
                .claims;
        if expired(wire.exp, now) {
            return Err(Error::forbidden("this plan link has expired"));
        }
        Ok(PlanLinkId(wire.lnk))
    }

    /// The URL of the plan page for a token.
    #[must_use]
    pub fn plan_url(&self, token: &str) -> String {
        format!("{}/plan/{token}", self.public_url)
    }

    /// The URL of a calendar feed.
    #[must_use]
    pub fn feed_url(&self, token: &str) -> String {
        format!("{}/calendar/{token}.ics", self.public_url)
    }
}

/// What a link's signature is checked for: the signature and the audience. Expiry is not left
/// to the library, which would read the machine's wall clock: the caller checks `exp` against
/// the product's one clock ([`expired`]).
fn validation(audience: &str) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "aud"]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation
}

/// True when a link that expires at `exp` (seconds since the epoch) has expired at `now`.
fn expired(exp: i64, now: DateTime<Utc>) -> bool {
    exp <= now.timestamp()
}

/// A new feed secret and the hash to store.
#[must_use]
pub fn new_feed_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = feed_token_hash(&token);
    (token, hash)
}

/// The stored form of a feed secret.
#[must_use]
pub fn feed_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        Links {
            public_url: "https://kit.example".into(),
            encoding: EncodingKey::from_secret(b"k"),
            decoding: DecodingKey::from_secret(b"k"),
        }
    }

    /// A fixed instant far from the machine's date: the links are judged by the clock they
    /// are given, whatever day the tests run.
    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2031-06-01T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn answer_tokens_round_trip_and_resist_tampering() {
        let l = links();
        let exp = now() + chrono::TimeDelta::days(1);
        let token = l.answer_token(InviteeId(7), 2, exp).unwrap_or_default();
        let claims = l.verify_answer(&token, now()).ok();
        assert_eq!(claims.map(|c| (c.inv, c.seq)), Some((InviteeId(7), 2)));
        let mut forged = token.clone();
        forged.push('x');
        assert!(l.verify_answer(&forged, now()).is_err());
        let other = Links {
            encoding: EncodingKey::from_secret(b"other"),
            ..links()
        };
        let foreign = other.answer_token(InviteeId(7), 2, exp).unwrap_or_default();
        assert!(l.verify_answer(&foreign, now()).is_err());
        let old = l
            .answer_token(InviteeId(7), 2, now() - chrono::TimeDelta::hours(1))
            .unwrap_or_default();
        assert!(l.verify_answer(&old, now()).is_err());
        assert!(l.answer_links(&token).decline.ends_with("?answer=decline"));
    }

    #[test]
    fn plan_tokens_name_their_link_and_are_no_answer_tokens() {
        let l = links();
        let exp = now() + chrono::TimeDelta::days(1);
        let token = l.plan_token(PlanLinkId(9), exp).unwrap_or_default();
        assert_eq!(l.verify_plan(&token, now()).ok(), Some(PlanLinkId(9)));
        assert!(
            l.verify_answer(&token, now()).is_err(),
            "a plan link answers no invitation"
        );
        let answer = l.answer_token(InviteeId(9), 1, exp).unwrap_or_default();
        assert!(
            l.verify_plan(&answer, now()).is_err(),
            "an answer link opens no plan"
        );
        let old = l
            .plan_token(PlanLinkId(9), now() - chrono::TimeDelta::hours(1))
            .unwrap_or_default();
        assert!(l.verify_plan(&old, now()).is_err());
        assert!(l.plan_url(&token).starts_with("https://kit.example/plan/"));
    }

    #[test]
    fn feed_tokens_are_stored_as_hashes() {
        let (token, hash) = new_feed_token();
        assert_eq!(hash, feed_token_hash(&token));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token));
    }
}
