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
        c.http_header_timeout_secs = kit_entity::infra::settings::Secs::new(1);
        c.http_body_timeout_secs = kit_entity::infra::settings::Secs::new(1);
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
            "not JSON",
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
        assert!(
            body.get("data").is_none(),
            "a request error has no data: {body}"
        );
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
    let get = |path: &str| {
        reqwest::Client::new()
            .get(app.url(path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
    };
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

/// GraphQL over HTTP: the answer's media type follows `Accept` for every answer, 401
/// included; a request error (the document does not parse or validate, the variables do not
/// coerce) has no `data` and is 400 as `application/graphql-response+json`, 200 as
/// `application/json`; GET runs queries, never mutations, and serves GraphiQL only to a
/// browser asking for a page.
#[tokio::test]
async fn answers_follow_the_graphql_over_http_specification() {
    let app = TestApp::spawn().await;
    let w = kit_tests::world::World::build(&app).await;
    let token = w.intake_a.token.clone();
    let client = reqwest::Client::new();
    let url = app.url("/graphql");
    const GRAPHQL: &str = "application/graphql-response+json";
    let post = |accept: &str, body: Value, token: Option<&str>| {
        let mut request = client.post(&url).header("accept", accept).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
    };
    let media = |headers: &reqwest::header::HeaderMap| {
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let ok = json!({ "query": "{ viewer { isIntakeMember } }" });
    let parse = json!({ "query": "{ viewer { " });
    let invalid = json!({ "query": "{ viewer { noSuchField } }" });
    let coercion = json!({ "query": "query($n: Int) { cases(first: $n) { totalCount } }", "variables": { "n": "many" } });
    for (accept, expected, request_error) in [
        (GRAPHQL, GRAPHQL, 400),
        ("application/json", "application/json", 200),
        ("*/*", "application/json", 200),
    ] {
        let (status, headers, body) = raw(&app, post(accept, ok.clone(), Some(&token))).await;
        assert_eq!(
            (status, media(&headers).as_str()),
            (200, expected),
            "{body}"
        );
        assert_eq!(body["data"]["viewer"]["isIntakeMember"], true);
        for (refused, code) in [
            (&parse, "GRAPHQL_PARSE_FAILED"),
            (&invalid, "GRAPHQL_VALIDATION_FAILED"),
            (&coercion, "BAD_USER_INPUT"),
        ] {
            let (status, headers, body) =
                raw(&app, post(accept, refused.clone(), Some(&token))).await;
            assert_eq!(status, request_error, "{accept} {refused}: {body}");
            assert_eq!(media(&headers), expected);
            assert!(body.get("data").is_none(), "{accept} {refused}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
            assert!(
                body["errors"][0]["locations"].is_array(),
                "where it failed: {body}"
            );
        }
        // Fields come in the order the operation selected them.
        let text = post(
            accept,
            json!({ "query": "{ viewer { isIntakeMember } cases { totalCount } __typename }" }),
            Some(&token),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
        let at = |key: &str| text.find(key).unwrap_or(usize::MAX);
        assert!(
            at("viewer") < at("cases") && at("cases") < at("__typename"),
            "{text}"
        );
        // 401 in the same media type, with the same shape.
        let (status, headers, body) = raw(&app, post(accept, ok.clone(), None)).await;
        assert_eq!(
            (status, media(&headers).as_str()),
            (401, expected),
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    // A POST without a content type is refused.
    let (status, _, body) = raw(
        &app,
        client.post(&url).bearer_auth(&token).body(ok.to_string()),
    )
    .await;
    assert_eq!(status, 415, "{body}");

    // GET: a query runs (variables JSON-encoded), a mutation does not.
    let get = |params: &[(&str, &str)]| {
        client
            .get(&url)
            .bearer_auth(&token)
            .header("accept", GRAPHQL)
            .query(params)
    };
    let (status, _, body) = raw(
        &app,
        get(&[
            (
                "query",
                "query Count($n: Int) { cases(first: $n) { totalCount } }",
            ),
            ("variables", r#"{"n":5}"#),
            ("operationName", "Count"),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["cases"]["totalCount"], 0);
    let before = app.gql(&token, "{ cases { totalCount } }", json!({})).await;
    let mutation = format!(
        "mutation {{ submitReferral(input: {{ municipalityId: \"{}\", child: {{ name: \"Get Barn\", dateOfBirth: \"2014-05-03\" }}, source: PARENT, reason: \"x\" }}) {{ case {{ id }} }} }}",
        w.municipality_a
    );
    let (status, headers, body) = raw(&app, get(&[("query", &mutation)])).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(
        headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let after = app.gql(&token, "{ cases { totalCount } }", json!({})).await;
    assert_eq!(after.data(), before.data(), "nothing was submitted");
    // GraphiQL only for a browser asking for a page; a program asking for JSON is told what
    // is missing.
    let (status, page) = app.get_accepting("/graphql", "text/html").await;
    assert_eq!(status, 200);
    assert!(page.to_lowercase().contains("graphiql"));
    let (status, headers, body) = raw(&app, client.get(&url).header("accept", GRAPHQL)).await;
    assert_eq!((status, media(&headers).as_str()), (400, GRAPHQL), "{body}");
}

/// A browser app on another origin: its preflight is answered (and may be cached) for the
/// configured origins only, and its requests carry the headers it may read.
#[tokio::test]
async fn browser_apps_on_configured_origins_may_call_the_api() {
    let app = TestApp::spawn_with(|c| {
        c.cors_origins = Some("http://localhost:5173, https://sager.kommune.example".into());
        c.cors_max_age_secs = 900;
    })
    .await;
    let client = reqwest::Client::new();
    let preflight = |origin: &str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("http://localhost:5173")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(allowed.status().is_success(), "{}", allowed.status());
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "http://localhost:5173"
    );
    assert!(header(&allowed, "access-control-allow-headers").contains("authorization"));
    assert!(header(&allowed, "access-control-allow-headers").contains("idempotency-key"));
    assert!(header(&allowed, "access-control-allow-methods").contains("post"));
    assert_eq!(header(&allowed, "access-control-max-age"), "900");
    let refused = preflight("https://evil.example")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        header(&refused, "access-control-allow-origin").is_empty(),
        "another origin is not allowed"
    );
    // The request itself exposes the request id to the page.
    let token = app.token("nobody");
    let r = client
        .post(app.url("/graphql"))
        .header("origin", "https://sager.kommune.example")
        .bearer_auth(&token)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        "https://sager.kommune.example"
    );
    assert!(header(&r, "access-control-expose-headers").contains("x-request-id"));
}

/// With `KIT_TRUSTED_DOCUMENTS`, only the registered operations run — by their text, by their
/// hash (`extensions.persistedQuery`) or by `documentId` — over HTTP and over the subscription
/// socket; an ad-hoc query is refused before it is parsed.
#[tokio::test]
async fn with_trusted_documents_only_registered_operations_run() {
    let registered = "query Count { cases { totalCount } }";
    let hash = kit_api::graphql::persisted::hash(registered);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let manifest = dir.path().join("persisted-documents.json");
    std::fs::write(&manifest, json!({ hash.clone(): registered }).to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let path = manifest.display().to_string();
    let app = TestApp::spawn_with(|c| c.trusted_documents = Some(path)).await;
    let w = kit_tests::world::World::build(&app).await;
    let t = &w.intake_a.token;
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    for body in [
        json!({ "query": registered }),
        json!({ "extensions": persisted }),
        json!({ "documentId": format!("sha256:{hash}") }),
    ] {
        let r = app.post(Some(t), &body).await;
        assert_eq!(r.data()["cases"]["totalCount"], 0, "{body}");
    }
    let (status, _, body) = raw(
        &app,
        reqwest::Client::new()
            .get(app.url("/graphql"))
            .bearer_auth(t)
            .query(&[("documentId", hash.as_str())]),
    )
    .await;
    assert_eq!(
        (status, &body["data"]["cases"]["totalCount"]),
        (200, &json!(0)),
        "{body}"
    );
    // An ad-hoc query, however it comes, and an unknown hash.
    let adhoc = "{ cases { nodes { child { name } } } }";
    let r = app.post(Some(t), &json!({ "query": adhoc })).await;
    r.assert_error("TRUSTED_DOCUMENTS_ONLY", None);
    assert!(r.body.get("data").is_none(), "{}", r.body);
    let r = app
        .post(
            Some(t),
            &json!({ "query": adhoc, "extensions": { "persistedQuery": { "version": 1,
                "sha256Hash": kit_api::graphql::persisted::hash(adhoc) } } }),
        )
        .await;
    r.assert_error("TRUSTED_DOCUMENTS_ONLY", None);
    let r = app
        .post(
            Some(t),
            &json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "00".repeat(32) } } }),
        )
        .await;
    r.assert_error("PERSISTED_QUERY_NOT_FOUND", None);
    // The subscription socket holds to the same list.
    let ws = format!("ws://{}/graphql/ws", app.addr);
    match kit_tests::ws::WsClient::connect(&ws, json!({ "Authorization": format!("Bearer {t}") }))
        .await
    {
        kit_tests::ws::Connect::Acknowledged(mut client) => {
            client
                .subscribe("subscription { notificationAdded { id } }")
                .await;
            let refused = client.next_error(kit_tests::harness::PATIENCE).await;
            assert!(
                refused.to_string().contains("TRUSTED_DOCUMENTS_ONLY"),
                "{refused}"
            );
        }
        kit_tests::ws::Connect::Closed(code, reason) => panic!("refused: {code} {reason}"),
    }
    // A manifest whose hash is not its document's stops the start.
    std::fs::write(&manifest, json!({ "ab": registered }).to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut config = app.state.config.as_ref().clone();
    config.trusted_documents = Some(manifest.display().to_string());
    assert!(
        kit_api::App::start(
            app.db().clone(),
            config,
            std::sync::Arc::new(kit_entity::ManualClock::new(app.clock_now()))
        )
        .await
        .is_err()
    );
}
