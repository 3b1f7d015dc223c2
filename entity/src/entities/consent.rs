//! `consents`: a consent to share information about the child of a case between the
//! organizations listed in `consent_organizations`, given by a guardian with custody or by the
//! young person (15 or over) themself; kept after withdrawal.

use sea_orm::entity::prelude::*;

use crate::domain::enums::ConsentPurpose;
use crate::domain::ids::{CaseId, ConsentId, FamilyMemberId, ProfessionalId};

/// One consent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ConsentId,
    /// The case whose child it concerns.
    pub case_id: CaseId,
    /// The guardian with custody who gave it; null when the young person gave it.
    pub given_by_family_member_id: Option<FamilyMemberId>,
    /// True when the young person (15 or over) gave it themself.
    pub given_by_child: bool,
    /// What it allows.
    pub purpose: ConsentPurpose,
    /// From when it holds.
    pub valid_from: DateTimeUtc,
    /// Until when it holds; null for until withdrawn.
    pub valid_until: Option<DateTimeUtc>,
    /// The document or note it rests on (e.g. "signed form scanned to the case file
    /// 2026-11-20", "given orally at the start meeting, noted by …").
    #[sea_orm(column_type = "Text")]
    pub basis: String,
    /// Who recorded it.
    pub recorded_by_id: ProfessionalId,
    /// When it was recorded.
    pub recorded_at: DateTimeUtc,
    /// When it was withdrawn; it stops holding at that moment.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Who recorded the withdrawal.
    pub withdrawn_by_id: Option<ProfessionalId>,
    /// Why, or how the withdrawal was made known.
    #[sea_orm(column_type = "Text", nullable)]
    pub withdrawal_reason: Option<String>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// True while it holds at `at`: begun, not expired, not withdrawn.
    #[must_use]
    pub fn holds_at(&self, at: DateTimeUtc) -> bool {
        self.valid_from <= at
            && self.valid_until.is_none_or(|until| at < until)
            && self.withdrawn_at.is_none_or(|withdrawn| at < withdrawn)
    }
}
