//! The family's links to the plan: sending, revoking, and what professionals see of them.

use async_graphql::{Context, Enum, ID, Object};
use kit_entity::entities::{plan_link, plan_link_read};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{DeliveryStatus, Language};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::child::FamilyMember;
use crate::graphql::objects::directory::Professional;
use crate::graphql::objects::plan::PlanVersion;
use crate::graphql::scalars::DateTime;
use kit_entity::ops::plan_links;

/// Whether a plan link still opens the plan.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PlanLinkStatus {
    /// It opens the current plan.
    Active,
    /// Its time ran out.
    Expired,
    /// Someone who manages the case revoked it.
    Revoked,
}

/// How the plan was read through a link.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "kit_entity::domain::enums::PlanFormat")]
pub enum PlanFormat {
    /// The web page.
    Html,
    /// The PDF.
    Pdf,
}

/// GraphQL `PlanLink` over `plan_link::Model`.
pub struct PlanLink(pub plan_link::Model);

/// A guardian's or the young person's personal link to the case's current plan, sent by
/// e-mail. The link itself is never shown again: only its holder has it.
#[Object]
impl PlanLink {
    /// Global id: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case whose plan it opens.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// The guardian it was sent to; null when it was sent to the young person.
    async fn family_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<FamilyMember>> {
        match self.0.family_member_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(FamilyMember)),
            None => Ok(None),
        }
    }

    /// True when it was sent to the young person.
    async fn young_person(&self) -> bool {
        self.0.young_person
    }

    /// The address it was sent to.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// The language of the e-mail and the page.
    async fn language(&self) -> Language {
        self.0.language.into()
    }

    /// Whether it still opens the plan, now.
    async fn status(&self, ctx: &Context<'_>) -> PlanLinkStatus {
        if self.0.revoked_at.is_some() {
            PlanLinkStatus::Revoked
        } else if self.0.is_usable(ctx.state().clock.now()) {
            PlanLinkStatus::Active
        } else {
            PlanLinkStatus::Expired
        }
    }

    /// Where the e-mail carrying the link is: PENDING, SENT, FAILED, or SUPERSEDED when the
    /// link was revoked before it left.
    async fn email_status(&self, ctx: &Context<'_>) -> async_graphql::Result<DeliveryStatus> {
        let row = plan_links::email_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(row.status.into())
    }

    /// When it stops working.
    async fn expires_at(&self) -> DateTime {
        self.0.expires_at.into()
    }

    /// Who sent it.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.created_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(Into::into)
    }

    /// Who revoked it.
    async fn revoked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.revoked_by_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
            None => Ok(None),
        }
    }

    /// Every time the plan was read through it, newest first.
    async fn reads(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlanLinkRead>> {
        let rows = plan_links::reads_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(PlanLinkRead).collect())
    }
}

/// GraphQL `PlanLinkRead` over `plan_link_read::Model`.
pub struct PlanLinkRead(plan_link_read::Model);

/// One reading of the plan through a family link.
#[Object]
impl PlanLinkRead {
    /// When.
    async fn read_at(&self) -> DateTime {
        self.0.read_at.into()
    }

    /// The page or the PDF.
    async fn format(&self) -> PlanFormat {
        self.0.format.into()
    }

    /// The plan version shown.
    async fn plan_version(&self, ctx: &Context<'_>) -> async_graphql::Result<PlanVersion> {
        let v = plan_links::version(&ctx.state().db, self.0.plan_version_id)
            .await
            .gql()?;
        Ok(PlanVersion(v))
    }
}
