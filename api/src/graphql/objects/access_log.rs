//! The access log as the API shows it: `Case.accessLog`, for those who manage the case.

use async_graphql::{Context, Object};
use kit_entity::Result;
use kit_entity::entities::{access_log, case, professional, unit};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::enums::{AccessBasis, AccessKind, ChildData};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::directory::Professional;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::read::{case_access_loaded, required_access};
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData as Kind;

/// GraphQL `AccessLogEntry` over `access_log::Model`, described on its `#[Object]` impl.
pub struct AccessLogEntry(pub access_log::Model);

/// One professional's reads of a case's data in one response (or one subscription event), or
/// their change to it in one mutation.
#[Object]
impl AccessLogEntry {
    /// Global id of the entry: opaque, stable, and accepted by `node(id:)` (for whoever may
    /// read the log it is in).
    pub async fn id(&self) -> async_graphql::ID {
        use crate::graphql::ids::NodeId;
        self.0.id.to_global()
    }

    /// When the data was read or changed.
    async fn read_at(&self) -> DateTime {
        self.0.read_at.into()
    }

    /// READ or CHANGE.
    async fn kind(&self) -> AccessKind {
        self.0.kind.into()
    }

    /// The case whose data was read; null when you may not see it (in a professional's log).
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Case>> {
        let case: case::Model = load_required(ctx, self.0.case_id).await.gql()?;
        Ok(case_access_loaded(ctx, &case)
            .await
            .gql()?
            .map(|_| Case(case)))
    }

    /// The case's reference (`KIT-2026-000042`): it names no one, and tells an auditor which
    /// case to follow up.
    async fn case_reference(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let case: case::Model = load_required(ctx, self.0.case_id).await.gql()?;
        Ok(case.reference)
    }

    /// Who read it.
    async fn professional(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.professional_id)
            .await
            .map(Professional)
            .gql()
    }

    /// Why they may: the basis of their access when they read it.
    async fn basis(&self) -> AccessBasis {
        self.0.basis.into()
    }

    /// What they read or changed.
    async fn what(&self) -> Vec<ChildData> {
        Kind::parse_list(&self.0.what)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// The GraphQL operation, as `name(rootField,…)`; `anonymous` when it had no name.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// The server's request id (the `x-request-id` response header and the server's log
    /// line), or `ws-…` for a subscription connection. Always the server's own.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }

    /// The `x-request-id` the client sent with the request, if any: the client's own label,
    /// kept beside the server's id and proving nothing.
    async fn client_request_id(&self) -> Option<&str> {
        self.0.client_request_id.as_deref()
    }
}

crate::connection!(
    AccessLogConnection,
    AccessLogEdge,
    AccessLogEntry,
    "A page of a case's access log, newest first.",
    "An entry in a page of a case's access log."
);

/// A case's access log, newest first. Only those who manage the case (the intake unit, a
/// responsible contact, the intervention lead) may read it.
///
/// # Errors
/// [`Error::Forbidden`] for anyone else who sees the case; bad `first` or `after`.
pub async fn of_case(
    ctx: &Context<'_>,
    case: &case::Model,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Option<AccessLogConnection>> {
    if !required_access(ctx, case).await?.can_manage() {
        return Ok(None);
    }
    list(ctx, access_log::Column::CaseId.eq(case.id), first, after)
        .await
        .map(Some)
}

/// A professional's reads of children's data, newest first: for an audit by the
/// administrators of their organization, and for themselves.
///
/// # Errors
/// [`Error::Forbidden`] for anyone else; bad `first` or `after`.
pub async fn of_professional(
    ctx: &Context<'_>,
    professional: &professional::Model,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Option<AccessLogConnection>> {
    let actor = ctx.actor()?;
    if actor.id() != professional.id {
        let unit: unit::Model = load_required(ctx, professional.unit_id).await?;
        if !actor.administers(unit.organization_id) {
            return Ok(None);
        }
    }
    list(
        ctx,
        access_log::Column::ProfessionalId.eq(professional.id),
        first,
        after,
    )
    .await
    .map(Some)
}

async fn list(
    ctx: &Context<'_>,
    condition: sea_orm::sea_query::SimpleExpr,
    first: Option<i32>,
    after: Option<String>,
) -> Result<AccessLogConnection> {
    let base = access_log::Entity::find().filter(condition);
    Ok(
        Keyset::descending("access", vec![(access_log::Column::Id, Key::Int(0))])
            .page(&ctx.state().db, base, first, after.as_deref(), |e| {
                vec![Key::Int(e.id.0)]
            })
            .await?
            .map(AccessLogEntry)
            .into(),
    )
}
