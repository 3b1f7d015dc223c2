//! Reading the directory: organizations, units and professionals by name, for pickers.

use async_graphql::{Context, ID, InputObject, Object};
use kit_entity::entities::{organization, professional, unit};
use kit_entity::ids::{OrganizationId, UnitId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::OrganizationKind;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode_opt;
use crate::graphql::objects::*;
use crate::graphql::pagination::{Key, Keyset};

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
        let mut base = organization::Entity::find();
        if let Some(kind) = kind {
            base = base.filter(organization::Column::Kind.eq(kinded(kind)));
        }
        Ok(Keyset::ascending(
            "name",
            vec![
                (organization::Column::Name, Key::Text(String::new())),
                (organization::Column::Id, Key::Int(0)),
            ],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |o| {
            vec![Key::Text(o.name.clone()), Key::Int(o.id.0)]
        })
        .await
        .gql()?
        .map(Organization)
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
        Ok(Keyset::ascending(
            "name",
            vec![
                (professional::Column::Name, Key::Text(String::new())),
                (professional::Column::Id, Key::Int(0)),
            ],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |p| {
            vec![Key::Text(p.name.clone()), Key::Int(p.id.0)]
        })
        .await
        .gql()?
        .map(Professional)
        .into())
    }
}

fn kinded(kind: OrganizationKind) -> kit_entity::domain::enums::OrganizationKind {
    kind.into()
}
