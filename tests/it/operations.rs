//! Operations: health and readiness, request ids, error codes for malformed documents, and
//! masked internal errors.

use kit_migration::{Migrator, MigratorTrait};
use kit_tests::harness::TestApp;
use kit_tests::world::World;
use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(app.get("/readyz").await, (200, "ready".to_owned()));
    let response = reqwest::get(app.url("/healthz"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.headers().get("x-request-id").is_some());
    // GraphiQL for a browser.
    let (status, page) = app.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(page.to_lowercase().contains("graphiql"));

    // A database that is behind the code is not ready.
    Migrator::down(app.db(), Some(1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.get("/readyz").await.0, 503);
}

#[tokio::test]
async fn malformed_documents_get_their_own_codes() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    app.gql(t, "{ viewer { ", json!({}))
        .await
        .assert_error("GRAPHQL_PARSE_FAILED", None);
    app.gql(t, "{ viewer { shoeSize } }", json!({}))
        .await
        .assert_error("GRAPHQL_VALIDATION_FAILED", None);
    let deep = format!(
        "{{ cases {{ edges {{ node {{ {} }} }} }} }}",
        "child { cases { ".repeat(8) + "id" + &" } }".repeat(8)
    );
    app.gql(t, &deep, json!({}))
        .await
        .assert_error("GRAPHQL_VALIDATION_FAILED", None);
    let r = app.gql(t, "{ viewer { shoeSize } }", json!({})).await;
    assert!(
        r.body["errors"][0]["extensions"]["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
}

#[tokio::test]
async fn database_failures_are_masked_with_a_request_id() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = app.refer(&w.intake_a.token, &w.municipality_a, "Ida").await;
    app.db()
        .execute_unprepared("ALTER TABLE referrals RENAME TO referrals_gone")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { reference referral { reason } } }",
            json!({ "id": id }),
        )
        .await;
    r.assert_error("INTERNAL", None);
    assert_eq!(r.message(), "internal error");
    assert!(
        !r.body.to_string().contains("referrals_gone"),
        "the cause stays in the log"
    );
    assert!(
        r.body["errors"][0]["extensions"]["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    // The rest of the case is still served.
    assert!(r.body["data"]["case"]["reference"].is_string());
}
