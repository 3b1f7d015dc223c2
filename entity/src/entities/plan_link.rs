//! `plan_links`: a guardian's or the young person's personal link to the case's current plan.
//! The link itself is a signed token naming the row; the row holds its expiry and revocation.

use sea_orm::entity::prelude::*;

use crate::domain::enums::Language;
use crate::domain::ids::{CaseId, FamilyMemberId, PlanLinkId, ProfessionalId};

/// One link.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_links")]
pub struct Model {
    /// Key, and what the signed token names.
    #[sea_orm(primary_key)]
    pub id: PlanLinkId,
    /// The case whose plan it opens.
    pub case_id: CaseId,
    /// The guardian it was sent to; `None` when it was sent to the young person.
    pub family_member_id: Option<FamilyMemberId>,
    /// Sent to the young person (15 or over).
    pub young_person: bool,
    /// The address it was sent to.
    pub email: String,
    /// The language of the e-mail and the page.
    pub language: Language,
    /// The link stops working then.
    pub expires_at: DateTimeUtc,
    /// Who sent it.
    pub created_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTimeUtc>,
    /// Who revoked it.
    pub revoked_by_id: Option<ProfessionalId>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether the link still opens the plan at `now`.
    #[must_use]
    pub fn is_usable(&self, now: DateTimeUtc) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}
