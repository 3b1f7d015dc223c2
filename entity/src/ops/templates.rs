//! An organization's standard templates: each meeting kind's agenda, the status note and the
//! plan. What an organization has not set is the product's default
//! (`domain::templates::default_items`). Its administrators set and reset them; a meeting
//! starts from its kind's agenda (`ops::meetings::lifecycle::create`), a status note written
//! without text from the status-note template (`ops::documents::add`).

use crate::access::Actor;
use crate::domain::enums::{MeetingKind, TemplateKind};
use crate::domain::templates::{self, TemplateItem};
use crate::entities::template;
use crate::ids::OrganizationId;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Iterable,
    ModelTrait, QueryFilter,
};

/// A template as it applies to an organization: its own, or the product's default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effective {
    /// The organization.
    pub organization_id: OrganizationId,
    /// Agenda, status note or plan.
    pub kind: TemplateKind,
    /// For an agenda, the meeting kind.
    pub meeting_kind: Option<MeetingKind>,
    /// The organization's own row; none for the product's default.
    pub row: Option<template::Model>,
    /// The items in priority order.
    pub items: Vec<TemplateItem>,
}

fn shape(kind: TemplateKind, meeting: Option<MeetingKind>) -> Result<Option<MeetingKind>> {
    match (kind, meeting) {
        (TemplateKind::Agenda, None) => Err(Error::invalid(
            "meetingKind",
            "an agenda template is for one meeting kind",
        )),
        (TemplateKind::Agenda, Some(m)) => Ok(Some(m)),
        (_, Some(_)) => Err(Error::invalid(
            "meetingKind",
            "only an agenda template is for a meeting kind",
        )),
        (_, None) => Ok(None),
    }
}

fn effective(
    organization_id: OrganizationId,
    kind: TemplateKind,
    meeting_kind: Option<MeetingKind>,
    row: Option<template::Model>,
) -> Result<Effective> {
    let items = match &row {
        Some(r) => serde_json::from_str(&r.items)
            .map_err(|e| Error::internal(format!("template {} does not read: {e}", r.id)))?,
        None => templates::default_items(kind, meeting_kind),
    };
    Ok(Effective {
        organization_id,
        kind,
        meeting_kind,
        row,
        items,
    })
}

async fn row_of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
    kind: TemplateKind,
    meeting: Option<MeetingKind>,
) -> Result<Option<template::Model>> {
    let mut query = template::Entity::find()
        .filter(template::Column::OrganizationId.eq(organization))
        .filter(template::Column::Kind.eq(kind));
    query = match meeting {
        Some(m) => query.filter(template::Column::MeetingKind.eq(m)),
        None => query.filter(template::Column::MeetingKind.is_null()),
    };
    Ok(query.one(db).await?)
}

/// The template of `kind` (and meeting kind) that applies to `organization`.
///
/// # Errors
/// [`Error::Validation`] for a meeting kind given or missing where it does not fit.
pub async fn of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
    kind: TemplateKind,
    meeting: Option<MeetingKind>,
) -> Result<Effective> {
    let meeting = shape(kind, meeting)?;
    let row = row_of(db, organization, kind, meeting).await?;
    effective(organization, kind, meeting, row)
}

/// Every template that applies to `organization`: each meeting kind's agenda, then the
/// status note and the plan.
///
/// # Errors
/// When the database fails.
pub async fn all_of<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<Vec<Effective>> {
    let rows = template::Entity::find()
        .filter(template::Column::OrganizationId.eq(organization))
        .all(db)
        .await?;
    let mut out = Vec::new();
    let shapes = MeetingKind::iter()
        .map(|m| (TemplateKind::Agenda, Some(m)))
        .chain([(TemplateKind::StatusNote, None), (TemplateKind::Plan, None)]);
    for (kind, meeting) in shapes {
        let row = rows
            .iter()
            .find(|r| r.kind == kind && r.meeting_kind == meeting)
            .cloned();
        out.push(effective(organization, kind, meeting, row)?);
    }
    Ok(out)
}

/// Sets an organization's template, replacing its default or its earlier version.
///
/// # Errors
/// [`Error::Forbidden`] for anyone but the organization's administrators;
/// [`Error::Validation`] naming `meetingKind` or an item's field.
pub async fn set(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    organization: OrganizationId,
    kind: TemplateKind,
    meeting: Option<MeetingKind>,
    items: Vec<TemplateItem>,
) -> Result<Effective> {
    actor.require_admin_of(organization)?;
    let meeting = shape(kind, meeting)?;
    let items = templates::check(items)?;
    let json = serde_json::to_string(&items)
        .map_err(|e| Error::internal(format!("a template does not write: {e}")))?;
    let row = match row_of(txn, organization, kind, meeting).await? {
        Some(existing) => {
            let version = existing.version + 1;
            let mut row: template::ActiveModel = existing.into();
            row.version = Set(version);
            row.items = Set(json);
            row.updated_by_id = Set(actor.id());
            row.updated_at = Set(now);
            row.update(txn).await?
        }
        None => {
            template::ActiveModel {
                id: NotSet,
                organization_id: Set(organization),
                kind: Set(kind),
                meeting_kind: Set(meeting),
                version: Set(1),
                items: Set(json),
                updated_by_id: Set(actor.id()),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    };
    effective(organization, kind, meeting, Some(row))
}

/// Goes back to the product's default for an organization's template.
///
/// # Errors
/// As [`set`].
pub async fn reset(
    txn: &DatabaseTransaction,
    actor: &Actor,
    organization: OrganizationId,
    kind: TemplateKind,
    meeting: Option<MeetingKind>,
) -> Result<Effective> {
    actor.require_admin_of(organization)?;
    let meeting = shape(kind, meeting)?;
    if let Some(row) = row_of(txn, organization, kind, meeting).await? {
        row.delete(txn).await?;
    }
    effective(organization, kind, meeting, None)
}
