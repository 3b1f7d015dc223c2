//! Writing generated rows fast: multi-row INSERTs as large as each database takes bound
//! values, in one transaction per batch; and afterwards, on PostgreSQL, every id sequence moved
//! past the ids written.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, Statement,
};

/// Bound values per statement: PostgreSQL takes 65,535, SQLite 32,766.
fn values_per_statement(backend: DbBackend) -> usize {
    if backend == DbBackend::Postgres {
        65_000
    } else {
        32_000
    }
}

/// Inserts `rows` in as few statements as the database takes.
///
/// # Errors
/// When the database fails.
pub async fn insert<A, C>(db: &C, rows: Vec<A>) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per = (values_per_statement(db.get_database_backend()) / columns).max(1);
    let count = rows.len() as u64;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(count)
}

/// The tables whose ids the region writes itself.
pub const TABLES_WITH_IDS: &[&str] = &[
    "organizations",
    "units",
    "professionals",
    "children",
    "family_members",
    "cases",
    "referrals",
    "case_status_changes",
    "participants",
    "case_events",
    "meetings",
    "meeting_invitees",
    "agenda_items",
    "deadlines",
    "notifications",
    "deliveries",
    "agreements",
    "plan_versions",
    "plan_items",
    "plan_agreements",
    "consents",
    "documents",
    "early_intervention_offers",
    "early_intervention_cohorts",
    "waiting_entries",
    "consultation_offers",
    "consultation_bookings",
    "committee_meetings",
    "committee_members",
    "committee_agenda_items",
    "busy_periods",
    "access_log",
    "audit_checkpoints",
];

/// Moves each table's id sequence past its largest id (PostgreSQL; SQLite's AUTOINCREMENT
/// follows inserted ids by itself).
///
/// # Errors
/// When the database fails.
pub async fn advance_sequences<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in TABLES_WITH_IDS {
        db.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            ),
        ))
        .await?;
    }
    Ok(())
}
