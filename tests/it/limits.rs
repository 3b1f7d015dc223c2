//! Limits that keep one client from taking the server: the cost of an operation, aliases, and
//! how long a query may run — each refused with a code that names the limit.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::World;
use sea_orm::ConnectionTrait;
use serde_json::json;

const CASELOAD: &str = "{ cases(first: 50) { totalCount edges { node { id reference status child { name } participants { role sector name professional { name } } } } } }";

#[tokio::test]
async fn costly_operations_are_refused_before_they_run_any_sql() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let _ = app.active_case(t, &w.municipality_a, "Asta").await;

    // What the front ends ask for passes: the caseload page, a full page of 100, GraphiQL.
    for query in [
        CASELOAD,
        "{ cases(first: 100) { nodes { id reference child { name age } participants { name role } deadlines { ruleCode dueAt } } } }",
        include_str!("../fixtures/introspection.graphql"),
    ] {
        let r = app.post(Some(t), &json!({ "query": query })).await;
        assert!(r.body.get("errors").is_none(), "{query}: {}", r.body);
    }

    // A thousand aliased pages: refused for its aliases, naming the limit.
    let mut many = String::from("{");
    for i in 0..1000 {
        many.push_str(&format!(
            " a{i}: cases(first: 100) {{ nodes {{ id child {{ name }} participants {{ name }} }} }}"
        ));
    }
    many.push('}');
    let (statements, r) = app
        .count_statements(app.post(Some(t), &json!({ "query": many })))
        .await;
    r.assert_error("TOO_MANY_ALIASES", None);
    assert_eq!(r.body["errors"][0]["extensions"]["aliases"], 1000);
    assert_eq!(r.body["errors"][0]["extensions"]["limit"], 50);
    assert!(r.body["errors"][0]["extensions"]["requestId"].is_string());
    let touched_cases = app
        .statement_log
        .lock()
        .map(|log| log.iter().any(|s| s.contains("\"cases\"")))
        .unwrap_or(true);
    assert!(!touched_cases, "no case was read ({statements} statements)");

    // Forty aliases stay under the alias limit, but not under the cost limit.
    let mut forty = String::from("{");
    for i in 0..40 {
        forty.push_str(&format!(
            " a{i}: cases(first: 100) {{ nodes {{ id child {{ name }} participants {{ name }} }} }}"
        ));
    }
    forty.push('}');
    let (_, r) = app
        .count_statements(app.post(Some(t), &json!({ "query": forty })))
        .await;
    r.assert_error("QUERY_TOO_COMPLEX", None);
    let cost = r.body["errors"][0]["extensions"]["cost"]
        .as_u64()
        .unwrap_or(0);
    assert!(cost > 50_000, "{cost}");
    assert_eq!(r.body["errors"][0]["extensions"]["limit"], 50_000);
    assert!(r.message().contains("50000"), "{}", r.message());
    let touched_cases = app
        .statement_log
        .lock()
        .map(|log| log.iter().any(|s| s.contains("\"cases\"")))
        .unwrap_or(true);
    assert!(!touched_cases);

    // A small document that nests lists six times; through a variable page size as well.
    let nested = "{ cases { nodes { participants { case { participants { case { participants { case { participants { case { participants { name } } } } } } } } } } } }";
    assert!(nested.len() < 200);
    app.post(Some(t), &json!({ "query": nested }))
        .await
        .assert_error("QUERY_TOO_COMPLEX", None);
    let paged = "query($n: Int) { cases(first: $n) { nodes { participants { case { participants { case { participants { name } } } } } } } }";
    app.post(
        Some(t),
        &json!({ "query": paged, "variables": { "n": 100 } }),
    )
    .await
    .assert_error("QUERY_TOO_COMPLEX", None);
    // Fragments are counted where they are spread.
    let spread = "fragment P on Participant { case { participants { case { participants { name } } } } } { cases(first: 100) { nodes { participants { ...P } } } }";
    app.post(Some(t), &json!({ "query": spread }))
        .await
        .assert_error("QUERY_TOO_COMPLEX", None);
}

/// What an operation costs is judged on the values it will run with: a variable's default
/// in the document counts as what it is, and a fragment spread many times counts every time,
/// its aliases too.
#[tokio::test]
async fn the_cost_follows_the_values_the_operation_runs_with() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let _ = app.active_case(t, &w.municipality_a, "Asta").await;
    let nested =
        "nodes { id participants { case { participants { case { participants { name } } } } } }";
    // Sent without variables, `$n` is 100 when it runs: costed as 100, not as the default 20.
    let defaulted = format!("query($n: Int = 100) {{ cases(first: $n) {{ {nested} }} }}");
    let r = app.post(Some(t), &json!({ "query": defaulted })).await;
    r.assert_error("QUERY_TOO_COMPLEX", None);
    // The same with a small default runs, and a request's own value wins over the default.
    let small = format!("query($n: Int = 1) {{ cases(first: $n) {{ {nested} }} }}");
    let r = app.post(Some(t), &json!({ "query": small })).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let r = app
        .post(
            Some(t),
            &json!({ "query": small, "variables": { "n": 100 } }),
        )
        .await;
    r.assert_error("QUERY_TOO_COMPLEX", None);

    // 49 aliases written, but a fragment spread 13 times executes 624 aliased fields.
    let mut fields = String::new();
    for i in 0..48 {
        fields.push_str(&format!(" r{i}: reference"));
    }
    let mut spreads = String::new();
    for _ in 0..13 {
        spreads.push_str(" ...F");
    }
    let query = format!(
        "fragment F on Case {{{fields} }} {{ x: cases(first: 1) {{ nodes {{{spreads} }} }} }}"
    );
    let r = app.post(Some(t), &json!({ "query": query })).await;
    r.assert_error("TOO_MANY_ALIASES", None);
    assert_eq!(r.body["errors"][0]["extensions"]["aliases"], 13 * 48 + 1);

    // A fragment that spreads the next one twice, 30 deep, is measured at once (each fragment
    // once), not in 2^30 steps.
    let mut chain = String::from("fragment F0 on Case { reference }");
    for i in 1..30 {
        chain.push_str(&format!(
            " fragment F{i} on Case {{ ...F{} ...F{} }}",
            i - 1,
            i - 1
        ));
    }
    chain.push_str(" { cases(first: 1) { nodes { ...F29 } } }");
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.post(Some(t), &json!({ "query": chain })),
    )
    .await
    .unwrap_or_else(|_| panic!("the cost of a doubling fragment chain took too long"));
    r.assert_error("QUERY_TOO_COMPLEX", None);
}

/// A document is parsed once and kept; what it may cost is decided again for every request,
/// with that request's variables.
#[tokio::test]
async fn a_document_sent_again_is_checked_again_with_its_new_variables() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let _ = app.active_case(t, &w.municipality_a, "Asta").await;
    let mut query = String::from("query Pages($n: Int) {");
    for i in 0..40 {
        query.push_str(&format!(
            " a{i}: cases(first: $n) {{ nodes {{ id child {{ name }} participants {{ name }} }} }}"
        ));
    }
    query.push('}');
    let body = |n: i64| json!({ "query": query, "variables": { "n": n } });
    let r = app.post(Some(t), &body(1)).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(
        r.body["data"]["a39"]["nodes"].as_array().map(Vec::len),
        Some(1)
    );
    let r = app.post(Some(t), &body(100)).await;
    r.assert_error("QUERY_TOO_COMPLEX", None);
    let r = app.post(Some(t), &body(1)).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    // A document that does not parse is refused each time, naming where.
    for _ in 0..2 {
        let r = app
            .post(
                Some(t),
                &json!({ "query": "{ cases(first: 1) { nodes { id }" }),
            )
            .await;
        r.assert_error("GRAPHQL_PARSE_FAILED", None);
    }
}

#[tokio::test]
async fn a_query_that_runs_too_long_ends_with_timeout_but_a_mutation_completes() {
    let app =
        TestApp::spawn_with(|c| c.query_timeout_secs = kit_entity::infra::settings::Secs::new(1))
            .await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Bodil").await;

    // Another connection holds what a read of a child's data must write (its access log).
    let blocker = sea_orm::Database::connect(&app.database.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lock = if app.database.is_postgres() {
        "BEGIN; LOCK TABLE access_log IN EXCLUSIVE MODE;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    blocker
        .execute_unprepared(lock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let read = "query($id: ID!) { case(id: $id) { child { name } } }";
    let r = app.gql(t, read, json!({ "id": case })).await;
    assert_eq!(r.status, 503);
    r.assert_error("TIMEOUT", None);
    assert!(
        r.message().contains("KIT_QUERY_TIMEOUT_SECS"),
        "{}",
        r.message()
    );
    assert!(r.body["errors"][0]["extensions"]["requestId"].is_string());

    // A mutation waiting on the same lock is not cut short: it completes once the lock goes,
    // and reports what it committed.
    let submit = tokio::spawn({
        let url = app.url("/graphql");
        let token = t.clone();
        let input = kit_tests::world::referral(&w.municipality_a, "Carla");
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": kit_tests::world::ops::SUBMIT, "variables": { "input": input } }))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    blocker
        .execute_unprepared("COMMIT")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = submit.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["submitReferral"]["case"]["child"]["name"],
        "Carla"
    );
}

#[tokio::test]
async fn when_the_server_has_its_hands_full_it_refuses_at_once_before_any_work() {
    let app = TestApp::spawn_with(|c| {
        c.max_in_flight = 1;
        c.query_timeout_secs = kit_entity::infra::settings::Secs::new(120);
    })
    .await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Gry").await;
    let blocker = sea_orm::Database::connect(&app.database.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lock = if app.database.is_postgres() {
        "BEGIN; LOCK TABLE access_log IN EXCLUSIVE MODE;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    blocker
        .execute_unprepared(lock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // One request in hand, held by the lock. Until it is in hand, one of the probes below
    // may hold the only place; then it is shed like any other and sent again.
    let held = tokio::spawn({
        let url = app.url("/graphql");
        let token = t.clone();
        async move {
            loop {
                let status = reqwest::Client::new()
                    .post(url.clone())
                    .bearer_auth(&token)
                    .json(&json!({ "query": "query($id: ID!) { case(id: $id) { child { name } } }", "variables": { "id": case } }))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                if status != 503 {
                    break status;
                }
            }
        }
    });
    // The next is refused at once, with Retry-After, before it is even authenticated.
    let refused = kit_tests::harness::eventually(
        "a request to be shed",
        kit_tests::harness::PATIENCE,
        || async {
            let response = reqwest::Client::new()
                .post(app.url("/graphql"))
                .bearer_auth("not-even-a-token")
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            (response.status().as_u16() == 503).then_some(response)
        },
    )
    .await;
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: serde_json::Value = refused
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(body["errors"][0]["extensions"]["code"], "OVERLOADED");
    assert!(body["errors"][0]["extensions"]["requestId"].is_string());
    blocker
        .execute_unprepared("COMMIT")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        held.await.unwrap_or(0),
        200,
        "the request in hand completes"
    );
    let r = app.gql(t, "{ cases { totalCount } }", json!({})).await;
    assert_eq!(r.data()["cases"]["totalCount"], 1);
}

async fn with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> (u16, Option<String>, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        replayed,
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("not JSON: {e}")),
    )
}

async fn count_cases(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    i64::try_from(
        kit_entity::entities::case::Entity::find()
            .count(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or(-1)
}

#[tokio::test]
async fn a_retried_mutation_with_the_same_idempotency_key_returns_the_first_result() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let submit = |name: &str| {
        json!({ "query": kit_tests::world::ops::SUBMIT,
            "variables": { "input": kit_tests::world::referral(&w.municipality_a, name) } })
    };
    let (status, replayed, first) = with_key(&app, t, "ref-0001", &submit("Hanne")).await;
    assert_eq!((status, replayed), (200, None), "{first}");
    let case = first["data"]["submitReferral"]["case"]["id"].clone();
    assert!(case.is_string());
    assert_eq!(count_cases(&app).await, 1);

    // The retry: the same answer, no second case, and the read it carries is logged again.
    let (status, replayed, again) = with_key(&app, t, "ref-0001", &submit("Hanne")).await;
    assert_eq!((status, replayed.as_deref()), (200, Some("true")));
    assert_eq!(again["data"], first["data"]);
    assert_eq!(count_cases(&app).await, 1);
    let log = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { accessLog { nodes { operation what } } } }",
            json!({ "id": case }),
        )
        .await;
    let operations: Vec<String> = log.data()["case"]["accessLog"]["nodes"]
        .items()
        .to_vec()
        .iter()
        .map(|n| n["operation"].str().to_owned())
        .collect();
    assert!(
        operations.iter().any(|o| o.starts_with("replay:")),
        "{operations:?}"
    );

    // The same key for another change is refused; another person's same key is theirs.
    let (status, _, reused) = with_key(&app, t, "ref-0001", &submit("Ivan")).await;
    assert_eq!(status, 422);
    assert_eq!(
        reused["errors"][0]["extensions"]["code"],
        "IDEMPOTENCY_KEY_REUSED"
    );
    let (status, replayed, other) =
        with_key(&app, &w.caseworker_a.token, "ref-0001", &submit("Ivan")).await;
    assert_eq!((status, replayed), (200, None), "{other}");
    assert_eq!(count_cases(&app).await, 2);

    // A mutation that failed left no key behind: corrected, the same key goes ahead.
    let mut bad = submit("Jonna");
    bad["variables"]["input"]["receivedAt"] = json!("2030-01-01T10:00:00+01:00");
    let (_, _, refused) = with_key(&app, t, "ref-0002", &bad).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let (status, replayed, done) = with_key(&app, t, "ref-0002", &submit("Jonna")).await;
    assert_eq!((status, replayed), (200, None), "{done}");
    assert!(done["data"]["submitReferral"]["case"]["id"].is_string());
    assert_eq!(count_cases(&app).await, 3);
    // Keys are not checked on queries, and a malformed key names its header.
    let (status, _, malformed) = with_key(&app, t, "ключ", &submit("Karl")).await;
    assert_eq!(status, 400);
    assert_eq!(
        malformed["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn two_requests_with_one_idempotency_key_at_once_make_one_change() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = w.intake_a.token.clone();
    let body = json!({ "query": kit_tests::world::ops::SUBMIT,
        "variables": { "input": kit_tests::world::referral(&w.municipality_a, "Lise") } });
    let blocker = sea_orm::Database::connect(&app.database.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Both wait for the write lock (SQLite) or the cases table (PostgreSQL).
    let lock = if app.database.is_postgres() {
        "BEGIN; LOCK TABLE cases IN EXCLUSIVE MODE;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    blocker
        .execute_unprepared(lock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = tokio::spawn({
        let (url, t, body) = (app.url("/graphql"), t.clone(), body.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(t)
                .header("idempotency-key", "once")
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    });
    let second = tokio::spawn({
        let (url, t, body) = (app.url("/graphql"), t.clone(), body.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(t)
                .header("idempotency-key", "once")
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    blocker
        .execute_unprepared("COMMIT")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answers = [
        first.await.unwrap_or_else(|e| panic!("{e}")),
        second.await.unwrap_or_else(|e| panic!("{e}")),
    ];
    assert_eq!(count_cases(&app).await, 1, "{answers:#?}");
    let made = answers
        .iter()
        .filter(|a| a["data"]["submitReferral"]["case"]["id"].is_string())
        .count();
    assert!(made >= 1, "{answers:#?}");
    for a in &answers {
        if !a["data"]["submitReferral"]["case"]["id"].is_string() {
            let code = a["errors"][0]["extensions"]["code"].str();
            assert!(
                matches!(code, "CONFLICT" | "IDEMPOTENCY_KEY_IN_PROGRESS"),
                "{a}"
            );
        }
    }
}
