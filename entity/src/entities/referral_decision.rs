//! `referral_decisions`: the coordination committee's decision on a referral, as told to the
//! professional who sent it.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{CaseId, ProfessionalId, ReferralDecisionId};
use crate::domain::status::CaseStatus;

/// One decision told to one referrer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral_decisions")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ReferralDecisionId,
    /// The case the referral opened.
    pub case_id: CaseId,
    /// The professional who sent the referral.
    pub recipient_id: ProfessionalId,
    /// Where the decision took the case: ACTIVE (accepted), REDIRECTED or REJECTED.
    pub outcome: CaseStatus,
    /// The committee's reason.
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// Where the child was redirected to.
    #[sea_orm(column_type = "Text", nullable)]
    pub redirected_to: Option<String>,
    /// The intake unit member who recorded the decision.
    pub decided_by_id: ProfessionalId,
    /// When.
    pub created_at: DateTimeUtc,
    /// When the referrer marked it read.
    pub read_at: Option<DateTimeUtc>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
