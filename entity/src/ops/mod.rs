//! The pathway's operations, which the API and the worker both call inside their write
//! transactions: what a change means for meetings (plan, invite, hand over, cancel), for
//! deadlines (start, meet, withdraw, sweep, recompute), for the pathway (the meetings it plans
//! itself), and the outbox rows and jobs it leaves for the worker. Neither front end holds
//! these rules.

pub mod audit;
pub mod deadlines;
pub mod idempotency;
pub mod meetings;
pub mod outbox;
pub mod pathway;

/// Brings a database to this version of the product: the schema and the job queue's tables
/// ([`crate::infra::db::migrate`]), then the access-log rows written before the log was
/// chained join the chain, in order. Both binaries call it at start.
///
/// # Errors
/// When a migration or the sealing fails.
pub async fn upgrade(db: &sea_orm::DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    crate::infra::db::migrate(db).await?;
    let sealed = audit::seal(db).await?;
    if sealed > 0 {
        tracing::info!(sealed, "access-log rows sealed into the hash chain");
    }
    Ok(())
}
