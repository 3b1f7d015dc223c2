//! `referrals`: how a case entered the municipality's single entry point.

use sea_orm::entity::prelude::*;

use crate::domain::enums::ReferralSource;
use crate::domain::ids::{CaseId, ProfessionalId, ReferralId};

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
    /// When it was registered.
    pub created_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
