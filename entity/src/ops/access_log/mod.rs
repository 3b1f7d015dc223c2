//! The access log as evidence: every row hash-chained to the one before it in its chain,
//! verified end to end or from the last checkpoint, and removed only by retention.
//!
//! Each row's `hash` is SHA-256 over the previous row's hash and the row's own content (its
//! time to the microsecond, kind, professional, case, basis, what, operation and request ids,
//! each field separated), hex-encoded. The log has a few chains (`chain`; one on SQLite,
//! `KIT_AUDIT_CHAINS` on PostgreSQL), each running in `id` order: [`append`] takes a chain no
//! other transaction holds (its row in `audit_chain_heads`, locked until the append commits,
//! others skipped), so appends from several processes proceed side by side, and a chain's
//! rows never go back in time. [`verify`] recomputes every chain and names each row where one
//! breaks: an edited row no longer matches its hash, a removed row leaves its successor
//! pointing at a hash that is not there, swapped rows do both, and rows cut from a chain's end
//! leave its recorded head unmatched. [`checkpoint`](verify::checkpoint) records how far each
//! chain verified, chained itself; [`verify_since`](verify::verify_since) starts there.
//! Retention ([`retention::prune`]) drops whole months on PostgreSQL (the log is partitioned
//! by month) and the chain's start on SQLite, recording each chain's last removed hash in
//! `audit_prunes`, itself chained, so that what remains still verifies. On PostgreSQL a
//! trigger refuses any UPDATE, DELETE or TRUNCATE of the log.

mod retention;
mod verify;

pub use retention::{Pruned, prune};
pub use verify::{
    Break, Checkpointed, Verification, checkpoint, checkpoint_digest, checkpoint_due, checkpoints,
    verify, verify_since,
};

use std::sync::atomic::{AtomicI16, Ordering};

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

use crate::domain::enums::{AccessBasis, AccessKind};
use crate::entities::{access_log, audit_chain_head};
use crate::ids::{CaseId, ProfessionalId};

/// The `prev_hash` of the first row ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

/// How many chains appends spread over (see [`prepare`]); one until then.
static CHAINS: AtomicI16 = AtomicI16::new(1);

/// Where the next append starts looking for a free chain, turned by every append so that the
/// chains fill evenly.
static NEXT_CHAIN: AtomicI16 = AtomicI16::new(0);

/// Most chains [`prepare`] accepts.
pub const MAX_CHAINS: u16 = 64;

/// Makes the log ready for this process's appends: `chains` chains (one on SQLite, whose
/// writers take turns anyway), each with its head, and on PostgreSQL the months around `now`.
/// Both binaries call it at start.
///
/// # Errors
/// When the database fails.
pub async fn prepare(
    db: &DatabaseConnection,
    chains: u16,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let chains = if postgres {
        chains.clamp(1, MAX_CHAINS)
    } else {
        1
    };
    let heads: Vec<audit_chain_head::ActiveModel> = (0..chains)
        .map(|chain| audit_chain_head::ActiveModel {
            chain: Set(i16::try_from(chain).unwrap_or(i16::MAX)),
            hash: Set(GENESIS.to_owned()),
            at: Set(None),
        })
        .collect();
    audit_chain_head::Entity::insert_many(heads)
        .on_conflict_do_nothing_on([audit_chain_head::Column::Chain])
        .exec(db)
        .await?;
    CHAINS.store(i16::try_from(chains).unwrap_or(1), Ordering::Relaxed);
    if postgres {
        retention::ensure_months(db, now - TimeDelta::days(31), now + TimeDelta::days(62)).await?;
    }
    Ok(())
}

/// Takes a chain for this transaction: the first, from a turning start, that no other
/// transaction holds; when every one is held, waits for the one at the start. The chain's row
/// stays locked until the transaction ends, so the chain's rows are written one append at a
/// time, in `id` order.
async fn take_chain<C: ConnectionTrait>(txn: &C) -> Result<audit_chain_head::Model, DbErr> {
    let chains = CHAINS.load(Ordering::Relaxed).max(1);
    let start = NEXT_CHAIN
        .fetch_add(1, Ordering::Relaxed)
        .rem_euclid(chains);
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres && chains > 1 {
        let free = audit_chain_head::Entity::find()
            .filter(audit_chain_head::Column::Chain.lt(chains))
            .order_by_asc(Expr::cust_with_values(
                "(chain - $1 + $2) % $2",
                [i32::from(start), i32::from(chains)],
            ))
            .limit(1)
            .lock_with_behavior(
                sea_orm::sea_query::LockType::Update,
                sea_orm::sea_query::LockBehavior::SkipLocked,
            )
            .one(txn)
            .await?;
        if let Some(free) = free {
            return Ok(free);
        }
    }
    crate::infra::db::for_update(audit_chain_head::Entity::find_by_id(start), backend)
        .one(txn)
        .await?
        .ok_or_else(|| {
            DbErr::Custom(format!(
                "the access log's chain {start} has no head; start the application once to prepare it"
            ))
        })
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
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    let head = take_chain(txn).await?;
    let byte_limit = if postgres {
        BYTES_PER_INSERT
    } else {
        usize::MAX
    };
    let mut prev = head.hash;
    // A chain never goes back in time, so that a month dropped by retention is a prefix of
    // every chain: a row read a moment before the chain's last one is stamped with its time.
    let mut floor = head.at;
    let mut rows = Vec::with_capacity(entries.len());
    for mut e in entries {
        // Stored as read back on every database: to the microsecond.
        e.at = e.at.trunc_subsecs(6);
        if let Some(floor) = floor
            && e.at < floor
        {
            e.at = floor;
        }
        floor = Some(e.at);
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
                chain: Set(head.chain),
            },
        ));
    }
    for chunk in chunked(rows, byte_limit) {
        access_log::Entity::insert_many(chunk).exec(txn).await?;
    }
    audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::Hash, Expr::value(prev))
        .col_expr(audit_chain_head::Column::At, Expr::value(floor))
        .filter(audit_chain_head::Column::Chain.eq(head.chain))
        .exec(txn)
        .await?;
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
    // The rows written before the chains existed are chain 0's start.
    crate::infra::db::for_update(
        audit_chain_head::Entity::find_by_id(0_i16),
        txn.get_database_backend(),
    )
    .one(&txn)
    .await?;
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
    let mut last_at = None;
    for row in rows.into_iter().filter(|r| r.chain == 0) {
        last_at = Some(row.read_at);
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
    audit_chain_head::Entity::update_many()
        .col_expr(audit_chain_head::Column::Hash, Expr::value(prev))
        .col_expr(audit_chain_head::Column::At, Expr::value(last_at))
        .filter(audit_chain_head::Column::Chain.eq(0))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(sealed)
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
