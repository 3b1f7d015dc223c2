//! An offer's waiting list as the viewer may see it, and the catalogue's objects by id for
//! `node(id:)`.

use async_graphql::Context;
use chrono::Utc;
use kit_entity::domain::enums::WaitingStatus;
use kit_entity::entities::{case, early_intervention_offer as offer, waiting_entry};
use kit_entity::ids::OfferId;
use kit_entity::{Error, Result};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::WaitingListEntryConnection;
use super::types::{Offer, WaitingListEntry};
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

/// Loads an offer for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the actor may not read it.
pub async fn node_offer(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: OfferId,
) -> Result<Offer> {
    offer::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| catalogue::may_read(actor, o))
        .map(Offer)
        .ok_or_else(|| Error::not_found("early intervention offer"))
}

/// Loads a cohort for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the actor may not read its offer.
pub async fn node_cohort(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: kit_entity::ids::CohortId,
) -> Result<super::types::Cohort> {
    use kit_entity::entities::early_intervention_cohort as cohort;
    let c = cohort::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("cohort"))?;
    node_offer(db, actor, c.offer_id).await?;
    Ok(super::types::Cohort(c))
}

/// Loads a waiting-list entry for `node(id:)`: its case must be visible (the read is logged
/// by the caller).
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or its case is not visible.
pub async fn node_entry(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: kit_entity::ids::WaitingEntryId,
    now: chrono::DateTime<Utc>,
) -> Result<waiting_entry::Model> {
    let e = waiting_entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("waiting-list entry"))?;
    kit_entity::access::case_access(db, actor, e.case_id, now).await?;
    Ok(e)
}
