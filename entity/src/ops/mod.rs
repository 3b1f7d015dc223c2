//! Every rule and write of the pathway, one module per concept, each run inside the caller's
//! transaction: a command checks who may (`crate::access`, the one access decision, logging a
//! change to a child's data), checks its input — naming the command's field at fault, which
//! the API reports under `input` — and writes, with the outbox rows and jobs the change sets in
//! motion, so that a change and everything it causes commit together. The API and the worker
//! both call these; neither holds a rule of its own. Cases, children and their families,
//! participants, consents, documents, plans and the family's plan links, meetings (rows,
//! calendar, invitees, lifecycle, hand-overs, and the commands people give), deadlines (the
//! engine, the sweep, and what people change by hand), the coordination committee,
//! consultations, the early-intervention catalogue and its waiting lists, the directory of
//! organizations, units and professionals, pathway planning, the outbox, idempotency and the
//! access log's chain.

pub mod access_log;
pub mod case_row;
pub mod cases;
pub mod catalogue;
pub mod children;
pub mod committee;
pub mod committee_changes;
pub mod consents;
pub mod consultations;
pub mod deadlines;
pub mod directory;
pub mod discharges;
pub mod documents;
pub mod idempotency;
pub mod meetings;
pub mod outbox;
pub mod participants;
pub mod pathway;
pub mod plan_links;
pub mod plans;
pub mod referral_decisions;
pub mod templates;

/// Brings a database to this version of the product: the schema and the job queue's tables
/// ([`crate::infra::db::migrate`]), then the access-log rows written before the log was
/// chained join the chain, in order. Both binaries call it at start.
///
/// # Errors
/// When a migration or the sealing fails.
pub async fn upgrade(db: &sea_orm::DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    crate::infra::db::migrate(db).await?;
    let sealed = access_log::seal(db).await?;
    if sealed > 0 {
        tracing::info!(sealed, "access-log rows sealed into the hash chain");
    }
    Ok(())
}
