//! Helpers the deadline types share: the viewer's language and optional references.

use async_graphql::Context;
use kit_entity::domain::enums::Language as DomainLanguage;
use kit_entity::ids::{AgreementId, ProfessionalId};

use crate::graphql::context::{ContextExt, load};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::directory::Professional;
use crate::graphql::objects::plan::Agreement;

pub(crate) fn viewer_language(ctx: &Context<'_>) -> DomainLanguage {
    ctx.actor()
        .map_or(DomainLanguage::Da, |a| a.professional.language)
}

pub(crate) async fn professional_opt(
    ctx: &Context<'_>,
    id: Option<ProfessionalId>,
) -> async_graphql::Result<Option<Professional>> {
    match id {
        Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
        None => Ok(None),
    }
}

pub(crate) async fn agreement_opt(
    ctx: &Context<'_>,
    id: Option<AgreementId>,
) -> async_graphql::Result<Option<Agreement>> {
    match id {
        Some(id) => Ok(load(ctx, id).await.gql()?.map(Agreement)),
        None => Ok(None),
    }
}
