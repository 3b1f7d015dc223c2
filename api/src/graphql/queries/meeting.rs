//! `meeting` and `meetings`.

use async_graphql::{Context, ID, Object};
use kit_entity::ids::MeetingId;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::objects::meeting::lists::meeting_condition;
use kit_entity::ops::meetings::commands::meeting_access;

use crate::graphql::objects::*;

/// Meeting queries.
#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// One meeting. `NOT_FOUND` when it does not exist or its case is not visible to you.
    async fn meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Meeting>> {
        let id: MeetingId = decode("id", &id).gql()?;
        let (m, _, _) = meeting_access(
            &ctx.state().db,
            ctx.actor().gql()?,
            id,
            ctx.state().clock.now(),
        )
        .await
        .gql()?;
        Ok(Some(Meeting(m)))
    }

    /// Meetings of the cases you may see.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meetings to list.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "How to sort them. Default: by start time, earliest first.")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<MeetingConnection> {
        let actor = ctx.actor().gql()?;
        let condition =
            meeting_condition(actor, ctx.state().clock.now(), filter.unwrap_or_default()).gql()?;
        list(ctx, condition, order_by.unwrap_or_default(), first, after)
            .await
            .gql()
    }
}
