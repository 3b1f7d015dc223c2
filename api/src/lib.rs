//! The KIT API server: a GraphQL API over the pathway of a child in mental distress, for the
//! front-end teams of municipalities and regional child psychiatry.
//!
//! ARCHITECTURE: [`http`] is the edge (request ids, limits, authentication, one error answer
//! for every route); [`graphql`] is the schema, one folder per concern with its object types,
//! queries and mutations, reading through batch loaders and the read gate in
//! `graphql::read`, which asks `kit_entity::access` — the one access decision — and notes what
//! it serves for [`access_log`]. Mutations decode ids and input into the core's typed commands,
//! open one write transaction, call the command in `kit_entity::ops` (which checks access and
//! the rules and writes), and name a failing field as a path under `input`. No rule and no
//! write of the pathway lives here. The worker (`kit-worker`) is used only to start it in the
//! same process.
//! `main.rs` is thin: configuration → telemetry → [`App::start`] → serve. Tests call the same
//! builders with their own database and clock.

pub mod access_log;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod memo;
pub mod principals;
pub mod region;
pub mod server;
pub mod state;
pub mod subject_access;

use std::future::Future;

use kit_entity::SharedClock;
use kit_worker::context::Context as WorkerContext;
use kit_worker::runner::WorkerHandle;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

pub use config::Config;
pub use kit_entity::infra::telemetry;
pub use state::AppState;

/// A prepared application: migrated database and state, ready to serve, and — unless
/// `KIT_WORKER=off` — the worker running in the same process.
#[derive(Debug)]
pub struct App {
    /// The shared state.
    pub state: AppState,
    /// The in-process worker, when it runs.
    pub worker: Option<WorkerHandle>,
}

impl App {
    /// Migrates `db` and builds the state.
    ///
    /// # Errors
    /// When migrations fail or the secrets cannot be prepared.
    pub async fn start(
        db: DatabaseConnection,
        config: Config,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        // A misspelt origin would silently lock a front end out: refused at start.
        config.cors_origins().map_err(anyhow::Error::msg)?;
        db::upgrade(&db).await?;
        kit_entity::ops::access_log::prepare(&db, config.settings.audit_chains, clock.now())
            .await?;
        let state = AppState::new(db, config, clock).await?;
        // Numbers stored before they were encrypted are sealed now, under the configured key.
        let sealed = kit_entity::cpr::reseal(&state.db, &state.cpr, true).await?;
        if sealed != kit_entity::cpr::Resealed::default() {
            tracing::info!(
                children = sealed.children,
                referrals = sealed.referrals,
                "CPR numbers stored in clear were encrypted"
            );
        }
        Ok(Self {
            state,
            worker: None,
        })
    }

    /// Starts the worker in this process, if the configuration asks for it (`KIT_WORKER`).
    ///
    /// # Errors
    /// When the mail settings are unusable.
    pub async fn start_worker(mut self) -> anyhow::Result<Self> {
        if self.state.config.settings.worker {
            let mut ctx = WorkerContext::new(
                self.state.db.clone(),
                self.state.clock.clone(),
                self.state.config.settings.clone(),
            )
            .await?;
            ctx.announcements = Some(self.state.announcements.clone());
            self.worker = Some(kit_worker::runner::start(ctx, std::future::pending()));
        }
        Ok(self)
    }

    /// Serves HTTP on `listener` until `shutdown` completes, then finishes in-flight requests
    /// and stops the in-process worker, letting its running jobs finish.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let header_timeout = self.state.config.http_header_timeout_secs.duration();
        let router = http::router(self.state);
        let served = server::serve(router, listener, header_timeout, shutdown).await;
        if let Some(worker) = self.worker {
            worker.stop();
            worker.join().await;
        }
        served
    }
}

pub use kit_entity::infra::shutdown_signal;
