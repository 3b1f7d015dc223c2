//! `earlyInterventionOffers` and one offer.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::early_intervention_offer as offer;
use kit_entity::ids::OrganizationId;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::objects::Offer;
use crate::graphql::objects::OfferConnection;
use crate::graphql::pagination::{Key, Keyset};
use kit_entity::ops::catalogue::{self};

/// Catalogue queries.
#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// A municipality's catalogue of early interventions, in the order they were created.
    /// Its professionals see every offer; a professional of another organization sees the
    /// offers their own unit provides (none otherwise).
    async fn early_intervention_offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] municipality_id: ID,
        #[graphql(
            desc = "Include offers that take no one any more. Default false.",
            default
        )]
        include_inactive: bool,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the offers after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<OfferConnection> {
        let actor = ctx.actor().gql()?;
        let municipality: OrganizationId = decode("municipalityId", &municipality_id).gql()?;
        let mut query = offer::Entity::find()
            .filter(offer::Column::MunicipalityId.eq(municipality))
            .filter(catalogue::readable(actor));
        if !include_inactive {
            query = query.filter(offer::Column::IsActive.eq(true));
        }
        Ok(
            Keyset::ascending("offer", vec![(offer::Column::Id, Key::Int(0))])
                .page(&ctx.state().db, query, first, after.as_deref(), |o| {
                    vec![Key::Int(o.id.0)]
                })
                .await
                .gql()?
                .map(Offer)
                .into(),
        )
    }
}
