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

/// Where a deadline is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeadlineStatus {
    /// Running: not met, not yet due.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Met (on time when `met_at <= due_at`, late otherwise).
    #[sea_orm(string_value = "MET")]
    Met,
    /// Due and not met.
    #[sea_orm(string_value = "MISSED")]
    Missed,
    /// Set aside by a person, with a reason.
    #[sea_orm(string_value = "WAIVED")]
    Waived,
    /// The event that started it was undone (a cancelled meeting, a closed case).
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// A domain event a deadline rule starts on or is met by.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RuleEvent {
    /// A referral reached the single entry point.
    #[sea_orm(string_value = "REFERRAL_RECEIVED")]
    ReferralReceived,
    /// The coordination committee started its assessment.
    #[sea_orm(string_value = "INTAKE_STARTED")]
    IntakeStarted,
    /// The committee decided: accepted, redirected or rejected.
    #[sea_orm(string_value = "INTAKE_DECIDED")]
    IntakeDecided,
    /// The case was accepted into a pathway.
    #[sea_orm(string_value = "INTAKE_ACCEPTED")]
    IntakeAccepted,
    /// A sector's responsible contact was assigned (filter: the sector).
    #[sea_orm(string_value = "CONTACT_ASSIGNED")]
    ContactAssigned,
    /// A meeting got its time (filter: meeting kinds).
    #[sea_orm(string_value = "MEETING_SCHEDULED")]
    MeetingScheduled,
    /// A meeting was held (filter: meeting kinds).
    #[sea_orm(string_value = "MEETING_HELD")]
    MeetingHeld,
    /// A sector shared information (treatment plan, status note, statement).
    #[sea_orm(string_value = "INFORMATION_SHARED")]
    InformationShared,
    /// The cross-sector plan was shared.
    #[sea_orm(string_value = "PLAN_SHARED")]
    PlanShared,
    /// A recorded pathway event (filter: its kind).
    #[sea_orm(string_value = "CASE_EVENT")]
    CaseEvent,
    /// The child reaches an age (filter: 16, 17.5, 18).
    #[sea_orm(string_value = "CHILD_AGE")]
    ChildAge,
    /// An agreement was made.
    #[sea_orm(string_value = "AGREEMENT_CREATED")]
    AgreementCreated,
    /// An agreement was carried out.
    #[sea_orm(string_value = "AGREEMENT_COMPLETED")]
    AgreementCompleted,
    /// A consent was recorded (filter: its purpose).
    #[sea_orm(string_value = "CONSENT_RECORDED")]
    ConsentRecorded,
    /// A seat of an early intervention's cohort was offered to a case on its waiting list.
    #[sea_orm(string_value = "SEAT_OFFERED")]
    SeatOffered,
    /// The family answered a seat offer: accepted or declined (filter: ACCEPTED, DECLINED).
    #[sea_orm(string_value = "SEAT_ANSWERED")]
    SeatAnswered,
}

/// What a deadline's due time is counted from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RuleAnchor {
    /// The time of the starting event.
    #[sea_orm(string_value = "EVENT")]
    Event,
    /// The start of the meeting the event is about.
    #[sea_orm(string_value = "MEETING_START")]
    MeetingStart,
    /// The due date of the agreement the event is about.
    #[sea_orm(string_value = "AGREEMENT_DUE")]
    AgreementDue,
    /// The end of the month the child reaches the age.
    #[sea_orm(string_value = "BIRTHDAY_MONTH_END")]
    BirthdayMonthEnd,
    /// The day the child reaches the age.
    #[sea_orm(string_value = "BIRTHDAY")]
    Birthday,
    /// The end of the consent the event is about (no deadline for a consent without one).
    #[sea_orm(string_value = "CONSENT_EXPIRY")]
    ConsentExpiry,
    /// The end of the answer-by day of the seat offer the event is about.
    #[sea_orm(string_value = "SEAT_ANSWER_BY")]
    SeatAnswerBy,
}

/// The unit of a rule's offset.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OffsetUnit {
    /// Hours.
    #[sea_orm(string_value = "HOURS")]
    Hours,
    /// Calendar days.
    #[sea_orm(string_value = "CALENDAR_DAYS")]
    CalendarDays,
    /// Working days (no weekends, public holidays or closure days); due at the end of the day.
    #[sea_orm(string_value = "WORKING_DAYS")]
    WorkingDays,
    /// Calendar months.
    #[sea_orm(string_value = "MONTHS")]
    Months,
    /// Multiples of the municipality's follow-up cadence (months).
    #[sea_orm(string_value = "CADENCE")]
    Cadence,
}

/// Who a deadline's reminders and alerts go to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AlertTo {
    /// The members of the municipality's intake unit.
    #[sea_orm(string_value = "INTAKE_UNIT")]
    IntakeUnit,
    /// The case's responsible contact of the rule's sector.
    #[sea_orm(string_value = "RESPONSIBLE_CONTACT")]
    ResponsibleContact,
    /// The responsible contact of the deadline's own sector (rules per sector).
    #[sea_orm(string_value = "SECTOR_CONTACT")]
    SectorContact,
    /// The case's intervention lead.
    #[sea_orm(string_value = "INTERVENTION_LEAD")]
    InterventionLead,
    /// The owner of the agreement.
    #[sea_orm(string_value = "AGREEMENT_OWNER")]
    AgreementOwner,
}

/// A pathway event recorded on a case.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(48))")]
pub enum CaseEventKind {
    /// A sector shared a treatment plan, status note or statement (with its sector).
    #[sea_orm(string_value = "INFORMATION_SHARED")]
    InformationShared,
    /// The cross-sector plan was shared with everyone.
    #[sea_orm(string_value = "PLAN_SHARED")]
    PlanShared,
    /// The child-welfare investigation started.
    #[sea_orm(string_value = "INVESTIGATION_STARTED")]
    InvestigationStarted,
    /// The child-welfare investigation was finished.
    #[sea_orm(string_value = "INVESTIGATION_COMPLETED")]
    InvestigationCompleted,
    /// The child was referred to child and adolescent psychiatry.
    #[sea_orm(string_value = "REFERRED_TO_PSYCHIATRY")]
    ReferredToPsychiatry,
    /// The psychiatric assessment was completed.
    #[sea_orm(string_value = "PSYCHIATRIC_ASSESSMENT_COMPLETED")]
    PsychiatricAssessmentCompleted,
    /// Support as a young adult is settled.
    #[sea_orm(string_value = "ADULT_SUPPORT_SETTLED")]
    AdultSupportSettled,
}

impl CaseEventKind {
    /// The upper-case name, as in rule filters.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InformationShared => "INFORMATION_SHARED",
            Self::PlanShared => "PLAN_SHARED",
            Self::InvestigationStarted => "INVESTIGATION_STARTED",
            Self::InvestigationCompleted => "INVESTIGATION_COMPLETED",
            Self::ReferredToPsychiatry => "REFERRED_TO_PSYCHIATRY",
            Self::PsychiatricAssessmentCompleted => "PSYCHIATRIC_ASSESSMENT_COMPLETED",
            Self::AdultSupportSettled => "ADULT_SUPPORT_SETTLED",
        }
    }
}

/// The stage of a deadline a notification is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum NotificationKind {
    /// Due soon.
    #[sea_orm(string_value = "REMINDER")]
    Reminder,
    /// Due now and not met.
    #[sea_orm(string_value = "DUE")]
    Due,
    /// Missed for a while: to the leader.
    #[sea_orm(string_value = "ESCALATION")]
    Escalation,
}

/// Whether an access-log row records a read of a child's data or a change to it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum AccessKind {
    /// The data was read.
    #[sea_orm(string_value = "READ")]
    Read,
    /// The data was changed.
    #[sea_orm(string_value = "CHANGE")]
    Change,
}

/// Why a professional may see a case. When several hold, the first in this order is the one
/// recorded.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AccessBasis {
    /// They take part in the case.
    #[sea_orm(string_value = "PARTICIPANT")]
    Participant,
    /// They belong to the intake unit of the case's municipality.
    #[sea_orm(string_value = "INTAKE_UNIT")]
    IntakeUnit,
    /// They lead a unit that takes part in the case.
    #[sea_orm(string_value = "UNIT_LEADER")]
    UnitLeader,
    /// They hold the organization's data-protection role and answered a subject access
    /// request.
    #[sea_orm(string_value = "DATA_PROTECTION")]
    DataProtection,
}

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
        }
    }
}
