//! Reading cases: the filter and order of `cases`, the cursor over them and the query root.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use kit_entity::domain::enums::ParticipantRole as DomainRole;
use kit_entity::entities::{case, child, participant};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::access::{self};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::directory::like_pattern;
use crate::graphql::enums::CaseStatus;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::loaders::with_children;
use crate::graphql::pagination::{
    TotalCount, decode_cursor, decode_id_cursor, encode_cursor, page, page_size,
};
use crate::graphql::read::required_access;

use super::types::*;

/// Which cases to list. All conditions must hold.
#[derive(InputObject, Default)]
pub struct CaseFilter {
    /// Only cases in one of these statuses.
    pub status: Option<Vec<CaseStatus>>,
    /// Only cases received by this municipality.
    pub organization_id: Option<ID>,
    /// Only cases where this professional is an active responsible contact.
    pub responsible_contact_id: Option<ID>,
    /// Only cases whose reference or child's name contains this text (case-insensitive). The
    /// child's name is searched only in cases whose child's data is shared with you.
    pub text: Option<String>,
}

/// What to sort cases by.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum CaseOrderField {
    /// When the case was opened.
    #[default]
    CreatedAt,
    /// When the case last changed. A case that changes while you page may move between
    /// pages.
    UpdatedAt,
}

/// A sort direction.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum OrderDirection {
    /// Oldest first.
    Asc,
    /// Newest first.
    #[default]
    Desc,
}

/// How to sort cases. Default: newest first by creation.
#[derive(InputObject, Default)]
pub struct CaseOrder {
    /// The field to sort by.
    #[graphql(default)]
    pub field: CaseOrderField,
    /// Ascending or descending; ties are broken by the case's id in the same direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

crate::connection!(
    CaseConnection,
    CaseEdge,
    Case,
    "A page of cases.",
    "A case in a page of cases."
);

fn case_filter(
    actor: &access::Actor,
    now: chrono::DateTime<chrono::Utc>,
    filter: CaseFilter,
) -> Result<Condition> {
    let mut all = Condition::all().add(access::visible_cases(actor));
    if let Some(statuses) = filter.status {
        let statuses: Vec<kit_entity::domain::status::CaseStatus> =
            statuses.into_iter().map(Into::into).collect();
        all = all.add(case::Column::Status.is_in(statuses));
    }
    if let Some(org) =
        decode_opt::<OrganizationId>("filter.organizationId", filter.organization_id.as_ref())?
    {
        all = all.add(case::Column::MunicipalityId.eq(org));
    }
    if let Some(contact) = decode_opt::<ProfessionalId>(
        "filter.responsibleContactId",
        filter.responsible_contact_id.as_ref(),
    )? {
        all = all.add(
            case::Column::Id.in_subquery(
                Query::select()
                    .column(participant::Column::CaseId)
                    .from(participant::Entity)
                    .and_where(participant::Column::ProfessionalId.eq(contact))
                    .and_where(participant::Column::Role.eq(DomainRole::ResponsibleContact))
                    .and_where(participant::Column::ActiveUntil.is_null())
                    .to_owned(),
            ),
        );
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(text);
        let like = || LikeExpr::new(pattern.clone()).escape('\\');
        all = all.add(
            Condition::any()
                .add(
                    // The child's name is searched only where it is shared with the actor.
                    Condition::all()
                        .add(
                            case::Column::ChildId.in_subquery(
                                Query::select()
                                    .column(child::Column::Id)
                                    .from(child::Entity)
                                    .and_where(Expr::col(child::Column::NameSearch).like(like()))
                                    .to_owned(),
                            ),
                        )
                        .add(access::shared_cases(actor, now)),
                )
                .add(Expr::expr(Func::lower(Expr::col(case::Column::Reference))).like(like())),
        );
    }
    Ok(all)
}

/// The keyset condition and cursor codec for one ordering.
fn after_condition(order: &CaseOrder, after: Option<&str>) -> Result<Option<Condition>> {
    let Some(after) = after else { return Ok(None) };
    let bad = || Error::invalid("after", "is not a cursor of this list and ordering");
    let asc = order.direction == OrderDirection::Asc;
    let cmp_id = |id: CaseId| {
        if asc {
            case::Column::Id.gt(id)
        } else {
            case::Column::Id.lt(id)
        }
    };
    match order.field {
        CaseOrderField::CreatedAt => {
            let id: i64 = decode_id_cursor(after, "created")?;
            Ok(Some(Condition::all().add(cmp_id(CaseId(id)))))
        }
        CaseOrderField::UpdatedAt => {
            let rest = decode_cursor(after, "updated")?;
            let (micros, id) = rest.split_once(':').ok_or_else(bad)?;
            let micros: i64 = micros.parse().map_err(|_| bad())?;
            let id = CaseId(id.parse().map_err(|_| bad())?);
            let at = chrono::DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
            let beyond = if asc {
                case::Column::UpdatedAt.gt(at)
            } else {
                case::Column::UpdatedAt.lt(at)
            };
            Ok(Some(
                Condition::any().add(beyond).add(
                    Condition::all()
                        .add(case::Column::UpdatedAt.eq(at))
                        .add(cmp_id(id)),
                ),
            ))
        }
    }
}

fn cursor_of(order: &CaseOrder, case: &case::Model) -> String {
    match order.field {
        CaseOrderField::CreatedAt => encode_cursor(&format!("created:{}", case.id.0)),
        CaseOrderField::UpdatedAt => encode_cursor(&format!(
            "updated:{}:{}",
            case.updated_at.timestamp_micros(),
            case.id.0
        )),
    }
}

/// Case queries.
#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// One case. `NOT_FOUND` when it does not exist or you have no reason to see it: the two
    /// are indistinguishable by design.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Case>> {
        let id: CaseId = decode("id", &id).gql()?;
        // Through the request's loaders: the participants the decision reads are the ones the
        // case's fields show, read once.
        let case: case::Model = load(ctx, id)
            .await
            .gql()?
            .ok_or_else(|| Error::not_found("case"))
            .gql()?;
        required_access(ctx, &case).await.gql()?;
        Ok(Some(Case(case)))
    }

    /// The cases you may see: those you take part in, those of your municipality's intake
    /// unit if you belong to it, and those your unit takes part in if you lead it.
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cases to list.")] filter: Option<CaseFilter>,
        #[graphql(desc = "How to sort them. Default: newest first.")] order_by: Option<CaseOrder>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the cases after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<CaseConnection> {
        let actor = ctx.actor().gql()?;
        let limit = page_size(first).gql()?;
        let order = order_by.unwrap_or_default();
        let condition =
            case_filter(actor, ctx.state().clock.now(), filter.unwrap_or_default()).gql()?;
        let base = case::Entity::find().filter(condition);
        let total = TotalCount::of(base.clone(), &ctx.state().db);
        let mut query = base;
        if let Some(c) = after_condition(&order, after.as_deref()).gql()? {
            query = query.filter(c);
        }
        let direction = match order.direction {
            OrderDirection::Asc => sea_orm::Order::Asc,
            OrderDirection::Desc => sea_orm::Order::Desc,
        };
        if order.field == CaseOrderField::UpdatedAt {
            query = query.order_by(case::Column::UpdatedAt, direction.clone());
        }
        let rows = with_children(
            query.order_by(case::Column::Id, direction).limit(limit + 1),
            &ctx.state().db,
            ctx.loaders(),
        )
        .await
        .map_err(Error::from)
        .gql()?;
        ctx.loaders().prime(rows.iter().map(|c| (c.id, c.clone())));
        Ok(page(
            rows,
            limit,
            after.is_some(),
            total,
            |c| cursor_of(&order, c),
            Case,
        )
        .into())
    }
}
