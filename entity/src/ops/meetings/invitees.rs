//! Who is invited: adding and removing invitees, their answers, the people the pathway
//! invites by default and the contact who organizes.

use crate::domain::enums::{
    InviteeResponse, ItipMethod, MeetingKind, MeetingStatus, ParticipantRole, Sector,
};
use crate::entities::{meeting, meeting_invitee, participant};
use crate::ids::{InviteeId, ParticipantId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::calendar;
use super::messages::queue_deliveries;
use super::rows::{active_invitees, insert_invitee, save_guarded};

/// Invites another participant. If invitations have gone out, they get one too.
///
/// # Errors
/// [`Error::Conflict`] when they are invited already, the meeting is over, or they are to be
/// required at a booked time when they have another meeting.
pub async fn add_invitee<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    participant_id: ParticipantId,
    required: bool,
) -> Result<meeting_invitee::Model> {
    if meeting.status.is_final() {
        return Err(Error::conflict(format!(
            "a {} meeting takes no new invitees",
            meeting.status.as_str()
        )));
    }
    if required
        && meeting.status == MeetingStatus::Scheduled
        && let (Some(starts), Some(ends)) = (meeting.starts_at, meeting.ends_at)
        && starts > now
    {
        let person = participant::Entity::find_by_id(participant_id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a participant to invite is missing"))?;
        let person = std::slice::from_ref(&person);
        calendar::lock_calendars(db, person).await?;
        calendar::require_free(db, meeting.id, person, starts, ends).await?;
    }
    let invitee = insert_invitee(db, now, meeting.id, participant_id, required).await?;
    if meeting.status == MeetingStatus::Scheduled {
        queue_deliveries(
            db,
            now,
            meeting,
            ItipMethod::Request,
            std::slice::from_ref(&invitee),
        )
        .await?;
    }
    Ok(invitee)
}

/// Removes an invitee. If they were invited, they get a CANCEL with the next SEQUENCE.
///
/// # Errors
/// [`Error::Conflict`] when they were removed already or the meeting is over.
pub async fn remove_invitee<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    invitee: meeting_invitee::Model,
) -> Result<(meeting::Model, meeting_invitee::Model)> {
    if meeting.status.is_final() {
        return Err(Error::conflict(format!(
            "a {} meeting cannot change its invitees",
            meeting.status.as_str()
        )));
    }
    let invitee = mark_removed(db, now, &invitee)
        .await?
        .ok_or_else(|| Error::conflict("this invitee has already been removed"))?;
    if meeting.status != MeetingStatus::Scheduled {
        return Ok((meeting, invitee));
    }
    let mut changed = meeting.clone();
    changed.sequence += 1;
    changed.updated_at = now;
    let saved = save_guarded(db, &meeting, changed).await?;
    queue_deliveries(
        db,
        now,
        &saved,
        ItipMethod::Cancel,
        std::slice::from_ref(&invitee),
    )
    .await?;
    update_everyone(db, now, &saved).await?;
    Ok((saved, invitee))
}

/// Sends every current invitee of a scheduled meeting the update at its current SEQUENCE,
/// with the attendee list as it is now — as calendar programs do when someone is taken off
/// a meeting. Those who have this SEQUENCE already are skipped (the outbox's unique key). A
/// meeting without an organizer sends nothing: a REQUEST needs one, and the next organizer's
/// update will carry the list.
pub(crate) async fn update_everyone<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    saved: &meeting::Model,
) -> Result<()> {
    if saved.status != MeetingStatus::Scheduled || saved.organizer_id.is_none() {
        return Ok(());
    }
    let everyone = active_invitees(db, saved.id).await?;
    queue_deliveries(db, now, saved, ItipMethod::Request, &everyone).await
}

/// Marks an invitation removed; `None` when it was removed already.
pub(crate) async fn mark_removed<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    invitee: &meeting_invitee::Model,
) -> Result<Option<meeting_invitee::Model>> {
    let removed = meeting_invitee::Entity::update_many()
        .col_expr(meeting_invitee::Column::RemovedAt, Expr::value(Some(now)))
        .filter(meeting_invitee::Column::Id.eq(invitee.id))
        .filter(meeting_invitee::Column::RemovedAt.is_null())
        .exec(db)
        .await?;
    Ok(
        (removed.rows_affected == 1).then(|| meeting_invitee::Model {
            removed_at: Some(now),
            ..invitee.clone()
        }),
    )
}

/// Records an invitee's answer.
///
/// # Errors
/// When the database fails.
pub async fn respond<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    invitee: meeting_invitee::Model,
    response: InviteeResponse,
) -> Result<meeting_invitee::Model> {
    let mut row: meeting_invitee::ActiveModel = invitee.into();
    row.response = Set(response);
    row.responded_at = Set(Some(now));
    Ok(row.update(db).await?)
}

/// The invitation `id`, if it exists.
///
/// # Errors
/// When the database fails.
pub async fn invitee<C: ConnectionTrait>(
    db: &C,
    id: InviteeId,
) -> Result<Option<meeting_invitee::Model>> {
    Ok(meeting_invitee::Entity::find_by_id(id).one(db).await?)
}

/// Invites those of `joining` who are not invited yet — neither by this participation nor,
/// for a professional, by another of theirs in the case ([`add_invitee`]: a scheduled meeting
/// sends them the invitation).
pub(crate) async fn invite_unless_present<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    joining: &[(ParticipantId, bool)],
) -> Result<()> {
    for &(participant_id, required) in joining {
        if is_present(db, meeting.id, participant_id).await? {
            continue;
        }
        add_invitee(db, now, meeting, participant_id, required).await?;
    }
    Ok(())
}

/// Whether `participant_id` — or the same professional in another participation — is an
/// active invitee of the meeting.
///
/// # Errors
/// When the database fails.
pub(crate) async fn is_present<C: ConnectionTrait>(
    db: &C,
    meeting_id: crate::ids::MeetingId,
    participant_id: ParticipantId,
) -> Result<bool> {
    let invited = active_invitees(db, meeting_id).await?;
    let ids: Vec<ParticipantId> = invited.iter().map(|i| i.participant_id).collect();
    if ids.contains(&participant_id) {
        return Ok(true);
    }
    let person = participant::Entity::find_by_id(participant_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a participant to invite is missing"))?;
    let Some(professional) = person.professional_id else {
        return Ok(false);
    };
    Ok(participant::Entity::find()
        .filter(participant::Column::Id.is_in(ids))
        .filter(participant::Column::ProfessionalId.eq(professional))
        .one(db)
        .await?
        .is_some())
}

/// Invites the people the pathway invites to its meetings — [`default_invitees`], and the
/// organizer as required — beside whoever the meeting was planned with; someone invited
/// before and taken off stays off.
///
/// # Errors
/// When the database fails.
pub async fn invite_defaults<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
) -> Result<()> {
    let mut joining = default_invitees(db, meeting.case_id, meeting.kind).await?;
    if let Some(organizer) = meeting.organizer_id {
        match joining.iter_mut().find(|(id, _)| *id == organizer) {
            Some(existing) => existing.1 = true,
            None => joining.push((organizer, true)),
        }
    }
    let ever: Vec<ParticipantId> = meeting_invitee::Entity::find()
        .filter(meeting_invitee::Column::MeetingId.eq(meeting.id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.participant_id)
        .collect();
    joining.retain(|(id, _)| !ever.contains(id));
    invite_unless_present(db, now, meeting, &joining).await
}

/// The active responsible contact who organizes meetings the pathway plans: the
/// municipality's if there is one, otherwise any sector's.
///
/// # Errors
/// When the database fails.
pub async fn pick_organizer<C: ConnectionTrait>(
    db: &C,
    case_id: crate::ids::CaseId,
) -> Result<Option<ParticipantId>> {
    let contacts = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .all(db)
        .await?;
    Ok(contacts
        .iter()
        .find(|p| p.sector == Sector::Municipality)
        .or_else(|| contacts.first())
        .map(|p| p.id))
}

/// Who the pathway invites to a meeting of `kind`: every active participant; responsible
/// contacts, the intervention lead and the family are required, other professionals
/// optional. The young person is invited to transition meetings.
///
/// # Errors
/// When the database fails.
pub async fn default_invitees<C: ConnectionTrait>(
    db: &C,
    case_id: crate::ids::CaseId,
    kind: MeetingKind,
) -> Result<Vec<(ParticipantId, bool)>> {
    let active = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::ActiveUntil.is_null())
        .all(db)
        .await?;
    let mut invitees: Vec<(ParticipantId, bool)> = Vec::new();
    for p in active {
        let required = match p.role {
            ParticipantRole::ResponsibleContact
            | ParticipantRole::InterventionLead
            | ParticipantRole::Guardian => true,
            ParticipantRole::Child => {
                if kind != MeetingKind::Transition {
                    continue;
                }
                true
            }
            ParticipantRole::Professional | ParticipantRole::External => false,
        };
        match invitees.iter_mut().find(|(id, _)| *id == p.id) {
            Some(existing) => existing.1 |= required,
            None => invitees.push((p.id, required)),
        }
    }
    Ok(invitees)
}
