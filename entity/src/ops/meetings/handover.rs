//! People who leave a case leave its meetings ahead; a responsible contact who joins takes
//! over what nobody organizes and is invited to the pathway's meetings — which move to a time
//! they can make when they have another meeting at the booked one.

use crate::domain::enums::{ItipMethod, MeetingStatus};
use crate::entities::{case, meeting, participant};
use crate::ids::{CaseId, ParticipantId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::calendar::{Found, collisions, find_time, lock_calendars, required_people};
use super::invitees::{add_invitee, is_present, mark_removed, update_everyone};
use super::lifecycle::{TimeIs, request_scheduling, schedule};
use super::messages::queue_deliveries;
use super::rows::{active_invitees, save_guarded};

/// Someone's participation in a case has ended: they leave the meetings still ahead.
///
/// `successor` — the responsible contact who replaced them — takes their place: their
/// invitations and the meetings they organized. A meeting they organized without a successor
/// goes to another responsible contact of the case (the municipality's first) or, when there
/// is none, waits without an organizer for the next contact ([`contact_joined`]).
///
/// For a scheduled meeting the person leaving receives a CANCEL with the next SEQUENCE and the
/// successor a REQUEST; when the organizer changes, every invitee receives the update, since
/// the ORGANIZER of their copy changes. A planned meeting with a new organizer is handed to the
/// scheduler again: office hours and busy times are the new organizer's.
///
/// # Errors
/// When the database fails, or [`Error::Conflict`] when a meeting changed meanwhile.
pub async fn participant_left<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
    leaving: ParticipantId,
    successor: Option<ParticipantId>,
) -> Result<()> {
    for m in meetings_ahead(db, case_id).await? {
        let invitees = active_invitees(db, m.id).await?;
        let invitation = invitees
            .iter()
            .find(|i| i.participant_id == leaving)
            .cloned();
        let organizes = m.organizer_id == Some(leaving);
        if invitation.is_none() && !organizes {
            continue;
        }
        let organizer = if organizes {
            match successor {
                Some(s) => Some(s),
                None => crate::ops::meetings::pick_organizer(db, case_id).await?,
            }
        } else {
            m.organizer_id
        };
        let saved = bump(db, now, &m, organizer).await?;
        if let Some(invitation) = &invitation
            && let Some(removed) = mark_removed(db, now, invitation).await?
            && saved.status == MeetingStatus::Scheduled
        {
            queue_deliveries(
                db,
                now,
                &saved,
                ItipMethod::Cancel,
                std::slice::from_ref(&removed),
            )
            .await?;
        }
        // A pathway meeting nobody is invited to yet gets its invitees when it is scheduled.
        let mut joining = Vec::new();
        if !invitees.is_empty() {
            if let (Some(s), Some(i)) = (successor, &invitation) {
                joining.push((s, i.required));
            }
            if organizes && let Some(o) = organizer {
                joining.push((o, true));
            }
        }
        let saved = join(db, now, saved, &joining).await?;
        if invitation.is_some() {
            // The attendee list changed: everyone still invited sees it as it is now.
            update_everyone(db, now, &saved).await?;
        }
        after_hand_over(db, now, &saved, organizes && organizer.is_some()).await?;
    }
    Ok(())
}

/// A responsible contact has joined the case. Meetings still ahead that have no organizer —
/// because the one who organized them left — become theirs, and they are invited: scheduled
/// ones send every invitee the update; planned ones go back to the scheduler, as do those
/// the pathway planned while nobody could organize them. The pathway's meetings ahead that
/// have an organizer invite them as required (a scheduled one sends them the invitation),
/// whether or not the scheduler has run yet: the meetings are locked first, so a scheduler
/// running at the same moment either sees this contact or is seen by this change.
///
/// # Errors
/// When the database fails, or [`Error::Conflict`] when a meeting changed meanwhile.
pub async fn contact_joined<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
    contact: ParticipantId,
) -> Result<()> {
    for m in meetings_ahead(db, case_id).await? {
        if m.organizer_id.is_some() {
            if m.milestone.is_some() {
                join(db, now, m, &[(contact, true)]).await?;
            }
            continue;
        }
        if m.status == MeetingStatus::Planned && m.milestone.is_some() {
            // The scheduler picks the pathway's organizer and invitees itself.
            request_scheduling(db, m.id).await?;
            continue;
        }
        let invitees = active_invitees(db, m.id).await?;
        let saved = bump(db, now, &m, Some(contact)).await?;
        let joining = if invitees.is_empty() && m.milestone.is_some() {
            Vec::new()
        } else {
            vec![(contact, true)]
        };
        let saved = join(db, now, saved, &joining).await?;
        after_hand_over(db, now, &saved, true).await?;
    }
    Ok(())
}

/// Invites `joining` (participant, required) who are not invited yet to a meeting ahead. A
/// person to be required at a booked time when they have another meeting moves the meeting to
/// the earliest time everyone it requires can make — every invitee gets the update — or, when
/// there is none before its latest end, joins it as optional. Returns the meeting as it is now.
///
/// # Errors
/// When the database fails, or [`Error::Conflict`] when the meeting changed meanwhile.
async fn join<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    joining: &[(ParticipantId, bool)],
) -> Result<meeting::Model> {
    let mut m = meeting;
    for &(participant_id, required) in joining {
        if is_present(db, m.id, participant_id).await? {
            continue;
        }
        let mut required = required;
        if required
            && m.status == MeetingStatus::Scheduled
            && let (Some(starts), Some(ends)) = (m.starts_at, m.ends_at)
            && starts > now
        {
            let person = participant::Entity::find_by_id(participant_id)
                .one(db)
                .await?
                .ok_or_else(|| Error::internal("a participant to invite is missing"))?;
            let mut people = required_people(db, &m).await?;
            people.push(person.clone());
            lock_calendars(db, &people).await?;
            if !collisions(db, m.id, std::slice::from_ref(&person), starts, ends)
                .await?
                .is_empty()
            {
                let case = case::Entity::find_by_id(m.case_id)
                    .one(db)
                    .await?
                    .ok_or_else(|| Error::internal("a meeting's case is missing"))?;
                match find_time(db, now, &m, &case, &people).await? {
                    Found::At(starts, ends) => {
                        m = schedule(db, now, m, TimeIs::Moved, (starts, ends), None).await?;
                    }
                    Found::Nothing(_) => required = false,
                }
            }
        }
        add_invitee(db, now, &m, participant_id, required).await?;
    }
    Ok(m)
}

/// The case's meetings that are neither held nor cancelled, locked for the transaction.
pub(crate) async fn meetings_ahead<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Vec<meeting::Model>> {
    let query = meeting::Entity::find()
        .filter(meeting::Column::CaseId.eq(case_id))
        .filter(meeting::Column::Status.is_in([MeetingStatus::Planned, MeetingStatus::Scheduled]))
        .order_by_asc(meeting::Column::Id);
    Ok(
        crate::infra::db::for_update(query, db.get_database_backend())
            .all(db)
            .await?,
    )
}

/// Saves a new organizer; a scheduled meeting's SEQUENCE grows, because invitees are told.
pub(crate) async fn bump<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    m: &meeting::Model,
    organizer: Option<ParticipantId>,
) -> Result<meeting::Model> {
    let mut changed = m.clone();
    changed.organizer_id = organizer;
    if m.status == MeetingStatus::Scheduled {
        changed.sequence += 1;
    }
    changed.updated_at = now;
    save_guarded(db, m, changed).await
}

/// What a new organizer causes: a scheduled meeting sends every invitee the update (those
/// who just joined have theirs already: one message per SEQUENCE and invitee); a planned one
/// is scheduled again.
pub(crate) async fn after_hand_over<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    saved: &meeting::Model,
    new_organizer: bool,
) -> Result<()> {
    if !new_organizer {
        return Ok(());
    }
    match saved.status {
        MeetingStatus::Scheduled => update_everyone(db, now, saved).await,
        MeetingStatus::Planned => request_scheduling(db, saved.id).await,
        _ => Ok(()),
    }
}
