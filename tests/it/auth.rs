//! Authentication: HS256 local tokens and RS256 tokens checked against a JWKS URL.

use std::net::SocketAddr;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kit_tests::harness::TestApp;
use kit_tests::world::World;
use serde_json::json;

const VIEWER: &str = "{ viewer { professional { name } isIntakeMember } }";

/// A token signed with `key`, issued now by the application's clock and expiring
/// `exp_offset` seconds later.
fn sign(
    app: &TestApp,
    alg: Algorithm,
    key: &EncodingKey,
    kid: Option<&str>,
    sub: &str,
    exp_offset: i64,
) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    let now = app.clock_now().timestamp();
    let claims = json!({ "sub": sub, "exp": now + exp_offset, "iat": now });
    jsonwebtoken::encode(&header, &claims, key).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn requests_without_a_valid_local_token_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let ok = app.gql(&w.intake_a.token, VIEWER, json!({})).await;
    assert_eq!(ok.data()["viewer"]["isIntakeMember"], true);

    let no_token = app.post(None, &json!({ "query": VIEWER })).await;
    assert_eq!(no_token.status, 401);
    no_token.assert_error("UNAUTHENTICATED", None);

    let other_secret = EncodingKey::from_secret(b"another-secret");
    let cases = [
        ("not a jwt".to_owned(), "not a JWT"),
        (
            sign(&app, Algorithm::HS256, &other_secret, None, "intake.a", 600),
            "signature",
        ),
        (
            sign(
                &app,
                Algorithm::HS256,
                &EncodingKey::from_secret(b"test-secret-that-is-long-enough-for-hs256"),
                None,
                "intake.a",
                -3600,
            ),
            "expired",
        ),
        (app.token("nobody.here"), "not an active professional"),
    ];
    for (token, why) in cases {
        let r = app.gql(&token, VIEWER, json!({})).await;
        assert_eq!(r.status, 401, "{why}");
        r.assert_error("UNAUTHENTICATED", None);
        assert!(r.message().contains(why), "{why}: {}", r.message());
    }

    // A professional who has left can no longer log in — even one whose last request was a
    // moment ago (on PostgreSQL the server keeps them between requests).
    let _ = app
        .gql(&w.caseworker_a.token, VIEWER, json!({}))
        .await
        .data();
    let r = app
        .gql(
            &w.admin_a.token,
            "mutation($id: ID!) { updateProfessional(input: { professionalId: $id, isActive: false }) { professional { isActive } } }",
            json!({ "id": w.caseworker_a.gid }),
        )
        .await;
    assert_eq!(
        r.data()["updateProfessional"]["professional"]["isActive"],
        false
    );
    app.gql(&w.caseworker_a.token, VIEWER, json!({}))
        .await
        .assert_error("UNAUTHENTICATED", None);
}

/// Another instance, the command line or an operator's SQL changes the directory behind this
/// server's back: the change still takes effect on the next request (within the moment
/// PostgreSQL takes to deliver its notification), not when a kept professional expires.
#[tokio::test]
async fn a_change_to_professionals_or_units_made_anywhere_takes_effect_at_once() {
    use kit_tests::harness::{PATIENCE, eventually};
    use sea_orm::{ConnectionTrait, DbBackend};
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let postgres = app.state.db.get_database_backend() == DbBackend::Postgres;
    let principals = &app.state.principals;
    // Kept on PostgreSQL once its changes are heard; never on SQLite.
    eventually("the directory listener", PATIENCE, || async {
        (principals.is_keeping() == postgres).then_some(())
    })
    .await;
    eventually("the intake member kept", PATIENCE, || async {
        let r = app.gql(&w.intake_a.token, VIEWER, json!({})).await;
        assert_eq!(r.data()["viewer"]["isIntakeMember"], true);
        (principals.is_empty() != postgres).then_some(())
    })
    .await;
    // Within seconds, while a kept professional lives a minute.
    let heard = std::time::Duration::from_secs(5);

    // The intake unit stops being the intake unit.
    app.state
        .db
        .execute_unprepared(
            "UPDATE units SET is_intake = false WHERE id = \
             (SELECT unit_id FROM professionals WHERE subject = 'intake.a')",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    eventually("the unit's change", heard, || async {
        let r = app.gql(&w.intake_a.token, VIEWER, json!({})).await;
        (r.data()["viewer"]["isIntakeMember"] == false).then_some(())
    })
    .await;

    // The professional leaves.
    let _ = app.gql(&w.intake_a.token, VIEWER, json!({})).await.data();
    app.state
        .db
        .execute_unprepared("UPDATE professionals SET is_active = false WHERE subject = 'intake.a'")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    eventually("the professional's departure", heard, || async {
        let r = app.gql(&w.intake_a.token, VIEWER, json!({})).await;
        (r.status == 401).then_some(())
    })
    .await;
    app.gql(&w.intake_a.token, VIEWER, json!({}))
        .await
        .assert_error("UNAUTHENTICATED", None);
}

async fn serve_jwks() -> SocketAddr {
    let jwks = include_str!("../fixtures/rs256-test-jwks.json");
    let router = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || async move { ([("content-type", "application/json")], jwks) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

#[tokio::test]
async fn rs256_tokens_are_checked_against_the_identity_providers_keys() {
    let jwks = serve_jwks().await;
    let app = TestApp::spawn_with(|c| {
        c.auth_hs256_secret = None;
        c.auth_jwks_url = Some(format!("http://{jwks}/jwks.json"));
    })
    .await;
    let _world = World::build(&app).await;
    let key = EncodingKey::from_rsa_pem(include_bytes!("../fixtures/rs256-test-key.pem"))
        .unwrap_or_else(|e| panic!("{e}"));

    let good = sign(
        &app,
        Algorithm::RS256,
        &key,
        Some("kit-test-key"),
        "intake.a",
        600,
    );
    let r = app.gql(&good, VIEWER, json!({})).await;
    assert_eq!(r.data()["viewer"]["professional"]["name"], "intake a");

    for (token, why) in [
        (
            sign(
                &app,
                Algorithm::RS256,
                &key,
                Some("rotated-away"),
                "intake.a",
                600,
            ),
            "unknown key",
        ),
        (
            sign(&app, Algorithm::RS256, &key, None, "intake.a", 600),
            "key id",
        ),
        (
            sign(
                &app,
                Algorithm::HS256,
                &EncodingKey::from_secret(b"guess"),
                None,
                "intake.a",
                600,
            ),
            "not accepted",
        ),
        (
            sign(
                &app,
                Algorithm::RS256,
                &key,
                Some("kit-test-key"),
                "intake.a",
                -3600,
            ),
            "expired",
        ),
    ] {
        let r = app.gql(&token, VIEWER, json!({})).await;
        r.assert_error("UNAUTHENTICATED", None);
        assert!(r.message().contains(why), "{why}: {}", r.message());
    }
    // With an identity provider configured, the server issues no local tokens.
    assert!(!app.state.auth.issues_local_tokens());
}

/// A token signed with the test server's local secret, with exactly these claims.
fn local(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(b"test-secret-that-is-long-enough-for-hs256"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn configured_claims_are_required_nbf_is_honoured_and_lifetimes_are_bounded() {
    let app = TestApp::spawn_with(|c| {
        c.auth_issuer = Some("https://login.kommune.example".into());
        c.auth_audience = Some("kit".into());
        c.auth_max_token_hours = 12;
    })
    .await;
    let _world = World::build(&app).await;
    let now = app.clock_now().timestamp();
    let base = json!({ "sub": "intake.a", "iat": now, "exp": now + 600,
        "iss": "https://login.kommune.example", "aud": "kit" });
    let with = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut claims = base.clone();
        change(&mut claims);
        local(&claims)
    };
    let r = app.gql(&local(&base), VIEWER, json!({})).await;
    assert_eq!(r.data()["viewer"]["isIntakeMember"], true);
    // Subjects are compared without case.
    let r = app
        .gql(&with(&|c| c["sub"] = json!("INTAKE.A")), VIEWER, json!({}))
        .await;
    assert_eq!(r.data()["viewer"]["isIntakeMember"], true);

    let refused: [(&str, String); 8] = [
        (
            "no `iss`",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("iss"));
            }),
        ),
        (
            "no `aud`",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("aud"));
            }),
        ),
        (
            "issuer",
            with(&|c| c["iss"] = json!("https://evil.example")),
        ),
        ("audience", with(&|c| c["aud"] = json!("someone-else"))),
        ("not valid yet", with(&|c| c["nbf"] = json!(now + 3600))),
        (
            "longer than the 12 hours",
            with(&|c| c["exp"] = json!(253_402_300_799_i64)), // 9999-12-31
        ),
        (
            "longer than the 12 hours",
            with(&|c| {
                c["iat"] = json!(now - 3600);
                c["exp"] = json!(now + 12 * 3600);
            }),
        ),
        (
            "longer than the 12 hours",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("iat"));
                c["exp"] = json!(now + 13 * 3600);
            }),
        ),
    ];
    for (why, token) in refused {
        let r = app.gql(&token, VIEWER, json!({})).await;
        assert_eq!(r.status, 401, "{why}: {}", r.body);
        r.assert_error("UNAUTHENTICATED", None);
        assert!(r.message().contains(why), "{why}: {}", r.message());
    }
    // Within the bounds: a token that starts a little later, and one of the full lifetime.
    let r = app
        .gql(&with(&|c| c["nbf"] = json!(now - 5)), VIEWER, json!({}))
        .await;
    assert_eq!(r.data()["viewer"]["isIntakeMember"], true);
    let r = app
        .gql(
            &with(&|c| c["exp"] = json!(now + 12 * 3600)),
            VIEWER,
            json!({}),
        )
        .await;
    assert_eq!(r.data()["viewer"]["isIntakeMember"], true);
    // The server does not issue what it would not accept.
    assert!(
        app.state
            .auth
            .issue_local("intake.a", app.clock_now(), chrono::TimeDelta::hours(13))
            .is_err()
    );
}

#[tokio::test]
async fn a_subscription_ends_when_its_token_expires_or_its_professional_leaves() {
    use kit_tests::harness::PATIENCE;
    use kit_tests::ws::{Connect, WsClient};
    let app = TestApp::spawn_with(|c| {
        c.ws_recheck_secs = kit_entity::infra::settings::Secs::new(1);
        c.ws_init_timeout_secs = kit_entity::infra::settings::Secs::new(1);
    })
    .await;
    let w = World::build(&app).await;
    let ws = format!("ws://{}/graphql/ws", app.addr);
    let subscribe = |token: String| {
        let ws = ws.clone();
        async move {
            match WsClient::connect(&ws, json!({ "Authorization": format!("Bearer {token}") }))
                .await
            {
                Connect::Acknowledged(mut client) => {
                    client
                        .subscribe("subscription { notificationAdded { id } }")
                        .await;
                    client
                }
                Connect::Closed(code, reason) => panic!("refused: {code} {reason}"),
            }
        }
    };
    // A token that expires in two seconds: the connection ends with it.
    let now = app.clock_now().timestamp();
    let short = local(&json!({ "sub": "ppr.a", "iat": now, "exp": now + 2 }));
    let mut expiring = subscribe(short).await;
    assert_eq!(expiring.closed(PATIENCE).await.0, 4401);

    // A professional deactivated while listening is cut off.
    let mut leaving = subscribe(w.caseworker_a.token.clone()).await;
    let _ = app
        .gql(
            &w.admin_a.token,
            "mutation($id: ID!) { updateProfessional(input: { professionalId: $id, isActive: false }) { professional { isActive } } }",
            json!({ "id": w.caseworker_a.gid }),
        )
        .await
        .data();
    let (code, reason) = leaving.closed(PATIENCE).await;
    assert_eq!(code, 4403);
    assert!(reason.contains("no longer active"), "{reason}");

    // A connection that never says connection_init is closed with 4408.
    let (code, _) = WsClient::silent(&ws, PATIENCE).await;
    assert_eq!(code, 4408);
}
