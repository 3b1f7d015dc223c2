//! A meeting's agenda: it starts from its kind's template (`rows::start_agenda`); its items
//! are added, edited, reordered and removed until the meeting is held; the minutes are then
//! written per item, and the plan's agreements name the item they were agreed under.

use crate::access::Actor;
use crate::domain::validate;
use crate::entities::{agenda_item, meeting};
use crate::ids::{AgendaItemId, MeetingId, ParticipantId};
use crate::ops::meetings;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder,
};

use super::commands::{active_participant, managed_meeting};

/// An agenda changes until the meeting is held (or cancelled).
fn require_editable(m: &meeting::Model) -> Result<()> {
    if m.status.is_final() {
        return Err(Error::conflict(format!(
            "the meeting is {}: its agenda no longer changes",
            m.status.as_str()
        )));
    }
    Ok(())
}

/// A meeting's agenda in priority order.
///
/// # Errors
/// When the database fails.
pub async fn of<C: ConnectionTrait>(db: &C, meeting: MeetingId) -> Result<Vec<agenda_item::Model>> {
    Ok(agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(meeting))
        .order_by_asc(agenda_item::Column::Position)
        .order_by_asc(agenda_item::Column::Id)
        .all(db)
        .await?)
}

/// Numbers a meeting's items 1, 2, 3 … in their present order.
async fn renumber<C: ConnectionTrait>(db: &C, meeting: MeetingId) -> Result<()> {
    for (i, item) in of(db, meeting).await?.into_iter().enumerate() {
        let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
        if item.position != position {
            let mut row: agenda_item::ActiveModel = item.into();
            row.position = Set(position);
            row.update(db).await?;
        }
    }
    Ok(())
}

/// Adds an agenda item; without a position it goes last.
///
/// # Errors
/// As for other meeting changes; [`Error::Validation`] for an owner outside the case.
pub async fn add_agenda_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    title: String,
    owner: Option<ParticipantId>,
    closed: bool,
) -> Result<agenda_item::Model> {
    let (m, case) = managed_meeting(txn, actor, id, now).await?;
    require_editable(&m)?;
    if let Some(owner) = owner {
        active_participant(txn, case.id, owner, "ownerId").await?;
    }
    let position = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(m.id))
        .all(txn)
        .await?
        .iter()
        .map(|a| a.position)
        .max()
        .unwrap_or(0)
        + 1;
    Ok(agenda_item::ActiveModel {
        id: NotSet,
        meeting_id: Set(m.id),
        title: Set(title),
        position: Set(position),
        owner_id: Set(owner),
        closed: Set(closed),
        guidance: Set(None),
        minutes: Set(None),
        created_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Removes an agenda item, until the meeting is held.
///
/// # Errors
/// [`Error::NotFound`] for an unknown item; [`Error::Conflict`] once the meeting is held or
/// cancelled.
pub async fn remove_agenda_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: AgendaItemId,
) -> Result<meeting::Model> {
    let not_found = || Error::not_found("agenda item").at("agendaItemId");
    let item = agenda_item::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (m, _) = managed_meeting(txn, actor, item.meeting_id, now)
        .await
        .map_err(|_| not_found())?;
    require_editable(&m)?;
    item.delete(txn).await?;
    renumber(txn, m.id).await?;
    Ok(m)
}

/// What an agenda item becomes: `None` keeps a part as it is.
#[derive(Debug, Clone, Default)]
pub struct EditItem {
    /// A new title.
    pub title: Option<String>,
    /// Whether it is discussed in the closed part.
    pub closed: Option<bool>,
    /// New guidance: `Some(None)` removes it.
    pub guidance: Option<Option<String>>,
}

/// Edits an agenda item, until the meeting is held.
///
/// # Errors
/// [`Error::NotFound`] for an unknown item; [`Error::Validation`] naming `title` or
/// `guidance`; [`Error::Conflict`] once the meeting is held or cancelled.
pub async fn edit_agenda_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: AgendaItemId,
    edit: EditItem,
) -> Result<agenda_item::Model> {
    let not_found = || Error::not_found("agenda item").at("agendaItemId");
    let item = agenda_item::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (m, _) = managed_meeting(txn, actor, item.meeting_id, now)
        .await
        .map_err(|_| not_found())?;
    require_editable(&m)?;
    let mut row: agenda_item::ActiveModel = item.into();
    if let Some(title) = edit.title {
        row.title = Set(validate::short_text("title", &title)?);
    }
    if let Some(closed) = edit.closed {
        row.closed = Set(closed);
    }
    if let Some(guidance) = edit.guidance {
        row.guidance = Set(validate::optional(
            "guidance",
            guidance.as_deref(),
            validate::long_text,
        )?);
    }
    Ok(row.update(txn).await?)
}

/// Puts a meeting's agenda in a new order: `order` names every item once, most important
/// first.
///
/// # Errors
/// [`Error::Validation`] on `agendaItemIds` when it does not name each item exactly once;
/// [`Error::Conflict`] once the meeting is held or cancelled.
pub async fn reorder_agenda(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    order: &[AgendaItemId],
) -> Result<Vec<agenda_item::Model>> {
    let (m, _) = managed_meeting(txn, actor, id, now).await?;
    require_editable(&m)?;
    let items = of(txn, m.id).await?;
    let mut sorted: Vec<AgendaItemId> = order.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut present: Vec<AgendaItemId> = items.iter().map(|i| i.id).collect();
    present.sort_unstable();
    if sorted.len() != order.len() || sorted != present {
        return Err(Error::invalid(
            "agendaItemIds",
            format!(
                "must name each of the meeting's {} agenda items exactly once",
                items.len()
            ),
        ));
    }
    for item in items {
        let position = order
            .iter()
            .position(|id| *id == item.id)
            .map_or(i32::MAX, |p| i32::try_from(p + 1).unwrap_or(i32::MAX));
        if item.position != position {
            let mut row: agenda_item::ActiveModel = item.into();
            row.position = Set(position);
            row.update(txn).await?;
        }
    }
    of(txn, m.id).await
}

/// What `recordMeetingHeld` records.
#[derive(Debug, Clone, Default)]
pub struct Held {
    /// The minutes; `None` when they are given per agenda item.
    pub minutes: Option<String>,
    /// The minutes per agenda item.
    pub agenda_minutes: Vec<(AgendaItemId, String)>,
    /// When it took place, for a meeting held earlier than booked.
    pub started_at: Option<DateTime<Utc>>,
    /// What it writes into the plan.
    pub plan: Option<crate::ops::plans::PlanContent>,
}

/// Records a meeting as held, with its minutes — given whole, or per agenda item (then the
/// meeting's minutes are the open items' minutes in order; a closed item's stay on the item,
/// seen only by the professionals taking part) — and the plan a start, network, follow-up,
/// closing or hand-back meeting writes.
///
/// # Errors
/// [`Error::Validation`] for no minutes at all, an item of another meeting or one named
/// twice (`agendaMinutes.N.agendaItemId`), or minutes out of bounds; as
/// `meetings::record_held` and `plans::write_version` otherwise.
pub async fn record_held(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: MeetingId,
    held: Held,
) -> Result<meeting::Model> {
    let Held {
        minutes,
        agenda_minutes,
        started_at,
        plan,
    } = held;
    let (m, _) = managed_meeting(txn, actor, id, now).await?;
    let items = of(txn, m.id).await?;
    let mut written: Vec<(agenda_item::Model, String)> = Vec::new();
    for (i, (item_id, text)) in agenda_minutes.into_iter().enumerate() {
        let field = format!("agendaMinutes.{i}.agendaItemId");
        let item = items
            .iter()
            .find(|a| a.id == item_id)
            .ok_or_else(|| Error::invalid(&field, "no agenda item of this meeting has this id"))?;
        if written.iter().any(|(w, _)| w.id == item_id) {
            return Err(Error::invalid(&field, "the item's minutes are given twice"));
        }
        let text = validate::long_text(&format!("agendaMinutes.{i}.minutes"), &text)?;
        written.push((item.clone(), text));
    }
    written.sort_by_key(|(item, _)| (item.position, item.id));
    let minutes = match minutes {
        Some(text) => validate::long_text("minutes", &text)?,
        None => {
            let open: Vec<String> = written
                .iter()
                .filter(|(item, _)| !item.closed)
                .map(|(item, text)| format!("{}. {}\n{}", item.position, item.title, text))
                .collect();
            if written.is_empty() {
                return Err(Error::invalid(
                    "minutes",
                    "give the meeting's minutes, or the minutes of its agenda items",
                ));
            }
            if open.is_empty() {
                "Alt blev drøftet under lukkede punkter.".to_owned()
            } else {
                open.join("\n\n")
            }
        }
    };
    let held = meetings::record_held(txn, now, m, minutes, started_at).await?;
    for (item, text) in written {
        let mut row: agenda_item::ActiveModel = item.into();
        row.minutes = Set(Some(text));
        row.update(txn).await?;
    }
    crate::ops::plans::write_version(txn, actor, now, &held, plan).await?;
    Ok(held)
}
