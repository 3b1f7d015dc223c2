//! Closure days: days an organization is closed beyond the national holidays.

use async_graphql::{Context, ID, Object};
use kit_entity::Result;
use kit_entity::entities::closure_day;
use kit_entity::ids::OrganizationId;

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::directory::Organization;
use crate::graphql::scalars::Date;

/// GraphQL `ClosureDay` over `closure_day::Model`, described on its `#[Object]` impl.
pub struct ClosureDay(pub closure_day::Model);

/// A day an organization is closed (such as 24 December): not a working day for the
/// deadlines of its cases, nor for meetings it organizes.
#[Object]
impl ClosureDay {
    /// Global id of the closure day: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The day.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }

    /// What it is ("Juleaftensdag").
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The organization that is closed that day.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }
}

/// An organization's closure days in a period, by date.
///
/// # Errors
/// Database errors.
pub async fn closure_days(
    ctx: &Context<'_>,
    organization: OrganizationId,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<ClosureDay>> {
    let rows =
        kit_entity::ops::deadlines::reads::closure_days(&ctx.state().db, organization, from, to)
            .await?;
    Ok(rows.into_iter().map(ClosureDay).collect())
}
