//! CPR numbers at rest: encrypted in the database (neither the SQLite file nor a PostgreSQL
//! dump holds them in clear), found again by their keyed hash, shown in full to a responsible
//! contact, re-encrypted under a new key by a rotation, and never without a configured key in
//! production.

use std::sync::Arc;

use kit_api::config::{Config, Environment};
use kit_entity::cpr::vault::CprVault;
use kit_entity::entities::child;
use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops, referral};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;

const DIGITS: &str = "0305144321";
const FORMATTED: &str = "030514-4321";

/// A child with the CPR number, and a second referral giving the same number (which the
/// referral keeps, sealed, for the intake unit's decision); the caseworker is the
/// responsible contact.
async fn registered(app: &TestApp, w: &World) -> String {
    let mut input = referral(&w.municipality_a, "Ida Hansen");
    input["child"]["cpr"] = json!(FORMATTED);
    let case = app.active_case_of(&w.intake_a.token, input).await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let mut again = referral(&w.municipality_a, "Ida H.");
    again["child"]["cpr"] = json!(FORMATTED);
    let _ = app
        .gql(&w.intake_a.token, ops::SUBMIT, json!({ "input": again }))
        .await
        .data();
    case
}

async fn shown(app: &TestApp, token: &str, case: &str) -> serde_json::Value {
    let r = app
        .gql(
            token,
            "query($id: ID!) { case(id: $id) { child { cpr } referral { childMatch { nameDiffers } } } }",
            json!({ "id": case }),
        )
        .await;
    r.data()["case"]["child"]["cpr"].clone()
}

#[tokio::test]
async fn the_cpr_number_is_neither_in_the_database_file_nor_in_a_dump_in_clear_text() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = registered(&app, &w).await;
    assert_eq!(shown(&app, &w.caseworker_a.token, &case).await, FORMATTED);
    assert_eq!(shown(&app, &w.intake_a.token, &case).await, "030514-XXXX");
    // The second referral was recognised by the number's keyed hash.
    let r = app
        .gql(
            &w.intake_a.token,
            "{ cases(first: 10) { nodes { referral { childMatch { nameDiffers } } } } }",
            json!({}),
        )
        .await;
    assert!(
        r.data().to_string().contains("nameDiffers\":true"),
        "{}",
        r.body
    );

    // An idempotent mutation whose answer carries the number in full: the answer kept for a
    // retry is sealed like the number itself.
    let child_id = app
        .gql(
            &w.caseworker_a.token,
            "query($id: ID!) { case(id: $id) { child { id } } }",
            json!({ "id": case }),
        )
        .await
        .data()["case"]["child"]["id"]
        .clone();
    let answered: serde_json::Value = reqwest::Client::new()
        .post(app.url("/graphql"))
        .bearer_auth(&w.caseworker_a.token)
        .header("idempotency-key", "cpr-at-rest-1")
        .json(&json!({
            "query": "mutation($i: UpdateChildInput!) { updateChild(input: $i) { child { name cpr } } }",
            "variables": { "i": { "childId": child_id, "name": "Ida Hansen" } },
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered["data"]["updateChild"]["child"]["cpr"], FORMATTED);
    let kept: Vec<Option<String>> = kit_entity::entities::idempotency_key::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|k| k.response)
        .collect();
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0].as_deref().is_some_and(|r| r.starts_with("a1:")),
        "{kept:?}"
    );

    let stored: Vec<String> = child::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter_map(|c| c.cpr)
        .collect();
    assert_eq!(stored.len(), 1);
    assert!(CprVault::is_sealed(&stored[0]), "{stored:?}");

    let everything: Vec<u8> = if app.database.is_postgres() {
        let out = tokio::process::Command::new("pg_dump")
            .arg(&app.database.url)
            .output()
            .await
            .unwrap_or_else(|e| panic!("pg_dump: {e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    } else {
        app.db()
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let file = app
            .database
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let dir = std::path::Path::new(&file)
            .parent()
            .unwrap_or_else(|| panic!("{file}"));
        // The generated key is beside the database, readable by its owner only.
        let key = dir.join(kit_api::config::CPR_KEY_FILE);
        let mode = std::fs::metadata(&key)
            .unwrap_or_else(|e| panic!("{}: {e}", key.display()))
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        let mut bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        for extra in ["-wal", "-shm"] {
            bytes.extend(std::fs::read(format!("{file}{extra}")).unwrap_or_default());
        }
        bytes
    };
    assert!(everything.len() > 10_000, "{} bytes", everything.len());
    let text = String::from_utf8_lossy(&everything);
    assert!(text.contains("Ida Hansen"), "the dump holds the data");
    assert!(text.contains("cpr-at-rest-1"), "the dump holds the key");
    for clear in [DIGITS, FORMATTED] {
        assert!(!text.contains(clear), "{clear} is stored in clear");
    }
}

fn config_like(app: &TestApp, key: &str, old: Option<&str>) -> Config {
    let mut config = app.state.config.as_ref().clone();
    config.cpr_key = Some(key.to_owned());
    config.cpr_old_keys = old.map(str::to_owned);
    config
}

async fn start(config: Config) -> anyhow::Result<kit_api::App> {
    let db = kit_api::db::connect(&config.settings).await?;
    kit_api::App::start(db, config, Arc::new(kit_entity::SystemClock)).await
}

#[tokio::test]
async fn a_new_key_reseals_every_number_and_the_old_one_opens_nothing_after() {
    let first = CprVault::generate_key();
    let app = TestApp::spawn_with({
        let first = first.clone();
        move |c| c.cpr_key = Some(first)
    })
    .await;
    let w = World::build(&app).await;
    let case = registered(&app, &w).await;
    assert_eq!(shown(&app, &w.caseworker_a.token, &case).await, FORMATTED);

    // The new key, with the old one still able to open: what is stored opens either way.
    let second = CprVault::generate_key();
    let rotating = start(config_like(&app, &second, Some(&first)))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let vault = &rotating.state.cpr;
    let sealed = || async {
        child::Entity::find()
            .all(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter_map(|c| c.cpr)
            .collect::<Vec<_>>()
    };
    let before = sealed().await;
    assert_eq!(vault.open(&before[0]).ok().as_deref(), Some(DIGITS));
    assert_ne!(CprVault::key_of(&before[0]), Some(vault.current_id()));

    let done = kit_entity::cpr::reseal(&rotating.state.db, vault, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((done.children, done.referrals), (1, 1));
    let after = sealed().await;
    assert_eq!(CprVault::key_of(&after[0]), Some(vault.current_id()));
    // Found by the new key's hash alone, opened by the new key alone.
    let only_new = start(config_like(&app, &second, None))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        only_new.state.cpr.open(&after[0]).ok().as_deref(),
        Some(DIGITS)
    );
    let hmac = child::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find_map(|c| c.cpr_hmac);
    assert_eq!(hmac, Some(only_new.state.cpr.lookup(DIGITS)));
    // The application still holding only the old key can no longer read it.
    app.gql(
        &w.caseworker_a.token,
        "query($id: ID!) { case(id: $id) { child { cpr } } }",
        json!({ "id": case }),
    )
    .await
    .assert_error("INTERNAL", None);
    // Rotating again finds nothing to do.
    let again = kit_entity::cpr::reseal(&only_new.state.db, &only_new.state.cpr, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.children, again.referrals), (0, 0));
}

#[tokio::test]
async fn production_refuses_to_start_without_a_configured_key() {
    let app = TestApp::spawn().await;
    let mut config = app.state.config.as_ref().clone();
    config.cpr_key = None;
    config.env = Environment::Production;
    let refused = start(config).await.err().map(|e| format!("{e:#}"));
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("KIT_CPR_KEY")),
        "{refused:?}"
    );
    let mut config = app.state.config.as_ref().clone();
    config.cpr_key = Some("too short".into());
    let refused = start(config).await.err().map(|e| format!("{e:#}"));
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("KIT_CPR_KEY")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn numbers_stored_before_encryption_are_sealed_at_the_next_start() {
    let key = CprVault::generate_key();
    let app = TestApp::spawn_with({
        let key = key.clone();
        move |c| c.cpr_key = Some(key)
    })
    .await;
    let w = World::build(&app).await;
    let case = registered(&app, &w).await;
    // As an older version left it: the digits, no lookup hash.
    app.db()
        .execute_unprepared(&format!(
            "UPDATE children SET cpr = '{DIGITS}', cpr_hmac = NULL WHERE cpr IS NOT NULL"
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let restarted = start(config_like(&app, &key, None))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let row = child::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|c| c.cpr.is_some())
        .unwrap_or_else(|| panic!("the child"));
    let stored = row.cpr.unwrap_or_default();
    assert!(CprVault::is_sealed(&stored), "{stored}");
    assert_eq!(row.cpr_hmac, Some(restarted.state.cpr.lookup(DIGITS)));
    assert_eq!(shown(&app, &w.caseworker_a.token, &case).await, FORMATTED);
}
