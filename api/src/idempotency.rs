//! Idempotency keys: a client that retries a mutation — because its connection broke, or it
//! got no answer in time — sends the same `Idempotency-Key` header and gets the first result
//! instead of making the change twice.
//!
//! The key is recorded inside the mutation's own write transaction ([`record`], called by
//! every mutation's commit), so it exists exactly when the change does. The answer is stored
//! right after, sealed (it may carry a child's name or CPR number: encrypted like CPR numbers,
//! never in clear at rest), with the reads of children's data it carried and what the
//! professional could see of each case then. A retry with the same key and the same request
//! gets that answer back (`Idempotency-Replayed: true`) only while the professional may still
//! see all of it — the access decision is made again, and a case no longer visible, a child's
//! data no longer shared (a consent withdrawn), a CPR number no longer theirs to see in full
//! refuses the replay (`FORBIDDEN`: the change was made; read it again). A replay's reads are
//! logged again, for it is a read again. The same key with another request is refused
//! (`IDEMPOTENCY_KEY_REUSED`); one whose first request is still running, or whose answer was
//! lost in a crash right after its commit, gets `IDEMPOTENCY_KEY_IN_PROGRESS` — the change
//! was made or is being made, and is not made twice. Keys are per professional and kept for
//! a day (the worker removes older ones).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

use kit_entity::cpr::vault::CprVault;
use kit_entity::domain::enums::AccessKind;
use kit_entity::entities::{access_log, idempotency_key};
use kit_entity::ids::{CaseId, ProfessionalId};
use kit_entity::ops::access_log as chain;
use kit_entity::{Error, Result};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};

use kit_entity::access::ChildData;
use kit_entity::access::{self, Actor};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// How long keys are kept (the worker removes older ones).
pub const KEPT: TimeDelta = kit_entity::ops::idempotency::KEPT;

/// The key of the request being executed, in the request's data.
#[derive(Debug)]
pub struct Idempotency {
    /// Whose.
    pub professional: ProfessionalId,
    /// The client's `Idempotency-Key` header, unique per professional.
    pub key: String,
    /// The request's hash.
    pub hash: String,
    /// Set once a transaction of this request has recorded the key (shared with the HTTP
    /// handler, which stores the answer then).
    pub recorded: std::sync::Arc<AtomicBool>,
}

/// A key as a client may send it: 1–200 visible ASCII characters.
///
/// # Errors
/// [`Error::Validation`] otherwise.
pub fn parse_key(raw: &str) -> Result<String> {
    let key = raw.trim();
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            "Idempotency-Key",
            "must be 1–200 visible ASCII characters (a UUID, say)",
        ));
    }
    Ok(key.to_owned())
}

/// The hash of a request: what a retry must repeat exactly.
#[must_use]
pub fn hash(request: &async_graphql::Request) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(request.query.as_bytes());
    hasher.update([0]);
    hasher.update(
        request
            .operation_name
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.update([0]);
    hasher.update(
        serde_json::to_string(&request.variables)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records the key in a mutation's transaction, once per request.
///
/// # Errors
/// [`Error::Conflict`] when the key is recorded already (a concurrent retry won); database
/// errors.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    idempotency: &Idempotency,
) -> Result<()> {
    if idempotency.recorded.load(Ordering::Acquire) {
        return Ok(());
    }
    kit_entity::ops::idempotency::record(
        txn,
        now,
        idempotency.professional,
        &idempotency.key,
        &idempotency.hash,
    )
    .await
}

/// Marks the key recorded, once its transaction has committed.
pub fn committed(idempotency: &Idempotency) {
    idempotency.recorded.store(true, Ordering::Release);
}

/// What a key holds when a request arrives.
#[derive(Debug)]
pub enum Found {
    /// Never seen (or expired): go ahead.
    New,
    /// Seen with another request.
    Reused,
    /// Seen, its answer not (yet) stored.
    InProgress,
    /// Seen, with its answer and reads.
    Answered(idempotency_key::Model),
}

/// Looks the key up.
///
/// # Errors
/// Database errors.
pub async fn find(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    professional: ProfessionalId,
    key: &str,
    hash: &str,
) -> Result<Found> {
    let row = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::ProfessionalId.eq(professional))
        .filter(idempotency_key::Column::IdemKey.eq(key))
        .filter(idempotency_key::Column::CreatedAt.gt(now - KEPT))
        .one(db)
        .await?;
    Ok(match row {
        None => Found::New,
        Some(row) if row.request_hash != hash => Found::Reused,
        Some(row) if row.response.is_none() => Found::InProgress,
        Some(row) => Found::Answered(row),
    })
}

/// One read of a child's data, as kept for a replay.
#[derive(Debug, Serialize, Deserialize)]
struct Read {
    professional: ProfessionalId,
    case: CaseId,
    basis: kit_entity::domain::enums::AccessBasis,
    what: String,
    operation: String,
}

/// What the professional could see of one case when the answer was given.
#[derive(Debug, Serialize, Deserialize)]
struct Shown {
    case: CaseId,
    /// The child's data was shared with them.
    child_data: bool,
    /// They saw the CPR number in full.
    full_cpr: bool,
}

/// What is kept beside a stored answer.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    reads: Vec<Read>,
    shown: Vec<Shown>,
}

/// Stores a request's answer, sealed, with the reads it carried (from the access log, by its
/// request id) and what the actor could see of each case they touch.
///
/// # Errors
/// Database errors.
pub async fn store(
    db: &DatabaseConnection,
    vault: &CprVault,
    actor: &Actor,
    now: DateTime<Utc>,
    idempotency: &Idempotency,
    response: &str,
    request_id: &str,
) -> Result<()> {
    let reads: Vec<Read> = access_log::Entity::find()
        .filter(access_log::Column::RequestId.eq(request_id))
        .limit(10_000)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Read {
            professional: r.professional_id,
            case: r.case_id,
            basis: r.basis,
            what: r.what,
            operation: r.operation,
        })
        .collect();
    let cases: BTreeSet<CaseId> = reads.iter().map(|r| r.case).collect();
    let mut shown = Vec::with_capacity(cases.len());
    for case in cases {
        // A case the actor no longer sees right after their own change shows as nothing: a
        // replay then needs them to see it again, and with no more than nothing.
        let access = access::case_access(db, actor, case, now).await.ok();
        shown.push(Shown {
            case,
            child_data: access.as_ref().is_some_and(|(_, a)| a.shares_child_data()),
            full_cpr: access
                .as_ref()
                .is_some_and(|(_, a)| a.is_responsible_contact()),
        });
    }
    let kept = Kept { reads, shown };
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Response,
            sea_orm::sea_query::Expr::value(Some(vault.seal_answer(response)?)),
        )
        .col_expr(
            idempotency_key::Column::Reads,
            sea_orm::sea_query::Expr::value(Some(
                serde_json::to_string(&kept).map_err(Error::internal)?,
            )),
        )
        .filter(idempotency_key::Column::ProfessionalId.eq(idempotency.professional))
        .filter(idempotency_key::Column::IdemKey.eq(idempotency.key.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// What a retry of an answered request gets.
#[derive(Debug)]
pub enum Replay {
    /// The first answer, opened: the actor may still see everything it shows. Its reads are
    /// logged under this request.
    Answer(String),
    /// Nothing: the answer showed what the actor may no longer see.
    Withheld,
}

/// Decides whether `actor` may have the stored answer of `row` again at `now` — the same
/// access decision as a fresh read, for every case the answer showed — and, if so, logs its
/// reads as reads of this request and opens it.
///
/// # Errors
/// Database errors, or an answer that cannot be opened; the answer must then be withheld.
pub async fn replay(
    db: &DatabaseConnection,
    vault: &CprVault,
    actor: &Actor,
    now: DateTime<Utc>,
    row: &idempotency_key::Model,
    request_id: &str,
    client_request_id: Option<&str>,
) -> Result<Replay> {
    let kept: Kept =
        serde_json::from_str(row.reads.as_deref().unwrap_or("{}")).map_err(Error::internal)?;
    for shown in &kept.shown {
        let Ok((_, access)) = access::case_access(db, actor, shown.case, now).await else {
            return Ok(Replay::Withheld);
        };
        let still = (!shown.child_data || access.shares_child_data())
            && (!shown.full_cpr || access.is_responsible_contact())
            && kept
                .reads
                .iter()
                .filter(|r| r.case == shown.case)
                .flat_map(|r| ChildData::parse_list(&r.what))
                .all(|what| {
                    access.permits(what).is_ok()
                        && (what != ChildData::Cpr || access.is_responsible_contact())
                });
        if !still {
            return Ok(Replay::Withheld);
        }
    }
    let answer = vault.open_answer(row.response.as_deref().unwrap_or_default())?;
    log_replay(db, now, kept.reads, request_id, client_request_id).await?;
    Ok(Replay::Answer(answer))
}

/// Logs the reads a replayed answer carries, as reads of this request, before it leaves.
async fn log_replay(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    reads: Vec<Read>,
    request_id: &str,
    client_request_id: Option<&str>,
) -> Result<()> {
    if reads.is_empty() {
        return Ok(());
    }
    let entries = reads
        .into_iter()
        .map(|r| chain::Entry {
            at: now,
            kind: AccessKind::Read,
            professional_id: r.professional,
            case_id: r.case,
            basis: r.basis,
            what: r.what,
            operation: format!("replay:{}", r.operation)
                .chars()
                .take(200)
                .collect(),
            request_id: request_id.chars().take(64).collect(),
            client_request_id: client_request_id.map(|c| c.chars().take(64).collect()),
        })
        .collect();
    let txn = kit_entity::infra::db::begin_write(db).await?;
    chain::append(&txn, entries).await?;
    txn.commit().await?;
    Ok(())
}
