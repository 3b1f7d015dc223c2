//! The deadline queries: `deadlines`, `deadlineRules`, `deadlineRecomputes`,
//! `closureDays`, `timelinessReport`.

use async_graphql::{Context, ID, Object};
use kit_entity::ids::OrganizationId;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::objects::deadline::report::TimelinessReport;
use crate::graphql::objects::deadline::rule::{DeadlineRecompute, DeadlineRule};
use crate::graphql::objects::deadline::types::{
    DeadlineConnection, DeadlineFilter, deadline_condition, list,
};
use crate::graphql::scalars::Date;
use kit_entity::ops::deadlines::reads;

/// Deadline queries.
#[derive(Default)]
pub struct DeadlineQuery;

#[Object]
impl DeadlineQuery {
    /// Deadlines of the cases you may see, earliest due first.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deadlines to list.")] filter: Option<DeadlineFilter>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the deadlines after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<DeadlineConnection> {
        let actor = ctx.actor().gql()?;
        let condition =
            deadline_condition(actor, ctx.state().clock.now(), filter.unwrap_or_default()).gql()?;
        list(ctx, condition, first, after).await.gql()
    }

    /// The deadline rules in force for an organization, by code: its own versions where it
    /// has edited a rule, the product's defaults otherwise. With `includeHistory`, every
    /// version, including superseded ones.
    async fn deadline_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
        #[graphql(desc = "Also list superseded versions. Default false.", default)]
        include_history: bool,
    ) -> async_graphql::Result<Vec<DeadlineRule>> {
        ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        let db = &ctx.state().db;
        let rules = if include_history {
            reads::rule_history(db, org).await.gql()?
        } else {
            kit_entity::ops::deadlines::rules_in_force(db, org)
                .await
                .gql()?
        };
        Ok(rules.into_iter().map(DeadlineRule).collect())
    }

    /// The logged recomputes of an organization's deadlines, newest first. Administrators of
    /// the organization only.
    async fn deadline_recomputes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
    ) -> async_graphql::Result<Vec<DeadlineRecompute>> {
        let actor = ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        actor.require_admin_of(org).gql()?;
        let rows = reads::recomputes_of(&ctx.state().db, org).await.gql()?;
        Ok(rows.into_iter().map(DeadlineRecompute).collect())
    }

    /// How timely the organization's cases were: every deadline that fell due from `from` to
    /// `to` (both included, Europe/Copenhagen), per rule. For the organization's own people.
    async fn timeliness_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] organization_id: ID,
        #[graphql(desc = "The first day.")] from: Date,
        #[graphql(desc = "The last day, included.")] to: Date,
    ) -> async_graphql::Result<TimelinessReport> {
        let actor = ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        let rules = kit_entity::ops::deadlines::manage::report(
            &ctx.state().db,
            actor,
            ctx.state().clock.now(),
            org,
            from.0,
            to.0,
        )
        .await
        .gql()?;
        // `report` has checked that the actor may see the organization's figures.
        let offers = kit_entity::ops::catalogue::figures(
            &ctx.state().db,
            org,
            kit_entity::domain::calendar::local_date(ctx.state().clock.now()),
            from.0,
            to.0,
        )
        .await
        .gql()?;
        Ok(TimelinessReport {
            organization: org,
            from: from.0,
            to: to.0,
            rules,
            offers,
        })
    }
}
