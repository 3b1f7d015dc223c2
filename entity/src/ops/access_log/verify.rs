//! Verifying the log: every chain from its start ([`verify`]), or each chain from its last
//! checkpoint before a day ([`verify_since`]); and making those checkpoints ([`checkpoint`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use sha2::{Digest, Sha256};

use super::retention::{housekeeping_lock, prune_digest};
use super::{GENESIS, digest, entry_of};
use crate::entities::{access_log, audit_chain_head, audit_checkpoint, audit_prune};

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The row (or prune, checkpoint or chain) where it breaks.
    pub id: i64,
    /// In `access_log`, `audit_prunes`, `audit_checkpoints` or `audit_chain_heads`.
    pub table: &'static str,
    /// What is wrong there.
    pub problem: String,
}

/// What [`verify`] or [`verify_since`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Rows checked.
    pub rows: u64,
    /// Prunes checked.
    pub prunes: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// Chains checked.
    pub chains: u64,
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

/// Where a chain's check starts: after this row, from this hash; on PostgreSQL no row after it
/// is older than `at` (a chain never goes back in time), which keeps the months before out.
#[derive(Debug, Clone)]
struct Start {
    after: i64,
    hash: String,
    at: Option<DateTime<Utc>>,
}

impl Start {
    fn genesis() -> Self {
        Self {
            after: i64::MIN,
            hash: GENESIS.to_owned(),
            at: None,
        }
    }
}

/// The log's bookkeeping, read before its rows: the chains' heads, the prunes and the
/// checkpoints, each of the two chained records checked.
struct Records {
    heads: Vec<audit_chain_head::Model>,
    prunes: Vec<audit_prune::Model>,
    checkpoints: Vec<audit_checkpoint::Model>,
    breaks: Vec<Break>,
}

impl Records {
    async fn read<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let heads = audit_chain_head::Entity::find()
            .order_by_asc(audit_chain_head::Column::Chain)
            .all(db)
            .await?;
        let prunes = audit_prune::Entity::find()
            .order_by_asc(audit_prune::Column::Id)
            .all(db)
            .await?;
        let checkpoints = audit_checkpoint::Entity::find()
            .order_by_asc(audit_checkpoint::Column::Id)
            .all(db)
            .await?;
        let mut breaks = check_records(
            "audit_prunes",
            prunes
                .iter()
                .map(|p| (p.id, &p.prev_hash, &p.hash, prune_digest(&p.prev_hash, p))),
        );
        breaks.extend(check_records(
            "audit_checkpoints",
            checkpoints.iter().map(|c| {
                (
                    c.id,
                    &c.prev_hash,
                    &c.hash,
                    checkpoint_digest(&c.prev_hash, c),
                )
            }),
        ));
        Ok(Self {
            heads,
            prunes,
            checkpoints,
            breaks,
        })
    }

    /// A chain's start after its last prune, or its very start.
    fn pruned_start(&self, chain: i16) -> Start {
        self.prunes
            .iter()
            .rev()
            .find(|p| p.chain == chain)
            .map_or_else(Start::genesis, |p| Start {
                after: p.through_id,
                hash: p.through_hash.clone(),
                at: None,
            })
    }

    /// A chain's start for a check of the rows since `since`: its last checkpoint of a row
    /// older than that, unless a prune removed more.
    fn start_before(&self, chain: i16, since: Option<DateTime<Utc>>) -> Start {
        let pruned = self.pruned_start(chain);
        let checkpoint = self.checkpoints.iter().rev().find(|c| {
            c.chain == chain
                && since.is_none_or(|s| c.through_at < s)
                && c.through_id > pruned.after
        });
        checkpoint.map_or(pruned, |c| Start {
            after: c.through_id,
            hash: c.head_hash.clone(),
            at: Some(c.through_at),
        })
    }

    /// The chains to check: those with a head, a prune or a checkpoint.
    fn chains(&self) -> Vec<i16> {
        let mut chains: Vec<i16> = self
            .heads
            .iter()
            .map(|h| h.chain)
            .chain(self.prunes.iter().map(|p| p.chain))
            .chain(self.checkpoints.iter().map(|c| c.chain))
            .collect();
        chains.sort_unstable();
        chains.dedup();
        chains
    }
}

/// The breaks of a chained record table, its rows as (id, previous hash, hash, the hash
/// recomputed) in id order.
fn check_records<'a>(
    table: &'static str,
    rows: impl Iterator<Item = (i64, &'a String, &'a String, String)>,
) -> Vec<Break> {
    let mut breaks = Vec::new();
    let mut prev = GENESIS;
    for (id, prev_hash, hash, recomputed) in rows {
        if prev_hash != prev {
            breaks.push(broken(id, table, FOLLOWS));
        }
        if &recomputed != hash {
            breaks.push(broken(id, table, EDITED));
        }
        prev = hash;
    }
    breaks
}

const FOLLOWS: &str = "does not follow the one before it (one removed or moved)";
const EDITED: &str = "its content does not match its hash (edited)";

fn broken(id: i64, table: &'static str, problem: &str) -> Break {
    Break {
        id,
        table,
        problem: problem.to_owned(),
    }
}

/// Follows rows in `id` order, each chain from its start.
struct Walk {
    prev: HashMap<i16, String>,
    /// Each chain's last row walked: id, time, hash; and how many rows.
    last: HashMap<i16, (i64, DateTime<Utc>, String, i64)>,
    /// Rows a checkpoint names, with the checkpoint, its chain and the hash it recorded.
    expected: HashMap<i64, (i64, i16, String)>,
    /// Each chain's recorded head, until a row (or its start) matches it.
    heads: HashMap<i16, String>,
    rows: u64,
    breaks: Vec<Break>,
    /// The chains with a break.
    broken: HashSet<i16>,
}

/// What a walk found.
struct Walked {
    rows: u64,
    breaks: Vec<Break>,
    /// Each chain's last row walked: id, time, hash; and how many rows.
    last: HashMap<i16, (i64, DateTime<Utc>, String, i64)>,
    broken: HashSet<i16>,
}

impl Walk {
    fn new(records: &Records, starts: &HashMap<i16, Start>) -> Self {
        let expected = records
            .checkpoints
            .iter()
            .filter(|c| starts.get(&c.chain).is_some_and(|s| c.through_id > s.after))
            .map(|c| (c.through_id, (c.id, c.chain, c.head_hash.clone())))
            .collect();
        let heads = records
            .heads
            .iter()
            .filter(|h| starts.get(&h.chain).is_some_and(|s| s.hash != h.hash))
            .map(|h| (h.chain, h.hash.clone()))
            .collect();
        Self {
            prev: starts
                .iter()
                .map(|(chain, s)| (*chain, s.hash.clone()))
                .collect(),
            last: HashMap::new(),
            expected,
            heads,
            rows: 0,
            breaks: Vec::new(),
            broken: HashSet::new(),
        }
    }

    fn step(&mut self, row: &access_log::Model) {
        self.rows += 1;
        let prev = self
            .prev
            .entry(row.chain)
            .or_insert_with(|| GENESIS.to_owned());
        let Some(hash) = &row.hash else {
            self.breaks
                .push(broken(row.id.0, "access_log", "is not sealed"));
            self.broken.insert(row.chain);
            return;
        };
        let before = self.breaks.len();
        if row.prev_hash.as_deref() != Some(prev.as_str()) {
            self.breaks.push(broken(
                row.id.0,
                "access_log",
                "does not follow the row before it in its chain (a row removed, inserted or moved)",
            ));
        }
        let recomputed = digest(row.prev_hash.as_deref().unwrap_or_default(), &entry_of(row));
        if &recomputed != hash {
            self.breaks.push(broken(row.id.0, "access_log", EDITED));
        }
        if let Some((checkpoint, _, recorded)) = self.expected.remove(&row.id.0)
            && &recorded != hash
        {
            self.breaks.push(Break {
                id: checkpoint,
                table: "audit_checkpoints",
                problem: format!(
                    "row {} does not have the hash it had when checkpointed (the chain was rewritten)",
                    row.id.0
                ),
            });
        }
        if self.breaks.len() > before {
            self.broken.insert(row.chain);
        }
        if self.heads.get(&row.chain) == Some(hash) {
            self.heads.remove(&row.chain);
        }
        prev.clone_from(hash);
        let count = self.last.get(&row.chain).map_or(0, |l| l.3) + 1;
        self.last
            .insert(row.chain, (row.id.0, row.read_at, hash.clone(), count));
    }

    /// The breaks found, with the checkpointed rows and chain heads never reached.
    fn finish(mut self) -> Walked {
        let mut missing: Vec<(i64, i64, i16)> = self
            .expected
            .iter()
            .map(|(row, (checkpoint, chain, _))| (*checkpoint, *row, *chain))
            .collect();
        missing.sort_unstable();
        for (checkpoint, row, chain) in missing {
            self.broken.insert(chain);
            self.breaks.push(Break {
                id: checkpoint,
                table: "audit_checkpoints",
                problem: format!("row {row}, which it names, is not in the log (removed)"),
            });
        }
        let mut heads: Vec<(i16, String)> = self.heads.into_iter().collect();
        heads.sort_unstable();
        for (chain, hash) in heads {
            self.broken.insert(chain);
            self.breaks.push(Break {
                id: i64::from(chain),
                table: "audit_chain_heads",
                problem: format!(
                    "the chain's last row (hash {hash}) is not in the log (rows removed from its end)"
                ),
            });
        }
        Walked {
            rows: self.rows,
            breaks: self.breaks,
            last: self.last,
            broken: self.broken,
        }
    }
}

/// Walks the rows after each chain's start: all chains together in `id` order when every
/// start is the very start, else chain by chain.
async fn walk<C: ConnectionTrait>(
    db: &C,
    records: &Records,
    starts: &HashMap<i16, Start>,
    whole: bool,
) -> Result<Walk, DbErr> {
    let mut walk = Walk::new(records, starts);
    if whole {
        // Every row, whichever chain: a row in a chain nobody recorded is still checked.
        let mut after = i64::MIN;
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
                walk.step(row);
            }
        }
        return Ok(walk);
    }
    let mut chains: Vec<(&i16, &Start)> = starts.iter().collect();
    chains.sort_unstable_by_key(|(chain, _)| **chain);
    for (chain, start) in chains {
        let mut after = start.after;
        loop {
            let mut query = access_log::Entity::find()
                .filter(access_log::Column::Chain.eq(*chain))
                .filter(access_log::Column::Id.gt(after));
            if let Some(at) = start.at {
                query = query.filter(access_log::Column::ReadAt.gte(at));
            }
            let page = query
                .order_by_asc(access_log::Column::Id)
                .limit(PAGE)
                .all(db)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id.0;
            for row in &page {
                walk.step(row);
            }
        }
    }
    Ok(walk)
}

/// Recomputes the prunes' and checkpoints' chains and every chain of the log from its start,
/// and reports every place where one breaks: content that no longer matches its hash, a
/// `prev_hash` that is not the hash of the row before in its chain (a row removed, inserted
/// or moved), a checkpointed row that is gone or changed, a chain's head that is not its last
/// row (rows cut from its end).
///
/// # Errors
/// When the database fails.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    let records = Records::read(db).await?;
    let starts: HashMap<i16, Start> = records
        .chains()
        .into_iter()
        .map(|chain| (chain, records.pruned_start(chain)))
        .collect();
    let walked = walk(db, &records, &starts, true).await?;
    Ok(verification(records, starts.len(), walked))
}

/// Like [`verify`], but each chain only from its last checkpoint of a row older than `since`:
/// the rows written since (and the rest of that day), in time proportional to them. What the
/// checkpoints vouch for before them is trusted — a full [`verify`], or an outside witness's
/// copy of the checkpoints, checks that.
///
/// # Errors
/// When the database fails.
pub async fn verify_since(
    db: &DatabaseConnection,
    since: DateTime<Utc>,
) -> Result<Verification, DbErr> {
    let records = Records::read(db).await?;
    let starts: HashMap<i16, Start> = records
        .chains()
        .into_iter()
        .map(|chain| (chain, records.start_before(chain, Some(since))))
        .collect();
    let walked = walk(db, &records, &starts, false).await?;
    Ok(verification(records, starts.len(), walked))
}

fn verification(records: Records, chains: usize, walked: Walk) -> Verification {
    let walked = walked.finish();
    let mut breaks = records.breaks;
    breaks.extend(walked.breaks);
    Verification {
        rows: walked.rows,
        prunes: records.prunes.len() as u64,
        checkpoints: records.checkpoints.len() as u64,
        chains: chains as u64,
        breaks,
    }
}

/// Every checkpoint, oldest first: what an outside witness keeps a copy of.
///
/// # Errors
/// When the database fails.
pub async fn checkpoints(db: &DatabaseConnection) -> Result<Vec<audit_checkpoint::Model>, DbErr> {
    audit_checkpoint::Entity::find()
        .order_by_asc(audit_checkpoint::Column::Id)
        .all(db)
        .await
}

/// The hash of a checkpoint with this content after one hashed `prev`.
#[must_use]
pub fn checkpoint_digest(prev: &str, c: &audit_checkpoint::Model) -> String {
    let mut h = Sha256::new();
    let made_at = c
        .made_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let through_at = c
        .through_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    for f in [
        prev,
        &made_at,
        &c.chain.to_string(),
        &c.through_id.to_string(),
        &through_at,
        &c.head_hash,
        &c.rows.to_string(),
        &c.made_by,
    ] {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    format!("{:x}", h.finalize())
}

/// What [`checkpoint`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpointed {
    /// The checkpoints made, one per chain with rows since its last.
    pub made: Vec<audit_checkpoint::Model>,
    /// Rows verified to make them.
    pub rows: u64,
    /// Where a chain broke since its last checkpoint; no checkpoint is made then.
    pub breaks: Vec<Break>,
}

/// True when no checkpoint has been made since the start of `now`'s day (UTC).
///
/// # Errors
/// When the database fails.
pub async fn checkpoint_due(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let last = audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Id)
        .select_only()
        .column(audit_checkpoint::Column::MadeAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok(last.is_none_or(|made| made < today))
}

/// Verifies each chain from its last checkpoint to its head and records, chained, a new
/// checkpoint for every chain with rows since; the whole log is checked once, the first time.
/// A chain that breaks gets no checkpoint: its breaks are returned (and the next checkpoint
/// tries again from the last good one). Serialized with prunes across processes.
///
/// # Errors
/// When the database fails.
pub async fn checkpoint(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Checkpointed, DbErr> {
    let txn = crate::infra::db::begin_write(db).await?;
    housekeeping_lock(&txn).await?;
    let records = Records::read(&txn).await?;
    let starts: HashMap<i16, Start> = records
        .chains()
        .into_iter()
        .map(|chain| (chain, records.start_before(chain, None)))
        .collect();
    let walked = walk(&txn, &records, &starts, false).await?.finish();
    let mut prev = records
        .checkpoints
        .last()
        .map_or_else(|| GENESIS.to_owned(), |c| c.hash.clone());
    let mut made = Vec::new();
    let mut chains: Vec<_> = walked.last.into_iter().collect();
    chains.sort_unstable_by_key(|(chain, _)| *chain);
    if !records.breaks.is_empty() {
        // The prunes or checkpoints themselves are broken: nothing to build on.
        chains.clear();
    }
    for (chain, (through_id, through_at, head_hash, count)) in chains {
        if walked.broken.contains(&chain) {
            continue;
        }
        let mut record = audit_checkpoint::Model {
            id: 0,
            made_at: now.trunc_subsecs(6),
            chain,
            through_id,
            through_at,
            head_hash,
            rows: count,
            made_by: by.chars().take(200).collect(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        record.hash = checkpoint_digest(&record.prev_hash, &record);
        prev.clone_from(&record.hash);
        let inserted = audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
            id: NotSet,
            made_at: Set(record.made_at),
            chain: Set(record.chain),
            through_id: Set(record.through_id),
            through_at: Set(record.through_at),
            head_hash: Set(record.head_hash.clone()),
            rows: Set(record.rows),
            made_by: Set(record.made_by.clone()),
            prev_hash: Set(record.prev_hash.clone()),
            hash: Set(record.hash.clone()),
        })
        .exec(&txn)
        .await?;
        record.id = inserted.last_insert_id;
        made.push(record);
    }
    txn.commit().await?;
    let mut breaks = records.breaks;
    breaks.extend(walked.breaks);
    Ok(Checkpointed {
        made,
        rows: walked.rows,
        breaks,
    })
}
