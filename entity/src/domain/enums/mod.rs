//! The closed vocabularies of the domain, stored as upper-case strings so that SQLite and
//! PostgreSQL hold the same text and a database reader can understand a row without the code.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

mod pathway;
mod support;

pub use pathway::*;
pub use support::*;

/// What kind of organization someone works for. The kind decides the sector its professionals
/// act for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganizationKind {
    /// The region's child and adolescent psychiatry (BUC).
    #[sea_orm(string_value = "REGIONAL_CHILD_PSYCHIATRY")]
    RegionalChildPsychiatry,
    /// A municipality (family department, PPR, health visitors, school, SSP, job centre…).
    #[sea_orm(string_value = "MUNICIPALITY")]
    Municipality,
    /// A general practice (the family doctor).
    #[sea_orm(string_value = "GENERAL_PRACTICE")]
    GeneralPractice,
    /// A somatic hospital ward, e.g. paediatrics.
    #[sea_orm(string_value = "HOSPITAL_WARD")]
    HospitalWard,
    /// A school or day-care institution.
    #[sea_orm(string_value = "SCHOOL_OR_DAY_CARE")]
    SchoolOrDayCare,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl OrganizationKind {
    /// The sector a professional of this kind of organization acts for by default.
    #[must_use]
    pub fn sector(self) -> Sector {
        match self {
            Self::RegionalChildPsychiatry => Sector::ChildPsychiatry,
            Self::Municipality => Sector::Municipality,
            Self::GeneralPractice => Sector::GeneralPractice,
            Self::HospitalWard => Sector::Hospital,
            Self::SchoolOrDayCare => Sector::SchoolOrDayCare,
            Self::Other => Sector::Other,
        }
    }
}

/// The sector a participant acts for. A case has at most one active responsible contact per
/// sector.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Sector {
    /// Child and adolescent psychiatry (the region).
    #[sea_orm(string_value = "CHILD_PSYCHIATRY")]
    ChildPsychiatry,
    /// The municipality.
    #[sea_orm(string_value = "MUNICIPALITY")]
    Municipality,
    /// General practice.
    #[sea_orm(string_value = "GENERAL_PRACTICE")]
    GeneralPractice,
    /// Somatic hospital.
    #[sea_orm(string_value = "HOSPITAL")]
    Hospital,
    /// School or day care.
    #[sea_orm(string_value = "SCHOOL_OR_DAY_CARE")]
    SchoolOrDayCare,
    /// The child and the family themselves.
    #[sea_orm(string_value = "FAMILY")]
    Family,
    /// Any other actor.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl Sector {
    /// The sector's name in `language`, as e-mails use it.
    #[must_use]
    pub fn name(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::ChildPsychiatry, Language::Da) => "børne- og ungdomspsykiatrien",
            (Self::Municipality, Language::Da) => "kommunen",
            (Self::GeneralPractice, Language::Da) => "egen læge",
            (Self::Hospital, Language::Da) => "hospitalet",
            (Self::SchoolOrDayCare, Language::Da) => "skole eller dagtilbud",
            (Self::Family, Language::Da) => "familien",
            (Self::Other, Language::Da) => "andre",
            (Self::ChildPsychiatry, Language::En) => "child and adolescent psychiatry",
            (Self::Municipality, Language::En) => "the municipality",
            (Self::GeneralPractice, Language::En) => "general practice",
            (Self::Hospital, Language::En) => "the hospital",
            (Self::SchoolOrDayCare, Language::En) => "school or day care",
            (Self::Family, Language::En) => "the family",
            (Self::Other, Language::En) => "others",
        }
    }
}

/// What a participant does in a case.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ParticipantRole {
    /// The one responsible contact of a sector (ansvarlig kontaktperson).
    #[sea_orm(string_value = "RESPONSIBLE_CONTACT")]
    ResponsibleContact,
    /// The person responsible for action in the pathway (indsatsansvarlig).
    #[sea_orm(string_value = "INTERVENTION_LEAD")]
    InterventionLead,
    /// Another professional taking part.
    #[sea_orm(string_value = "PROFESSIONAL")]
    Professional,
    /// A parent, guardian or other family member.
    #[sea_orm(string_value = "GUARDIAN")]
    Guardian,
    /// The child or young person.
    #[sea_orm(string_value = "CHILD")]
    Child,
    /// An actor outside the system's organizations (a private therapist, a sports coach…).
    #[sea_orm(string_value = "EXTERNAL")]
    External,
}

impl ParticipantRole {
    /// The kind of person the role must be held by.
    #[must_use]
    pub fn person_kind(self) -> ParticipantKind {
        match self {
            Self::ResponsibleContact | Self::InterventionLead | Self::Professional => {
                ParticipantKind::Professional
            }
            Self::Guardian => ParticipantKind::FamilyMember,
            Self::Child => ParticipantKind::Child,
            Self::External => ParticipantKind::External,
        }
    }

    /// True for roles that may change the case: add people, decide, close.
    #[must_use]
    pub fn manages_case(self) -> bool {
        matches!(self, Self::ResponsibleContact | Self::InterventionLead)
    }
}

/// Who a participant is: which column of the participant row names them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ParticipantKind {
    /// A professional of one of the organizations.
    #[sea_orm(string_value = "PROFESSIONAL")]
    Professional,
    /// A guardian or other family member of the child.
    #[sea_orm(string_value = "FAMILY_MEMBER")]
    FamilyMember,
    /// The child of the case.
    #[sea_orm(string_value = "CHILD")]
    Child,
    /// An external actor, named on the participant row itself.
    #[sea_orm(string_value = "EXTERNAL")]
    External,
}

/// Where a referral came from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ReferralSource {
    /// The family doctor.
    #[sea_orm(string_value = "GENERAL_PRACTITIONER")]
    GeneralPractitioner,
    /// A somatic hospital ward.
    #[sea_orm(string_value = "HOSPITAL_WARD")]
    HospitalWard,
    /// Child and adolescent psychiatry.
    #[sea_orm(string_value = "CHILD_PSYCHIATRY")]
    ChildPsychiatry,
    /// The school.
    #[sea_orm(string_value = "SCHOOL")]
    School,
    /// The parents.
    #[sea_orm(string_value = "PARENTS")]
    Parents,
    /// The young person themselves.
    #[sea_orm(string_value = "YOUNG_PERSON")]
    YoungPerson,
}

/// What a recorded change to need-to-know changed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum AccessChangeKind {
    /// A professional's unit (joining an organization, or moving between its units).
    #[sea_orm(string_value = "MEMBER_OF_UNIT")]
    MemberOfUnit,
    /// The unit a professional leads.
    #[sea_orm(string_value = "LEADS_UNIT")]
    LeadsUnit,
    /// Whether a unit is its municipality's intake unit.
    #[sea_orm(string_value = "UNIT_IS_INTAKE")]
    UnitIsIntake,
}

/// The intake unit's decision on a referral whose CPR number is registered for a known child.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ChildMatchDecision {
    /// The referred child is the known child: the case now follows that child's record.
    #[sea_orm(string_value = "SAME_CHILD")]
    SameChild,
    /// Another child: the referral's record stays, without the CPR number it named.
    #[sea_orm(string_value = "DIFFERENT_CHILD")]
    DifferentChild,
}

/// A family member's relation to the child.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum FamilyRelation {
    /// Mother.
    #[sea_orm(string_value = "MOTHER")]
    Mother,
    /// Father.
    #[sea_orm(string_value = "FATHER")]
    Father,
    /// A parent, without further detail.
    #[sea_orm(string_value = "PARENT")]
    Parent,
    /// A step-parent.
    #[sea_orm(string_value = "STEP_PARENT")]
    StepParent,
    /// A foster parent.
    #[sea_orm(string_value = "FOSTER_PARENT")]
    FosterParent,
    /// A legally appointed guardian who is not a parent.
    #[sea_orm(string_value = "LEGAL_GUARDIAN")]
    LegalGuardian,
    /// A sibling.
    #[sea_orm(string_value = "SIBLING")]
    Sibling,
    /// A grandparent.
    #[sea_orm(string_value = "GRANDPARENT")]
    Grandparent,
    /// Any other relation.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The language someone wants to be written to in.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Language {
    /// Danish, the default.
    #[default]
    #[sea_orm(string_value = "da")]
    Da,
    /// English.
    #[sea_orm(string_value = "en")]
    En,
}
