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
#[graphql(remote = "crate::access::AccessBasis")]
pub enum AccessBasis {
    /// You take part in the case.
    Participant,
    /// You belong to the intake unit of the case's municipality.
    IntakeUnit,
    /// You lead a unit one of whose members takes part in the case.
    UnitLeader,
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
    /// Not sent: a newer message to the same invitee replaced it.
    Superseded,
}
