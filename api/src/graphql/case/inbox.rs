//! The single entry point's inbox: the referrals of a municipality waiting for the intake
//! unit (REFERRED or IN_INTAKE), oldest first, with how long each has waited and the deadlines
//! its intake owes the child.

use async_graphql::{Context, ID, Object};
use kit_entity::domain::enums::DeadlineStatus;
use kit_entity::domain::status::CaseStatus;
use kit_entity::entities::{case, deadline, referral};
use kit_entity::ids::{CaseId, OrganizationId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::graphql::context::ContextExt;
use crate::graphql::deadline::Deadline;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::read::read_case;
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;

use super::Case;

/// A case's inbox entry by id, for `node(id:)`: for the municipality's intake unit while the
/// referral waits (REFERRED or IN_INTAKE).
///
/// # Errors
/// [`Error::NotFound`] when there is no such waiting referral for the actor's intake unit.
pub async fn node_entry(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: crate::graphql::ids::InboxEntryId,
) -> Result<InboxEntry> {
    let gone = || Error::not_found("inbox entry");
    let case = case::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .filter(|c| actor.intake_for == Some(c.municipality_id))
        .filter(|c| matches!(c.status, CaseStatus::Referred | CaseStatus::InIntake))
        .ok_or_else(gone)?;
    let referral = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(case.id))
        .one(db)
        .await?
        .ok_or_else(gone)?;
    Ok(InboxEntry { case, referral })
}

/// A referral waiting at the single entry point.
pub struct InboxEntry {
    case: case::Model,
    referral: referral::Model,
}

/// A referral waiting at the single entry point for the intake unit.
#[Object]
impl InboxEntry {
    /// Global id of the entry: opaque, stable, and accepted by `node(id:)` (for the intake
    /// unit, while the referral waits).
    pub async fn id(&self) -> ID {
        use crate::graphql::ids::NodeId;
        crate::graphql::ids::InboxEntryId(self.case.id).to_global()
    }

    /// The case the referral opened.
    async fn case(&self) -> Case {
        Case(self.case.clone())
    }

    /// When the entry point received it.
    async fn received_at(&self) -> DateTime {
        self.referral.received_at.into()
    }

    /// Whole hours it has waited since it was received.
    async fn waited_hours(&self, ctx: &Context<'_>) -> i64 {
        (ctx.state().clock.now() - self.referral.received_at)
            .num_hours()
            .max(0)
    }

    /// Whole calendar days it has waited since it was received.
    async fn waited_days(&self, ctx: &Context<'_>) -> i64 {
        (ctx.state().clock.now() - self.referral.received_at)
            .num_days()
            .max(0)
    }

    /// The deadlines its intake owes the child that are still open (PENDING, or MISSED and
    /// not yet met), earliest due first: the assessment within 24 hours, the decision within
    /// 10 working days, as the municipality's rules say.
    async fn intake_deadlines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Deadline>> {
        read_case(ctx, self.case.id, ChildData::Deadlines)
            .await
            .gql()?;
        Ok(deadline::Entity::find()
            .filter(deadline::Column::CaseId.eq(self.case.id))
            .filter(
                deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]),
            )
            .order_by_asc(deadline::Column::DueAt)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
            .into_iter()
            .map(Deadline)
            .collect())
    }
}

crate::connection!(
    InboxConnection,
    InboxEdge,
    InboxEntry,
    "A page of the inbox.",
    "A referral in a page of the inbox."
);

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
