//! The single entry point's inbox: a referral waiting for the intake unit, with how long it
//! has waited and the deadlines its intake owes the child.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::{case, referral};

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::objects::deadline::Deadline;
use crate::graphql::read::read_case;
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;

use super::Case;

/// A referral waiting at the single entry point.
pub struct InboxEntry {
    pub(crate) case: case::Model,
    pub(crate) referral: referral::Model,
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
        let rows = kit_entity::ops::deadlines::reads::open_of_case(&ctx.state().db, self.case.id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Deadline).collect())
    }
}

crate::connection!(
    InboxConnection,
    InboxEdge,
    InboxEntry,
    "A page of the inbox.",
    "A referral in a page of the inbox."
);
