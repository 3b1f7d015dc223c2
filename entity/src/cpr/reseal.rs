//! Re-sealing the stored numbers: those left from before encryption, and on a key rotation
//! everything under a rotated-out key, in one transaction.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::vault::CprVault;
use crate::entities::{child, idempotency_key, referral};

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
) -> crate::Result<Resealed> {
    let due = |stored: &str| {
        !CprVault::is_sealed(stored)
            || (!only_plain && CprVault::key_of(stored) != Some(vault.current_id()))
    };
    let digits = |stored: &str| -> crate::Result<String> {
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
    let txn = crate::infra::db::begin_write(db).await?;
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
