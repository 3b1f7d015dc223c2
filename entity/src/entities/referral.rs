//! `referrals`: how a case entered the municipality's single entry point.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{ChildMatchDecision, ReferralSource};
use crate::domain::ids::{CaseId, ChildId, ProfessionalId, ReferralId};

/// One referral; exactly one per case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ReferralId,
    /// The case it opened; unique.
    #[sea_orm(unique)]
    pub case_id: CaseId,
    /// Where it came from.
    pub source: ReferralSource,
    /// When the entry point received it.
    pub received_at: DateTimeUtc,
    /// The reason for referral, as written by the referrer.
    pub reason: String,
    /// The referring person, if named.
    pub referrer_name: Option<String>,
    /// The referring organization, if named (a practice, a ward, a school).
    pub referrer_organization: Option<String>,
    /// The professional who registered it.
    pub submitted_by_id: ProfessionalId,
    /// The CPR number the referrer gave, when it is registered for a child already known
    /// (`match_child_id`); that child's record is never shown to the referrer.
    pub submitted_cpr: Option<String>,
    /// The known child the CPR number belongs to, until the intake unit decides.
    pub match_child_id: Option<ChildId>,
    /// True when the referred name differs from the known child's.
    pub match_name_differs: Option<bool>,
    /// True when the referred date of birth differs from the known child's.
    pub match_birth_date_differs: Option<bool>,
    /// The intake unit's decision; null while open.
    pub match_decision: Option<ChildMatchDecision>,
    /// When it was decided.
    pub match_decided_at: Option<DateTimeUtc>,
    /// Who decided.
    pub match_decided_by_id: Option<ProfessionalId>,
    /// When it was registered.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
