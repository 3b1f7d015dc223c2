//! `viewer`: the authenticated professional and what is theirs.

use async_graphql::{Context, Object};

use crate::access::Actor;
use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::directory::{Organization, Professional, Unit};
use crate::graphql::errors::IntoGraphql;

/// You: the professional the request's token belongs to.
pub struct Viewer(pub Actor);

/// You: the professional the request's token belongs to.
#[Object]
impl Viewer {
    /// Your professional record.
    async fn professional(&self) -> Professional {
        Professional(self.0.professional.clone())
    }

    /// The organization you work for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The unit you work in.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        load_required(ctx, self.0.professional.unit_id)
            .await
            .map(Unit)
            .gql()
    }

    /// True when you administer your organization's units and professionals.
    async fn is_admin(&self) -> bool {
        self.0.professional.is_admin
    }

    /// True when you belong to your municipality's intake unit: you see all its cases and
    /// take intake decisions.
    async fn is_intake_member(&self) -> bool {
        self.0.intake_for.is_some()
    }
}

/// The `viewer` query.
#[derive(Default)]
pub struct ViewerQuery;

/// The `viewer` query.
#[Object]
impl ViewerQuery {
    /// You: the professional the request's token belongs to.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        ctx.actor().map(|a| Viewer(a.clone())).gql()
    }
}
