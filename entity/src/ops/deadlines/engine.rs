//! Domain events as deadlines see them: each event meets the deadlines it meets and starts
//! those it starts, in the event's own transaction; undone events withdraw theirs.

use std::collections::HashMap;

use crate::domain::enums::{DeadlineStatus, RuleAnchor, RuleEvent, Sector};
use crate::entities::{agreement, case, deadline, deadline_rule};
use crate::ids::{CaseId, MeetingId, OrganizationId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::event::Event;
use super::facts::{
    CaseFacts, active_contacts, case_facts, facts, municipality_facts, sectors_for,
};
use super::recipients::{Responsible, responsible};
use super::rules::{rule_filter_matches, rules_in_force};
use super::timing::{due_for, next_stage, progress, resume};

/// Applies a domain event to the case's deadlines, on the event's own transaction: meets
/// those it meets, then starts those it starts.
///
/// # Errors
/// When the database fails.
pub async fn on_event<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, event: &Event) -> Result<()> {
    meet(db, now, event).await?;
    start(db, now, event).await?;
    if matches!(
        event.kind,
        RuleEvent::ContactAssigned | RuleEvent::InterventionLeadAssigned
    ) {
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
    let mut rules: HashMap<crate::ids::DeadlineRuleId, deadline_rule::Model> = HashMap::new();
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
        if now_responsible
            != (Responsible {
                person: d.responsible_id,
                unit: d.responsible_unit_id,
            })
        {
            deadline::Entity::update_many()
                .col_expr(
                    deadline::Column::ResponsibleId,
                    Expr::value(now_responsible.person),
                )
                .col_expr(
                    deadline::Column::ResponsibleUnitId,
                    Expr::value(now_responsible.unit),
                )
                .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
                .filter(deadline::Column::Id.eq(d.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn meet<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    event: &Event,
) -> Result<()> {
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
        if rule.anchor == RuleAnchor::ConsentExpiry
            && (!d
                .subject
                .starts_with(&consent_subject(event.filter.as_deref(), None))
                || event.consent.is_some_and(|(c, _)| {
                    d.subject == consent_subject(event.filter.as_deref(), Some(c))
                }))
        {
            // A consent's expiry is met by a new consent for the same purpose.
            continue;
        }
        if rule.anchor == RuleAnchor::SeatAnswerBy
            && event
                .seat_offer
                .is_none_or(|(entry, _)| d.subject != seat_offer_subject(entry))
        {
            // A seat offer's answer meets that offer's deadline only.
            continue;
        }
        if rule.start_event == RuleEvent::ChildAge && rule.met_by_event == RuleEvent::MeetingHeld {
            // One transition meeting meets one transition milestone: the earliest open one.
            if transition_met {
                continue;
            }
            transition_met = true;
        }
        settle(DeadlineStatus::Met, now)
            .col_expr(deadline::Column::MetAt, Expr::value(Some(event.at)))
            .filter(deadline::Column::Id.eq(d.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The subject of the deadline to answer the seat offered to a waiting-list entry:
/// `seat-offer:<entry id>`.
#[must_use]
pub fn seat_offer_subject(entry: crate::ids::WaitingEntryId) -> String {
    format!("seat-offer:{entry}")
}

/// The subject of the deadline to hand a discharged child back to the municipality:
/// `discharge:<id>`.
#[must_use]
pub fn discharge_subject(discharge: crate::ids::DischargeId) -> String {
    format!("discharge:{discharge}")
}

/// The subject of a deadline about a consent: `consent:<PURPOSE>:<id>` (the prefix alone
/// without an id), so that a new consent for the same purpose finds it.
#[must_use]
pub fn consent_subject(purpose: Option<&str>, consent: Option<crate::ids::ConsentId>) -> String {
    let purpose = purpose.unwrap_or_default();
    match consent {
        Some(id) => format!("consent:{purpose}:{id}"),
        None => format!("consent:{purpose}:"),
    }
}

pub(crate) async fn start<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    event: &Event,
) -> Result<()> {
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
            _ if rule.anchor == RuleAnchor::SeatAnswerBy => match event.seat_offer {
                Some((entry, _)) => seat_offer_subject(entry),
                None => continue,
            },
            _ if rule.anchor == RuleAnchor::DischargeDate => match event.discharge {
                Some((discharge, _)) => discharge_subject(discharge),
                None => continue,
            },
            _ if rule.anchor == RuleAnchor::ConsentExpiry => {
                consent_subject(event.filter.as_deref(), event.consent.map(|(c, _)| c))
            }
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
pub(crate) async fn create<C: ConnectionTrait>(
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
            let done = progress(db, &existing).await?;
            let next = resume(rule, due, &facts.calendar, done, now);
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
    // Already satisfied when it starts: a sector that has its responsible contact, a case
    // that has its intervention lead.
    let satisfied = match rule.met_by_event {
        RuleEvent::ContactAssigned => {
            sector.is_some()
                && active_contacts(db, event.case_id)
                    .await?
                    .iter()
                    .any(|c| Some(c.sector) == sector)
        }
        RuleEvent::InterventionLeadAssigned => has_lead(db, event.case_id).await?,
        _ => false,
    };
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
        responsible_id: Set(responsible.person),
        responsible_unit_id: Set(responsible.unit),
        alert_error: Set(None),
        alert_failed_at: Set(None),
        alert_attempts: Set(0),
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

/// Withdraws the open deadline of an agreement that was cancelled.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_agreement<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    agreement: crate::ids::AgreementId,
) -> Result<()> {
    withdraw(db, now, deadline::Column::AgreementId.eq(agreement)).await
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

/// Withdraws the open deadline about a consent that was withdrawn: its expiry no longer
/// matters.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_consent<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
    purpose: &str,
    consent: crate::ids::ConsentId,
) -> Result<()> {
    withdraw(
        db,
        now,
        Condition::all()
            .add(deadline::Column::CaseId.eq(case_id))
            .add(deadline::Column::Subject.eq(consent_subject(Some(purpose), Some(consent))))
            .into(),
    )
    .await
}

/// Withdraws the open deadline to answer the seat offered to a waiting-list entry, when the
/// entry is taken off the list before the family answered.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_seat_offer<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
    entry: crate::ids::WaitingEntryId,
) -> Result<()> {
    withdraw(
        db,
        now,
        Condition::all()
            .add(deadline::Column::CaseId.eq(case_id))
            .add(deadline::Column::Subject.eq(seat_offer_subject(entry)))
            .into(),
    )
    .await
}

/// Withdraws the open deadline of a discharge that was called off.
///
/// # Errors
/// When the database fails.
pub async fn withdraw_for_discharge<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    case_id: CaseId,
    discharge: crate::ids::DischargeId,
) -> Result<()> {
    withdraw(
        db,
        now,
        Condition::all()
            .add(deadline::Column::CaseId.eq(case_id))
            .add(deadline::Column::Subject.eq(discharge_subject(discharge)))
            .into(),
    )
    .await
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

/// The update that ends a deadline's course as `status` (met, waived, withdrawn) at `now`:
/// nothing is left for the sweeper to send. The caller adds who and when, and which rows.
fn settle(status: DeadlineStatus, now: DateTime<Utc>) -> sea_orm::UpdateMany<deadline::Entity> {
    deadline::Entity::update_many()
        .col_expr(deadline::Column::Status, Expr::value(status))
        .col_expr(
            deadline::Column::NextActionAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            deadline::Column::NextStage,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(deadline::Column::UpdatedAt, Expr::value(now))
}

pub(crate) async fn withdraw<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<()> {
    settle(DeadlineStatus::Withdrawn, now)
        .col_expr(deadline::Column::WithdrawnAt, Expr::value(Some(now)))
        .filter(which)
        .filter(deadline::Column::Status.is_in([DeadlineStatus::Pending, DeadlineStatus::Missed]))
        .exec(db)
        .await?;
    Ok(())
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
            let starts = crate::entities::meeting::Entity::find_by_id(m)
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
        // What was sent stays sent: the deadline resumes after its furthest stage.
        let done = progress(db, &d).await?;
        let next = resume(rule, due, &facts.calendar, done, now);
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

/// Sets a deadline aside: a person decided it is not owed, and says why (already checked by the
/// caller). Only a running (PENDING) or MISSED deadline can be waived; it then has no stage
/// ahead.
///
/// # Errors
/// [`Error::Conflict`] for one met, waived or withdrawn meanwhile; database errors.
pub async fn waive<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    d: deadline::Model,
    by: crate::ids::ProfessionalId,
    reason: String,
) -> Result<deadline::Model> {
    let waivable = [DeadlineStatus::Pending, DeadlineStatus::Missed];
    let changed = settle(DeadlineStatus::Waived, now)
        .col_expr(deadline::Column::WaivedAt, Expr::value(Some(now)))
        .col_expr(deadline::Column::WaivedById, Expr::value(Some(by)))
        .col_expr(
            deadline::Column::WaiveReason,
            Expr::value(Some(reason.clone())),
        )
        .filter(deadline::Column::Id.eq(d.id))
        .filter(deadline::Column::Status.is_in(waivable))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Err(Error::conflict(
            "only a PENDING or MISSED deadline can be waived",
        ));
    }
    Ok(deadline::Model {
        status: DeadlineStatus::Waived,
        waived_at: Some(now),
        waived_by_id: Some(by),
        waive_reason: Some(reason),
        next_action_at: None,
        next_stage: None,
        updated_at: now,
        ..d
    })
}

/// True when the case has an active intervention lead.
async fn has_lead<C: ConnectionTrait>(db: &C, case_id: CaseId) -> Result<bool> {
    use crate::domain::enums::ParticipantRole;
    use crate::entities::participant;
    use sea_orm::PaginatorTrait;
    Ok(participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Role.eq(ParticipantRole::InterventionLead))
        .filter(participant::Column::ActiveUntil.is_null())
        .count(db)
        .await?
        > 0)
}
