//! Recording a pathway event, the plan's agreements, and the plan a held meeting writes.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::enums::CaseEventKind as DomainEventKind;
use kit_entity::ids::{AgendaItemId, AgreementId, CaseId, DischargeId, MeetingId, ParticipantId};

use crate::graphql::enums::{CaseEventKind, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::Write;
use crate::graphql::objects::plan::*;
use crate::graphql::scalars::{Date, DateTime};
use kit_entity::ops::plans::{self, AddAgreement, RecordEvent};

/// Records a pathway event.
#[derive(InputObject)]
pub struct RecordCaseEventInput {
    /// The case the event happened in.
    pub case_id: ID,
    /// What happened.
    pub kind: CaseEventKind,
    /// The sector it concerns; required for INFORMATION_SHARED.
    pub sector: Option<Sector>,
    /// The meeting it concerns, such as the network meeting information was shared for.
    pub meeting_id: Option<ID>,
    /// A note, 1–4000 characters.
    pub note: Option<String>,
    /// When it happened; default now. Not in the future.
    pub occurred_at: Option<DateTime>,
}

/// The recorded event.
#[derive(SimpleObject)]
pub struct CaseEventPayload {
    /// The event as recorded.
    pub case_event: CaseEvent,
}

/// Adds an agreement to the plan.
#[derive(InputObject)]
pub struct AddAgreementInput {
    /// The case whose plan the agreement joins.
    pub case_id: ID,
    /// What is to be done, 1–4000 characters.
    pub description: String,
    /// Who is responsible: an active professional participant of the case.
    pub owner_id: ID,
    /// By when; not in the past.
    pub due_on: Date,
    /// The meeting it was made at.
    pub meeting_id: Option<ID>,
    /// The discharge from child psychiatry it is made for (`Case.discharges`): the owner acts
    /// for the municipality and it is due on or after the discharge day.
    pub after_discharge_id: Option<ID>,
    /// The agenda item of `meetingId` it was agreed under.
    pub agenda_item_id: Option<ID>,
}

/// Marks an agreement carried out.
#[derive(InputObject)]
pub struct CompleteAgreementInput {
    /// The agreement that was carried out.
    pub agreement_id: ID,
}

/// Cancels an agreement that no longer serves the child.
#[derive(InputObject)]
pub struct CancelAgreementInput {
    /// The agreement.
    pub agreement_id: ID,
    /// Why, 1–4000 characters.
    pub reason: String,
}

/// An agreement changed.
#[derive(SimpleObject)]
pub struct AgreementPayload {
    /// The agreement as it is now.
    pub agreement: Agreement,
}

/// Plan mutations.
#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Records a pathway event on a case you manage; deadlines it starts or meets follow.
    async fn record_case_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: RecordCaseEventInput,
    ) -> async_graphql::Result<CaseEventPayload> {
        let cmd = RecordEvent {
            case_id: decode::<CaseId>("input.caseId", &input.case_id).gql()?,
            kind: DomainEventKind::from(input.kind),
            sector: input.sector.map(Into::into),
            meeting_id: decode_opt::<MeetingId>("input.meetingId", input.meeting_id.as_ref())
                .gql()?,
            note: input.note,
            occurred_at: input.occurred_at.map(|d| d.0),
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = plans::record_event(&w.txn, w.actor, w.now, cmd).await;
        let event = w.finish(result).await.gql()?;
        Ok(CaseEventPayload {
            case_event: CaseEvent(event),
        })
    }

    /// Adds an agreement to the cross-sector plan of a case you manage.
    async fn add_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement.")] input: AddAgreementInput,
    ) -> async_graphql::Result<AgreementPayload> {
        let cmd = AddAgreement {
            case_id: decode::<CaseId>("input.caseId", &input.case_id).gql()?,
            meeting_id: decode_opt::<MeetingId>("input.meetingId", input.meeting_id.as_ref())
                .gql()?,
            description: input.description,
            owner_id: decode::<ParticipantId>("input.ownerId", &input.owner_id).gql()?,
            due_on: input.due_on.0,
            after_discharge: decode_opt::<DischargeId>(
                "input.afterDischargeId",
                input.after_discharge_id.as_ref(),
            )
            .gql()?,
            agenda_item: decode_opt::<AgendaItemId>(
                "input.agendaItemId",
                input.agenda_item_id.as_ref(),
            )
            .gql()?,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = plans::add_agreement(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        Ok(AgreementPayload {
            agreement: Agreement(row),
        })
    }

    /// Marks an agreement carried out: its owner, or someone who manages the case.
    async fn complete_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement.")] input: CompleteAgreementInput,
    ) -> async_graphql::Result<AgreementPayload> {
        let id: AgreementId = decode("input.agreementId", &input.agreement_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = plans::complete_agreement(&w.txn, w.actor, w.now, id).await;
        let row = w.finish(result).await.gql()?;
        Ok(AgreementPayload {
            agreement: Agreement(row),
        })
    }

    /// Cancels an OPEN agreement of a case you manage that no longer serves the child, with a
    /// reason; its deadline is withdrawn. CONFLICT for one already DONE or CANCELLED.
    async fn cancel_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement and why.")] input: CancelAgreementInput,
    ) -> async_graphql::Result<AgreementPayload> {
        let id: AgreementId = decode("input.agreementId", &input.agreement_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = plans::cancel_agreement(&w.txn, w.actor, w.now, id, &input.reason).await;
        let row = w.finish(result).await.gql()?;
        Ok(AgreementPayload {
            agreement: Agreement(row),
        })
    }
}

/// A challenge or resource a meeting records.
#[derive(InputObject)]
pub struct PlanItemInput {
    /// What it is, 1–4000 characters.
    pub text: String,
    /// Discussed in the meeting's closed part: person-sensitive, left out of the family's
    /// page. Default false.
    #[graphql(default)]
    pub closed: bool,
}

/// An agreement a meeting makes.
#[derive(InputObject)]
pub struct PlanAgreementInput {
    /// What is to be done, 1–4000 characters.
    pub description: String,
    /// Who is responsible: an active professional participant.
    pub owner_id: ID,
    /// By when; not in the past.
    pub due_on: Date,
    /// The meeting's agenda item it was agreed under (`RecordMeetingHeldInput.agendaMinutes`
    /// holds what was said there).
    pub agenda_item_id: Option<ID>,
}

/// What a held meeting writes into the plan. A part left out is carried over from the
/// version before; agreements are added to those the plan holds.
#[derive(InputObject)]
pub struct PlanInput {
    /// The child's or young person's own wishes.
    pub child_wishes: Option<String>,
    /// The family's wishes.
    pub family_wishes: Option<String>,
    /// The challenges discussed, most important first.
    pub challenges: Option<Vec<PlanItemInput>>,
    /// The resources to build on, most important first.
    pub resources: Option<Vec<PlanItemInput>>,
    /// The agreements made. Default none.
    #[graphql(default)]
    pub agreements: Vec<PlanAgreementInput>,
}

impl PlanInput {
    /// The plan content, ids decoded.
    ///
    /// # Errors
    /// [`Error::Validation`] for an id that is not an id, naming its field.
    pub fn into_content(self) -> Result<plans::PlanContent> {
        let items = |list: Option<Vec<PlanItemInput>>| {
            list.map(|l| {
                l.into_iter()
                    .map(|i| plans::PlanItemInput {
                        text: i.text,
                        closed: i.closed,
                    })
                    .collect()
            })
        };
        let agreements = self
            .agreements
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                Ok(plans::NewPlanAgreement {
                    description: a.description,
                    owner_id: decode(&format!("input.plan.agreements.{i}.ownerId"), &a.owner_id)?,
                    due_on: a.due_on.0,
                    agenda_item: decode_opt::<AgendaItemId>(
                        &format!("input.plan.agreements.{i}.agendaItemId"),
                        a.agenda_item_id.as_ref(),
                    )?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(plans::PlanContent {
            child_wishes: self.child_wishes,
            family_wishes: self.family_wishes,
            challenges: items(self.challenges),
            resources: items(self.resources),
            agreements,
        })
    }
}
