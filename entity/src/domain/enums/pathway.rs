//! The pathway's meetings and their messages, its deadlines, events and notifications, and the
//! access log's kinds.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::Language;

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
    /// Tilbageførselsmøde: child psychiatry hands the pathway back to the municipality before
    /// a discharge.
    #[sea_orm(string_value = "HAND_BACK")]
    HandBack,
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
            (Self::HandBack, Language::Da) => "Tilbageførselsmøde",
            (Self::Start, Language::En) => "Start meeting",
            (Self::Network, Language::En) => "Network meeting",
            (Self::FollowUp, Language::En) => "Follow-up meeting",
            (Self::Closing, Language::En) => "Closing meeting",
            (Self::Transition, Language::En) => "Transition meeting",
            (Self::Coordination, Language::En) => "Coordination committee meeting",
            (Self::HandBack, Language::En) => "Hand-back meeting",
        }
    }

    /// True for the meetings after which the next follow-up is planned (after a hand-back the
    /// municipality follows up at its cadence).
    #[must_use]
    pub fn continues_pathway(self) -> bool {
        matches!(
            self,
            Self::Start | Self::Network | Self::FollowUp | Self::HandBack
        )
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

/// What an outgoing message is about: the kind half of a delivery's subject, whose other half
/// is the id of that thing.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MailSubject {
    /// A meeting's calendar message to one invitee; the id is the invitation's.
    #[sea_orm(string_value = "INVITATION")]
    Invitation,
    /// A deadline's reminder, alert or escalation; the id is the notification's.
    #[sea_orm(string_value = "NOTIFICATION")]
    Notification,
    /// A family member's plan link; the id is the link's.
    #[sea_orm(string_value = "PLAN_LINK")]
    PlanLink,
    /// A booked or cancelled consultation; the id is the booking's.
    #[sea_orm(string_value = "CONSULTATION")]
    Consultation,
    /// A coordination committee meeting's calendar message; the id is the meeting's.
    #[sea_orm(string_value = "COMMITTEE")]
    Committee,
    /// The committee's decision on a referral, to its referrer; the id is the decision's.
    #[sea_orm(string_value = "DECISION")]
    Decision,
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
    /// The case's intervention lead was appointed.
    #[sea_orm(string_value = "INTERVENTION_LEAD_ASSIGNED")]
    InterventionLeadAssigned,
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
    /// Child psychiatry recorded a planned discharge.
    #[sea_orm(string_value = "DISCHARGE_RECORDED")]
    DischargeRecorded,
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
    /// The start of the planned discharge day the event is about.
    #[sea_orm(string_value = "DISCHARGE_DATE")]
    DischargeDate,
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
