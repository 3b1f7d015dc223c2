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

/// A participation decoded by position. On PostgreSQL the columns are read straight from the
/// row in the order `Entity::find()` selects them; sea-orm's own decoding formats an error
/// message for every NULL column it meets and then drops it, and a caseload page's 400
/// participations carry about nine NULL columns each. Elsewhere, and for a prefixed select,
/// sea-orm's own decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByPosition(pub Model);

impl sea_orm::FromQueryResult for ByPosition {
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, DbErr> {
        use sea_orm::ActiveEnum;
        use sea_orm::sqlx::Row;
        let Some(row) = res.try_as_pg_row().filter(|_| pre.is_empty()) else {
            return <Model as sea_orm::FromQueryResult>::from_query_result(res, pre).map(Self);
        };
        let db = |e: sea_orm::sqlx::Error| DbErr::Type(e.to_string());
        let text = |i: usize| row.try_get::<String, _>(i).map_err(db);
        let id = |i: usize| row.try_get::<i64, _>(i).map_err(db);
        let optional_id = |i: usize| row.try_get::<Option<i64>, _>(i).map_err(db);
        let optional_text = |i: usize| row.try_get::<Option<String>, _>(i).map_err(db);
        Ok(Self(Model {
            id: ParticipantId(id(0)?),
            case_id: CaseId(id(1)?),
            kind: ParticipantKind::try_from_value(&text(2)?)?,
            role: ParticipantRole::try_from_value(&text(3)?)?,
            sector: Sector::try_from_value(&text(4)?)?,
            professional_id: optional_id(5)?.map(ProfessionalId),
            family_member_id: optional_id(6)?.map(FamilyMemberId),
            external_name: optional_text(7)?,
            external_email: optional_text(8)?,
            external_phone: optional_text(9)?,
            external_organization: optional_text(10)?,
            active_from: row.try_get(11).map_err(db)?,
            active_until: row.try_get(12).map_err(db)?,
            end_reason: optional_text(13)?,
            added_by_id: ProfessionalId(id(14)?),
            ended_by_id: optional_id(15)?.map(ProfessionalId),
        }))
    }
}
