//! A called coordination committee meeting changes before it starts: members join or leave
//! and referrals are added to or taken off its agenda. Every change raises its SEQUENCE: the
//! members get an update (iTIP REQUEST) with the agenda and attendees as they now are, and
//! anyone taken off gets a cancellation (CANCEL), as Outlook and Google Calendar expect.

use crate::access::Actor;
use crate::domain::enums::ItipMethod;
use crate::domain::status::CaseStatus;
use crate::entities::{
    case, committee_agenda_item, committee_meeting, committee_member, professional,
};
use crate::ids::{CaseId, CommitteeMeetingId, ProfessionalId};
use crate::ops::committee::{own_scheduled, queue_invitations};
use crate::ops::outbox::{self, About, Mail};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait, QueryFilter,
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
