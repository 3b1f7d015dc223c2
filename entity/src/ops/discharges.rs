//! Back to the municipality (seed 002: "fra at være i kommunen til at komme i psykiatrien og
//! tilbage til kommunen igen"). Child psychiatry records the day it plans to discharge the
//! child: in the same transaction the hand-back meeting is requested — psychiatry's and the
//! municipality's responsible contacts, the intervention lead and the guardians, before the
//! day — and the deadline to hold it starts (rule `hand-back-meeting`). The agreements the
//! municipality makes for after the discharge name it (`plans::add_agreement`), so the plan
//! carries them.

use crate::access::{Actor, ChildData, case_access, change_access, record_change};
use crate::domain::calendar::{local_date, start_of_day};
use crate::domain::enums::{MeetingKind, ParticipantRole, RuleEvent, Sector};
use crate::domain::validate;
use crate::entities::{agreement, deadline, discharge, meeting, participant};
use crate::ids::{CaseId, DischargeId, ParticipantId};
use crate::ops::case_row::touch;
use crate::ops::deadlines::{self, Event};
use crate::ops::meetings::{self, NewMeeting};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};

/// How long a hand-back meeting is booked for, in minutes.
pub const HAND_BACK_MINUTES: i32 = 60;

/// What `recordDischarge` asks for.
#[derive(Debug, Clone)]
pub struct RecordDischarge {
    /// The case.
    pub case_id: CaseId,
    /// The day the child is to be discharged.
    pub planned_on: NaiveDate,
    /// What psychiatry wants the municipality to know.
    pub note: Option<String>,
}

/// True while a discharge is ahead: not called off and its day not yet come.
#[must_use]
pub fn is_planned(d: &discharge::Model, now: DateTime<Utc>) -> bool {
    d.cancelled_at.is_none() && d.planned_on > local_date(now)
}

/// The actor's active participation in the case for child psychiatry: only psychiatry
/// discharges.
async fn psychiatry_participation<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: CaseId,
) -> Result<participant::Model> {
    participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::ProfessionalId.eq(actor.id()))
        .filter(participant::Column::Sector.eq(Sector::ChildPsychiatry))
        .filter(participant::Column::ActiveUntil.is_null())
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::forbidden(
                "only child psychiatry's professionals taking part in the case record or call \
                 off a discharge",
            )
        })
}

/// Records a planned discharge: requests the hand-back meeting before the day and starts the
/// deadline to hold it.
///
/// # Errors
/// [`Error::Forbidden`] for someone who is not psychiatry's participant in the case;
/// [`Error::Validation`] for a day that is not after today or a note that is too long;
/// [`Error::Conflict`] for a closed case or one that has a discharge planned already.
pub async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: RecordDischarge,
) -> Result<discharge::Model> {
    let (case, _) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Meetings])
        .await
        .map_err(|e| e.at("caseId"))?;
    case.status.require_open()?;
    let own = psychiatry_participation(txn, actor, case.id).await?;
    let note = validate::optional("note", cmd.note.as_deref(), validate::long_text)?;
    if cmd.planned_on <= local_date(now) {
        return Err(Error::invalid(
            "plannedOn",
            "must be after today: the hand-back meeting is held before the discharge",
        ));
    }
    meetings::lock_case(txn, case.id).await?;
    if let Some(planned) = of_case(txn, case.id)
        .await?
        .into_iter()
        .find(|d| is_planned(d, now))
    {
        return Err(Error::conflict(format!(
            "the case has a discharge planned on {} already; call it off first to plan another \
             day",
            planned.planned_on
        )));
    }
    let row = discharge::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        planned_on: Set(cmd.planned_on),
        note: Set(note),
        meeting_id: Set(None),
        recorded_by_id: Set(actor.id()),
        recorded_at: Set(now),
        cancelled_at: Set(None),
        cancelled_by_id: Set(None),
        cancel_reason: Set(None),
    }
    .insert(txn)
    .await?;
    let mut invitees = meetings::default_invitees(txn, case.id, MeetingKind::HandBack).await?;
    match invitees.iter_mut().find(|(id, _)| *id == own.id) {
        Some(invited) => invited.1 = true,
        None => invitees.push((own.id, true)),
    }
    let organizer = organizer(txn, case.id, &own).await?;
    let hand_back = meetings::create(
        txn,
        now,
        NewMeeting {
            case_id: case.id,
            kind: MeetingKind::HandBack,
            duration_minutes: HAND_BACK_MINUTES,
            earliest: None,
            latest: Some(start_of_day(cmd.planned_on)),
            organizer,
            invitees,
            location: None,
            video_url: None,
            milestone: Some(format!("hand-back-{}", row.id)),
            created_by: Some(actor.id()),
        },
    )
    .await?
    .ok_or_else(|| Error::internal("a discharge's hand-back meeting exists already"))?;
    meetings::request_scheduling(txn, hand_back.id).await?;
    let mut with_meeting: discharge::ActiveModel = row.into();
    with_meeting.meeting_id = Set(Some(hand_back.id));
    let row = with_meeting.update(txn).await?;
    deadlines::on_event(
        txn,
        now,
        &Event::new(case.id, RuleEvent::DischargeRecorded, now).discharge(row.id, row.planned_on),
    )
    .await?;
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// Psychiatry's responsible contact organizes the hand-back; without one, the case's usual
/// organizer.
async fn organizer(
    txn: &DatabaseTransaction,
    case_id: CaseId,
    own: &participant::Model,
) -> Result<Option<ParticipantId>> {
    if own.role == ParticipantRole::ResponsibleContact {
        return Ok(Some(own.id));
    }
    let psychiatry_contact = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Sector.eq(Sector::ChildPsychiatry))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .one(txn)
        .await?;
    match psychiatry_contact {
        Some(p) => Ok(Some(p.id)),
        None => meetings::pick_organizer(txn, case_id).await,
    }
}

/// Calls off a planned discharge: its hand-back meeting is cancelled (invitees get a CANCEL)
/// and its deadline withdrawn; agreements made for after it stay on the plan.
///
/// # Errors
/// [`Error::NotFound`] for an unknown or invisible discharge; [`Error::Forbidden`] for someone
/// who is not psychiatry's participant in the case; [`Error::Conflict`] when it was called off
/// already or its day has come.
pub async fn cancel(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DischargeId,
    reason: &str,
) -> Result<discharge::Model> {
    let not_found = || Error::not_found("discharge").at("dischargeId");
    let row = discharge::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = case_access(txn, actor, row.case_id, now)
        .await
        .map_err(|_| not_found())?;
    access
        .permits(ChildData::Meetings)
        .map_err(|_| not_found())?;
    case.status.require_open()?;
    psychiatry_participation(txn, actor, case.id).await?;
    let reason = validate::long_text("reason", reason)?;
    record_change(txn, now, &access, &[ChildData::Meetings]).await?;
    meetings::lock_case(txn, case.id).await?;
    let row = discharge::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    if row.cancelled_at.is_some() {
        return Err(Error::conflict("the discharge was called off already"));
    }
    if !is_planned(&row, now) {
        return Err(Error::conflict(format!(
            "the child was discharged on {}; a past discharge cannot be called off",
            row.planned_on
        )));
    }
    if let Some(meeting_id) = row.meeting_id
        && let Some(m) = meeting::Entity::find_by_id(meeting_id).one(txn).await?
        && !m.status.is_final()
    {
        meetings::cancel(
            txn,
            now,
            m,
            format!("The discharge was called off: {reason}"),
        )
        .await?;
    }
    deadlines::withdraw_for_discharge(txn, now, case.id, row.id).await?;
    let mut cancelled: discharge::ActiveModel = row.into();
    cancelled.cancelled_at = Set(Some(now));
    cancelled.cancelled_by_id = Set(Some(actor.id()));
    cancelled.cancel_reason = Set(Some(reason));
    let row = cancelled.update(txn).await?;
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// A case's discharges, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn of_case<C: ConnectionTrait>(db: &C, case_id: CaseId) -> Result<Vec<discharge::Model>> {
    of_cases(db, &[case_id]).await
}

/// The discharges of several cases, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn of_cases<C: ConnectionTrait>(
    db: &C,
    cases: &[CaseId],
) -> Result<Vec<discharge::Model>> {
    Ok(discharge::Entity::find()
        .filter(discharge::Column::CaseId.is_in(cases.iter().copied()))
        .order_by_asc(discharge::Column::Id)
        .all(db)
        .await?)
}

/// The deadline to hold a discharge's hand-back meeting; none under rules that set none.
///
/// # Errors
/// When the database fails.
pub async fn deadline_of<C: ConnectionTrait>(
    db: &C,
    d: &discharge::Model,
) -> Result<Option<deadline::Model>> {
    Ok(deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(d.case_id))
        .filter(deadline::Column::Subject.eq(deadlines::discharge_subject(d.id)))
        .order_by_desc(deadline::Column::Id)
        .one(db)
        .await?)
}

/// The municipality's agreements for after a discharge, by due date.
///
/// # Errors
/// When the database fails.
pub async fn agreements_after<C: ConnectionTrait>(
    db: &C,
    d: &discharge::Model,
) -> Result<Vec<agreement::Model>> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::AfterDischargeId.eq(d.id))
        .order_by_asc(agreement::Column::DueOn)
        .order_by_asc(agreement::Column::Id)
        .all(db)
        .await?)
}
