//! `calendar_feeds`: personal, revocable, read-only `.ics` feed URLs. Only a hash of the
//! secret token is stored.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CalendarFeedId, FamilyMemberId, ParticipantId, ProfessionalId};

/// One feed. Exactly one of the owner columns is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_feeds")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: CalendarFeedId,
    /// SHA-256 of the token in the URL, hex.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// A professional's feed: all their meetings.
    pub professional_id: Option<ProfessionalId>,
    /// A family member's feed: all meetings they are invited to.
    pub family_member_id: Option<FamilyMemberId>,
    /// Another participant's feed (the child, an external actor): their meetings in one case.
    pub participant_id: Option<ParticipantId>,
    /// Who created it.
    pub created_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
    /// When it was revoked; a revoked feed answers 404.
    pub revoked_at: Option<DateTimeUtc>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
