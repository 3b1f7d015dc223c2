//! The cross-sector plan's agreements and the pathway events recorded on a case.

use async_graphql::{Context, ID, Object};
use kit_entity::Result;
use kit_entity::domain::enums::PlanItemKind;
use kit_entity::entities::{agreement, case_event, plan_item, plan_version};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{AgreementStatus, CaseEventKind, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::deadline::Deadline;
use crate::graphql::objects::directory::Professional;
use crate::graphql::objects::meeting::Meeting;
use crate::graphql::objects::participant::Participant;
use crate::graphql::scalars::{Date, DateTime};
use kit_entity::access::ChildData;
use kit_entity::ops::plans;

/// GraphQL `Agreement` over `agreement::Model`, described on its `#[Object]` impl.
pub struct Agreement(pub agreement::Model);

/// An agreement of the cross-sector plan: what is to be done, who is responsible, by when.
/// Its owner is reminded before it is due and alerted when it is missed.
#[Object]
impl Agreement {
    /// Global id of the agreement: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case whose plan holds the agreement.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// What is to be done.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Who is responsible.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Participant> {
        load_required(ctx, self.0.owner_id)
            .await
            .map(Participant)
            .gql()
    }

    /// By when (Europe/Copenhagen; due at the end of the day).
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }

    /// OPEN, DONE or CANCELLED.
    async fn status(&self) -> AgreementStatus {
        self.0.status.into()
    }

    /// When it was carried out.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(Into::into)
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(Into::into)
    }

    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// The meeting it was made at.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        match self.0.meeting_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Meeting)),
            None => Ok(None),
        }
    }

    /// The discharge from child psychiatry it is made for — what the municipality does after
    /// the child comes home; null for the plan's other agreements.
    async fn after_discharge(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::discharge::Discharge>> {
        use sea_orm::EntityTrait;
        let Some(id) = self.0.after_discharge_id else {
            return Ok(None);
        };
        let row = kit_entity::entities::discharge::Entity::find_by_id(id)
            .one(&ctx.state().db)
            .await
            .map_err(kit_entity::Error::from)
            .gql()?;
        Ok(row.map(crate::graphql::objects::discharge::Discharge))
    }

    /// The agenda item of its meeting it was agreed under; null when none was named or you
    /// may not see it (a closed item is seen only by the professionals taking part).
    async fn agenda_item(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::AgendaItem>> {
        let Some(id) = self.0.agenda_item_id else {
            return Ok(None);
        };
        let actor = ctx.actor()?;
        match kit_entity::lookup::find::<kit_entity::entities::agenda_item::Entity, _>(
            &ctx.state().db,
            actor,
            id,
            ctx.state().clock.now(),
        )
        .await
        {
            Ok(found) => Ok(Some(crate::graphql::objects::AgendaItem(found.row))),
            Err(kit_entity::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// The deadline that holds its owner to the due date; null when it has none.
    async fn deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deadline>> {
        let row = plans::deadline_of(&ctx.state().db, self.0.id).await.gql()?;
        Ok(row.map(Deadline))
    }

    /// Who wrote it down.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.created_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// GraphQL `CaseEvent` over `case_event::Model`, described on its `#[Object]` impl.
pub struct CaseEvent(pub case_event::Model);

/// A pathway event recorded on a case: information shared, the plan shared, an
/// investigation or assessment started or finished. Deadlines start and are met by them.
#[Object]
impl CaseEvent {
    /// Global id of the case event: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// What happened.
    async fn kind(&self) -> CaseEventKind {
        self.0.kind.into()
    }

    /// The sector it concerns.
    async fn sector(&self) -> Option<Sector> {
        self.0.sector.map(Into::into)
    }

    /// The meeting it concerns.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        match self.0.meeting_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Meeting)),
            None => Ok(None),
        }
    }

    /// Free text recorded with the event, visible to whoever sees the case.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.recorded_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        self.0.recorded_at.into()
    }
}

/// GraphQL `PlanVersion` over `plan_version::Model`.
pub struct PlanVersion(pub plan_version::Model);

/// One version of the case's cross-sector plan, as a held meeting wrote it: never changed
/// afterwards.
#[Object]
impl PlanVersion {
    /// Global id of the version: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case whose plan it is.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// 1, 2, 3… per case.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The meeting that wrote it.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Meeting> {
        load_required(ctx, self.0.meeting_id)
            .await
            .map(Meeting)
            .gql()
    }

    /// The child's or young person's own wishes.
    async fn child_wishes(&self) -> Option<&str> {
        self.0.child_wishes.as_deref()
    }

    /// The family's wishes.
    async fn family_wishes(&self) -> Option<&str> {
        self.0.family_wishes.as_deref()
    }

    /// The challenges, most important first.
    async fn challenges(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlanItem>> {
        items_of(ctx, &self.0, PlanItemKind::Challenge).await.gql()
    }

    /// The resources to build on, most important first.
    async fn resources(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlanItem>> {
        items_of(ctx, &self.0, PlanItemKind::Resource).await.gql()
    }

    /// Every agreement the plan held then, with its status then.
    async fn agreements(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlanAgreement>> {
        let rows = plans::agreements_then(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        let found = ctx
            .loaders()
            .load_many(rows.iter().map(|r| r.agreement_id).collect())
            .await
            .map_err(|e| crate::graphql::context::db_error(&e))
            .gql()?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                found.get(&row.agreement_id).map(|a| PlanAgreement {
                    status: row.status,
                    agreement: agreement::Model::clone(a),
                })
            })
            .collect())
    }

    /// Who recorded the meeting.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.recorded_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

async fn items_of(
    ctx: &Context<'_>,
    version: &plan_version::Model,
    kind: PlanItemKind,
) -> Result<Vec<PlanItem>> {
    let access = crate::graphql::read::read_case(ctx, version.case_id, ChildData::Plan).await?;
    let sees_closed = kit_entity::ops::meetings::commands::sees_closed_items(&access);
    let rows = plans::items_of(&ctx.state().db, version.id, kind, sees_closed).await?;
    Ok(rows.into_iter().map(PlanItem).collect())
}

/// GraphQL `PlanItem` over `plan_item::Model`.
pub struct PlanItem(plan_item::Model);

/// A challenge or a resource of a plan version.
#[Object]
impl PlanItem {
    /// What it is.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// 1 first.
    async fn priority(&self) -> i32 {
        self.0.priority
    }

    /// Discussed in the meeting's closed part; shown only to professionals taking part.
    async fn closed(&self) -> bool {
        self.0.closed
    }
}

/// An agreement as a plan version holds it.
pub struct PlanAgreement {
    status: kit_entity::domain::enums::AgreementStatus,
    agreement: agreement::Model,
}

/// An agreement of a plan version, with its status when the version was written.
#[Object]
impl PlanAgreement {
    /// Its status when the version was written.
    async fn status(&self) -> AgreementStatus {
        self.status.into()
    }

    /// The agreement as it is now.
    async fn agreement(&self) -> Agreement {
        Agreement(self.agreement.clone())
    }
}
