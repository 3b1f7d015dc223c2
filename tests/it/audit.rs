//! The access log as evidence: changes are logged in their own transaction, every row is
//! chained to the one before, `kit-api audit verify` names a row edited, removed or swapped
//! directly in the database, PostgreSQL refuses such edits outright, and retention prunes only
//! the chain's start, leaving the rest verifiable.

use chrono::TimeDelta;
use kit_entity::entities::access_log;
use kit_entity::ops::access_log as chain;
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::json;

/// Some reads and some changes, by several people.
async fn activity(app: &TestApp, w: &World) -> String {
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Alma Krog").await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    for who in [&w.intake_a, &w.caseworker_a] {
        let _ = app
            .gql(
                &who.token,
                "query($id: ID!) { case(id: $id) { child { name } participants { id } } }",
                json!({ "id": case }),
            )
            .await
            .data();
    }
    case
}

async fn rows(app: &TestApp) -> Vec<access_log::Model> {
    access_log::Entity::find()
        .order_by_asc(access_log::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn verify(app: &TestApp) -> chain::Verification {
    chain::verify(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `sql` as someone with direct access to the database: on PostgreSQL the table's owner,
/// who must first switch the append-only trigger off — which the test checks it refuses.
async fn tamper(app: &TestApp, sql: &str) {
    let db = app.db();
    if app.database.is_postgres() {
        let refused = db.execute_unprepared(sql).await;
        let error = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            error.contains("append-only"),
            "PostgreSQL let it through: {error}"
        );
        db.execute_unprepared(&format!(
            "BEGIN; ALTER TABLE access_log DISABLE TRIGGER access_log_append_only; {sql}; \
             ALTER TABLE access_log ENABLE TRIGGER access_log_append_only; COMMIT;"
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    } else {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn changes_are_logged_with_their_request_and_refused_ones_are_not() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = activity(&app, &w).await;
    let log = r"query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes {
        kind what operation requestId professional { id } } } } }";
    let r = app.gql(&w.intake_a.token, log, json!({ "id": case })).await;
    let nodes = r.data()["case"]["accessLog"]["nodes"].items().to_vec();
    let changes: Vec<&serde_json::Value> = nodes.iter().filter(|n| n["kind"] == "CHANGE").collect();
    // The referral (child, family, referral), intake started and decided (history), the
    // contact assigned (participants).
    let what: Vec<String> = changes.iter().map(|c| c["what"].to_string()).collect();
    assert!(what.iter().any(|w| w.contains("REFERRAL")), "{what:?}");
    assert!(what.iter().any(|w| w.contains("HISTORY")), "{what:?}");
    assert!(what.iter().any(|w| w.contains("PARTICIPANTS")), "{what:?}");
    assert!(
        changes
            .iter()
            .all(|c| !c["requestId"].str().is_empty() && c["operation"].str().contains('(')),
        "{changes:?}"
    );
    assert!(nodes.iter().any(|n| n["kind"] == "READ"));

    // A change refused is not logged: nothing of it was written.
    let before = rows(&app).await.len();
    let close =
        r#"mutation($id: ID!) { closeCase(input: { caseId: $id, reason: "x" }) { case { id } } }"#;
    app.gql(&w.ppr_a.token, close, json!({ "id": case }))
        .await
        .assert_error("NOT_FOUND", None);
    assert_eq!(rows(&app).await.len(), before);

    // A change made is logged under the request that made it.
    let r = app
        .gql(
            &w.caseworker_a.token,
            r#"mutation Luk($id: ID!) { closeCase(input: { caseId: $id, reason: "Målene er nået" }) { case { status } } }"#,
            json!({ "id": case }),
        )
        .await;
    assert_eq!(r.data()["closeCase"]["case"]["status"], "CLOSED");
    let last = rows(&app).await;
    let change = last
        .iter()
        .rev()
        .find(|row| row.kind == kit_entity::domain::enums::AccessKind::Change)
        .unwrap_or_else(|| panic!("no change logged"));
    assert_eq!(change.operation, "Luk(closeCase)");
    assert_eq!(change.what, "HISTORY");
    assert_eq!(change.professional_id, w.caseworker_a.id);
    assert!(verify(&app).await.intact());
}

#[tokio::test]
async fn verify_names_a_row_edited_removed_or_swapped_in_the_database() {
    for damage in ["edit", "remove", "swap"] {
        let app = TestApp::spawn().await;
        let w = World::build(&app).await;
        // Enough rows that every chain (eight on PostgreSQL) has several.
        for _ in 0..3 {
            activity(&app, &w).await;
        }
        let found = verify(&app).await;
        assert!(found.intact(), "{found:?}");
        let all = rows(&app).await;
        assert!(all.len() >= 6, "{}", all.len());
        assert!(all.iter().all(|r| r.hash.is_some()));
        // Two rows of one chain, the second right after the first in it.
        let (a, b) = all[2..]
            .iter()
            .enumerate()
            .find_map(|(i, a)| {
                all[2 + i + 1..]
                    .iter()
                    .find(|b| b.chain == a.chain)
                    .map(|b| (a, b))
            })
            .unwrap_or_else(|| panic!("no chain with two rows: {all:?}"));
        let expected: Vec<i64> = match damage {
            "edit" => {
                tamper(
                    &app,
                    &format!("UPDATE access_log SET what = 'CHILD' WHERE id = {}", a.id.0),
                )
                .await;
                vec![a.id.0]
            }
            "remove" => {
                tamper(
                    &app,
                    &format!("DELETE FROM access_log WHERE id = {}", a.id.0),
                )
                .await;
                vec![b.id.0]
            }
            _ => {
                // The two rows' contents change places, hashes and all.
                let set = |to: i64, from: &access_log::Model| {
                    format!(
                        "UPDATE access_log SET read_at = (SELECT read_at FROM access_log WHERE id = {f}), \
                         kind = '{kind}', professional_id = {p}, case_id = {c}, basis = '{basis}', \
                         what = '{what}', operation = '{op}', request_id = '{rid}', \
                         prev_hash = '{prev}', hash = '{hash}' WHERE id = {to}",
                        f = from.id.0,
                        kind = sea_orm::ActiveEnum::to_value(&from.kind),
                        p = from.professional_id.0,
                        c = from.case_id.0,
                        basis = sea_orm::ActiveEnum::to_value(&from.basis),
                        what = from.what,
                        op = from.operation,
                        rid = from.request_id,
                        prev = from.prev_hash.clone().unwrap_or_default(),
                        hash = from.hash.clone().unwrap_or_default(),
                    )
                };
                // Through a copy, since each statement reads the other row.
                let (a, b) = (a.clone(), b.clone());
                tamper(
                    &app,
                    &format!(
                        "{}; {}",
                        set(a.id.0, &b).replace(
                            &format!("(SELECT read_at FROM access_log WHERE id = {})", b.id.0),
                            &format!("'{}'", sql_time(&app, &b)),
                        ),
                        set(b.id.0, &a).replace(
                            &format!("(SELECT read_at FROM access_log WHERE id = {})", a.id.0),
                            &format!("'{}'", sql_time(&app, &a)),
                        )
                    ),
                )
                .await;
                vec![a.id.0, b.id.0]
            }
        };
        let found = verify(&app).await;
        assert!(!found.intact(), "{damage}: undetected");
        let named: Vec<i64> = found.breaks.iter().map(|b| b.id).collect();
        for id in &expected {
            assert!(
                named.contains(id),
                "{damage}: row {id} not named in {found:?}"
            );
        }

        // The command says so, names the row, and fails.
        let out = audit_command(&app, &["verify"]).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{damage}: {stdout}");
        assert!(
            stdout.contains(&format!("access_log row {}", expected[0])),
            "{damage}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs `kit-api audit <args>` on the test's database.
async fn audit_command(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = tokio::process::Command::new(kit_tests::harness::binary("kit-api"));
    command
        .arg("audit")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KIT_DATABASE_URL", &app.database.url)
        .env("KIT_CONFIG", "/nonexistent/kit.toml")
        .env("RUST_LOG", "error");
    if let Some(key) = &app.state.config.cpr_key {
        command.env("KIT_CPR_KEY", key);
    }
    command.output().await.unwrap_or_else(|e| panic!("{e}"))
}

/// A row's time as the database holds it, for writing it back.
fn sql_time(app: &TestApp, row: &access_log::Model) -> String {
    if app.database.is_postgres() {
        row.read_at.to_rfc3339()
    } else {
        // As sea-orm stores it in SQLite.
        row.read_at.format("%Y-%m-%d %H:%M:%S%.f%:z").to_string()
    }
}

#[tokio::test]
async fn retention_prunes_the_start_of_the_chain_and_the_rest_still_verifies() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    activity(&app, &w).await;
    let old = rows(&app).await.len();
    let chains = |rows: &[access_log::Model]| {
        rows.iter()
            .map(|r| r.chain)
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64
    };
    // Each chain with pruned rows records its own prune.
    let first_chains = chains(&rows(&app).await);
    app.clock.advance(TimeDelta::days(400));
    activity(&app, &w).await;
    let total = rows(&app).await.len();

    // Nothing is a year and a half old; then a year is the limit.
    assert_eq!(
        chain::prune(app.db(), app.clock_now(), 548, "test")
            .await
            .ok(),
        Some(None)
    );
    let pruned = chain::prune(app.db(), app.clock_now(), 365, "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing pruned"));
    assert_eq!(pruned.rows as usize, old);
    if app.database.is_postgres() {
        // Whole months went: the first month's table is gone, the one of today is there.
        assert!(pruned.months.contains(&"2026-11".to_owned()), "{pruned:?}");
        let months: Vec<String> = app
            .db()
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 WHERE i.inhparent = 'access_log'::regclass",
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .filter_map(|r| r.try_get::<String>("", "name").ok())
            .collect();
        assert!(
            !months.contains(&"access_log_2026_11".to_owned()),
            "{months:?}"
        );
        // The clock jumped 400 days with no worker minute between: that month's rows went to
        // the default partition, and the prune made the months ahead of today.
        assert!(
            months.contains(&"access_log_default".to_owned()),
            "{months:?}"
        );
        let ahead = app.clock_now() + TimeDelta::days(40);
        let ahead = format!("access_log_{}", ahead.format("%Y_%m"));
        assert!(months.contains(&ahead), "{months:?}");
    }
    assert_eq!(rows(&app).await.len(), total - old);
    let found = verify(&app).await;
    assert!(found.intact(), "{found:?}");
    assert_eq!(found.prunes, first_chains);

    // New rows chain on; a second prune chains to the first.
    activity(&app, &w).await;
    let second_chains = chains(&rows(&app).await);
    app.clock.advance(TimeDelta::days(400));
    assert!(
        chain::prune(app.db(), app.clock_now(), 365, "test")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some()
    );
    let found = verify(&app).await;
    assert!(found.intact(), "{found:?}");
    assert_eq!(
        (found.rows, found.prunes),
        (0, first_chains + second_chains)
    );
    activity(&app, &w).await;
    assert!(verify(&app).await.intact());

    // Removing a prune record is found too.
    if app.database.is_postgres() {
        let refused = app
            .db()
            .execute_unprepared("DELETE FROM audit_prunes")
            .await;
        assert!(refused.is_err(), "PostgreSQL let a prune record go");
    } else {
        app.db()
            .execute_unprepared("DELETE FROM audit_prunes WHERE id = 1")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!verify(&app).await.intact());
    }
}

#[tokio::test]
async fn checkpoints_let_verify_start_at_a_day_and_a_rewritten_or_cut_chain_is_found() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    activity(&app, &w).await;
    let done = chain::checkpoint(app.db(), app.clock_now(), "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(done.breaks.is_empty(), "{:?}", done.breaks);
    assert!(!done.made.is_empty());
    assert_eq!(
        done.rows as usize,
        rows(&app).await.len(),
        "the first checks all"
    );
    let before = rows(&app).await.len();

    // Two days on, more work: verifying since that day checks only the new rows.
    app.clock.advance(TimeDelta::days(2));
    let day = app.clock_now().date_naive();
    activity(&app, &w).await;
    let all = rows(&app).await;
    let since = chain::verify_since(
        app.db(),
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(since.intact(), "{since:?}");
    assert_eq!(since.rows as usize, all.len() - before);
    let full = verify(&app).await;
    assert!(full.intact(), "{full:?}");
    assert_eq!(full.rows as usize, all.len());

    // The command does the same, and the checkpoints export as a chain of JSON lines.
    let out = audit_command(&app, &["verify", "--since", &day.to_string()]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with(&format!("{} access-log rows", all.len() - before)),
        "{stdout}"
    );
    let out = audit_command(&app, &["checkpoints"]).await;
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), done.made.len());
    for pair in lines.windows(2) {
        assert_eq!(pair[1]["prevHash"], pair[0]["hash"]);
    }

    // Someone with the database's keys rewrites an old row and recomputes its chain onward,
    // heads and all: the checkpoint no longer matches, and the day's rows no longer follow it.
    let old = &all[1];
    let mut prev = old.prev_hash.clone().unwrap_or_default();
    let mut rewrite = Vec::new();
    for row in all
        .iter()
        .filter(|r| r.chain == old.chain && r.id.0 >= old.id.0)
    {
        let mut entry = chain::Entry {
            at: row.read_at,
            kind: row.kind,
            professional_id: row.professional_id,
            case_id: row.case_id,
            basis: row.basis,
            what: row.what.clone(),
            operation: row.operation.clone(),
            request_id: row.request_id.clone(),
            client_request_id: row.client_request_id.clone(),
        };
        if row.id == old.id {
            entry.what = if row.what == "HISTORY" {
                "CHILD"
            } else {
                "HISTORY"
            }
            .into();
        }
        let hash = chain::digest(&prev, &entry);
        rewrite.push(format!(
            "UPDATE access_log SET what = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
            entry.what, row.id.0
        ));
        prev = hash;
    }
    rewrite.push(format!(
        "UPDATE audit_chain_heads SET hash = '{prev}' WHERE chain = {}",
        old.chain
    ));
    tamper(&app, &rewrite.join("; ")).await;
    let full = verify(&app).await;
    assert!(
        full.breaks.iter().any(|b| b.table == "audit_checkpoints"
            && b.problem.contains(&format!(
                "row {}",
                done.made
                    .iter()
                    .find(|c| c.chain == old.chain)
                    .map_or(0, |c| c.through_id)
            ))),
        "{full:?}"
    );
    let since = chain::verify_since(
        app.db(),
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let later_in_chain = all.iter().any(|r| {
        r.chain == old.chain
            && r.id.0
                > done
                    .made
                    .iter()
                    .find(|c| c.chain == old.chain)
                    .map_or(0, |c| c.through_id)
    });
    if later_in_chain {
        assert!(!since.intact(), "{since:?}");
    }
    // No checkpoint is made over a broken chain.
    let again = chain::checkpoint(app.db(), app.clock_now(), "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!again.breaks.is_empty());
    assert!(again.made.iter().all(|c| c.chain != old.chain));
}

#[tokio::test]
async fn rows_cut_from_a_chains_end_are_found() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    activity(&app, &w).await;
    let all = rows(&app).await;
    let last = all.last().unwrap_or_else(|| panic!("no rows"));
    tamper(
        &app,
        &format!("DELETE FROM access_log WHERE id = {}", last.id.0),
    )
    .await;
    let found = verify(&app).await;
    assert_eq!(
        found
            .breaks
            .iter()
            .map(|b| (b.table, b.id))
            .collect::<Vec<_>>(),
        [("audit_chain_heads", i64::from(last.chain))],
        "{found:?}"
    );
}
