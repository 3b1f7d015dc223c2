//! The GraphQL faces of the domain's enums, documented for front-end teams.

use async_graphql::Enum;
use kit_entity::domain::{enums, status};

/// Where a case is in its pathway. REFERRED → IN_INTAKE → ACTIVE → CLOSED, or from IN_INTAKE
/// to REDIRECTED or REJECTED. CLOSED, REDIRECTED and REJECTED are final.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "status::CaseStatus")]
pub enum CaseStatus {
    /// Received at the municipality's single entry point; nobody has looked at it yet.
    Referred,
    /// The coordination committee is assessing it.
    InIntake,
    /// Accepted: the coordinated pathway is running.
    Active,
    /// The pathway has ended.
    Closed,
    /// Sent to a better-suited offer, such as an early intervention.
    Redirected,
    /// Not taken on.
    Rejected,
}

/// The coordination committee's decision at intake.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "status::IntakeDecision")]
pub enum IntakeDecision {
    /// Accept into a coordinated pathway: the case becomes ACTIVE.
    Accept,
    /// Redirect to another offer: the case becomes REDIRECTED. Requires `redirectedTo`.
    Redirect,
    /// Reject: the case becomes REJECTED.
    Reject,
}

/// The kind of an organization. It decides the sector its professionals act for.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::OrganizationKind")]
pub enum OrganizationKind {
    /// A region's child and adolescent psychiatry (BUC). Sector CHILD_PSYCHIATRY.
    RegionalChildPsychiatry,
    /// A municipality. Sector MUNICIPALITY.
    Municipality,
    /// A general practice (family doctor). Sector GENERAL_PRACTICE.
    GeneralPractice,
    /// A somatic hospital ward. Sector HOSPITAL.
    HospitalWard,
    /// A school or day-care institution. Sector SCHOOL_OR_DAY_CARE.
    SchoolOrDayCare,
    /// Any other organization. Sector OTHER.
    Other,
}

/// The sector a participant acts for. A case has at most one active responsible contact per
/// sector.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::Sector")]
pub enum Sector {
    /// Child and adolescent psychiatry.
    ChildPsychiatry,
    /// The municipality.
    Municipality,
    /// General practice.
    GeneralPractice,
    /// Somatic hospital.
    Hospital,
    /// School or day care.
    SchoolOrDayCare,
    /// The child and the family.
    Family,
    /// Any other actor.
    Other,
}

/// What a participant does in a case.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::ParticipantRole")]
pub enum ParticipantRole {
    /// The sector's one responsible contact (ansvarlig kontaktperson): owns contact with the
    /// family and coordination. Held by a professional.
    ResponsibleContact,
    /// The person responsible for action in the pathway (indsatsansvarlig). Held by a
    /// professional.
    InterventionLead,
    /// Another professional taking part.
    Professional,
    /// A parent, guardian or other family member of the child.
    Guardian,
    /// The child or young person.
    Child,
    /// An actor outside the product's organizations.
    External,
}

/// Where a referral came from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::ReferralSource")]
pub enum ReferralSource {
    /// The family doctor.
    GeneralPractitioner,
    /// A somatic hospital ward.
    HospitalWard,
    /// Child and adolescent psychiatry.
    ChildPsychiatry,
    /// The school.
    School,
    /// The parents.
    Parents,
    /// The young person themselves.
    YoungPerson,
}

/// What a recorded change to need-to-know changed.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::AccessChangeKind")]
pub enum AccessChangeKind {
    /// A professional's unit: joining the organization, or moving between its units.
    MemberOfUnit,
    /// The unit a professional leads (a leader sees the cases their unit's members take part
    /// in).
    LeadsUnit,
    /// Whether a unit is its municipality's intake unit (whose members see every case of the
    /// municipality).
    UnitIsIntake,
}

/// The intake unit's decision on a referral whose CPR number is registered for a child
/// already known.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::ChildMatchDecision")]
pub enum ChildMatchDecision {
    /// The referred child is the known child: the case follows that child's record.
    SameChild,
    /// Another child: the referral's own record stays, without the CPR number it gave.
    DifferentChild,
}

/// A family member's relation to the child.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::FamilyRelation")]
pub enum FamilyRelation {
    /// Mother.
    Mother,
    /// Father.
    Father,
    /// A parent, without further detail.
    Parent,
    /// A step-parent.
    StepParent,
    /// A foster parent.
    FosterParent,
    /// A legally appointed guardian who is not a parent.
    LegalGuardian,
    /// A sibling.
    Sibling,
    /// A grandparent.
    Grandparent,
    /// Any other relation.
    Other,
}

/// A language to write to someone in.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::Language")]
pub enum Language {
    /// Danish.
    #[graphql(name = "DA")]
    Da,
    /// English.
    #[graphql(name = "EN")]
    En,
}

/// Why you may see a case.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "kit_entity::access::AccessBasis")]
pub enum AccessBasis {
    /// You take part in the case.
    Participant,
    /// You belong to the intake unit of the case's municipality.
    IntakeUnit,
    /// You lead a unit one of whose members takes part in the case.
    UnitLeader,
    /// You hold the organization's data-protection role and answered a subject access
    /// request (`subjectAccess`).
    DataProtection,
}

/// A kind of a child's data, as recorded in the access log.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "kit_entity::access::ChildData")]
pub enum ChildData {
    /// The child's identity: name, date of birth, the CPR number as shown.
    Child,
    /// The CPR number in full.
    Cpr,
    /// The child's family members and their contact details.
    Family,
    /// The referral, with its reason.
    Referral,
    /// Who takes part in the case.
    Participants,
    /// The case's meetings: agendas, minutes, invitees.
    Meetings,
    /// The cross-sector plan: agreements and recorded pathway events.
    Plan,
    /// The case's deadlines.
    Deadlines,
    /// The case's status history, with the reasons given.
    History,
    /// The consents given for the child, and by whom.
    Consents,
    /// The documents the sectors shared (and their attachments, downloaded).
    Documents,
    /// The early interventions the child waits for or is enrolled in (waiting-list entries).
    EarlyInterventions,
}

/// Where an agreement of the plan is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::AgreementStatus")]
pub enum AgreementStatus {
    /// To be done.
    Open,
    /// Carried out.
    Done,
    /// Dropped, with a reason: it no longer serves the child.
    Cancelled,
}

/// What a standard template shapes.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::TemplateKind")]
pub enum TemplateKind {
    /// The agenda a meeting of one kind starts from (`Template.meetingKind`).
    Agenda,
    /// The sections of a status note: a STATUS_NOTE document added without text or attachment
    /// begins as this outline.
    StatusNote,
    /// The sections of the cross-sector plan, for the screens that write it.
    Plan,
}

/// What a shared document is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::DocumentKind")]
pub enum DocumentKind {
    /// A treatment plan (behandlingsplan).
    TreatmentPlan,
    /// A status note (statusnotat).
    StatusNote,
    /// A statement (udtalelse).
    Statement,
    /// A referral letter (henvisning).
    ReferralLetter,
    /// Anything else.
    Other,
}

/// The kind of a pathway meeting.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::MeetingKind")]
pub enum MeetingKind {
    /// Opstartsmøde: the first meeting once the case is accepted. The pathway requests it.
    Start,
    /// Netværksmøde: the KIT network meeting across sectors, ending in agreements.
    Network,
    /// Opfølgningsmøde. The pathway requests the next one after each held start, network or
    /// follow-up meeting, at the case's cadence.
    FollowUp,
    /// Afslutningsmøde. Once one is requested, follow-ups stop.
    Closing,
    /// Overgangsmøde: the transition to adulthood, requested in the month of the 16th
    /// birthday and again at 17½.
    Transition,
    /// A meeting of the coordination committee.
    Coordination,
    /// Tilbageførselsmøde: before child psychiatry discharges the child, its responsible
    /// contact and the municipality's hand the pathway back (`recordDischarge` requests it).
    /// Its minutes write the plan; the municipality's agreements made at it and due from the
    /// discharge day are those for after the discharge.
    HandBack,
}

/// Where a meeting is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::MeetingStatus")]
pub enum MeetingStatus {
    /// Requested; no time yet. `schedulingNote` says why, when the scheduler found none.
    Planned,
    /// Has a time; invitations have gone out.
    Scheduled,
    /// Took place; minutes recorded.
    Held,
    /// Called off; invitees were sent a cancellation.
    Cancelled,
}

/// An invitee's answer (iCalendar PARTSTAT).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::InviteeResponse")]
pub enum InviteeResponse {
    /// Not answered yet.
    NeedsAction,
    /// Will come.
    Accepted,
    /// Will not come.
    Declined,
    /// Might come.
    Tentative,
}

/// The iTIP method of a message.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::ItipMethod")]
pub enum MessageMethod {
    /// An invitation or an update (METHOD:REQUEST).
    Request,
    /// A cancellation (METHOD:CANCEL).
    Cancel,
}

/// Where an outgoing message is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be tried again (see `nextAttemptAt` and `lastError`).
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Given up after the last try, or refused for good by the mail server.
    Failed,
    /// Not sent: a newer message to the same invitee replaced it, or the plan link it carried
    /// was revoked before it left.
    Superseded,
}

/// Where a deadline is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::DeadlineStatus")]
pub enum DeadlineStatus {
    /// Running: not met and not yet due.
    Pending,
    /// Met: on time when `metAt` is no later than `dueAt`, late otherwise.
    Met,
    /// Due and not met. It becomes MET (late) if the event that meets it still happens.
    Missed,
    /// Set aside by a person, with a reason (`waiveReason`, `waivedBy`).
    Waived,
    /// No longer owed: the event that started it was undone (a cancelled meeting, a closed
    /// case).
    Withdrawn,
}

/// Whether an access-log entry records a read or a change.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::AccessKind")]
pub enum AccessKind {
    /// The data was read.
    Read,
    /// The data was changed, in the same transaction as the change.
    Change,
}

/// A pathway event that starts or meets a deadline.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::RuleEvent")]
pub enum DeadlineEvent {
    /// A referral reached the single entry point (at its `receivedAt`).
    ReferralReceived,
    /// The coordination committee started its assessment (`startIntake`).
    IntakeStarted,
    /// The committee decided: accepted, redirected or rejected (`decideIntake`).
    IntakeDecided,
    /// The case was accepted into a pathway.
    IntakeAccepted,
    /// A sector got its responsible contact.
    ContactAssigned,
    /// The case got its intervention lead (`assignInterventionLead`, or `addParticipant` with
    /// the role `INTERVENTION_LEAD`).
    InterventionLeadAssigned,
    /// A meeting got its time (the rule's filter names the meeting kinds).
    MeetingScheduled,
    /// A meeting was held (the rule's filter names the meeting kinds).
    MeetingHeld,
    /// A sector shared information: a treatment plan, status note or statement.
    InformationShared,
    /// The cross-sector plan was shared.
    PlanShared,
    /// A recorded case event (the rule's filter names its kind).
    CaseEvent,
    /// The young person reaches an age (the rule's filter: 16, 17.5 or 18).
    ChildAge,
    /// An agreement of the plan was made.
    AgreementCreated,
    /// An agreement of the plan was carried out.
    AgreementCompleted,
    /// A consent was recorded (`recordConsent`; the rule's filter names its purpose).
    ConsentRecorded,
    /// A seat of an early intervention's cohort was offered to a case on its waiting list
    /// (`offerSeat`).
    SeatOffered,
    /// The family's answer to a seat offered was recorded (`answerSeatOffer`; the rule's
    /// filter may name ACCEPTED or DECLINED).
    SeatAnswered,
    /// Child psychiatry recorded a planned discharge (`recordDischarge`).
    DischargeRecorded,
}

/// What a deadline's due time is counted from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::RuleAnchor")]
pub enum DeadlineAnchor {
    /// The time of the event that starts it.
    Event,
    /// The start of the meeting it is about (negative offsets fall before the meeting).
    MeetingStart,
    /// The due date of the agreement it is about.
    AgreementDue,
    /// The end of the month in which the young person reaches the age.
    BirthdayMonthEnd,
    /// The day the young person reaches the age.
    Birthday,
    /// The end (`validUntil`) of the consent it is about; a consent without one starts no
    /// deadline.
    ConsentExpiry,
    /// The end of the last day to answer the seat offer it is about (`answerBy`).
    SeatAnswerBy,
    /// The start of the planned discharge day it is about (`Discharge.plannedOn`): an offset
    /// of 0 is due before the day begins.
    DischargeDate,
}

/// The unit of a deadline offset.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::OffsetUnit")]
pub enum OffsetUnit {
    /// Hours, counted in real time.
    Hours,
    /// Calendar days; the deadline is the end of the last day (Europe/Copenhagen).
    CalendarDays,
    /// Working days: no weekends, Danish public holidays or the organization's closure days;
    /// the deadline is the end of the last day.
    WorkingDays,
    /// Calendar months; the end of the day of the same date (or the month's last day).
    Months,
    /// Multiples of the municipality's follow-up cadence (`followUpMonths`).
    Cadence,
}

/// Who a deadline's reminders and alerts go to. When nobody holds the position, the
/// municipality's intake unit is told instead.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::AlertTo")]
pub enum DeadlineAlertTo {
    /// The members of the municipality's intake unit.
    IntakeUnit,
    /// The case's responsible contact of the rule's `alertSector`.
    ResponsibleContact,
    /// The responsible contact of the deadline's own sector (rules with one deadline per
    /// sector).
    SectorContact,
    /// The case's intervention lead.
    InterventionLead,
    /// The owner of the agreement the deadline is about.
    AgreementOwner,
}

/// A pathway event recorded on a case.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::CaseEventKind")]
pub enum CaseEventKind {
    /// A sector shared a treatment plan, status note or statement before a network meeting.
    /// Requires `sector`.
    InformationShared,
    /// The cross-sector plan was shared with everyone taking part.
    PlanShared,
    /// The child-welfare investigation (børnefaglig undersøgelse) started.
    InvestigationStarted,
    /// The child-welfare investigation was finished.
    InvestigationCompleted,
    /// The child was referred to child and adolescent psychiatry.
    ReferredToPsychiatry,
    /// The psychiatric assessment (udredning) was completed.
    PsychiatricAssessmentCompleted,
    /// Support after the 18th birthday is settled.
    AdultSupportSettled,
}

/// The stage of a deadline a notification is about.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::NotificationKind")]
pub enum NotificationKind {
    /// The deadline falls due soon.
    Reminder,
    /// The deadline fell due and is not met: it is now MISSED.
    Due,
    /// The deadline has been missed for a while; you are told as the leader of the
    /// responsible person's unit.
    Escalation,
}

/// What a consent allows information about the child to be shared for.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::ConsentPurpose")]
pub enum ConsentPurpose {
    /// Coordinating the pathway: the organizations may see the case and take part in it.
    Coordination,
    /// Information exchange: the organizations may share documents (treatment plans, status
    /// notes, statements) about the child with each other.
    InformationExchange,
}

/// Where a case stands on an early intervention's waiting list.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "enums::WaitingStatus")]
pub enum WaitingListStatus {
    /// In the queue, waiting for a seat (`position` says where).
    Waiting,
    /// Offered a seat in a cohort, held until the family answers (`answerBy`).
    Offered,
    /// Accepted the seat: enrolled in the cohort, which counts it against its seats.
    Enrolled,
    /// Declined the seat offered; off the list.
    Declined,
    /// Taken off the list before enrolling (`withdrawReason`).
    Withdrawn,
    /// Offered a seat and not answered by `answerBy`: off the list (`withdrawReason` says
    /// so), the seat offered to the next in line.
    Lapsed,
}
