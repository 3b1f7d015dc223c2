//! The scheduling job: find the earliest time every required invitee can meet, give the
//! meeting that time and invite everyone — or record why no time exists.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use kit_entity::domain::calendar::{WorkingCalendar, local_date, start_of_day};
use kit_entity::domain::enums::{MeetingStatus, ParticipantKind};
use kit_entity::entities::{
    busy_period, case, meeting, meeting_invitee, organization, participant, professional, unit,
};
use kit_entity::ids::{MeetingId, OrganizationId, ParticipantId};
use kit_entity::{Error, Result};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::context::Context;
use crate::slots::{SlotQuery, find_slot};
use kit_entity::ops::meetings;

/// How far ahead the scheduler looks when a request gives no latest end.
const DEFAULT_HORIZON_DAYS: u64 = 90;

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
    let txn = kit_entity::infra::db::begin_write(&ctx.db).await?;
    let now = ctx.clock.now();
    // The case, then the meeting, locked: a contact joining the case at this moment waits
    // for this run, or this run for it — never both acting on what the other has not yet
    // committed (`meetings::lock_case`).
    let Some(found) = meeting::Entity::find_by_id(meeting_id).one(&txn).await? else {
        return Ok(());
    };
    meetings::lock_case(&txn, found.case_id).await?;
    let query = kit_entity::infra::db::for_update(
        meeting::Entity::find_by_id(meeting_id),
        txn.get_database_backend(),
    );
    let Some(mut meeting) = query.one(&txn).await? else {
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
        && let Some(organizer) = meetings::pick_organizer(&txn, case.id).await?
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
        for (participant_id, required) in
            meetings::default_invitees(&txn, case.id, meeting.kind).await?
        {
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
    // Every required person's calendar is held until this transaction ends: a scheduler
    // placing another meeting for one of them at the same moment waits, then sees this one.
    lock_calendars(&txn, &required).await?;

    let rules = rules_of(&txn, &case, meeting.organizer_id).await?;
    // Neither the organizer's organization nor the case's municipality meets on its closure
    // days.
    let calendar =
        kit_entity::ops::deadlines::calendar_of_all(&txn, &[rules.id, case.municipality_id])
            .await?;
    // Network meetings wait for the information each sector shares first.
    let deadline_rules =
        kit_entity::ops::deadlines::rules_in_force(&txn, case.municipality_id).await?;
    let notice = kit_entity::ops::deadlines::meeting_notice(
        rules.meeting_notice_days,
        &deadline_rules,
        &meeting.kind.to_value(),
    );
    let notice_day = notice_day(now, notice, &calendar);
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

/// Locks the calendars of `people` until the transaction ends, in one order (so two
/// schedulers never wait for each other in a circle). On PostgreSQL a transaction-scoped
/// advisory lock per person — a professional by their id across all their cases, a family
/// member likewise, anyone else by their participation; SQLite's one writer needs none.
///
/// # Errors
/// When the database fails.
pub async fn lock_calendars<C: ConnectionTrait>(
    db: &C,
    people: &[participant::Model],
) -> Result<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = people
        .iter()
        .map(|p| match (p.professional_id, p.family_member_id) {
            (Some(id), _) => (1_i64 << 56) | id.0,
            (None, Some(id)) => (2_i64 << 56) | id.0,
            (None, None) => (3_i64 << 56) | p.id.0,
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The first day a meeting booked at `now` may be held: `notice_days` working days later, so
/// that every sector can prepare and share its information first.
#[must_use]
pub fn notice_day(now: DateTime<Utc>, notice_days: i32, calendar: &WorkingCalendar) -> NaiveDate {
    calendar.add_working_days(local_date(now), u32::try_from(notice_days).unwrap_or(0))
}
