//! The coordination committee's decision on a referral, as told to the professional who sent
//! it.

use async_graphql::{Context, ID, Object};
use kit_entity::Result;
use kit_entity::entities::referral_decision;
use kit_entity::ids::ProfessionalId;
use kit_entity::ops::referral_decisions;

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::enums::IntakeDecision;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::directory::Professional;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;

/// GraphQL `ReferralDecision` over `referral_decision::Model`, described on its `#[Object]`
/// impl.
pub struct ReferralDecision(pub referral_decision::Model);

/// What the coordination committee decided on a referral you sent: accepted into a
/// coordinated pathway, redirected to another service, or rejected — with the committee's
/// reason. Told to you in the product (`viewer.referralDecisions`) and by an e-mail that
/// carries only the case reference and the outcome.
#[Object]
impl ReferralDecision {
    /// Global id of the decision: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case your referral opened (what you see of it as its referrer).
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// Accepted, redirected or rejected.
    async fn decision(&self) -> IntakeDecision {
        match self.0.outcome {
            kit_entity::domain::status::CaseStatus::Active => IntakeDecision::Accept,
            kit_entity::domain::status::CaseStatus::Redirected => IntakeDecision::Redirect,
            _ => IntakeDecision::Reject,
        }
    }

    /// The committee's reason.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Where the child was redirected to; null unless redirected.
    async fn redirected_to(&self) -> Option<&str> {
        self.0.redirected_to.as_deref()
    }

    /// Who recorded the decision, for the intake unit.
    async fn decided_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.decided_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When it was decided.
    async fn decided_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When you marked it read.
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(Into::into)
    }
}

crate::connection!(
    ReferralDecisionConnection,
    ReferralDecisionEdge,
    ReferralDecision,
    "A page of decisions on your referrals.",
    "A decision in a page of decisions on your referrals."
);

/// The decisions told to `recipient`, newest first.
///
/// # Errors
/// Database errors; a malformed cursor.
pub async fn of_recipient(
    ctx: &Context<'_>,
    recipient: ProfessionalId,
    unread_only: bool,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ReferralDecisionConnection> {
    let base = referral_decisions::of_recipient(recipient, unread_only);
    Ok(Keyset::descending(
        "referralDecision",
        vec![(referral_decision::Column::Id, Key::Int(0))],
    )
    .page(&ctx.state().db, base, first, after.as_deref(), |n| {
        vec![Key::Int(n.id.0)]
    })
    .await?
    .map(ReferralDecision)
    .into())
}

/// Marks decisions on your referrals read.
#[derive(async_graphql::InputObject)]
pub struct MarkReferralDecisionsReadInput {
    /// Your decisions to mark read.
    pub ids: Vec<ID>,
}

/// The decisions marked read.
#[derive(async_graphql::SimpleObject)]
pub struct MarkReferralDecisionsReadPayload {
    /// The decisions as they now are.
    pub referral_decisions: Vec<ReferralDecision>,
}
