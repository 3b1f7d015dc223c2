//! Typed ids, so a `ChildId` can never be passed where a `CaseId` is meant.
//!
//! Every table has a 64-bit auto-increment key. Outside the database the GraphQL layer wraps
//! them in opaque Relay global ids.

use sea_orm::DeriveValueType;
use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, DeriveValueType, Serialize,
            Deserialize,
        )]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )+};
}

typed_id! {
    /// An organization: a region's child psychiatry, a municipality, a practice, a ward…
    OrganizationId;
    /// A unit inside an organization (PPR, family department, the intake unit…).
    UnitId;
    /// A professional (staff member).
    ProfessionalId;
    /// A child.
    ChildId;
    /// A guardian or other family member of a child.
    FamilyMemberId;
    /// A case: one child's pathway.
    CaseId;
    /// A referral that opened a case.
    ReferralId;
    /// One person's participation in a case, with role and active period.
    ParticipantId;
    /// One entry in a case's status history.
    CaseStatusChangeId;
    /// A meeting.
    MeetingId;
    /// One invitation of a participant to a meeting.
    InviteeId;
    /// An agenda item of a meeting.
    AgendaItemId;
    /// A period a professional is busy.
    BusyPeriodId;
    /// One outgoing message (outbox row).
    DeliveryId;
    /// A personal calendar feed.
    CalendarFeedId;
    /// A closure day of an organization.
    ClosureDayId;
    /// One recorded change to what a professional may see.
    AccessChangeId;
    /// One idempotency key of a mutation.
    IdempotencyKeyId;
    /// One version of a deadline rule.
    DeadlineRuleId;
    /// A recorded pathway event.
    CaseEventId;
    /// An agreement of the cross-sector plan.
    AgreementId;
    /// A consent to share information about a child between organizations.
    ConsentId;
    /// A document a sector shares about the child.
    DocumentId;
    /// A version of a case's plan.
    PlanVersionId;
    /// A family member's personal link to a case's plan.
    PlanLinkId;
    /// An organization's recurring consultation ("sparring") offer.
    ConsultationOfferId;
    /// One booked consultation.
    ConsultationBookingId;
    /// A meeting of a municipality's coordination committee.
    CommitteeMeetingId;
    /// A referral on a committee meeting's agenda.
    CommitteeAgendaItemId;
    /// A deadline of a case.
    DeadlineId;
    /// A logged recompute of deadlines.
    DeadlineRecomputeId;
    /// An in-app notification.
    NotificationId;
    /// One entry of the access log: a professional read a case's data.
    AccessLogEntryId;
    /// An early intervention of a municipality's catalogue (Cool Kids, a children's group…).
    OfferId;
    /// A cohort (hold) of an early intervention, with its start date and seats.
    CohortId;
    /// A case's place on an early intervention's waiting list.
    WaitingEntryId;
    /// A discharge from child psychiatry, planned or past, and its hand-back to the
    /// municipality.
    DischargeId;
    /// The coordination committee's decision on a referral, as told to its referrer.
    ReferralDecisionId;
}
