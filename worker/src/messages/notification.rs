//! A deadline's reminder, alert or escalation to one professional: the rule, the case
//! reference and the due time, never the child's name.

use chrono::{DateTime, Utc};
use kit_entity::Result;
use kit_entity::entities::{deadline, deadline_rule, delivery, notification};
use kit_entity::ids::NotificationId;
use sea_orm::EntityTrait;

use super::{Message, Rendered, missing, plain};
use crate::context::Context;

/// A notification's e-mail.
pub struct Notification {
    notification: notification::Model,
    deadline: deadline::Model,
    rule: deadline_rule::Model,
    reference: String,
}

impl Message for Notification {
    type Id = NotificationId;

    async fn load(ctx: &Context, row: &delivery::Model, id: NotificationId) -> Result<Self> {
        let notification = notification::Entity::find_by_id(id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| missing(row, "notification"))?;
        let (deadline, rule, reference) =
            kit_entity::ops::deadlines::describe(&ctx.db, &notification).await?;
        Ok(Self {
            notification,
            deadline,
            rule,
            reference,
        })
    }

    fn render(
        &self,
        ctx: &Context,
        row: &delivery::Model,
        _now: DateTime<Utc>,
    ) -> Result<Rendered> {
        let (subject, body) = kit_entity::content::texts::notification_text(
            self.notification.kind,
            &self.rule,
            &self.reference,
            self.deadline.due_at,
            row.language,
            ctx.links.public_url(),
        );
        plain(ctx, row, &subject, body)
    }
}
