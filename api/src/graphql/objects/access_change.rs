//! Changes to what professionals may see, as the organization's administrators audit them:
//! `Organization.accessChanges`.

use async_graphql::{Context, Object};
use kit_entity::Result;
use kit_entity::entities::{access_change, organization};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::AccessChangeKind;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::directory::{Professional, Unit};
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;

/// GraphQL `AccessChange` over `access_change::Model`, described on its `#[Object]` impl.
pub struct AccessChange(pub access_change::Model);

/// One recorded change to what a professional may see: a move between units, a change of
/// unit leadership, or a unit becoming (or ceasing to be) the intake unit. Need-to-know follows
/// from these facts, so every change to them is kept.
#[Object]
impl AccessChange {
    /// Global id of the change: opaque, stable, and accepted by `node(id:)` (for the
    /// organization's administrators).
    pub async fn id(&self) -> async_graphql::ID {
        use crate::graphql::ids::NodeId;
        self.0.id.to_global()
    }

    /// When it was made.
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }

    /// Who made it; null when it was made from the command line (`kit-api create-admin`,
    /// `seed`).
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.changed_by_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
            None => Ok(None),
        }
    }

    /// What changed.
    async fn kind(&self) -> AccessChangeKind {
        self.0.kind.into()
    }

    /// The professional concerned (MEMBER_OF_UNIT, LEADS_UNIT).
    async fn professional(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.professional_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
            None => Ok(None),
        }
    }

    /// The unit concerned (UNIT_IS_INTAKE).
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        unit_opt(ctx, self.0.unit_id).await
    }

    /// The unit before (MEMBER_OF_UNIT, LEADS_UNIT); null for none (a new professional, or
    /// one who led no unit).
    async fn unit_before(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        unit_opt(ctx, self.0.unit_before_id).await
    }

    /// The unit after (MEMBER_OF_UNIT, LEADS_UNIT); null for none (leads no unit any more).
    async fn unit_after(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        unit_opt(ctx, self.0.unit_after_id).await
    }

    /// Whether the unit was the intake unit before (UNIT_IS_INTAKE); null for a new unit.
    async fn intake_before(&self) -> Option<bool> {
        self.0.flag_before
    }

    /// Whether the unit is the intake unit after (UNIT_IS_INTAKE).
    async fn intake_after(&self) -> Option<bool> {
        self.0.flag_after
    }
}

async fn unit_opt(
    ctx: &Context<'_>,
    id: Option<kit_entity::ids::UnitId>,
) -> async_graphql::Result<Option<Unit>> {
    match id {
        Some(id) => Ok(load(ctx, id).await.gql()?.map(Unit)),
        None => Ok(None),
    }
}

crate::connection!(
    AccessChangeConnection,
    AccessChangeEdge,
    AccessChange,
    "A page of an organization's changes to need-to-know, newest first.",
    "A change in a page of an organization's changes to need-to-know."
);

/// An organization's changes to need-to-know, newest first, for its administrators.
///
/// # Errors
/// [`Error::Forbidden`] for anyone else; bad `first` or `after`.
pub async fn of_organization(
    ctx: &Context<'_>,
    organization: &organization::Model,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Option<AccessChangeConnection>> {
    if !ctx.actor()?.administers(organization.id) {
        return Ok(None);
    }
    let base = access_change::Entity::find()
        .filter(access_change::Column::OrganizationId.eq(organization.id));
    Ok(Some(
        Keyset::descending(
            "access-change",
            vec![(access_change::Column::Id, Key::Int(0))],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |c| {
            vec![Key::Int(c.id.0)]
        })
        .await?
        .map(AccessChange)
        .into(),
    ))
}
