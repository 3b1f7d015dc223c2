//! `consultation_offers`: an organization's recurring consultation ("sparring") slots — child
//! psychiatry's consultation hours, a weekly phone slot between health visitors and a social
//! worker — within its office hours, booked by professionals without a case.

use sea_orm::entity::prelude::*;

use crate::domain::consultation::{SlotPattern, Weekdays};
use crate::domain::enums::ConsultationChannel;
use crate::domain::ids::{ConsultationOfferId, OrganizationId, ProfessionalId};

/// One offer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_offers")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ConsultationOfferId,
    /// The organization that offers it.
    pub organization_id: OrganizationId,
    /// The professional who takes the consultations.
    pub host_id: ProfessionalId,
    /// Its name ("Konsultationstid i børne- og ungdomspsykiatrien").
    pub name: String,
    /// What it is for and who may book it.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Phone, video or in person.
    pub channel: ConsultationChannel,
    /// Where, or the number to call.
    pub location: Option<String>,
    /// The weekdays it recurs on (Monday the lowest bit).
    pub weekdays: i32,
    /// First slot's start, minutes after local midnight.
    pub start_minute: i32,
    /// The last slot ends by then.
    pub end_minute: i32,
    /// Each slot's length in minutes.
    pub slot_minutes: i32,
    /// Open for booking.
    pub active: bool,
    /// When it was published.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The weekly pattern of its slots.
    #[must_use]
    pub fn pattern(&self) -> SlotPattern {
        SlotPattern {
            weekdays: Weekdays(self.weekdays),
            start_minute: self.start_minute,
            end_minute: self.end_minute,
            slot_minutes: self.slot_minutes,
        }
    }
}
