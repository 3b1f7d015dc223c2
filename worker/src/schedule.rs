//! The scheduling job: find the earliest time every required invitee can meet, give the
//! meeting that time and invite everyone — or record why no time exists.

use kit_entity::domain::enums::MeetingStatus;
use kit_entity::entities::{case, meeting};
use kit_entity::ids::MeetingId;
use kit_entity::ops::meetings::calendar::{self, Found};
use kit_entity::{Error, Result};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::context::Context;
use kit_entity::ops::meetings;

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
    if planned_by_pathway {
        // Who the pathway invites: the case's people by their roles (the responsible contacts
        // and the family as required), with the organizer, beside whoever else it was planned
        // with — whoever has not been invited (or taken off) yet.
        meetings::invite_defaults(&txn, now, &meeting).await?;
    }
    // Every required person's calendar is held until this transaction ends: a scheduler
    // placing another meeting for one of them at the same moment waits, then sees this one.
    let required = calendar::required_people(&txn, &meeting).await?;
    calendar::lock_calendars(&txn, &required).await?;
    match calendar::find_time(&txn, now, &meeting, &case, &required).await? {
        Found::At(starts, ends) => {
            let scheduled = meetings::schedule(
                &txn,
                now,
                meeting,
                meetings::TimeIs::First,
                (starts, ends),
                None,
            )
            .await?;
            tracing::info!(meeting = %scheduled.id, %starts, "meeting scheduled");
        }
        Found::Nothing(note) => {
            tracing::info!(meeting = %meeting.id, %note, "meeting not scheduled");
            meetings::note_unscheduled(&txn, now, meeting, note).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
