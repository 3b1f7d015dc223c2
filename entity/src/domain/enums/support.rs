//! What the pathway builds on: the plan's agreements and items, shared documents and
//! consents, the coordination committee, consultation and the early interventions' waiting
//! lists.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::Language;

/// Where an agreement of the plan is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AgreementStatus {
    /// To be done.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Carried out.
    #[sea_orm(string_value = "DONE")]
    Done,
    /// Dropped, with a reason: it no longer serves the child.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Whether a committee meeting still takes place.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommitteeMeetingStatus {
    /// It takes place at its time.
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    /// Called off; its undecided referrals wait for the next meeting.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// What the coordination committee decided on a referral.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommitteeDecision {
    /// Accepted into a coordinated pathway, with the units that take part.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Redirected to an early intervention: placed on its waiting list.
    #[sea_orm(string_value = "REDIRECTED")]
    Redirected,
    /// Rejected, with a reason.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// How a consultation is held.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ConsultationChannel {
    /// By telephone.
    #[sea_orm(string_value = "PHONE")]
    Phone,
    /// By video.
    #[sea_orm(string_value = "VIDEO")]
    Video,
    /// Meeting in person.
    #[sea_orm(string_value = "IN_PERSON")]
    InPerson,
}

/// What a consultation is about, for the monthly statistics.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ConsultationTopic {
    /// Anxiety, worries.
    #[sea_orm(string_value = "ANXIETY")]
    Anxiety,
    /// Low mood, depression.
    #[sea_orm(string_value = "LOW_MOOD")]
    LowMood,
    /// Self-harm or suicidal thoughts.
    #[sea_orm(string_value = "SELF_HARM")]
    SelfHarm,
    /// Eating.
    #[sea_orm(string_value = "EATING")]
    Eating,
    /// ADHD, autism and other neurodevelopmental questions.
    #[sea_orm(string_value = "NEURODEVELOPMENTAL")]
    Neurodevelopmental,
    /// School absence.
    #[sea_orm(string_value = "SCHOOL_ABSENCE")]
    SchoolAbsence,
    /// Behaviour, conflicts.
    #[sea_orm(string_value = "BEHAVIOUR")]
    Behaviour,
    /// The family: parents' illness, divorce, violence.
    #[sea_orm(string_value = "FAMILY")]
    Family,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

impl ConsultationTopic {
    /// The name in `language`.
    #[must_use]
    pub fn name(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Anxiety, Language::Da) => "angst og bekymringer",
            (Self::LowMood, Language::Da) => "nedtrykthed",
            (Self::SelfHarm, Language::Da) => "selvskade eller selvmordstanker",
            (Self::Eating, Language::Da) => "spisning",
            (Self::Neurodevelopmental, Language::Da) => "ADHD, autisme o.l.",
            (Self::SchoolAbsence, Language::Da) => "skolefravær",
            (Self::Behaviour, Language::Da) => "adfærd og konflikter",
            (Self::Family, Language::Da) => "familieforhold",
            (Self::Other, Language::Da) => "andet",
            (Self::Anxiety, Language::En) => "anxiety and worries",
            (Self::LowMood, Language::En) => "low mood",
            (Self::SelfHarm, Language::En) => "self-harm or suicidal thoughts",
            (Self::Eating, Language::En) => "eating",
            (Self::Neurodevelopmental, Language::En) => "ADHD, autism and the like",
            (Self::SchoolAbsence, Language::En) => "school absence",
            (Self::Behaviour, Language::En) => "behaviour and conflicts",
            (Self::Family, Language::En) => "the family",
            (Self::Other, Language::En) => "other",
        }
    }
}

impl ConsultationChannel {
    /// The name in `language`.
    #[must_use]
    pub fn name(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Phone, Language::Da) => "telefon",
            (Self::Video, Language::Da) => "video",
            (Self::InPerson, Language::Da) => "fremmøde",
            (Self::Phone, Language::En) => "phone",
            (Self::Video, Language::En) => "video",
            (Self::InPerson, Language::En) => "in person",
        }
    }
}

/// Whether a consultation still stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ConsultationStatus {
    /// Booked.
    #[sea_orm(string_value = "BOOKED")]
    Booked,
    /// Cancelled by the one who booked it or by the offering organization.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// How the family read the plan through their link.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum PlanFormat {
    /// The web page.
    #[sea_orm(string_value = "HTML")]
    Html,
    /// The PDF.
    #[sea_orm(string_value = "PDF")]
    Pdf,
}

/// What a plan item is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PlanItemKind {
    /// A challenge the child or family faces.
    #[sea_orm(string_value = "CHALLENGE")]
    Challenge,
    /// A resource to build on.
    #[sea_orm(string_value = "RESOURCE")]
    Resource,
}

/// What a shared document is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DocumentKind {
    /// A treatment plan (behandlingsplan).
    #[sea_orm(string_value = "TREATMENT_PLAN")]
    TreatmentPlan,
    /// A status note (statusnotat).
    #[sea_orm(string_value = "STATUS_NOTE")]
    StatusNote,
    /// A statement (udtalelse).
    #[sea_orm(string_value = "STATEMENT")]
    Statement,
    /// A referral letter (henvisning).
    #[sea_orm(string_value = "REFERRAL_LETTER")]
    ReferralLetter,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// What a consent allows information about the child to be shared for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ConsentPurpose {
    /// Coordinating the pathway: the organizations may see the case and take part in it.
    #[sea_orm(string_value = "COORDINATION")]
    Coordination,
    /// Information exchange: the organizations may share documents (treatment plans, status
    /// notes, statements) about the child with each other.
    #[sea_orm(string_value = "INFORMATION_EXCHANGE")]
    InformationExchange,
}

/// Where a case stands on an early intervention's waiting list.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WaitingStatus {
    /// In the queue, waiting for a seat.
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    /// Offered a seat in a cohort, which is held until the family answers.
    #[sea_orm(string_value = "OFFERED")]
    Offered,
    /// Accepted the seat: enrolled in the cohort, which counts it against its capacity.
    #[sea_orm(string_value = "ENROLLED")]
    Enrolled,
    /// Declined the seat offered; off the list.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// Taken off the list before enrolling.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
    /// Offered a seat and did not answer by the answer-by day: off the list, the seat gone to
    /// the next in line.
    #[sea_orm(string_value = "LAPSED")]
    Lapsed,
}

impl WaitingStatus {
    /// True while the entry is on the list: waiting, or holding an offered seat.
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Offered)
    }

    /// The upper-case name, as stored and as in messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "WAITING",
            Self::Offered => "OFFERED",
            Self::Enrolled => "ENROLLED",
            Self::Declined => "DECLINED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Lapsed => "LAPSED",
        }
    }
}

/// What a standard template shapes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TemplateKind {
    /// The agenda a meeting of one kind starts from.
    #[sea_orm(string_value = "AGENDA")]
    Agenda,
    /// The sections of a status note (statusnotat).
    #[sea_orm(string_value = "STATUS_NOTE")]
    StatusNote,
    /// The sections of the cross-sector plan.
    #[sea_orm(string_value = "PLAN")]
    Plan,
}
