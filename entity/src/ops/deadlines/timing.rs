//! When a deadline is due and when each of its stages — reminders, the due alert, the
//! escalation — comes: offsets in hours, calendar days, working days or months, counted in
//! Europe/Copenhagen; and how much notice a meeting needs for what is due before it.

use crate::Result;
use crate::domain::calendar::{WorkingCalendar, instant, local, local_date, start_of_day};
use crate::domain::enums::{DeadlineStatus, NotificationKind, OffsetUnit, RuleAnchor, RuleEvent};
use crate::entities::{deadline, deadline_rule, notification};
use chrono::{DateTime, Days, Months, NaiveDate, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::event::Event;
use super::facts::CaseFacts;
use super::rules::rule_filter_matches;
use crate::domain::transition::{Transition, adulthood};

/// One reminder offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offset {
    /// How many.
    pub value: i32,
    /// Of what.
    pub unit: OffsetUnit,
}

/// The reminders of a rule.
#[must_use]
pub fn reminders(rule: &deadline_rule::Model) -> Vec<Offset> {
    serde_json::from_str(&rule.reminders).unwrap_or_else(|e| {
        tracing::error!(rule = %rule.id, code = %rule.code, error = %e, "unreadable reminders; none are sent");
        Vec::new()
    })
}

/// End of the Copenhagen day `date` (the start of the next).
pub(crate) fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(date.checked_add_days(Days::new(1)).unwrap_or(date))
}

pub(crate) fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
            .unwrap_or(date)
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
            .unwrap_or(date)
    }
}

/// `base` moved by `value` of `unit`. Day-based units land at the end of the target day;
/// working days skip weekends, holidays and closure days.
#[must_use]
pub fn shift(
    base: DateTime<Utc>,
    value: i32,
    unit: OffsetUnit,
    calendar: &WorkingCalendar,
    cadence_months: i32,
) -> DateTime<Utc> {
    let day = local_date(base);
    match unit {
        OffsetUnit::Hours => base + TimeDelta::hours(i64::from(value)),
        OffsetUnit::CalendarDays => {
            let target = if value >= 0 {
                day.checked_add_days(Days::new(u64::from(value.unsigned_abs())))
            } else {
                day.checked_sub_days(Days::new(u64::from(value.unsigned_abs())))
            };
            end_of_day(target.unwrap_or(day))
        }
        OffsetUnit::WorkingDays => {
            let target = if value >= 0 {
                calendar.add_working_days(day, value.unsigned_abs())
            } else {
                calendar.sub_working_days(day, value.unsigned_abs())
            };
            end_of_day(target)
        }
        OffsetUnit::Months => end_of_day(add_months(day, value)),
        OffsetUnit::Cadence => end_of_day(add_months(day, value.saturating_mul(cadence_months))),
    }
}

/// A time `offset` before `due` (reminders).
pub(crate) fn before(
    due: DateTime<Utc>,
    offset: Offset,
    calendar: &WorkingCalendar,
) -> DateTime<Utc> {
    match offset.unit {
        OffsetUnit::Hours => due - TimeDelta::hours(i64::from(offset.value)),
        OffsetUnit::CalendarDays => due - TimeDelta::days(i64::from(offset.value)),
        OffsetUnit::WorkingDays => {
            let wall = local(due);
            let day = calendar.sub_working_days(wall.date(), offset.value.unsigned_abs());
            instant(day.and_time(wall.time()))
        }
        OffsetUnit::Months | OffsetUnit::Cadence => {
            let wall = local(due);
            instant(add_months(wall.date(), -offset.value).and_time(wall.time()))
        }
    }
}

/// Every stage of a deadline: `(stage, when, kind)`, in order.
#[must_use]
pub fn stages(
    rule: &deadline_rule::Model,
    due: DateTime<Utc>,
    calendar: &WorkingCalendar,
) -> Vec<(i32, DateTime<Utc>, NotificationKind)> {
    let mut all: Vec<(i32, DateTime<Utc>, NotificationKind)> = reminders(rule)
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            (
                i32::try_from(i).unwrap_or(0),
                before(due, o, calendar),
                NotificationKind::Reminder,
            )
        })
        .collect();
    let n = i32::try_from(all.len()).unwrap_or(0);
    all.push((n, due, NotificationKind::Due));
    if let Some(days) = rule.escalate_after_working_days {
        let wall = local(due);
        let day = calendar.add_working_days(wall.date(), days.unsigned_abs());
        all.push((
            n + 1,
            instant(day.and_time(wall.time())),
            NotificationKind::Escalation,
        ));
    }
    all
}

/// The kind of stage `stage` of `rule`.
#[must_use]
pub fn stage_kind(rule: &deadline_rule::Model, stage: i32) -> NotificationKind {
    let n = i32::try_from(reminders(rule).len()).unwrap_or(0);
    match stage.cmp(&n) {
        std::cmp::Ordering::Less => NotificationKind::Reminder,
        std::cmp::Ordering::Equal => NotificationKind::Due,
        std::cmp::Ordering::Greater => NotificationKind::Escalation,
    }
}

/// The next stage after `after` (exclusive) and its time. Reminders whose time has passed by
/// `now` are skipped; the due alert and the escalation never are.
pub(crate) fn next_stage(
    rule: &deadline_rule::Model,
    due: DateTime<Utc>,
    calendar: &WorkingCalendar,
    after: Option<i32>,
    now: DateTime<Utc>,
) -> Option<(i32, DateTime<Utc>)> {
    stages(rule, due, calendar)
        .into_iter()
        .filter(|(stage, _, _)| after.is_none_or(|a| *stage > a))
        .find(|(_, at, kind)| *kind != NotificationKind::Reminder || *at > now)
        .map(|(stage, at, _)| (stage, at))
}

/// How far a deadline's alerts have gone: the furthest stage already sent, as
/// `(kind, reminder index)` with reminders before the due alert before the escalation. Stage
/// numbers change meaning between rule versions (a version may have more reminders); this
/// order does not.
pub type Progress = Option<(u8, i32)>;

pub(crate) fn stage_key(kind: NotificationKind, stage: i32) -> (u8, i32) {
    match kind {
        NotificationKind::Reminder => (0, stage),
        NotificationKind::Due => (1, 0),
        NotificationKind::Escalation => (2, 0),
    }
}

/// The stages of `d` already done: from its notifications, and — for a deadline marked
/// MISSED, whose due alert was handled even when nobody could be told — at least the due
/// alert.
pub(crate) async fn progress<C: ConnectionTrait>(db: &C, d: &deadline::Model) -> Result<Progress> {
    let sent = notification::Entity::find()
        .filter(notification::Column::DeadlineId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .map(|n| stage_key(n.kind, n.stage))
        .max();
    let marked =
        (d.status == DeadlineStatus::Missed).then_some(stage_key(NotificationKind::Due, 0));
    Ok(sent.max(marked))
}

/// The first stage of `rule` for a deadline due at `due` that comes after `done` and is not a
/// reminder whose time has passed: where a deadline resumes after its due time moved (a
/// recompute, a moved meeting). A stage already sent is never scheduled again.
pub(crate) fn resume(
    rule: &deadline_rule::Model,
    due: DateTime<Utc>,
    calendar: &WorkingCalendar,
    done: Progress,
    now: DateTime<Utc>,
) -> Option<(i32, DateTime<Utc>)> {
    stages(rule, due, calendar)
        .into_iter()
        .filter(|(stage, _, kind)| done.is_none_or(|p| stage_key(*kind, *stage) > p))
        .find(|(_, at, kind)| *kind != NotificationKind::Reminder || *at > now)
        .map(|(stage, at, _)| (stage, at))
}

/// The due time of a deadline of `rule` started by `event`.
pub(crate) fn due_for(
    rule: &deadline_rule::Model,
    event: &Event,
    facts: &CaseFacts,
    agreement_due: Option<NaiveDate>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let age = |filter: Option<&str>| -> Option<NaiveDate> {
        match filter? {
            "16" => Some(Transition::Sixteen.date(facts.born)),
            "17.5" => Some(Transition::SeventeenAndAHalf.date(facts.born)),
            "18" => Some(adulthood(facts.born)),
            _ => None,
        }
    };
    let (anchor, started) = match rule.anchor {
        RuleAnchor::Event => (event.at, event.at),
        RuleAnchor::MeetingStart => (event.meeting.and_then(|(_, s)| s)?, event.at),
        RuleAnchor::AgreementDue => (end_of_day(agreement_due?), event.at),
        RuleAnchor::BirthdayMonthEnd => {
            let (first, last) =
                crate::domain::transition::month_of(age(rule.start_filter.as_deref())?);
            (end_of_day(last), start_of_day(first))
        }
        RuleAnchor::Birthday => {
            let day = age(rule.start_filter.as_deref())?;
            (start_of_day(day), event.at)
        }
        RuleAnchor::ConsentExpiry => (event.consent.and_then(|(_, until)| until)?, event.at),
        RuleAnchor::SeatAnswerBy => (end_of_day(event.seat_offer?.1), event.at),
        RuleAnchor::DischargeDate => (start_of_day(event.discharge?.1), event.at),
    };
    let due = if rule.anchor == RuleAnchor::MeetingStart {
        due_from_meeting(rule, event.at, anchor, &facts.calendar, facts.cadence)
    } else if rule.offset_value == 0 {
        anchor
    } else {
        shift(
            anchor,
            rule.offset_value,
            rule.offset_unit,
            &facts.calendar,
            facts.cadence,
        )
    };
    Some((started.min(due), due))
}

/// When a deadline of `rule` (anchored on a meeting) is due for a meeting that starts at
/// `starts` and was booked at `booked_at`: the rule's offset from the start, and — for
/// something owed before the meeting — never sooner than [`preparation_floor`] allows.
#[must_use]
pub fn due_from_meeting(
    rule: &deadline_rule::Model,
    booked_at: DateTime<Utc>,
    starts: DateTime<Utc>,
    calendar: &WorkingCalendar,
    cadence_months: i32,
) -> DateTime<Utc> {
    if rule.offset_value == 0 {
        return starts;
    }
    let due = shift(
        starts,
        rule.offset_value,
        rule.offset_unit,
        calendar,
        cadence_months,
    );
    if rule.offset_value < 0 {
        preparation_floor(due, booked_at, starts, calendar)
    } else {
        due
    }
}

/// Working days a sector always has, after it is invited, before something is due ahead of a
/// meeting (the information it shares before a network meeting).
pub const MIN_PREPARATION_WORKING_DAYS: u32 = 3;

/// The longest lead, in working days, of the rules in force that make something due before
/// a meeting of `kind` (the information each sector shares before a network meeting: 5 by
/// default). Calendar days and hours count as working days, rounded up: never too short.
#[must_use]
pub fn lead_before_meeting(rules: &[deadline_rule::Model], kind: &str) -> u32 {
    rules
        .iter()
        .filter(|r| {
            r.start_event == RuleEvent::MeetingScheduled
                && r.anchor == RuleAnchor::MeetingStart
                && r.offset_value < 0
                && rule_filter_matches(r.start_filter.as_deref(), Some(kind))
        })
        .map(|r| {
            let value = r.offset_value.unsigned_abs();
            match r.offset_unit {
                OffsetUnit::Hours => value.div_ceil(24),
                OffsetUnit::Months | OffsetUnit::Cadence => value.saturating_mul(23),
                OffsetUnit::WorkingDays | OffsetUnit::CalendarDays => value,
            }
        })
        .max()
        .unwrap_or(0)
}

/// The working days' notice a meeting of `kind` needs: the organization's minimum notice, and
/// never less than the longest lead of a deadline due before such a meeting plus
/// [`MIN_PREPARATION_WORKING_DAYS`] — so every sector has time to prepare what it owes
/// before the meeting, and the others time to read it.
#[must_use]
pub fn meeting_notice(
    organization_notice_days: i32,
    rules: &[deadline_rule::Model],
    kind: &str,
) -> i32 {
    let needed = lead_before_meeting(rules, kind).saturating_add(MIN_PREPARATION_WORKING_DAYS);
    organization_notice_days.max(i32::try_from(needed).unwrap_or(i32::MAX))
}

/// A deadline ahead of a meeting (`due`, from the rule) is never sooner than the end of the
/// [`MIN_PREPARATION_WORKING_DAYS`]th working day after the meeting was booked, unless the
/// meeting itself comes sooner — then it is due when the meeting starts. With the default
/// notice of 10 working days and the default rule of 5 working days before, the floor never
/// bites; it protects meetings booked by hand at short notice.
#[must_use]
pub fn preparation_floor(
    due: DateTime<Utc>,
    booked_at: DateTime<Utc>,
    meeting_starts: DateTime<Utc>,
    calendar: &WorkingCalendar,
) -> DateTime<Utc> {
    let floor =
        end_of_day(calendar.add_working_days(local_date(booked_at), MIN_PREPARATION_WORKING_DAYS));
    due.max(floor.min(meeting_starts))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn cph(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        instant(
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .unwrap_or_default(),
        )
    }

    #[test]
    fn working_day_offsets_end_at_the_end_of_the_day_and_skip_easter() {
        let cal = WorkingCalendar::danish();
        // Referral Wednesday 24 March 2027 10:00 + 10 working days: Maundy Thursday, Good
        // Friday and Easter Monday are skipped, so the tenth is Monday 12 April, and the
        // deadline is the end of that day.
        let due = shift(cph(2027, 3, 24, 10), 10, OffsetUnit::WorkingDays, &cal, 3);
        assert_eq!(due, cph(2027, 4, 13, 0));
        // 5 working days before a meeting on Monday 3 January 2028 (over New Year).
        let before = shift(cph(2028, 1, 3, 9), -5, OffsetUnit::WorkingDays, &cal, 3);
        assert_eq!(before, cph(2027, 12, 28, 0));
        // Over Christmas 2026: 24 December is a working day nationally, not where the
        // organization closes.
        assert_eq!(
            shift(cph(2026, 12, 22, 9), 3, OffsetUnit::WorkingDays, &cal, 3),
            cph(2026, 12, 29, 0)
        );
        let closed = WorkingCalendar::with_closures([
            NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
        ]);
        assert_eq!(
            shift(cph(2026, 12, 22, 9), 3, OffsetUnit::WorkingDays, &closed, 3),
            cph(2026, 12, 30, 0)
        );
        assert_eq!(
            shift(cph(2027, 1, 31, 9), 1, OffsetUnit::Cadence, &cal, 3),
            cph(2027, 5, 1, 0)
        );
        assert_eq!(
            shift(cph(2027, 1, 1, 9), 24, OffsetUnit::Hours, &cal, 3),
            cph(2027, 1, 2, 9)
        );
    }

    #[test]
    fn offsets_survive_the_clock_change() {
        let cal = WorkingCalendar::danish();
        // Friday 23 October 2026 09:00 CEST + 1 working day = end of Monday 26 (CET).
        let due = shift(cph(2026, 10, 23, 9), 1, OffsetUnit::WorkingDays, &cal, 3);
        assert_eq!(
            due,
            Utc.with_ymd_and_hms(2026, 10, 26, 23, 0, 0)
                .single()
                .unwrap_or_default()
        );
        // 24 hours across the change are 24 real hours: 09:00 CEST → 08:00 CET.
        let day = shift(cph(2026, 10, 24, 9), 24, OffsetUnit::Hours, &cal, 3);
        assert_eq!(
            local(day).time(),
            chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()
        );
    }
}
