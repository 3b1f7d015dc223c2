//! Infrastructure both halves share: the database (connection, migrations, write
//! transactions), settings, logging, instance secrets, live announcements, outage handling, and
//! the shutdown signal. Nothing here knows the pathway; `kit-api` and `kit-worker` both start
//! from it.

pub mod announce;
pub mod case_feed;
pub mod db;
pub mod listen;
pub mod metrics;
pub mod outage;
pub mod secrets;
pub mod settings;
pub mod telemetry;

/// Completes on SIGTERM or Ctrl-C. The handlers are installed when this is called, not when
/// the future is first polled: a signal that arrives while the process is still starting (the
/// future not yet awaited by the task that waits for it) ends it cleanly instead of killing it.
/// Call it inside the runtime.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        let installed = |kind: SignalKind, name: &'static str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, signal = name, "cannot listen for the signal");
                None
            }
        };
        (
            installed(SignalKind::interrupt(), "SIGINT"),
            installed(SignalKind::terminate(), "SIGTERM"),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
        tracing::info!("shutting down: finishing work in flight");
    }
}
