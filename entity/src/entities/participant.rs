//! `participants`: one person's participation in a case, with role, sector and an active
//! period. Ending a participation closes the period; the row stays as history.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{ParticipantKind, ParticipantRole, Sector};
use crate::domain::ids::{CaseId, FamilyMemberId, ParticipantId, ProfessionalId};

/// One participation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: ParticipantId,
    /// The case they take part in.
    pub case_id: CaseId,
    /// Which of the person columns names the participant.
    pub kind: ParticipantKind,
    /// What they do in the case.
    pub role: ParticipantRole,
    /// The sector they act for.
    pub sector: Sector,
    /// Set when `kind` is PROFESSIONAL.
    pub professional_id: Option<ProfessionalId>,
    /// Set when `kind` is FAMILY_MEMBER.
    pub family_member_id: Option<FamilyMemberId>,
    /// Set when `kind` is EXTERNAL: the actor's name.
    pub external_name: Option<String>,
    /// An external actor's e-mail address.
    pub external_email: Option<String>,
    /// An external actor's phone number.
    pub external_phone: Option<String>,
    /// An external actor's organization, as free text.
    pub external_organization: Option<String>,
    /// Start of the active period.
    pub active_from: DateTimeUtc,
    /// End of the active period; none while active.
    pub active_until: Option<DateTimeUtc>,
    /// Why the participation ended.
    pub end_reason: Option<String>,
    /// Who added them.
    pub added_by_id: ProfessionalId,
    /// Who ended the participation.
    pub ended_by_id: Option<ProfessionalId>,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// True while the active period has not ended.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.active_until.is_none()
    }

    /// True for an active responsible contact.
    #[must_use]
    pub fn is_active_responsible_contact(&self) -> bool {
        self.is_active() && self.role == ParticipantRole::ResponsibleContact
    }
}

/// A participation decoded by position, in the order `Entity::find()` selects its columns
/// (see [`super::columns`]): a caseload page's 400 participations carry about nine NULL
/// columns each. With a prefix, sea-orm's own decoding by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByPosition(pub Model);

/// How many columns a participation has.
pub const COLUMNS: usize = 16;

impl ByPosition {
    /// The participation in the [`COLUMNS`] columns from the first of `c` on.
    ///
    /// # Errors
    /// When a column is missing or of another type.
    pub fn decode(c: &super::columns::Columns<'_>) -> Result<Model, DbErr> {
        Ok(Model {
            id: ParticipantId(c.get(0)?),
            case_id: CaseId(c.get(1)?),
            kind: c.enumeration(2)?,
            role: c.enumeration(3)?,
            sector: c.enumeration(4)?,
            professional_id: c.get::<Option<i64>>(5)?.map(ProfessionalId),
            family_member_id: c.get::<Option<i64>>(6)?.map(FamilyMemberId),
            external_name: c.get(7)?,
            external_email: c.get(8)?,
            external_phone: c.get(9)?,
            external_organization: c.get(10)?,
            active_from: c.get(11)?,
            active_until: c.get(12)?,
            end_reason: c.get(13)?,
            added_by_id: ProfessionalId(c.get(14)?),
            ended_by_id: c.get::<Option<i64>>(15)?.map(ProfessionalId),
        })
    }
}

impl sea_orm::FromQueryResult for ByPosition {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, DbErr> {
        if !pre.is_empty() {
            return <Model as sea_orm::FromQueryResult>::from_query_result(res, pre).map(Self);
        }
        Self::decode(&super::columns::Columns::of(res)).map(Self)
    }
}
