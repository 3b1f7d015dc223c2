//! `inbox`: the referrals of a municipality waiting for the intake unit (REFERRED or
//! IN_INTAKE), oldest first.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::{case, referral};
use kit_entity::ids::{CaseId, OrganizationId};

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
        let base = kit_entity::ops::cases::inbox_of(actor, municipality).gql()?;
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
        let cases: std::collections::HashMap<CaseId, std::sync::Arc<case::Model>> = ctx
            .loaders()
            .load_many(ids)
            .await
            .map_err(|e| crate::graphql::context::db_error(&e))
            .gql()?;
        page.edges.retain(|(_, r)| cases.contains_key(&r.case_id));
        Ok(page
            .map(|referral| InboxEntry {
                case: case::Model::clone(&cases[&referral.case_id]),
                referral,
            })
            .into())
    }
}
