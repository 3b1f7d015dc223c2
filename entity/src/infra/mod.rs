//! Infrastructure both halves share: the database (connection, migrations, write
//! transactions), settings, logging, instance secrets, live announcements, outage handling, and
//! the shutdown signal. Nothing here knows the pathway; `kit-api` and `kit-worker` both start
//! from it.

pub mod announce;
pub mod cpr_vault;
pub mod db;
pub mod outage;
pub mod secrets;
pub mod settings;
pub mod telemetry;

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
