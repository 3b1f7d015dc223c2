//! Authentication: HS256 local tokens and RS256 tokens checked against a JWKS URL.

use std::net::SocketAddr;

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kit_tests::harness::TestApp;
use kit_tests::world::World;
use serde_json::json;

const VIEWER: &str = "{ viewer { professional { name } isIntakeMember } }";

fn sign(
    alg: Algorithm,
    key: &EncodingKey,
    kid: Option<&str>,
    sub: &str,
    exp_offset: i64,
) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    let claims = json!({ "sub": sub, "exp": Utc::now().timestamp() + exp_offset, "iat": Utc::now().timestamp() });
    jsonwebtoken::encode(&header, &claims, key).unwrap_or_default()
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
            sign(Algorithm::HS256, &other_secret, None, "intake.a", 600),
            "signature",
        ),
        (
            sign(
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

    // A professional who has left can no longer log in.
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
                Algorithm::RS256,
                &key,
                Some("rotated-away"),
                "intake.a",
                600,
            ),
            "unknown key",
        ),
        (
            sign(Algorithm::RS256, &key, None, "intake.a", 600),
            "key id",
        ),
        (
            sign(
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
