//! Referral, intake decisions and closing.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::validate;
use kit_entity::ids::{CaseId, OrganizationId};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{IntakeDecision, ReferralSource};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::mutations::Write;
use crate::graphql::mutations::child::FamilyMemberInput;
use crate::graphql::objects::Case;
use crate::graphql::scalars::{Date, DateTime};
use kit_entity::ops::cases::{self as cases, NewChild, SubmitReferral};

/// The child a referral is about. A child already registered with the same CPR number is
/// reused; otherwise a new child is created.
#[derive(InputObject)]
pub struct ReferralChildInput {
    /// Full name, 1–200 characters.
    pub name: String,
    /// The child's date of birth; it must agree with the CPR number when one is given.
    pub date_of_birth: Date,
    /// CPR number (`DDMMYYXXXX` or `DDMMYY-XXXX`); its first six digits must be the date of
    /// birth.
    pub cpr: Option<String>,
}

/// A referral received at a municipality's single entry point.
#[derive(InputObject)]
pub struct SubmitReferralInput {
    /// The receiving municipality (an organization of kind MUNICIPALITY with an intake unit).
    pub municipality_id: ID,
    /// The child or young person referred. A CPR number already known opens a match that the
    /// intake unit decides before the case can be accepted.
    pub child: ReferralChildInput,
    /// Guardians and other family members to record with the child.
    #[graphql(default)]
    pub family_members: Vec<FamilyMemberInput>,
    /// Where the referral came from.
    pub source: ReferralSource,
    /// When the entry point received it. Default: now. Must not be in the future.
    pub received_at: Option<DateTime>,
    /// The reason for referral, 1–4000 characters.
    pub reason: String,
    /// The referring person.
    pub referrer_name: Option<String>,
    /// The referring organization (a practice, a ward, a school).
    pub referrer_organization: Option<String>,
}

/// The case a referral opened.
#[derive(SimpleObject)]
pub struct SubmitReferralPayload {
    /// The new case, in status REFERRED.
    pub case: Case,
}

/// Starts the coordination committee's assessment of a referred case.
#[derive(InputObject)]
pub struct StartIntakeInput {
    /// The case, in status REFERRED.
    pub case_id: ID,
    /// A note for the status history.
    pub note: Option<String>,
}

/// The case in intake.
#[derive(SimpleObject)]
pub struct StartIntakePayload {
    /// The case, now IN_INTAKE.
    pub case: Case,
}

/// The coordination committee's decision on a case in intake.
#[derive(InputObject)]
pub struct DecideIntakeInput {
    /// The case, in status IN_INTAKE.
    pub case_id: ID,
    /// Accept, redirect or reject.
    pub decision: IntakeDecision,
    /// Why, 1–4000 characters. Recorded in the status history.
    pub reason: String,
    /// Where the child is redirected to (for example an early intervention). Required for
    /// REDIRECT and not allowed otherwise.
    pub redirected_to: Option<String>,
}

/// The decided case.
#[derive(SimpleObject)]
pub struct DecideIntakePayload {
    /// The case, now ACTIVE, REDIRECTED or REJECTED.
    pub case: Case,
}

/// The intake unit's answer to whether a referred child is the child already known by the
/// CPR number the referral gave.
#[derive(InputObject)]
pub struct DecideChildMatchInput {
    /// The case, in status REFERRED or IN_INTAKE, whose `referral.childMatch` is open.
    pub case_id: ID,
    /// True: the same child — the case follows the known child's record and the family
    /// members the referrer gave join it. False: another child — the referral's record stays,
    /// without the CPR number.
    pub same_child: bool,
}

/// The case after the decision.
#[derive(SimpleObject)]
pub struct DecideChildMatchPayload {
    /// The case, with the child it now follows.
    pub case: Case,
}

/// Closes an active case.
#[derive(InputObject)]
pub struct CloseCaseInput {
    /// The case, in status ACTIVE.
    pub case_id: ID,
    /// Why, 1–4000 characters. Recorded in the status history.
    pub reason: String,
}

/// The closed case.
#[derive(SimpleObject)]
pub struct CloseCasePayload {
    /// The case, now CLOSED.
    pub case: Case,
}

fn opt_text(field: &str, v: Option<&str>) -> Result<Option<String>> {
    validate::optional(field, v, validate::short_text)
}

/// Case mutations.
#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Registers a referral at a municipality's single entry point. Creates the child if new
    /// and opens a case in REFERRED. A referring professional outside the municipality's
    /// intake unit becomes a participant of the case.
    async fn submit_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `SubmitReferralInput`.")]
        input: SubmitReferralInput,
    ) -> async_graphql::Result<SubmitReferralPayload> {
        let today = ctx
            .state()
            .clock
            .now()
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .date_naive();
        let cmd = (|| -> Result<SubmitReferral> {
            let municipality_id: OrganizationId =
                decode("input.municipalityId", &input.municipality_id)?;
            let date_of_birth = validate::date_of_birth(
                "input.child.dateOfBirth",
                input.child.date_of_birth.0,
                today,
            )?;
            let cpr = input
                .child
                .cpr
                .as_deref()
                .map(|c| validate::cpr("input.child.cpr", c, Some(date_of_birth)))
                .transpose()?;
            let family = input
                .family_members
                .iter()
                .enumerate()
                .map(|(i, m)| m.validate(&format!("input.familyMembers.{i}")))
                .collect::<Result<Vec<_>>>()?;
            Ok(SubmitReferral {
                municipality_id,
                child: NewChild {
                    name: validate::name("input.child.name", &input.child.name)?,
                    date_of_birth,
                    cpr,
                },
                family,
                source: input.source.into(),
                received_at: input.received_at.map(|t| t.0),
                reason: validate::long_text("input.reason", &input.reason)?,
                referrer_name: validate::optional(
                    "input.referrerName",
                    input.referrer_name.as_deref(),
                    validate::name,
                )?,
                referrer_organization: opt_text(
                    "input.referrerOrganization",
                    input.referrer_organization.as_deref(),
                )?,
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = cases::submit_referral(&w.txn, w.actor, &ctx.state().cpr, w.now, cmd).await;
        Ok(SubmitReferralPayload {
            case: Case(w.finish(r).await.gql()?),
        })
    }

    /// REFERRED → IN_INTAKE. Members of the municipality's intake unit only.
    async fn start_intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `StartIntakeInput`.")] input: StartIntakeInput,
    ) -> async_graphql::Result<StartIntakePayload> {
        let id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let note =
            validate::optional("input.note", input.note.as_deref(), validate::long_text).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = cases::start_intake(&w.txn, w.actor, w.now, id, note).await;
        Ok(StartIntakePayload {
            case: Case(w.finish(r).await.map_err(|e| e.at("input.caseId")).gql()?),
        })
    }

    /// Marks decisions on the referrals you sent read (`viewer.referralDecisions`).
    async fn mark_referral_decisions_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which decisions.")]
        input: crate::graphql::objects::referral_decision::MarkReferralDecisionsReadInput,
    ) -> async_graphql::Result<
        crate::graphql::objects::referral_decision::MarkReferralDecisionsReadPayload,
    > {
        use crate::graphql::objects::referral_decision::{
            MarkReferralDecisionsReadPayload, ReferralDecision,
        };
        let ids = input
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                decode::<kit_entity::ids::ReferralDecisionId>(&format!("input.ids.{i}"), id)
            })
            .collect::<kit_entity::Result<Vec<_>>>()
            .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = kit_entity::ops::referral_decisions::mark_read(&w.txn, w.actor, w.now, &ids).await;
        let rows = w.finish(r).await.gql()?;
        Ok(MarkReferralDecisionsReadPayload {
            referral_decisions: rows.into_iter().map(ReferralDecision).collect(),
        })
    }

    /// IN_INTAKE → ACTIVE (accept), REDIRECTED or REJECTED, with a reason. Members of the
    /// municipality's intake unit only. The professional who sent the referral is told: in the
    /// product (`viewer.referralDecisions`, with the reason) and by an e-mail with only the
    /// case reference and the outcome.
    async fn decide_intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `DecideIntakeInput`.")] input: DecideIntakeInput,
    ) -> async_graphql::Result<DecideIntakePayload> {
        let id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let reason = validate::long_text("input.reason", &input.reason).gql()?;
        let redirected_to = opt_text("input.redirectedTo", input.redirected_to.as_deref()).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = cases::decide_intake(
            &w.txn,
            w.actor,
            w.now,
            id,
            input.decision.into(),
            reason,
            redirected_to,
        )
        .await;
        Ok(DecideIntakePayload {
            case: Case(w.finish(r).await.map_err(|e| e.at("input.caseId")).gql()?),
        })
    }

    /// Decides whether the child of a referral is the child already known by the CPR number
    /// it gave (see `Referral.childMatch`). Members of the municipality's intake unit only;
    /// before the intake decision, and required before a case is accepted.
    async fn decide_child_match(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision; see `DecideChildMatchInput`.")]
        input: DecideChildMatchInput,
    ) -> async_graphql::Result<DecideChildMatchPayload> {
        let id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = cases::decide_child_match(&w.txn, w.actor, w.now, id, input.same_child).await;
        Ok(DecideChildMatchPayload {
            case: Case(w.finish(r).await.map_err(|e| e.at("input.caseId")).gql()?),
        })
    }

    /// ACTIVE → CLOSED, with a reason. The intake unit, a responsible contact or the
    /// intervention lead.
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CloseCaseInput`.")] input: CloseCaseInput,
    ) -> async_graphql::Result<CloseCasePayload> {
        let id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let reason = validate::long_text("input.reason", &input.reason).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = cases::close_case(&w.txn, w.actor, w.now, id, reason).await;
        Ok(CloseCasePayload {
            case: Case(w.finish(r).await.map_err(|e| e.at("input.caseId")).gql()?),
        })
    }
}
