//! The pathway's job: runs the planning step an event calls for (`kit_entity::ops::pathway`)
//! with the worker's database and clock.

use kit_entity::ops::outbox::PathwayEvent;
use kit_entity::ops::pathway::{case_activated, meeting_held, transition_due};

use crate::context::Context;

/// Runs one pathway event.
///
/// # Errors
/// Database errors; the job is then retried by the queue.
pub async fn handle(ctx: &Context, event: &PathwayEvent) -> kit_entity::Result<()> {
    let now = ctx.clock.now();
    match event {
        PathwayEvent::CaseActivated { case_id } => case_activated(&ctx.db, now, *case_id).await,
        PathwayEvent::MeetingHeld { meeting_id } => meeting_held(&ctx.db, now, *meeting_id).await,
        PathwayEvent::TransitionDue { case_id, milestone } => {
            transition_due(&ctx.db, now, *case_id, *milestone).await
        }
    }
}
