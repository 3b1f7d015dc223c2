//! The KIT API server: a GraphQL API over the pathway of a child in mental distress, for the
//! front-end teams of municipalities and regional child psychiatry.
//!
//! `main.rs` is thin: configuration → telemetry → [`App::start`] → serve. Tests call the same
//! builders with their own database and clock.

pub mod access;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod graphql;
pub mod http;
pub mod services;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;

use kit_entity::SharedClock;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

pub use config::Config;
pub use kit_worker::telemetry;
pub use state::AppState;

/// A prepared application: migrated database and state, ready to serve.
#[derive(Debug, Clone)]
pub struct App {
    /// The shared state.
    pub state: AppState,
}

impl App {
    /// Migrates `db` and builds the state.
    ///
    /// # Errors
    /// When migrations fail or the token secret cannot be prepared.
    pub async fn start(
        db: DatabaseConnection,
        config: Config,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        db::migrate(&db).await?;
        let state = AppState::new(db, config, clock).await?;
        Ok(Self { state })
    }

    /// Serves HTTP on `listener` until `shutdown` completes, then finishes in-flight requests.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = http::router(self.state);
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

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
    tracing::info!("shutting down: finishing in-flight requests");
}
