//! The KIT worker: everything that happens after a change has committed.
//!
//! Mutations write their consequences — a meeting to schedule, invitations to send, a step of
//! the pathway to plan — as rows and apalis jobs in the same transaction as the change. The
//! worker runs those jobs at least once; every job is idempotent, keyed on a natural unique
//! key in the database. It runs inside `kit-api` by default and as `kit-worker` processes for
//! scale-out, on the same database.

pub mod announce;
pub mod context;
pub mod db;
pub mod deadlines;
pub mod delivery;
pub mod ical;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod meetings;
pub mod pathway;
pub mod runner;
pub mod schedule;
pub mod secrets;
pub mod settings;
pub mod slots;
pub mod telemetry;
pub mod texts;

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing work in flight");
}
