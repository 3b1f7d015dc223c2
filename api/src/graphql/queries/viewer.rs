//! `viewer`: the authenticated professional.

use async_graphql::{Context, Object};

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::Viewer;

/// The `viewer` query.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// You: the professional the request's token belongs to.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        ctx.actor().map(|a| Viewer(a.clone())).gql()
    }
}
