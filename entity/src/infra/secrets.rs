//! Secrets the instance generates for itself and keeps in its database, so that every
//! process on the same database agrees on them: the local token-signing key and the key that
//! signs the links in invitations.

use crate::entities::instance_secret;
use crate::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, EntityTrait};

/// Reads the named 32-byte secret, generating it on first use (recorded as created at `now`).
/// Concurrent first uses by several processes agree: the first insert wins and everyone reads
/// it back.
///
/// # Errors
/// When the database fails.
pub async fn get_or_create(
    db: &DatabaseConnection,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let candidate = instance_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(STANDARD.encode(bytes)),
        created_at: Set(now),
    };
    instance_secret::Entity::insert(candidate)
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    let stored = instance_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::internal(format!("the instance secret {name} vanished")))?;
    STANDARD.decode(stored.value).map_err(Error::internal)
}
