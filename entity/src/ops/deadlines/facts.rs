//! What a case's deadlines are computed from: its municipality's working calendar and
//! follow-up cadence, the child's date of birth, its responsible contacts and sectors.

use super::event::Event;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::calendar::calendar_of;
use crate::domain::enums::{ParticipantKind, ParticipantRole, RuleEvent, Sector};
use crate::entities::{case, child, organization, participant};
use crate::ids::{CaseId, OrganizationId};
use crate::{Error, Result};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub(crate) struct CaseFacts {
    pub(crate) case: case::Model,
    pub(crate) calendar: WorkingCalendar,
    pub(crate) cadence: i32,
    pub(crate) born: NaiveDate,
}

pub(crate) async fn facts<C: ConnectionTrait>(db: &C, case_id: CaseId) -> Result<CaseFacts> {
    let case = case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a deadline's case is missing"))?;
    let (calendar, cadence) = municipality_facts(db, case.municipality_id).await?;
    case_facts(db, case, calendar, cadence).await
}

/// A municipality's working calendar and follow-up cadence in months.
pub(crate) async fn municipality_facts<C: ConnectionTrait>(
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

pub(crate) async fn case_facts<C: ConnectionTrait>(
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

pub(crate) async fn active_contacts<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Vec<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .order_by_asc(participant::Column::Id)
        .all(db)
        .await?)
}

/// The sectors a per-sector rule makes deadlines for: the sectors of the case's active
/// professionals (for acceptance) or of its responsible contacts (for meetings), and always
/// the municipality's.
pub(crate) async fn sectors_for<C: ConnectionTrait>(db: &C, event: &Event) -> Result<Vec<Sector>> {
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
