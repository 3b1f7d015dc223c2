//! Consultation queries: the offers and your own consultations.

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use kit_entity::domain::calendar::{local_date, start_of_day};
use kit_entity::entities::consultation_offer;
use kit_entity::ids::OrganizationId;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode_opt;
use crate::graphql::scalars::Date;
use kit_entity::ops::consultations;

use crate::graphql::objects::consultation::*;
use crate::graphql::pagination::{Key, Keyset};

/// Consultation queries.
#[derive(Default)]
pub struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// The consultation offers open to every professional, of one organization or of all,
    /// oldest first. Closed offers are listed only to their organization's administrators
    /// and only when `includeClosed` is set.
    async fn consultation_offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's offers.")] organization_id: Option<ID>,
        #[graphql(desc = "Also closed offers (administrators of the organization).")]
        include_closed: Option<bool>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the offers after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<ConsultationOfferConnection> {
        let actor = ctx.actor().gql()?;
        let organization =
            decode_opt::<OrganizationId>("organizationId", organization_id.as_ref()).gql()?;
        let base =
            consultations::offers_listed(actor, organization, include_closed.unwrap_or(false))
                .gql()?;
        Ok(Keyset::ascending(
            "consultation-offers",
            vec![(consultation_offer::Column::Id, Key::Int(0))],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |o| {
            vec![Key::Int(o.id.0)]
        })
        .await
        .gql()?
        .map(ConsultationOffer)
        .into())
    }

    /// Your own consultations from today on (or from `from`), earliest first.
    async fn my_consultations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From this day; today when left out.")] from: Option<Date>,
    ) -> async_graphql::Result<Vec<ConsultationBooking>> {
        let actor = ctx.actor().gql()?;
        let day: NaiveDate = from.map_or_else(|| local_date(ctx.state().clock.now()), |d| d.0);
        let rows = consultations::booked_by(&ctx.state().db, actor.id(), start_of_day(day))
            .await
            .gql()?;
        Ok(rows.into_iter().map(ConsultationBooking).collect())
    }
}
