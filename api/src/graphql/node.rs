//! The Relay `Node` interface and `node(id:)`: any object with a global id can be fetched
//! again by it, under the same access rules as everywhere else: one lookup under each row's
//! guard (`kit_entity::lookup`), then the type it maps to.

use async_graphql::{Context, ID, Interface, Object};
use kit_entity::access::{Actor, CaseAccess, case_access};
use kit_entity::lookup::{self, Guarded};
use kit_entity::ops::children::child_access;
use kit_entity::ops::meetings::commands::meeting_access;
use kit_entity::{Error, Result};
use sea_orm::DatabaseConnection;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::split;
use crate::graphql::objects::*;

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The global id: opaque, stable, unique across types."
))]
pub enum Node {
    /// A case.
    Case(Case),
    /// A child.
    Child(Child),
    /// A family member.
    FamilyMember(FamilyMember),
    /// A participation.
    Participant(Participant),
    /// A referral.
    Referral(Referral),
    /// A status change.
    CaseStatusChange(CaseStatusChange),
    /// An organization.
    Organization(Organization),
    /// A unit.
    Unit(Unit),
    /// A professional.
    Professional(Professional),
    /// A meeting.
    Meeting(Meeting),
    /// An invitation to a meeting.
    MeetingInvitee(MeetingInvitee),
    /// A deadline.
    Deadline(Deadline),
    /// A version of a deadline rule.
    DeadlineRule(DeadlineRule),
    /// One of your notifications.
    Notification(Notification),
    /// A closure day.
    ClosureDay(ClosureDay),
    /// A logged recompute (administrators).
    DeadlineRecompute(DeadlineRecompute),
    /// An agreement of a plan.
    Agreement(Agreement),
    /// A recorded case event.
    CaseEvent(CaseEvent),
    /// A consent given for a child.
    Consent(Consent),
    /// A discharge from child psychiatry.
    Discharge(Discharge),
    /// The committee's decision on a referral you sent.
    ReferralDecision(crate::graphql::objects::referral_decision::ReferralDecision),
    /// A document a sector shared.
    Document(Document),
    /// A version of a case's plan.
    PlanVersion(PlanVersion),
    /// A family member's link to a case's plan.
    PlanLink(PlanLink),
    /// A meeting of a coordination committee (its intake unit and members).
    CommitteeMeeting(CommitteeMeeting),
    /// An organization's consultation offer.
    ConsultationOffer(ConsultationOffer),
    /// A booked consultation (its booker, host and the organization's administrators).
    ConsultationBooking(ConsultationBooking),
    /// An early intervention of a municipality's catalogue.
    EarlyInterventionOffer(Offer),
    /// A cohort of an early intervention.
    EarlyInterventionCohort(Cohort),
    /// A case on an early intervention's waiting list.
    WaitingListEntry(WaitingListEntry),
    /// An item of a meeting's agenda.
    AgendaItem(AgendaItem),
    /// A message about a meeting, to one invitee.
    Delivery(Delivery),
    /// A period you are busy.
    BusyPeriod(BusyPeriod),
    /// A personal calendar feed.
    CalendarFeed(CalendarFeed),
    /// A referral on a committee meeting's agenda.
    CommitteeAgendaItem(CommitteeAgendaItem),
    /// One entry of the access log.
    AccessLogEntry(AccessLogEntry),
    /// A change to need-to-know (unit membership, leadership, intake unit).
    AccessChange(AccessChange),
    /// A referral waiting in the single entry point's inbox.
    InboxEntry(InboxEntry),
    /// You, the viewer.
    Viewer(Viewer),
    /// Your access to a case.
    ViewerAccess(ViewerAccess),
}

fn visible<T>(r: Result<T>) -> Result<T> {
    r.map_err(|_| gone())
}

fn gone() -> Error {
    Error::not_found("object").at("id")
}

/// The row of kind `E` by the one lookup under its guard (`kit_entity::lookup`).
async fn row<E: Guarded>(
    db: &DatabaseConnection,
    actor: &Actor,
    key: impl Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<E::Model> {
    Ok(visible(lookup::find::<E, _>(db, actor, key, now).await)?.row)
}

async fn resolve(
    db: &DatabaseConnection,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    type_name: &str,
    key: i64,
) -> Result<(Node, Vec<CaseAccess>)> {
    use kit_entity::entities as e;
    use kit_entity::ids::*;
    let node = match type_name {
        "Case" => Node::Case(Case(
            visible(case_access(db, actor, CaseId(key), now).await)?.0,
        )),
        "Child" => {
            let access = visible(child_access(db, actor, ChildId(key), now).await)?;
            let reveal_cpr = access.reveals_cpr();
            Node::Child(Child {
                model: access.child,
                reveal_cpr,
                seen_through: access.cases.into_iter().map(|(_, a)| a).collect(),
            })
        }
        "FamilyMember" => {
            let (member, seen_through) =
                visible(lookup::family_member(db, actor, FamilyMemberId(key), now).await)?;
            return Ok((Node::FamilyMember(FamilyMember(member)), seen_through));
        }
        "Participant" => Node::Participant(Participant(
            row::<e::participant::Entity>(db, actor, ParticipantId(key), now).await?,
        )),
        "Referral" => Node::Referral(Referral(
            row::<e::referral::Entity>(db, actor, ReferralId(key), now).await?,
        )),
        "CaseStatusChange" => Node::CaseStatusChange(CaseStatusChange(
            row::<e::case_status_change::Entity>(db, actor, CaseStatusChangeId(key), now).await?,
        )),
        "Organization" => Node::Organization(Organization(
            row::<e::organization::Entity>(db, actor, OrganizationId(key), now).await?,
        )),
        "Unit" => Node::Unit(Unit(
            row::<e::unit::Entity>(db, actor, UnitId(key), now).await?,
        )),
        "Professional" => Node::Professional(Professional(
            row::<e::professional::Entity>(db, actor, ProfessionalId(key), now).await?,
        )),
        "Meeting" => Node::Meeting(Meeting(
            visible(meeting_access(db, actor, MeetingId(key), now).await)?.0,
        )),
        "MeetingInvitee" => Node::MeetingInvitee(MeetingInvitee(
            row::<e::meeting_invitee::Entity>(db, actor, InviteeId(key), now).await?,
        )),
        "Deadline" => Node::Deadline(Deadline(
            row::<e::deadline::Entity>(db, actor, DeadlineId(key), now).await?,
        )),
        "DeadlineRule" => Node::DeadlineRule(DeadlineRule(
            row::<e::deadline_rule::Entity>(db, actor, DeadlineRuleId(key), now).await?,
        )),
        "Notification" => Node::Notification(Notification(
            row::<e::notification::Entity>(db, actor, NotificationId(key), now).await?,
        )),
        "ClosureDay" => Node::ClosureDay(ClosureDay(
            row::<e::closure_day::Entity>(db, actor, ClosureDayId(key), now).await?,
        )),
        "DeadlineRecompute" => Node::DeadlineRecompute(DeadlineRecompute(
            row::<e::deadline_recompute::Entity>(db, actor, DeadlineRecomputeId(key), now).await?,
        )),
        "Agreement" => Node::Agreement(Agreement(
            row::<e::agreement::Entity>(db, actor, AgreementId(key), now).await?,
        )),
        "CaseEvent" => Node::CaseEvent(CaseEvent(
            row::<e::case_event::Entity>(db, actor, CaseEventId(key), now).await?,
        )),
        "PlanVersion" => Node::PlanVersion(PlanVersion(
            row::<e::plan_version::Entity>(db, actor, PlanVersionId(key), now).await?,
        )),
        "PlanLink" => Node::PlanLink(PlanLink(
            row::<e::plan_link::Entity>(db, actor, PlanLinkId(key), now).await?,
        )),
        "CommitteeMeeting" => Node::CommitteeMeeting(CommitteeMeeting(
            row::<e::committee_meeting::Entity>(db, actor, CommitteeMeetingId(key), now).await?,
        )),
        "CommitteeAgendaItem" => Node::CommitteeAgendaItem(CommitteeAgendaItem(
            row::<e::committee_agenda_item::Entity>(db, actor, CommitteeAgendaItemId(key), now)
                .await?,
        )),
        "ConsultationOffer" => Node::ConsultationOffer(ConsultationOffer(
            row::<e::consultation_offer::Entity>(db, actor, ConsultationOfferId(key), now).await?,
        )),
        "ConsultationBooking" => Node::ConsultationBooking(ConsultationBooking(visible(
            lookup::consultation_booking(db, actor, ConsultationBookingId(key)).await,
        )?)),
        "Document" => Node::Document(visible(
            Document::find(db, actor, DocumentId(key), now).await,
        )?),
        "ReferralDecision" => Node::ReferralDecision(
            crate::graphql::objects::referral_decision::ReferralDecision(
                row::<e::referral_decision::Entity>(db, actor, ReferralDecisionId(key), now)
                    .await?,
            ),
        ),
        "Discharge" => Node::Discharge(Discharge(
            row::<e::discharge::Entity>(db, actor, DischargeId(key), now).await?,
        )),
        "Consent" => Node::Consent(visible(
            Consent::find(db, actor, ConsentId(key), now).await,
        )?),
        "EarlyInterventionOffer" => Node::EarlyInterventionOffer(Offer(
            row::<e::early_intervention_offer::Entity>(db, actor, OfferId(key), now).await?,
        )),
        "EarlyInterventionCohort" => Node::EarlyInterventionCohort(Cohort(
            row::<e::early_intervention_cohort::Entity>(db, actor, CohortId(key), now).await?,
        )),
        "WaitingListEntry" => {
            let entry =
                row::<e::waiting_entry::Entity>(db, actor, WaitingEntryId(key), now).await?;
            let placement = if entry.status == kit_entity::domain::enums::WaitingStatus::Waiting {
                kit_entity::ops::catalogue::queue(
                    db,
                    entry.offer_id,
                    kit_entity::domain::calendar::local_date(now),
                )
                .await?
                .placements
                .remove(&entry.id)
                .unwrap_or_default()
            } else {
                kit_entity::ops::catalogue::Placement::default()
            };
            Node::WaitingListEntry(WaitingListEntry {
                model: entry,
                placement,
            })
        }
        "AgendaItem" => Node::AgendaItem(AgendaItem(
            row::<e::agenda_item::Entity>(db, actor, AgendaItemId(key), now).await?,
        )),
        "Delivery" => {
            let (model, meeting, recipient_data) =
                visible(lookup::invitation_delivery(db, actor, DeliveryId(key), now).await)?;
            Node::Delivery(Delivery {
                model,
                meeting,
                recipient_data,
            })
        }
        "BusyPeriod" => Node::BusyPeriod(BusyPeriod(
            row::<e::busy_period::Entity>(db, actor, BusyPeriodId(key), now).await?,
        )),
        "CalendarFeed" => Node::CalendarFeed(CalendarFeed(
            row::<e::calendar_feed::Entity>(db, actor, CalendarFeedId(key), now).await?,
        )),
        "AccessLogEntry" => Node::AccessLogEntry(AccessLogEntry(visible(
            lookup::access_log_entry(db, actor, AccessLogEntryId(key), now).await,
        )?)),
        "AccessChange" => Node::AccessChange(AccessChange(
            row::<e::access_change::Entity>(db, actor, AccessChangeId(key), now).await?,
        )),
        "InboxEntry" => {
            let (case, referral) = visible(lookup::inbox_entry(db, actor, CaseId(key)).await)?;
            Node::InboxEntry(InboxEntry { case, referral })
        }
        "Viewer" if key == actor.id().0 => Node::Viewer(Viewer(actor.clone())),
        "ViewerAccess" => Node::ViewerAccess(ViewerAccess(
            visible(case_access(db, actor, CaseId(key), now).await)?.1,
        )),
        _ => return Err(gone()),
    };
    Ok((node, Vec::new()))
}

/// The `node` query.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global id. `NOT_FOUND` when it does not exist or you have no
    /// reason to see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let actor = ctx.actor().gql()?;
        let (type_name, key) = split(id.as_str())
            .ok_or_else(|| Error::invalid("id", "is not a valid global id"))
            .gql()?;
        let (node, seen_through) = resolve(
            &ctx.state().db,
            actor,
            ctx.state().clock.now(),
            &type_name,
            key,
        )
        .await
        .gql()?;
        log_read(ctx, &node, &seen_through).await.gql()?;
        Ok(Some(node))
    }
}

/// Notes, for the access log, the child's data a node carries; `seen_through` are the
/// viewer's accesses to the cases of a family member's child.
async fn log_read(ctx: &Context<'_>, node: &Node, seen_through: &[CaseAccess]) -> Result<()> {
    use crate::graphql::read::{note_reads, read_case};
    use kit_entity::access::ChildData;
    let (case_id, what) = match node {
        Node::Child(c) => return note_reads(ctx, &c.seen_through, ChildData::Child),
        Node::FamilyMember(_) => return note_reads(ctx, seen_through, ChildData::Family),
        Node::Participant(p) => (p.0.case_id, ChildData::Participants),
        Node::Referral(r) => (r.0.case_id, ChildData::Referral),
        Node::CaseStatusChange(c) => (c.0.case_id, ChildData::History),
        Node::Meeting(m) => (m.0.case_id, ChildData::Meetings),
        Node::MeetingInvitee(i) => {
            let m: kit_entity::entities::meeting::Model =
                crate::graphql::context::load_required(ctx, i.0.meeting_id).await?;
            (m.case_id, ChildData::Meetings)
        }
        Node::Deadline(d) => (d.0.case_id, ChildData::Deadlines),
        Node::Agreement(a) => (a.0.case_id, ChildData::Plan),
        Node::CaseEvent(e) => (e.0.case_id, ChildData::Plan),
        Node::Consent(c) => (c.case_id(), ChildData::Consents),
        Node::Discharge(d) => (d.0.case_id, ChildData::Plan),
        Node::Document(d) => (d.case_id(), ChildData::Documents),
        Node::PlanVersion(v) => (v.0.case_id, ChildData::Plan),
        Node::PlanLink(l) => (l.0.case_id, ChildData::Family),
        Node::WaitingListEntry(e) => (e.model.case_id, ChildData::EarlyInterventions),
        Node::AgendaItem(a) => {
            let m: kit_entity::entities::meeting::Model =
                crate::graphql::context::load_required(ctx, a.0.meeting_id).await?;
            (m.case_id, ChildData::Meetings)
        }
        Node::Delivery(d) => {
            let m: kit_entity::entities::meeting::Model =
                crate::graphql::context::load_required(ctx, d.meeting).await?;
            (m.case_id, ChildData::Meetings)
        }
        _ => return Ok(()),
    };
    let access = read_case(ctx, case_id, what).await?;
    // Without the child's data shared, a participation or a deadline is seen only when it
    // is the viewer's own (meetings are checked where they are loaded); another's is answered
    // exactly as an id that does not exist, so that nothing can be counted.
    let own = match node {
        Node::Participant(p) => access.sees_participation(&p.0),
        Node::Deadline(d) => access.sees_deadline(d.0.responsible_id),
        _ => true,
    };
    if own { Ok(()) } else { Err(gone()) }
}
