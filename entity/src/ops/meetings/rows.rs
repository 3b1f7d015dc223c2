//! A meeting's own rows: the guarded save that refuses a concurrent change, and the
//! invitations.

use crate::domain::enums::InviteeResponse;
use crate::entities::{meeting, meeting_invitee};
use crate::ids::{MeetingId, ParticipantId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Saves `changed`, guarded by the status and SEQUENCE read before, so that two concurrent
/// changes cannot both win.
pub(crate) async fn save_guarded<C: ConnectionTrait>(
    db: &C,
    before: &meeting::Model,
    changed: meeting::Model,
) -> Result<meeting::Model> {
    let result = meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value(changed.status))
        .col_expr(meeting::Column::Sequence, Expr::value(changed.sequence))
        .col_expr(meeting::Column::StartsAt, Expr::value(changed.starts_at))
        .col_expr(meeting::Column::EndsAt, Expr::value(changed.ends_at))
        .col_expr(
            meeting::Column::DurationMinutes,
            Expr::value(changed.duration_minutes),
        )
        .col_expr(
            meeting::Column::Location,
            Expr::value(changed.location.clone()),
        )
        .col_expr(
            meeting::Column::VideoUrl,
            Expr::value(changed.video_url.clone()),
        )
        .col_expr(
            meeting::Column::OrganizerId,
            Expr::value(changed.organizer_id),
        )
        .col_expr(
            meeting::Column::SchedulingNote,
            Expr::value(changed.scheduling_note.clone()),
        )
        .col_expr(
            meeting::Column::Minutes,
            Expr::value(changed.minutes.clone()),
        )
        .col_expr(meeting::Column::HeldAt, Expr::value(changed.held_at))
        .col_expr(
            meeting::Column::CancelReason,
            Expr::value(changed.cancel_reason.clone()),
        )
        .col_expr(meeting::Column::UpdatedAt, Expr::value(changed.updated_at))
        .filter(meeting::Column::Id.eq(before.id))
        .filter(meeting::Column::Status.eq(before.status))
        .filter(meeting::Column::Sequence.eq(before.sequence))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(changed)
    } else {
        Err(Error::conflict(
            "the meeting was changed by someone else meanwhile; reload and try again",
        ))
    }
}

pub(crate) async fn insert_invitee<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting_id: MeetingId,
    participant_id: ParticipantId,
    required: bool,
) -> Result<meeting_invitee::Model> {
    meeting_invitee::ActiveModel {
        id: NotSet,
        meeting_id: Set(meeting_id),
        participant_id: Set(participant_id),
        required: Set(required),
        response: Set(InviteeResponse::NeedsAction),
        responded_at: Set(None),
        removed_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(
            &crate::domain::unique::ONE_INVITATION,
            "this participant is already invited to the meeting",
        )
    })
}

/// The meeting's active invitees.
///
/// # Errors
/// When the database fails.
pub async fn active_invitees<C: ConnectionTrait>(
    db: &C,
    meeting_id: MeetingId,
) -> Result<Vec<meeting_invitee::Model>> {
    Ok(meeting_invitee::Entity::find()
        .filter(meeting_invitee::Column::MeetingId.eq(meeting_id))
        .filter(meeting_invitee::Column::RemovedAt.is_null())
        .all(db)
        .await?)
}

/// The sectors that have shared a document prepared for meeting `id` with at least one other
/// organization, in a fixed order: what a network meeting's invitation lists (names only).
///
/// # Errors
/// When the database fails.
pub async fn shared_sectors<C: ConnectionTrait>(
    db: &C,
    id: MeetingId,
) -> Result<Vec<crate::domain::enums::Sector>> {
    use crate::entities::{document, document_share, organization};
    use sea_orm::QuerySelect;
    let authors: Vec<crate::ids::OrganizationId> = document::Entity::find()
        .select_only()
        .column(document::Column::AuthorOrganizationId)
        .filter(document::Column::MeetingId.eq(id))
        .filter(
            document::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(document_share::Column::DocumentId)
                    .from(document_share::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    if authors.is_empty() {
        return Ok(Vec::new());
    }
    let mut sectors: Vec<crate::domain::enums::Sector> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(authors))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.kind.sector())
        .collect();
    sectors.sort_by_key(sea_orm::ActiveEnum::to_value);
    sectors.dedup();
    Ok(sectors)
}

/// Gives a new meeting the agenda of its kind's template: the organizer's organization's own,
/// when it has set one, else the case's municipality's (its own or the product's default).
pub(crate) async fn start_agenda<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    m: &meeting::Model,
) -> Result<()> {
    use crate::domain::enums::TemplateKind;
    use crate::entities::{agenda_item, case, participant, professional, unit};
    use crate::ops::templates;
    let municipality = case::Entity::find_by_id(m.case_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a meeting's case is missing"))?
        .municipality_id;
    let organizer_org = match m.organizer_id {
        Some(id) => match participant::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|p| p.professional_id)
        {
            Some(p) => match professional::Entity::find_by_id(p).one(db).await? {
                Some(p) => unit::Entity::find_by_id(p.unit_id)
                    .one(db)
                    .await?
                    .map(|u| u.organization_id),
                None => None,
            },
            None => None,
        },
        None => None,
    };
    let mut template = None;
    if let Some(org) = organizer_org.filter(|o| *o != municipality) {
        let own = templates::of(db, org, TemplateKind::Agenda, Some(m.kind)).await?;
        if own.row.is_some() {
            template = Some(own);
        }
    }
    let template = match template {
        Some(t) => t,
        None => templates::of(db, municipality, TemplateKind::Agenda, Some(m.kind)).await?,
    };
    for (i, item) in template.items.into_iter().enumerate() {
        agenda_item::ActiveModel {
            id: NotSet,
            meeting_id: Set(m.id),
            title: Set(item.title),
            position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            owner_id: Set(None),
            closed: Set(item.closed),
            guidance: Set(item.guidance),
            minutes: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
