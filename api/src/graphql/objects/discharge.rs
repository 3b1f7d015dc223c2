//! A discharge from child psychiatry and its hand-back to the municipality.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::discharge;
use kit_entity::ops::discharges;

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::deadline::Deadline;
use crate::graphql::objects::directory::Professional;
use crate::graphql::objects::meeting::Meeting;
use crate::graphql::objects::plan::Agreement;
use crate::graphql::scalars::{Date, DateTime};

/// GraphQL `Discharge` over `discharge::Model`, described on its `#[Object]` impl.
pub struct Discharge(pub discharge::Model);

/// A discharge from child psychiatry, planned or past: the child goes "from the municipality
/// to psychiatry and back to the municipality again". Recording it (`recordDischarge`)
/// requests the hand-back meeting — psychiatry's and the municipality's responsible contacts,
/// the intervention lead and the guardians, before `plannedOn` — and starts the deadline to
/// hold it (rule `hand-back-meeting`). What the municipality takes on from that day are the
/// plan's agreements for after the discharge (`agreementsAfter`).
#[Object]
impl Discharge {
    /// Global id of the discharge: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// The day the child is to be discharged (Europe/Copenhagen).
    async fn planned_on(&self) -> Date {
        Date(self.0.planned_on)
    }

    /// True while it is ahead: not called off and its day not yet come.
    async fn planned(&self, ctx: &Context<'_>) -> bool {
        discharges::is_planned(&self.0, ctx.state().clock.now())
    }

    /// What psychiatry wants the municipality to know.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The hand-back meeting it requested; null when you may not see that meeting.
    async fn hand_back_meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        match self.0.meeting_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Meeting)),
            None => Ok(None),
        }
    }

    /// The deadline to hold the hand-back meeting before the day; null under rules that set
    /// none.
    async fn deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deadline>> {
        let row = discharges::deadline_of(&ctx.state().db, &self.0)
            .await
            .gql()?;
        Ok(row.map(Deadline))
    }

    /// The municipality's agreements for after the discharge, by due date.
    async fn agreements_after(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Agreement>> {
        let rows = discharges::agreements_after(&ctx.state().db, &self.0)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Agreement).collect())
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.recorded_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn recorded_at(&self) -> DateTime {
        self.0.recorded_at.into()
    }

    /// When it was called off.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(Into::into)
    }

    /// Why it was called off.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
}
