//! One lookup by id under the rule of who may see a row: `node(id:)` and every read of one
//! row by its id go through [`find`]. Each kind of row names what guards it
//! ([`Guarded::guard`]) — its case (the one access decision of [`crate::access`]), its
//! meeting, its committee meeting, its offer, or the viewer alone — and a row the viewer may
//! not see is answered exactly as one that does not exist, so that nothing can be counted.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter};

use crate::access::{self, Actor, CaseAccess};
use crate::entities::{
    agenda_item, agreement, busy_period, calendar_feed, case_event, case_status_change,
    closure_day, committee_agenda_item, committee_meeting, committee_member, consent,
    consultation_offer, deadline, deadline_recompute, deadline_rule, discharge,
    early_intervention_cohort as cohort, early_intervention_offer as offer, meeting_invitee,
    notification, organization, participant, plan_link, plan_version, professional, referral,
    referral_decision, unit, waiting_entry,
};
use crate::ids::{CaseId, CommitteeMeetingId, MeetingId, OfferId};
use crate::ops::meetings::commands::{meeting_access, sees_closed_items};
use crate::{Error, Result};

/// What decides whether the viewer may see a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Whoever may see the case: the one access decision.
    Case(CaseId),
    /// Whoever may see the meeting: its case's decision, and without the child's data shared
    /// only its invitees.
    Meeting(MeetingId),
    /// Whoever may see the meeting and the closed part of its agenda.
    ClosedPart(MeetingId),
    /// The committee meeting's intake unit and its members.
    Committee(CommitteeMeetingId),
    /// Whoever may read the early intervention ([`crate::ops::catalogue::may_read`]).
    Offer(OfferId),
    /// Decided from the row and the viewer alone (their own, their organization's
    /// administrators, or everyone signed in).
    Viewer(bool),
}

/// A kind of row fetched by its id under a [`Guard`].
pub trait Guarded: EntityTrait {
    /// What the row is called in a `NOT_FOUND` error.
    const WHAT: &'static str;

    /// What decides whether `actor` may see `row`.
    fn guard(actor: &Actor, row: &Self::Model) -> Guard;
}

/// A row the viewer may see, with their access to its case when a case guards it.
#[derive(Debug)]
pub struct Found<M> {
    /// The row.
    pub row: M,
    /// The viewer's access to the row's case, when a case (or a meeting) guards it.
    pub access: Option<CaseAccess>,
}

/// The row of kind `E` with `id`, when `actor` may see it.
///
/// # Errors
/// [`Error::NotFound`] naming [`Guarded::WHAT`] when it does not exist or the viewer may not
/// see it; database errors.
pub async fn find<E, C>(
    db: &C,
    actor: &Actor,
    id: impl Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    now: DateTime<Utc>,
) -> Result<Found<E::Model>>
where
    E: Guarded,
    C: ConnectionTrait,
{
    let gone = || Error::not_found(E::WHAT);
    let row = E::find_by_id(id).one(db).await?.ok_or_else(gone)?;
    let access = permits(db, actor, E::guard(actor, &row), now)
        .await?
        .ok_or_else(gone)?;
    Ok(Found { row, access })
}

/// `Some(access to the row's case, if any)` when `guard` lets `actor` see the row; `None`
/// when it does not.
async fn permits<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    guard: Guard,
    now: DateTime<Utc>,
) -> Result<Option<Option<CaseAccess>>> {
    let seen = match guard {
        Guard::Case(case) => match access::case_access(db, actor, case, now).await {
            Ok((_, access)) => Some(Some(access)),
            Err(e) if refused(&e) => None,
            Err(e) => return Err(e),
        },
        Guard::Meeting(id) | Guard::ClosedPart(id) => {
            match meeting_access(db, actor, id, now).await {
                Ok((_, _, access)) if guard == Guard::Meeting(id) || sees_closed_items(&access) => {
                    Some(Some(access))
                }
                Ok(_) => None,
                Err(e) if refused(&e) => None,
                Err(e) => return Err(e),
            }
        }
        Guard::Committee(id) => {
            let Some(meeting) = committee_meeting::Entity::find_by_id(id).one(db).await? else {
                return Ok(None);
            };
            let member = actor.intake_for == Some(meeting.municipality_id)
                || committee_member::Entity::find()
                    .filter(committee_member::Column::CommitteeMeetingId.eq(id))
                    .filter(committee_member::Column::ProfessionalId.eq(actor.id()))
                    .one(db)
                    .await?
                    .is_some();
            member.then_some(None)
        }
        Guard::Offer(id) => offer::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|o| crate::ops::catalogue::may_read(actor, o))
            .map(|_| None),
        Guard::Viewer(seen) => seen.then_some(None),
    };
    Ok(seen)
}

/// True for the errors that mean "not for this viewer" rather than a failure.
fn refused(e: &Error) -> bool {
    matches!(e, Error::NotFound { .. } | Error::Forbidden(_))
}

/// Rows guarded by the case they belong to.
macro_rules! guarded_by_case {
    ($($entity:ident => $what:literal),* $(,)?) => {$(
        impl Guarded for $entity::Entity {
            const WHAT: &'static str = $what;
            fn guard(_: &Actor, row: &Self::Model) -> Guard {
                Guard::Case(row.case_id)
            }
        }
    )*};
}

guarded_by_case!(
    participant => "participant",
    referral => "referral",
    case_status_change => "status change",
    deadline => "deadline",
    agreement => "agreement",
    case_event => "case event",
    plan_version => "plan version",
    plan_link => "plan link",
    consent => "consent",
    waiting_entry => "waiting-list entry",
    discharge => "discharge",
);

/// Rows every signed-in professional may see: the directory and the rules it works by.
macro_rules! seen_by_everyone {
    ($($entity:ident => $what:literal),* $(,)?) => {$(
        impl Guarded for $entity::Entity {
            const WHAT: &'static str = $what;
            fn guard(_: &Actor, _: &Self::Model) -> Guard {
                Guard::Viewer(true)
            }
        }
    )*};
}

seen_by_everyone!(
    organization => "organization",
    unit => "unit",
    professional => "professional",
    deadline_rule => "deadline rule",
    closure_day => "closure day",
    consultation_offer => "consultation offer",
);

impl Guarded for meeting_invitee::Entity {
    const WHAT: &'static str = "meeting invitee";
    fn guard(_: &Actor, row: &Self::Model) -> Guard {
        Guard::Meeting(row.meeting_id)
    }
}

impl Guarded for agenda_item::Entity {
    const WHAT: &'static str = "agenda item";
    fn guard(_: &Actor, row: &Self::Model) -> Guard {
        if row.closed {
            Guard::ClosedPart(row.meeting_id)
        } else {
            Guard::Meeting(row.meeting_id)
        }
    }
}

impl Guarded for committee_meeting::Entity {
    const WHAT: &'static str = "committee meeting";
    fn guard(_: &Actor, row: &Self::Model) -> Guard {
        Guard::Committee(row.id)
    }
}

impl Guarded for committee_agenda_item::Entity {
    const WHAT: &'static str = "committee agenda item";
    fn guard(_: &Actor, row: &Self::Model) -> Guard {
        Guard::Committee(row.committee_meeting_id)
    }
}

impl Guarded for offer::Entity {
    const WHAT: &'static str = "early intervention offer";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(crate::ops::catalogue::may_read(actor, row))
    }
}

impl Guarded for cohort::Entity {
    const WHAT: &'static str = "cohort";
    fn guard(_: &Actor, row: &Self::Model) -> Guard {
        Guard::Offer(row.offer_id)
    }
}

impl Guarded for notification::Entity {
    const WHAT: &'static str = "notification";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(row.recipient_id == actor.id())
    }
}

impl Guarded for referral_decision::Entity {
    const WHAT: &'static str = "referral decision";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(row.recipient_id == actor.id())
    }
}

impl Guarded for busy_period::Entity {
    const WHAT: &'static str = "busy period";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(row.professional_id == actor.id())
    }
}

impl Guarded for calendar_feed::Entity {
    const WHAT: &'static str = "calendar feed";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(row.professional_id == Some(actor.id()) || row.created_by_id == actor.id())
    }
}

impl Guarded for deadline_recompute::Entity {
    const WHAT: &'static str = "deadline recompute";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(actor.administers(row.organization_id))
    }
}

impl Guarded for crate::entities::access_change::Entity {
    const WHAT: &'static str = "access change";
    fn guard(actor: &Actor, row: &Self::Model) -> Guard {
        Guard::Viewer(actor.administers(row.organization_id))
    }
}

/// An invitation's delivery by id, with its meeting and what of the child's data its
/// recipient's address is (a family member's or the child's own): for whoever may see the
/// meeting with the child's data shared. Other messages are not looked up by id.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist, is not an invitation, or the viewer may not see
/// it; database errors.
pub async fn invitation_delivery<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: crate::ids::DeliveryId,
    now: DateTime<Utc>,
) -> Result<(
    crate::entities::delivery::Model,
    MeetingId,
    Option<access::ChildData>,
)> {
    use crate::domain::enums::{MailSubject, ParticipantKind};
    let gone = || Error::not_found("delivery");
    let delivery = crate::entities::delivery::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.subject == MailSubject::Invitation)
        .ok_or_else(gone)?;
    let invitee = meeting_invitee::Entity::find_by_id(crate::ids::InviteeId(delivery.subject_id))
        .one(db)
        .await?
        .ok_or_else(gone)?;
    match permits(db, actor, Guard::Meeting(invitee.meeting_id), now).await? {
        Some(Some(access)) if access.shares_child_data() => {}
        _ => return Err(gone()),
    }
    let person = participant::Entity::find_by_id(invitee.participant_id)
        .one(db)
        .await?;
    let recipient_data = person.and_then(|p| match p.kind {
        ParticipantKind::FamilyMember => Some(access::ChildData::Family),
        ParticipantKind::Child => Some(access::ChildData::Child),
        _ => None,
    });
    Ok((delivery, invitee.meeting_id, recipient_data))
}

/// A consultation booking by id: for the one who booked it, the host, and the offering
/// organization's administrators ([`crate::ops::consultations::may_see_booking`]).
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the viewer may not see it; database errors.
pub async fn consultation_booking<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: crate::ids::ConsultationBookingId,
) -> Result<crate::entities::consultation_booking::Model> {
    let gone = || Error::not_found("consultation");
    let booking = crate::entities::consultation_booking::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let offer = consultation_offer::Entity::find_by_id(booking.offer_id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    if crate::ops::consultations::may_see_booking(actor, &offer, &booking) {
        Ok(booking)
    } else {
        Err(gone())
    }
}

/// An access-log entry by id: for the professional it records, whoever manages the case, and
/// the administrators of the professional's organization.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the viewer may not see it; database errors.
pub async fn access_log_entry<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: crate::ids::AccessLogEntryId,
    now: DateTime<Utc>,
) -> Result<crate::entities::access_log::Model> {
    let gone = || Error::not_found("access log entry");
    let entry = crate::entities::access_log::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    if entry.professional_id == actor.id() {
        return Ok(entry);
    }
    let manages = access::case_access(db, actor, entry.case_id, now)
        .await
        .is_ok_and(|(_, a)| a.can_manage());
    let audits = match professional::Entity::find_by_id(entry.professional_id)
        .one(db)
        .await?
    {
        Some(p) => unit::Entity::find_by_id(p.unit_id)
            .one(db)
            .await?
            .is_some_and(|u| actor.administers(u.organization_id)),
        None => false,
    };
    if manages || audits {
        Ok(entry)
    } else {
        Err(gone())
    }
}

/// A referral waiting at the single entry point (REFERRED or IN_INTAKE), with its case: for
/// the municipality's intake unit.
///
/// # Errors
/// [`Error::NotFound`] when there is no such waiting referral for the viewer's intake unit;
/// database errors.
pub async fn inbox_entry<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case: CaseId,
) -> Result<(crate::entities::case::Model, referral::Model)> {
    use crate::domain::status::CaseStatus;
    let gone = || Error::not_found("inbox entry");
    let case = crate::entities::case::Entity::find_by_id(case)
        .one(db)
        .await?
        .filter(|c| actor.intake_for == Some(c.municipality_id))
        .filter(|c| matches!(c.status, CaseStatus::Referred | CaseStatus::InIntake))
        .ok_or_else(gone)?;
    let referral = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(case.id))
        .one(db)
        .await?
        .ok_or_else(gone)?;
    Ok((case, referral))
}

/// A family member by id, with the viewer's access to each case of their child: for whoever
/// may see the child ([`crate::ops::children::child_access`]).
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or the viewer may not see the child; database
/// errors.
pub async fn family_member<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: crate::ids::FamilyMemberId,
    now: DateTime<Utc>,
) -> Result<(crate::entities::family_member::Model, Vec<CaseAccess>)> {
    let gone = || Error::not_found("family member");
    let member = crate::entities::family_member::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(gone)?;
    let access = crate::ops::children::child_access(db, actor, member.child_id, now)
        .await
        .map_err(|e| if refused(&e) { gone() } else { e })?;
    Ok((member, access.cases.into_iter().map(|(_, a)| a).collect()))
}
