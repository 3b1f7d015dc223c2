//! An offer's waiting list as the viewer may see it, and the catalogue's objects by id for
//! `node(id:)`.

use async_graphql::Context;
use kit_entity::Result;
use kit_entity::domain::enums::WaitingStatus;
use kit_entity::entities::{case, early_intervention_offer as offer, waiting_entry};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::WaitingListEntryConnection;
use super::types::WaitingListEntry;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::read::read_case;
use kit_entity::access;
use kit_entity::access::ChildData;
use kit_entity::ops::catalogue::{self};

/// An offer's waiting list in queue order, as the viewer may see it: the entries of the
/// cases their access decision permits with the child's data shared (the same rule as
/// `cases`), each read noted for the access log.
///
/// # Errors
/// [`Error::Validation`] on `first` or `after`; database errors.
pub async fn waiting_list(
    ctx: &Context<'_>,
    offer: &offer::Model,
    statuses: Vec<WaitingStatus>,
    first: Option<i32>,
    after: Option<&str>,
) -> Result<WaitingListEntryConnection> {
    let actor = ctx.actor()?;
    let now = ctx.state().clock.now();
    let seen = Query::select()
        .column(case::Column::Id)
        .from(case::Entity)
        .cond_where(access::visible_cases(actor))
        .cond_where(access::shared_cases(actor, now))
        .to_owned();
    let query = waiting_entry::Entity::find()
        .filter(waiting_entry::Column::OfferId.eq(offer.id))
        .filter(waiting_entry::Column::Status.is_in(statuses))
        .filter(waiting_entry::Column::CaseId.in_subquery(seen));
    let page = Keyset::ascending(
        "waiting",
        vec![
            (
                waiting_entry::Column::PlacedAt,
                Key::Time(chrono::DateTime::UNIX_EPOCH),
            ),
            (waiting_entry::Column::Id, Key::Int(0)),
        ],
    )
    .page(&ctx.state().db, query, first, after, |m| {
        vec![Key::Time(m.placed_at), Key::Int(m.id.0)]
    })
    .await?;
    for (_, row) in &page.edges {
        read_case(ctx, row.case_id, ChildData::EarlyInterventions).await?;
    }
    let mut queue = catalogue::queue(
        &ctx.state().db,
        offer.id,
        kit_entity::domain::calendar::local_date(now),
    )
    .await?;
    Ok(page
        .map(|model| {
            let placement = queue.placements.remove(&model.id).unwrap_or_default();
            WaitingListEntry { model, placement }
        })
        .into())
}
