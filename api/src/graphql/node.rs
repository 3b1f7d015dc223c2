//! The Relay `Node` interface and `node(id:)`: any object with a global id can be fetched
//! again by it, under the same access rules as everywhere else.

use async_graphql::{Context, ID, Interface, Object};
use kit_entity::entities::{
    case_status_change, family_member, organization, participant, professional, referral, unit,
};
use kit_entity::{Error, Result};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::split;
use crate::graphql::objects::case::{Case, CaseStatusChange, Referral};
use crate::graphql::objects::child::{Child, FamilyMember};
use crate::graphql::objects::consent::Consent;
use crate::graphql::objects::deadline::{
    ClosureDay, Deadline, DeadlineRecompute, DeadlineRule, Notification,
};
use crate::graphql::objects::directory::{Organization, Professional, Unit};
use crate::graphql::objects::meeting::{Meeting, MeetingInvitee};
use crate::graphql::objects::participant::Participant;
use crate::graphql::objects::plan::{Agreement, CaseEvent};
use kit_entity::access::{Actor, CaseAccess, case_access};
use kit_entity::ops::children::child_access;

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
    /// A document a sector shared.
    Document(crate::graphql::objects::document::Document),
    /// A version of a case's plan.
    PlanVersion(crate::graphql::objects::plan::PlanVersion),
    /// A family member's link to a case's plan.
    PlanLink(crate::graphql::objects::plan_link::PlanLink),
    /// A meeting of a coordination committee (its intake unit and members).
    CommitteeMeeting(crate::graphql::objects::committee::CommitteeMeeting),
    /// An organization's consultation offer.
    ConsultationOffer(crate::graphql::objects::consultation::ConsultationOffer),
    /// A booked consultation (its booker, host and the organization's administrators).
    ConsultationBooking(crate::graphql::objects::consultation::ConsultationBooking),
    /// An early intervention of a municipality's catalogue.
    EarlyInterventionOffer(crate::graphql::objects::catalogue::Offer),
    /// A cohort of an early intervention.
    EarlyInterventionCohort(crate::graphql::objects::catalogue::Cohort),
    /// A case on an early intervention's waiting list.
    WaitingListEntry(crate::graphql::objects::catalogue::WaitingListEntry),
    /// An item of a meeting's agenda.
    AgendaItem(crate::graphql::objects::meeting::AgendaItem),
    /// A message about a meeting, to one invitee.
    Delivery(crate::graphql::objects::meeting::Delivery),
    /// A period you are busy.
    BusyPeriod(crate::graphql::objects::meeting::BusyPeriod),
    /// A personal calendar feed.
    CalendarFeed(crate::graphql::objects::meeting::CalendarFeed),
    /// A referral on a committee meeting's agenda.
    CommitteeAgendaItem(crate::graphql::objects::committee::CommitteeAgendaItem),
    /// One entry of the access log.
    AccessLogEntry(crate::graphql::objects::access_log::AccessLogEntry),
    /// A change to need-to-know (unit membership, leadership, intake unit).
    AccessChange(crate::graphql::objects::access_change::AccessChange),
    /// A referral waiting in the single entry point's inbox.
    InboxEntry(crate::graphql::objects::inbox::InboxEntry),
    /// You, the viewer.
    Viewer(crate::graphql::objects::viewer::Viewer),
    /// Your access to a case.
    ViewerAccess(crate::graphql::objects::case::ViewerAccess),
}

fn visible<T>(r: Result<T>) -> Result<T> {
    r.map_err(|_| gone())
}

fn gone() -> Error {
    Error::not_found("object").at("id")
}

async fn by_key<E, K>(db: &DatabaseConnection, key: K) -> Result<E::Model>
where
    E: EntityTrait,
    K: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(key).one(db).await?.ok_or_else(gone)
}

async fn resolve(
    db: &DatabaseConnection,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    type_name: &str,
    key: i64,
) -> Result<(Node, Vec<CaseAccess>)> {
    use kit_entity::ids::{
        AgreementId, CaseEventId, CaseId, CaseStatusChangeId, ChildId, ClosureDayId, ConsentId,
        DeadlineId, DeadlineRecomputeId, DeadlineRuleId, FamilyMemberId, InviteeId, MeetingId,
        NotificationId, OrganizationId, ParticipantId, ProfessionalId, ReferralId, UnitId,
    };
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
            let member = by_key::<family_member::Entity, _>(db, FamilyMemberId(key)).await?;
            let access = visible(child_access(db, actor, member.child_id, now).await)?;
            let seen_through = access.cases.into_iter().map(|(_, a)| a).collect();
            return Ok((Node::FamilyMember(FamilyMember(member)), seen_through));
        }
        "Participant" => {
            let p = by_key::<participant::Entity, _>(db, ParticipantId(key)).await?;
            visible(case_access(db, actor, p.case_id, now).await)?;
            Node::Participant(Participant(p))
        }
        "Referral" => {
            let r = by_key::<referral::Entity, _>(db, ReferralId(key)).await?;
            visible(case_access(db, actor, r.case_id, now).await)?;
            Node::Referral(Referral(r))
        }
        "CaseStatusChange" => {
            let c = by_key::<case_status_change::Entity, _>(db, CaseStatusChangeId(key)).await?;
            visible(case_access(db, actor, c.case_id, now).await)?;
            Node::CaseStatusChange(CaseStatusChange(c))
        }
        "Organization" => Node::Organization(Organization(
            by_key::<organization::Entity, _>(db, OrganizationId(key)).await?,
        )),
        "Unit" => Node::Unit(Unit(by_key::<unit::Entity, _>(db, UnitId(key)).await?)),
        "Professional" => Node::Professional(Professional(
            by_key::<professional::Entity, _>(db, ProfessionalId(key)).await?,
        )),
        "Meeting" => Node::Meeting(Meeting(
            visible(
                kit_entity::ops::meetings::commands::meeting_access(db, actor, MeetingId(key), now)
                    .await,
            )?
            .0,
        )),
        "MeetingInvitee" => {
            let i = by_key::<kit_entity::entities::meeting_invitee::Entity, _>(db, InviteeId(key))
                .await?;
            visible(
                kit_entity::ops::meetings::commands::meeting_access(db, actor, i.meeting_id, now)
                    .await,
            )?;
            Node::MeetingInvitee(MeetingInvitee(i))
        }
        "Deadline" => Node::Deadline(visible(
            crate::graphql::objects::deadline::node_deadline(db, actor, DeadlineId(key), now).await,
        )?),
        "DeadlineRule" => Node::DeadlineRule(visible(
            crate::graphql::objects::deadline::node_rule(db, DeadlineRuleId(key)).await,
        )?),
        "Notification" => Node::Notification(visible(
            crate::graphql::objects::deadline::node_notification(db, actor, NotificationId(key))
                .await,
        )?),
        "ClosureDay" => Node::ClosureDay(visible(
            crate::graphql::objects::deadline::node_closure_day(db, ClosureDayId(key)).await,
        )?),
        "DeadlineRecompute" => Node::DeadlineRecompute(visible(
            crate::graphql::objects::deadline::node_recompute(db, actor, DeadlineRecomputeId(key))
                .await,
        )?),
        "Agreement" => Node::Agreement(visible(
            crate::graphql::objects::plan::node_agreement(db, actor, AgreementId(key), now).await,
        )?),
        "CaseEvent" => Node::CaseEvent(visible(
            crate::graphql::objects::plan::node_case_event(db, actor, CaseEventId(key), now).await,
        )?),
        "PlanVersion" => Node::PlanVersion(visible(
            crate::graphql::objects::plan::node_plan_version(
                db,
                actor,
                kit_entity::ids::PlanVersionId(key),
                now,
            )
            .await,
        )?),
        "CommitteeMeeting" => Node::CommitteeMeeting(visible(
            crate::graphql::objects::committee::node_meeting(
                db,
                actor,
                kit_entity::ids::CommitteeMeetingId(key),
            )
            .await,
        )?),
        "ConsultationOffer" => Node::ConsultationOffer(visible(
            crate::graphql::objects::consultation::node_offer(
                db,
                kit_entity::ids::ConsultationOfferId(key),
            )
            .await,
        )?),
        "ConsultationBooking" => Node::ConsultationBooking(visible(
            crate::graphql::objects::consultation::node_booking(
                db,
                actor,
                kit_entity::ids::ConsultationBookingId(key),
            )
            .await,
        )?),
        "PlanLink" => Node::PlanLink(visible(
            crate::graphql::objects::plan_link::node_plan_link(
                db,
                actor,
                kit_entity::ids::PlanLinkId(key),
                now,
            )
            .await,
        )?),
        "Document" => Node::Document(visible(
            crate::graphql::objects::document::node_document(
                db,
                actor,
                kit_entity::ids::DocumentId(key),
                now,
            )
            .await,
        )?),
        "Consent" => Node::Consent(visible(
            crate::graphql::objects::consent::node_consent(db, actor, ConsentId(key), now).await,
        )?),
        "EarlyInterventionOffer" => Node::EarlyInterventionOffer(visible(
            crate::graphql::objects::catalogue::node_offer(
                db,
                actor,
                kit_entity::ids::OfferId(key),
            )
            .await,
        )?),
        "EarlyInterventionCohort" => Node::EarlyInterventionCohort(visible(
            crate::graphql::objects::catalogue::node_cohort(
                db,
                actor,
                kit_entity::ids::CohortId(key),
            )
            .await,
        )?),
        "WaitingListEntry" => {
            let entry = visible(
                crate::graphql::objects::catalogue::node_entry(
                    db,
                    actor,
                    kit_entity::ids::WaitingEntryId(key),
                    now,
                )
                .await,
            )?;
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
            Node::WaitingListEntry(crate::graphql::objects::catalogue::WaitingListEntry {
                model: entry,
                placement,
            })
        }
        "AgendaItem" => Node::AgendaItem(visible(
            crate::graphql::objects::meeting::node_agenda_item(
                db,
                actor,
                kit_entity::ids::AgendaItemId(key),
                now,
            )
            .await,
        )?),
        "Delivery" => Node::Delivery(visible(
            crate::graphql::objects::meeting::node_delivery(
                db,
                actor,
                kit_entity::ids::DeliveryId(key),
                now,
            )
            .await,
        )?),
        "BusyPeriod" => Node::BusyPeriod(visible(
            crate::graphql::objects::meeting::node_busy_period(
                db,
                actor,
                kit_entity::ids::BusyPeriodId(key),
            )
            .await,
        )?),
        "CalendarFeed" => Node::CalendarFeed(visible(
            crate::graphql::objects::meeting::node_calendar_feed(
                db,
                actor,
                kit_entity::ids::CalendarFeedId(key),
            )
            .await,
        )?),
        "CommitteeAgendaItem" => Node::CommitteeAgendaItem(visible(
            crate::graphql::objects::committee::node_agenda_item(
                db,
                actor,
                kit_entity::ids::CommitteeAgendaItemId(key),
            )
            .await,
        )?),
        "AccessLogEntry" => Node::AccessLogEntry(visible(
            crate::graphql::objects::access_log::node_entry(
                db,
                actor,
                kit_entity::ids::AccessLogEntryId(key),
                now,
            )
            .await,
        )?),
        "AccessChange" => Node::AccessChange(visible(
            crate::graphql::objects::access_change::node_change(
                db,
                actor,
                kit_entity::ids::AccessChangeId(key),
            )
            .await,
        )?),
        "InboxEntry" => Node::InboxEntry(visible(
            crate::graphql::objects::inbox::node_entry(
                db,
                actor,
                crate::graphql::ids::InboxEntryId(CaseId(key)),
            )
            .await,
        )?),
        "Viewer" if key == actor.id().0 => {
            Node::Viewer(crate::graphql::objects::viewer::Viewer(actor.clone()))
        }
        "ViewerAccess" => Node::ViewerAccess(crate::graphql::objects::case::ViewerAccess(
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
