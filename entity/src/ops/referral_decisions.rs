//! The committee tells the referrer (single entry point: the referring professional learns
//! what became of the referral). When the intake unit decides a referral — accepted,
//! redirected or rejected with a reason — the professional who sent it is told in the product,
//! with the reason and where the child was redirected, and by an e-mail that carries only the
//! case reference and the outcome: never the child's name, the reason or the redirect, which
//! may identify the child.

use crate::access::Actor;
use crate::entities::{case, professional, referral, referral_decision};
use crate::ids::{ProfessionalId, ReferralDecisionId};
use crate::ops::outbox;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};

/// Tells the professional who sent the referral of `decided` what the committee decided, in
/// the deciding transaction. Nobody is told when the decider sent it themself, or when the
/// referrer has left.
///
/// # Errors
/// Database errors.
pub async fn tell_referrer<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    decided: &case::Model,
    reason: &str,
) -> Result<Option<referral_decision::Model>> {
    let Some(sent) = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(decided.id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if sent.submitted_by_id == actor.id() {
        return Ok(None);
    }
    let Some(referrer) = professional::Entity::find_by_id(sent.submitted_by_id)
        .one(db)
        .await?
        .filter(|p| p.is_active)
    else {
        return Ok(None);
    };
    let row = referral_decision::ActiveModel {
        id: NotSet,
        case_id: Set(decided.id),
        recipient_id: Set(referrer.id),
        outcome: Set(decided.status),
        reason: Set(reason.to_owned()),
        redirected_to: Set(decided.redirected_to.clone()),
        decided_by_id: Set(actor.id()),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    outbox::queue_mail(
        db,
        now,
        outbox::Mail {
            about: outbox::About::Decision(row.id),
            sequence: 0,
            method: None,
            recipient: referrer.email.clone(),
            language: referrer.language,
        },
    )
    .await?;
    Ok(Some(row))
}

/// The decisions told to `recipient`, for paging newest first.
#[must_use]
pub fn of_recipient(
    recipient: ProfessionalId,
    unread_only: bool,
) -> Select<referral_decision::Entity> {
    let query = referral_decision::Entity::find()
        .filter(referral_decision::Column::RecipientId.eq(recipient));
    if unread_only {
        query.filter(referral_decision::Column::ReadAt.is_null())
    } else {
        query
    }
}

/// Marks the actor's decisions `ids` read (those already read, and others', are left as they
/// are); returns them as they now are.
///
/// # Errors
/// [`Error::NotFound`] naming `ids` for an id that is not one of the actor's.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    ids: &[ReferralDecisionId],
) -> Result<Vec<referral_decision::Model>> {
    let mine = referral_decision::Entity::find()
        .filter(referral_decision::Column::Id.is_in(ids.iter().copied()))
        .filter(referral_decision::Column::RecipientId.eq(actor.id()))
        .all(db)
        .await?;
    if mine.len() != ids.len() {
        return Err(Error::not_found("referral decision").at("ids"));
    }
    referral_decision::Entity::update_many()
        .col_expr(referral_decision::Column::ReadAt, Expr::value(Some(now)))
        .filter(referral_decision::Column::Id.is_in(ids.iter().copied()))
        .filter(referral_decision::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(referral_decision::Entity::find()
        .filter(referral_decision::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}
