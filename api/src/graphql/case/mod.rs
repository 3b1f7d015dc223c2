//! Cases: the child's pathway, with its referral, status history and participants.

mod mutation;

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use kit_entity::domain::enums::ParticipantRole as DomainRole;
use kit_entity::entities::{case, case_status_change, child, participant, referral};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId, UnitId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub use mutation::CaseMutation;

use crate::access::{self, CaseAccess};
use crate::access_log::{ChildData, Reads};
use crate::graphql::child::Child;
use crate::graphql::context::{ContextExt, db_error, load, load_required};
use crate::graphql::directory::{Organization, Professional, like_pattern};
use crate::graphql::enums::{AccessBasis, CaseStatus, ParticipantRole, ReferralSource};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode, decode_opt};
use crate::graphql::loaders::{ParticipantsOf, ReferralOf, StatusHistoryOf};
use crate::graphql::pagination::{
    TotalCount, decode_cursor, decode_id_cursor, encode_cursor, page, page_size,
};
use crate::graphql::participant::Participant;
use crate::graphql::scalars::DateTime;

/// The viewer's access to `case`, decided from the request's loaders, so that deciding it for
/// a whole page of cases costs a fixed number of statements.
///
/// # Errors
/// When the database fails.
pub async fn case_access_loaded(
    ctx: &Context<'_>,
    case: &case::Model,
) -> Result<Option<CaseAccess>> {
    let actor = ctx.actor()?;
    let participants = load(ctx, ParticipantsOf(case.id))
        .await?
        .unwrap_or_default();
    let ids: Vec<ProfessionalId> = participants
        .iter()
        .filter_map(|p| p.professional_id)
        .collect();
    let units: HashMap<ProfessionalId, UnitId> = ctx
        .loaders()
        .load_many(ids)
        .await
        .map_err(|e| db_error(&e))?
        .into_iter()
        .map(|(id, p)| (id, p.unit_id))
        .collect();
    let with_units: Vec<(participant::Model, Option<UnitId>)> = participants
        .into_iter()
        .map(|p| {
            let unit = p.professional_id.and_then(|id| units.get(&id).copied());
            (p, unit)
        })
        .collect();
    Ok(access::decide(actor, case, &with_units))
}

/// [`case_access_loaded`], with [`Error::NotFound`] for a case the viewer may not see.
///
/// # Errors
/// As described, and when the database fails.
pub async fn required_access(ctx: &Context<'_>, case: &case::Model) -> Result<CaseAccess> {
    case_access_loaded(ctx, case)
        .await?
        .ok_or_else(|| Error::not_found("case"))
}

/// Notes, for the access log, that the viewer reads `what` of `case`; returns their access.
/// Every resolver that returns a child's data calls this (or [`read_case`]) first.
///
/// # Errors
/// [`Error::NotFound`] when the viewer may not see the case; [`Error::Internal`] when the
/// request has no access log.
pub async fn read(ctx: &Context<'_>, case: &case::Model, what: ChildData) -> Result<CaseAccess> {
    let access = required_access(ctx, case).await?;
    note_reads(ctx, std::slice::from_ref(&access), what)?;
    Ok(access)
}

/// Notes, for the access log, that the viewer reads `what` of each case in `seen_through`,
/// whose access has been decided already.
///
/// # Errors
/// [`Error::Internal`] when the request has no access log.
pub fn note_reads(ctx: &Context<'_>, seen_through: &[CaseAccess], what: ChildData) -> Result<()> {
    let reads = ctx
        .data_opt::<std::sync::Arc<Reads>>()
        .ok_or_else(|| Error::internal("this request has no access log"))?;
    let actor = ctx.actor()?.id();
    for access in seen_through {
        reads.note(actor, access, what);
    }
    Ok(())
}

/// [`read`] for a case known by its id.
///
/// # Errors
/// As [`read`].
pub async fn read_case(ctx: &Context<'_>, case_id: CaseId, what: ChildData) -> Result<CaseAccess> {
    let case: case::Model = load_required(ctx, case_id).await?;
    read(ctx, &case, what).await
}

/// A case: one child's coordinated pathway across sectors, from referral to closing.
pub struct Case(pub case::Model);

/// A case: one child's coordinated pathway across sectors, from referral to closing.
#[Object]
impl Case {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The human case reference (`KIT-2026-000042`). E-mails and calendar invitations carry
    /// this instead of the child's name.
    async fn reference(&self) -> &str {
        &self.0.reference
    }

    /// Where the pathway is.
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }

    /// Where the case was redirected to, when its status is REDIRECTED.
    async fn redirected_to(&self) -> Option<&str> {
        self.0.redirected_to.as_deref()
    }

    /// The child.
    async fn child(&self, ctx: &Context<'_>) -> async_graphql::Result<Child> {
        let access = read(ctx, &self.0, ChildData::Child).await.gql()?;
        let model: child::Model = load_required(ctx, self.0.child_id).await.gql()?;
        Ok(Child {
            model,
            reveal_cpr: access.is_responsible_contact(),
            seen_through: vec![access],
        })
    }

    /// The municipality whose single entry point received the case.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.municipality_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The referral that opened the case.
    async fn referral(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Referral>> {
        read(ctx, &self.0, ChildData::Referral).await.gql()?;
        Ok(load(ctx, ReferralOf(self.0.id)).await.gql()?.map(Referral))
    }

    /// The people taking part, oldest first. Ended participations are included only when
    /// asked for; they are the case's history of who took part when.
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Include participations that have ended. Default false.",
            default
        )]
        include_ended: bool,
    ) -> async_graphql::Result<Vec<Participant>> {
        read(ctx, &self.0, ChildData::Participants).await.gql()?;
        Ok(load(ctx, ParticipantsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(|p| include_ended || p.is_active())
            .map(Participant)
            .collect())
    }

    /// The active responsible contacts: at most one per sector.
    async fn responsible_contacts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Participant>> {
        read(ctx, &self.0, ChildData::Participants).await.gql()?;
        Ok(load(ctx, ParticipantsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(participant::Model::is_active_responsible_contact)
            .map(Participant)
            .collect())
    }

    /// Every status change, oldest first: who, when and why.
    async fn status_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CaseStatusChange>> {
        read(ctx, &self.0, ChildData::History).await.gql()?;
        Ok(load(ctx, StatusHistoryOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .map(CaseStatusChange)
            .collect())
    }

    /// The case's meetings, in the order they were requested.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::meeting::Meeting>> {
        read(ctx, &self.0, ChildData::Meetings).await.gql()?;
        crate::graphql::meeting::of_case(ctx, self.0.id).await.gql()
    }

    /// The case's deadlines, earliest due first.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these statuses. Default: all.")] status: Option<
            Vec<crate::graphql::enums::DeadlineStatus>,
        >,
    ) -> async_graphql::Result<Vec<crate::graphql::deadline::Deadline>> {
        read(ctx, &self.0, ChildData::Deadlines).await.gql()?;
        crate::graphql::deadline::of_case(ctx, self.0.id, status)
            .await
            .gql()
    }

    /// The agreements of the case's cross-sector plan, by due date.
    async fn agreements(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::plan::Agreement>> {
        read(ctx, &self.0, ChildData::Plan).await.gql()?;
        crate::graphql::plan::agreements_of(ctx, self.0.id)
            .await
            .gql()
    }

    /// The pathway events recorded on the case, oldest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::plan::CaseEvent>> {
        read(ctx, &self.0, ChildData::Plan).await.gql()?;
        crate::graphql::plan::events_of(ctx, self.0.id).await.gql()
    }

    /// Who read this case's data, what, when, on what basis and through which operation,
    /// newest first. For those who manage the case: the intake unit, a responsible contact,
    /// the intervention lead; anyone else gets FORBIDDEN.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::access_log::AccessLogConnection> {
        crate::graphql::access_log::of_case(ctx, &self.0, first, after)
            .await
            .gql()
    }

    /// What you may do with this case and why you may see it.
    async fn viewer_access(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerAccess> {
        required_access(ctx, &self.0).await.map(ViewerAccess).gql()
    }

    /// When the case was opened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the case, its participants or its child's record last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// Your access to a case.
pub struct ViewerAccess(pub CaseAccess);

/// Your access to a case.
#[Object]
impl ViewerAccess {
    /// Why you may see the case.
    async fn basis(&self) -> AccessBasis {
        self.0.basis.into()
    }

    /// Your active roles in the case; empty when you see it as intake unit or leader.
    async fn roles(&self) -> Vec<ParticipantRole> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }

    /// True when you may change the case (add people, assign contacts, close it): members of
    /// the intake unit, responsible contacts and the intervention lead.
    async fn can_manage(&self) -> bool {
        self.0.can_manage()
    }

    /// True when you may take intake decisions: members of the municipality's intake unit.
    async fn can_decide_intake(&self) -> bool {
        self.0.intake
    }

    /// True when you see the child's CPR number in full: the case's responsible contacts.
    async fn sees_full_cpr(&self) -> bool {
        self.0.roles.contains(&DomainRole::ResponsibleContact)
    }
}

/// How a case entered the municipality's single entry point.
pub struct Referral(pub referral::Model);

/// How a case entered the municipality's single entry point.
#[Object]
impl Referral {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Where it came from.
    async fn source(&self) -> ReferralSource {
        self.0.source.into()
    }

    /// When the entry point received it.
    async fn received_at(&self) -> DateTime {
        self.0.received_at.into()
    }

    /// The reason for referral, as the referrer wrote it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The referring person, if named.
    async fn referrer_name(&self) -> Option<&str> {
        self.0.referrer_name.as_deref()
    }

    /// The referring organization, if named.
    async fn referrer_organization(&self) -> Option<&str> {
        self.0.referrer_organization.as_deref()
    }

    /// The professional who registered it.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.submitted_by_id)
            .await
            .map(Professional)
            .gql()
    }
}

/// One change of a case's status.
pub struct CaseStatusChange(pub case_status_change::Model);

/// One change of a case's status.
#[Object]
impl CaseStatusChange {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The status before; null for the entry that opened the case.
    async fn from_status(&self) -> Option<CaseStatus> {
        self.0.from_status.map(Into::into)
    }

    /// The status after.
    async fn to_status(&self) -> CaseStatus {
        self.0.to_status.into()
    }

    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Who made the change.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.changed_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }
}

/// Which cases to list. All conditions must hold.
#[derive(InputObject, Default)]
pub struct CaseFilter {
    /// Only cases in one of these statuses.
    pub status: Option<Vec<CaseStatus>>,
    /// Only cases received by this municipality.
    pub organization_id: Option<ID>,
    /// Only cases where this professional is an active responsible contact.
    pub responsible_contact_id: Option<ID>,
    /// Only cases whose reference or child's name contains this text (case-insensitive).
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
    /// The direction.
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

fn case_filter(actor: &access::Actor, filter: CaseFilter) -> Result<Condition> {
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
                    case::Column::ChildId.in_subquery(
                        Query::select()
                            .column(child::Column::Id)
                            .from(child::Entity)
                            .and_where(Expr::col(child::Column::NameSearch).like(like()))
                            .to_owned(),
                    ),
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

/// Case queries.
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
        let actor = ctx.actor().gql()?;
        let (case, _) = access::case_access(&ctx.state().db, actor, id)
            .await
            .gql()?;
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
        let condition = case_filter(actor, filter.unwrap_or_default()).gql()?;
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
        let rows = query
            .order_by(case::Column::Id, direction)
            .limit(limit + 1)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?;
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
