//! `viewer`: the authenticated professional and what is theirs.

use async_graphql::{Context, Object};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::directory::{Organization, Professional, Unit};
use kit_entity::access::Actor;
use kit_entity::ops::meetings::reads as calendar;

/// GraphQL `Viewer` over `Actor`, described on its `#[Object]` impl.
pub struct Viewer(pub Actor);

/// You: the professional the request's token belongs to.
#[Object]
impl Viewer {
    /// Global id of you as the viewer: opaque, stable, and accepted by `node(id:)` (yours
    /// only). Lets a normalized cache keep the viewer's fields across queries.
    pub async fn id(&self) -> async_graphql::ID {
        use crate::graphql::ids::NodeId;
        crate::graphql::ids::ViewerId(self.0.id()).to_global()
    }

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

    /// Your scheduled meetings that have not ended, earliest first: those you are invited to
    /// and those you organize.
    async fn upcoming_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor (a page's `endCursor`).")]
        after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::objects::meeting::MeetingConnection> {
        crate::graphql::objects::meeting::upcoming(ctx, &self.0, first, after)
            .await
            .gql()
    }

    /// The deadlines you answer for (those whose reminders and alerts come to you, as
    /// `DeadlineFilter.responsibleId` has it), earliest due first: "my deadlines" without
    /// asking who you are first.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which of them; a `responsibleId` in it must be yours.")] filter: Option<
            crate::graphql::objects::deadline::DeadlineFilter,
        >,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the deadlines after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::objects::deadline::DeadlineConnection> {
        crate::graphql::objects::deadline::of_viewer(ctx, &self.0, filter, first, after)
            .await
            .gql()
    }

    /// Your notifications about deadlines, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones. Default false.", default)] unread_only: bool,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the notifications after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::objects::deadline::NotificationConnection> {
        crate::graphql::objects::deadline::notifications(
            ctx,
            self.0.id(),
            unread_only,
            first,
            after,
        )
        .await
        .gql()
    }

    /// The coordination committee's decisions on the referrals you sent, newest first.
    async fn referral_decisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones. Default false.", default)] unread_only: bool,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the decisions after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::objects::referral_decision::ReferralDecisionConnection>
    {
        crate::graphql::objects::referral_decision::of_recipient(
            ctx,
            self.0.id(),
            unread_only,
            first,
            after,
        )
        .await
        .gql()
    }

    /// How many of your notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        crate::graphql::objects::deadline::unread_count(ctx, self.0.id())
            .await
            .gql()
    }

    /// The periods you registered as busy, from today on.
    async fn busy_periods(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::meeting::BusyPeriod>> {
        let now = ctx.state().clock.now();
        let rows = calendar::busy_periods_ahead(&ctx.state().db, self.0.id(), now)
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(crate::graphql::objects::meeting::BusyPeriod)
            .collect())
    }

    /// The calendar feeds you created, revoked ones included.
    async fn calendar_feeds(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::meeting::CalendarFeed>> {
        let rows = calendar::feeds_created_by(&ctx.state().db, self.0.id())
            .await
            .gql()?;
        Ok(rows
            .into_iter()
            .map(crate::graphql::objects::meeting::CalendarFeed)
            .collect())
    }
}
