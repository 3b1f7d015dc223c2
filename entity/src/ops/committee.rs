//! The single entry point's coordination committee (Syddjurs): the intake unit calls a
//! meeting of the committee with an agenda of referrals from its inbox; for each, the
//! committee's decision is recorded — accepted into a pathway with the units that take part
//! (their professionals become participants), redirected to an early intervention (the child
//! is put on its waiting list), or rejected with a reason. A decision is the case's intake
//! decision, so it meets the intake deadline. The members' invitations name the cases by
//! reference only.

use crate::domain::enums::{
    CommitteeDecision, CommitteeMeetingStatus, InviteeResponse, ItipMethod, ParticipantRole,
};
use crate::domain::status::{CaseStatus, IntakeDecision};
use crate::domain::validate;
use crate::entities::{
    case, committee_agenda_item, committee_meeting, committee_member, early_intervention_offer,
    professional,
};
use crate::ids::{
    CaseId, CommitteeAgendaItemId, CommitteeMeetingId, OfferId, OrganizationId, ProfessionalId,
};
use crate::ops::outbox::{self, About, Mail};
use crate::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::access::Actor;
use crate::ops::participants::{self, AddParticipant, Person};

/// Shortest and longest committee meeting, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<i64> = 15..=480;

/// A committee meeting to call.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The municipality whose intake unit calls it.
    pub municipality_id: OrganizationId,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// How long it lasts.
    pub duration_minutes: i64,
    /// Where.
    pub location: Option<String>,
    /// Who sits on it (the caller always does).
    pub member_ids: Vec<ProfessionalId>,
    /// The referrals on its agenda, in order.
    pub case_ids: Vec<CaseId>,
}

/// Calls a committee meeting with its agenda and invites its members.
///
/// # Errors
/// [`Error::Forbidden`] outside the municipality's intake unit; [`Error::Validation`] naming
/// the field: a past start, a duration outside 15–480 minutes, an unknown or inactive member,
/// an empty agenda, a case of another municipality or no longer waiting at the entry point.
pub async fn schedule(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: Schedule,
) -> Result<committee_meeting::Model> {
    if actor.intake_for != Some(cmd.municipality_id) {
        return Err(Error::forbidden(
            "only the municipality's intake unit calls its coordination committee",
        ));
    }
    if cmd.starts_at <= now {
        return Err(Error::invalid("startsAt", "has already passed"));
    }
    if !DURATION_MINUTES.contains(&cmd.duration_minutes) {
        return Err(Error::invalid(
            "durationMinutes",
            "must be between 15 and 480 minutes",
        ));
    }
    let location = validate::optional("location", cmd.location.as_deref(), validate::short_text)?;
    let mut members = cmd.member_ids.clone();
    members.push(actor.id());
    members.sort_unstable();
    members.dedup();
    let found = professional::Entity::find()
        .filter(professional::Column::Id.is_in(members.iter().copied()))
        .filter(professional::Column::IsActive.eq(true))
        .all(txn)
        .await?;
    if found.len() != members.len() {
        return Err(Error::invalid(
            "memberIds",
            "a member named is not an active professional",
        ));
    }
    if cmd.case_ids.is_empty() {
        return Err(Error::invalid(
            "caseIds",
            "name at least one referral for the agenda",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in cmd.case_ids.iter().enumerate() {
        let field = format!("caseIds.{i}");
        let waiting = case::Entity::find_by_id(*id)
            .one(txn)
            .await?
            .filter(|c| c.municipality_id == cmd.municipality_id)
            .ok_or_else(|| Error::not_found("case").at(field.clone()))?;
        if !matches!(waiting.status, CaseStatus::Referred | CaseStatus::InIntake) {
            return Err(Error::invalid(
                &field,
                "is no longer waiting at the entry point (REFERRED or IN_INTAKE)",
            ));
        }
        if !seen.insert(*id) {
            return Err(Error::invalid(&field, "is on the agenda already"));
        }
    }
    let meeting = committee_meeting::ActiveModel {
        id: NotSet,
        municipality_id: Set(cmd.municipality_id),
        starts_at: Set(cmd.starts_at),
        ends_at: Set(cmd.starts_at + TimeDelta::minutes(cmd.duration_minutes)),
        location: Set(location),
        organizer_id: Set(actor.id()),
        status: Set(CommitteeMeetingStatus::Scheduled),
        sequence: Set(0),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    committee_member::Entity::insert_many(members.iter().map(|&p| committee_member::ActiveModel {
        id: NotSet,
        committee_meeting_id: Set(meeting.id),
        professional_id: Set(p),
        // The one who calls it comes.
        response: Set(if p == actor.id() {
            InviteeResponse::Accepted
        } else {
            InviteeResponse::NeedsAction
        }),
        responded_at: Set((p == actor.id()).then_some(now)),
    }))
    .exec(txn)
    .await?;
    committee_agenda_item::Entity::insert_many(cmd.case_ids.iter().enumerate().map(|(i, &c)| {
        committee_agenda_item::ActiveModel {
            id: NotSet,
            committee_meeting_id: Set(meeting.id),
            case_id: Set(c),
            position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            decision: Set(None),
            reason: Set(None),
            offer_id: Set(None),
            redirected_to: Set(None),
            decided_at: Set(None),
            decided_by_id: Set(None),
        }
    }))
    .exec(txn)
    .await?;
    queue_invitations(txn, now, &meeting, ItipMethod::Request).await?;
    Ok(meeting)
}

/// One calendar message per member about `meeting` at its current sequence, with a job to
/// send each.
pub(crate) async fn queue_invitations(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    meeting: &committee_meeting::Model,
    method: ItipMethod,
) -> Result<()> {
    let ids: Vec<ProfessionalId> = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(meeting.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.professional_id)
        .collect();
    let members = professional::Entity::find()
        .filter(professional::Column::Id.is_in(ids))
        .all(txn)
        .await?;
    for person in members {
        outbox::queue_mail(
            txn,
            now,
            Mail {
                about: About::Committee(meeting.id),
                sequence: meeting.sequence,
                method: Some(method),
                recipient: person.email,
                language: person.language,
            },
        )
        .await?;
    }
    Ok(())
}

/// A committee meeting of the actor's intake unit that still takes place.
pub(crate) async fn own_scheduled(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: CommitteeMeetingId,
) -> Result<committee_meeting::Model> {
    let meeting = committee_meeting::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|m| actor.intake_for == Some(m.municipality_id))
        .ok_or_else(|| Error::not_found("committee meeting").at("id"))?;
    if meeting.status == CommitteeMeetingStatus::Cancelled {
        return Err(Error::conflict("the committee meeting is cancelled"));
    }
    Ok(meeting)
}

/// Moves a committee meeting (and its place), sending every member an update.
///
/// # Errors
/// [`Error::NotFound`] outside the municipality's intake unit; [`Error::Conflict`] for a
/// cancelled meeting; [`Error::Validation`] for a past start or a duration outside 15–480
/// minutes.
pub async fn reschedule(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: CommitteeMeetingId,
    starts_at: DateTime<Utc>,
    duration_minutes: Option<i64>,
    location: Option<String>,
) -> Result<committee_meeting::Model> {
    let meeting = own_scheduled(txn, actor, id).await?;
    if starts_at <= now {
        return Err(Error::invalid("startsAt", "has already passed"));
    }
    let minutes = duration_minutes.unwrap_or((meeting.ends_at - meeting.starts_at).num_minutes());
    if !DURATION_MINUTES.contains(&minutes) {
        return Err(Error::invalid(
            "durationMinutes",
            "must be between 15 and 480 minutes",
        ));
    }
    let location = match location {
        Some(l) => Some(validate::short_text("location", &l)?),
        None => meeting.location.clone(),
    };
    let sequence = meeting.sequence + 1;
    let mut row: committee_meeting::ActiveModel = meeting.into();
    row.starts_at = Set(starts_at);
    row.ends_at = Set(starts_at + TimeDelta::minutes(minutes));
    row.location = Set(location);
    row.sequence = Set(sequence);
    let meeting = row.update(txn).await?;
    queue_invitations(txn, now, &meeting, ItipMethod::Request).await?;
    Ok(meeting)
}

/// Calls a committee meeting off, sending every member a cancellation. Its undecided
/// referrals stay in the inbox for the next meeting; decisions made stay made.
///
/// # Errors
/// [`Error::NotFound`] outside the municipality's intake unit; [`Error::Conflict`] when it is
/// cancelled already.
pub async fn cancel(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: CommitteeMeetingId,
) -> Result<committee_meeting::Model> {
    let meeting = own_scheduled(txn, actor, id).await?;
    let sequence = meeting.sequence + 1;
    let mut row: committee_meeting::ActiveModel = meeting.into();
    row.status = Set(CommitteeMeetingStatus::Cancelled);
    row.sequence = Set(sequence);
    let meeting = row.update(txn).await?;
    queue_invitations(txn, now, &meeting, ItipMethod::Cancel).await?;
    Ok(meeting)
}

/// The committee's decision on one referral.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Into a coordinated pathway, with one professional of each unit that takes part.
    Accept {
        /// The professionals who become participants.
        participants: Vec<ProfessionalId>,
    },
    /// To an early intervention's waiting list, or to a service outside the catalogue.
    Redirect(Redirect),
    /// Rejected.
    Reject,
}

/// Where a redirect sends the child.
#[derive(Debug, Clone)]
pub enum Redirect {
    /// An early intervention of the municipality's catalogue: the child is put on its
    /// waiting list.
    Offer(OfferId),
    /// A service outside the catalogue (family treatment, the child's own doctor), in words.
    Elsewhere(String),
}

/// Records the committee's decision on an agenda item, at or after the meeting: the case's intake decision (meeting
/// the intake deadline), and what follows from it. A referral not yet in intake enters intake
/// first.
///
/// # Errors
/// [`Error::Forbidden`] outside the municipality's intake unit; [`Error::Conflict`] when the
/// item is decided already or the case has left the entry point; [`Error::Validation`]
/// naming the field: a rejection without a reason, an unknown early intervention or one of
/// another municipality; as the intake decision, adding a participant and placing on a
/// waiting list.
pub async fn decide(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    item_id: CommitteeAgendaItemId,
    decision: Decision,
    reason: Option<String>,
) -> Result<committee_agenda_item::Model> {
    let item = committee_agenda_item::Entity::find_by_id(item_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("agenda item").at("agendaItemId"))?;
    let meeting = committee_meeting::Entity::find_by_id(item.committee_meeting_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("an agenda item without its meeting"))?;
    if actor.intake_for != Some(meeting.municipality_id) {
        return Err(Error::not_found("agenda item").at("agendaItemId"));
    }
    if item.decision.is_some() {
        return Err(Error::conflict(
            "the committee has decided on this referral already",
        ));
    }
    if meeting.status == CommitteeMeetingStatus::Cancelled {
        return Err(Error::conflict(
            "the committee meeting is cancelled: put the referral on the next meeting",
        ));
    }
    if now < meeting.starts_at {
        return Err(Error::conflict(format!(
            "the committee meets {}: its decisions are recorded at or after the meeting",
            crate::domain::calendar::local(meeting.starts_at).format("%Y-%m-%d %H:%M")
        )));
    }
    let reason = match (&decision, reason) {
        (_, Some(r)) => Some(validate::long_text("reason", &r)?),
        (Decision::Reject, None) => {
            return Err(Error::invalid("reason", "a rejection must give its reason"));
        }
        (_, None) => None,
    };
    let elsewhere = match &decision {
        Decision::Redirect(Redirect::Elsewhere(to)) => {
            Some(validate::short_text("redirectedTo", to)?)
        }
        _ => None,
    };
    let offer = match &decision {
        Decision::Redirect(Redirect::Offer(offer_id)) => Some(
            early_intervention_offer::Entity::find_by_id(*offer_id)
                .one(txn)
                .await?
                .filter(|o| o.municipality_id == meeting.municipality_id)
                .ok_or_else(|| {
                    Error::invalid("offerId", "not an early intervention of the municipality")
                })?,
        ),
        _ => None,
    };
    let case = case::Entity::find_by_id(item.case_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("an agenda item without its case"))?;
    match case.status {
        CaseStatus::Referred => {
            crate::ops::cases::start_intake(
                txn,
                actor,
                now,
                case.id,
                Some("Behandles i koordinationsudvalget".to_owned()),
            )
            .await?;
        }
        CaseStatus::InIntake => {}
        _ => {
            return Err(Error::conflict(
                "the case has left the entry point since the agenda was set",
            ));
        }
    }
    let (intake, recorded, redirected_to) = match &decision {
        Decision::Accept { .. } => (IntakeDecision::Accept, CommitteeDecision::Accepted, None),
        Decision::Redirect(_) => (
            IntakeDecision::Redirect,
            CommitteeDecision::Redirected,
            offer.as_ref().map(|o| o.name.clone()).or(elsewhere.clone()),
        ),
        Decision::Reject => (IntakeDecision::Reject, CommitteeDecision::Rejected, None),
    };
    let text = reason.clone().unwrap_or_else(|| match recorded {
        CommitteeDecision::Accepted => {
            "Optaget i et koordineret forløb af koordinationsudvalget".to_owned()
        }
        CommitteeDecision::Redirected if offer.is_some() => {
            "Henvist til en tidlig indsats af koordinationsudvalget".to_owned()
        }
        CommitteeDecision::Redirected => {
            "Henvist til et andet tilbud af koordinationsudvalget".to_owned()
        }
        CommitteeDecision::Rejected => String::new(),
    });
    crate::ops::cases::decide_intake(txn, actor, now, case.id, intake, text, redirected_to).await?;
    match &decision {
        Decision::Accept { participants } => {
            for (i, p) in participants.iter().enumerate() {
                participants::add(
                    txn,
                    actor,
                    now,
                    AddParticipant {
                        case_id: case.id,
                        role: ParticipantRole::Professional,
                        person: Person::Professional(*p),
                        sector: None,
                    },
                )
                .await
                .map_err(|e| match e {
                    Error::Validation { message, .. } => Error::Validation {
                        field: format!("participantIds.{i}"),
                        message,
                    },
                    Error::NotFound { what, .. } => Error::NotFound {
                        what,
                        field: Some(format!("participantIds.{i}")),
                    },
                    other => other,
                })?;
            }
        }
        Decision::Redirect(Redirect::Offer(offer_id)) => {
            crate::ops::catalogue::place_on_waiting_list(txn, actor.id(), case.id, *offer_id, now)
                .await
                .map_err(|e| e.nested(""))?;
        }
        Decision::Redirect(Redirect::Elsewhere(_)) | Decision::Reject => {}
    }
    let mut row: committee_agenda_item::ActiveModel = item.into();
    row.decision = Set(Some(recorded));
    row.reason = Set(reason);
    row.offer_id = Set(offer.map(|o| o.id));
    row.redirected_to = Set(elsewhere);
    row.decided_at = Set(Some(now));
    row.decided_by_id = Set(Some(actor.id()));
    Ok(row.update(txn).await?)
}

// Reads: a committee meeting as its fields show it. The caller has decided that the viewer
// may see it (`crate::lookup`).

/// Who sits on a committee meeting, in the order they were added.
///
/// # Errors
/// Database errors.
pub async fn members_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    meeting: CommitteeMeetingId,
) -> Result<Vec<ProfessionalId>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(committee_member::Entity::find()
        .select_only()
        .column(committee_member::Column::ProfessionalId)
        .filter(committee_member::Column::CommitteeMeetingId.eq(meeting))
        .order_by_asc(committee_member::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// A committee meeting's agenda, in order.
///
/// # Errors
/// Database errors.
pub async fn agenda_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    meeting: CommitteeMeetingId,
) -> Result<Vec<committee_agenda_item::Model>> {
    use sea_orm::QueryOrder;
    Ok(committee_agenda_item::Entity::find()
        .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(meeting))
        .order_by_asc(committee_agenda_item::Column::Position)
        .all(db)
        .await?)
}

/// How many days an agenda item's referral waited from its receipt to the meeting.
///
/// # Errors
/// Database errors.
pub async fn waited_days<C: sea_orm::ConnectionTrait>(
    db: &C,
    item: &committee_agenda_item::Model,
) -> Result<Option<i64>> {
    let meeting = committee_meeting::Entity::find_by_id(item.committee_meeting_id)
        .one(db)
        .await?;
    let received = crate::entities::referral::Entity::find()
        .filter(crate::entities::referral::Column::CaseId.eq(item.case_id))
        .one(db)
        .await?;
    Ok(match (meeting, received) {
        (Some(m), Some(r)) => Some((m.starts_at - r.received_at).num_days().max(0)),
        _ => None,
    })
}

/// The early intervention a decision redirected a referral to.
///
/// # Errors
/// Database errors.
pub async fn offer_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    item: &committee_agenda_item::Model,
) -> Result<Option<early_intervention_offer::Model>> {
    match item.offer_id {
        Some(id) => Ok(early_intervention_offer::Entity::find_by_id(id)
            .one(db)
            .await?),
        None => Ok(None),
    }
}

/// A municipality's committee meetings as `actor` sees them, for a page: all of them for its
/// intake unit, the meetings they sit on for anyone else.
#[must_use]
pub fn meetings_seen_by(
    actor: &Actor,
    municipality: OrganizationId,
) -> sea_orm::Select<committee_meeting::Entity> {
    let all = committee_meeting::Entity::find()
        .filter(committee_meeting::Column::MunicipalityId.eq(municipality));
    if actor.intake_for == Some(municipality) {
        return all;
    }
    let mine = sea_orm::sea_query::Query::select()
        .column(committee_member::Column::CommitteeMeetingId)
        .from(committee_member::Entity)
        .and_where(committee_member::Column::ProfessionalId.eq(actor.id()))
        .to_owned();
    all.filter(committee_meeting::Column::Id.in_subquery(mine))
}
