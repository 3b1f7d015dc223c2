//! `organizations`: a region's child psychiatry, a municipality, a practice, a ward, a school.

use sea_orm::entity::prelude::*;

use crate::domain::enums::OrganizationKind;
use crate::domain::ids::OrganizationId;

/// One organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: OrganizationId,
    /// Display name.
    pub name: String,
    /// Kind; decides the sector its professionals act for.
    pub kind: OrganizationKind,
    /// When meetings may start, in minutes after midnight (Copenhagen); default 08:00.
    pub office_hours_start_minute: i32,
    /// When meetings must end, in minutes after midnight (Copenhagen); default 16:00.
    pub office_hours_end_minute: i32,
    /// Months between follow-up meetings in its cases; default 3.
    pub follow_up_months: i32,
    /// Working days' notice before a scheduled meeting, so information can be exchanged
    /// first; default 5.
    pub meeting_notice_days: i32,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
