//! Retention: the log's oldest rows leave as whole months on PostgreSQL (the table is
//! partitioned by month of `read_at`, UTC) and as the start of the chain on SQLite; each prune
//! is recorded, chained, with every chain's last removed hash, which the chain's first
//! remaining row chains from.

use chrono::{DateTime, NaiveDate, SubsecRound, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

use super::GENESIS;
use crate::entities::{access_log, audit_prune};
use crate::ids::AccessLogEntryId;

/// The advisory lock prunes and checkpoints take on PostgreSQL, so that each of their chains
/// grows one record at a time (an arbitrary, fixed key).
const HOUSEKEEPING_LOCK: i64 = 0x004b_4954_5f4c_4f47;

/// Serializes prunes and checkpoints across processes (SQLite's write lock already does).
pub(super) async fn housekeeping_lock<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [HOUSEKEEPING_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Creates the months of the log from `from`'s to `to`'s that do not exist yet (PostgreSQL).
///
/// # Errors
/// When the database fails.
pub(super) async fn ensure_months<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT kit_access_log_months($1, $2)",
        [from.into(), to.into()],
    ))
    .await?;
    Ok(())
}

/// What [`prune`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Rows removed.
    pub rows: u64,
    /// The last removed row.
    pub through: AccessLogEntryId,
    /// The months dropped (PostgreSQL), as `YYYY-MM`.
    pub months: Vec<String>,
}

/// Removes the rows older than `retention_days` and records the prune, chained, in
/// `audit_prunes`: one record per chain with its last removed row and hash. On PostgreSQL
/// whole months go, once all of a month is that old (rows are kept up to a month longer);
/// on SQLite the start of the chain up to the first row that is not that old. Nothing when no
/// row is that old. Keeps the months ahead in place on PostgreSQL.
///
/// # Errors
/// When the database fails.
pub async fn prune(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    retention_days: u32,
    by: &str,
) -> Result<Option<Pruned>, DbErr> {
    let before = now - TimeDelta::days(i64::from(retention_days));
    if db.get_database_backend() == DbBackend::Postgres {
        ensure_months(db, now, now + TimeDelta::days(62)).await?;
        prune_months(db, now, before, retention_days, by).await
    } else {
        prune_prefix(db, now, before, retention_days, by).await
    }
}

/// The log's months on PostgreSQL: each partition's name and first day, oldest first.
async fn months(db: &DatabaseConnection) -> Result<Vec<(String, NaiveDate)>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text AS name FROM pg_inherits i \
             JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = 'access_log'::regclass",
        ))
        .await?;
    let mut months = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "name")?;
        let first = name
            .strip_prefix("access_log_")
            .and_then(|ym| NaiveDate::parse_from_str(&format!("{ym}_01"), "%Y_%m_%d").ok());
        if let Some(first) = first {
            months.push((name, first));
        }
    }
    months.sort_by_key(|(_, first)| *first);
    Ok(months)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

async fn prune_months(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    before: DateTime<Utc>,
    retention_days: u32,
    by: &str,
) -> Result<Option<Pruned>, DbErr> {
    let old: Vec<(String, NaiveDate)> = months(db)
        .await?
        .into_iter()
        .filter(|(_, first)| {
            next_month(*first)
                .and_hms_opt(0, 0, 0)
                .is_some_and(|end| end.and_utc() <= before)
        })
        .collect();
    let Some((_, last_first)) = old.last() else {
        return Ok(None);
    };
    let end = next_month(*last_first)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let txn = crate::infra::db::begin_write(db).await?;
    housekeeping_lock(&txn).await?;
    // Each chain's rows in those months: how many, and the last.
    let chains = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT chain, count(*) AS rows, max(id) AS through FROM access_log \
             WHERE read_at < $1 GROUP BY chain ORDER BY chain",
            [end.into()],
        ))
        .await?;
    let mut removed: u64 = 0;
    let mut through_all = 0;
    for row in chains {
        let chain: i16 = row.try_get("", "chain")?;
        let rows: i64 = row.try_get("", "rows")?;
        let through: i64 = row.try_get("", "through")?;
        let hash = access_log::Entity::find()
            .filter(access_log::Column::Id.eq(through))
            .filter(access_log::Column::ReadAt.lt(end))
            .select_only()
            .column(access_log::Column::Hash)
            .into_tuple::<Option<String>>()
            .one(&txn)
            .await?
            .flatten()
            .ok_or_else(|| unsealed(through))?;
        record(&txn, now, chain, through, hash, rows, retention_days, by).await?;
        removed += u64::try_from(rows).unwrap_or(0);
        through_all = through_all.max(through);
    }
    // Rows that went to the default partition for want of their month's table leave by row.
    txn.execute_unprepared("SET LOCAL kit.audit_prune = 'on'")
        .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM access_log_default WHERE read_at < $1",
        [end.into()],
    ))
    .await?;
    let mut dropped = Vec::new();
    for (name, first) in &old {
        txn.execute_unprepared(&format!(
            "ALTER TABLE access_log DETACH PARTITION \"{name}\"; DROP TABLE \"{name}\""
        ))
        .await?;
        dropped.push(first.format("%Y-%m").to_string());
    }
    txn.commit().await?;
    Ok(Some(Pruned {
        rows: removed,
        through: AccessLogEntryId(through_all),
        months: dropped,
    }))
}

fn unsealed(id: i64) -> DbErr {
    DbErr::Custom(format!(
        "access-log row {id} is not sealed; start the application once to seal it"
    ))
}

async fn prune_prefix(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    before: DateTime<Utc>,
    retention_days: u32,
    by: &str,
) -> Result<Option<Pruned>, DbErr> {
    // Most of the time the oldest row is not old enough: no write transaction then.
    let oldest = access_log::Entity::find()
        .order_by_asc(access_log::Column::Id)
        .one(db)
        .await?;
    if oldest.is_none_or(|o| o.read_at >= before) {
        return Ok(None);
    }
    let txn = crate::infra::db::begin_write(db).await?;
    housekeeping_lock(&txn).await?;
    // The prefix: every row before the first one that is not old enough.
    let first_kept = access_log::Entity::find()
        .filter(access_log::Column::ReadAt.gte(before))
        .order_by_asc(access_log::Column::Id)
        .select_only()
        .column(access_log::Column::Id)
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    let mut old = access_log::Entity::find().order_by_desc(access_log::Column::Id);
    if let Some(kept) = first_kept {
        old = old.filter(access_log::Column::Id.lt(kept));
    }
    let Some(through) = old.one(&txn).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    let through_hash = through.hash.clone().ok_or_else(|| unsealed(through.id.0))?;
    let removed = access_log::Entity::delete_many()
        .filter(access_log::Column::Id.lte(through.id))
        .exec(&txn)
        .await?
        .rows_affected;
    record(
        &txn,
        now,
        through.chain,
        through.id.0,
        through_hash,
        i64::try_from(removed).unwrap_or(i64::MAX),
        retention_days,
        by,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(Pruned {
        rows: removed,
        through: through.id,
        months: Vec::new(),
    }))
}

/// Appends one prune's record to their chain.
#[allow(clippy::too_many_arguments)]
async fn record<C: ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    chain: i16,
    through_id: i64,
    through_hash: String,
    rows: i64,
    retention_days: u32,
    by: &str,
) -> Result<(), DbErr> {
    let prev = audit_prune::Entity::find()
        .order_by_desc(audit_prune::Column::Id)
        .one(txn)
        .await?
        .map_or_else(|| GENESIS.to_owned(), |p| p.hash);
    let mut record = audit_prune::Model {
        id: 0,
        pruned_at: now.trunc_subsecs(6),
        through_id,
        through_hash,
        rows,
        retention_days: i32::try_from(retention_days).unwrap_or(i32::MAX),
        pruned_by: by.chars().take(200).collect(),
        prev_hash: prev,
        hash: String::new(),
        chain,
    };
    record.hash = prune_digest(&record.prev_hash, &record);
    audit_prune::Entity::insert(audit_prune::ActiveModel {
        id: NotSet,
        pruned_at: Set(record.pruned_at),
        through_id: Set(record.through_id),
        through_hash: Set(record.through_hash),
        rows: Set(record.rows),
        retention_days: Set(record.retention_days),
        pruned_by: Set(record.pruned_by),
        prev_hash: Set(record.prev_hash),
        hash: Set(record.hash),
        chain: Set(record.chain),
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// The hash of a prune with this content after one hashed `prev`; chain 0's records hash as
/// they did before the log had chains.
pub(super) fn prune_digest(prev: &str, p: &audit_prune::Model) -> String {
    let mut h = Sha256::new();
    let at = p
        .pruned_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let chain = p.chain.to_string();
    let mut fields = vec![
        prev,
        &at,
        &p.through_id.to_string(),
        &p.through_hash,
        &p.rows.to_string(),
        &p.retention_days.to_string(),
        &p.pruned_by,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<String>>();
    if p.chain != 0 {
        fields.push(chain);
    }
    for f in fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    format!("{:x}", h.finalize())
}
