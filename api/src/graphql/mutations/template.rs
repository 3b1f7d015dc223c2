//! Setting and resetting an organization's standard templates.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::domain::templates::TemplateItem;
use kit_entity::ids::OrganizationId;
use kit_entity::ops::templates;

use crate::graphql::enums::{MeetingKind, TemplateKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::mutations::Write;
use crate::graphql::objects::template::Template;

/// One item of a template.
#[derive(InputObject)]
pub struct TemplateItemInput {
    /// Its title, 1–500 characters; no two items of a template share one.
    pub title: String,
    /// What it is for, 1–4000 characters.
    pub guidance: Option<String>,
    /// Discussed in the meeting's closed part. Default false.
    #[graphql(default)]
    pub closed: bool,
}

/// Sets one of an organization's templates.
#[derive(InputObject)]
pub struct SetTemplateInput {
    /// The organization; you administer it.
    pub organization_id: ID,
    /// Agenda, status note or plan.
    pub kind: TemplateKind,
    /// For an agenda, the meeting kind; left out otherwise.
    pub meeting_kind: Option<MeetingKind>,
    /// 1–30 items in priority order.
    pub items: Vec<TemplateItemInput>,
}

/// Goes back to the product's default for one of an organization's templates.
#[derive(InputObject)]
pub struct ResetTemplateInput {
    /// The organization; you administer it.
    pub organization_id: ID,
    /// Agenda, status note or plan.
    pub kind: TemplateKind,
    /// For an agenda, the meeting kind; left out otherwise.
    pub meeting_kind: Option<MeetingKind>,
}

/// A template as it now applies.
#[derive(SimpleObject)]
pub struct TemplatePayload {
    /// The template.
    pub template: Template,
}

/// Template mutations.
#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    /// Sets an organization's template, by one of its administrators: meetings created from
    /// now on start from it; meetings already planned keep their agenda.
    async fn set_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template.")] input: SetTemplateInput,
    ) -> async_graphql::Result<TemplatePayload> {
        let organization: OrganizationId =
            decode("input.organizationId", &input.organization_id).gql()?;
        let items = input
            .items
            .into_iter()
            .map(|i| TemplateItem {
                title: i.title,
                guidance: i.guidance,
                closed: i.closed,
            })
            .collect();
        let w = Write::begin(ctx).await.gql()?;
        let r = templates::set(
            &w.txn,
            w.actor,
            w.now,
            organization,
            input.kind.into(),
            input.meeting_kind.map(Into::into),
            items,
        )
        .await;
        Ok(TemplatePayload {
            template: Template(w.finish(r).await.gql()?),
        })
    }

    /// Goes back to the product's default for one of an organization's templates.
    async fn reset_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which template.")] input: ResetTemplateInput,
    ) -> async_graphql::Result<TemplatePayload> {
        let organization: OrganizationId =
            decode("input.organizationId", &input.organization_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = templates::reset(
            &w.txn,
            w.actor,
            organization,
            input.kind.into(),
            input.meeting_kind.map(Into::into),
        )
        .await;
        Ok(TemplatePayload {
            template: Template(w.finish(r).await.gql()?),
        })
    }
}
