//! The meetings a child's pathway plans by itself.
//!
//! * When a case becomes ACTIVE, its START meeting is requested, and its TRANSITION meetings
//!   are set to be requested in the month of the 16th birthday and in the month the young
//!   person turns 17½, so that support is settled before 18.
//! * After each held START, NETWORK or FOLLOW_UP meeting, the next FOLLOW_UP is requested at
//!   the case's cadence (its municipality's, default 3 months), until a CLOSING meeting is
//!   requested or the case closes.
//!
//! Each planned meeting carries a milestone key unique per case, so a repeated job never plans
//! it twice. The worker runs these as jobs; each is one write transaction.

use std::time::Duration;

use crate::domain::calendar::{WorkingCalendar, local_date, start_of_day};
use crate::domain::enums::{MeetingKind, MeetingStatus};
use crate::domain::status::CaseStatus;
use crate::entities::{case, child, meeting, organization, participant};
use crate::ids::{CaseId, MeetingId, ParticipantId};
use crate::{Error, Result};
use chrono::{DateTime, Months, TimeDelta, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::domain::transition::Transition;
use crate::ops::meetings::{self, NewMeeting};
use crate::ops::meetings::{default_invitees, pick_organizer};
use crate::ops::outbox::{self, PathwayEvent};

/// Working days from acceptance within which the start meeting is to be held.
pub const START_WITHIN_WORKING_DAYS: u32 = 20;
/// How long before a transition month its meeting is requested.
pub const TRANSITION_LEAD: TimeDelta = TimeDelta::weeks(6);

async fn active_case(db: &DatabaseConnection, case_id: CaseId) -> Result<Option<case::Model>> {
    Ok(case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .filter(|c| c.status == CaseStatus::Active))
}

/// The case was accepted: request its start meeting, and set its transition meetings to
/// be requested in time.
///
/// # Errors
/// Database errors.
pub async fn case_activated(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    case_id: CaseId,
) -> Result<()> {
    let Some(case) = active_case(db, case_id).await? else {
        return Ok(());
    };
    let txn = crate::infra::db::begin_write(db).await?;
    meetings::lock_case(&txn, case_id).await?;
    let calendar = WorkingCalendar::danish();
    let latest =
        start_of_day(calendar.add_working_days(local_date(now), START_WITHIN_WORKING_DAYS + 1));
    if let Some(start) = meetings::create(
        &txn,
        now,
        NewMeeting {
            case_id,
            kind: MeetingKind::Start,
            duration_minutes: 90,
            earliest: None,
            latest: Some(latest),
            organizer: pick_organizer(&txn, case_id).await?,
            invitees: default_invitees(&txn, case_id, MeetingKind::Start).await?,
            location: None,
            video_url: None,
            milestone: Some("start".to_owned()),
            created_by: None,
        },
    )
    .await?
    {
        meetings::request_scheduling(&txn, start.id).await?;
    }
    let born = child::Entity::find_by_id(case.child_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::internal("a case's child is missing"))?
        .date_of_birth;
    let today = local_date(now);
    for milestone in Transition::ALL {
        let (first, last) = milestone.window(born);
        if last < today {
            continue;
        }
        let request_at = start_of_day(first) - TRANSITION_LEAD;
        let delay = (request_at - now).to_std().unwrap_or(Duration::ZERO);
        outbox::enqueue(
            &txn,
            &PathwayEvent::TransitionDue { case_id, milestone },
            Some(delay),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A transition milestone is near: request its meeting within the milestone's month.
///
/// # Errors
/// Database errors.
pub async fn transition_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    case_id: CaseId,
    milestone: Transition,
) -> Result<()> {
    let Some(case) = active_case(db, case_id).await? else {
        return Ok(());
    };
    let born = child::Entity::find_by_id(case.child_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a case's child is missing"))?
        .date_of_birth;
    let (first, last) = milestone.window(born);
    let txn = crate::infra::db::begin_write(db).await?;
    meetings::lock_case(&txn, case_id).await?;
    if let Some(m) = meetings::create(
        &txn,
        now,
        NewMeeting {
            case_id,
            kind: MeetingKind::Transition,
            duration_minutes: 90,
            earliest: Some(start_of_day(first).max(now)),
            latest: last.succ_opt().map(start_of_day),
            organizer: pick_organizer(&txn, case_id).await?,
            invitees: default_invitees(&txn, case_id, MeetingKind::Transition).await?,
            location: None,
            video_url: None,
            milestone: Some(milestone.milestone().to_owned()),
            created_by: None,
        },
    )
    .await?
    {
        meetings::request_scheduling(&txn, m.id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A meeting was held: request the next follow-up at the case's cadence, unless a
/// closing meeting is on its way.
///
/// # Errors
/// Database errors.
pub async fn meeting_held(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    meeting_id: MeetingId,
) -> Result<()> {
    let Some(held) = meeting::Entity::find_by_id(meeting_id).one(db).await? else {
        return Ok(());
    };
    if held.status != MeetingStatus::Held || !held.kind.continues_pathway() {
        return Ok(());
    }
    let Some(case) = active_case(db, held.case_id).await? else {
        return Ok(());
    };
    let closing = meeting::Entity::find()
        .filter(meeting::Column::CaseId.eq(case.id))
        .filter(meeting::Column::Kind.eq(MeetingKind::Closing))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .one(db)
        .await?;
    if closing.is_some() {
        return Ok(());
    }
    let cadence = organization::Entity::find_by_id(case.municipality_id)
        .one(db)
        .await?
        .map_or(3, |o| o.follow_up_months);
    let basis = held.starts_at.or(held.held_at).unwrap_or(now);
    let earliest = start_of_day(
        local_date(basis)
            .checked_add_months(Months::new(u32::try_from(cadence).unwrap_or(3)))
            .unwrap_or_else(|| local_date(basis)),
    );
    let latest = start_of_day(
        local_date(earliest)
            .checked_add_months(Months::new(1))
            .unwrap_or_else(|| local_date(earliest)),
    );
    let txn = crate::infra::db::begin_write(db).await?;
    meetings::lock_case(&txn, case.id).await?;
    let active = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case.id))
        .filter(participant::Column::ActiveUntil.is_null())
        .all(&txn)
        .await?;
    let still_active: Vec<ParticipantId> = active.iter().map(|p| p.id).collect();
    let organizer = match held.organizer_id.filter(|id| still_active.contains(id)) {
        Some(id) => Some(id),
        None => pick_organizer(&txn, case.id).await?,
    };
    let mut invitees: Vec<(ParticipantId, bool)> = meetings::active_invitees(&txn, held.id)
        .await?
        .into_iter()
        .filter(|i| still_active.contains(&i.participant_id))
        .map(|i| (i.participant_id, i.required))
        .collect();
    // Every responsible contact takes part, also one assigned since the held meeting.
    for contact in active
        .iter()
        .filter(|p| p.role == crate::domain::enums::ParticipantRole::ResponsibleContact)
    {
        match invitees.iter_mut().find(|(id, _)| *id == contact.id) {
            Some(invited) => invited.1 = true,
            None => invitees.push((contact.id, true)),
        }
    }
    if let Some(next) = meetings::create(
        &txn,
        now,
        NewMeeting {
            case_id: case.id,
            kind: MeetingKind::FollowUp,
            duration_minutes: held.duration_minutes,
            earliest: Some(earliest),
            latest: Some(latest),
            organizer,
            invitees,
            location: held.location.clone(),
            video_url: held.video_url.clone(),
            milestone: Some(format!("follow-up-after-{}", held.id)),
            created_by: None,
        },
    )
    .await?
    {
        meetings::request_scheduling(&txn, next.id).await?;
    }
    txn.commit().await?;
    Ok(())
}
