//! CPR numbers at rest: encrypted with XChaCha20-Poly1305 and found again by a keyed hash.
//!
//! A stored number is `v1:<key id>:<base64(nonce ‖ ciphertext)>`: a fresh 24-byte random
//! nonce each time, so the same number never looks the same twice, and the id of the key that
//! sealed it (the first 8 hex digits of the key's SHA-256), so that a rotated-out key can still
//! open what it sealed until `kit-api cpr rotate` has re-sealed everything under the current
//! key. Lookups by number use `cpr_hmac`, HMAC-SHA256 of the digits under a key derived from
//! the same master key; it is unique per child. The encryption and lookup keys are derived
//! from the configured 32-byte master key with HMAC-SHA256 under fixed labels, so one secret
//! is configured and the two uses never share a key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::domain::error::{Error, Result};

/// A configured master key: 32 bytes.
pub type MasterKey = [u8; 32];

/// The prefix of a sealed number.
const VERSION: &str = "v1";
/// The prefix of a sealed answer.
const ANSWER_VERSION: &str = "a1";

struct VaultKey {
    id: String,
    cipher: XChaCha20Poly1305,
    /// Seals stored answers (an idempotent mutation's response): a key of its own, derived
    /// from the same master key.
    answers: XChaCha20Poly1305,
    lookup: [u8; 32],
}

fn derive(master: &MasterKey, label: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl VaultKey {
    fn new(master: &MasterKey) -> Self {
        let id = format!("{:x}", Sha256::digest(master))[..8].to_owned();
        let encryption = derive(master, "kit-cpr-encryption-v1");
        let answers = derive(master, "kit-answer-encryption-v1");
        Self {
            id,
            cipher: XChaCha20Poly1305::new(&encryption.into()),
            answers: XChaCha20Poly1305::new(&answers.into()),
            lookup: derive(master, "kit-cpr-lookup-v1"),
        }
    }

    fn lookup(&self, digits: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(digits.as_bytes());
        format!("{:x}", mac.finalize().into_bytes())
    }
}

/// The keys CPR numbers are sealed and found with: the current one first, then those rotated
/// out (still able to open what they sealed).
pub struct CprVault {
    keys: Vec<VaultKey>,
}

impl std::fmt::Debug for CprVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("CprVault").field("key_ids", &ids).finish()
    }
}

impl CprVault {
    /// A vault sealing with `current` and opening with it and `old`.
    #[must_use]
    pub fn new(current: &MasterKey, old: &[MasterKey]) -> Self {
        let mut keys = vec![VaultKey::new(current)];
        keys.extend(old.iter().map(VaultKey::new));
        Self { keys }
    }

    /// Reads a master key written as base64 of 32 bytes; errors name `field`.
    ///
    /// # Errors
    /// [`Error::Validation`] for anything else.
    pub fn parse_key(field: &str, text: &str) -> Result<MasterKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| Error::invalid(field, "is not base64"))?;
        bytes
            .try_into()
            .map_err(|_| Error::invalid(field, "must be 32 bytes (44 characters of base64)"))
    }

    /// A new random master key, as base64.
    #[must_use]
    pub fn generate_key() -> String {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        STANDARD.encode(key)
    }

    /// The id of the current key.
    #[must_use]
    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    /// Seals `digits` under the current key.
    ///
    /// # Errors
    /// [`Error::Internal`] if encryption fails (it does not for inputs of this size).
    pub fn seal(&self, digits: &str) -> Result<String> {
        let key = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = key
            .cipher
            .encrypt(&nonce, digits.as_bytes())
            .map_err(|_| Error::internal("a CPR number could not be encrypted"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{VERSION}:{}:{}", key.id, STANDARD.encode(bytes)))
    }

    /// True when `stored` is a sealed number (not digits left from before encryption).
    #[must_use]
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with("v1:")
    }

    /// The id of the key that sealed `stored`.
    #[must_use]
    pub fn key_of(stored: &str) -> Option<&str> {
        stored.strip_prefix("v1:")?.split(':').next()
    }

    /// Opens a sealed number.
    ///
    /// # Errors
    /// [`Error::Internal`] when it is malformed, sealed under a key this vault does not hold
    /// (configure it in `KIT_CPR_OLD_KEYS`), or altered.
    pub fn open(&self, stored: &str) -> Result<String> {
        let mut parts = stored.splitn(3, ':');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::internal("a stored CPR number is not sealed"));
        };
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            Error::internal(format!(
                "a CPR number is sealed under key {id}, which is not configured \
                 (KIT_CPR_KEY, KIT_CPR_OLD_KEYS)"
            ))
        })?;
        let bytes = STANDARD
            .decode(body)
            .map_err(|_| Error::internal("a stored CPR number is damaged"))?;
        if bytes.len() < 24 {
            return Err(Error::internal("a stored CPR number is damaged"));
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce
            .try_into()
            .map_err(|_| Error::internal("a stored CPR number is damaged"))?;
        let plain = key
            .cipher
            .decrypt(&XNonce::from(nonce), sealed)
            .map_err(|_| Error::internal("a stored CPR number fails its integrity check"))?;
        String::from_utf8(plain).map_err(|_| Error::internal("a stored CPR number is damaged"))
    }

    /// Seals a stored answer (a response that may carry a child's data) under the current
    /// key: `a1:<key id>:<base64(nonce ‖ ciphertext)>`.
    ///
    /// # Errors
    /// [`Error::Internal`] if encryption fails.
    pub fn seal_answer(&self, text: &str) -> Result<String> {
        let key = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = key
            .answers
            .encrypt(&nonce, text.as_bytes())
            .map_err(|_| Error::internal("an answer could not be encrypted"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!(
            "{ANSWER_VERSION}:{}:{}",
            key.id,
            STANDARD.encode(bytes)
        ))
    }

    /// The id of the key that sealed a stored answer.
    #[must_use]
    pub fn answer_key_of(stored: &str) -> Option<&str> {
        stored
            .strip_prefix(ANSWER_VERSION)?
            .strip_prefix(':')?
            .split(':')
            .next()
    }

    /// Opens a sealed answer.
    ///
    /// # Errors
    /// [`Error::Internal`] when it is not sealed, sealed under a key this vault does not hold,
    /// or altered.
    pub fn open_answer(&self, stored: &str) -> Result<String> {
        let damaged = || Error::internal("a stored answer is damaged");
        let mut parts = stored.splitn(3, ':');
        let (Some(ANSWER_VERSION), Some(id), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::internal("a stored answer is not sealed"));
        };
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            Error::internal(format!(
                "a stored answer is sealed under key {id}, which is not configured"
            ))
        })?;
        let bytes = STANDARD.decode(body).map_err(|_| damaged())?;
        if bytes.len() < 24 {
            return Err(damaged());
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| damaged())?;
        let plain = key
            .answers
            .decrypt(&XNonce::from(nonce), sealed)
            .map_err(|_| Error::internal("a stored answer fails its integrity check"))?;
        String::from_utf8(plain).map_err(|_| damaged())
    }

    /// The lookup hash of `digits` under the current key: what `cpr_hmac` holds.
    #[must_use]
    pub fn lookup(&self, digits: &str) -> String {
        self.keys[0].lookup(digits)
    }

    /// The lookup hashes of `digits` under every key: a number sealed before a rotation
    /// finished is found too.
    #[must_use]
    pub fn lookups(&self, digits: &str) -> Vec<String> {
        self.keys.iter().map(|k| k.lookup(digits)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> MasterKey {
        [n; 32]
    }

    #[test]
    fn a_number_is_sealed_differently_each_time_and_opens_again() {
        let vault = CprVault::new(&key(1), &[]);
        let a = vault.seal("0305144321").unwrap_or_default();
        let b = vault.seal("0305144321").unwrap_or_default();
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("0305144321") && !a.contains("4321"));
        assert_eq!(vault.open(&a).ok().as_deref(), Some("0305144321"));
        assert_eq!(vault.lookup("0305144321"), vault.lookup("0305144321"));
        assert_ne!(vault.lookup("0305144321"), vault.lookup("0305144322"));
    }

    #[test]
    fn an_altered_or_foreign_number_does_not_open() {
        let vault = CprVault::new(&key(1), &[]);
        let sealed = vault.seal("0305144321").unwrap_or_default();
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap_or_default();
        assert!(vault.open(&altered).is_err());
        let other = CprVault::new(&key(2), &[]);
        assert!(other.open(&sealed).is_err());
        assert_ne!(other.lookup("0305144321"), vault.lookup("0305144321"));
    }

    #[test]
    fn after_rotation_the_old_key_still_opens_and_finds() {
        let old = CprVault::new(&key(1), &[]);
        let sealed = old.seal("0305144321").unwrap_or_default();
        let rotated = CprVault::new(&key(2), &[key(1)]);
        assert_eq!(rotated.open(&sealed).ok().as_deref(), Some("0305144321"));
        assert!(
            rotated
                .lookups("0305144321")
                .contains(&old.lookup("0305144321"))
        );
        assert_eq!(CprVault::key_of(&sealed), Some(old.current_id()));
        assert_ne!(rotated.current_id(), old.current_id());
    }

    #[test]
    fn an_answer_is_sealed_under_a_key_of_its_own_and_opens_after_rotation() {
        let vault = CprVault::new(&key(1), &[]);
        let answer = r#"{"data":{"child":{"cpr":"030514-4321"}}}"#;
        let sealed = vault.seal_answer(answer).unwrap_or_default();
        assert!(!sealed.contains("4321") && !sealed.contains("cpr"));
        assert_eq!(vault.open_answer(&sealed).ok().as_deref(), Some(answer));
        assert!(vault.open(&sealed).is_err(), "an answer is no CPR number");
        assert!(
            vault
                .open_answer(&vault.seal("0305144321").unwrap_or_default())
                .is_err()
        );
        let rotated = CprVault::new(&key(2), &[key(1)]);
        assert_eq!(rotated.open_answer(&sealed).ok().as_deref(), Some(answer));
        assert_eq!(CprVault::answer_key_of(&sealed), Some(vault.current_id()));
        assert!(CprVault::new(&key(2), &[]).open_answer(&sealed).is_err());
    }

    #[test]
    fn keys_are_read_as_32_bytes_of_base64() {
        let generated = CprVault::generate_key();
        assert!(CprVault::parse_key("k", &generated).is_ok());
        assert!(CprVault::parse_key("k", "c2hvcnQ=").is_err());
        assert!(CprVault::parse_key("k", "not base64!").is_err());
    }
}
