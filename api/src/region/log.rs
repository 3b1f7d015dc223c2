//! The access log of the region's years: the requests professionals made on working days —
//! a case opened, a caseload page of a responsible contact or an intake member, a change —
//! one row per case per request, in time order, spread over the chains as appends spread
//! them, each row hashed onto its chain; the worker's daily checkpoints; and each chain's head.
//! On PostgreSQL the rows go in by COPY, made on another thread while the last batch is
//! written.

use chrono::{DateTime, Datelike, SecondsFormat, TimeDelta, Utc};
use kit_entity::domain::enums::{AccessBasis, AccessKind};
use kit_entity::entities::{access_log, audit_chain_head, audit_checkpoint};
use kit_entity::ids::{AccessLogEntryId, ProfessionalId};
use kit_entity::ops::access_log::{self as chain, Entry, GENESIS};
use kit_entity::{Error, Result};
use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement, TransactionTrait,
};

use super::cases::Activity;
use super::directory::Region;
use super::{Options, bulk, rng};

/// What the log holds.
#[derive(Debug, Clone, Default)]
pub struct LogRows {
    /// Rows written.
    pub rows: u64,
    /// Chains they spread over.
    pub chains: u16,
    /// Checkpoints written (one per chain per day).
    pub checkpoints: u64,
}

/// One generated row.
struct Row {
    id: i64,
    chain: i16,
    entry: Entry,
    prev: String,
    hash: String,
}

/// Rows per batch handed from the generating thread to the writer.
const BATCH: usize = 50_000;

/// Writes `options.access_log_rows` rows, the daily checkpoints and the chains' heads.
pub(super) async fn write(
    db: &DatabaseConnection,
    options: &Options,
    region: &Region,
    activity: &[Activity],
) -> Result<LogRows> {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let chains: u16 = if postgres {
        options.chains.clamp(1, chain::MAX_CHAINS)
    } else {
        1
    };
    if postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT kit_access_log_months($1, $2)",
            [
                options.start().into(),
                (options.until + TimeDelta::days(62)).into(),
            ],
        ))
        .await?;
    }
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Row>>(4);
    let generator = {
        let options = options.clone();
        let region = region.clone();
        let activity = activity.to_vec();
        tokio::task::spawn_blocking(move || generate(&options, &region, &activity, chains, &sender))
    };
    let mut written = 0_u64;
    while let Some(batch) = receiver.recv().await {
        written += batch.len() as u64;
        if postgres {
            copy(db, &batch).await?;
        } else {
            let txn = db.begin().await?;
            bulk::insert(&txn, batch.into_iter().map(active).collect()).await?;
            txn.commit().await?;
        }
    }
    let done = generator
        .await
        .map_err(|e| Error::internal(format!("the access-log generator failed: {e}")))?;
    let checkpoints = done.checkpoints.len() as u64;
    let txn = db.begin().await?;
    bulk::insert(&txn, done.checkpoints).await?;
    for (chain, (hash, at)) in done.heads.into_iter().enumerate() {
        let chain = i16::try_from(chain).unwrap_or(i16::MAX);
        audit_chain_head::Entity::insert(audit_chain_head::ActiveModel {
            chain: Set(chain),
            hash: Set(GENESIS.to_owned()),
            at: Set(None),
        })
        .on_conflict_do_nothing_on([audit_chain_head::Column::Chain])
        .exec(&txn)
        .await?;
        audit_chain_head::Entity::update_many()
            .col_expr(audit_chain_head::Column::Hash, Expr::value(hash))
            .col_expr(audit_chain_head::Column::At, Expr::value(at))
            .filter(audit_chain_head::Column::Chain.eq(chain))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(LogRows {
        rows: written,
        chains,
        checkpoints,
    })
}

fn active(row: Row) -> access_log::ActiveModel {
    access_log::ActiveModel {
        id: Set(AccessLogEntryId(row.id)),
        read_at: Set(row.entry.at),
        kind: Set(row.entry.kind),
        professional_id: Set(row.entry.professional_id),
        case_id: Set(row.entry.case_id),
        basis: Set(row.entry.basis),
        what: Set(row.entry.what),
        operation: Set(row.entry.operation),
        request_id: Set(row.entry.request_id),
        client_request_id: Set(row.entry.client_request_id),
        prev_hash: Set(Some(row.prev)),
        hash: Set(Some(row.hash)),
        chain: Set(row.chain),
    }
}

/// One batch by COPY, in PostgreSQL's text format (no value holds a tab, newline or
/// backslash).
async fn copy(db: &DatabaseConnection, batch: &[Row]) -> Result<()> {
    use sea_orm::sqlx::postgres::PgPoolCopyExt as _;
    let mut text = String::with_capacity(batch.len() * 400);
    for row in batch {
        let e = &row.entry;
        let name = |v: &dyn Fn() -> String| v();
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t\\N\t{}\t{}\t{}\n",
            row.id,
            e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            name(&|| sea_orm::ActiveEnum::to_value(&e.kind)),
            e.professional_id.0,
            e.case_id.0,
            name(&|| sea_orm::ActiveEnum::to_value(&e.basis)),
            e.what,
            e.operation,
            e.request_id,
            row.prev,
            row.hash,
            row.chain,
        ));
    }
    let pool = db.get_postgres_connection_pool();
    let mut copy = pool
        .copy_in_raw(
            "COPY access_log (id, read_at, kind, professional_id, case_id, basis, what, operation, \
             request_id, client_request_id, prev_hash, hash, chain) FROM STDIN",
        )
        .await
        .map_err(|e| Error::internal(format!("COPY into the access log: {e}")))?;
    copy.send(text.into_bytes())
        .await
        .map_err(|e| Error::internal(format!("COPY into the access log: {e}")))?;
    copy.finish()
        .await
        .map_err(|e| Error::internal(format!("COPY into the access log: {e}")))?;
    Ok(())
}

/// What the generator leaves besides the rows.
struct Generated {
    checkpoints: Vec<audit_checkpoint::ActiveModel>,
    /// Each chain's last hash and time.
    heads: Vec<(String, Option<DateTime<Utc>>)>,
}

/// What a request reads: the kinds of data, as the API names them.
const WHAT: &[&str] = &[
    "CHILD,PARTICIPANTS",
    "CHILD,FAMILY,PARTICIPANTS,MEETINGS",
    "CHILD,PARTICIPANTS,DEADLINES",
    "CHILD,PLAN,AGREEMENTS",
    "CHILD,DOCUMENTS",
];

#[allow(clippy::too_many_lines)]
fn generate(
    options: &Options,
    region: &Region,
    activity: &[Activity],
    chains: u16,
    sender: &tokio::sync::mpsc::Sender<Vec<Row>>,
) -> Generated {
    let mut r = rng(options.seed, 6, 0);
    // Each professional's cases and each municipality's, in the order they opened.
    let mut caseloads: std::collections::HashMap<ProfessionalId, Vec<usize>> =
        std::collections::HashMap::new();
    let mut by_municipality: Vec<Vec<usize>> = vec![Vec::new(); region.municipalities.len()];
    for (i, a) in activity.iter().enumerate() {
        for p in &a.professionals {
            caseloads.entry(*p).or_default().push(i);
        }
        by_municipality[a.municipality].push(i);
    }
    let mut days = Vec::new();
    let mut day = options.start().date_naive();
    while day <= options.until.date_naive() {
        if !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            days.push(day);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    let chains_n = usize::from(chains.max(1));
    let mut prev: Vec<String> = vec![GENESIS.to_owned(); chains_n];
    let mut last_at: Vec<Option<DateTime<Utc>>> = vec![None; chains_n];
    let mut since_checkpoint: Vec<(i64, i64)> = vec![(0, 0); chains_n];
    let mut checkpoints = Vec::new();
    let mut checkpoint_prev = GENESIS.to_owned();
    let mut checkpoint_id = 0_i64;
    let mut id = 0_i64;
    let mut request = 0_u64;
    let mut written = 0_u64;
    let mut batch = Vec::with_capacity(BATCH);
    'days: for (d, day) in days.iter().enumerate() {
        let start = day.and_hms_opt(7, 0, 0).unwrap_or_default().and_utc();
        let opened = activity.partition_point(|a| a.opened <= start + TimeDelta::hours(8));
        if opened == 0 {
            continue;
        }
        // The day's share of the rows still to write, a fifth up or down.
        let target = options.access_log_rows.saturating_sub(written);
        let per_day = target as f64 / (days.len() - d) as f64;
        let today = if d + 1 == days.len() {
            target
        } else {
            ((per_day * r.random_range(0.8..1.2)) as u64).min(target)
        };
        let mut rows_today = 0_u64;
        while rows_today < today {
            let ai = r.random_range(0..opened);
            let a = &activity[ai];
            if a.closed.is_some_and(|c| c < start - TimeDelta::days(30)) && r.random::<f64>() < 0.9
            {
                continue;
            }
            // Who asks, about which cases.
            let page = r.random::<f64>() < 0.3;
            let intake = a.professionals.is_empty() || r.random::<f64>() < 0.2;
            let (who, basis, cases): (ProfessionalId, AccessBasis, Vec<usize>) = if intake {
                let m = &region.municipalities[a.municipality];
                let who = m
                    .intake
                    .choose(&mut r)
                    .copied()
                    .unwrap_or(ProfessionalId(1));
                let own = &by_municipality[a.municipality];
                let upto = own.partition_point(|i| *i < opened);
                let take = if page { r.random_range(10..=25) } else { 1 };
                let cases = if page {
                    own[upto.saturating_sub(take)..upto].to_vec()
                } else {
                    vec![ai]
                };
                (who, AccessBasis::IntakeUnit, cases)
            } else {
                let who = *a.professionals.choose(&mut r).unwrap_or(&ProfessionalId(1));
                let cases = if page {
                    let load = caseloads.get(&who).map_or(&[][..], Vec::as_slice);
                    let upto = load.partition_point(|i| *i < opened);
                    load[upto.saturating_sub(r.random_range(5..=20))..upto].to_vec()
                } else {
                    vec![ai]
                };
                (who, AccessBasis::Participant, cases)
            };
            if cases.is_empty() {
                continue;
            }
            request += 1;
            let chain_index = usize::try_from(request % chains_n as u64).unwrap_or(0);
            let minute = r.random_range(0..8 * 60 * 60 * 1_000_000_i64);
            let change = !page && r.random::<f64>() < 0.15;
            let operation = if page {
                "Caseload(cases)"
            } else if change {
                "RecordAgreement(createAgreement)"
            } else {
                "CaseView(case)"
            };
            let what = if page {
                WHAT[0]
            } else {
                WHAT.choose(&mut r).copied().unwrap_or(WHAT[0])
            };
            let request_id = format!("{:08x}-0000-4000-8000-{:012x}", options.seed, request);
            for i in cases {
                let entry = Entry {
                    at: start + TimeDelta::microseconds(minute),
                    kind: if change {
                        AccessKind::Change
                    } else {
                        AccessKind::Read
                    },
                    professional_id: who,
                    case_id: activity[i].case,
                    basis,
                    what: what.to_owned(),
                    operation: operation.to_owned(),
                    request_id: request_id.clone(),
                    client_request_id: None,
                };
                batch.push(Row {
                    id: 0,
                    chain: i16::try_from(chain_index).unwrap_or(0),
                    entry,
                    prev: String::new(),
                    hash: String::new(),
                });
                rows_today += 1;
            }
        }
        // The day's rows in time order (a request's rows together), then chained.
        let first_today = batch.len() - usize::try_from(rows_today).unwrap_or(0);
        batch[first_today..].sort_by(|a, b| {
            a.entry
                .at
                .cmp(&b.entry.at)
                .then(a.entry.request_id.cmp(&b.entry.request_id))
        });
        for row in &mut batch[first_today..] {
            id += 1;
            let c = usize::try_from(row.chain).unwrap_or(0);
            row.id = id;
            row.prev = std::mem::take(&mut prev[c]);
            row.hash = chain::digest(&row.prev, &row.entry);
            prev[c].clone_from(&row.hash);
            last_at[c] = Some(row.entry.at);
            since_checkpoint[c] = (id, since_checkpoint[c].1 + 1);
        }
        written += rows_today;
        // The worker's checkpoint just after midnight, for every day but the last.
        if d + 1 < days.len() {
            let made_at = (*day + TimeDelta::days(1))
                .and_hms_opt(0, 5, 0)
                .unwrap_or_default()
                .and_utc();
            for c in 0..chains_n {
                let (through, rows) = since_checkpoint[c];
                if rows == 0 {
                    continue;
                }
                checkpoint_id += 1;
                let mut model = audit_checkpoint::Model {
                    id: checkpoint_id,
                    made_at,
                    chain: i16::try_from(c).unwrap_or(0),
                    through_id: through,
                    through_at: last_at[c].unwrap_or(made_at),
                    head_hash: prev[c].clone(),
                    rows,
                    made_by: "worker".to_owned(),
                    prev_hash: checkpoint_prev.clone(),
                    hash: String::new(),
                };
                model.hash = chain::checkpoint_digest(&model.prev_hash, &model);
                checkpoint_prev.clone_from(&model.hash);
                since_checkpoint[c].1 = 0;
                checkpoints.push(audit_checkpoint::ActiveModel {
                    id: Set(model.id),
                    made_at: Set(model.made_at),
                    chain: Set(model.chain),
                    through_id: Set(model.through_id),
                    through_at: Set(model.through_at),
                    head_hash: Set(model.head_hash),
                    rows: Set(model.rows),
                    made_by: Set(model.made_by),
                    prev_hash: Set(model.prev_hash),
                    hash: Set(model.hash),
                });
            }
        }
        if batch.len() >= BATCH || d + 1 == days.len() {
            if sender.blocking_send(std::mem::take(&mut batch)).is_err() {
                break 'days;
            }
            batch.reserve(BATCH);
        }
        if written >= options.access_log_rows {
            break;
        }
    }
    if !batch.is_empty() {
        let _ = sender.blocking_send(batch);
    }
    Generated {
        checkpoints,
        heads: prev.into_iter().zip(last_at).collect(),
    }
}
