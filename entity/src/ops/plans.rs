//! The cross-sector plan and the pathway's recorded events: agreements (who does what by
//! when) and events such as information shared before a network meeting. Each starts or
//! meets deadlines in its own transaction.

use crate::domain::enums::{AgreementStatus, CaseEventKind, PlanItemKind, RuleEvent, Sector};
use crate::domain::validate;
use crate::entities::{
    agreement, case_event, meeting, participant, plan_agreement, plan_item, plan_version,
};
use crate::ids::{AgendaItemId, AgreementId, CaseId, DischargeId, MeetingId, ParticipantId};
use crate::ops::deadlines::{self, Event};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;
use crate::ops::case_row::{require_meeting_of, touch};

/// A pathway event to record.
#[derive(Debug, Clone)]
pub struct RecordEvent {
    /// The case the event happened in.
    pub case_id: CaseId,
    /// What happened.
    pub kind: CaseEventKind,
    /// The sector it concerns; required for INFORMATION_SHARED.
    pub sector: Option<Sector>,
    /// The meeting it concerns.
    pub meeting_id: Option<MeetingId>,
    /// Free text recorded with the event.
    pub note: Option<String>,
    /// When it happened; default now.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Records a pathway event on an open case the actor manages.
///
/// # Errors
/// [`Error::Validation`] for a missing sector, a meeting of another case, a time in the
/// future; [`Error::Forbidden`] and [`Error::Conflict`] as for every change to a case.
pub async fn record_event(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: RecordEvent,
) -> Result<case_event::Model> {
    let (case, access) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    case.status.require_open()?;
    if cmd.kind == CaseEventKind::InformationShared && cmd.sector.is_none() {
        return Err(Error::invalid(
            "sector",
            "say which sector shared the information",
        ));
    }
    if cmd.sector == Some(Sector::Family) {
        return Err(Error::invalid(
            "sector",
            "information is shared by a professional sector, not FAMILY",
        ));
    }
    require_meeting_of(txn, case.id, cmd.meeting_id).await?;
    let at = cmd.occurred_at.unwrap_or(now);
    if at > now {
        return Err(Error::invalid("occurredAt", "must not be in the future"));
    }
    let note = validate::optional("note", cmd.note.as_deref(), validate::long_text)?;
    let row = case_event::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        kind: Set(cmd.kind),
        sector: Set(cmd.sector),
        meeting_id: Set(cmd.meeting_id),
        note: Set(note),
        recorded_by_id: Set(actor.id()),
        recorded_at: Set(at),
    }
    .insert(txn)
    .await?;
    let mut event =
        Event::new(case.id, RuleEvent::CaseEvent, at).filtered(cmd.kind.as_str().to_owned());
    event.sector = cmd.sector;
    if let Some(m) = cmd.meeting_id {
        event = event.meeting(m, None);
    }
    deadlines::on_event(txn, now, &event).await?;
    let specific = match cmd.kind {
        CaseEventKind::InformationShared => Some(RuleEvent::InformationShared),
        CaseEventKind::PlanShared => Some(RuleEvent::PlanShared),
        _ => None,
    };
    if let Some(kind) = specific {
        deadlines::on_event(
            txn,
            now,
            &Event {
                kind,
                filter: None,
                ..event
            },
        )
        .await?;
    }
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// An agreement to add to the plan.
#[derive(Debug, Clone)]
pub struct AddAgreement {
    /// The case whose plan the agreement joins.
    pub case_id: CaseId,
    /// The meeting it was made at.
    pub meeting_id: Option<MeetingId>,
    /// What is to be done.
    pub description: String,
    /// Who is responsible: an active professional participant.
    pub owner_id: ParticipantId,
    /// By when.
    pub due_on: NaiveDate,
    /// The discharge from child psychiatry it is made for: what the municipality does after
    /// the child comes home.
    pub after_discharge: Option<DischargeId>,
    /// The agenda item of `meeting_id` it was agreed under.
    pub agenda_item: Option<AgendaItemId>,
}

/// Adds an agreement to the case's plan; its owner is reminded before it is due.
///
/// # Errors
/// [`Error::Validation`] for an owner who is not an active professional of the case, a due
/// date in the past or a meeting of another case.
pub async fn add_agreement(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: AddAgreement,
) -> Result<agreement::Model> {
    let (case, access) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    case.status.require_open()?;
    let description = validate::long_text("description", &cmd.description)?;
    let owner = participant::Entity::find_by_id(cmd.owner_id)
        .one(txn)
        .await?
        .filter(|p| p.case_id == case.id && p.is_active() && p.professional_id.is_some())
        .ok_or_else(|| {
            Error::invalid(
                "ownerId",
                "the owner must be an active professional participant of this case",
            )
        })?;
    require_meeting_of(txn, case.id, cmd.meeting_id).await?;
    if let Some(item) = cmd.agenda_item {
        crate::entities::agenda_item::Entity::find_by_id(item)
            .one(txn)
            .await?
            .filter(|a| Some(a.meeting_id) == cmd.meeting_id)
            .ok_or_else(|| {
                Error::invalid(
                    "agendaItemId",
                    "no agenda item of the agreement's meeting has this id",
                )
            })?;
    }
    if cmd.due_on < crate::domain::calendar::local_date(now) {
        return Err(Error::invalid("dueOn", "must not be in the past"));
    }
    if let Some(discharge) = cmd.after_discharge {
        require_after_discharge(txn, case.id, discharge, &owner, cmd.due_on).await?;
    }
    let row = agreement::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        meeting_id: Set(cmd.meeting_id),
        description: Set(description),
        owner_id: Set(cmd.owner_id),
        due_on: Set(cmd.due_on),
        status: Set(AgreementStatus::Open),
        completed_at: Set(None),
        cancelled_at: Set(None),
        cancel_reason: Set(None),
        after_discharge_id: Set(cmd.after_discharge),
        agenda_item_id: Set(cmd.agenda_item),
        created_by_id: Set(actor.id()),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    deadlines::on_event(
        txn,
        now,
        &Event::new(case.id, RuleEvent::AgreementCreated, now).agreement(row.id),
    )
    .await?;
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// Checks that an agreement for after `discharge` fits: the discharge is the case's and not
/// called off, the owner acts for the municipality, and it is due on or after the day.
///
/// # Errors
/// [`Error::Validation`] naming `afterDischargeId`, `ownerId` or `dueOn`.
async fn require_after_discharge<C: sea_orm::ConnectionTrait>(
    db: &C,
    case_id: CaseId,
    discharge: DischargeId,
    owner: &participant::Model,
    due_on: NaiveDate,
) -> Result<()> {
    let row = crate::entities::discharge::Entity::find_by_id(discharge)
        .one(db)
        .await?
        .filter(|d| d.case_id == case_id)
        .ok_or_else(|| {
            Error::invalid("afterDischargeId", "no discharge of this case has this id")
        })?;
    if row.cancelled_at.is_some() {
        return Err(Error::invalid(
            "afterDischargeId",
            "the discharge was called off",
        ));
    }
    if owner.sector != crate::domain::enums::Sector::Municipality {
        return Err(Error::invalid(
            "ownerId",
            "an agreement for after the discharge is the municipality's: its owner must act \
             for the municipality",
        ));
    }
    if due_on < row.planned_on {
        return Err(Error::invalid(
            "dueOn",
            format!(
                "an agreement for after the discharge is due on or after its day ({})",
                row.planned_on
            ),
        ));
    }
    Ok(())
}

/// Marks an agreement carried out, by someone who manages the case or its owner.
///
/// # Errors
/// [`Error::NotFound`] for an unknown or invisible agreement; [`Error::Conflict`] when it is
/// completed already.
pub async fn complete_agreement(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: AgreementId,
) -> Result<agreement::Model> {
    let not_found = || Error::not_found("agreement").at("agreementId");
    let row = agreement::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = change_access(txn, actor, row.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|_| not_found())?;
    let owner = participant::Entity::find_by_id(row.owner_id)
        .one(txn)
        .await?;
    let is_owner = owner.is_some_and(|o| o.professional_id == Some(actor.id()));
    if !is_owner {
        access.require_manage()?;
    }
    case.status.require_open()?;
    let done = agreement::Entity::update_many()
        .col_expr(agreement::Column::CompletedAt, Expr::value(Some(now)))
        .col_expr(
            agreement::Column::Status,
            Expr::value(AgreementStatus::Done),
        )
        .filter(agreement::Column::Id.eq(row.id))
        .filter(agreement::Column::Status.eq(AgreementStatus::Open))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(Error::conflict(match row.status {
            AgreementStatus::Cancelled => "this agreement was cancelled",
            _ => "this agreement is completed already",
        }));
    }
    deadlines::on_event(
        txn,
        now,
        &Event::new(case.id, RuleEvent::AgreementCompleted, now).agreement(row.id),
    )
    .await?;
    touch(txn, case.id, now).await?;
    Ok(agreement::Model {
        completed_at: Some(now),
        status: AgreementStatus::Done,
        ..row
    })
}

/// Cancels an open agreement that no longer serves the child, with a reason; its deadline
/// is withdrawn. For those who manage the case.
///
/// # Errors
/// [`Error::NotFound`] for an agreement of a case the actor cannot see; [`Error::Forbidden`]
/// for someone who does not manage the case; [`Error::Conflict`] for one already done or
/// cancelled, or a closed case; [`Error::Validation`] for an empty reason.
pub async fn cancel_agreement(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: AgreementId,
    reason: &str,
) -> Result<agreement::Model> {
    let not_found = || Error::not_found("agreement").at("agreementId");
    let row = agreement::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = change_access(txn, actor, row.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|_| not_found())?;
    access.require_manage()?;
    case.status.require_open()?;
    let reason = validate::long_text("reason", reason)?;
    let cancelled = agreement::Entity::update_many()
        .col_expr(
            agreement::Column::Status,
            Expr::value(AgreementStatus::Cancelled),
        )
        .col_expr(agreement::Column::CancelledAt, Expr::value(Some(now)))
        .col_expr(
            agreement::Column::CancelReason,
            Expr::value(Some(reason.clone())),
        )
        .filter(agreement::Column::Id.eq(row.id))
        .filter(agreement::Column::Status.eq(AgreementStatus::Open))
        .exec(txn)
        .await?;
    if cancelled.rows_affected != 1 {
        return Err(Error::conflict(match row.status {
            AgreementStatus::Cancelled => "this agreement was cancelled already",
            _ => "this agreement is completed: it cannot be cancelled",
        }));
    }
    deadlines::withdraw_for_agreement(txn, now, row.id).await?;
    touch(txn, case.id, now).await?;
    Ok(agreement::Model {
        status: AgreementStatus::Cancelled,
        cancelled_at: Some(now),
        cancel_reason: Some(reason),
        ..row
    })
}

/// A challenge or a resource as a meeting records it; its priority is its place in the list.
#[derive(Debug, Clone)]
pub struct PlanItemInput {
    /// What it is.
    pub text: String,
    /// Discussed in the meeting's closed part (person-sensitive).
    pub closed: bool,
}

/// An agreement a meeting makes.
#[derive(Debug, Clone)]
pub struct NewPlanAgreement {
    /// What is to be done.
    pub description: String,
    /// Who is responsible.
    pub owner_id: ParticipantId,
    /// By when.
    pub due_on: NaiveDate,
    /// The meeting's agenda item it was agreed under.
    pub agenda_item: Option<AgendaItemId>,
}

/// What a held meeting writes into the plan. A part left out (`None`) is carried over from
/// the version before; agreements are added to those the plan holds.
#[derive(Debug, Clone, Default)]
pub struct PlanContent {
    /// The child's or young person's own wishes.
    pub child_wishes: Option<String>,
    /// The family's wishes.
    pub family_wishes: Option<String>,
    /// The challenges, most important first.
    pub challenges: Option<Vec<PlanItemInput>>,
    /// The resources, most important first.
    pub resources: Option<Vec<PlanItemInput>>,
    /// New agreements.
    pub agreements: Vec<NewPlanAgreement>,
}

/// True for the meetings whose minutes write a new version of the plan.
#[must_use]
pub fn writes_plan(kind: crate::domain::enums::MeetingKind) -> bool {
    use crate::domain::enums::MeetingKind;
    matches!(
        kind,
        MeetingKind::Start
            | MeetingKind::Network
            | MeetingKind::FollowUp
            | MeetingKind::Closing
            | MeetingKind::HandBack
    )
}

/// `e` with its input field moved under `prefix` (`input.description` →
/// `input.plan.agreements.0.description`).
/// Writes the next version of the case's plan for a meeting just recorded as held: the
/// meeting's agreements (each starting its deadline), its wishes, challenges and resources —
/// or the previous version's where it gives none — and every agreement's status now. Nothing
/// for a meeting of another kind.
///
/// # Errors
/// [`Error::Validation`] naming the input field (`input.plan…`), including plan content for a
/// meeting that writes no plan.
pub async fn write_version(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    held: &meeting::Model,
    content: Option<PlanContent>,
) -> Result<Option<plan_version::Model>> {
    if !writes_plan(held.kind) {
        if content.is_some() {
            return Err(Error::invalid(
                "plan",
                "only a START, NETWORK, FOLLOW_UP, CLOSING or HAND_BACK meeting writes the plan",
            ));
        }
        return Ok(None);
    }
    let content = content.unwrap_or_default();
    // At a hand-back meeting, what the municipality takes on from the discharge day is the
    // municipality's agreements after the discharge.
    let discharge = if held.kind == crate::domain::enums::MeetingKind::HandBack {
        crate::entities::discharge::Entity::find()
            .filter(crate::entities::discharge::Column::MeetingId.eq(held.id))
            .filter(crate::entities::discharge::Column::CancelledAt.is_null())
            .one(txn)
            .await?
    } else {
        None
    };
    for (i, a) in content.agreements.into_iter().enumerate() {
        let after_discharge = match &discharge {
            Some(d) if a.due_on >= d.planned_on => participant::Entity::find_by_id(a.owner_id)
                .one(txn)
                .await?
                .filter(|p| p.sector == crate::domain::enums::Sector::Municipality)
                .map(|_| d.id),
            _ => None,
        };
        add_agreement(
            txn,
            actor,
            now,
            AddAgreement {
                case_id: held.case_id,
                meeting_id: Some(held.id),
                description: a.description,
                owner_id: a.owner_id,
                due_on: a.due_on,
                after_discharge,
                agenda_item: a.agenda_item,
            },
        )
        .await
        .map_err(|e| e.nested(&format!("plan.agreements.{i}.")))?;
    }
    let previous = plan_version::Entity::find()
        .filter(plan_version::Column::CaseId.eq(held.case_id))
        .order_by_desc(plan_version::Column::Version)
        .one(txn)
        .await?;
    let wishes = |given: Option<String>, field: &str, before: Option<String>| match given {
        Some(text) => validate::long_text(field, &text).map(Some),
        None => Ok(before),
    };
    let child_wishes = wishes(
        content.child_wishes,
        "plan.childWishes",
        previous.as_ref().and_then(|p| p.child_wishes.clone()),
    )?;
    let family_wishes = wishes(
        content.family_wishes,
        "plan.familyWishes",
        previous.as_ref().and_then(|p| p.family_wishes.clone()),
    )?;
    let earlier_items = match &previous {
        Some(p) => {
            plan_item::Entity::find()
                .filter(plan_item::Column::PlanVersionId.eq(p.id))
                .order_by_asc(plan_item::Column::Priority)
                .all(txn)
                .await?
        }
        None => Vec::new(),
    };
    let mut items: Vec<(PlanItemKind, String, bool)> = Vec::new();
    for (kind, given, name) in [
        (PlanItemKind::Challenge, content.challenges, "challenges"),
        (PlanItemKind::Resource, content.resources, "resources"),
    ] {
        match given {
            Some(list) => {
                for (i, item) in list.into_iter().enumerate() {
                    let text = validate::long_text(&format!("plan.{name}.{i}.text"), &item.text)?;
                    items.push((kind, text, item.closed));
                }
            }
            None => items.extend(
                earlier_items
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| (kind, e.text.clone(), e.closed)),
            ),
        }
    }
    let version = plan_version::ActiveModel {
        id: NotSet,
        case_id: Set(held.case_id),
        version: Set(previous.as_ref().map_or(1, |p| p.version + 1)),
        meeting_id: Set(held.id),
        child_wishes: Set(child_wishes),
        family_wishes: Set(family_wishes),
        recorded_by_id: Set(actor.id()),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    let mut priority = std::collections::HashMap::new();
    let rows: Vec<plan_item::ActiveModel> = items
        .into_iter()
        .map(|(kind, text, closed)| {
            let next = priority.entry(kind).or_insert(0);
            *next += 1;
            plan_item::ActiveModel {
                id: NotSet,
                plan_version_id: Set(version.id),
                kind: Set(kind),
                text: Set(text),
                priority: Set(*next),
                closed: Set(closed),
            }
        })
        .collect();
    if !rows.is_empty() {
        plan_item::Entity::insert_many(rows).exec(txn).await?;
    }
    let agreements = agreement::Entity::find()
        .filter(agreement::Column::CaseId.eq(held.case_id))
        .order_by_asc(agreement::Column::Id)
        .all(txn)
        .await?;
    if !agreements.is_empty() {
        plan_agreement::Entity::insert_many(agreements.into_iter().map(|a| {
            plan_agreement::ActiveModel {
                id: NotSet,
                plan_version_id: Set(version.id),
                agreement_id: Set(a.id),
                status: Set(a.status),
            }
        }))
        .exec(txn)
        .await?;
    }
    Ok(Some(version))
}

// Reads: a case's plan as its fields show it. The caller has decided the viewer's access.

/// A case's agreements, by due date.
///
/// # Errors
/// Database errors.
pub async fn agreements_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> Result<Vec<agreement::Model>> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::CaseId.eq(case))
        .order_by_asc(agreement::Column::DueOn)
        .order_by_asc(agreement::Column::Id)
        .all(db)
        .await?)
}

/// A case's recorded events, in the order they were recorded.
///
/// # Errors
/// Database errors.
pub async fn events_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> Result<Vec<case_event::Model>> {
    Ok(case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(case))
        .order_by_asc(case_event::Column::RecordedAt)
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?)
}

/// A case's plan versions, oldest first.
///
/// # Errors
/// Database errors.
pub async fn versions_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: CaseId,
) -> Result<Vec<plan_version::Model>> {
    Ok(plan_version::Entity::find()
        .filter(plan_version::Column::CaseId.eq(case))
        .order_by_asc(plan_version::Column::Version)
        .all(db)
        .await?)
}

/// The deadline that holds an agreement's owner to its due date (the latest, when it was
/// started again).
///
/// # Errors
/// Database errors.
pub async fn deadline_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    agreement: AgreementId,
) -> Result<Option<crate::entities::deadline::Model>> {
    use crate::entities::deadline;
    Ok(deadline::Entity::find()
        .filter(deadline::Column::AgreementId.eq(agreement))
        .order_by_desc(deadline::Column::Id)
        .one(db)
        .await?)
}

/// The agreements a plan version held, with their status then.
///
/// # Errors
/// Database errors.
pub async fn agreements_then<C: sea_orm::ConnectionTrait>(
    db: &C,
    version: crate::ids::PlanVersionId,
) -> Result<Vec<plan_agreement::Model>> {
    Ok(plan_agreement::Entity::find()
        .filter(plan_agreement::Column::PlanVersionId.eq(version))
        .order_by_asc(plan_agreement::Column::AgreementId)
        .all(db)
        .await?)
}

/// A plan version's items of one kind in priority order; the closed ones only when
/// `with_closed` (the viewer sees the closed part of the meeting that wrote it).
///
/// # Errors
/// Database errors.
pub async fn items_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    version: crate::ids::PlanVersionId,
    kind: PlanItemKind,
    with_closed: bool,
) -> Result<Vec<plan_item::Model>> {
    let mut items = plan_item::Entity::find()
        .filter(plan_item::Column::PlanVersionId.eq(version))
        .filter(plan_item::Column::Kind.eq(kind));
    if !with_closed {
        items = items.filter(plan_item::Column::Closed.eq(false));
    }
    Ok(items
        .order_by_asc(plan_item::Column::Priority)
        .all(db)
        .await?)
}
