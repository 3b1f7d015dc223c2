//! An organization's standard templates: agendas, the status note, the plan.

use async_graphql::{Context, Object, SimpleObject};
use kit_entity::domain::templates;
use kit_entity::ops::templates::Effective;

use crate::graphql::context::load_required;
use crate::graphql::enums::{MeetingKind, TemplateKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::scalars::DateTime;

/// GraphQL `Template` over `ops::templates::Effective`, described on its `#[Object]` impl.
pub struct Template(pub Effective);

/// A standard template ("standardiseret skabelon") as it applies to an organization: a
/// meeting kind's agenda, the status note or the plan, its items in priority order. A meeting
/// starts with its kind's agenda — the organizer's organization's own, else the case's
/// municipality's — whose items can then be edited and reordered until it is held. A value,
/// not a node: it is named by its organization, kind and meeting kind.
#[Object]
impl Template {
    /// The organization it applies to.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// Agenda, status note or plan.
    async fn kind(&self) -> TemplateKind {
        self.0.kind.into()
    }

    /// For an agenda, the meeting kind it is for; null otherwise.
    async fn meeting_kind(&self) -> Option<MeetingKind> {
        self.0.meeting_kind.map(Into::into)
    }

    /// True while the organization uses the product's default.
    async fn is_default(&self) -> bool {
        self.0.row.is_none()
    }

    /// 0 for the product's default, then 1, 2 … with each change the organization makes.
    async fn version(&self) -> i32 {
        self.0.row.as_ref().map_or(0, |r| r.version)
    }

    /// The items in priority order.
    async fn items(&self) -> Vec<TemplateItem> {
        self.0
            .items
            .iter()
            .map(|i| TemplateItem {
                title: i.title.clone(),
                guidance: i.guidance.clone(),
                closed: i.closed,
            })
            .collect()
    }

    /// The items as a text outline (`## title`, then the guidance): what a status note
    /// written from the template begins with.
    async fn outline(&self) -> String {
        templates::outline(&self.0.items)
    }

    /// Who last changed it; null for the product's default.
    async fn updated_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match &self.0.row {
            Some(r) => load_required(ctx, r.updated_by_id)
                .await
                .map(|p| Some(Professional(p)))
                .gql(),
            None => Ok(None),
        }
    }

    /// When; null for the product's default.
    async fn updated_at(&self) -> Option<DateTime> {
        self.0.row.as_ref().map(|r| r.updated_at.into())
    }
}

/// One item of a template: an agenda item, or a section of a status note or the plan.
#[derive(SimpleObject)]
pub struct TemplateItem {
    /// Its title.
    pub title: String,
    /// What it is for.
    pub guidance: Option<String>,
    /// Discussed in the meeting's closed part: only the professionals taking part see it.
    pub closed: bool,
}
