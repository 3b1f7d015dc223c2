//! The schema's object types: what a query or a mutation can return, one file per concept,
//! each with the reads its fields make. They refer to each other as the schema does (a case
//! has meetings, a meeting its case); the root fields (`super::queries`, `super::mutations`)
//! and `node(id:)` depend on them, never the other way round.

pub mod access_change;
pub mod access_log;
pub mod case;
pub mod catalogue;
pub mod child;
pub mod committee;
pub mod consent;
pub mod consultation;
pub mod deadline;
pub mod directory;
pub mod discharge;
pub mod document;
pub mod inbox;
pub mod meeting;
pub mod participant;
pub mod plan;
pub mod plan_link;
pub mod referral_decision;
pub mod template;
pub mod viewer;

pub use access_change::AccessChange;
pub use access_log::AccessLogEntry;
pub use case::*;
pub use catalogue::{
    Cohort, Offer, OfferConnection, OfferWaitingTime, WaitingListEntry, WaitingListEntryConnection,
};
pub use child::{Child, FamilyMember};
pub use committee::{
    CommitteeAgendaItem, CommitteeDecision, CommitteeMeeting, CommitteeMeetingConnection,
    CommitteeMeetingStatus,
};
pub use consent::Consent;
pub use consultation::{
    ConsultationBooking, ConsultationChannel, ConsultationOffer, ConsultationOfferConnection,
    ConsultationStatus, ConsultationTopic, Weekday,
};
pub use deadline::{
    ClosureDay, Deadline, DeadlineConnection, DeadlineFilter, DeadlineOffset, DeadlineOffsetInput,
    DeadlineRecompute, DeadlineRule, Notification, NotificationConnection, RuleTimeliness,
    TimelinessReport,
};
pub use directory::{Organization, Professional, Unit};
pub use discharge::Discharge;
pub use document::{Document, DocumentAttachment, DocumentShare};
pub use inbox::{InboxConnection, InboxEntry};
pub use meeting::*;
pub use participant::{ExternalActor, Participant};
pub use plan::{Agreement, CaseEvent, PlanAgreement, PlanItem, PlanVersion};
pub use plan_link::{PlanFormat, PlanLink, PlanLinkRead, PlanLinkStatus};
pub use viewer::Viewer;
