//! Recording and calling off a discharge from child psychiatry.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::ids::{CaseId, DischargeId};
use kit_entity::ops::discharges::{self, RecordDischarge};

use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::mutations::Write;
use crate::graphql::objects::discharge::Discharge;
use crate::graphql::scalars::Date;

/// Records the day child psychiatry plans to discharge the child.
#[derive(InputObject)]
pub struct RecordDischargeInput {
    /// The case.
    pub case_id: ID,
    /// The day of the discharge: after today (the hand-back meeting is held before it).
    pub planned_on: Date,
    /// What psychiatry wants the municipality to know, 1–4000 characters.
    pub note: Option<String>,
}

/// Calls off a planned discharge.
#[derive(InputObject)]
pub struct CancelDischargeInput {
    /// The discharge.
    pub discharge_id: ID,
    /// Why, 1–4000 characters; the hand-back meeting's invitees read it in the cancellation.
    pub reason: String,
}

/// A discharge recorded or called off.
#[derive(SimpleObject)]
pub struct DischargePayload {
    /// The discharge as it is now, with its hand-back meeting.
    pub discharge: Discharge,
}

/// Discharge mutations.
#[derive(Default)]
pub struct DischargeMutation;

#[Object]
impl DischargeMutation {
    /// Records a planned discharge from child psychiatry, by a professional of child psychiatry
    /// taking part in the case. In the same transaction the hand-back meeting is requested
    /// (organized by psychiatry's responsible contact; the municipality's contact, the
    /// intervention lead and the guardians invited; the scheduler finds a time before the
    /// day) and the deadline to hold it starts. One planned discharge per case at a time.
    async fn record_discharge(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The discharge.")] input: RecordDischargeInput,
    ) -> async_graphql::Result<DischargePayload> {
        let cmd = RecordDischarge {
            case_id: decode::<CaseId>("input.caseId", &input.case_id).gql()?,
            planned_on: input.planned_on.0,
            note: input.note,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = discharges::record(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        Ok(DischargePayload {
            discharge: Discharge(row),
        })
    }

    /// Calls off a planned discharge: its hand-back meeting is cancelled (invitees get a
    /// cancellation) and its deadline withdrawn; agreements made for after it stay on the
    /// plan.
    async fn cancel_discharge(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The discharge and why.")] input: CancelDischargeInput,
    ) -> async_graphql::Result<DischargePayload> {
        let id: DischargeId = decode("input.dischargeId", &input.discharge_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = discharges::cancel(&w.txn, w.actor, w.now, id, &input.reason).await;
        let row = w.finish(result).await.gql()?;
        Ok(DischargePayload {
            discharge: Discharge(row),
        })
    }
}
