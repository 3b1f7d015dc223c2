//! Deadline rules as data, their versions and offsets, and the log of recomputes.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::enums::Language as DomainLanguage;
use kit_entity::entities::{deadline_recompute, deadline_rule};
use kit_entity::ids::DeadlineRuleId;
use kit_entity::ops::deadlines::{Offset, reminders};

use super::shared::{professional_opt, viewer_language};
use crate::graphql::context::{load, load_required};
use crate::graphql::enums::{
    DeadlineAlertTo, DeadlineAnchor, DeadlineEvent, Language, OffsetUnit, Sector,
};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::scalars::DateTime;

pub(crate) async fn rule_by_id(ctx: &Context<'_>, id: DeadlineRuleId) -> Result<DeadlineRule> {
    load_required(ctx, id).await.map(DeadlineRule)
}

/// An offset: how many of what.
#[derive(SimpleObject, Clone, Copy)]
pub struct DeadlineOffset {
    /// How many; negative before the anchor.
    pub value: i32,
    /// Of what.
    pub unit: OffsetUnit,
}

impl From<Offset> for DeadlineOffset {
    fn from(o: Offset) -> Self {
        Self {
            value: o.value,
            unit: o.unit.into(),
        }
    }
}

/// An offset, as input.
#[derive(InputObject, Clone, Copy)]
pub struct DeadlineOffsetInput {
    /// How many.
    pub value: i32,
    /// Of what.
    pub unit: OffsetUnit,
}

impl From<DeadlineOffsetInput> for Offset {
    fn from(o: DeadlineOffsetInput) -> Self {
        Self {
            value: o.value,
            unit: o.unit.into(),
        }
    }
}

/// GraphQL `DeadlineRule` over `deadline_rule::Model`, described on its `#[Object]` impl.
pub struct DeadlineRule(pub deadline_rule::Model);

/// One version of a deadline rule: the event that starts it, the offset, the event that meets
/// it, whom it alerts, its reminders and its escalation. The product ships defaults; an
/// organization's administrators edit them into versions of their own.
#[Object]
impl DeadlineRule {
    /// The global id (of this version).
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The stable code, the same across versions (`start-meeting`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The version, from 1.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The organization whose version it is; null for the product's default.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Organization)),
            None => Ok(None),
        }
    }

    /// True for the product's default version.
    async fn is_default(&self) -> bool {
        self.0.organization_id.is_none()
    }

    /// The name in `language`; default yours.
    async fn name(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The language; default yours.")] language: Option<Language>,
    ) -> String {
        let language = language.map_or_else(|| viewer_language(ctx), Into::into);
        match language {
            DomainLanguage::Da => self.0.name_da.clone(),
            DomainLanguage::En => self.0.name_en.clone(),
        }
    }

    /// The Danish name.
    async fn name_da(&self) -> &str {
        &self.0.name_da
    }

    /// The English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    /// What it is and the source it comes from (law, KIT, local practice).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The event that starts it.
    async fn start_event(&self) -> DeadlineEvent {
        self.0.start_event.into()
    }

    /// Narrows the starting event: meeting kinds (`NETWORK`), a case event kind, an age.
    async fn start_filter(&self) -> Option<&str> {
        self.0.start_filter.as_deref()
    }

    /// What the due time is counted from.
    async fn anchor(&self) -> DeadlineAnchor {
        self.0.anchor.into()
    }

    /// The offset from the anchor.
    async fn offset(&self) -> DeadlineOffset {
        DeadlineOffset {
            value: self.0.offset_value,
            unit: self.0.offset_unit.into(),
        }
    }

    /// The event that meets it.
    async fn met_by_event(&self) -> DeadlineEvent {
        self.0.met_by_event.into()
    }

    /// Narrows the meeting event.
    async fn met_by_filter(&self) -> Option<&str> {
        self.0.met_by_filter.as_deref()
    }

    /// True when each participating sector owes its own deadline.
    async fn per_sector(&self) -> bool {
        self.0.per_sector
    }

    /// Who is reminded and alerted.
    async fn alert_to(&self) -> DeadlineAlertTo {
        self.0.alert_to.into()
    }

    /// The sector whose responsible contact is alerted, for RESPONSIBLE_CONTACT.
    async fn alert_sector(&self) -> Option<Sector> {
        self.0.alert_sector.map(Into::into)
    }

    /// Reminders, each this long before the due time.
    async fn reminders(&self) -> Vec<DeadlineOffset> {
        reminders(&self.0).into_iter().map(Into::into).collect()
    }

    /// Working days after the due time when a missed deadline escalates to the leader of the
    /// responsible person's unit; null when it does not escalate.
    async fn escalate_after_working_days(&self) -> Option<i32> {
        self.0.escalate_after_working_days
    }

    /// When a newer version replaced it; null while it is in force.
    async fn superseded_at(&self) -> Option<DateTime> {
        self.0.superseded_at.map(Into::into)
    }

    /// Who made this version; null for the product's defaults.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        professional_opt(ctx, self.0.created_by_id).await
    }

    /// When this version was made.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// GraphQL `DeadlineRecompute` over `deadline_recompute::Model`, described on its `#[Object]` impl.
pub struct DeadlineRecompute(pub deadline_recompute::Model);

/// A logged recompute: an administrator moved an organization's running deadlines of a rule
/// to its version in force.
#[Object]
impl DeadlineRecompute {
    /// Global id of the deadline recompute: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The rule version the deadlines now run under.
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<DeadlineRule> {
        rule_by_id(ctx, self.0.rule_id).await.gql()
    }

    /// The organization whose cases it concerned.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// How many deadlines changed.
    async fn recomputed(&self) -> i32 {
        self.0.recomputed
    }

    /// Who asked.
    async fn recomputed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.recomputed_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn recomputed_at(&self) -> DateTime {
        self.0.recomputed_at.into()
    }
}
