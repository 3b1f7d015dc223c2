//! `inbox`: the referrals of a municipality waiting for the intake unit (REFERRED or
//! IN_INTAKE), oldest first.

use async_graphql::{Context, ID, Object};
use kit_entity::Error;
use kit_entity::domain::status::CaseStatus;
use kit_entity::entities::{case, referral};
use kit_entity::ids::{CaseId, OrganizationId};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::objects::inbox::*;
use crate::graphql::pagination::{Key, Keyset};

/// The inbox query.
#[derive(Default)]
pub struct InboxQuery;

#[Object]
impl InboxQuery {
    /// The single entry point's inbox: the municipality's referrals in REFERRED or IN_INTAKE,
    /// oldest first, with how long each has waited and its open intake deadlines. For the
    /// municipality's intake unit; FORBIDDEN for anyone else.
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] municipality_id: ID,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the referrals after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<InboxConnection> {
        let actor = ctx.actor().gql()?;
        let municipality: OrganizationId = decode("municipalityId", &municipality_id).gql()?;
        if actor.intake_for != Some(municipality) {
            return Err(Error::forbidden(
                "only the municipality's intake unit works its inbox",
            ))
            .gql();
        }
        let waiting = Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .and_where(case::Column::MunicipalityId.eq(municipality))
            .and_where(case::Column::Status.is_in([CaseStatus::Referred, CaseStatus::InIntake]))
            .to_owned();
        let base = referral::Entity::find().filter(referral::Column::CaseId.in_subquery(waiting));
        let db = &ctx.state().db;
        let mut page = Keyset::ascending(
            "inbox",
            vec![
                (
                    referral::Column::ReceivedAt,
                    Key::Time(chrono::DateTime::UNIX_EPOCH),
                ),
                (referral::Column::Id, Key::Int(0)),
            ],
        )
        .page(db, base, first, after.as_deref(), |r| {
            vec![Key::Time(r.received_at), Key::Int(r.id.0)]
        })
        .await
        .gql()?;
        let ids: Vec<CaseId> = page.edges.iter().map(|(_, r)| r.case_id).collect();
        let cases: std::collections::HashMap<CaseId, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .all(db)
            .await
            .map_err(Error::from)
            .gql()?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        ctx.loaders()
            .prime(cases.iter().map(|(id, c)| (*id, c.clone())));
        page.edges.retain(|(_, r)| cases.contains_key(&r.case_id));
        Ok(page
            .map(|referral| InboxEntry {
                case: cases[&referral.case_id].clone(),
                referral,
            })
            .into())
    }
}
