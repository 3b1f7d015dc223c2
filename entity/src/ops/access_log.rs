//! The access log as evidence: appended under one lock so that every row chains to the one
//! before it, verified end to end, and pruned only from its start.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and the row's own content (its
//! time to the microsecond, kind, professional, case, basis, what, operation and request ids,
//! each field separated), hex-encoded. The chain runs in `id` order. [`verify`] recomputes it
//! and names the first row where it breaks: an edited row no longer matches its hash, a
//! removed row leaves its successor pointing at a hash that is not there, and swapped rows do
//! both. [`prune`] removes the rows older than the retention period from the chain's start
//! and records the last removed hash in `audit_prunes`, itself chained, so that what remains
//! still verifies. [`append`] is the only writer; on PostgreSQL it takes a transaction-level
//! advisory lock, so appends from every process serialize, and a trigger refuses any other
//! UPDATE, DELETE or TRUNCATE.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};

use crate::domain::enums::{AccessBasis, AccessKind};
use crate::entities::{access_log, audit_prune};
use crate::ids::{AccessLogEntryId, CaseId, ProfessionalId};

/// The `prev_hash` of the first row ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The advisory lock appends and prunes take on PostgreSQL (an arbitrary, fixed key).
const CHAIN_LOCK: i64 = 0x004b_4954_5f4c_4f47;

/// Where a change was made, for its log rows: the operation and the request's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The GraphQL operation, or the command.
    pub operation: String,
    /// The server's request id.
    pub request_id: String,
    /// The id the client sent, if any.
    pub client_request_id: Option<String>,
}

tokio::task_local! {
    /// The request the current task serves, set around an operation's execution so that the
    /// changes it makes are logged under it.
    pub static ORIGIN: Origin;
}

/// The origin of the current task's changes: its request, or `operation` for work outside
/// any request (the demo seed, a command).
#[must_use]
pub fn origin_or(operation: &str) -> Origin {
    ORIGIN.try_with(Clone::clone).unwrap_or_else(|_| Origin {
        operation: operation.to_owned(),
        request_id: String::new(),
        client_request_id: None,
    })
}

/// One row to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the data was read or changed.
    pub at: DateTime<Utc>,
    /// READ or CHANGE.
    pub kind: AccessKind,
    /// Who.
    pub professional_id: ProfessionalId,
    /// Whose case.
    pub case_id: CaseId,
    /// On what basis.
    pub basis: AccessBasis,
    /// The kinds of data, comma-separated in their fixed order.
    pub what: String,
    /// The GraphQL operation (or the command) that did it.
    pub operation: String,
    /// The server's request id.
    pub request_id: String,
    /// The id the client sent, if any.
    pub client_request_id: Option<String>,
}

fn name<E: sea_orm::ActiveEnum<Value = String>>(value: &E) -> String {
    value.to_value()
}

/// The hash of a row with this content after a row hashed `prev`.
#[must_use]
pub fn digest(prev: &str, e: &Entry) -> String {
    let mut h = Sha256::new();
    let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let fields: [&str; 9] = [
        prev,
        &at,
        &name(&e.kind),
        &e.professional_id.0.to_string(),
        &e.case_id.0.to_string(),
        &name(&e.basis),
        &e.what,
        &e.operation,
        &e.request_id,
    ];
    for f in fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    h.update(
        e.client_request_id
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
    );
    format!("{:x}", h.finalize())
}

fn entry_of(row: &access_log::Model) -> Entry {
    Entry {
        at: row.read_at,
        kind: row.kind,
        professional_id: row.professional_id,
        case_id: row.case_id,
        basis: row.basis,
        what: row.what.clone(),
        operation: row.operation.clone(),
        request_id: row.request_id.clone(),
        client_request_id: row.client_request_id.clone(),
    }
}

async fn lock<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [CHAIN_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// The hash the next row chains from: the last row's, the last prune's anchor when the log
/// is empty after a prune, or [`GENESIS`].
async fn head<C: ConnectionTrait>(txn: &C) -> Result<String, DbErr> {
    let last = access_log::Entity::find()
        .order_by_desc(access_log::Column::Id)
        .one(txn)
        .await?;
    if let Some(last) = last {
        return last.hash.ok_or_else(|| {
            DbErr::Custom(format!(
                "access-log row {} is not sealed; start the application once to seal it",
                last.id.0
            ))
        });
    }
    Ok(last_prune(txn)
        .await?
        .map_or_else(|| GENESIS.to_owned(), |p| p.through_hash))
}

async fn last_prune<C: ConnectionTrait>(txn: &C) -> Result<Option<audit_prune::Model>, DbErr> {
    audit_prune::Entity::find()
        .order_by_desc(audit_prune::Column::Id)
        .one(txn)
        .await
}

/// Rows per INSERT at most: 12 columns each, well inside SQLite's limit of bound values.
const ROWS_PER_INSERT: usize = 500;

/// The most bytes of values one INSERT carries to PostgreSQL. sqlx does not set `TCP_NODELAY`
/// on its sockets, so a message that leaves in more than one write — a TLS record holds 16
/// KiB — has its last part held back until the server acknowledges the first, which the
/// server's delayed ACK puts off by 40 ms on Linux. A caseload page's 50 rows in one INSERT
/// waited 45 ms per commit that way (BENCHMARKS.md); in INSERTs well under one record they
/// take a few.
const BYTES_PER_INSERT: usize = 12 * 1024;

/// About how many bytes a row's values take in a Bind message.
fn row_bytes(e: &Entry) -> usize {
    // Fixed-width values, two 64-digit hashes, lengths and the enumerations' names.
    220 + e.what.len()
        + e.operation.len()
        + e.request_id.len()
        + e.client_request_id.as_ref().map_or(0, String::len)
}

/// Appends `entries`, in order, to the chain, inside the caller's write transaction (which
/// holds the chain's lock until it ends).
///
/// # Errors
/// When the database fails.
pub async fn append<C: ConnectionTrait>(txn: &C, entries: Vec<Entry>) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let rows = entries.len() as u64;
    let appended = append_chained(txn, entries).await;
    let metrics = &crate::infra::metrics::METRICS;
    metrics
        .access_log_append_seconds
        .observe(started.elapsed().as_secs_f64());
    if appended.is_ok() {
        metrics.access_log_rows.inc_by(rows);
    }
    appended
}

async fn append_chained<C: ConnectionTrait>(txn: &C, entries: Vec<Entry>) -> Result<(), DbErr> {
    lock(txn).await?;
    let mut prev = head(txn).await?;
    let byte_limit = if txn.get_database_backend() == DbBackend::Postgres {
        BYTES_PER_INSERT
    } else {
        usize::MAX
    };
    let mut rows = Vec::with_capacity(entries.len());
    for mut e in entries {
        // Stored as read back on every database: to the microsecond.
        e.at = e.at.trunc_subsecs(6);
        let hash = digest(&prev, &e);
        let size = row_bytes(&e);
        rows.push((
            size,
            access_log::ActiveModel {
                id: NotSet,
                read_at: Set(e.at),
                kind: Set(e.kind),
                professional_id: Set(e.professional_id),
                case_id: Set(e.case_id),
                basis: Set(e.basis),
                what: Set(e.what),
                operation: Set(e.operation),
                request_id: Set(e.request_id),
                client_request_id: Set(e.client_request_id),
                prev_hash: Set(Some(std::mem::replace(&mut prev, hash.clone()))),
                hash: Set(Some(hash)),
            },
        ));
    }
    for chunk in chunked(rows, byte_limit) {
        access_log::Entity::insert_many(chunk).exec(txn).await?;
    }
    Ok(())
}

/// `rows` (each with its size in bytes) in order, in chunks of at most [`ROWS_PER_INSERT`]
/// rows and — unless one row alone is larger — at most `byte_limit` bytes.
fn chunked<T>(rows: Vec<(usize, T)>, byte_limit: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut bytes: usize = 0;
    for (size, row) in rows {
        if !current.is_empty()
            && (current.len() >= ROWS_PER_INSERT || bytes.saturating_add(size) > byte_limit)
        {
            chunks.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes = bytes.saturating_add(size);
        current.push(row);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Seals the rows written before the chain existed, in `id` order; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn seal(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let unsealed = access_log::Entity::find()
        .filter(access_log::Column::Hash.is_null())
        .select_only()
        .column(access_log::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if unsealed.is_none() {
        return Ok(0);
    }
    let txn = crate::infra::db::begin_write(db).await?;
    lock(&txn).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL kit.audit_seal = 'on'")
            .await?;
    }
    let rows = access_log::Entity::find()
        .order_by_asc(access_log::Column::Id)
        .all(&txn)
        .await?;
    let mut prev = GENESIS.to_owned();
    let mut sealed = 0;
    for row in rows {
        if let Some(hash) = &row.hash {
            prev.clone_from(hash);
            continue;
        }
        let hash = digest(&prev, &entry_of(&row));
        access_log::Entity::update_many()
            .col_expr(
                access_log::Column::PrevHash,
                Expr::value(Some(prev.clone())),
            )
            .col_expr(access_log::Column::Hash, Expr::value(Some(hash.clone())))
            .filter(access_log::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        prev = hash;
        sealed += 1;
    }
    txn.commit().await?;
    Ok(sealed)
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The row (or prune) where it breaks.
    pub id: i64,
    /// In `access_log` or in `audit_prunes`.
    pub table: &'static str,
    /// What is wrong there.
    pub problem: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Rows checked.
    pub rows: u64,
    /// Prunes checked.
    pub prunes: u64,
    /// Every break found, in chain order; empty when the log is intact.
    pub breaks: Vec<Break>,
}

impl Verification {
    /// True when nothing is wrong.
    #[must_use]
    pub fn intact(&self) -> bool {
        self.breaks.is_empty()
    }
}

/// Rows read per page while verifying.
const PAGE: u64 = 10_000;

/// Recomputes the chain of prunes and of the log, in `id` order, and reports every row where
/// it breaks: content that no longer matches its hash, or a `prev_hash` that is not the hash
/// of the row before (a row removed, inserted or moved).
///
/// # Errors
/// When the database fails.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    let mut breaks = Vec::new();
    let prunes = audit_prune::Entity::find()
        .order_by_asc(audit_prune::Column::Id)
        .all(db)
        .await?;
    let mut prev = GENESIS.to_owned();
    for p in &prunes {
        if p.prev_hash != prev {
            breaks.push(Break {
                id: p.id,
                table: "audit_prunes",
                problem: "does not follow the prune before it (one removed or moved)".into(),
            });
        }
        if prune_digest(&p.prev_hash, p) != p.hash {
            breaks.push(Break {
                id: p.id,
                table: "audit_prunes",
                problem: "its content does not match its hash (edited)".into(),
            });
        }
        prev.clone_from(&p.hash);
    }
    // The log's first row chains from the last prune's anchor, or from the start.
    let mut prev = prunes
        .last()
        .map_or_else(|| GENESIS.to_owned(), |p| p.through_hash.clone());
    let mut after = i64::MIN;
    let mut rows = 0;
    loop {
        let page = access_log::Entity::find()
            .filter(access_log::Column::Id.gt(after))
            .order_by_asc(access_log::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id.0;
        for row in &page {
            rows += 1;
            let Some(hash) = &row.hash else {
                breaks.push(Break {
                    id: row.id.0,
                    table: "access_log",
                    problem: "is not sealed".into(),
                });
                continue;
            };
            if row.prev_hash.as_deref() != Some(prev.as_str()) {
                breaks.push(Break {
                    id: row.id.0,
                    table: "access_log",
                    problem: "does not follow the row before it (a row removed, inserted or moved)"
                        .into(),
                });
            }
            let recomputed = digest(row.prev_hash.as_deref().unwrap_or_default(), &entry_of(row));
            if &recomputed != hash {
                breaks.push(Break {
                    id: row.id.0,
                    table: "access_log",
                    problem: "its content does not match its hash (edited)".into(),
                });
            }
            prev.clone_from(hash);
        }
    }
    Ok(Verification {
        rows,
        prunes: prunes.len() as u64,
        breaks,
    })
}

fn prune_digest(prev: &str, p: &audit_prune::Model) -> String {
    let mut h = Sha256::new();
    let at = p
        .pruned_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    for f in [
        prev,
        &at,
        &p.through_id.to_string(),
        &p.through_hash,
        &p.rows.to_string(),
        &p.retention_days.to_string(),
        &p.pruned_by,
    ] {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    format!("{:x}", h.finalize())
}

/// What [`prune`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Rows removed.
    pub rows: u64,
    /// The last removed row.
    pub through: AccessLogEntryId,
}

/// Removes the rows older than `retention_days` from the start of the chain — up to the first
/// row that is not that old — and records the prune, chained, in `audit_prunes`. Nothing when
/// no row is that old.
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
    // Most of the time the oldest row is not old enough: no write transaction then.
    let oldest = access_log::Entity::find()
        .order_by_asc(access_log::Column::Id)
        .one(db)
        .await?;
    if oldest.is_none_or(|o| o.read_at >= before) {
        return Ok(None);
    }
    let txn = crate::infra::db::begin_write(db).await?;
    lock(&txn).await?;
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
    let Some(through_hash) = through.hash.clone() else {
        return Err(DbErr::Custom(format!(
            "access-log row {} is not sealed; start the application once to seal it",
            through.id.0
        )));
    };
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL kit.audit_prune = 'on'")
            .await?;
    }
    let removed = access_log::Entity::delete_many()
        .filter(access_log::Column::Id.lte(through.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let prev = last_prune(&txn)
        .await?
        .map_or_else(|| GENESIS.to_owned(), |p| p.hash);
    let mut record = audit_prune::Model {
        id: 0,
        pruned_at: now.trunc_subsecs(6),
        through_id: through.id.0,
        through_hash,
        rows: i64::try_from(removed).unwrap_or(i64::MAX),
        retention_days: i32::try_from(retention_days).unwrap_or(i32::MAX),
        pruned_by: by.chars().take(200).collect(),
        prev_hash: prev,
        hash: String::new(),
    };
    record.hash = prune_digest(&record.prev_hash, &record);
    audit_prune::ActiveModel {
        id: NotSet,
        pruned_at: Set(record.pruned_at),
        through_id: Set(record.through_id),
        through_hash: Set(record.through_hash),
        rows: Set(record.rows),
        retention_days: Set(record.retention_days),
        pruned_by: Set(record.pruned_by),
        prev_hash: Set(record.prev_hash),
        hash: Set(record.hash),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(Pruned {
        rows: removed,
        through: through.id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            at: DateTime::from_timestamp(1_795_000_000, 123_456_000).unwrap_or_default(),
            kind: AccessKind::Read,
            professional_id: ProfessionalId(7),
            case_id: CaseId(42),
            basis: AccessBasis::Participant,
            what: "CHILD,FAMILY".into(),
            operation: "CaseView(case)".into(),
            request_id: "r-1".into(),
            client_request_id: None,
        }
    }

    #[test]
    fn a_caseload_pages_rows_go_to_postgresql_in_inserts_under_one_tls_record() {
        // 8 caseload pages at once: 400 rows of a realistic size.
        let rows: Vec<(usize, usize)> = (0..400).map(|i| (row_bytes(&entry()), i)).collect();
        let chunks = chunked(rows, BYTES_PER_INSERT);
        assert!(chunks.len() > 1);
        for chunk in &chunks {
            assert!(chunk.len() * row_bytes(&entry()) <= BYTES_PER_INSERT);
            assert!(
                chunk.len() * row_bytes(&entry()) < 16 * 1024,
                "one TLS record"
            );
        }
        let order: Vec<usize> = chunks.into_iter().flatten().collect();
        assert_eq!(order, (0..400).collect::<Vec<_>>(), "in chain order");
        // On SQLite only the bound-value limit splits them.
        let rows: Vec<(usize, usize)> = (0..1200).map(|i| (300, i)).collect();
        let sizes: Vec<usize> = chunked(rows, usize::MAX).iter().map(Vec::len).collect();
        assert_eq!(sizes, [500, 500, 200]);
        // A row larger than the limit still goes, alone.
        assert_eq!(
            chunked(vec![(99_999, 1), (10, 2)], 1000),
            [vec![1], vec![2]]
        );
    }

    #[test]
    fn every_field_and_the_row_before_change_the_hash() {
        let base = digest(GENESIS, &entry());
        assert_eq!(base.len(), 64);
        assert_eq!(base, digest(GENESIS, &entry()), "deterministic");
        assert_ne!(base, digest(&base, &entry()), "the row before");
        let changes: [fn(&mut Entry); 9] = [
            |e| e.at += TimeDelta::microseconds(1),
            |e| e.kind = AccessKind::Change,
            |e| e.professional_id = ProfessionalId(8),
            |e| e.case_id = CaseId(43),
            |e| e.basis = AccessBasis::IntakeUnit,
            |e| e.what = "CHILD".into(),
            |e| e.operation = "Other".into(),
            |e| e.request_id = "r-2".into(),
            |e| e.client_request_id = Some("c".into()),
        ];
        for change in changes {
            let mut e = entry();
            change(&mut e);
            assert_ne!(digest(GENESIS, &e), base, "{e:?}");
        }
    }
}
