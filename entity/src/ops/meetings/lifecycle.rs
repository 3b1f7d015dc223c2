//! A meeting's life: created (planned), scheduled, moved, held or cancelled. Each change an
//! invitee cares about raises SEQUENCE and queues the messages that say so.

use crate::domain::enums::{ItipMethod, MeetingKind, MeetingStatus, RuleEvent};
use crate::entities::meeting;
use crate::ids::{CaseId, MeetingId, ParticipantId, ProfessionalId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::messages::queue_deliveries;
use super::rows::{active_invitees, insert_invitee, save_guarded, start_agenda};
use crate::ops::deadlines::{self, Event};
use crate::ops::outbox::{self, PathwayEvent, ScheduleMeeting};

/// A meeting to create, PLANNED.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// The case it is held for.
    pub case_id: CaseId,
    /// Start, network, follow-up, closing, transition or coordination.
    pub kind: MeetingKind,
    /// Its length.
    pub duration_minutes: i32,
    /// The earliest start the scheduler may choose.
    pub earliest: Option<DateTime<Utc>>,
    /// The latest end the scheduler may choose.
    pub latest: Option<DateTime<Utc>>,
    /// The organizing responsible contact, when known.
    pub organizer: Option<ParticipantId>,
    /// Invitees and whether each is required.
    pub invitees: Vec<(ParticipantId, bool)>,
    /// Where.
    pub location: Option<String>,
    /// Video link.
    pub video_url: Option<String>,
    /// The pathway's milestone key, for meetings the pathway plans itself.
    pub milestone: Option<String>,
    /// Who asked for it.
    pub created_by: Option<ProfessionalId>,
}

/// Creates a PLANNED meeting with its invitees, the organizer among them, and the agenda of
/// its kind's template. Returns `None`
/// when `milestone` is set and the case already has that milestone's meeting.
///
/// # Errors
/// When the database fails.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    m: NewMeeting,
) -> Result<Option<meeting::Model>> {
    let uid = format!("kit-{}@kit", uuid::Uuid::new_v4());
    let inserted = meeting::Entity::insert(meeting::ActiveModel {
        id: NotSet,
        case_id: Set(m.case_id),
        kind: Set(m.kind),
        status: Set(MeetingStatus::Planned),
        uid: Set(uid.clone()),
        sequence: Set(0),
        starts_at: Set(None),
        ends_at: Set(None),
        duration_minutes: Set(m.duration_minutes),
        earliest: Set(m.earliest),
        latest: Set(m.latest),
        location: Set(m.location),
        video_url: Set(m.video_url),
        organizer_id: Set(m.organizer),
        scheduling_note: Set(None),
        minutes: Set(None),
        held_at: Set(None),
        cancel_reason: Set(None),
        milestone: Set(m.milestone),
        created_by_id: Set(m.created_by),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([meeting::Column::CaseId, meeting::Column::Milestone])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let created = meeting::Entity::find()
        .filter(meeting::Column::Uid.eq(uid))
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a created meeting vanished"))?;
    let mut invitees = m.invitees;
    // The organizer is always invited: the meeting belongs in their calendar too.
    if let Some(organizer) = m.organizer
        && !invitees.iter().any(|(id, _)| *id == organizer)
    {
        invitees.push((organizer, true));
    }
    for (participant_id, required) in invitees {
        insert_invitee(db, now, created.id, participant_id, required).await?;
    }
    start_agenda(db, now, &created).await?;
    Ok(Some(created))
}

/// Hands the meeting to the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn request_scheduling<C: ConnectionTrait>(db: &C, meeting_id: MeetingId) -> Result<()> {
    outbox::enqueue(db, &ScheduleMeeting { meeting_id }, None).await?;
    Ok(())
}

/// Whether a time is a meeting's first or a move: `scheduleMeeting` and the scheduler give a
/// PLANNED meeting its first time; `rescheduleMeeting` and a contact joining move a SCHEDULED
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeIs {
    /// The first time of a PLANNED meeting.
    First,
    /// A new time for a SCHEDULED meeting.
    Moved,
}

/// Gives the meeting its time (and, when given, a new place) and invites everyone: the
/// first time with SEQUENCE 0, afterwards as an update with the next SEQUENCE.
///
/// # Errors
/// [`Error::Conflict`] for a meeting not PLANNED (`First`) or not SCHEDULED (`Moved`), one
/// without an organizer, a time ahead at which someone it requires has another meeting, or a
/// concurrent change.
pub async fn schedule<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    time_is: TimeIs,
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    place: Option<(Option<String>, Option<String>)>,
) -> Result<meeting::Model> {
    match (time_is, meeting.status) {
        (TimeIs::First, MeetingStatus::Planned) | (TimeIs::Moved, MeetingStatus::Scheduled) => {}
        (TimeIs::First, status) => {
            return Err(Error::conflict(format!(
                "a first time is set for a PLANNED meeting; this one is {} (move it instead)",
                status.as_str()
            )));
        }
        (TimeIs::Moved, status) => {
            return Err(Error::conflict(format!(
                "only a SCHEDULED meeting is moved; this one is {}",
                status.as_str()
            )));
        }
    }
    if meeting.organizer_id.is_none() {
        return Err(Error::conflict(
            "the meeting has no organizer; assign a responsible contact first",
        ));
    }
    // A time ahead is one every person the meeting requires is free at. (A meeting that took
    // place earlier than booked is moved to when it did, whatever else was then.)
    if starts_at > now {
        let required = super::calendar::required_people(db, &meeting).await?;
        super::calendar::lock_calendars(db, &required).await?;
        super::calendar::require_free(db, meeting.id, &required, starts_at, ends_at).await?;
    }
    let was_sent = meeting.status == MeetingStatus::Scheduled;
    let mut changed = meeting.clone();
    changed.status = MeetingStatus::Scheduled;
    changed.sequence = if was_sent {
        meeting.sequence + 1
    } else {
        meeting.sequence
    };
    changed.starts_at = Some(starts_at);
    changed.ends_at = Some(ends_at);
    changed.duration_minutes =
        i32::try_from((ends_at - starts_at).num_minutes()).unwrap_or(meeting.duration_minutes);
    if let Some((location, video_url)) = place {
        changed.location = location;
        changed.video_url = video_url;
    }
    changed.scheduling_note = None;
    changed.updated_at = now;
    let saved = save_guarded(db, &meeting, changed).await?;
    let invitees = active_invitees(db, saved.id).await?;
    queue_deliveries(db, now, &saved, ItipMethod::Request, &invitees).await?;
    deadlines::on_event(
        db,
        now,
        &Event::new(saved.case_id, RuleEvent::MeetingScheduled, now)
            .filtered(saved.kind.to_value())
            .meeting(saved.id, saved.starts_at),
    )
    .await?;
    Ok(saved)
}

/// Records why no time could be found; the meeting stays PLANNED.
///
/// # Errors
/// When the database fails.
pub async fn note_unscheduled<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    note: String,
) -> Result<meeting::Model> {
    let mut changed = meeting.clone();
    changed.scheduling_note = Some(note);
    changed.updated_at = now;
    save_guarded(db, &meeting, changed).await
}

/// Sets the organizer of a meeting the pathway planned before anyone could organize it.
///
/// # Errors
/// When the database fails or the meeting changed meanwhile.
pub async fn set_organizer<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    organizer: ParticipantId,
) -> Result<meeting::Model> {
    let mut changed = meeting.clone();
    changed.organizer_id = Some(organizer);
    changed.updated_at = now;
    save_guarded(db, &meeting, changed).await
}

/// Cancels a meeting; invitees who were invited get a CANCEL.
///
/// # Errors
/// [`Error::Conflict`] for a meeting already held or cancelled.
pub async fn cancel<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    reason: String,
) -> Result<meeting::Model> {
    if meeting.status.is_final() {
        return Err(Error::conflict(format!(
            "a {} meeting cannot be cancelled",
            meeting.status.as_str()
        )));
    }
    let was_sent = meeting.status == MeetingStatus::Scheduled;
    let mut changed = meeting.clone();
    changed.status = MeetingStatus::Cancelled;
    changed.sequence = if was_sent {
        meeting.sequence + 1
    } else {
        meeting.sequence
    };
    changed.cancel_reason = Some(reason);
    changed.updated_at = now;
    let saved = save_guarded(db, &meeting, changed).await?;
    if was_sent {
        let invitees = active_invitees(db, saved.id).await?;
        queue_deliveries(db, now, &saved, ItipMethod::Cancel, &invitees).await?;
    }
    // What the meeting started (information to share before it) is owed no more.
    deadlines::withdraw_for_meeting(db, now, saved.id).await?;
    Ok(saved)
}

/// Records a scheduled meeting as held, with its minutes, and lets the pathway plan what
/// comes next. `took_place_at` is when it started, for a meeting held earlier than booked: it
/// is recorded at that time as it is — no update is sent for a meeting that is over.
///
/// # Errors
/// [`Error::Conflict`] unless the meeting is SCHEDULED, or before its booked start without
/// `took_place_at`; [`Error::Validation`] on `startedAt` for a time ahead or before the
/// meeting was requested.
pub async fn record_held<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    minutes: String,
    took_place_at: Option<DateTime<Utc>>,
) -> Result<meeting::Model> {
    if meeting.status != MeetingStatus::Scheduled {
        return Err(Error::conflict(format!(
            "only a SCHEDULED meeting can be recorded as held; this one is {}",
            meeting.status.as_str()
        )));
    }
    // Neither deadlines nor the pathway may run on a meeting that has not taken place: one
    // held earlier than booked says when it took place.
    let mut changed = meeting.clone();
    match (meeting.starts_at, took_place_at) {
        (None, _) => return Err(Error::conflict("the meeting has no time yet")),
        (Some(_), Some(at)) => {
            if at > now {
                return Err(Error::invalid("startedAt", "must not be in the future"));
            }
            if at < meeting.created_at {
                return Err(Error::invalid(
                    "startedAt",
                    "must not be before the meeting was requested",
                ));
            }
            let length = match (meeting.starts_at, meeting.ends_at) {
                (Some(s), Some(e)) => e - s,
                _ => chrono::TimeDelta::minutes(i64::from(meeting.duration_minutes)),
            };
            changed.starts_at = Some(at);
            changed.ends_at = Some(at + length);
        }
        (Some(starts), None) if starts <= now => {}
        (Some(starts), None) => {
            return Err(Error::conflict(format!(
                "the meeting has not started yet (it starts {}); for a meeting held earlier \
                 than booked, give startedAt: when it took place",
                crate::domain::calendar::local(starts).format("%Y-%m-%d %H:%M")
            )));
        }
    }
    changed.status = MeetingStatus::Held;
    changed.minutes = Some(minutes);
    changed.held_at = Some(now);
    changed.updated_at = now;
    let saved = save_guarded(db, &meeting, changed).await?;
    // A meeting counts from when it took place, not from when its minutes were written.
    let held = saved.starts_at.unwrap_or(now);
    deadlines::on_event(
        db,
        now,
        &Event::new(saved.case_id, RuleEvent::MeetingHeld, held)
            .filtered(saved.kind.to_value())
            .meeting(saved.id, saved.starts_at),
    )
    .await?;
    outbox::enqueue(
        db,
        &PathwayEvent::MeetingHeld {
            meeting_id: saved.id,
        },
        None,
    )
    .await?;
    Ok(saved)
}

/// Locks a case's row until the transaction ends (on PostgreSQL; SQLite's one writer needs
/// no row lock). Every transaction that plans a case's meetings from its participants, or
/// changes who takes part, takes this lock first — participant changes by updating the row —
/// so a contact assigned while the pathway plans or schedules a meeting is either seen by
/// that planning or sees the meeting it made: never neither.
///
/// # Errors
/// When the database fails.
pub async fn lock_case<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Option<crate::entities::case::Model>> {
    let query = crate::infra::db::for_update(
        crate::entities::case::Entity::find_by_id(case_id),
        db.get_database_backend(),
    );
    Ok(query.one(db).await?)
}
