//! `notifications`: in-app notifications of a deadline's stages, one per deadline, stage and
//! recipient.

use sea_orm::entity::prelude::*;

use crate::domain::enums::NotificationKind;
use crate::domain::ids::{DeadlineId, NotificationId, ProfessionalId};

/// One notification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: NotificationId,
    /// The deadline it is about.
    pub deadline_id: DeadlineId,
    /// The stage: reminders 0…n-1, n = due, n+1 = escalation.
    pub stage: i32,
    /// Reminder, due alert or escalation.
    pub kind: NotificationKind,
    /// Who it is for.
    pub recipient_id: ProfessionalId,
    /// When it was made.
    pub created_at: DateTimeUtc,
    /// When they marked it read.
    pub read_at: Option<DateTimeUtc>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
