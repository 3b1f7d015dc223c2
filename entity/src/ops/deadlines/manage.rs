//! Deadlines as people change them: waiving one, editing a rule (a new version), recomputing
//! running deadlines, closure days, reading notifications, and the timeliness report.

use std::collections::{BTreeMap, HashMap};

use crate::domain::calendar::start_of_day;
use crate::domain::enums::{AlertTo, DeadlineStatus, OffsetUnit, RuleAnchor, Sector};
use crate::domain::figures::nearest_rank;
use crate::domain::timeliness::status_at;
use crate::domain::validate;
use crate::entities::{
    case, closure_day, deadline, deadline_recompute, deadline_rule, notification, organization,
};
use crate::ids::{ClosureDayId, DeadlineId, NotificationId, OrganizationId};
use crate::ops::deadlines::{self, Offset};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder,
};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;

/// Waives a running or missed deadline: a person decided it is not owed, and says why.
///
/// # Errors
/// [`Error::NotFound`] for an unknown or invisible deadline, [`Error::Forbidden`] for someone
/// who does not manage its case, [`Error::Conflict`] for one already met, waived or withdrawn.
pub async fn waive(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DeadlineId,
    reason: &str,
) -> Result<deadline::Model> {
    let not_found = || Error::not_found("deadline").at("deadlineId");
    let d = deadline::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (_, access) = change_access(txn, actor, d.case_id, now, &[ChildData::Deadlines])
        .await
        .map_err(|_| not_found())?;
    access.require_manage()?;
    let reason = validate::long_text("reason", reason)?;
    crate::ops::deadlines::waive(txn, now, d, actor.id(), reason).await
}

/// What an edit of a rule changes; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct RuleChange {
    /// Danish name.
    pub name_da: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Description with its source.
    pub description: Option<String>,
    /// Offset value and unit.
    pub offset: Option<(i32, OffsetUnit)>,
    /// Reminders before the due time.
    pub reminders: Option<Vec<Offset>>,
    /// Escalation after N working days; `Some(None)` turns it off.
    pub escalate_after_working_days: Option<Option<i32>>,
    /// Who is alerted, with the sector for RESPONSIBLE_CONTACT.
    pub alert: Option<(AlertTo, Option<Sector>)>,
}

async fn organization_for_rules<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: OrganizationId,
) -> Result<organization::Model> {
    let org = organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::invalid("organizationId", "no organization has this id"))?;
    actor.require_admin_of(org.id)?;
    Ok(org)
}

async fn rule_in_force<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
    code: &str,
) -> Result<deadline_rule::Model> {
    deadlines::rules_in_force(db, organization)
        .await?
        .into_iter()
        .find(|r| r.code == code)
        .ok_or_else(|| Error::invalid("code", "no deadline rule has this code"))
}

fn check_offset(rule: &deadline_rule::Model, value: i32, unit: OffsetUnit) -> Result<()> {
    let field = "offset";
    let limit = match unit {
        OffsetUnit::Hours => 24 * 366,
        OffsetUnit::CalendarDays | OffsetUnit::WorkingDays => 366,
        OffsetUnit::Months => 36,
        OffsetUnit::Cadence => 12,
    };
    if value.abs() > limit {
        return Err(Error::invalid(
            field,
            format!("must be within ±{limit} of its unit"),
        ));
    }
    let before_allowed = matches!(
        rule.anchor,
        RuleAnchor::MeetingStart
            | RuleAnchor::ConsentExpiry
            | RuleAnchor::SeatAnswerBy
            | RuleAnchor::DischargeDate
    );
    if value < 0 && !before_allowed {
        return Err(Error::invalid(
            field,
            "only deadlines counted from a meeting's start, a consent's end, a seat offer's \
             answer-by day or a discharge day may fall before it",
        ));
    }
    if value == 0 && rule.anchor == RuleAnchor::Event {
        return Err(Error::invalid(
            field,
            "a deadline counted from its event needs a positive offset",
        ));
    }
    Ok(())
}

fn check_reminders(reminders: &[Offset]) -> Result<()> {
    if reminders.len() > 5 {
        return Err(Error::invalid("reminders", "at most 5 reminders"));
    }
    for (i, r) in reminders.iter().enumerate() {
        let field = format!("reminders[{i}].value");
        if r.value <= 0 {
            return Err(Error::invalid(
                field,
                "must be positive: reminders come before the due time",
            ));
        }
        if r.unit == OffsetUnit::Cadence {
            return Err(Error::invalid(
                format!("reminders[{i}].unit"),
                "a reminder cannot be counted in follow-up cadences",
            ));
        }
        if r.value > 366 {
            return Err(Error::invalid(field, "must be at most 366"));
        }
    }
    Ok(())
}

fn check_alert(rule: &deadline_rule::Model, to: AlertTo, sector: Option<Sector>) -> Result<()> {
    let field = "alertTo";
    match to {
        AlertTo::ResponsibleContact if sector.is_none() => Err(Error::invalid(
            "alertSector",
            "say which sector's responsible contact is alerted",
        )),
        AlertTo::SectorContact if !rule.per_sector => Err(Error::invalid(
            field,
            "SECTOR_CONTACT is for rules with one deadline per sector",
        )),
        AlertTo::AgreementOwner if rule.anchor != RuleAnchor::AgreementDue => Err(Error::invalid(
            field,
            "AGREEMENT_OWNER is for deadlines about an agreement",
        )),
        _ if sector == Some(Sector::Family) => Err(Error::invalid(
            "alertSector",
            "alerts go to a professional sector, not FAMILY",
        )),
        _ => Ok(()),
    }
}

/// Edits the rule `code` for an organization: a new version, in force for deadlines that
/// start from now on. The version it replaces is kept, marked superseded; running deadlines
/// keep it until [`recompute`].
///
/// # Errors
/// [`Error::Forbidden`] for anyone but the organization's administrators,
/// [`Error::Validation`] naming the field for an unknown code or values that do not fit.
pub async fn update_rule(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    organization_id: OrganizationId,
    code: &str,
    change: RuleChange,
) -> Result<deadline_rule::Model> {
    let org = organization_for_rules(txn, actor, organization_id).await?;
    let current = rule_in_force(txn, org.id, code).await?;
    let name_da = validate::optional("nameDa", change.name_da.as_deref(), validate::short_text)?
        .unwrap_or_else(|| current.name_da.clone());
    let name_en = validate::optional("nameEn", change.name_en.as_deref(), validate::short_text)?
        .unwrap_or_else(|| current.name_en.clone());
    let description = validate::optional(
        "description",
        change.description.as_deref(),
        validate::long_text,
    )?
    .unwrap_or_else(|| current.description.clone());
    let (offset_value, offset_unit) = change
        .offset
        .unwrap_or((current.offset_value, current.offset_unit));
    check_offset(&current, offset_value, offset_unit)?;
    let reminders = match change.reminders {
        Some(r) => {
            check_reminders(&r)?;
            serde_json::to_string(&r).map_err(Error::internal)?
        }
        None => current.reminders.clone(),
    };
    let escalate = match change.escalate_after_working_days {
        Some(Some(n)) if !(1..=60).contains(&n) => {
            return Err(Error::invalid(
                "escalateAfterWorkingDays",
                "must be between 1 and 60, or null for no escalation",
            ));
        }
        Some(v) => v,
        None => current.escalate_after_working_days,
    };
    let (alert_to, alert_sector) = change
        .alert
        .unwrap_or((current.alert_to, current.alert_sector));
    check_alert(&current, alert_to, alert_sector)?;
    let alert_sector = if alert_to == AlertTo::ResponsibleContact {
        alert_sector
    } else {
        None
    };
    if current.organization_id == Some(org.id) {
        let superseded = deadline_rule::Entity::update_many()
            .col_expr(deadline_rule::Column::SupersededAt, Expr::value(Some(now)))
            .filter(deadline_rule::Column::Id.eq(current.id))
            .filter(deadline_rule::Column::SupersededAt.is_null())
            .exec(txn)
            .await?;
        if superseded.rows_affected != 1 {
            return Err(Error::conflict(
                "the rule was edited at the same time; reload and try again",
            ));
        }
    }
    let inserted = deadline_rule::ActiveModel {
        id: NotSet,
        organization_id: Set(Some(org.id)),
        code: Set(current.code.clone()),
        version: Set(current.version + 1),
        name_da: Set(name_da),
        name_en: Set(name_en),
        description: Set(description),
        start_event: Set(current.start_event),
        start_filter: Set(current.start_filter.clone()),
        anchor: Set(current.anchor),
        offset_value: Set(offset_value),
        offset_unit: Set(offset_unit),
        met_by_event: Set(current.met_by_event),
        met_by_filter: Set(current.met_by_filter.clone()),
        per_sector: Set(current.per_sector),
        alert_to: Set(alert_to),
        alert_sector: Set(alert_sector),
        reminders: Set(reminders),
        escalate_after_working_days: Set(escalate),
        superseded_at: Set(None),
        created_by_id: Set(Some(actor.id())),
        created_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(
            &crate::domain::unique::ONE_CURRENT_RULE,
            "the rule was edited at the same time; reload and try again",
        )
    })?;
    Ok(inserted)
}

/// Moves the organization's running deadlines of rule `code` to the version in force, with
/// the current calendar, and logs that it did.
///
/// # Errors
/// [`Error::Forbidden`] for anyone but the organization's administrators;
/// [`Error::Validation`] for an unknown code.
pub async fn recompute(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    organization_id: OrganizationId,
    code: &str,
) -> Result<deadline_recompute::Model> {
    let org = organization_for_rules(txn, actor, organization_id).await?;
    let rule = rule_in_force(txn, org.id, code).await?;
    let changed = deadlines::recompute(txn, now, &rule, org.id).await?;
    Ok(deadline_recompute::ActiveModel {
        id: NotSet,
        rule_id: Set(rule.id),
        organization_id: Set(org.id),
        recomputed: Set(changed),
        recomputed_by_id: Set(actor.id()),
        recomputed_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Adds a closure day to an organization's working-day calendar. Deadlines computed from now
/// on skip it; running ones move when recomputed.
///
/// # Errors
/// [`Error::Forbidden`] for anyone but its administrators; [`Error::Conflict`] when the day
/// is a closure day already.
pub async fn add_closure_day(
    txn: &DatabaseTransaction,
    actor: &Actor,
    organization_id: OrganizationId,
    date: NaiveDate,
    name: &str,
) -> Result<closure_day::Model> {
    let org = organization_for_rules(txn, actor, organization_id).await?;
    let name = validate::name("name", name)?;
    closure_day::ActiveModel {
        id: NotSet,
        organization_id: Set(org.id),
        date: Set(date),
        name: Set(name),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(
            &crate::domain::unique::ONE_CLOSURE_DAY,
            "this day is a closure day already",
        )
    })
}

/// Removes a closure day.
///
/// # Errors
/// [`Error::NotFound`] for an unknown day; [`Error::Forbidden`] for anyone but the
/// organization's administrators.
pub async fn remove_closure_day(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: ClosureDayId,
) -> Result<closure_day::Model> {
    let day = closure_day::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("closure day").at("closureDayId"))?;
    actor.require_admin_of(day.organization_id)?;
    day.clone().delete(txn).await?;
    Ok(day)
}

/// Marks the actor's notifications read: the given ones, or all of them. Returns the given
/// ones as they are now (none when all were marked).
///
/// # Errors
/// [`Error::Validation`] when an id is not one of the actor's notifications.
pub async fn mark_read(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    ids: Option<Vec<NotificationId>>,
) -> Result<Vec<notification::Model>> {
    if let Some(ids) = &ids {
        let mine = notification::Entity::find()
            .filter(notification::Column::RecipientId.eq(actor.id()))
            .filter(notification::Column::Id.is_in(ids.iter().copied()))
            .all(txn)
            .await?;
        if let Some(i) = ids.iter().position(|id| !mine.iter().any(|n| n.id == *id)) {
            return Err(Error::invalid(
                format!("notificationIds[{i}]"),
                "is not one of your notifications",
            ));
        }
    }
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(now)))
        .filter(notification::Column::RecipientId.eq(actor.id()))
        .filter(notification::Column::ReadAt.is_null())
        .filter(match &ids {
            Some(ids) => notification::Column::Id.is_in(ids.iter().copied()),
            None => notification::Column::Id.is_not_null(),
        })
        .exec(txn)
        .await?;
    let Some(ids) = ids else {
        return Ok(Vec::new());
    };
    Ok(notification::Entity::find()
        .filter(notification::Column::Id.is_in(ids))
        .order_by_desc(notification::Column::Id)
        .all(txn)
        .await?)
}

/// One rule's figures in a timeliness report.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTimeliness {
    /// The rule's code.
    pub code: String,
    /// The rule in force for the organization (for its names).
    pub rule: deadline_rule::Model,
    /// Met no later than due.
    pub met_on_time: u64,
    /// Met after it was due.
    pub met_late: u64,
    /// Due and still not met.
    pub missed: u64,
    /// Not yet due and not met.
    pub open: u64,
    /// Set aside by a person.
    pub waived: u64,
    /// `met_on_time / (met_on_time + met_late + missed)`; none when nothing has been decided.
    pub share_on_time: Option<f64>,
    /// The median delay past due, in hours, over the decided deadlines (on time counts 0),
    /// by nearest rank ([`crate::domain::figures`]).
    pub median_delay_hours: Option<f64>,
    /// The 90th-percentile delay past due, in hours, by nearest rank.
    pub p90_delay_hours: Option<f64>,
}

/// The timeliness of an organization's cases: every deadline of its cases due in
/// `[from, to]` (Copenhagen dates), per rule code. A deadline met on time has delay 0; one met
/// late, the time from due to met; one missed, the time from due to now (or to the end of the
/// period, if earlier). Withdrawn deadlines are not counted.
///
/// # Errors
/// [`Error::Forbidden`] for anyone outside the organization; [`Error::Validation`] for a
/// period that ends before it starts or spans more than ten years.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    organization_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RuleTimeliness>> {
    let org = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::invalid("organizationId", "no organization has this id"))?;
    if actor.organization_id != org.id {
        return Err(Error::forbidden(
            "only the organization's own people may see its timeliness",
        ));
    }
    if to < from {
        return Err(Error::invalid("to", "must not be before `from`"));
    }
    if (to - from).num_days() > 3660 {
        return Err(Error::invalid("to", "a report spans at most ten years"));
    }
    let start = start_of_day(from);
    let end = start_of_day(to.succ_opt().unwrap_or(to));
    let rows = deadline::Entity::find()
        .filter(
            deadline::Column::CaseId.in_subquery(
                Query::select()
                    .column(case::Column::Id)
                    .from(case::Entity)
                    .and_where(case::Column::MunicipalityId.eq(org.id))
                    .to_owned(),
            ),
        )
        .filter(deadline::Column::DueAt.gte(start))
        .filter(deadline::Column::DueAt.lt(end))
        .filter(deadline::Column::Status.ne(DeadlineStatus::Withdrawn))
        .all(db)
        .await?;
    let rules: HashMap<String, deadline_rule::Model> = deadlines::rules_in_force(db, org.id)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let mut by_code: BTreeMap<String, (Vec<deadline::Model>, Vec<i64>)> = rules
        .keys()
        .map(|c| (c.clone(), (Vec::new(), Vec::new())))
        .collect();
    let horizon = now.min(end);
    for mut d in rows {
        // As things are now, not as far as the worker has come: past due and not met is
        // missed whether or not the due alert has gone out.
        d.status = status_at(&d, now);
        let entry = by_code.entry(d.rule_code.clone()).or_default();
        let delay = match (d.status, d.met_at) {
            (DeadlineStatus::Met, Some(met)) => Some((met - d.due_at).max(TimeDelta::zero())),
            (DeadlineStatus::Missed, _) => Some((horizon - d.due_at).max(TimeDelta::zero())),
            _ => None,
        };
        if let Some(delay) = delay {
            entry.1.push(delay.num_seconds());
        }
        entry.0.push(d);
    }
    let mut out = Vec::new();
    for (code, (rows, mut delays)) in by_code {
        let Some(rule) = rules.get(&code).cloned() else {
            continue;
        };
        let count =
            |f: &dyn Fn(&deadline::Model) -> bool| rows.iter().filter(|d| f(d)).count() as u64;
        let met_on_time =
            count(&|d| d.status == DeadlineStatus::Met && d.met_at.is_some_and(|m| m <= d.due_at));
        let met_late =
            count(&|d| d.status == DeadlineStatus::Met && d.met_at.is_some_and(|m| m > d.due_at));
        let missed = count(&|d| d.status == DeadlineStatus::Missed);
        let open = count(&|d| d.status == DeadlineStatus::Pending);
        let waived = count(&|d| d.status == DeadlineStatus::Waived);
        let decided = met_on_time + met_late + missed;
        delays.sort_unstable();
        let hours: Vec<f64> = delays.iter().map(|s| *s as f64 / 3600.0).collect();
        out.push(RuleTimeliness {
            code,
            rule,
            met_on_time,
            met_late,
            missed,
            open,
            waived,
            share_on_time: (decided > 0).then(|| met_on_time as f64 / decided as f64),
            median_delay_hours: nearest_rank(&hours, 50),
            p90_delay_hours: nearest_rank(&hours, 90),
        });
    }
    Ok(out)
}
