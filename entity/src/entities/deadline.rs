//! `deadlines`: one time limit owed to a child, computed from an event by a rule version.
//! Created and met by the domain events themselves, in their transactions. `next_action_at`
//! (indexed) is when the sweeper must next act: a reminder, the due alert, the escalation.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{DeadlineStatus, Sector};
use crate::domain::ids::{
    AgreementId, CaseId, DeadlineId, DeadlineRuleId, MeetingId, ProfessionalId, UnitId,
};

/// One deadline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadlines")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DeadlineId,
    /// The case whose pathway owes it.
    pub case_id: CaseId,
    /// The rule version it runs under.
    pub rule_id: DeadlineRuleId,
    /// The rule's code, the same across its versions (e.g. `intake-decision`).
    pub rule_code: String,
    /// What within the case it is about ("", "sector:MUNICIPALITY", "meeting:7", "age:16");
    /// unique per case and rule.
    pub subject: String,
    /// The sector, for rules per sector.
    pub sector: Option<Sector>,
    /// The meeting it is about.
    pub meeting_id: Option<MeetingId>,
    /// The agreement it is about.
    pub agreement_id: Option<AgreementId>,
    /// PENDING, MET, MISSED, WAIVED or WITHDRAWN.
    pub status: DeadlineStatus,
    /// When it started.
    pub started_at: DateTimeUtc,
    /// When it is due.
    pub due_at: DateTimeUtc,
    /// When it was met.
    pub met_at: Option<DateTimeUtc>,
    /// When it was waived.
    pub waived_at: Option<DateTimeUtc>,
    /// Who waived it.
    pub waived_by_id: Option<ProfessionalId>,
    /// Why.
    pub waive_reason: Option<String>,
    /// When it was withdrawn because its starting event was undone.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// The one professional its reminders and alerts go to, when one person holds the
    /// position; null when they go to the members of `responsible_unit_id`.
    pub responsible_id: Option<ProfessionalId>,
    /// The unit whose members are alerted when nobody holds the position (the intake unit of
    /// the case's municipality); null when `responsible_id` is set.
    pub responsible_unit_id: Option<UnitId>,
    /// When the sweeper must next act; none when nothing is left to do.
    pub next_action_at: Option<DateTimeUtc>,
    /// The stage due at `next_action_at`: reminders 0…n-1, n = due, n+1 = escalation.
    pub next_stage: Option<i32>,
    /// Why the sweeper last set it aside, when it could not process it (the cause, for
    /// operators); cleared when a later sweep succeeds.
    pub alert_error: Option<String>,
    /// When the sweeper last set it aside.
    pub alert_failed_at: Option<DateTimeUtc>,
    /// How many sweeps in a row could not process it.
    pub alert_attempts: i32,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
