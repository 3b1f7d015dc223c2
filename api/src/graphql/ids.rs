//! Relay global ids: opaque strings that name a type and a key.
//!
//! A global id is the URL-safe base64 of `Type:key` (`Case:42` → `Q2FzZTo0Mg`). Clients must
//! treat it as opaque. Decoding checks the type, so a `Child` id passed where a `Case` id is
//! expected is a `BAD_USER_INPUT` naming the field, not a silent lookup of another table.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kit_entity::ids::{
    AccessChangeId, AccessLogEntryId, AgendaItemId, AgreementId, BusyPeriodId, CalendarFeedId,
    CaseEventId, CaseId, CaseStatusChangeId, ChildId, ClosureDayId, CohortId,
    CommitteeAgendaItemId, CommitteeMeetingId, ConsentId, ConsultationBookingId,
    ConsultationOfferId, DeadlineId, DeadlineRecomputeId, DeadlineRuleId, DeliveryId, DischargeId,
    DocumentId, FamilyMemberId, InviteeId, MeetingId, NotificationId, OfferId, OrganizationId,
    ParticipantId, PlanLinkId, PlanVersionId, ProfessionalId, ReferralDecisionId, ReferralId,
    UnitId, WaitingEntryId,
};
use kit_entity::{Error, Result};

/// A typed id that has a GraphQL object type.
pub trait NodeId: Sized + Copy {
    /// The GraphQL type name.
    const TYPE: &'static str;
    /// Wraps a database key.
    fn from_key(key: i64) -> Self;
    /// The database key.
    fn key(self) -> i64;

    /// The global id.
    fn to_global(self) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", Self::TYPE, self.key())))
    }
}

macro_rules! node_id {
    ($($id:ty => $name:literal),+ $(,)?) => {$(
        impl NodeId for $id {
            const TYPE: &'static str = $name;
            fn from_key(key: i64) -> Self { Self(key) }
            fn key(self) -> i64 { self.0 }
        }
    )+};
}

node_id! {
    OrganizationId => "Organization",
    UnitId => "Unit",
    ProfessionalId => "Professional",
    ChildId => "Child",
    FamilyMemberId => "FamilyMember",
    CaseId => "Case",
    ReferralId => "Referral",
    ParticipantId => "Participant",
    CaseStatusChangeId => "CaseStatusChange",
    MeetingId => "Meeting",
    InviteeId => "MeetingInvitee",
    AgendaItemId => "AgendaItem",
    BusyPeriodId => "BusyPeriod",
    DeliveryId => "Delivery",
    CalendarFeedId => "CalendarFeed",
    DeadlineId => "Deadline",
    DeadlineRuleId => "DeadlineRule",
    NotificationId => "Notification",
    ClosureDayId => "ClosureDay",
    DeadlineRecomputeId => "DeadlineRecompute",
    AgreementId => "Agreement",
    ConsentId => "Consent",
    DocumentId => "Document",
    PlanVersionId => "PlanVersion",
    PlanLinkId => "PlanLink",
    ConsultationOfferId => "ConsultationOffer",
    CommitteeMeetingId => "CommitteeMeeting",
    CommitteeAgendaItemId => "CommitteeAgendaItem",
    ConsultationBookingId => "ConsultationBooking",
    CaseEventId => "CaseEvent",
    OfferId => "EarlyInterventionOffer",
    CohortId => "EarlyInterventionCohort",
    WaitingEntryId => "WaitingListEntry",
    AccessLogEntryId => "AccessLogEntry",
    AccessChangeId => "AccessChange",
    DischargeId => "Discharge",
    ReferralDecisionId => "ReferralDecision",
}

macro_rules! wrapped_node_id {
    ($($id:ident($inner:ident) => $name:literal),+ $(,)?) => {$(
        impl NodeId for $id {
            const TYPE: &'static str = $name;
            fn from_key(key: i64) -> Self { Self($inner(key)) }
            fn key(self) -> i64 { self.0.0 }
        }
    )+};
}

wrapped_node_id! {
    InboxEntryId(CaseId) => "InboxEntry",
    ViewerId(ProfessionalId) => "Viewer",
    ViewerAccessId(CaseId) => "ViewerAccess",
}

/// The id of a case's entry in its municipality's inbox: the case's key under its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxEntryId(pub CaseId);

/// The id of the viewer: the professional's key under its own type. `node(id:)` gives it only
/// to that professional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewerId(pub ProfessionalId);

/// The id of the viewer's access to a case: the case's key under its own type (whose access
/// it is, the request's token says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewerAccessId(pub CaseId);

/// Splits a global id into its type name and key.
#[must_use]
pub fn split(id: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (type_name, key) = text.split_once(':')?;
    let key: i64 = key.parse().ok()?;
    (key > 0).then(|| (type_name.to_owned(), key))
}

/// Decodes a global id of type `T`, naming `field` if it is not one.
///
/// # Errors
/// [`Error::Validation`] on `field` when the id is malformed or of another type.
pub fn decode<T: NodeId>(field: &str, id: &ID) -> Result<T> {
    match split(id.as_str()) {
        Some((type_name, key)) if type_name == T::TYPE => Ok(T::from_key(key)),
        Some((type_name, _)) => Err(Error::invalid(
            field,
            format!(
                "expected the id of a {}, got the id of a {type_name}",
                T::TYPE
            ),
        )),
        None => Err(Error::invalid(
            field,
            format!("is not a valid {} id", T::TYPE),
        )),
    }
}

/// Decodes the id of an input's subject, given as `field` (`input.planLinkId`) — or, while
/// the old name is deprecated, as `input.id`. Exactly one of the two.
///
/// # Errors
/// [`Error::Validation`] on `field` when neither or both are given, or the id is malformed or
/// of another type.
pub fn decode_renamed<T: NodeId>(field: &str, new: Option<&ID>, old: Option<&ID>) -> Result<T> {
    match (new, old) {
        (Some(id), None) => decode(field, id),
        (None, Some(id)) => decode("input.id", id),
        (Some(_), Some(_)) => Err(Error::invalid(
            field,
            "give the id once: as this field (`id` is its deprecated old name)",
        )),
        (None, None) => Err(Error::invalid(field, "is required")),
    }
}

/// Decodes an optional global id.
///
/// # Errors
/// As [`decode`].
pub fn decode_opt<T: NodeId>(field: &str, id: Option<&ID>) -> Result<Option<T>> {
    id.map(|id| decode(field, id)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_subject_is_taken_under_either_name_once() {
        let id = CaseId(7).to_global();
        let field = |r: Result<CaseId>| match r {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            decode_renamed::<CaseId>("input.caseId", Some(&id), None).ok(),
            Some(CaseId(7))
        );
        assert_eq!(
            decode_renamed::<CaseId>("input.caseId", None, Some(&id)).ok(),
            Some(CaseId(7))
        );
        assert_eq!(
            field(decode_renamed("input.caseId", Some(&id), Some(&id))),
            "input.caseId"
        );
        assert_eq!(
            field(decode_renamed("input.caseId", None, None)),
            "input.caseId"
        );
    }

    #[test]
    fn round_trips_and_checks_the_type() {
        let id = CaseId(42).to_global();
        assert_eq!(decode::<CaseId>("input.caseId", &id).ok(), Some(CaseId(42)));
        let wrong = decode::<ChildId>("input.childId", &id);
        assert!(matches!(wrong, Err(Error::Validation { field, .. }) if field == "input.childId"));
        assert!(decode::<CaseId>("id", &ID("nonsense".into())).is_err());
        assert!(decode::<CaseId>("id", &ID(URL_SAFE_NO_PAD.encode("Case:-1"))).is_err());
    }
}
