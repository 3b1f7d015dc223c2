//! `agreements`: the items of the cross-sector plan — what, who is responsible, by when.

use sea_orm::entity::prelude::*;

use crate::domain::enums::AgreementStatus;
use crate::domain::ids::{
    AgendaItemId, AgreementId, CaseId, DischargeId, MeetingId, ParticipantId, ProfessionalId,
};

/// One agreement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: AgreementId,
    /// The case whose plan holds it.
    pub case_id: CaseId,
    /// The meeting it was made at.
    pub meeting_id: Option<MeetingId>,
    /// What is to be done.
    pub description: String,
    /// Who is responsible (a participant).
    pub owner_id: ParticipantId,
    /// By when.
    pub due_on: Date,
    /// OPEN, DONE or CANCELLED.
    pub status: AgreementStatus,
    /// When it was carried out.
    pub completed_at: Option<DateTimeUtc>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Why.
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    /// The discharge from child psychiatry it is made for: what the municipality does after
    /// the child comes home. None for the plan's other agreements.
    pub after_discharge_id: Option<DischargeId>,
    /// The agenda item of its meeting it was agreed under.
    pub agenda_item_id: Option<AgendaItemId>,
    /// Who wrote it down.
    pub created_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
