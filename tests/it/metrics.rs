//! Prometheus metrics: the `kit-api` binary started as an operator would, with
//! `KIT_METRICS_LISTEN`, scraped by a real Prometheus server (Debian's `prometheus`) and its
//! output checked with `promtool check metrics`.

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use crate::operated::{Operated, free_port, tool, wait_for};

async fn prometheus(dir: &std::path::Path, target: u16) -> (Child, u16) {
    let port = free_port();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: kit-api\n    \
             static_configs:\n      - targets: ['127.0.0.1:{target}']\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let child = Command::new(tool("prometheus", "prometheus"))
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start prometheus: {e}"));
    (child, port)
}

/// The value of the PromQL `query` on the server at `port`, if it has one.
async fn promql(http: &reqwest::Client, port: u16, query: &str) -> Option<f64> {
    let answer: Value = http
        .get(format!("http://127.0.0.1:{port}/api/v1/query"))
        .query(&[("query", query)])
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    answer["data"]["result"][0]["value"][1]
        .as_str()?
        .parse()
        .ok()
}

#[tokio::test]
async fn prometheus_scrapes_requests_statements_queues_and_the_access_log() {
    let operated = Operated::new().await;
    let token = operated.admin_token().await;
    let metrics = free_port();
    let server = operated
        .serve(|c| {
            c.env("KIT_METRICS_LISTEN", format!("127.0.0.1:{metrics}"));
        })
        .await;
    let http = reqwest::Client::new();

    // Named operations, one refused, and one that is not a plain name.
    let graphql = &server.graphql;
    for _ in 0..3 {
        let answer: Value = http
            .post(graphql)
            .bearer_auth(&token)
            .json(&json!({ "query": "query Viewer { viewer { id isAdmin organization { name } unit { name } } }", "operationName": "Viewer" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(answer["errors"].is_null(), "{answer}");
    }
    let refused: Value = http
        .post(graphql)
        .json(&json!({ "query": "query Viewer { viewer { id } }", "operationName": "Viewer" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused["errors"].is_null(), "{refused}");

    // The exposition: what promtool accepts, without a child's data or a query in a label.
    let scrape = format!("http://127.0.0.1:{metrics}/metrics");
    let response = http
        .get(&scrape)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        response.headers()
    );
    let text = response.text().await.unwrap_or_else(|e| panic!("{e}"));
    for family in [
        "kit_graphql_requests_total",
        "kit_graphql_request_duration_seconds_bucket",
        "kit_graphql_request_statements_bucket",
        "kit_http_requests_in_flight",
        "kit_http_requests_shed_total",
        "kit_http_rate_limited_total",
        "kit_graphql_subscriptions_open",
        "kit_db_pool_connections",
        "kit_db_pool_max_connections",
        "kit_db_write_begin_seconds_bucket",
        "kit_deliveries_pending",
        "kit_deadline_sweep_duration_seconds_bucket",
        "kit_access_log_append_duration_seconds_bucket",
        "kit_access_log_rows_total",
    ] {
        assert!(text.contains(family), "{family} missing from:\n{text}");
    }
    assert!(
        text.contains(
            r#"kit_graphql_requests_total{operation="Viewer",type="query",outcome="ok"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"kit_graphql_requests_total{operation="Viewer",type="query",outcome="refused"} 1"#
        ),
        "{text}"
    );
    assert!(!text.contains("viewer {"), "a query in a label:\n{text}");
    assert!(!text.contains("anna@"), "a person in a label:\n{text}");
    let mut promtool = Command::new(tool("promtool", "prometheus"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start promtool: {e}"));
    let mut stdin = promtool.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    stdin
        .write_all(text.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    drop(stdin);
    let checked = promtool
        .wait_with_output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        checked.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    // A real Prometheus scrapes it and answers PromQL over what it scraped.
    let (_prometheus, port) = prometheus(operated.dir.path(), metrics).await;
    wait_for("Prometheus scraping kit-api", async || {
        promql(&http, port, r#"up{job="kit-api"}"#).await == Some(1.0)
    })
    .await;
    wait_for("the requests in Prometheus", async || {
        promql(
            &http,
            port,
            r#"sum(kit_graphql_requests_total{operation="Viewer",outcome="ok"})"#,
        )
        .await
            == Some(3.0)
    })
    .await;
    // Each request read the organization and the unit: a statement or more each.
    let statements = promql(&http, port, "sum(kit_graphql_request_statements_sum)")
        .await
        .unwrap_or_default();
    assert!(statements >= 3.0, "statements per request: {statements}");
    let pool = promql(&http, port, "kit_db_pool_max_connections")
        .await
        .unwrap_or_default();
    assert!(pool >= 1.0, "pool size: {pool}");
}
