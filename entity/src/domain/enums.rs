//! The closed vocabularies of the domain, stored as upper-case strings so that SQLite and
//! PostgreSQL hold the same text and a database reader can understand a row without the code.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

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

/// The kind of a pathway meeting.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeetingKind {
    /// Opstartsmøde: the first meeting once the case is accepted.
    #[sea_orm(string_value = "START")]
    Start,
    /// Netværksmøde: the KIT network meeting across sectors.
    #[sea_orm(string_value = "NETWORK")]
    Network,
    /// Opfølgningsmøde.
    #[sea_orm(string_value = "FOLLOW_UP")]
    FollowUp,
    /// Afslutningsmøde.
    #[sea_orm(string_value = "CLOSING")]
    Closing,
    /// Overgangsmøde: the transition to adulthood (16 and 17½ years).
    #[sea_orm(string_value = "TRANSITION")]
    Transition,
    /// A meeting of the coordination committee.
    #[sea_orm(string_value = "COORDINATION")]
    Coordination,
}

impl MeetingKind {
    /// The name in `language`, as used in e-mails and calendars.
    #[must_use]
    pub fn name(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Start, Language::Da) => "Opstartsmøde",
            (Self::Network, Language::Da) => "Netværksmøde",
            (Self::FollowUp, Language::Da) => "Opfølgningsmøde",
            (Self::Closing, Language::Da) => "Afslutningsmøde",
            (Self::Transition, Language::Da) => "Overgangsmøde",
            (Self::Coordination, Language::Da) => "Koordinationsudvalgsmøde",
            (Self::Start, Language::En) => "Start meeting",
            (Self::Network, Language::En) => "Network meeting",
            (Self::FollowUp, Language::En) => "Follow-up meeting",
            (Self::Closing, Language::En) => "Closing meeting",
            (Self::Transition, Language::En) => "Transition meeting",
            (Self::Coordination, Language::En) => "Coordination committee meeting",
        }
    }

    /// True for the meetings after which the next follow-up is planned.
    #[must_use]
    pub fn continues_pathway(self) -> bool {
        matches!(self, Self::Start | Self::Network | Self::FollowUp)
    }
}

/// Where a meeting is: PLANNED → SCHEDULED → HELD, or CANCELLED.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeetingStatus {
    /// Requested; no time yet.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Has a time; invitations go out.
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    /// Took place; minutes recorded.
    #[sea_orm(string_value = "HELD")]
    Held,
    /// Called off.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl MeetingStatus {
    /// The upper-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "PLANNED",
            Self::Scheduled => "SCHEDULED",
            Self::Held => "HELD",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// True when the meeting can no longer change.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Held | Self::Cancelled)
    }
}

/// An invitee's answer (iCalendar PARTSTAT).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InviteeResponse {
    /// Not answered yet.
    #[sea_orm(string_value = "NEEDS_ACTION")]
    NeedsAction,
    /// Will come.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Will not come.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// Might come.
    #[sea_orm(string_value = "TENTATIVE")]
    Tentative,
}

impl InviteeResponse {
    /// The iCalendar PARTSTAT value.
    #[must_use]
    pub fn partstat(self) -> &'static str {
        match self {
            Self::NeedsAction => "NEEDS-ACTION",
            Self::Accepted => "ACCEPTED",
            Self::Declined => "DECLINED",
            Self::Tentative => "TENTATIVE",
        }
    }

    /// Reads an iCalendar PARTSTAT value.
    #[must_use]
    pub fn from_partstat(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().as_str() {
            "NEEDS-ACTION" => Some(Self::NeedsAction),
            "ACCEPTED" => Some(Self::Accepted),
            "DECLINED" => Some(Self::Declined),
            "TENTATIVE" => Some(Self::Tentative),
            _ => None,
        }
    }
}

/// The iTIP method of a message (RFC 5546).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ItipMethod {
    /// An invitation or an update.
    #[sea_orm(string_value = "REQUEST")]
    Request,
    /// A cancellation.
    #[sea_orm(string_value = "CANCEL")]
    Cancel,
}

impl ItipMethod {
    /// The METHOD value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// Where an outgoing message is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be retried.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Accepted by the mail server.
    #[sea_orm(string_value = "SENT")]
    Sent,
    /// Gave up after the last attempt, or the server refused it for good.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Not sent because a newer message to the same person replaced it.
    #[sea_orm(string_value = "SUPERSEDED")]
    Superseded,
}
