//! Meetings, as the API changes them: access and input rules here, the writes themselves in
//! `crate::ops::meetings` so that the worker and the API change meetings the same way.

use crate::domain::enums::{InviteeResponse, MeetingKind, ParticipantKind, ParticipantRole};
use crate::domain::{identifying, text};
use crate::entities::{
    busy_period, calendar_feed, case, child, meeting, meeting_invitee, participant,
};
use crate::ids::{BusyPeriodId, CalendarFeedId, CaseId, InviteeId, MeetingId, ParticipantId};
use crate::ops::meetings::{self, NewMeeting};
use crate::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait, QueryFilter,
};

use crate::access::ChildData;
use crate::access::change_access;
use crate::access::{Actor, CaseAccess, case_access};

/// The shortest and longest meeting accepted, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<i32> = 15..=480;

/// A meeting the actor may see, with their access to its case.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or its case is not visible.
pub async fn meeting_access<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: MeetingId,
    now: DateTime<Utc>,
) -> Result<(meeting::Model, case::Model, CaseAccess)> {
    let not_found = || Error::not_found("meeting");
    let m = meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = case_access(db, actor, m.case_id, now)
        .await
        .map_err(|_| not_found())?;
    if !access.shares_child_data() {
        // Without the child's data shared, only the meetings they are invited to.
        let invited = participant::Entity::find()
            .filter(participant::Column::CaseId.eq(m.case_id))
            .filter(participant::Column::ProfessionalId.eq(actor.id()))
            .filter(
                participant::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(meeting_invitee::Column::ParticipantId)
                        .from(meeting_invitee::Entity)
                        .and_where(meeting_invitee::Column::MeetingId.eq(m.id))
                        .and_where(meeting_invitee::Column::RemovedAt.is_null())
                        .to_owned(),
                ),
            )
            .all(db)
            .await?;
        if !access.sees_meeting(&invited) {
            return Err(not_found());
        }
    }
    Ok((m, case, access))
}

pub(super) async fn managed_meeting(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: MeetingId,
    now: DateTime<Utc>,
) -> Result<(meeting::Model, case::Model)> {
    let (m, case, access) = meeting_access(txn, actor, id, now)
        .await
        .map_err(|e| e.at("meetingId"))?;
    access.require_manage()?;
    crate::access::record_change(txn, now, &access, &[ChildData::Meetings]).await?;
    // The case first, as every change to a case's meetings takes it (the scheduler, a contact
    // joining, the pathway planning the next meeting): one order of locks, so no two changes
    // wait for each other in a circle. Then the meeting as it is now.
    meetings::lock_case(txn, case.id).await?;
    let m = meeting::Entity::find_by_id(m.id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("meeting").at("meetingId"))?;
    Ok((m, case))
}

/// Checks that text leaving the organization (the place of a meeting) does not identify the
/// child — no part of their name, surname included, however disguised, nor their date of
/// birth, nor any CPR number in any written form (`domain::identifying`) — and holds no
/// invisible formatting or control characters.
///
/// # Errors
/// [`Error::Validation`] on `field`.
pub fn require_shareable(field: &str, text: Option<&str>, child: &child::Model) -> Result<()> {
    let Some(text) = text else { return Ok(()) };
    if let Some(c) = text::invisible_char(text) {
        return Err(Error::invalid(
            field,
            format!(
                "must not contain control or invisible formatting characters (found U+{:04X}): \
                 it is sent outside the organization",
                u32::from(c)
            ),
        ));
    }
    let child = identifying::Child {
        name: &child.name,
        date_of_birth: child.date_of_birth,
    };
    if identifying::find(text, Some(child)).is_some() {
        return Err(Error::invalid(
            field,
            "must not contain the child's name, date of birth or a CPR number: it is sent outside \
             the organization",
        ));
    }
    Ok(())
}

async fn child_of(txn: &DatabaseTransaction, case: &case::Model) -> Result<child::Model> {
    child::Entity::find_by_id(case.child_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a case's child is missing"))
}

pub(super) async fn active_participant(
    txn: &DatabaseTransaction,
    case_id: CaseId,
    id: ParticipantId,
    field: &str,
) -> Result<participant::Model> {
    participant::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|p| p.case_id == case_id && p.is_active())
        .ok_or_else(|| Error::invalid(field, "no active participant of this case has this id"))
}

/// What `requestMeeting` asks for: the worker finds a time and sends the invitations.
#[derive(Debug, Clone)]
pub struct RequestMeeting {
    /// The case the meeting is for.
    pub case_id: CaseId,
    /// Start, network, follow-up, closing, transition or coordination.
    pub kind: MeetingKind,
    /// Invitees and whether each is required.
    pub invitees: Vec<(ParticipantId, bool)>,
    /// Its length.
    pub duration_minutes: i32,
    /// The earliest start.
    pub earliest: Option<DateTime<Utc>>,
    /// The latest end.
    pub latest: DateTime<Utc>,
    /// The organizing responsible contact; default the actor's own, or the case's.
    pub organizer: Option<ParticipantId>,
    /// Where.
    pub location: Option<String>,
    /// Video link.
    pub video_url: Option<String>,
}

/// Requests a meeting: it is created PLANNED and handed to the scheduler.
///
/// # Errors
/// [`Error::Validation`] for invitees or an organizer that do not fit the case;
/// [`Error::Forbidden`] for someone who does not manage the case; [`Error::Conflict`] for a
/// closed case.
pub async fn request(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: RequestMeeting,
) -> Result<meeting::Model> {
    let (case, access) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Meetings])
        .await
        .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    case.status.require_open()?;
    if cmd.latest <= now {
        return Err(Error::invalid("latest", "must be in the future"));
    }
    if let Some(earliest) = cmd.earliest
        && earliest + TimeDelta::minutes(i64::from(cmd.duration_minutes)) > cmd.latest
    {
        return Err(Error::invalid(
            "latest",
            "leaves no room for the meeting after `earliest`",
        ));
    }
    let child = child_of(txn, &case).await?;
    require_shareable("location", cmd.location.as_deref(), &child)?;
    require_shareable("videoUrl", cmd.video_url.as_deref(), &child)?;
    for (i, (id, _)) in cmd.invitees.iter().enumerate() {
        active_participant(txn, case.id, *id, &format!("invitees.{i}.participantId")).await?;
    }
    let organizer = organizer_for(txn, actor, &case, cmd.organizer).await?;
    let created = meetings::create(
        txn,
        now,
        NewMeeting {
            case_id: case.id,
            kind: cmd.kind,
            duration_minutes: cmd.duration_minutes,
            earliest: cmd.earliest,
            latest: Some(cmd.latest),
            organizer: Some(organizer),
            invitees: cmd.invitees,
            location: cmd.location,
            video_url: cmd.video_url,
            milestone: None,
            created_by: Some(actor.id()),
        },
    )
    .await?
    .ok_or_else(|| Error::internal("a requested meeting was not created"))?;
    meetings::request_scheduling(txn, created.id).await?;
    Ok(created)
}

async fn organizer_for(
    txn: &DatabaseTransaction,
    actor: &Actor,
    case: &case::Model,
    asked: Option<ParticipantId>,
) -> Result<ParticipantId> {
    if let Some(id) = asked {
        let p = active_participant(txn, case.id, id, "organizerId").await?;
        if p.role != ParticipantRole::ResponsibleContact {
            return Err(Error::invalid(
                "organizerId",
                "the organizer must be a responsible contact of the case",
            ));
        }
        return Ok(p.id);
    }
    let own = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case.id))
        .filter(participant::Column::ProfessionalId.eq(actor.id()))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .one(txn)
        .await?;
    if let Some(own) = own {
        return Ok(own.id);
    }
    crate::ops::meetings::pick_organizer(txn, case.id)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "organizerId",
                "the case has no responsible contact to organize the meeting; assign one first",
            )
        })
}

/// A time, and perhaps a place, for a meeting, as asked for: what is not given is the
/// meeting's own, read in the changing transaction.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End; `None`: the start plus the meeting's duration.
    pub ends_at: Option<DateTime<Utc>>,
    /// A new location: `None` keeps it, `Some(None)` removes it.
    pub location: Option<Option<String>>,
    /// A new video link: `None` keeps it, `Some(None)` removes it.
    pub video_url: Option<Option<String>>,
}

/// Sets a PLANNED meeting's time (`reschedule = false`) or moves a SCHEDULED one
/// (`reschedule = true`), optionally with a new place.
///
/// # Errors
/// [`Error::Conflict`] when the meeting is in the other state, or over.
pub async fn schedule(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    timing: Timing,
    reschedule: bool,
) -> Result<meeting::Model> {
    let Timing {
        starts_at,
        ends_at,
        location,
        video_url,
    } = timing;
    let (m, case) = managed_meeting(txn, actor, id, now).await?;
    case.status.require_open()?;
    let ends_at =
        ends_at.unwrap_or_else(|| starts_at + TimeDelta::minutes(i64::from(m.duration_minutes)));
    if ends_at <= starts_at {
        return Err(Error::invalid("endsAt", "must be after startsAt"));
    }
    if !DURATION_MINUTES
        .contains(&i32::try_from((ends_at - starts_at).num_minutes()).unwrap_or(i32::MAX))
    {
        return Err(Error::invalid(
            "endsAt",
            "a meeting lasts between 15 and 480 minutes",
        ));
    }
    // A place given in part keeps the rest of the meeting's own.
    let place = match (location, video_url) {
        (None, None) => None,
        (l, v) => Some((
            l.unwrap_or_else(|| m.location.clone()),
            v.unwrap_or_else(|| m.video_url.clone()),
        )),
    };
    // A first time lies ahead; a meeting that took place earlier than planned is moved to
    // when it did, so that it can be recorded held.
    if !reschedule && starts_at <= now {
        return Err(Error::invalid("startsAt", "must be in the future"));
    }
    if let Some((location, video)) = &place {
        let child = child_of(txn, &case).await?;
        require_shareable("location", location.as_deref(), &child)?;
        require_shareable("videoUrl", video.as_deref(), &child)?;
    }
    let time_is = if reschedule {
        meetings::TimeIs::Moved
    } else {
        meetings::TimeIs::First
    };
    meetings::schedule(txn, now, m, time_is, (starts_at, ends_at), place).await
}

/// Cancels a meeting with a reason.
///
/// # Errors
/// [`Error::Conflict`] for a meeting already held or cancelled.
pub async fn cancel(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    reason: String,
) -> Result<meeting::Model> {
    let (m, _) = managed_meeting(txn, actor, id, now).await?;
    meetings::cancel(txn, now, m, reason).await
}

/// Invites a participant of the case.
///
/// # Errors
/// [`Error::Validation`] for someone who does not take part in the case;
/// [`Error::Conflict`] when they are invited already.
pub async fn add_invitee(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    participant_id: ParticipantId,
    required: bool,
) -> Result<meeting_invitee::Model> {
    let (m, case) = managed_meeting(txn, actor, id, now).await?;
    active_participant(txn, case.id, participant_id, "participantId").await?;
    meetings::add_invitee(txn, now, &m, participant_id, required).await
}

/// Removes an invitee.
///
/// # Errors
/// [`Error::NotFound`] for an unknown invitation; [`Error::Conflict`] when already removed.
pub async fn remove_invitee(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    invitee_id: InviteeId,
) -> Result<(meeting::Model, meeting_invitee::Model)> {
    let not_found = || Error::not_found("invitee").at("inviteeId");
    let invitee = meetings::invitee(txn, invitee_id)
        .await?
        .ok_or_else(not_found)?;
    let (m, _) = managed_meeting(txn, actor, invitee.meeting_id, now)
        .await
        .map_err(|_| not_found())?;
    meetings::remove_invitee(txn, now, m, invitee).await
}

/// Records the actor's own answer to an invitation.
///
/// # Errors
/// [`Error::NotFound`] for an invisible meeting; [`Error::Conflict`] when the actor is not
/// invited or the meeting is over.
pub async fn respond(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    response: InviteeResponse,
) -> Result<meeting_invitee::Model> {
    let (m, _, access) = meeting_access(txn, actor, id, now)
        .await
        .map_err(|e| e.at("meetingId"))?;
    crate::access::record_change(txn, now, &access, &[ChildData::Meetings]).await?;
    if m.status.is_final() {
        return Err(Error::conflict(format!(
            "the meeting is {}",
            m.status.as_str()
        )));
    }
    let mine: Vec<ParticipantId> = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(m.case_id))
        .filter(participant::Column::ProfessionalId.eq(actor.id()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let invitation = meetings::active_invitees(txn, m.id)
        .await?
        .into_iter()
        .find(|i| mine.contains(&i.participant_id))
        .ok_or_else(|| Error::conflict("you are not invited to this meeting"))?;
    meetings::respond(txn, now, invitation, response).await
}

/// Registers a period the actor is busy.
///
/// # Errors
/// [`Error::Validation`] when it ends before it starts.
pub async fn add_busy_period(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    note: Option<String>,
) -> Result<busy_period::Model> {
    if ends_at <= starts_at {
        return Err(Error::invalid("endsAt", "must be after startsAt"));
    }
    Ok(busy_period::ActiveModel {
        id: NotSet,
        professional_id: Set(actor.id()),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        note: Set(note),
        created_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Removes one of the actor's busy periods.
///
/// # Errors
/// [`Error::NotFound`] for someone else's or an unknown period.
pub async fn remove_busy_period(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: BusyPeriodId,
) -> Result<()> {
    let period = busy_period::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|b| b.professional_id == actor.id())
        .ok_or_else(|| Error::not_found("busy period").at("busyPeriodId"))?;
    period.delete(txn).await?;
    Ok(())
}

/// True when the actor takes part in the case as a professional: they see closed agenda
/// items.
#[must_use]
pub fn sees_closed_items(access: &CaseAccess) -> bool {
    !access.roles.is_empty() && access.shares_child_data()
}

/// Creates a calendar feed: the actor's own, or — for someone who manages the case — one for
/// a participant who is not a professional (a parent, the young person, an external actor).
/// Returns the feed and its secret token, which is shown only now.
///
/// # Errors
/// [`Error::Validation`] for a professional participant (they create their own);
/// [`Error::Forbidden`] for someone who does not manage the case.
pub async fn create_feed(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    for_participant: Option<ParticipantId>,
) -> Result<(calendar_feed::Model, String)> {
    let (token, hash) = crate::content::links::new_feed_token();
    let mut row = calendar_feed::ActiveModel {
        id: NotSet,
        token_hash: Set(hash),
        professional_id: Set(None),
        family_member_id: Set(None),
        participant_id: Set(None),
        created_by_id: Set(actor.id()),
        created_at: Set(now),
        revoked_at: Set(None),
    };
    match for_participant {
        None => row.professional_id = Set(Some(actor.id())),
        Some(id) => {
            let not_found = || Error::not_found("participant").at("participantId");
            let p = participant::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(not_found)?;
            let (_, access) = case_access(txn, actor, p.case_id, now)
                .await
                .map_err(|_| not_found())?;
            access.require_manage()?;
            match p.kind {
                ParticipantKind::Professional => {
                    return Err(Error::invalid(
                        "participantId",
                        "professionals create their own feed (without participantId)",
                    ));
                }
                ParticipantKind::FamilyMember => row.family_member_id = Set(p.family_member_id),
                ParticipantKind::Child | ParticipantKind::External => {
                    row.participant_id = Set(Some(p.id))
                }
            }
        }
    }
    Ok((row.insert(txn).await?, token))
}

/// Revokes a feed: its URL answers 404 from now on.
///
/// # Errors
/// [`Error::NotFound`] for a feed the actor neither created nor owns.
pub async fn revoke_feed(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: CalendarFeedId,
) -> Result<calendar_feed::Model> {
    let feed = calendar_feed::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|f| f.created_by_id == actor.id() || f.professional_id == Some(actor.id()))
        .ok_or_else(|| Error::not_found("calendar feed").at("feedId"))?;
    if feed.revoked_at.is_some() {
        return Ok(feed);
    }
    let mut row: calendar_feed::ActiveModel = feed.into();
    row.revoked_at = Set(Some(now));
    Ok(row.update(txn).await?)
}
