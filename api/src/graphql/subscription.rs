//! Subscriptions, served over `graphql-transport-ws` at `/graphql/ws`. The client sends its
//! bearer token in the `connection_init` payload (`{"Authorization": "Bearer …"}`); every
//! event is for that professional only.

use async_graphql::{Context, Subscription as SubscriptionObject};
use futures_util::stream::{self, Stream, StreamExt};
use kit_entity::entities::{notification, professional};
use sea_orm::EntityTrait;
use tokio::sync::broadcast::error::RecvError;

use crate::graphql::context::ContextExt;
use crate::graphql::deadline::Notification;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::loaders::Loaders;

/// Every subscription.
#[derive(Default)]
pub struct Subscription;

/// Every subscription.
#[SubscriptionObject]
impl Subscription {
    /// Your new notifications (reminders, due alerts, escalations), as the worker writes them.
    /// Ends when your account is deactivated.
    async fn notification_added<'ctx>(
        &self,
        ctx: &Context<'ctx>,
    ) -> async_graphql::Result<impl Stream<Item = Notification> + 'ctx> {
        let actor = ctx.actor().gql()?;
        let me = actor.id();
        let db = ctx.state().db.clone();
        let loaders: &'ctx Loaders = ctx.data::<Loaders>()?;
        let announcements = ctx.state().announcements.subscribe();
        let heard = stream::unfold(announcements, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(a) => return Some((a, rx)),
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a notification subscriber fell behind");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        Ok(heard
            .filter(move |a| std::future::ready(a.recipient == me))
            .then(move |a| {
                let db = db.clone();
                async move {
                    let still_active = professional::Entity::find_by_id(me)
                        .one(&db)
                        .await
                        .ok()
                        .flatten()
                        .is_some_and(|p| p.is_active);
                    if !still_active {
                        return Err(());
                    }
                    Ok(notification::Entity::find_by_id(a.id)
                        .one(&db)
                        .await
                        .ok()
                        .flatten()
                        .filter(|n| n.recipient_id == me))
                }
            })
            .take_while(|r| std::future::ready(r.is_ok()))
            .filter_map(move |r| {
                // Each event is resolved afresh, not from what earlier events loaded.
                loaders.clear_all();
                std::future::ready(r.ok().flatten().map(Notification))
            }))
    }
}
