//! Timeliness deadlines ("rettidigheder"): time limits owed to a child, as rows.
//!
//! A deadline is created by the domain event that starts it and met by the one that meets
//! it, inside those events' transactions ([`on_event`]); nothing scans cases to find them. It
//! carries the time the sweeper must next act (`next_action_at`, indexed): each reminder, the
//! due alert (the deadline becomes MISSED) and the escalation to the leader. [`sweep`] claims
//! what is due in batches — `FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite — and writes one notification per deadline, stage and recipient (a unique key), with
//! its e-mail in the outbox, in one transaction. Its cost follows the number due, not the
//! number stored.
//!
//! Rules are data (`deadline_rules`), versioned per organization over the product's
//! defaults; a deadline keeps the version it started with until an administrator
//! recomputes it.

use std::collections::HashMap;

use chrono::{DateTime, Days, Months, NaiveDate, TimeDelta, Utc};
use kit_entity::domain::calendar::{WorkingCalendar, instant, local, local_date, start_of_day};
use kit_entity::domain::enums::{
    AlertTo, DeadlineStatus, DeliveryStatus, NotificationKind, OffsetUnit, ParticipantKind,
    ParticipantRole, RuleAnchor, RuleEvent, Sector,
};
use kit_entity::entities::{
    agreement, case, child, closure_day, deadline, deadline_rule, delivery, notification,
    organization, participant, professional, unit,
};
use kit_entity::ids::{
    AgreementId, CaseId, MeetingId, NotificationId, OrganizationId, ProfessionalId,
};
use kit_entity::{Error, Result};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};

use crate::jobs::{self, SendDelivery};
use crate::pathway::{Transition, adulthood};

/// The PostgreSQL channel new notifications are announced on.
pub const NOTIFY_CHANNEL: &str = "kit_notifications";

/// A domain event, as deadlines see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The case.
    pub case_id: CaseId,
    /// What happened.
    pub kind: RuleEvent,
    /// When.
    pub at: DateTime<Utc>,
    /// What rule filters match against: a meeting kind, an event kind, a sector.
    pub filter: Option<String>,
    /// The sector it concerns.
    pub sector: Option<Sector>,
    /// The meeting it concerns, with its start.
    pub meeting: Option<(MeetingId, Option<DateTime<Utc>>)>,
    /// The agreement it concerns.
    pub agreement: Option<AgreementId>,
}

impl Event {
    /// An event with no details beyond its kind.
    #[must_use]
    pub fn new(case_id: CaseId, kind: RuleEvent, at: DateTime<Utc>) -> Self {
        Self {
            case_id,
            kind,
            at,
            filter: None,
            sector: None,
            meeting: None,
            agreement: None,
        }
    }

    /// With a filter value.
    #[must_use]
    pub fn filtered(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// About a sector.
    #[must_use]
    pub fn sector(mut self, sector: Sector) -> Self {
        self.sector = Some(sector);
        self
    }

    /// About a meeting.
    #[must_use]
    pub fn meeting(mut self, id: MeetingId, starts: Option<DateTime<Utc>>) -> Self {
        self.meeting = Some((id, starts));
        self
    }

    /// About an agreement.
    #[must_use]
    pub fn agreement(mut self, id: AgreementId) -> Self {
        self.agreement = Some(id);
        self
    }
}

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

fn rule_filter_matches(rule_filter: Option<&str>, value: Option<&str>) -> bool {
    match rule_filter {
        None => true,
        Some(list) => value.is_some_and(|v| list.split(',').any(|item| item.trim() == v)),
    }
}

/// The working-day calendar of an organization: national holidays plus its closure days.
///
/// # Errors
/// When the database fails.
pub async fn calendar_of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<WorkingCalendar> {
    calendar_of_all(db, &[organization]).await
}

/// The working-day calendar shared by several organizations: national holidays plus the
/// closure days of any of them.
///
/// # Errors
/// When the database fails.
pub async fn calendar_of_all<C: ConnectionTrait>(
    db: &C,
    organizations: &[OrganizationId],
) -> Result<WorkingCalendar> {
    let days = closure_day::Entity::find()
        .filter(closure_day::Column::OrganizationId.is_in(organizations.iter().copied()))
        .all(db)
        .await?;
    Ok(WorkingCalendar::with_closures(
        days.into_iter().map(|d| d.date),
    ))
}

/// The rule versions in force for an organization: its own current version of each code,
/// or the product default where it has none.
///
/// # Errors
/// When the database fails.
pub async fn rules_in_force<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<Vec<deadline_rule::Model>> {
    let current = deadline_rule::Entity::find()
        .filter(deadline_rule::Column::SupersededAt.is_null())
        .filter(
            Condition::any()
                .add(deadline_rule::Column::OrganizationId.is_null())
                .add(deadline_rule::Column::OrganizationId.eq(organization)),
        )
        .order_by_asc(deadline_rule::Column::Code)
        .all(db)
        .await?;
    let mut by_code: HashMap<String, deadline_rule::Model> = HashMap::new();
    for rule in current {
        let own = rule.organization_id.is_some();
        match by_code.get(&rule.code) {
            Some(existing) if existing.organization_id.is_some() && !own => {}
            _ => {
                by_code.insert(rule.code.clone(), rule);
            }
        }
    }
    let mut rules: Vec<_> = by_code.into_values().collect();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rules)
}

/// End of the Copenhagen day `date` (the start of the next).
fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(date.checked_add_days(Days::new(1)).unwrap_or(date))
}

fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
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
fn before(due: DateTime<Utc>, offset: Offset, calendar: &WorkingCalendar) -> DateTime<Utc> {
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
fn next_stage(
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

struct CaseFacts {
    case: case::Model,
    calendar: WorkingCalendar,
    cadence: i32,
    born: NaiveDate,
}

async fn facts<C: ConnectionTrait>(db: &C, case_id: CaseId) -> Result<CaseFacts> {
    let case = case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a deadline's case is missing"))?;
    let (calendar, cadence) = municipality_facts(db, case.municipality_id).await?;
    case_facts(db, case, calendar, cadence).await
}

/// A municipality's working calendar and follow-up cadence in months.
async fn municipality_facts<C: ConnectionTrait>(
    db: &C,
    municipality: OrganizationId,
) -> Result<(WorkingCalendar, i32)> {
    let calendar = calendar_of(db, municipality).await?;
    let cadence = organization::Entity::find_by_id(municipality)
        .one(db)
        .await?
        .map_or(3, |o| o.follow_up_months);
    Ok((calendar, cadence))
}

async fn case_facts<C: ConnectionTrait>(
    db: &C,
    case: case::Model,
    calendar: WorkingCalendar,
    cadence: i32,
) -> Result<CaseFacts> {
    let born = child::Entity::find_by_id(case.child_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a case's child is missing"))?
        .date_of_birth;
    Ok(CaseFacts {
        case,
        calendar,
        cadence,
        born,
    })
}

async fn active_contacts<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Vec<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .all(db)
        .await?)
}

/// The sectors a per-sector rule makes deadlines for: the sectors of the case's active
/// professionals (for acceptance) or of its responsible contacts (for meetings), and always
/// the municipality's.
async fn sectors_for<C: ConnectionTrait>(db: &C, event: &Event) -> Result<Vec<Sector>> {
    let mut sectors = vec![Sector::Municipality];
    let people = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(event.case_id))
        .filter(participant::Column::ActiveUntil.is_null())
        .filter(participant::Column::Kind.eq(ParticipantKind::Professional))
        .all(db)
        .await?;
    for p in people {
        let counts = match event.kind {
            RuleEvent::MeetingScheduled => p.role == ParticipantRole::ResponsibleContact,
            _ => true,
        };
        if counts && !sectors.contains(&p.sector) && p.sector != Sector::Family {
            sectors.push(p.sector);
        }
    }
    Ok(sectors)
}

/// Applies a domain event to the case's deadlines, on the event's own transaction: meets
/// those it meets, then starts those it starts.
///
/// # Errors
/// When the database fails.
pub async fn on_event<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, event: &Event) -> Result<()> {
    meet(db, now, event).await?;
    start(db, now, event).await?;
    if event.kind == RuleEvent::ContactAssigned {
        refresh_responsible(db, now, event.case_id).await?;
    }
    Ok(())
}

/// Points the open deadlines of a case at whoever is responsible for them now.
///
/// # Errors
/// When the database fails.
pub async fn refresh_responsible<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
) -> Result<()> {
    let open = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .all(db)
        .await?;
    let mut rules: HashMap<kit_entity::ids::DeadlineRuleId, deadline_rule::Model> = HashMap::new();
    for d in open {
        if let std::collections::hash_map::Entry::Vacant(e) = rules.entry(d.rule_id)
            && let Some(r) = deadline_rule::Entity::find_by_id(d.rule_id).one(db).await?
        {
            e.insert(r);
        }
        let Some(rule) = rules.get(&d.rule_id) else {
            continue;
        };
        let now_responsible = responsible(db, rule, case_id, d.sector, d.agreement_id).await?;
        if now_responsible != d.responsible_id {
            deadline::Entity::update_many()
                .col_expr(
                    deadline::Column::ResponsibleId,
                    Expr::value(now_responsible),
                )
                .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
                .filter(deadline::Column::Id.eq(d.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

async fn meet<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, event: &Event) -> Result<()> {
    let open = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(event.case_id))
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .all(db)
        .await?;
    if open.is_empty() {
        return Ok(());
    }
    let rule_ids: Vec<_> = open.iter().map(|d| d.rule_id).collect();
    let rules: HashMap<_, _> = deadline_rule::Entity::find()
        .filter(deadline_rule::Column::Id.is_in(rule_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut transition_met = false;
    let mut candidates: Vec<&deadline::Model> = open.iter().collect();
    candidates.sort_by_key(|d| d.due_at);
    for d in candidates {
        let Some(rule) = rules.get(&d.rule_id) else {
            continue;
        };
        if rule.met_by_event != event.kind
            || !rule_filter_matches(rule.met_by_filter.as_deref(), event.filter.as_deref())
        {
            continue;
        }
        if event.at < d.started_at {
            continue;
        }
        if d.sector.is_some() && event.sector.is_some() && d.sector != event.sector {
            continue;
        }
        if let (Some(ours), Some((theirs, _))) = (d.meeting_id, event.meeting)
            && rule.anchor == RuleAnchor::MeetingStart
            && ours != theirs
        {
            continue;
        }
        if d.agreement_id.is_some() && d.agreement_id != event.agreement {
            continue;
        }
        if rule.start_event == RuleEvent::ChildAge && rule.met_by_event == RuleEvent::MeetingHeld {
            // One transition meeting meets one transition milestone: the earliest open one.
            if transition_met {
                continue;
            }
            transition_met = true;
        }
        deadline::Entity::update_many()
            .col_expr(deadline::Column::Status, Expr::value(DeadlineStatus::Met))
            .col_expr(deadline::Column::MetAt, Expr::value(Some(event.at)))
            .col_expr(
                deadline::Column::NextActionAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                deadline::Column::NextStage,
                Expr::value(Option::<i32>::None),
            )
            .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
            .filter(deadline::Column::Id.eq(d.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The due time of a deadline of `rule` started by `event`.
fn due_for(
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
            let (first, last) = crate::pathway::month_of(age(rule.start_filter.as_deref())?);
            (end_of_day(last), start_of_day(first))
        }
        RuleAnchor::Birthday => {
            let day = age(rule.start_filter.as_deref())?;
            (start_of_day(day), event.at)
        }
    };
    let due = if rule.offset_value == 0 {
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

/// Who is responsible for a deadline now, for `responsibleId` filters.
async fn responsible<C: ConnectionTrait>(
    db: &C,
    rule: &deadline_rule::Model,
    case_id: CaseId,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Option<ProfessionalId>> {
    Ok(recipients(db, rule, case_id, sector, agreement_id)
        .await?
        .first()
        .copied())
}

async fn start<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, event: &Event) -> Result<()> {
    let facts = facts(db, event.case_id).await?;
    let rules = rules_in_force(db, facts.case.municipality_id).await?;
    let agreement = match event.agreement {
        Some(id) => agreement::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    for rule in rules.iter().filter(|r| r.start_event == event.kind) {
        if !rule_filter_matches(rule.start_filter.as_deref(), event.filter.as_deref())
            && rule.start_event != RuleEvent::ChildAge
        {
            continue;
        }
        let Some((started, due)) =
            due_for(rule, event, &facts, agreement.as_ref().map(|a| a.due_on))
        else {
            continue;
        };
        if rule.start_event == RuleEvent::ChildAge && due <= event.at {
            // The young person is past this age already: nothing is owed any more.
            continue;
        }
        let base_subject = match (event.meeting, event.agreement, rule.start_event) {
            (_, _, RuleEvent::ChildAge) => {
                format!("age:{}", rule.start_filter.as_deref().unwrap_or_default())
            }
            (_, Some(a), _) => format!("agreement:{a}"),
            (Some((m, _)), _, _) => format!("meeting:{m}"),
            _ => String::new(),
        };
        let sectors: Vec<Option<Sector>> = if rule.per_sector {
            sectors_for(db, event)
                .await?
                .into_iter()
                .map(Some)
                .collect()
        } else {
            vec![None]
        };
        for sector in sectors {
            let subject = match sector {
                None => base_subject.clone(),
                Some(s) => {
                    let sector = serde_json::to_value(s)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    if base_subject.is_empty() {
                        format!("sector:{sector}")
                    } else {
                        format!("{base_subject}:sector:{sector}")
                    }
                }
            };
            create(
                db,
                now,
                rule,
                &facts,
                event,
                sector,
                subject,
                started,
                due,
                agreement.as_ref(),
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn create<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    rule: &deadline_rule::Model,
    facts: &CaseFacts,
    event: &Event,
    sector: Option<Sector>,
    subject: String,
    started: DateTime<Utc>,
    due: DateTime<Utc>,
    agreement: Option<&agreement::Model>,
) -> Result<()> {
    let meeting_id = event.meeting.map(|(m, _)| m);
    let existing = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(event.case_id))
        .filter(deadline::Column::RuleCode.eq(&rule.code))
        .filter(deadline::Column::Subject.eq(&subject))
        .one(db)
        .await?;
    if let Some(existing) = existing {
        // A meeting moved: its deadlines move with it.
        if rule.anchor == RuleAnchor::MeetingStart
            && existing.status == DeadlineStatus::Pending
            && existing.due_at != due
        {
            let next = next_stage(rule, due, &facts.calendar, None, now);
            deadline::Entity::update_many()
                .col_expr(deadline::Column::DueAt, Expr::value(due))
                .col_expr(
                    deadline::Column::NextActionAt,
                    Expr::value(next.map(|(_, at)| at)),
                )
                .col_expr(
                    deadline::Column::NextStage,
                    Expr::value(next.map(|(s, _)| s)),
                )
                .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
                .filter(deadline::Column::Id.eq(existing.id))
                .exec(db)
                .await?;
        }
        return Ok(());
    }
    // Already satisfied when it starts: a sector that has its responsible contact.
    let satisfied = rule.met_by_event == RuleEvent::ContactAssigned
        && sector.is_some()
        && active_contacts(db, event.case_id)
            .await?
            .iter()
            .any(|c| Some(c.sector) == sector);
    let next = if satisfied {
        None
    } else {
        next_stage(rule, due, &facts.calendar, None, now)
    };
    let responsible = responsible(db, rule, event.case_id, sector, agreement.map(|a| a.id)).await?;
    deadline::Entity::insert(deadline::ActiveModel {
        id: NotSet,
        case_id: Set(event.case_id),
        rule_id: Set(rule.id),
        rule_code: Set(rule.code.clone()),
        subject: Set(subject),
        sector: Set(sector),
        meeting_id: Set(meeting_id),
        agreement_id: Set(agreement.map(|a| a.id)),
        status: Set(if satisfied {
            DeadlineStatus::Met
        } else {
            DeadlineStatus::Pending
        }),
        started_at: Set(started),
        due_at: Set(due),
        met_at: Set(satisfied.then_some(event.at)),
        waived_at: Set(None),
        waived_by_id: Set(None),
        waive_reason: Set(None),
        withdrawn_at: Set(None),
        responsible_id: Set(responsible),
        next_action_at: Set(next.map(|(_, at)| at)),
        next_stage: Set(next.map(|(s, _)| s)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            deadline::Column::CaseId,
            deadline::Column::RuleCode,
            deadline::Column::Subject,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Withdraws the open deadlines a meeting started, when the meeting is cancelled.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_meeting<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting_id: MeetingId,
) -> Result<()> {
    withdraw(db, now, deadline::Column::MeetingId.eq(meeting_id)).await
}

/// Withdraws every open deadline of a case that has ended.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_case<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
) -> Result<()> {
    withdraw(db, now, deadline::Column::CaseId.eq(case_id)).await
}

async fn withdraw<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<()> {
    deadline::Entity::update_many()
        .col_expr(
            deadline::Column::Status,
            Expr::value(DeadlineStatus::Withdrawn),
        )
        .col_expr(deadline::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(
            deadline::Column::NextActionAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            deadline::Column::NextStage,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .exec(db)
        .await?;
    Ok(())
}

/// What a sweep looks up again and again, each loaded once per sweep.
#[derive(Default)]
struct Lookups {
    cases: HashMap<CaseId, case::Model>,
    rules: HashMap<kit_entity::ids::DeadlineRuleId, deadline_rule::Model>,
    calendars: HashMap<OrganizationId, WorkingCalendar>,
    intake: HashMap<OrganizationId, Vec<ProfessionalId>>,
    people: HashMap<ProfessionalId, Option<professional::Model>>,
}

impl Lookups {
    async fn case<C: ConnectionTrait>(&mut self, db: &C, id: CaseId) -> Result<case::Model> {
        if let Some(c) = self.cases.get(&id) {
            return Ok(c.clone());
        }
        let c = case::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a deadline's case is missing"))?;
        self.cases.insert(id, c.clone());
        Ok(c)
    }

    async fn rule<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: kit_entity::ids::DeadlineRuleId,
    ) -> Result<deadline_rule::Model> {
        if let Some(r) = self.rules.get(&id) {
            return Ok(r.clone());
        }
        let r = deadline_rule::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a deadline's rule is missing"))?;
        self.rules.insert(id, r.clone());
        Ok(r)
    }

    async fn calendar<C: ConnectionTrait>(
        &mut self,
        db: &C,
        organization: OrganizationId,
    ) -> Result<WorkingCalendar> {
        if let Some(c) = self.calendars.get(&organization) {
            return Ok(c.clone());
        }
        let c = calendar_of(db, organization).await?;
        self.calendars.insert(organization, c.clone());
        Ok(c)
    }

    /// An active professional.
    async fn person<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: ProfessionalId,
    ) -> Result<Option<professional::Model>> {
        if let Some(p) = self.people.get(&id) {
            return Ok(p.clone());
        }
        let p = professional::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|p| p.is_active);
        self.people.insert(id, p.clone());
        Ok(p)
    }

    async fn professional_of<C: ConnectionTrait>(
        &mut self,
        db: &C,
        p: &participant::Model,
    ) -> Result<Option<professional::Model>> {
        match p.professional_id {
            Some(id) => self.person(db, id).await,
            None => Ok(None),
        }
    }

    /// The active members of a municipality's intake unit.
    async fn intake<C: ConnectionTrait>(
        &mut self,
        db: &C,
        municipality: OrganizationId,
    ) -> Result<Vec<ProfessionalId>> {
        if let Some(i) = self.intake.get(&municipality) {
            return Ok(i.clone());
        }
        let units: Vec<_> = unit::Entity::find()
            .filter(unit::Column::OrganizationId.eq(municipality))
            .filter(unit::Column::IsIntake.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let members: Vec<ProfessionalId> = if units.is_empty() {
            Vec::new()
        } else {
            professional::Entity::find()
                .filter(professional::Column::UnitId.is_in(units))
                .filter(professional::Column::IsActive.eq(true))
                .order_by_asc(professional::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect()
        };
        self.intake.insert(municipality, members.clone());
        Ok(members)
    }
}

/// Who a rule's reminders and alerts go to for a case, now. When nobody holds the position,
/// the municipality's intake unit is told instead.
///
/// # Errors
/// When the database fails.
pub async fn recipients<C: ConnectionTrait>(
    db: &C,
    rule: &deadline_rule::Model,
    case_id: CaseId,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Vec<ProfessionalId>> {
    let mut lookups = Lookups::default();
    let case = lookups.case(db, case_id).await?;
    recipients_with(db, &mut lookups, rule, &case, sector, agreement_id).await
}

async fn recipients_with<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    rule: &deadline_rule::Model,
    case: &case::Model,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Vec<ProfessionalId>> {
    let case_id = case.id;
    let mut found = Vec::new();
    match rule.alert_to {
        AlertTo::IntakeUnit => {}
        AlertTo::ResponsibleContact | AlertTo::SectorContact => {
            let wanted = if rule.alert_to == AlertTo::SectorContact {
                sector
            } else {
                rule.alert_sector
            };
            for c in active_contacts(db, case_id).await? {
                if wanted.is_none_or(|s| s == c.sector)
                    && let Some(p) = lookups.professional_of(db, &c).await?
                {
                    found.push(p.id);
                }
            }
        }
        AlertTo::InterventionLead => {
            for c in participant::Entity::find()
                .filter(participant::Column::CaseId.eq(case_id))
                .filter(participant::Column::Role.eq(ParticipantRole::InterventionLead))
                .filter(participant::Column::ActiveUntil.is_null())
                .all(db)
                .await?
            {
                if let Some(p) = lookups.professional_of(db, &c).await? {
                    found.push(p.id);
                }
            }
        }
        AlertTo::AgreementOwner => {
            if let Some(a) = match agreement_id {
                Some(id) => agreement::Entity::find_by_id(id).one(db).await?,
                None => None,
            } && let Some(owner) = participant::Entity::find_by_id(a.owner_id).one(db).await?
                && let Some(p) = lookups.professional_of(db, &owner).await?
            {
                found.push(p.id);
            }
        }
    }
    if found.is_empty() {
        found = lookups.intake(db, case.municipality_id).await?;
    }
    found.dedup();
    Ok(found)
}

/// The leaders of the units `people` work in; failing that, the intake unit's leaders; failing
/// that, the intake unit.
async fn leaders_of<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    people: &[ProfessionalId],
    municipality: OrganizationId,
) -> Result<Vec<ProfessionalId>> {
    let units: Vec<_> = if people.is_empty() {
        Vec::new()
    } else {
        professional::Entity::find()
            .filter(professional::Column::Id.is_in(people.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.unit_id)
            .collect()
    };
    let leaders_of_units = |units: Vec<kit_entity::ids::UnitId>| async move {
        if units.is_empty() {
            return Ok::<_, Error>(Vec::new());
        }
        Ok(professional::Entity::find()
            .filter(professional::Column::LeadsUnitId.is_in(units))
            .filter(professional::Column::IsActive.eq(true))
            .order_by_asc(professional::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect())
    };
    let mut leaders = leaders_of_units(units).await?;
    if leaders.is_empty() {
        let intake = lookups.intake(db, municipality).await?;
        let intake_units: Vec<_> = if intake.is_empty() {
            Vec::new()
        } else {
            professional::Entity::find()
                .filter(professional::Column::Id.is_in(intake.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|p| p.unit_id)
                .collect()
        };
        leaders = leaders_of_units(intake_units).await?;
        if leaders.is_empty() {
            leaders = intake;
        }
    }
    leaders.dedup();
    Ok(leaders)
}

/// A new notification, for subscribers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    /// The notification.
    pub id: NotificationId,
    /// Its recipient.
    pub recipient: ProfessionalId,
}

/// The statement a sweep claims its batch with: the deadlines whose next action is due,
/// earliest first, from the partial index on `next_action_at`; on PostgreSQL locked
/// `FOR UPDATE SKIP LOCKED`, so concurrent sweepers take disjoint batches.
#[must_use]
pub fn claim(
    backend: DbBackend,
    now: DateTime<Utc>,
    limit: u64,
) -> sea_orm::Select<deadline::Entity> {
    let query = deadline::Entity::find()
        .filter(deadline::Column::NextActionAt.is_not_null())
        .filter(deadline::Column::NextActionAt.lte(now))
        .order_by_asc(deadline::Column::NextActionAt)
        .limit(limit);
    if backend == DbBackend::Postgres {
        query.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        )
    } else {
        query
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Deadlines claimed and moved on.
    pub claimed: usize,
    /// Notifications written.
    pub announced: Vec<Announced>,
}

/// Runs one sweep: claims up to `limit` deadlines whose next action is due, emits their
/// stage, and moves each to its next stage.
///
/// # Errors
/// When the database fails; nothing of the sweep is then kept.
pub async fn sweep(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Swept> {
    let txn = crate::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    let query = claim(backend, now, limit);
    let due = query.all(&txn).await?;
    let claimed = due.len();
    let mut announced = Vec::new();
    let mut lookups = Lookups::default();
    // The batch's cases in one statement.
    let case_ids: Vec<CaseId> = due.iter().map(|d| d.case_id).collect();
    if !case_ids.is_empty() {
        for c in case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids))
            .all(&txn)
            .await?
        {
            lookups.cases.insert(c.id, c);
        }
    }
    for d in due {
        let rule = lookups.rule(&txn, d.rule_id).await?;
        let case = lookups.case(&txn, d.case_id).await?;
        let calendar = lookups.calendar(&txn, case.municipality_id).await?;
        let stage = d.next_stage.unwrap_or(0);
        let kind = stage_kind(&rule, stage);
        let open = matches!(d.status, DeadlineStatus::Pending | DeadlineStatus::Missed);
        // A reminder the worker could not send before the due time (it was down) is
        // dropped: the due alert says more.
        let stale_reminder = kind == NotificationKind::Reminder && d.due_at <= now;
        if open && !stale_reminder {
            let to =
                recipients_with(&txn, &mut lookups, &rule, &case, d.sector, d.agreement_id).await?;
            let to = if kind == NotificationKind::Escalation {
                leaders_of(&txn, &mut lookups, &to, case.municipality_id).await?
            } else {
                to
            };
            for recipient in to {
                let person = lookups.person(&txn, recipient).await?;
                if let Some(id) =
                    notify(&txn, now, &d, stage, kind, recipient, person.as_ref()).await?
                {
                    announced.push(Announced { id, recipient });
                }
            }
        }
        let next = if open {
            next_stage(&rule, d.due_at, &calendar, Some(stage), now)
        } else {
            None
        };
        let mut update = deadline::Entity::update_many()
            .col_expr(
                deadline::Column::NextActionAt,
                Expr::value(next.map(|(_, at)| at)),
            )
            .col_expr(
                deadline::Column::NextStage,
                Expr::value(next.map(|(s, _)| s)),
            )
            .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
            .filter(deadline::Column::Id.eq(d.id));
        if kind == NotificationKind::Due && d.status == DeadlineStatus::Pending {
            update = update.col_expr(
                deadline::Column::Status,
                Expr::value(DeadlineStatus::Missed),
            );
        }
        update.exec(&txn).await?;
    }
    if backend == DbBackend::Postgres {
        for a in &announced {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_notify($1, $2)",
                [
                    NOTIFY_CHANNEL.into(),
                    format!("{}:{}", a.id, a.recipient).into(),
                ],
            ))
            .await?;
        }
    }
    txn.commit().await?;
    Ok(Swept { claimed, announced })
}

/// Writes the notification of one stage for one recipient, and its e-mail in the outbox.
/// `None` when it exists already.
async fn notify<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    d: &deadline::Model,
    stage: i32,
    kind: NotificationKind,
    recipient: ProfessionalId,
    person: Option<&professional::Model>,
) -> Result<Option<NotificationId>> {
    let inserted = notification::Entity::insert(notification::ActiveModel {
        id: NotSet,
        deadline_id: Set(d.id),
        stage: Set(stage),
        kind: Set(kind),
        recipient_id: Set(recipient),
        created_at: Set(now),
        read_at: Set(None),
    })
    .on_conflict_do_nothing_on([
        notification::Column::DeadlineId,
        notification::Column::Stage,
        notification::Column::RecipientId,
    ])
    .exec_with_returning(db)
    .await?;
    let n = match inserted {
        sea_orm::TryInsertResult::Inserted(n) => n,
        sea_orm::TryInsertResult::Conflicted | sea_orm::TryInsertResult::Empty => return Ok(None),
    };
    let Some(person) = person else {
        return Ok(Some(n.id));
    };
    let row = delivery::Entity::insert(delivery::ActiveModel {
        id: NotSet,
        meeting_id: Set(None),
        invitee_id: Set(None),
        notification_id: Set(Some(n.id)),
        sequence: Set(0),
        method: Set(None),
        recipient: Set(person.email.clone()),
        language: Set(person.language),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        sent_at: Set(None),
        message_id: Set(format!(
            "<deadline-{}.{}.{}.{}@kit>",
            d.id,
            stage,
            recipient,
            uuid::Uuid::new_v4().simple()
        )),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    jobs::enqueue(
        db,
        &SendDelivery {
            delivery_id: row.last_insert_id,
        },
        None,
    )
    .await?;
    Ok(Some(n.id))
}

/// The deadline a notification is about, with its rule, case reference and stage kind: what
/// an e-mail or a notification text needs.
///
/// # Errors
/// When the rows are missing.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    n: &notification::Model,
) -> Result<(deadline::Model, deadline_rule::Model, String)> {
    let d = deadline::Entity::find_by_id(n.deadline_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a notification's deadline is missing"))?;
    let rule = deadline_rule::Entity::find_by_id(d.rule_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a deadline's rule is missing"))?;
    let reference = case::Entity::find_by_id(d.case_id)
        .one(db)
        .await?
        .map(|c| c.reference)
        .unwrap_or_default();
    Ok((d, rule, reference))
}

/// Moves the open deadlines of `rule`'s code, for the cases of `organization`, to `rule` and
/// the organization's current calendar, recomputing their due times and next actions.
/// Reminders whose time has passed are not sent late. Returns how many changed.
///
/// # Errors
/// When the database fails.
pub async fn recompute<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    rule: &deadline_rule::Model,
    organization: OrganizationId,
) -> Result<i32> {
    let open = deadline::Entity::find()
        .filter(deadline::Column::RuleCode.eq(&rule.code))
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .filter(
            deadline::Column::CaseId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(case::Column::Id)
                    .from(case::Entity)
                    .and_where(case::Column::MunicipalityId.eq(organization))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    // Every case here is the organization's: its calendar and cadence are loaded once.
    let (calendar, cadence) = municipality_facts(db, organization).await?;
    let mut changed = 0;
    for d in open {
        let case = case::Entity::find_by_id(d.case_id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a deadline's case is missing"))?;
        let facts = case_facts(db, case, calendar.clone(), cadence).await?;
        let mut event = Event::new(d.case_id, rule.start_event, d.started_at);
        event.filter = rule.start_filter.clone();
        event.sector = d.sector;
        if let Some(m) = d.meeting_id {
            let starts = kit_entity::entities::meeting::Entity::find_by_id(m)
                .one(db)
                .await?
                .and_then(|m| m.starts_at);
            event.meeting = Some((m, starts));
        }
        event.agreement = d.agreement_id;
        let agreement_due = match d.agreement_id {
            Some(id) => agreement::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|a| a.due_on),
            None => None,
        };
        let Some((_, due)) = due_for(rule, &event, &facts, agreement_due) else {
            continue;
        };
        if d.rule_id == rule.id && d.due_at == due {
            continue;
        }
        let next = next_stage(rule, due, &facts.calendar, None, now);
        let status = if d.status == DeadlineStatus::Missed && due > now {
            DeadlineStatus::Pending
        } else {
            d.status
        };
        deadline::Entity::update_many()
            .col_expr(deadline::Column::RuleId, Expr::value(rule.id))
            .col_expr(deadline::Column::DueAt, Expr::value(due))
            .col_expr(deadline::Column::Status, Expr::value(status))
            .col_expr(
                deadline::Column::NextActionAt,
                Expr::value(next.map(|(_, at)| at)),
            )
            .col_expr(
                deadline::Column::NextStage,
                Expr::value(next.map(|(s, _)| s)),
            )
            .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
            .filter(deadline::Column::Id.eq(d.id))
            .exec(db)
            .await?;
        changed += 1;
    }
    Ok(changed)
}

/// The text of a notification: (subject, body), in `language`.
#[must_use]
pub fn notification_text(
    kind: NotificationKind,
    rule: &deadline_rule::Model,
    reference: &str,
    due: DateTime<Utc>,
    language: kit_entity::domain::enums::Language,
    link: &str,
) -> (String, String) {
    use kit_entity::domain::enums::Language;
    let when = local(due);
    // A deadline at midnight is the end of the day before: say so, not "00:00".
    let end_of_day = when.time() == chrono::NaiveTime::MIN;
    let day = if end_of_day {
        when.date().pred_opt().unwrap_or(when.date())
    } else {
        when.date()
    };
    let date = day.format("%d-%m-%Y").to_string();
    let time = when.time().format("%H:%M").to_string();
    match language {
        Language::Da => {
            let name = &rule.name_da;
            let at = if end_of_day {
                format!("ved udgangen af {date}")
            } else {
                format!("{date} kl. {time}")
            };
            let (prefix, line) = match kind {
                NotificationKind::Reminder => ("Påmindelse", format!("Fristen udløber {at}.")),
                NotificationKind::Due => (
                    "Frist overskredet",
                    format!("Fristen udløb {at} og er ikke overholdt."),
                ),
                NotificationKind::Escalation => (
                    "Eskaleret frist",
                    format!(
                        "Fristen udløb {at} og er stadig ikke overholdt. Du får besked som leder af enheden."
                    ),
                ),
            };
            (
                format!("{prefix}: {name} – sag {reference}"),
                format!("{name}\nSag {reference}\n{line}\n\nSe sagen i KIT: {link}"),
            )
        }
        Language::En => {
            let name = &rule.name_en;
            let at = if end_of_day {
                format!("the end of {date}")
            } else {
                format!("{date} at {time}")
            };
            let (prefix, line) = match kind {
                NotificationKind::Reminder => ("Reminder", format!("The deadline is {at}.")),
                NotificationKind::Due => (
                    "Deadline missed",
                    format!("The deadline was {at} and is not met."),
                ),
                NotificationKind::Escalation => (
                    "Escalated deadline",
                    format!(
                        "The deadline was {at} and is still not met. You are told as the leader of the unit."
                    ),
                ),
            };
            (
                format!("{prefix}: {name} – case {reference}"),
                format!("{name}\nCase {reference}\n{line}\n\nSee the case in KIT: {link}"),
            )
        }
    }
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
    fn notification_texts_say_the_end_of_the_day_in_the_reader_s_language() {
        use kit_entity::domain::enums::{Language, RuleAnchor, RuleEvent};
        let rule = deadline_rule::Model {
            id: kit_entity::ids::DeadlineRuleId(1),
            organization_id: None,
            code: "start-meeting".into(),
            version: 1,
            name_da: "Opstartsmødet holdes inden for 20 arbejdsdage".into(),
            name_en: "The start meeting is held within 20 working days".into(),
            description: String::new(),
            start_event: RuleEvent::IntakeAccepted,
            start_filter: None,
            anchor: RuleAnchor::Event,
            offset_value: 20,
            offset_unit: OffsetUnit::WorkingDays,
            met_by_event: RuleEvent::MeetingHeld,
            met_by_filter: Some("START".into()),
            per_sector: false,
            alert_to: AlertTo::IntakeUnit,
            alert_sector: None,
            reminders: "[]".into(),
            escalate_after_working_days: Some(3),
            superseded_at: None,
            created_by_id: None,
            created_at: cph(2026, 1, 1, 0),
        };
        let due = cph(2026, 12, 22, 0);
        let (subject, body) = notification_text(
            NotificationKind::Due,
            &rule,
            "KIT-2026-000001",
            due,
            Language::Da,
            "https://kit.example",
        );
        assert_eq!(
            subject,
            "Frist overskredet: Opstartsmødet holdes inden for 20 arbejdsdage – sag KIT-2026-000001"
        );
        assert!(
            body.contains("Fristen udløb ved udgangen af 21-12-2026 og er ikke overholdt."),
            "{body}"
        );
        let (subject, body) = notification_text(
            NotificationKind::Reminder,
            &rule,
            "KIT-2026-000001",
            cph(2026, 11, 24, 9),
            Language::En,
            "https://kit.example",
        );
        assert!(
            subject.starts_with("Reminder: The start meeting"),
            "{subject}"
        );
        assert!(
            body.contains("The deadline is 24-11-2026 at 09:00."),
            "{body}"
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
