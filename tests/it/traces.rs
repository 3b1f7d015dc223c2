//! Traces: the `kit-api` binary with `KIT_OTLP_ENDPOINT` sends OpenTelemetry spans over
//! OTLP/HTTP to a receiver in the test, which decodes them with the OpenTelemetry protocol's
//! own types. A caller's `traceparent` starts the trace; the request, its GraphQL operation,
//! its statements (their SQL without values) and the jobs it enqueued — down to the e-mail
//! an invitation is sent in — are spans of that one trace, and the log lines carry its id.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use serde_json::{Value, json};

use crate::operated::{Operated, free_port, wait_for};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

type Received = Arc<Mutex<Vec<(String, Span)>>>;

/// An OTLP/HTTP receiver on loopback: every span it is sent, with its service's name.
async fn receiver() -> (u16, Received) {
    let received: Received = Arc::default();
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let router = axum::Router::new()
        .route(
            "/v1/traces",
            post(|State(received): State<Received>, body: Bytes| async move {
                let request = ExportTraceServiceRequest::decode(body)
                    .unwrap_or_else(|e| panic!("not an OTLP trace export: {e}"));
                let mut received = received.lock().unwrap_or_else(PoisonError::into_inner);
                for resource in request.resource_spans {
                    let service = resource
                        .resource
                        .iter()
                        .flat_map(|r| &r.attributes)
                        .find(|a| a.key == "service.name")
                        .and_then(|a| a.value.as_ref()?.value.as_ref())
                        .map(|v| match v {
                            AnyValue::StringValue(s) => s.clone(),
                            other => format!("{other:?}"),
                        })
                        .unwrap_or_default();
                    for scope in resource.scope_spans {
                        for span in scope.spans {
                            received.push((service.clone(), span));
                        }
                    }
                }
                ""
            }),
        )
        .with_state(Arc::clone(&received));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (port, received)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_ref()?.value.as_ref())
        .map(|v| match v {
            AnyValue::StringValue(s) => s.clone(),
            other => format!("{other:?}"),
        })
}

async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    let answer: Value = http
        .post(url)
        .bearer_auth(token)
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer["errors"].is_null(), "{answer}");
    answer
}

#[tokio::test]
async fn a_callers_trace_runs_through_the_request_its_statements_and_the_e_mails_it_causes() {
    let (port, received) = receiver().await;
    let operated = Operated::new().await;
    let token = operated.admin_token().await;
    let mut server = operated
        .serve(|c| {
            c.env("KIT_OTLP_ENDPOINT", format!("http://127.0.0.1:{port}"))
                .env("OTEL_BSP_SCHEDULE_DELAY", "200")
                .env("KIT_LOG_FORMAT", "json")
                .env("RUST_LOG", "info")
                .stdout(std::process::Stdio::piped());
        })
        .await;
    let http = reqwest::Client::new();

    // The administrator publishes a consultation offer they host, and books its first slot:
    // the booking's invitation is an e-mail the worker in the process sends.
    let viewer = gql(
        &http,
        &server.graphql,
        &token,
        "{ viewer { professional { id } organization { id } } }",
        json!({}),
    )
    .await;
    let me = viewer["data"]["viewer"]["professional"]["id"].clone();
    let organization = viewer["data"]["viewer"]["organization"]["id"].clone();
    let offer = gql(
        &http,
        &server.graphql,
        &token,
        "mutation Publish($input: PublishConsultationOfferInput!) { publishConsultationOffer(input: $input) { offer { id availableSlots { startsAt } } } }",
        json!({ "input": { "organizationId": organization, "offer": {
            "hostId": me, "name": "Sparring", "description": "Anonym sparring om en bekymring.",
            "channel": "PHONE", "location": "Ring 70 10 20 30",
            "weekdays": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
            "startTime": "09:00", "endTime": "15:00", "slotMinutes": 30 } } }),
    )
    .await;
    let offer = &offer["data"]["publishConsultationOffer"]["offer"];
    gql(
        &http,
        &server.graphql,
        &token,
        "mutation Book($input: BookConsultationInput!) { bookConsultation(input: $input) { booking { id } } }",
        json!({ "input": { "offerId": offer["id"], "startsAt": offer["availableSlots"][0]["startsAt"],
            "topic": "ANXIETY", "concern": "Et barn i indskolingen virker bekymret." } }),
    )
    .await;

    let spans = |name: &str| -> Vec<(String, Span)> {
        received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, s)| s.name == name || name.is_empty())
            .cloned()
            .collect()
    };
    wait_for("the e-mails' spans", async || {
        spans("kit.send-delivery")
            .iter()
            .filter(|(_, s)| hex(&s.trace_id) == TRACE_ID)
            .count()
            >= 1
    })
    .await;

    // The operation, named by its type and name, is the child of its request, and the
    // request continues the caller's trace and span.
    let operations = spans("mutation Book");
    let [(_, operation)] = operations.as_slice() else {
        panic!("one operation span: {operations:?}")
    };
    let requests = spans("POST /graphql");
    let request = requests
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.span_id == operation.parent_span_id)
        .unwrap_or_else(|| panic!("no request span over the operation: {requests:?}"));
    assert_eq!(hex(&request.trace_id), TRACE_ID);
    assert_eq!(hex(&request.parent_span_id), CALLER_SPAN);
    assert!(requests.iter().all(|(service, _)| service == "kit-api"));
    // Statements are spans of the trace, their SQL with placeholders and never a value.
    let all = spans("");
    let statements: Vec<&Span> = all
        .iter()
        .map(|(_, s)| s)
        .filter(|s| hex(&s.trace_id) == TRACE_ID && attribute(s, "db.system").is_some())
        .collect();
    assert!(!statements.is_empty(), "no statement spans in {all:?}");
    for statement in &statements {
        let sql = attribute(statement, "db.statement").unwrap_or_default();
        assert!(
            !sql.contains("bekymret") && !sql.contains("Anna"),
            "a value in a statement's span: {sql}"
        );
    }
    assert!(
        statements
            .iter()
            .any(|s| s.parent_span_id == operation.span_id
                || statements.iter().any(|p| p.span_id == s.parent_span_id)),
        "no statement under the operation"
    );
    // The jobs the booking enqueued run in the same trace.
    assert!(
        spans("kit.send-delivery")
            .iter()
            .any(|(_, s)| hex(&s.trace_id) == TRACE_ID),
    );

    // The log lines of that work carry the trace's id.
    let _ = server.child.start_kill();
    let out = server
        .child
        .wait_with_output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let logs = String::from_utf8_lossy(&out.stdout);
    let sent: Vec<&str> = logs.lines().filter(|l| l.contains("e-mail sent")).collect();
    assert!(!sent.is_empty(), "{logs}");
    assert!(sent.iter().all(|l| l.contains(TRACE_ID)), "{sent:?}");
}
