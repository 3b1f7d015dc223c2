//! Reading cases: the filter and order of `cases`, the cursor over them and the query root.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use kit_entity::domain::enums::ParticipantRole as DomainRole;
use kit_entity::entities::{case, child, deadline, participant};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId};
use kit_entity::{Error, Result};
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::directory::like_pattern;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::CaseStatus;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::loaders::with_children;
use crate::graphql::pagination::OrderDirection;
use crate::graphql::pagination::{
    TotalCount, decode_cursor, decode_id_cursor, encode_cursor, page, page_size,
};
use crate::graphql::read::required_access;
use kit_entity::access::{self};

use crate::graphql::objects::*;

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
    /// True: only cases you take part in (an active participation, in any role); false: only
    /// those you see otherwise (as intake unit or unit leader).
    pub participating: Option<bool>,
    /// True: only cases where you are an active responsible contact; false: only the others.
    pub responsible: Option<bool>,
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
    /// When its next deadline you see is due (the PENDING or MISSED one due first): ASC puts
    /// the most pressing first. Cases with no such deadline come last in either direction. A
    /// deadline met or set while you page may move a case between pages.
    NextDeadline,
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
    let mine = |roles: Option<DomainRole>| {
        let mut q = Query::select()
            .column(participant::Column::CaseId)
            .from(participant::Entity)
            .and_where(participant::Column::ProfessionalId.eq(actor.id()))
            .and_where(participant::Column::ActiveUntil.is_null())
            .to_owned();
        if let Some(role) = roles {
            q.and_where(participant::Column::Role.eq(role));
        }
        q
    };
    match filter.participating {
        Some(true) => all = all.add(case::Column::Id.in_subquery(mine(None))),
        Some(false) => all = all.add(case::Column::Id.not_in_subquery(mine(None))),
        None => {}
    }
    match filter.responsible {
        Some(true) => {
            all = all.add(case::Column::Id.in_subquery(mine(Some(DomainRole::ResponsibleContact))));
        }
        Some(false) => {
            all = all
                .add(case::Column::Id.not_in_subquery(mine(Some(DomainRole::ResponsibleContact))));
        }
        None => {}
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

/// When the next deadline the actor sees of a case is due (the earliest of its PENDING and
/// MISSED deadlines, all of them where the child's data is shared with the actor, else those
/// they answer for): the same rule as `Case.nextDeadline` and `sees_deadline`, as a correlated
/// subquery for ordering and paging.
fn next_due(actor: &access::Actor, now: chrono::DateTime<chrono::Utc>) -> SimpleExpr {
    use kit_entity::domain::enums::DeadlineStatus;
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Func::min(Expr::col((
                    deadline::Entity,
                    deadline::Column::DueAt,
                ))))
                .from(deadline::Entity)
                .and_where(
                    Expr::col((deadline::Entity, deadline::Column::CaseId))
                        .equals((case::Entity, case::Column::Id)),
                )
                .and_where(
                    Expr::col((deadline::Entity, deadline::Column::Status))
                        .is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]),
                )
                .cond_where(
                    Condition::any()
                        .add(
                            Expr::col((deadline::Entity, deadline::Column::ResponsibleId))
                                .eq(actor.id()),
                        )
                        .add(access::shared_cases(actor, now)),
                )
                .to_owned()
                .into(),
        ),
    )
}

/// The keyset condition and cursor codec for one ordering.
fn after_condition(
    order: &CaseOrder,
    after: Option<&str>,
    next_due: impl Fn() -> SimpleExpr,
) -> Result<Option<Condition>> {
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
        CaseOrderField::NextDeadline => {
            // Cases without a deadline come last, in either direction.
            let rest = decode_cursor(after, "next")?;
            let (due, id) = rest.split_once(':').ok_or_else(bad)?;
            let id = CaseId(id.parse().map_err(|_| bad())?);
            if due == "-" {
                return Ok(Some(
                    Condition::all()
                        .add(Expr::expr(next_due()).is_null())
                        .add(cmp_id(id)),
                ));
            }
            let micros: i64 = due.parse().map_err(|_| bad())?;
            let at = chrono::DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
            let beyond = if asc {
                Expr::expr(next_due()).gt(at)
            } else {
                Expr::expr(next_due()).lt(at)
            };
            Ok(Some(
                Condition::any()
                    .add(beyond)
                    .add(
                        Condition::all()
                            .add(Expr::expr(next_due()).eq(at))
                            .add(cmp_id(id)),
                    )
                    .add(Expr::expr(next_due()).is_null()),
            ))
        }
    }
}

fn cursor_of(
    order: &CaseOrder,
    case: &case::Model,
    next_due: &HashMap<CaseId, Option<chrono::DateTime<chrono::Utc>>>,
) -> String {
    match order.field {
        CaseOrderField::NextDeadline => encode_cursor(&format!(
            "next:{}:{}",
            next_due
                .get(&case.id)
                .copied()
                .flatten()
                .map_or_else(|| "-".to_owned(), |at| at.timestamp_micros().to_string()),
            case.id.0
        )),
        CaseOrderField::CreatedAt => encode_cursor(&format!("created:{}", case.id.0)),
        CaseOrderField::UpdatedAt => encode_cursor(&format!(
            "updated:{}:{}",
            case.updated_at.timestamp_micros(),
            case.id.0
        )),
    }
}

/// The next due time of each case of a page, as [`next_due`] has it, from the request's
/// loaders (the rows' `nextDeadline` reads the same), for the page's cursors.
async fn next_due_of(
    ctx: &Context<'_>,
    rows: &[case::Model],
) -> Result<HashMap<CaseId, Option<chrono::DateTime<chrono::Utc>>>> {
    use kit_entity::domain::enums::DeadlineStatus;
    let mut due = HashMap::with_capacity(rows.len());
    for case in rows {
        let access = required_access(ctx, case).await?;
        let next = load(ctx, crate::graphql::loaders::DeadlinesOf(case.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|d| matches!(d.status, DeadlineStatus::Pending | DeadlineStatus::Missed))
            .filter(|d| access.sees_deadline(d.responsible_id))
            .map(|d| d.due_at)
            .min();
        due.insert(case.id, next);
    }
    Ok(due)
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
        let now = ctx.state().clock.now();
        if let Some(c) = after_condition(&order, after.as_deref(), || next_due(actor, now)).gql()? {
            query = query.filter(c);
        }
        let direction = match order.direction {
            OrderDirection::Asc => sea_orm::Order::Asc,
            OrderDirection::Desc => sea_orm::Order::Desc,
        };
        match order.field {
            CaseOrderField::UpdatedAt => {
                query = query.order_by(case::Column::UpdatedAt, direction.clone());
            }
            CaseOrderField::NextDeadline => {
                QueryOrder::query(&mut query).order_by_expr_with_nulls(
                    next_due(actor, now),
                    direction.clone(),
                    NullOrdering::Last,
                );
            }
            CaseOrderField::CreatedAt => {}
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
        let due = if order.field == CaseOrderField::NextDeadline {
            next_due_of(ctx, &rows).await.gql()?
        } else {
            HashMap::new()
        };
        Ok(page(
            rows,
            limit,
            after.is_some(),
            total,
            |c| cursor_of(&order, c, &due),
            Case,
        )
        .into())
    }
}
