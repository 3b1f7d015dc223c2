//! The HTTP transport as an attacker and a browser meet it: slow clients are cut off, every
//! error answer is JSON with a code, HTML pages carry strict headers, and GraphiQL needs no
//! internet.

use kit_tests::harness::{Field, PATIENCE, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads what the server sends until it closes the connection.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
    let mut seen = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut seen))
        .await
        .unwrap_or_else(|_| panic!("the server kept a slow client's connection open"))
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_is_cut_off() {
    let app = TestApp::spawn_with(|c| {
        c.http_header_timeout_secs = 1;
        c.http_body_timeout_secs = 1;
    })
    .await;
    // Half the headers, then nothing.
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: kit\r\nContent-Type: application/json\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = until_closed(&mut stream).await;

    // All the headers, half the body: 408 in the JSON shape of every error.
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: kit\r\nContent-Type: application/json\r\n\
              Authorization: Bearer x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"query\":",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b.trim()).ok())
        .unwrap_or_else(|| panic!("not JSON: {answer}"));
    assert_eq!(body["errors"][0]["extensions"]["code"], "REQUEST_TIMEOUT");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());
}

async fn raw(
    app: &TestApp,
    request: reqwest::RequestBuilder,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let _ = app;
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("no body: {e}"));
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, headers, body)
}

#[tokio::test]
async fn every_error_answer_of_graphql_is_json_with_a_code_and_a_request_id() {
    let app = TestApp::spawn().await;
    let token = app.token("nobody");
    let client = reqwest::Client::new();
    let url = app.url("/graphql");
    let cases: Vec<(reqwest::RequestBuilder, u16, &str, &str)> = vec![
        (
            client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!([{ "query": "{ __typename }" }])),
            400,
            "BAD_REQUEST",
            "batches are not supported",
        ),
        (
            client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{ not json"),
            400,
            "BAD_REQUEST",
            "not a GraphQL request",
        ),
        (
            client
                .put(&url)
                .bearer_auth(&token)
                .json(&json!({ "query": "{ __typename }" })),
            405,
            "METHOD_NOT_ALLOWED",
            "POST",
        ),
        (
            client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!(
                    "{{\"query\": \"{}\"}}",
                    "x".repeat(2 * 1024 * 1024)
                )),
            413,
            "PAYLOAD_TOO_LARGE",
            "larger than",
        ),
    ];
    for (request, status, code, says) in cases {
        let (got, headers, body) = raw(&app, request).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["data"], Value::Null);
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
        let id = body["errors"][0]["extensions"]["requestId"].str();
        assert!(!id.is_empty());
        assert_eq!(
            headers.get("x-request-id").and_then(|v| v.to_str().ok()),
            Some(id)
        );
        let message = body["errors"][0]["message"].str();
        assert!(message.contains(says), "{message}");
        for debug in ["UnsupportedBatch", "InvalidRequest", "Error("] {
            assert!(!message.contains(debug), "a Rust debug string: {message}");
        }
    }
}

#[tokio::test]
async fn html_pages_carry_strict_headers_and_graphiql_needs_no_internet() {
    let app = TestApp::spawn().await;
    let get = |path: &str| reqwest::get(app.url(path));
    let page = get("/graphql").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no content-security-policy"))
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    let html = page.text().await.unwrap_or_else(|e| panic!("no body: {e}"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from elsewhere: {html}"
    );
    assert!(!html.contains("<script>"), "no inline script");
    // Every script and style it names is served here.
    let mut assets = 0;
    for part in html.split("=\"/graphql/assets/").skip(1) {
        let file = part.split('"').next().unwrap_or_else(|| panic!("{part}"));
        let asset = get(&format!("/graphql/assets/{file}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asset.status(), 200, "{file}");
        let kind = asset.headers()["content-type"]
            .to_str()
            .unwrap_or_else(|e| panic!("{e}"))
            .to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{file}: {kind}"
        );
        assert_eq!(asset.headers()["x-content-type-options"], "nosniff");
        assert!(
            asset.bytes().await.map(|b| b.len()).unwrap_or(0) > 20,
            "{file}"
        );
        assets += 1;
    }
    assert_eq!(assets, 6);
    assert_eq!(
        get("/graphql/assets/../Cargo.toml")
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0),
        404
    );

    // The answer page, whose URL holds a token.
    let answer = get("/rsvp/not-a-real-token")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let headers = answer.headers().clone();
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // API answers are not stored by caches either.
    let r = reqwest::Client::new()
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_client_flooding_the_server_is_told_to_wait() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_per_second = 5;
        c.rate_limit_burst = 10;
    })
    .await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..60 {
        let r = client
            .post(app.url("/graphql"))
            .bearer_auth("not-a-token")
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = r.status().as_u16();
        if status == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let body: Value = r.json().await.unwrap_or_else(|e| panic!("not JSON: {e}"));
            assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
            assert!(body["errors"][0]["extensions"]["requestId"].is_string());
        }
        statuses.push(status);
    }
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let served = statuses.iter().filter(|s| **s == 401).count();
    assert!(served >= 10, "the burst is served: {statuses:?}");
    assert!(refused >= 30, "the flood is refused: {statuses:?}");
    assert!(retry_after.is_some_and(|s| s >= 1), "{retry_after:?}");
    // Health probes are never limited.
    assert_eq!(app.get("/healthz").await.0, 200);
    assert_eq!(app.get("/readyz").await.0, 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_per_second = 1;
        c.rate_limit_burst = 2;
        c.trust_forwarded_for = true;
    })
    .await;
    let client = reqwest::Client::new();
    let send = |who: &'static str| {
        client
            .post(app.url("/graphql"))
            .header("x-forwarded-for", format!("203.0.113.9, {who}"))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            send("198.51.100.1")
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0),
            401
        );
    }
    assert_eq!(
        send("198.51.100.1")
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0),
        429
    );
    assert_eq!(
        send("198.51.100.2")
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0),
        401
    );
}
