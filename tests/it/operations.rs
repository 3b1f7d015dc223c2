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
    let (status, page) = app
        .get_accepting("/graphql", "text/html,application/xhtml+xml,*/*;q=0.8")
        .await;
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
    // Deeper than 15 levels (introspection, which costs little, so that the depth is what
    // refuses it).
    let deep = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "ofType { ".repeat(16),
        " }".repeat(16)
    );
    app.gql(t, &deep, json!({}))
        .await
        .assert_error("GRAPHQL_VALIDATION_FAILED", None);
    // Lists nested as deep cost too much before their depth is even looked at.
    let nested = format!(
        "{{ cases {{ edges {{ node {{ {} }} }} }} }}",
        "child { cases { ".repeat(8) + "id" + &" } }".repeat(8)
    );
    app.gql(t, &nested, json!({}))
        .await
        .assert_error("QUERY_TOO_COMPLEX", None);
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

#[tokio::test]
async fn a_migration_that_fails_halfway_leaves_nothing_behind() {
    use kit_tests::harness::TestDatabase;
    let database = TestDatabase::create().await;
    let db = sea_orm::Database::connect(&database.url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The deadlines migration creates several tables; its last one already exists here, so
    // it fails after creating the others.
    db.execute_unprepared("CREATE TABLE notifications (id INTEGER)")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(Migrator::up(&db, None).await.is_err());
    let applied = Migrator::get_applied_migrations(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        applied
            .last()
            .map(|m| m.name().to_owned())
            .unwrap_or_else(|| panic!("no migration applied")),
        "m20261123_000005_meetings",
        "the failed migration is not recorded"
    );
    // Nothing of it is left: the tables it created before failing are gone with it, so the
    // next start can apply it again.
    let probe = db.execute_unprepared("SELECT 1 FROM deadline_rules").await;
    assert!(probe.is_err(), "deadline_rules survived a failed migration");
    db.execute_unprepared("DROP TABLE notifications")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Migrator::up(&db, None)
        .await
        .unwrap_or_else(|e| panic!("the retried migration: {e}"));
}

#[tokio::test]
async fn while_the_database_is_unreachable_requests_fail_fast_and_readiness_says_so() {
    use kit_tests::harness::{PATIENCE, eventually};
    let database = kit_tests::harness::TestDatabase::create().await;
    if !database.is_postgres() {
        // The embedded SQLite file has no server to lose; this runs on PostgreSQL.
        return;
    }
    let (base, name) = database
        .url
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("{}", database.url));
    let target: std::net::SocketAddr = base
        .rsplit_once('@')
        .map_or(base, |(_, host)| host)
        .parse()
        .unwrap_or_else(|e| panic!("{base}: {e}"));
    let proxy = kit_tests::proxy::Proxy::start(target).await;
    let user = base
        .strip_prefix("postgres://")
        .and_then(|b| b.split_once('@'))
        .map_or("postgres", |(u, _)| u);
    let url = format!("postgres://{user}@{}/{name}", proxy.addr);
    // The worker runs too: it must ride out the outage without a log line per poll.
    let app = TestApp::spawn_on(&url, database, |c| c.settings.worker = true).await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    assert_eq!(app.get("/readyz").await.0, 200);

    proxy.cut();
    eventually("readiness to say unavailable", PATIENCE, || async {
        (app.get("/readyz").await.0 == 503).then_some(())
    })
    .await;
    let r = app.gql(t, "{ cases { totalCount } }", json!({})).await;
    assert_eq!(r.status, 503);
    r.assert_error("UNAVAILABLE", None);
    assert!(r.body["errors"][0]["extensions"]["requestId"].is_string());
    if std::env::var_os("KIT_TEST_OUTAGE_SECS").is_some() {
        let secs = std::env::var("KIT_TEST_OUTAGE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5);
        tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    }

    proxy.restore();
    eventually("readiness to recover", PATIENCE, || async {
        (app.get("/readyz").await.0 == 200).then_some(())
    })
    .await;
    let r = eventually("queries to work again", PATIENCE, || async {
        let r = app.gql(t, "{ cases { totalCount } }", json!({})).await;
        (r.status == 200).then_some(r)
    })
    .await;
    assert_eq!(r.data()["cases"]["totalCount"], 0);
}
