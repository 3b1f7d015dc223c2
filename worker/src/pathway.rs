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
//! it twice. Ages are counted in months from the date of birth; a day that does not exist in
//! the target month (29 February, the 31st) becomes the month's last day.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A transition milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The month of the 16th birthday.
    Sixteen,
    /// The month the young person turns 17½.
    SeventeenAndAHalf,
}

impl Transition {
    /// Both milestones, in order.
    pub const ALL: [Self; 2] = [Self::Sixteen, Self::SeventeenAndAHalf];

    /// The meeting milestone key.
    #[must_use]
    pub fn milestone(self) -> &'static str {
        match self {
            Self::Sixteen => "transition-16",
            Self::SeventeenAndAHalf => "transition-17.5",
        }
    }

    fn months(self) -> u32 {
        match self {
            Self::Sixteen => 16 * 12,
            Self::SeventeenAndAHalf => 17 * 12 + 6,
        }
    }

    /// The day the young person reaches the milestone.
    #[must_use]
    pub fn date(self, born: NaiveDate) -> NaiveDate {
        born.checked_add_months(Months::new(self.months()))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first and last day of the milestone's month.
    #[must_use]
    pub fn window(self, born: NaiveDate) -> (NaiveDate, NaiveDate) {
        month_of(self.date(born))
    }
}

/// The 18th birthday: support must be settled before it.
#[must_use]
pub fn adulthood(born: NaiveDate) -> NaiveDate {
    born.checked_add_months(Months::new(18 * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The first and last day of `date`'s month.
#[must_use]
pub fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).unwrap_or(date);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn milestones_follow_the_date_of_birth() {
        let born = d(2011, 8, 31);
        assert_eq!(Transition::Sixteen.date(born), d(2027, 8, 31));
        assert_eq!(
            Transition::Sixteen.window(born),
            (d(2027, 8, 1), d(2027, 8, 31))
        );
        // 31 August + 17½ years: February has no 31st.
        assert_eq!(Transition::SeventeenAndAHalf.date(born), d(2029, 2, 28));
        assert_eq!(adulthood(born), d(2029, 8, 31));
    }

    #[test]
    fn born_on_29_february() {
        let born = d(2012, 2, 29);
        assert_eq!(
            Transition::Sixteen.date(born),
            d(2028, 2, 29),
            "2028 is a leap year"
        );
        assert_eq!(Transition::SeventeenAndAHalf.date(born), d(2029, 8, 29));
        assert_eq!(
            adulthood(born),
            d(2030, 2, 28),
            "in a common year: the last day of February"
        );
        assert_eq!(
            Transition::Sixteen.window(d(2011, 2, 28)),
            (d(2027, 2, 1), d(2027, 2, 28))
        );
    }
}

mod handlers {
    use std::time::Duration;

    use chrono::{Months, TimeDelta};
    use kit_entity::domain::calendar::{WorkingCalendar, local_date, start_of_day};
    use kit_entity::domain::enums::{MeetingKind, MeetingStatus};
    use kit_entity::domain::status::CaseStatus;
    use kit_entity::entities::{case, child, meeting, organization, participant};
    use kit_entity::ids::{CaseId, MeetingId, ParticipantId};
    use kit_entity::{Error, Result};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use super::Transition;
    use crate::context::Context;
    use crate::jobs::{self, PathwayEvent};
    use crate::meetings::{self, NewMeeting};
    use crate::schedule::{default_invitees, pick_organizer};

    /// Working days from acceptance within which the start meeting is to be held.
    pub const START_WITHIN_WORKING_DAYS: u32 = 20;
    /// How long before a transition month its meeting is requested.
    pub const TRANSITION_LEAD: TimeDelta = TimeDelta::weeks(6);

    async fn active_case(ctx: &Context, case_id: CaseId) -> Result<Option<case::Model>> {
        Ok(case::Entity::find_by_id(case_id)
            .one(&ctx.db)
            .await?
            .filter(|c| c.status == CaseStatus::Active))
    }

    /// The case was accepted: request its start meeting, and set its transition meetings to
    /// be requested in time.
    ///
    /// # Errors
    /// Database errors.
    pub async fn case_activated(ctx: &Context, case_id: CaseId) -> Result<()> {
        let Some(case) = active_case(ctx, case_id).await? else {
            return Ok(());
        };
        let now = ctx.clock.now();
        let txn = crate::db::begin_write(&ctx.db).await?;
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
            jobs::enqueue(
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
        ctx: &Context,
        case_id: CaseId,
        milestone: Transition,
    ) -> Result<()> {
        let Some(case) = active_case(ctx, case_id).await? else {
            return Ok(());
        };
        let now = ctx.clock.now();
        let born = child::Entity::find_by_id(case.child_id)
            .one(&ctx.db)
            .await?
            .ok_or_else(|| Error::internal("a case's child is missing"))?
            .date_of_birth;
        let (first, last) = milestone.window(born);
        let txn = crate::db::begin_write(&ctx.db).await?;
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
    pub async fn meeting_held(ctx: &Context, meeting_id: MeetingId) -> Result<()> {
        let Some(held) = meeting::Entity::find_by_id(meeting_id).one(&ctx.db).await? else {
            return Ok(());
        };
        if held.status != MeetingStatus::Held || !held.kind.continues_pathway() {
            return Ok(());
        }
        let Some(case) = active_case(ctx, held.case_id).await? else {
            return Ok(());
        };
        let closing = meeting::Entity::find()
            .filter(meeting::Column::CaseId.eq(case.id))
            .filter(meeting::Column::Kind.eq(MeetingKind::Closing))
            .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
            .one(&ctx.db)
            .await?;
        if closing.is_some() {
            return Ok(());
        }
        let cadence = organization::Entity::find_by_id(case.municipality_id)
            .one(&ctx.db)
            .await?
            .map_or(3, |o| o.follow_up_months);
        let basis = held
            .starts_at
            .or(held.held_at)
            .unwrap_or_else(|| ctx.clock.now());
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
        let now = ctx.clock.now();
        let txn = crate::db::begin_write(&ctx.db).await?;
        let still_active: Vec<ParticipantId> = participant::Entity::find()
            .filter(participant::Column::CaseId.eq(case.id))
            .filter(participant::Column::ActiveUntil.is_null())
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let organizer = match held.organizer_id.filter(|id| still_active.contains(id)) {
            Some(id) => Some(id),
            None => pick_organizer(&txn, case.id).await?,
        };
        let invitees: Vec<(ParticipantId, bool)> = meetings::active_invitees(&txn, held.id)
            .await?
            .into_iter()
            .filter(|i| still_active.contains(&i.participant_id))
            .map(|i| (i.participant_id, i.required))
            .collect();
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
}

pub use handlers::{
    START_WITHIN_WORKING_DAYS, TRANSITION_LEAD, case_activated, meeting_held, transition_due,
};

/// Runs one pathway event.
///
/// # Errors
/// Database errors; the job is then retried by the queue.
pub async fn handle(
    ctx: &crate::context::Context,
    event: &crate::jobs::PathwayEvent,
) -> kit_entity::Result<()> {
    use crate::jobs::PathwayEvent;
    match event {
        PathwayEvent::CaseActivated { case_id } => case_activated(ctx, *case_id).await,
        PathwayEvent::MeetingHeld { meeting_id } => meeting_held(ctx, *meeting_id).await,
        PathwayEvent::TransitionDue { case_id, milestone } => {
            transition_due(ctx, *case_id, *milestone).await
        }
    }
}
