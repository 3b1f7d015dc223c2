//! `deadline_rules`: time limits as data. A rule names the event that starts it, an offset,
//! the event that meets it, whom to alert, when to remind and when to escalate. Rules are
//! versioned: editing one adds a version and marks the old one superseded; deadlines keep
//! the version they started with. Rows without an organization are the product's defaults.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{AlertTo, OffsetUnit, RuleAnchor, RuleEvent, Sector};
use crate::domain::ids::{DeadlineRuleId, OrganizationId, ProfessionalId};

/// One version of a rule.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_rules")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DeadlineRuleId,
    /// The organization whose rule it is; none for the product's defaults.
    pub organization_id: Option<OrganizationId>,
    /// The stable code ("start-meeting").
    pub code: String,
    /// The version, from 1.
    pub version: i32,
    /// Danish name.
    pub name_da: String,
    /// English name.
    pub name_en: String,
    /// What it is and where it comes from.
    pub description: String,
    /// The event that starts it.
    pub start_event: RuleEvent,
    /// Narrows the starting event (meeting kinds, an event kind, an age).
    pub start_filter: Option<String>,
    /// What the due time is counted from.
    pub anchor: RuleAnchor,
    /// The offset from the anchor (negative: before it).
    pub offset_value: i32,
    /// What `offset` counts: hours, calendar or working days, months or follow-up cadences.
    pub offset_unit: OffsetUnit,
    /// The event that meets it.
    pub met_by_event: RuleEvent,
    /// Narrows the meeting event.
    pub met_by_filter: Option<String>,
    /// One deadline per participating sector.
    pub per_sector: bool,
    /// Who is reminded and alerted.
    pub alert_to: AlertTo,
    /// The sector whose responsible contact is alerted, for RESPONSIBLE_CONTACT.
    pub alert_sector: Option<Sector>,
    /// Reminders before the due time: a JSON list of `{"value": n, "unit": "…"}`.
    pub reminders: String,
    /// Working days after the due time when a missed deadline escalates to the leader.
    pub escalate_after_working_days: Option<i32>,
    /// When a newer version replaced it.
    pub superseded_at: Option<DateTimeUtc>,
    /// Who made this version; none for the defaults.
    pub created_by_id: Option<ProfessionalId>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
