//! The scheduling job: find the earliest time every required invitee can meet, give the
//! meeting that time and invite everyone — or record why no time exists.

use chrono::{DateTime, Days, TimeDelta, Utc};
use kit_entity::domain::calendar::{local_date, start_of_day};
use kit_entity::domain::enums::{
    MeetingKind, MeetingStatus, ParticipantKind, ParticipantRole, Sector,
};
use kit_entity::entities::{
    busy_period, case, meeting, meeting_invitee, organization, participant, professional, unit,
};
use kit_entity::ids::{MeetingId, OrganizationId, ParticipantId};
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::context::Context;
use crate::meetings;
use crate::slots::{SlotQuery, find_slot};

/// How far ahead the scheduler looks when a request gives no latest end.
const DEFAULT_HORIZON_DAYS: u64 = 90;

/// The active responsible contact who organizes meetings the pathway plans: the
/// municipality's if there is one, otherwise any sector's.
///
/// # Errors
/// When the database fails.
pub async fn pick_organizer<C: ConnectionTrait>(
    db: &C,
    case_id: kit_entity::ids::CaseId,
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
    case_id: kit_entity::ids::CaseId,
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

/// The organization whose office hours and notice apply: the organizer's, or the case's
/// municipality's.
async fn rules_of<C: ConnectionTrait>(
    db: &C,
    case: &case::Model,
    organizer: Option<ParticipantId>,
) -> Result<organization::Model> {
    let mut org_id: OrganizationId = case.municipality_id;
    if let Some(id) = organizer
        && let Some(p) = participant::Entity::find_by_id(id).one(db).await?
        && let Some(pro_id) = p.professional_id
        && let Some(pro) = professional::Entity::find_by_id(pro_id).one(db).await?
        && let Some(u) = unit::Entity::find_by_id(pro.unit_id).one(db).await?
    {
        org_id = u.organization_id;
    }
    organization::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("an organization is missing"))
}

/// Everything the required invitees are busy with between `from` and `to`: their other
/// scheduled meetings (as whoever they are in any case) and, for professionals, the busy
/// periods they registered.
async fn busy_of<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
    required: &[participant::Model],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let mut busy = Vec::new();
    for person in required {
        let same_person = match (person.kind, person.professional_id, person.family_member_id) {
            (ParticipantKind::Professional, Some(id), _) => {
                for b in busy_period::Entity::find()
                    .filter(busy_period::Column::ProfessionalId.eq(id))
                    .filter(busy_period::Column::StartsAt.lt(to))
                    .filter(busy_period::Column::EndsAt.gt(from))
                    .all(db)
                    .await?
                {
                    busy.push((b.starts_at, b.ends_at));
                }
                participant::Entity::find()
                    .filter(participant::Column::ProfessionalId.eq(id))
                    .all(db)
                    .await?
            }
            (ParticipantKind::FamilyMember, _, Some(id)) => {
                participant::Entity::find()
                    .filter(participant::Column::FamilyMemberId.eq(id))
                    .all(db)
                    .await?
            }
            _ => vec![person.clone()],
        };
        let ids: Vec<ParticipantId> = same_person.iter().map(|p| p.id).collect();
        let meeting_ids: Vec<MeetingId> = meeting_invitee::Entity::find()
            .filter(meeting_invitee::Column::ParticipantId.is_in(ids))
            .filter(meeting_invitee::Column::RemovedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|i| i.meeting_id)
            .filter(|id| *id != meeting.id)
            .collect();
        if meeting_ids.is_empty() {
            continue;
        }
        for other in meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(meeting_ids))
            .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
            .filter(meeting::Column::StartsAt.lt(to))
            .filter(meeting::Column::EndsAt.gt(from))
            .all(db)
            .await?
        {
            if let (Some(s), Some(e)) = (other.starts_at, other.ends_at) {
                busy.push((s, e));
            }
        }
    }
    Ok(busy)
}

/// Runs the scheduling job for `meeting_id`. Idempotent: a meeting that is no longer
/// PLANNED is left alone.
///
/// # Errors
/// Database errors; the job is then retried by the queue.
pub async fn run(ctx: &Context, meeting_id: MeetingId) -> Result<()> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let now = ctx.clock.now();
    let Some(mut meeting) = meeting::Entity::find_by_id(meeting_id).one(&txn).await? else {
        return Ok(());
    };
    if meeting.status != MeetingStatus::Planned {
        return Ok(());
    }
    let case = case::Entity::find_by_id(meeting.case_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::internal("a meeting's case is missing"))?;
    if case.status.is_final() {
        meetings::note_unscheduled(
            &txn,
            now,
            meeting,
            format!("the case is {}", case.status.as_str()),
        )
        .await?;
        txn.commit().await?;
        return Ok(());
    }
    let planned_by_pathway = meeting.milestone.is_some();
    if meeting.organizer_id.is_none()
        && planned_by_pathway
        && let Some(organizer) = pick_organizer(&txn, case.id).await?
    {
        meeting = meetings::set_organizer(&txn, now, meeting, organizer).await?;
    }
    if meeting.organizer_id.is_none() {
        meetings::note_unscheduled(
            &txn,
            now,
            meeting,
            "waiting for a responsible contact to organize the meeting".to_owned(),
        )
        .await?;
        txn.commit().await?;
        return Ok(());
    }
    let mut invitees = meetings::active_invitees(&txn, meeting.id).await?;
    if invitees.is_empty() && planned_by_pathway {
        for (participant_id, required) in default_invitees(&txn, case.id, meeting.kind).await? {
            meetings::add_invitee(&txn, now, &meeting, participant_id, required).await?;
        }
        invitees = meetings::active_invitees(&txn, meeting.id).await?;
    }
    let mut required_ids: Vec<ParticipantId> = invitees
        .iter()
        .filter(|i| i.required)
        .map(|i| i.participant_id)
        .collect();
    if let Some(organizer) = meeting.organizer_id
        && !required_ids.contains(&organizer)
    {
        required_ids.push(organizer);
    }
    let required = participant::Entity::find()
        .filter(participant::Column::Id.is_in(required_ids))
        .all(&txn)
        .await?;

    let rules = rules_of(&txn, &case, meeting.organizer_id).await?;
    // Neither the organizer's organization nor the case's municipality meets on its closure
    // days.
    let calendar =
        crate::deadlines::calendar_of_all(&txn, &[rules.id, case.municipality_id]).await?;
    let notice_day = calendar.add_working_days(
        local_date(now),
        u32::try_from(rules.meeting_notice_days).unwrap_or(5),
    );
    let not_before = [Some(now), Some(start_of_day(notice_day)), meeting.earliest]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now);
    let latest_end = meeting.latest.unwrap_or_else(|| {
        start_of_day(
            local_date(not_before)
                .checked_add_days(Days::new(DEFAULT_HORIZON_DAYS))
                .unwrap_or(notice_day),
        )
    });
    let busy = busy_of(&txn, &meeting, &required, not_before, latest_end).await?;
    let slot = find_slot(&SlotQuery {
        not_before,
        latest_end,
        duration: TimeDelta::minutes(i64::from(meeting.duration_minutes)),
        office_start_minute: u32::try_from(rules.office_hours_start_minute).unwrap_or(8 * 60),
        office_end_minute: u32::try_from(rules.office_hours_end_minute).unwrap_or(16 * 60),
        calendar: &calendar,
        busy: &busy,
    });
    match slot {
        Some(starts) => {
            let ends = starts + TimeDelta::minutes(i64::from(meeting.duration_minutes));
            let scheduled = meetings::schedule(&txn, now, meeting, starts, ends, None).await?;
            tracing::info!(meeting = %scheduled.id, %starts, "meeting scheduled");
        }
        None => {
            let last_day = local_date(latest_end);
            let note = format!("no common free slot before {last_day}");
            tracing::info!(meeting = %meeting.id, %note, "meeting not scheduled");
            meetings::note_unscheduled(&txn, now, meeting, note).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
