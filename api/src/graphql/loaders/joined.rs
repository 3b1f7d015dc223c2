//! The reads that bring related rows along in one statement: a case with its child and its
//! participations, a participation with its professional. What comes along goes to its own
//! loader, so the request does not read it again.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use kit_entity::entities::columns::Columns;
use kit_entity::entities::{case, child, participant, professional};
use kit_entity::ids::CaseId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    Iterable, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationDef,
};

use super::{Loaders, ParticipantsOf};

/// The cases `select` finds, read with their children in the same statement; the children
/// go to their loader, since a case is seldom shown without its child's name.
///
/// # Errors
/// When the database fails.
pub async fn with_children(
    select: sea_orm::Select<case::Entity>,
    db: &DatabaseConnection,
    loaders: &Loaders,
) -> Result<Vec<case::Model>, DbErr> {
    let rows = select
        .select_also(child::Entity)
        .join(JoinType::LeftJoin, child_of_case())
        .all(db)
        .await?;
    let mut cases = Vec::with_capacity(rows.len());
    for (case, child) in rows {
        if let Some(child) = child {
            loaders.children.prime(child.id, child);
        }
        cases.push(case);
    }
    Ok(cases)
}

/// The cases `keys` name, read in one statement with their children and their participations
/// (with the participations' professionals). A case is seldom shown without its child's name,
/// and access to it is never decided without its participations; all of them go to their
/// loaders. Each case, child and professional is decoded once.
///
/// # Errors
/// When the database fails.
pub(super) async fn cases_by_id(
    db: &DatabaseConnection,
    keys: &[CaseId],
    loaders: &Loaders,
) -> Result<HashMap<CaseId, case::Model>, DbErr> {
    let participations_of_case = case::Entity::belongs_to(participant::Entity)
        .from(case::Column::Id)
        .to(participant::Column::CaseId);
    // Columns: the case's and the child's (by name, prefixed `A_` and `B_`), then a
    // participation's and its professional's, by position.
    let select = case::Entity::find()
        .select_also(child::Entity)
        .join(JoinType::LeftJoin, child_of_case())
        .join(JoinType::LeftJoin, participations_of_case.into())
        .join(JoinType::LeftJoin, professional_of_participation())
        .columns(participant::Column::iter())
        .columns(professional::Column::iter())
        .filter(case::Column::Id.is_in(keys.iter().copied()))
        .order_by_asc(case::Column::Id)
        .order_by_asc(participant::Column::Id)
        .build(db.get_database_backend());
    let joined = case::Column::iter().count() + child::Column::iter().count();
    let rows = db.query_all_raw(select).await?;
    // Each case with its participations, oldest first (none when the join found none).
    let mut found: HashMap<CaseId, (case::Model, Vec<participant::Model>)> =
        HashMap::with_capacity(keys.len());
    for row in &rows {
        let columns = Columns::of(row);
        let (_, participations) = match found.entry(CaseId(columns.get(0)?)) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let case = <case::Model as FromQueryResult>::from_query_result(row, "A_")?;
                if let Some(child) =
                    <child::Model as FromQueryResult>::from_query_result_optional(row, "B_")?
                {
                    loaders.children.prime(child.id, child);
                }
                new.insert((case, Vec::new()))
            }
        };
        let participation = columns.skip(joined);
        if participation.get::<Option<i64>>(0)?.is_some() {
            participations.push(participation_with_professional(&participation, loaders)?);
        }
    }
    let mut cases = HashMap::with_capacity(found.len());
    for (id, (case, participations)) in found {
        loaders
            .participants
            .prime(ParticipantsOf(id), participations);
        cases.insert(id, case);
    }
    Ok(cases)
}

/// The participations of the cases `keys` name, oldest first, read with their professionals
/// in the same statement and decoded by position; the professionals go to their loader, since
/// a participant is seldom shown without a name. A professional the request has already is not
/// decoded again.
///
/// # Errors
/// When the database fails.
pub(super) async fn participations(
    db: &DatabaseConnection,
    keys: &[ParticipantsOf],
    loaders: &Loaders,
) -> Result<Vec<participant::Model>, DbErr> {
    let select = participant::Entity::find()
        .join(JoinType::LeftJoin, professional_of_participation())
        .columns(professional::Column::iter())
        .filter(participant::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
        .order_by_asc(participant::Column::Id)
        .build(db.get_database_backend());
    let rows = db.query_all_raw(select).await?;
    rows.iter()
        .map(|row| participation_with_professional(&Columns::of(row), loaders))
        .collect()
}

/// The participation in `columns`, whose professional's columns follow; the professional
/// goes to its loader unless the request has it already (from an earlier row, say).
fn participation_with_professional(
    columns: &Columns<'_>,
    loaders: &Loaders,
) -> Result<participant::Model, DbErr> {
    let participation = participant::ByPosition::decode(columns)?;
    if let Some(id) = participation.professional_id
        && !loaders.professionals.has(&id)
        && let Some(professional) = professional::decode(&columns.skip(participant::COLUMNS))?
    {
        loaders.professionals.prime(id, professional);
    }
    Ok(participation)
}

/// A case's child, for a join.
fn child_of_case() -> RelationDef {
    case::Entity::belongs_to(child::Entity)
        .from(case::Column::ChildId)
        .to(child::Column::Id)
        .into()
}

/// The professional a participation names (if any), for a join.
fn professional_of_participation() -> RelationDef {
    participant::Entity::belongs_to(professional::Entity)
        .from(participant::Column::ProfessionalId)
        .to(professional::Column::Id)
        .into()
}
