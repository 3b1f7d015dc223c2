//! Organizations, units and professionals: the directory every screen picks people from.

pub mod access_change;
mod mutation;

use async_graphql::{Context, ID, InputObject, Object};
use kit_entity::entities::{organization, professional, unit};
use kit_entity::ids::{OrganizationId, UnitId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub use mutation::DirectoryMutation;

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{Language, OrganizationKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode_opt};
use crate::graphql::loaders::UnitsOf;
use crate::graphql::pagination::{TotalCount, decode_cursor, encode_cursor, page, page_size};
use crate::graphql::scalars::DateTime;

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

    /// Changes to what its professionals may see — moves between units, unit leadership, the
    /// intake unit — newest first, with who made each and when. For its administrators;
    /// anyone else gets FORBIDDEN.
    async fn access_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last change of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<access_change::AccessChangeConnection> {
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
    ) -> async_graphql::Result<Vec<crate::graphql::deadline::ClosureDay>> {
        crate::graphql::deadline::closure_days(ctx, self.0.id, from.map(|d| d.0), to.map(|d| d.0))
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
        hh_mm(self.0.office_hours_start_minute)
    }

    /// When its meetings must end, `HH:MM` in Copenhagen time.
    async fn office_hours_end(&self) -> String {
        hh_mm(self.0.office_hours_end_minute)
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

fn hh_mm(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
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

    /// False once they have left; they can no longer log in.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// Their reads of children's data, newest first (see `Case.accessLog`). For the
    /// administrators of their organization, who audit it, and for themselves; anyone else
    /// gets FORBIDDEN.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::access_log::AccessLogConnection> {
        crate::graphql::access_log::of_professional(ctx, &self.0, first, after)
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

/// Which professionals to list.
#[derive(InputObject, Default)]
pub struct ProfessionalFilter {
    /// Only professionals of this organization.
    pub organization_id: Option<ID>,
    /// Only professionals of this unit.
    pub unit_id: Option<ID>,
    /// Only professionals whose name, title or e-mail contains this text (case-insensitive).
    pub text: Option<String>,
    /// Include professionals who have left. Default false.
    #[graphql(default)]
    pub include_inactive: bool,
}

crate::connection!(
    OrganizationConnection,
    OrganizationEdge,
    Organization,
    "A page of organizations, by name.",
    "An organization in a page of organizations."
);
crate::connection!(
    ProfessionalConnection,
    ProfessionalEdge,
    Professional,
    "A page of professionals, by name.",
    "A professional in a page of professionals."
);

/// A `name > n OR (name = n AND id > i)` keyset condition, with its cursor codec.
fn name_cursor(name: &str, id: i64) -> String {
    encode_cursor(&format!("name:{id}:{name}"))
}

fn after_name<C: ColumnTrait>(
    after: Option<&str>,
    name_col: C,
    id_col: C,
) -> Result<Option<Condition>> {
    let Some(after) = after else { return Ok(None) };
    let rest = decode_cursor(after, "name")?;
    let (id, name) = rest
        .split_once(':')
        .and_then(|(id, name)| id.parse::<i64>().ok().map(|id| (id, name.to_owned())))
        .ok_or_else(|| Error::invalid("after", "is not a cursor of this list"))?;
    Ok(Some(Condition::any().add(name_col.gt(name.clone())).add(
        Condition::all().add(name_col.eq(name)).add(id_col.gt(id)),
    )))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
#[must_use]
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Directory queries.
#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// All organizations, by name. Any authenticated professional may list them.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only organizations of this kind.")] kind: Option<OrganizationKind>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the organizations after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<OrganizationConnection> {
        ctx.actor().gql()?;
        let limit = page_size(first).gql()?;
        let mut base = organization::Entity::find();
        if let Some(kind) = kind {
            base = base.filter(organization::Column::Kind.eq(kinded(kind)));
        }
        let total = TotalCount::of(base.clone(), &ctx.state().db);
        let mut query = base;
        if let Some(c) = after_name(
            after.as_deref(),
            organization::Column::Name,
            organization::Column::Id,
        )
        .gql()?
        {
            query = query.filter(c);
        }
        let rows = query
            .order_by_asc(organization::Column::Name)
            .order_by_asc(organization::Column::Id)
            .limit(limit + 1)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            total,
            |o| name_cursor(&o.name, o.id.0),
            Organization,
        )
        .into())
    }

    /// Professionals, by name. Any authenticated professional may list them, to pick
    /// participants and contacts.
    async fn professionals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which professionals to list.")] filter: Option<ProfessionalFilter>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the professionals after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<ProfessionalConnection> {
        ctx.actor().gql()?;
        let filter = filter.unwrap_or_default();
        let limit = page_size(first).gql()?;
        let mut base = professional::Entity::find();
        if !filter.include_inactive {
            base = base.filter(professional::Column::IsActive.eq(true));
        }
        if let Some(org) =
            decode_opt::<OrganizationId>("filter.organizationId", filter.organization_id.as_ref())
                .gql()?
        {
            base = base.filter(
                professional::Column::UnitId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(unit::Column::Id)
                        .from(unit::Entity)
                        .and_where(unit::Column::OrganizationId.eq(org))
                        .to_owned(),
                ),
            );
        }
        if let Some(unit) = decode_opt::<UnitId>("filter.unitId", filter.unit_id.as_ref()).gql()? {
            base = base.filter(professional::Column::UnitId.eq(unit));
        }
        if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let pattern = like_pattern(text);
            let like = |col: professional::Column| {
                Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(col)))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
            };
            base = base.filter(
                Condition::any()
                    .add(like(professional::Column::Name))
                    .add(like(professional::Column::Title))
                    .add(like(professional::Column::Email)),
            );
        }
        let total = TotalCount::of(base.clone(), &ctx.state().db);
        let mut query = base;
        if let Some(c) = after_name(
            after.as_deref(),
            professional::Column::Name,
            professional::Column::Id,
        )
        .gql()?
        {
            query = query.filter(c);
        }
        let rows = query
            .order_by_asc(professional::Column::Name)
            .order_by_asc(professional::Column::Id)
            .limit(limit + 1)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            total,
            |p| name_cursor(&p.name, p.id.0),
            Professional,
        )
        .into())
    }
}

fn kinded(kind: OrganizationKind) -> kit_entity::domain::enums::OrganizationKind {
    kind.into()
}
