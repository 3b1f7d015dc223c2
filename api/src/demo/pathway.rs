//! The demo's pathway beyond its cases: the municipality's own follow-up agenda, and child
//! psychiatry's planned discharge of a child with its hand-back meeting and the
//! municipality's plan for after it.

use chrono::TimeDelta;
use kit_entity::Result;
use kit_entity::access::Actor;
use kit_entity::domain::enums::{ParticipantRole, Sector};
use kit_entity::domain::status::CaseStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::data::CASES;
use crate::db::begin_write;
use crate::state::AppState;

/// The municipality's own follow-up agenda, replacing the product's default: a short check
/// of the agreements first, the child's own view second.
pub(super) async fn load_templates(state: &AppState, admin: &Actor) -> Result<()> {
    use kit_entity::domain::enums::{MeetingKind, TemplateKind};
    use kit_entity::domain::templates::TemplateItem;
    let item = |title: &str, guidance: &str, closed: bool| TemplateItem {
        title: title.into(),
        guidance: Some(guidance.into()),
        closed,
    };
    let txn = begin_write(&state.db).await?;
    kit_entity::ops::templates::set(
        &txn,
        admin,
        state.clock.now(),
        admin.organization_id,
        TemplateKind::Agenda,
        Some(MeetingKind::FollowUp),
        vec![
            item(
                "Aftalerne siden sidst",
                "Hver ansvarlig siger kort: gjort, i gang, ikke nået.",
                false,
            ),
            item(
                "Barnets egen stemme",
                "Hvad siger barnet selv? Læs gerne barnets egne ord op.",
                false,
            ),
            item(
                "Forhold i familien",
                "Kun fagpersoner deltager (lukket punkt).",
                true,
            ),
            item(
                "Nye aftaler og næste møde",
                "Én ansvarlig og én dato pr. aftale.",
                false,
            ),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Back to the municipality: child psychiatry plans to discharge the first active child it
/// coordinates under consent three weeks from now; the hand-back meeting is requested and the
/// municipality's contact plans the first weeks at home as agreements for after the day.
pub(super) async fn load_discharge(
    state: &AppState,
    psychiatrist: &Actor,
    intake: &Actor,
    cases: &[kit_entity::entities::case::Model],
) -> Result<()> {
    use kit_entity::domain::calendar::local_date;
    use kit_entity::ops::discharges::{self, RecordDischarge};
    use kit_entity::ops::plans::{self, AddAgreement};
    let now = state.clock.now();
    let Some(case) = cases
        .iter()
        .enumerate()
        .find(|(i, _)| CASES[*i].status == CaseStatus::Active && i % 3 != 2 && i % 5 != 4)
        .map(|(_, c)| c)
    else {
        return Ok(());
    };
    let planned_on = local_date(now) + TimeDelta::days(21);
    let txn = begin_write(&state.db).await?;
    let discharge = discharges::record(
        &txn,
        psychiatrist,
        now,
        RecordDischarge {
            case_id: case.id,
            planned_on,
            note: Some(
                "Udskrives til hjemmet. Medicinen er justeret; skolen bør kende planen for de \
                 første uger."
                    .into(),
            ),
        },
    )
    .await?;
    let municipal = kit_entity::entities::participant::Entity::find()
        .filter(kit_entity::entities::participant::Column::CaseId.eq(case.id))
        .filter(kit_entity::entities::participant::Column::Sector.eq(Sector::Municipality))
        .filter(
            kit_entity::entities::participant::Column::Role.eq(ParticipantRole::ResponsibleContact),
        )
        .filter(kit_entity::entities::participant::Column::ActiveUntil.is_null())
        .one(&txn)
        .await?;
    if let Some(contact) = municipal {
        plans::add_agreement(
            &txn,
            intake,
            now,
            AddAgreement {
                case_id: case.id,
                meeting_id: None,
                description: "Skolen og familieafdelingen aftaler en gradvis tilbagevenden til \
                              fuld skoledag"
                    .into(),
                owner_id: contact.id,
                due_on: planned_on + TimeDelta::days(14),
                after_discharge: Some(discharge.id),
                agenda_item: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
