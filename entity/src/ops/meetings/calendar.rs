//! Whose time a meeting takes. The rule: no one the meeting requires — a required invitee or
//! its organizer — has two meetings at once. Every path that gives a meeting a time or a
//! required person goes through here: the scheduler's search for the earliest time everyone
//! can meet ([`find_time`]), a time set by hand and a required invitee added by hand (refused
//! when it would collide: [`collisions`]), and a responsible contact joining a case whose
//! meeting is booked at a time they are taken (the meeting moves: `handover`).
//!
//! The people's calendars are locked first ([`lock_calendars`]) so that two transactions
//! placing meetings for the same person one after the other see each other's result.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::rows::active_invitees;
use crate::domain::calendar::{WorkingCalendar, local_date, start_of_day};
use crate::domain::enums::{MeetingStatus, ParticipantKind};
use crate::domain::slots::{SlotQuery, find_slot};
use crate::entities::{busy_period, case, meeting, meeting_invitee, organization, participant};
use crate::entities::{professional, unit};
use crate::ids::{MeetingId, OrganizationId, ParticipantId};
use crate::{Error, Result};

/// How far ahead a search looks when the meeting gives no latest end.
const DEFAULT_HORIZON_DAYS: u64 = 90;

/// The people a meeting requires: its active required invitees and its organizer.
///
/// # Errors
/// When the database fails.
pub async fn required_people<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
) -> Result<Vec<participant::Model>> {
    let mut ids: Vec<ParticipantId> = active_invitees(db, meeting.id)
        .await?
        .iter()
        .filter(|i| i.required)
        .map(|i| i.participant_id)
        .collect();
    if let Some(organizer) = meeting.organizer_id
        && !ids.contains(&organizer)
    {
        ids.push(organizer);
    }
    Ok(participant::Entity::find()
        .filter(participant::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Locks the calendars of `people` until the transaction ends, in one order (so two
/// transactions never wait for each other in a circle). On PostgreSQL a transaction-scoped
/// advisory lock per person — a professional by their id across all their cases, a family
/// member likewise, anyone else by their participation. SQLite needs none: a writing
/// transaction holds the database's one write lock from its start (`infra::db::begin_write`).
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

/// The other scheduled meetings `person` is invited to — as whoever they are in any case — or
/// organizes, that overlap `from..to`, with their times.
async fn other_meetings<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
    person: &participant::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<meeting::Model>> {
    let same_person = match (person.kind, person.professional_id, person.family_member_id) {
        (ParticipantKind::Professional, Some(id), _) => {
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
    let mut meeting_ids: Vec<MeetingId> = meeting_invitee::Entity::find()
        .filter(meeting_invitee::Column::ParticipantId.is_in(ids.clone()))
        .filter(meeting_invitee::Column::RemovedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.meeting_id)
        .collect();
    meeting_ids.retain(|id| *id != meeting_id);
    let organized = meeting::Entity::find()
        .filter(meeting::Column::OrganizerId.is_in(ids))
        .filter(meeting::Column::Id.ne(meeting_id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .filter(meeting::Column::StartsAt.lt(to))
        .filter(meeting::Column::EndsAt.gt(from))
        .all(db)
        .await?;
    let mut found = if meeting_ids.is_empty() {
        Vec::new()
    } else {
        meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(meeting_ids))
            .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
            .filter(meeting::Column::StartsAt.lt(to))
            .filter(meeting::Column::EndsAt.gt(from))
            .all(db)
            .await?
    };
    for m in organized {
        if !found.iter().any(|f| f.id == m.id) {
            found.push(m);
        }
    }
    Ok(found)
}

/// Everything `required` are busy with between `from` and `to`: their other scheduled
/// meetings and, for professionals, the busy periods they registered.
///
/// # Errors
/// When the database fails.
pub async fn busy_of<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
    required: &[participant::Model],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let mut busy = Vec::new();
    for person in required {
        if let (ParticipantKind::Professional, Some(id)) = (person.kind, person.professional_id) {
            for b in busy_period::Entity::find()
                .filter(busy_period::Column::ProfessionalId.eq(id))
                .filter(busy_period::Column::StartsAt.lt(to))
                .filter(busy_period::Column::EndsAt.gt(from))
                .all(db)
                .await?
            {
                busy.push((b.starts_at, b.ends_at));
            }
        }
        for other in other_meetings(db, meeting_id, person, from, to).await? {
            if let (Some(s), Some(e)) = (other.starts_at, other.ends_at) {
                busy.push((s, e));
            }
        }
    }
    Ok(busy)
}

/// Those of `people` who have another meeting overlapping `starts..ends`.
///
/// # Errors
/// When the database fails.
pub async fn collisions<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
    people: &[participant::Model],
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Result<Vec<participant::Model>> {
    let mut taken = Vec::new();
    for person in people {
        if !other_meetings(db, meeting_id, person, starts, ends)
            .await?
            .is_empty()
        {
            taken.push(person.clone());
        }
    }
    Ok(taken)
}

/// Refuses a time at which someone the meeting requires has another meeting, naming them.
///
/// # Errors
/// [`Error::Conflict`] naming who is taken; database errors.
pub async fn require_free<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
    people: &[participant::Model],
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Result<()> {
    let taken = collisions(db, meeting_id, people, starts, ends).await?;
    if taken.is_empty() {
        return Ok(());
    }
    let who: Vec<String> = taken.iter().map(describe).collect();
    Err(Error::conflict(format!(
        "{} already {} another meeting at this time; no one a meeting requires is in two \
         meetings at once (choose another time, or invite them as optional)",
        who.join(", "),
        if who.len() == 1 { "has" } else { "have" }
    )))
}

/// Who someone is in the case, without their name (an error may reach anyone on the case).
fn describe(p: &participant::Model) -> String {
    use crate::domain::enums::ParticipantRole as R;
    match p.role {
        R::ResponsibleContact => format!("the responsible contact for {}", p.sector.to_value()),
        R::InterventionLead => format!("the intervention lead for {}", p.sector.to_value()),
        R::Guardian => "a guardian".to_owned(),
        R::Child => "the child".to_owned(),
        R::Professional => format!("a professional from {}", p.sector.to_value()),
        R::External => "an external participant".to_owned(),
    }
}

/// What a search for a time found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The earliest time everyone required is free.
    At(DateTime<Utc>, DateTime<Utc>),
    /// No such time before the meeting's latest end; the note says so.
    Nothing(String),
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

/// The earliest time at which every one of `required` can meet for `meeting`: on a working day
/// of both the organizer's organization and the case's municipality, in the organizer's office
/// hours, after the notice the rules give every sector to prepare (and share its information
/// first), after the meeting's earliest start, ending by its latest, clear of everyone's
/// other meetings and busy periods. Lock the calendars first.
///
/// # Errors
/// When the database fails.
pub async fn find_time<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    case: &case::Model,
    required: &[participant::Model],
) -> Result<Found> {
    let rules = rules_of(db, case, meeting.organizer_id).await?;
    let calendar =
        crate::domain::calendar::calendar_of_all(db, &[rules.id, case.municipality_id]).await?;
    let deadline_rules = crate::ops::deadlines::rules_in_force(db, case.municipality_id).await?;
    let notice = crate::ops::deadlines::meeting_notice(
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
    let busy = busy_of(db, meeting.id, required, not_before, latest_end).await?;
    let duration = TimeDelta::minutes(i64::from(meeting.duration_minutes));
    let slot = find_slot(&SlotQuery {
        not_before,
        latest_end,
        duration,
        office_start_minute: u32::try_from(rules.office_hours_start_minute).unwrap_or(8 * 60),
        office_end_minute: u32::try_from(rules.office_hours_end_minute).unwrap_or(16 * 60),
        calendar: &calendar,
        busy: &busy,
    });
    Ok(match slot {
        Some(starts) => Found::At(starts, starts + duration),
        None => Found::Nothing(format!(
            "no common free slot before {}",
            local_date(latest_end)
        )),
    })
}

/// The first day a meeting booked at `now` may be held: `notice_days` working days later, so
/// that every sector can prepare and share its information first.
#[must_use]
pub fn notice_day(now: DateTime<Utc>, notice_days: i32, calendar: &WorkingCalendar) -> NaiveDate {
    calendar.add_working_days(local_date(now), u32::try_from(notice_days).unwrap_or(0))
}
