//! `committeeMeetings`: a municipality's coordination committee meetings.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::committee_meeting;
use kit_entity::ids::OrganizationId;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::objects::committee::*;
use crate::graphql::pagination::{Key, Keyset};

/// Committee queries.
#[derive(Default)]
pub struct CommitteeQuery;

#[Object]
impl CommitteeQuery {
    /// A municipality's coordination committee meetings, latest first: for its intake unit,
    /// and for each meeting's members the meetings they sit on.
    async fn committee_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] municipality_id: ID,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<CommitteeMeetingConnection> {
        let actor = ctx.actor().gql()?;
        let municipality: OrganizationId = decode("municipalityId", &municipality_id).gql()?;
        let base = kit_entity::ops::committee::meetings_seen_by(actor, municipality);
        Ok(Keyset::descending(
            "committee-meetings",
            vec![(committee_meeting::Column::Id, Key::Int(0))],
        )
        .page(&ctx.state().db, base, first, after.as_deref(), |m| {
            vec![Key::Int(m.id.0)]
        })
        .await
        .gql()?
        .map(CommitteeMeeting)
        .into())
    }
}
