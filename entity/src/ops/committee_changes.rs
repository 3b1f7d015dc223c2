//! A called coordination committee meeting changes before it starts: members join or leave
//! and referrals are added to or taken off its agenda. Every change raises its SEQUENCE: the
//! members get an update (iTIP REQUEST) with the agenda and attendees as they now are, and
//! anyone taken off gets a cancellation (CANCEL), as Outlook and Google Calendar expect.
//! Members answer the invitation — in the product, or by an iTIP REPLY forwarded to
//! `/calendar/reply` — until the meeting ends.

use crate::access::Actor;
use crate::domain::enums::{CommitteeMeetingStatus, DeliveryStatus, InviteeResponse, ItipMethod};
use crate::domain::status::CaseStatus;
use crate::entities::{
    case, committee_agenda_item, committee_meeting, committee_member, delivery, professional,
};
use crate::ids::{CaseId, CommitteeMeetingId, ProfessionalId};
use crate::ops::committee::{own_scheduled, queue_invitations};
use crate::ops::outbox::{self, About, Mail};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder,
};

/// What changes about a committee meeting.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Professionals who join it.
    pub add_members: Vec<ProfessionalId>,
    /// Members who leave it.
    pub remove_members: Vec<ProfessionalId>,
    /// Referrals added at the end of its agenda.
    pub add_cases: Vec<CaseId>,
    /// Referrals taken off its agenda, undecided.
    pub remove_cases: Vec<CaseId>,
}

/// Changes a called committee meeting's members and agenda before it starts, telling every
/// member (an update) and everyone taken off (a cancellation).
///
/// # Errors
/// [`Error::NotFound`] outside the municipality's intake unit; [`Error::Conflict`] for a
/// cancelled meeting or one that has started; [`Error::Validation`] naming the field: no
/// change, an inactive professional or one who sits on it already, someone who does not sit
/// on it or who called it, a referral not waiting at the entry point or on the agenda
/// already, one not on the agenda or decided, an agenda left empty.
pub async fn change(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: CommitteeMeetingId,
    change: Change,
) -> Result<committee_meeting::Model> {
    let meeting = own_scheduled(txn, actor, id)
        .await
        .map_err(|e| e.at("committeeMeetingId"))?;
    if meeting.starts_at <= now {
        return Err(Error::conflict(
            "the committee meeting has started: its members and agenda no longer change",
        ));
    }
    if change.add_members.is_empty()
        && change.remove_members.is_empty()
        && change.add_cases.is_empty()
        && change.remove_cases.is_empty()
    {
        return Err(Error::invalid("addMemberIds", "name at least one change"));
    }
    let members: Vec<committee_member::Model> = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(id))
        .all(txn)
        .await?;
    for (i, p) in change.add_members.iter().enumerate() {
        let field = format!("addMemberIds.{i}");
        professional::Entity::find_by_id(*p)
            .one(txn)
            .await?
            .filter(|p| p.is_active)
            .ok_or_else(|| Error::invalid(&field, "is not an active professional"))?;
        if members.iter().any(|m| m.professional_id == *p) {
            return Err(Error::invalid(&field, "sits on the meeting already"));
        }
    }
    let mut leaving = Vec::new();
    for (i, p) in change.remove_members.iter().enumerate() {
        let field = format!("removeMemberIds.{i}");
        if *p == meeting.organizer_id {
            return Err(Error::invalid(&field, "called the meeting and stays on it"));
        }
        let member = members
            .iter()
            .find(|m| m.professional_id == *p)
            .ok_or_else(|| Error::invalid(&field, "does not sit on the meeting"))?;
        leaving.push(member.clone());
    }
    let agenda: Vec<committee_agenda_item::Model> = committee_agenda_item::Entity::find()
        .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(id))
        .all(txn)
        .await?;
    let mut dropped = Vec::new();
    for (i, c) in change.remove_cases.iter().enumerate() {
        let field = format!("removeCaseIds.{i}");
        let item = agenda
            .iter()
            .find(|a| a.case_id == *c)
            .ok_or_else(|| Error::invalid(&field, "is not on the agenda"))?;
        if item.decision.is_some() {
            return Err(Error::invalid(&field, "is decided already"));
        }
        dropped.push(item.clone());
    }
    for (i, c) in change.add_cases.iter().enumerate() {
        let field = format!("addCaseIds.{i}");
        let waiting = case::Entity::find_by_id(*c)
            .one(txn)
            .await?
            .filter(|x| x.municipality_id == meeting.municipality_id)
            .ok_or_else(|| Error::not_found("case").at(field.clone()))?;
        if !matches!(waiting.status, CaseStatus::Referred | CaseStatus::InIntake) {
            return Err(Error::invalid(
                &field,
                "is no longer waiting at the entry point (REFERRED or IN_INTAKE)",
            ));
        }
        if agenda.iter().any(|a| a.case_id == *c) || change.add_cases[..i].contains(c) {
            return Err(Error::invalid(&field, "is on the agenda already"));
        }
    }
    if agenda.len() + change.add_cases.len() <= dropped.len() {
        return Err(Error::invalid(
            "removeCaseIds",
            "leaves the agenda empty: cancel the meeting instead",
        ));
    }
    let sequence = meeting.sequence + 1;
    let mut row: committee_meeting::ActiveModel = meeting.into();
    row.sequence = Set(sequence);
    let meeting = row.update(txn).await?;
    for member in &leaving {
        member.clone().delete(txn).await?;
    }
    for p in &change.add_members {
        committee_member::ActiveModel {
            id: NotSet,
            committee_meeting_id: Set(id),
            professional_id: Set(*p),
            response: Set(crate::domain::enums::InviteeResponse::NeedsAction),
            responded_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    for item in dropped {
        item.delete(txn).await?;
    }
    let mut position = agenda.iter().map(|a| a.position).max().unwrap_or(0);
    for c in &change.add_cases {
        position += 1;
        committee_agenda_item::ActiveModel {
            id: NotSet,
            committee_meeting_id: Set(id),
            case_id: Set(*c),
            position: Set(position),
            decision: Set(None),
            reason: Set(None),
            offer_id: Set(None),
            redirected_to: Set(None),
            decided_at: Set(None),
            decided_by_id: Set(None),
        }
        .insert(txn)
        .await?;
    }
    queue_invitations(txn, now, &meeting, ItipMethod::Request).await?;
    for member in leaving {
        if let Some(person) = professional::Entity::find_by_id(member.professional_id)
            .one(txn)
            .await?
        {
            outbox::queue_mail(
                txn,
                now,
                Mail {
                    about: About::Committee(meeting.id),
                    sequence: meeting.sequence,
                    method: Some(ItipMethod::Cancel),
                    recipient: person.email,
                    language: person.language,
                },
            )
            .await?;
        }
    }
    Ok(meeting)
}

/// A member answers their invitation to a committee meeting, until it ends.
///
/// # Errors
/// [`Error::NotFound`] on `committeeMeetingId` for someone who does not sit on it;
/// [`Error::Conflict`] for a cancelled meeting or one that has ended.
pub async fn respond(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: CommitteeMeetingId,
    response: InviteeResponse,
) -> Result<committee_member::Model> {
    let not_found = || Error::not_found("committee meeting").at("committeeMeetingId");
    let meeting = committee_meeting::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let member = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(id))
        .filter(committee_member::Column::ProfessionalId.eq(actor.id()))
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    answer(txn, now, &meeting, member, response).await
}

/// Records the answer of committee membership `member` (an answer link's): as [`respond`].
///
/// # Errors
/// [`Error::NotFound`] for a membership that is gone; [`Error::Conflict`] for a cancelled
/// meeting or one that has ended.
pub async fn respond_as_member(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    member: i64,
    response: InviteeResponse,
) -> Result<committee_member::Model> {
    let member = committee_member::Entity::find_by_id(member)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("committee membership"))?;
    let meeting = committee_meeting::Entity::find_by_id(member.committee_meeting_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("committee meeting"))?;
    answer(txn, now, &meeting, member, response).await
}

async fn answer(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    meeting: &committee_meeting::Model,
    member: committee_member::Model,
    response: InviteeResponse,
) -> Result<committee_member::Model> {
    if meeting.status == CommitteeMeetingStatus::Cancelled {
        return Err(Error::conflict("the committee meeting is cancelled"));
    }
    if meeting.ends_at <= now {
        return Err(Error::conflict("the committee meeting is over"));
    }
    let mut row: committee_member::ActiveModel = member.into();
    row.response = Set(response);
    row.responded_at = Set(Some(now));
    Ok(row.update(txn).await?)
}

/// The committee meeting an iCalendar UID names (`committee-<id>@kit`), if it is one.
#[must_use]
pub fn meeting_of_uid(uid: &str) -> Option<CommitteeMeetingId> {
    uid.strip_prefix("committee-")?
        .strip_suffix("@kit")?
        .parse()
        .ok()
        .map(CommitteeMeetingId)
}

/// Applies one answer of an iTIP REPLY to a committee meeting: the attendee's address must be
/// one its invitation was sent to, and the reply not answer an older version. `Ok(Some(why))`
/// when it is ignored.
///
/// # Errors
/// Database errors.
pub async fn apply_reply(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    id: CommitteeMeetingId,
    email: &str,
    sequence: Option<i32>,
    response: InviteeResponse,
) -> Result<Option<&'static str>> {
    let Some(meeting) = committee_meeting::Entity::find_by_id(id).one(txn).await? else {
        return Ok(Some("no meeting has this UID"));
    };
    let sent = delivery::Entity::find()
        .filter(About::Committee(id).rows())
        .filter(delivery::Column::Method.eq(ItipMethod::Request))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
        .order_by_desc(delivery::Column::Sequence)
        .all(txn)
        .await?;
    let Some(latest) = sent
        .iter()
        .find(|d| d.recipient.eq_ignore_ascii_case(email))
    else {
        return Ok(Some("no invitation to this attendee was sent"));
    };
    if sequence.is_some_and(|s| s < latest.sequence) {
        return Ok(Some("the reply answers an older version of the meeting"));
    }
    let members = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(id))
        .all(txn)
        .await?;
    let people = professional::Entity::find()
        .filter(professional::Column::Id.is_in(members.iter().map(|m| m.professional_id)))
        .all(txn)
        .await?;
    let Some(member) = members.into_iter().find(|m| {
        people
            .iter()
            .any(|p| p.id == m.professional_id && p.email.eq_ignore_ascii_case(email))
    }) else {
        return Ok(Some("the attendee no longer sits on the meeting"));
    };
    match answer(txn, now, &meeting, member, response).await {
        Ok(_) => Ok(None),
        Err(Error::Conflict(_)) => Ok(Some("the meeting is cancelled or over")),
        Err(e) => Err(e),
    }
}

/// Each member of a committee meeting with their answer and the last message sent to them
/// about it (none before the worker has written one), in the order they were added.
///
/// # Errors
/// Database errors.
pub async fn attendance<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: CommitteeMeetingId,
) -> Result<Vec<(committee_member::Model, Option<delivery::Model>)>> {
    let members = committee_member::Entity::find()
        .filter(committee_member::Column::CommitteeMeetingId.eq(id))
        .order_by_asc(committee_member::Column::Id)
        .all(db)
        .await?;
    let people = professional::Entity::find()
        .filter(professional::Column::Id.is_in(members.iter().map(|m| m.professional_id)))
        .all(db)
        .await?;
    let sent = delivery::Entity::find()
        .filter(About::Committee(id).rows())
        .order_by_desc(delivery::Column::Sequence)
        .order_by_desc(delivery::Column::Id)
        .all(db)
        .await?;
    Ok(members
        .into_iter()
        .map(|m| {
            let email = people
                .iter()
                .find(|p| p.id == m.professional_id)
                .map(|p| p.email.clone())
                .unwrap_or_default();
            let last = sent
                .iter()
                .find(|d| d.recipient.eq_ignore_ascii_case(&email))
                .cloned();
            (m, last)
        })
        .collect())
}
