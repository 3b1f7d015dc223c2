//! The metrics listener both binaries open on `KIT_METRICS_LISTEN`: `GET /metrics` answers
//! the process's registry (`kit_entity::infra::metrics`) in the Prometheus text format, after
//! reading the job queues, the outbox and the pool into it. It is a listener of its own, so
//! that the public one never shows it.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kit_entity::infra::metrics::{CONTENT_TYPE, METRICS, refresh};
use sea_orm::DatabaseConnection;

#[derive(Clone)]
struct Scrape {
    db: DatabaseConnection,
    max_connections: u32,
}

/// Binds `addr` and serves `/metrics` until `shutdown` completes.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve(
    addr: SocketAddr,
    db: DatabaseConnection,
    max_connections: u32,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving metrics on /metrics");
    let router = Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape {
            db,
            max_connections,
        });
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    }))
}

async fn scrape(State(scrape): State<Scrape>) -> Response {
    // A database that cannot be read leaves those gauges as they were; the rest is answered.
    if let Err(e) = refresh(&scrape.db, scrape.max_connections).await {
        tracing::warn!(error = %e, "cannot read the queues for the metrics");
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        METRICS.encode(),
    )
        .into_response()
}
