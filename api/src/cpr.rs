//! The CPR vault's keys and the numbers under them: which key seals (configured, or generated
//! beside a SQLite database), sealing the numbers stored before encryption, and re-sealing
//! everything under a new key.

use std::path::Path;

use anyhow::{Context, bail};
use kit_entity::entities::{child, idempotency_key, referral};
use kit_entity::infra::cpr_vault::{CprVault, MasterKey};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::config::{Config, Environment};

/// The name of the generated key file beside a SQLite database.
pub const KEY_FILE: &str = "cpr.key";

/// The vault of `config`: `KIT_CPR_KEY` and `KIT_CPR_OLD_KEYS`; without a key, in development
/// on a SQLite file, the key in `cpr.key` beside it, generated on first start.
///
/// # Errors
/// A malformed key; no key in production, or on a database with no directory to keep one in.
pub fn vault(config: &Config) -> anyhow::Result<CprVault> {
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
    let path = dir.join(KEY_FILE);
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

/// What [`reseal`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Children's numbers sealed or re-sealed.
    pub children: u64,
    /// Referrals' numbers sealed or re-sealed.
    pub referrals: u64,
    /// Stored answers of idempotent mutations re-sealed (on rotation only).
    pub answers: u64,
}

/// Seals every stored number not yet sealed under the vault's current key — the digits left
/// from before encryption (`only_plain`), or also those under a rotated-out key — and gives
/// each child its lookup hash, in one transaction.
///
/// # Errors
/// A number under a key the vault does not hold; database errors.
pub async fn reseal(
    db: &DatabaseConnection,
    vault: &CprVault,
    only_plain: bool,
) -> kit_entity::Result<Resealed> {
    let due = |stored: &str| {
        !CprVault::is_sealed(stored)
            || (!only_plain && CprVault::key_of(stored) != Some(vault.current_id()))
    };
    let digits = |stored: &str| -> kit_entity::Result<String> {
        if CprVault::is_sealed(stored) {
            vault.open(stored)
        } else {
            Ok(stored.to_owned())
        }
    };
    let mut done = Resealed::default();
    let children: Vec<child::Model> = child::Entity::find()
        .filter(child::Column::Cpr.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.cpr.as_deref().is_some_and(due))
        .collect();
    let referrals: Vec<referral::Model> = referral::Entity::find()
        .filter(referral::Column::SubmittedCpr.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|r| r.submitted_cpr.as_deref().is_some_and(due))
        .collect();
    // Stored answers are sealed from the start; a rotation re-seals them too, so that the
    // old key can go at once.
    let answers: Vec<idempotency_key::Model> = if only_plain {
        Vec::new()
    } else {
        idempotency_key::Entity::find()
            .filter(idempotency_key::Column::Response.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter(|k| {
                k.response
                    .as_deref()
                    .is_some_and(|r| CprVault::answer_key_of(r) != Some(vault.current_id()))
            })
            .collect()
    };
    if children.is_empty() && referrals.is_empty() && answers.is_empty() {
        return Ok(done);
    }
    let txn = kit_entity::infra::db::begin_write(db).await?;
    for c in children {
        let plain = digits(c.cpr.as_deref().unwrap_or_default())?;
        let mut row: child::ActiveModel = c.into();
        row.cpr = Set(Some(vault.seal(&plain)?));
        row.cpr_hmac = Set(Some(vault.lookup(&plain)));
        row.update(&txn).await?;
        done.children += 1;
    }
    for r in referrals {
        let plain = digits(r.submitted_cpr.as_deref().unwrap_or_default())?;
        let mut row: referral::ActiveModel = r.into();
        row.submitted_cpr = Set(Some(vault.seal(&plain)?));
        row.update(&txn).await?;
        done.referrals += 1;
    }
    for k in answers {
        let plain = vault.open_answer(k.response.as_deref().unwrap_or_default())?;
        let mut row: idempotency_key::ActiveModel = k.into();
        row.response = Set(Some(vault.seal_answer(&plain)?));
        row.update(&txn).await?;
        done.answers += 1;
    }
    txn.commit().await?;
    Ok(done)
}
