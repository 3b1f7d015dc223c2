//! `agenda_items`: a meeting's prioritised agenda. A closed item is person-sensitive and
//! visible only to professional participants.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{AgendaItemId, MeetingId, ParticipantId};

/// One agenda item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_items")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: AgendaItemId,
    /// The meeting whose agenda it is on.
    pub meeting_id: MeetingId,
    /// The topic.
    pub title: String,
    /// Priority order, 1 first.
    pub position: i32,
    /// The participant who owns the item.
    pub owner_id: Option<ParticipantId>,
    /// Person-sensitive: only professionals see it.
    pub closed: bool,
    /// What the item is for, as its template says.
    #[sea_orm(column_type = "Text", nullable)]
    pub guidance: Option<String>,
    /// What was said and decided under it, once the meeting is held.
    #[sea_orm(column_type = "Text", nullable)]
    pub minutes: Option<String>,
    /// When it was added.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
