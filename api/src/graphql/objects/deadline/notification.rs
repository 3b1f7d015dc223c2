//! Notifications: what a deadline's stages tell the people responsible, in the app.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::notification;
use kit_entity::ids::ProfessionalId;
use kit_entity::{Error, Result};

use super::shared::viewer_language;
use super::types::Deadline;
use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::NotificationKind;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;
use kit_entity::ops::deadlines::reads;

/// GraphQL `Notification` over `notification::Model`, described on its `#[Object]` impl.
pub struct Notification(pub notification::Model);

/// A reminder, alert or escalation about a deadline, for you. Each is also sent to you by
/// e-mail.
#[Object]
impl Notification {
    /// Global id of the notification: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// You, its recipient, as you are now: a `notificationAdded` event that selects
    /// `recipient { id unreadNotificationCount }` keeps a normalized cache's count current.
    async fn recipient(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::graphql::objects::viewer::Viewer> {
        ctx.actor()
            .map(|a| crate::graphql::objects::viewer::Viewer(a.clone()))
            .gql()
    }

    /// Reminder, due alert or escalation.
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }

    /// A one-line title in your language.
    async fn title(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.text(ctx).await.gql()?.0)
    }

    /// The message in your language.
    async fn message(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.text(ctx).await.gql()?.1)
    }

    /// The deadline; null when you may no longer see its case.
    async fn deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deadline>> {
        let Some(d) = load(ctx, self.0.deadline_id).await.gql()? else {
            return Ok(None);
        };
        let read = crate::graphql::read::read_case(
            ctx,
            d.case_id,
            kit_entity::access::ChildData::Deadlines,
        )
        .await;
        match read {
            Ok(_) => Ok(Some(Deadline(d))),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When you marked it read.
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(Into::into)
    }
}

impl Notification {
    async fn text(&self, ctx: &Context<'_>) -> Result<(String, String)> {
        // Through the request's loaders: a page of notifications costs three statements,
        // however many it holds.
        let d: kit_entity::entities::deadline::Model =
            load_required(ctx, self.0.deadline_id).await?;
        let rule: kit_entity::entities::deadline_rule::Model =
            load_required(ctx, d.rule_id).await?;
        let case: kit_entity::entities::case::Model = load_required(ctx, d.case_id).await?;
        Ok(kit_entity::content::texts::notification_text(
            self.0.kind,
            &rule,
            &case.reference,
            d.due_at,
            viewer_language(ctx),
            ctx.state().links.public_url(),
        ))
    }
}

crate::connection!(
    NotificationConnection,
    NotificationEdge,
    Notification,
    "A page of notifications.",
    "A notification in a page of notifications."
);

/// The viewer's notifications, newest first.
///
/// # Errors
/// Database errors and malformed cursors.
pub async fn notifications(
    ctx: &Context<'_>,
    recipient: ProfessionalId,
    unread_only: bool,
    first: Option<i32>,
    after: Option<String>,
) -> Result<NotificationConnection> {
    let base = reads::notifications_of(recipient, unread_only);
    Ok(Keyset::descending(
        "notification",
        vec![(notification::Column::Id, Key::Int(0))],
    )
    .page(&ctx.state().db, base, first, after.as_deref(), |n| {
        vec![Key::Int(n.id.0)]
    })
    .await?
    .map(Notification)
    .into())
}

/// How many of the viewer's notifications are unread.
///
/// # Errors
/// Database errors.
pub async fn unread_count(ctx: &Context<'_>, recipient: ProfessionalId) -> Result<u64> {
    reads::unread_count(&ctx.state().db, recipient).await
}
