//! `kit-worker`: runs the background worker alone, for scale-out on PostgreSQL. Start as
//! many as the load needs beside `kit-api` processes run with `KIT_WORKER=off`; they share
//! the work through the job queue in the database.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use kit_entity::infra::settings::{Settings, load, redact_url};
use kit_entity::infra::{db, shutdown_signal, telemetry};
use kit_entity::{Clock as _, SystemClock};
use kit_worker::context::Context;
use kit_worker::runner;

#[derive(Parser)]
#[command(
    version,
    about = "KIT background worker: meetings, invitations, pathway planning"
)]
struct Args {
    /// Configuration file, read after the defaults and before `KIT_*` variables.
    #[arg(long, env = "KIT_CONFIG", default_value = "kit.toml")]
    config: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // First: a SIGTERM while the database is migrated or the worker starts ends it cleanly.
    let shutdown = shutdown_signal();
    let args = Args::parse();
    let settings: Settings = load(&args.config).context("reading the configuration")?;
    let _telemetry = telemetry::init_with(
        settings.log_format,
        settings.otlp_endpoint.as_deref(),
        "kit-worker",
    )
    .map_err(anyhow::Error::msg)?;
    let database = db::connect(&settings)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&settings.database_url)))?;
    kit_entity::ops::upgrade(&database)
        .await
        .context("migrating the database")?;
    kit_entity::ops::access_log::prepare(&database, settings.audit_chains, SystemClock.now())
        .await
        .context("preparing the access log")?;
    if let Some(addr) = settings.metrics_listen {
        // Ends with the process.
        kit_worker::metrics::serve(
            addr,
            database.clone(),
            settings.db_max_connections,
            std::future::pending(),
        )
        .await
        .with_context(|| format!("listening for metrics on {addr}"))?;
    }
    let ctx = Context::new(database, Arc::new(SystemClock), settings)
        .await
        .context("preparing the worker")?;
    runner::start(ctx, shutdown).join().await;
    Ok(())
}
