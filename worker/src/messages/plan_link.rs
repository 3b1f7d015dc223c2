//! The e-mail carrying a family member's plan link: no personal data, only the link.

use chrono::{DateTime, Utc};
use kit_entity::Result;
use kit_entity::entities::{delivery, plan_link};
use kit_entity::ids::PlanLinkId;
use sea_orm::EntityTrait;

use super::{Message, Rendered, missing, plain};
use crate::context::Context;

/// A plan link's e-mail.
pub struct PlanLink(plan_link::Model);

impl Message for PlanLink {
    type Id = PlanLinkId;

    async fn load(ctx: &Context, row: &delivery::Model, id: PlanLinkId) -> Result<Self> {
        plan_link::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .map(Self)
            .ok_or_else(|| missing(row, "plan link"))
    }

    fn render(
        &self,
        ctx: &Context,
        row: &delivery::Model,
        _now: DateTime<Utc>,
    ) -> Result<Rendered> {
        let link = &self.0;
        let token = ctx.links.plan_token(link.id, link.expires_at)?;
        let (subject, body) = kit_entity::content::texts::plan_link_text(
            &ctx.links.plan_url(&token),
            link.expires_at,
            row.language,
        );
        plain(ctx, row, &subject, body)
    }

    /// A plan link revoked (or gone) before its e-mail left is not sent.
    async fn withdrawn(ctx: &Context, id: PlanLinkId) -> Result<bool> {
        Ok(plan_link::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .is_none_or(|l| l.revoked_at.is_some()))
    }
}
