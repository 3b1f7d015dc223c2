//! The directory's object types: organizations, their units and their professionals.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::{organization, professional, unit};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{Language, OrganizationKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::UnitsOf;
use crate::graphql::scalars::DateTime;

use super::access_change;

/// GraphQL `Organization` over `organization::Model`, described on its `#[Object]` impl.
pub struct Organization(pub organization::Model);

/// An organization: a region's child psychiatry, a municipality, a practice, a ward, a school.
#[Object]
impl Organization {
    /// Global id of the organization: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The standard templates that apply to it: each meeting kind's agenda, then the status
    /// note and the plan — its own where its administrators set one (`setTemplate`), the
    /// product's default otherwise.
    async fn templates(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::template::Template>> {
        let all = kit_entity::ops::templates::all_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(all
            .into_iter()
            .map(crate::graphql::objects::template::Template)
            .collect())
    }

    /// Changes to what its professionals may see — moves between units, unit leadership, the
    /// intake unit — newest first, with who made each and when. For its administrators; null
    /// for anyone else (`Viewer.professional.isAdmin` of another organization, or none).
    async fn access_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last change of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<Option<access_change::AccessChangeConnection>> {
        access_change::of_organization(ctx, &self.0, first, after)
            .await
            .gql()
    }

    /// The kind, which decides the sector its professionals act for.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }

    /// Its closure days (not working days for deadlines or meetings), by date.
    async fn closure_days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From this day. Default: all.")] from: Option<
            crate::graphql::scalars::Date,
        >,
        #[graphql(desc = "To this day, included. Default: all.")] to: Option<
            crate::graphql::scalars::Date,
        >,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::deadline::ClosureDay>> {
        crate::graphql::objects::deadline::closure_days(
            ctx,
            self.0.id,
            from.map(|d| d.0),
            to.map(|d| d.0),
        )
        .await
        .gql()
    }

    /// Its units, by name.
    async fn units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        Ok(load(ctx, UnitsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .map(Unit)
            .collect())
    }

    /// Its single entry point for referrals (a municipality's intake unit and coordination
    /// committee), if it has one.
    async fn intake_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load(ctx, UnitsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .find(|u| u.is_intake)
            .map(Unit))
    }

    /// When its meetings may start, `HH:MM` in Copenhagen time.
    async fn office_hours_start(&self) -> String {
        kit_entity::domain::calendar::clock_time(self.0.office_hours_start_minute)
    }

    /// When its meetings must end, `HH:MM` in Copenhagen time.
    async fn office_hours_end(&self) -> String {
        kit_entity::domain::calendar::clock_time(self.0.office_hours_end_minute)
    }

    /// Months between follow-up meetings in its cases.
    async fn follow_up_months(&self) -> i32 {
        self.0.follow_up_months
    }

    /// The minimum working days' notice before a meeting the worker schedules (default 5).
    /// A meeting of a kind before which a deadline falls due — each sector's information
    /// before a NETWORK meeting (`information-before-network-meeting`, 5 working days ahead) —
    /// waits at least that lead plus 3 working days, so every sector has 3 working days after
    /// the invitation to prepare what it shares and the others time to read it: 8 working
    /// days for a network meeting with the defaults. A meeting set by hand at shorter notice
    /// moves the information deadline to 3 working days after the booking (or to the
    /// meeting's start, if that comes first).
    async fn meeting_notice_days(&self) -> i32 {
        self.0.meeting_notice_days
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// GraphQL `Unit` over `unit::Model`, described on its `#[Object]` impl.
pub struct Unit(pub unit::Model);

/// A unit of an organization: PPR, the family department, health visitors, SSP, a clinic…
#[Object]
impl Unit {
    /// Global id of the unit: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// True for the organization's single entry point: its members see every case of the
    /// municipality and take the intake decisions.
    async fn is_intake(&self) -> bool {
        self.0.is_intake
    }

    /// The organization it belongs to.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// GraphQL `Professional` over `professional::Model`, described on its `#[Object]` impl.
pub struct Professional(pub professional::Model);

/// A professional: a staff member of one of the organizations.
#[Object]
impl Professional {
    /// Global id of the professional: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Job title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Work e-mail address.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// Work phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// The language e-mails and notifications are written in.
    async fn language(&self) -> Language {
        self.0.language.into()
    }

    /// The unit they work in.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        load_required(ctx, self.0.unit_id).await.map(Unit).gql()
    }

    /// The organization they work for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        let unit = load_required(ctx, self.0.unit_id).await.gql()?;
        load_required(ctx, unit.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The unit they lead, if they are a leader. Escalations go to leaders, and a leader sees
    /// the cases their unit takes part in.
    async fn leads_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        match self.0.leads_unit_id {
            Some(id) => load_required(ctx, id).await.map(|u| Some(Unit(u))).gql(),
            None => Ok(None),
        }
    }

    /// True for an administrator of their organization.
    async fn is_admin(&self) -> bool {
        self.0.is_admin
    }

    /// True when they hold their organization's data-protection role.
    async fn is_data_protection(&self) -> bool {
        self.0.is_data_protection
    }

    /// False once they have left; they can no longer log in.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// Their reads of children's data, newest first (see `Case.accessLog`). For the
    /// administrators of their organization, who audit it, and for themselves; null for anyone
    /// else.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::access_log::AccessLogConnection>>
    {
        crate::graphql::objects::access_log::of_professional(ctx, &self.0, first, after)
            .await
            .gql()
    }

    /// Their login subject at the identity provider. Visible only to administrators of their
    /// organization and to themselves; null for everyone else.
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        let actor = ctx.actor().gql()?;
        if actor.id() == self.0.id {
            return Ok(Some(&self.0.subject));
        }
        let unit = load_required(ctx, self.0.unit_id).await.gql()?;
        Ok(actor
            .administers(unit.organization_id)
            .then_some(self.0.subject.as_str()))
    }
}
