//! The committee's decision on a referral, to its referrer: the case reference and the
//! outcome, never the child's name, the reason or the redirect.

use chrono::{DateTime, Utc};
use kit_entity::Result;
use kit_entity::entities::{case, delivery, referral_decision};
use kit_entity::ids::ReferralDecisionId;
use sea_orm::EntityTrait;

use super::{Message, Rendered, missing, plain};
use crate::context::Context;

/// A decision's e-mail.
pub struct Decision {
    decision: referral_decision::Model,
    reference: String,
}

impl Message for Decision {
    type Id = ReferralDecisionId;

    async fn load(ctx: &Context, row: &delivery::Model, id: ReferralDecisionId) -> Result<Self> {
        let decision = referral_decision::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| missing(row, "referral decision"))?;
        let reference = case::Entity::find_by_id(decision.case_id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| missing(row, "case"))?
            .reference;
        Ok(Self {
            decision,
            reference,
        })
    }

    fn render(
        &self,
        ctx: &Context,
        row: &delivery::Model,
        _now: DateTime<Utc>,
    ) -> Result<Rendered> {
        let (subject, body) = kit_entity::content::decisions::decision_text(
            self.decision.outcome,
            &self.reference,
            row.language,
            ctx.links.public_url(),
        );
        plain(ctx, row, &subject, body)
    }
}
