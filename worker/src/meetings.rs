//! Meeting operations that write, shared by the API (after its access checks) and the
//! worker. Each runs on the caller's transaction and writes the outbox rows and jobs its
//! change causes in that same transaction.
//!
//! SEQUENCE follows RFC 5546: it starts at 0 with the first invitation and grows with every
//! change an invitee cares about — a new time or place, a cancellation, being removed.

use chrono::{DateTime, Utc};
use kit_entity::domain::enums::{
    DeliveryStatus, InviteeResponse, ItipMethod, Language, MeetingKind, MeetingStatus,
    ParticipantKind, RuleEvent,
};
use kit_entity::entities::{
    delivery, family_member, meeting, meeting_invitee, participant, professional,
};
use kit_entity::ids::{CaseId, InviteeId, MeetingId, ParticipantId, ProfessionalId};
use kit_entity::{Error, Result};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::deadlines::{self, Event};
use crate::jobs::{self, PathwayEvent, ScheduleMeeting, SendDelivery};

/// Someone a message can be written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Display name.
    pub name: String,
    /// Address, when they have one.
    pub email: Option<String>,
    /// Language to write in.
    pub language: Language,
    /// True for professionals: their messages link into the product.
    pub professional: bool,
}

/// Who a participant is, for mail. The child has no address of their own here: meetings
/// reach a child through the guardians.
///
/// # Errors
/// When the database fails.
pub async fn recipient<C: ConnectionTrait>(db: &C, p: &participant::Model) -> Result<Recipient> {
    Ok(match p.kind {
        ParticipantKind::Professional => {
            let pro = match p.professional_id {
                Some(id) => professional::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or_else(|| {
                Error::internal("a professional participant's professional is missing")
            })?;
            Recipient {
                name: pro.name,
                email: Some(pro.email),
                language: pro.language,
                professional: true,
            }
        }
        ParticipantKind::FamilyMember => {
            let member = match p.family_member_id {
                Some(id) => family_member::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or_else(|| Error::internal("a family participant's family member is missing"))?;
            Recipient {
                name: member.name,
                email: member.email,
                language: member.language,
                professional: false,
            }
        }
        ParticipantKind::External => Recipient {
            name: p.external_name.clone().unwrap_or_default(),
            email: p.external_email.clone(),
            language: Language::Da,
            professional: false,
        },
        ParticipantKind::Child => Recipient {
            name: String::new(),
            email: None,
            language: Language::Da,
            professional: false,
        },
    })
}

/// A meeting to create, PLANNED.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// The case.
    pub case_id: CaseId,
    /// Its kind.
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

/// Creates a PLANNED meeting with its invitees, the organizer among them. Returns `None`
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
    Ok(Some(created))
}

async fn insert_invitee<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting_id: MeetingId,
    participant_id: ParticipantId,
    required: bool,
) -> Result<meeting_invitee::Model> {
    meeting_invitee::ActiveModel {
        id: NotSet,
        meeting_id: Set(meeting_id),
        participant_id: Set(participant_id),
        required: Set(required),
        response: Set(InviteeResponse::NeedsAction),
        responded_at: Set(None),
        removed_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict("this participant is already invited to the meeting")
    })
}

/// Hands the meeting to the scheduler.
///
/// # Errors
/// When the database fails.
pub async fn request_scheduling<C: ConnectionTrait>(db: &C, meeting_id: MeetingId) -> Result<()> {
    jobs::enqueue(db, &ScheduleMeeting { meeting_id }, None).await?;
    Ok(())
}

/// The meeting's active invitees.
///
/// # Errors
/// When the database fails.
pub async fn active_invitees<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
) -> Result<Vec<meeting_invitee::Model>> {
    Ok(meeting_invitee::Entity::find()
        .filter(meeting_invitee::Column::MeetingId.eq(meeting_id))
        .filter(meeting_invitee::Column::RemovedAt.is_null())
        .all(db)
        .await?)
}

/// Writes an outbox row per invitee who has an address, for the meeting at its current
/// SEQUENCE, and a job to send each. A row that exists already is left alone.
async fn queue_deliveries<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    method: ItipMethod,
    invitees: &[meeting_invitee::Model],
) -> Result<()> {
    for invitee in invitees {
        let Some(p) = participant::Entity::find_by_id(invitee.participant_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let r = recipient(db, &p).await?;
        let Some(email) = r.email else { continue };
        let message_id = format!(
            "<meeting-{}.{}.{}.{}@kit>",
            meeting.id,
            meeting.sequence,
            invitee.id,
            uuid::Uuid::new_v4().simple()
        );
        let inserted = delivery::Entity::insert(delivery::ActiveModel {
            id: NotSet,
            meeting_id: Set(Some(meeting.id)),
            notification_id: Set(None),
            invitee_id: Set(Some(invitee.id)),
            sequence: Set(meeting.sequence),
            method: Set(Some(method)),
            recipient: Set(email),
            language: Set(r.language),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            last_error: Set(None),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            sent_at: Set(None),
            message_id: Set(message_id),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                delivery::Column::MeetingId,
                delivery::Column::Sequence,
                delivery::Column::InviteeId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1
            && let Some(row) = delivery::Entity::find()
                .filter(delivery::Column::MeetingId.eq(meeting.id))
                .filter(delivery::Column::Sequence.eq(meeting.sequence))
                .filter(delivery::Column::InviteeId.eq(invitee.id))
                .one(db)
                .await?
        {
            jobs::enqueue(
                db,
                &SendDelivery {
                    delivery_id: row.id,
                },
                None,
            )
            .await?;
        }
    }
    Ok(())
}

/// Saves `changed`, guarded by the status and SEQUENCE read before, so that two concurrent
/// changes cannot both win.
async fn save_guarded<C: ConnectionTrait>(
    db: &C,
    before: &meeting::Model,
    changed: meeting::Model,
) -> Result<meeting::Model> {
    let result = meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value(changed.status))
        .col_expr(meeting::Column::Sequence, Expr::value(changed.sequence))
        .col_expr(meeting::Column::StartsAt, Expr::value(changed.starts_at))
        .col_expr(meeting::Column::EndsAt, Expr::value(changed.ends_at))
        .col_expr(
            meeting::Column::DurationMinutes,
            Expr::value(changed.duration_minutes),
        )
        .col_expr(
            meeting::Column::Location,
            Expr::value(changed.location.clone()),
        )
        .col_expr(
            meeting::Column::VideoUrl,
            Expr::value(changed.video_url.clone()),
        )
        .col_expr(
            meeting::Column::OrganizerId,
            Expr::value(changed.organizer_id),
        )
        .col_expr(
            meeting::Column::SchedulingNote,
            Expr::value(changed.scheduling_note.clone()),
        )
        .col_expr(
            meeting::Column::Minutes,
            Expr::value(changed.minutes.clone()),
        )
        .col_expr(meeting::Column::HeldAt, Expr::value(changed.held_at))
        .col_expr(
            meeting::Column::CancelReason,
            Expr::value(changed.cancel_reason.clone()),
        )
        .col_expr(meeting::Column::UpdatedAt, Expr::value(changed.updated_at))
        .filter(meeting::Column::Id.eq(before.id))
        .filter(meeting::Column::Status.eq(before.status))
        .filter(meeting::Column::Sequence.eq(before.sequence))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(changed)
    } else {
        Err(Error::conflict(
            "the meeting was changed by someone else meanwhile; reload and try again",
        ))
    }
}

/// Gives the meeting its time (and, when given, a new place) and invites everyone: the
/// first time with SEQUENCE 0, afterwards as an update with the next SEQUENCE.
///
/// # Errors
/// [`Error::Conflict`] for a held or cancelled meeting, one without an organizer, or a
/// concurrent change.
pub async fn schedule<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    place: Option<(Option<String>, Option<String>)>,
) -> Result<meeting::Model> {
    if meeting.status.is_final() {
        return Err(Error::conflict(format!(
            "a {} meeting cannot be scheduled",
            meeting.status.as_str()
        )));
    }
    if meeting.organizer_id.is_none() {
        return Err(Error::conflict(
            "the meeting has no organizer; assign a responsible contact first",
        ));
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
/// comes next.
///
/// # Errors
/// [`Error::Conflict`] unless the meeting is SCHEDULED.
pub async fn record_held<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: meeting::Model,
    minutes: String,
) -> Result<meeting::Model> {
    if meeting.status != MeetingStatus::Scheduled {
        return Err(Error::conflict(format!(
            "only a SCHEDULED meeting can be recorded as held; this one is {}",
            meeting.status.as_str()
        )));
    }
    let mut changed = meeting.clone();
    changed.status = MeetingStatus::Held;
    changed.minutes = Some(minutes);
    changed.held_at = Some(now);
    changed.updated_at = now;
    let saved = save_guarded(db, &meeting, changed).await?;
    // A meeting counts from when it took place, not from when its minutes were written.
    let held = saved.starts_at.filter(|s| *s <= now).unwrap_or(now);
    deadlines::on_event(
        db,
        now,
        &Event::new(saved.case_id, RuleEvent::MeetingHeld, held)
            .filtered(saved.kind.to_value())
            .meeting(saved.id, saved.starts_at),
    )
    .await?;
    jobs::enqueue(
        db,
        &PathwayEvent::MeetingHeld {
            meeting_id: saved.id,
        },
        None,
    )
    .await?;
    Ok(saved)
}

/// Invites another participant. If invitations have gone out, they get one too.
///
/// # Errors
/// [`Error::Conflict`] when they are invited already or the meeting is over.
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
    Ok((saved, invitee))
}

/// Marks an invitation removed; `None` when it was removed already.
async fn mark_removed<C: ConnectionTrait>(
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
                None => crate::schedule::pick_organizer(db, case_id).await?,
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
        invite_unless_present(db, now, &saved, &joining).await?;
        after_hand_over(db, now, &saved, organizes && organizer.is_some()).await?;
    }
    Ok(())
}

/// A responsible contact has joined the case: meetings still ahead that have no organizer —
/// because the one who organized them left — become theirs, and they are invited. Scheduled
/// ones send every invitee the update; planned ones go back to the scheduler, as do those
/// the pathway planned while nobody could organize them.
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
        invite_unless_present(db, now, &saved, &joining).await?;
        after_hand_over(db, now, &saved, true).await?;
    }
    Ok(())
}

/// The case's meetings that are neither held nor cancelled.
async fn meetings_ahead<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Vec<meeting::Model>> {
    Ok(meeting::Entity::find()
        .filter(meeting::Column::CaseId.eq(case_id))
        .filter(meeting::Column::Status.is_in([MeetingStatus::Planned, MeetingStatus::Scheduled]))
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?)
}

/// Saves a new organizer; a scheduled meeting's SEQUENCE grows, because invitees are told.
async fn bump<C: ConnectionTrait>(
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

/// Invites those of `joining` who are not invited yet — neither by this participation nor,
/// for a professional, by another of theirs in the case ([`add_invitee`]: a scheduled meeting
/// sends them the invitation).
async fn invite_unless_present<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    joining: &[(ParticipantId, bool)],
) -> Result<()> {
    for &(participant_id, required) in joining {
        let invited = active_invitees(db, meeting.id).await?;
        let ids: Vec<ParticipantId> = invited.iter().map(|i| i.participant_id).collect();
        if ids.contains(&participant_id) {
            continue;
        }
        let person = participant::Entity::find_by_id(participant_id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a participant to invite is missing"))?;
        if let Some(professional) = person.professional_id {
            let already = participant::Entity::find()
                .filter(participant::Column::Id.is_in(ids))
                .filter(participant::Column::ProfessionalId.eq(professional))
                .one(db)
                .await?;
            if already.is_some() {
                continue;
            }
        }
        add_invitee(db, now, meeting, participant_id, required).await?;
    }
    Ok(())
}

/// What a new organizer causes: a scheduled meeting sends every invitee the update (those
/// who just joined have theirs already: one message per SEQUENCE and invitee); a planned one
/// is scheduled again.
async fn after_hand_over<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    saved: &meeting::Model,
    new_organizer: bool,
) -> Result<()> {
    if !new_organizer {
        return Ok(());
    }
    match saved.status {
        MeetingStatus::Scheduled => {
            let everyone = active_invitees(db, saved.id).await?;
            queue_deliveries(db, now, saved, ItipMethod::Request, &everyone).await
        }
        MeetingStatus::Planned => request_scheduling(db, saved.id).await,
        _ => Ok(()),
    }
}
