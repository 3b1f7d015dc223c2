//! `consultation_bookings`: one professional's booked consultation about a concern, without
//! identifying the child: a topic for the statistics and a text checked for CPR numbers.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{ConsultationStatus, ConsultationTopic};
use crate::domain::ids::{ConsultationBookingId, ConsultationOfferId, ProfessionalId};

/// One booking.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_bookings")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ConsultationBookingId,
    /// The offer whose slot it takes.
    pub offer_id: ConsultationOfferId,
    /// The slot's start.
    pub starts_at: DateTimeUtc,
    /// The slot's end.
    pub ends_at: DateTimeUtc,
    /// Who booked it.
    pub booked_by_id: ProfessionalId,
    /// What it is about.
    pub topic: ConsultationTopic,
    /// The concern, without the child's identity.
    #[sea_orm(column_type = "Text")]
    pub concern: String,
    /// Booked or cancelled.
    pub status: ConsultationStatus,
    /// When it was booked.
    pub created_at: DateTimeUtc,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Who cancelled it.
    pub cancelled_by_id: Option<ProfessionalId>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
