//! The cross-sector plan and the pathway's recorded events: agreements (who does what by
//! when) and events such as information shared before a network meeting. Each starts or
//! meets deadlines in its own transaction.

use chrono::{DateTime, NaiveDate, Utc};
use kit_entity::domain::enums::{AgreementStatus, CaseEventKind, RuleEvent, Sector};
use kit_entity::domain::validate;
use kit_entity::entities::{agreement, case_event, meeting, participant};
use kit_entity::ids::{AgreementId, CaseId, MeetingId, ParticipantId};
use kit_entity::ops::deadlines::{self, Event};
use kit_entity::{Error, Result};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::access::{Actor, change_access};
use crate::access_log::ChildData;
use crate::services::case::{require_open, touch};

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
        .map_err(|e| e.at("input.caseId"))?;
    access.require_manage()?;
    require_open(&case)?;
    if cmd.kind == CaseEventKind::InformationShared && cmd.sector.is_none() {
        return Err(Error::invalid(
            "input.sector",
            "say which sector shared the information",
        ));
    }
    if cmd.sector == Some(Sector::Family) {
        return Err(Error::invalid(
            "input.sector",
            "information is shared by a professional sector, not FAMILY",
        ));
    }
    if let Some(id) = cmd.meeting_id {
        meeting::Entity::find_by_id(id)
            .one(txn)
            .await?
            .filter(|m| m.case_id == case.id)
            .ok_or_else(|| {
                Error::invalid("input.meetingId", "no meeting of this case has this id")
            })?;
    }
    let at = cmd.occurred_at.unwrap_or(now);
    if at > now {
        return Err(Error::invalid(
            "input.occurredAt",
            "must not be in the future",
        ));
    }
    let note = validate::optional("input.note", cmd.note.as_deref(), validate::long_text)?;
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
        .map_err(|e| e.at("input.caseId"))?;
    access.require_manage()?;
    require_open(&case)?;
    let description = validate::long_text("input.description", &cmd.description)?;
    participant::Entity::find_by_id(cmd.owner_id)
        .one(txn)
        .await?
        .filter(|p| p.case_id == case.id && p.is_active() && p.professional_id.is_some())
        .ok_or_else(|| {
            Error::invalid(
                "input.ownerId",
                "the owner must be an active professional participant of this case",
            )
        })?;
    if let Some(id) = cmd.meeting_id {
        meeting::Entity::find_by_id(id)
            .one(txn)
            .await?
            .filter(|m| m.case_id == case.id)
            .ok_or_else(|| {
                Error::invalid("input.meetingId", "no meeting of this case has this id")
            })?;
    }
    if cmd.due_on < kit_entity::domain::calendar::local_date(now) {
        return Err(Error::invalid("input.dueOn", "must not be in the past"));
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
    let not_found = || Error::not_found("agreement").at("input.agreementId");
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
    require_open(&case)?;
    let done = agreement::Entity::update_many()
        .col_expr(agreement::Column::CompletedAt, Expr::value(Some(now)))
        .col_expr(agreement::Column::Status, Expr::value(AgreementStatus::Done))
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
    let not_found = || Error::not_found("agreement").at("input.agreementId");
    let row = agreement::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = change_access(txn, actor, row.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|_| not_found())?;
    access.require_manage()?;
    require_open(&case)?;
    let reason = validate::long_text("input.reason", reason)?;
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
