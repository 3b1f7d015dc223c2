//! What a front-end team meets, with the tools it uses (`tests/frontend/`): the screens'
//! operations compiled by the Relay compiler and by GraphQL Code Generator and type-checked
//! with `tsc --strict` against the committed schema; the same screens run by Apollo Client 4
//! and urql with their normalized caches against the real server, for every role of the test
//! world (no console warning, the cache reads back what the network gave); and the GraphQL
//! over HTTP specification's audit suite (`graphql-http`), every MUST and SHOULD.
//!
//! Node.js and npm are needed (the machine has them); `npm ci` runs once when the project's
//! `node_modules` is missing (`.ci/run` runs it first).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};
use tokio::process::Command;
use tokio::sync::OnceCell;

use crate::meetings::REQUEST;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend")
}

/// `npm ci`, once per test run, when the project has no `node_modules`.
async fn installed() {
    static INSTALLED: OnceCell<()> = OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            if project().join("node_modules/.package-lock.json").exists() {
                return;
            }
            npm(&["ci", "--no-audit", "--no-fund"], &[]).await;
        })
        .await;
}

/// Runs `npm args…` in the project with `env`; fails the test with its output when it fails.
async fn npm(args: &[&str], env: &[(&str, String)]) -> String {
    let output = Command::new("npm")
        .args(args)
        .current_dir(project())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run npm (Node.js 20 and npm are needed): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "npm {} failed:\n{text}",
        args.join(" ")
    );
    text
}

#[tokio::test]
async fn the_screens_compile_with_relay_and_codegen_and_type_check_strictly() {
    installed().await;
    npm(&["run", "relay"], &[]).await;
    npm(&["run", "codegen"], &[]).await;
    npm(&["run", "typecheck"], &[]).await;
}

/// A case with the caseworker and child psychiatry as responsible contacts (no consent: the
/// child is withheld from the region), a guardian, and a scheduled network meeting with the
/// guardian among its invitees.
pub(crate) async fn a_case_with_everyone(app: &TestApp, w: &World) -> String {
    let t = &w.intake_a.token;
    let mut input = kit_tests::world::referral(&w.municipality_a, "Ida Hansen");
    input["child"]["cpr"] = json!("030514-4321");
    input["familyMembers"] = json!([{ "name": "Lone Hansen", "relation": "MOTHER",
        "hasCustody": true, "email": "lone@example.dk" }]);
    let case = app.active_case_of(t, input).await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    let r = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } participants { id role } } }",
            json!({ "id": case }),
        )
        .await;
    let mother = r.data()["case"]["child"]["familyMembers"][0]["id"].clone();
    let guardian = app
        .gql(
            t,
            ops::ADD,
            json!({ "input": { "caseId": case, "role": "GUARDIAN", "familyMemberId": mother } }),
        )
        .await
        .data()["addParticipant"]["participant"]["id"]
        .clone();
    let contacts: Vec<Value> = r.data()["case"]["participants"]
        .items()
        .iter()
        .filter(|p| p["role"] == "RESPONSIBLE_CONTACT")
        .map(|p| json!({ "participantId": p["id"] }))
        .chain(std::iter::once(json!({ "participantId": guardian })))
        .collect();
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": contacts,
        "durationMinutes": 60, "latest": "2027-01-29T16:00:00+01:00", "location": "Rådhuset" });
    let ct = &w.caseworker_a.token;
    let meeting = app.gql(ct, REQUEST, json!({ "input": input })).await.data()["requestMeeting"]
        ["meeting"]["id"]
        .clone();
    let r = app
        .gql(
            ct,
            "mutation($id: ID!) { scheduleMeeting(input: { meetingId: $id, startsAt: \"2026-12-10T10:00:00+01:00\" }) { meeting { id } } }",
            json!({ "id": meeting }),
        )
        .await;
    // With a worker in the process (the browser's test) the worker may have placed the
    // meeting first: then it is scheduled already, which is all the screens need.
    if !(r.code() == Some("CONFLICT") && r.message().contains("SCHEDULED")) {
        let _ = r.data();
    }
    case
}

#[tokio::test]
async fn apollo_client_and_urql_read_every_screen_back_from_their_caches_for_every_role() {
    installed().await;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = a_case_with_everyone(&app, &w).await;
    let scenarios: Vec<Value> = [
        ("intake unit", &w.intake_a, true),
        ("municipal contact", &w.caseworker_a, true),
        ("child psychiatry contact without consent", &w.psychiatrist, true),
        ("unit leader", &w.ppr_leader_a, false),
        ("administrator", &w.admin_a, false),
        ("another municipality", &w.caseworker_b, false),
    ]
    .into_iter()
    .map(|(role, who, sees)| {
        json!({ "role": role, "token": who.token, "caseId": sees.then_some(case.as_str()) })
    })
    .collect();
    let out = npm(
        &["run", "apollo"],
        &[
            ("KIT_URL", app.url("/graphql")),
            ("KIT_SCENARIOS", Value::from(scenarios).to_string()),
        ],
    )
    .await;
    assert!(out.contains("PASS"), "{out}");
}

#[tokio::test]
async fn the_graphql_over_http_audit_suite_passes_every_must_and_should() {
    installed().await;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let out = npm(
        &["run", "audit"],
        &[
            ("KIT_URL", app.url("/graphql")),
            ("KIT_TOKEN", w.intake_a.token.clone()),
        ],
    )
    .await;
    assert!(out.contains(" ok, 0 MUST failed"), "{out}");
}

#[tokio::test]
async fn every_break_of_the_released_schema_is_declared() {
    installed().await;
    let out = npm(&["run", "breaking"], &[]).await;
    assert!(out.contains("0 undeclared"), "{out}");
}

#[tokio::test]
async fn apollo_client_and_urql_run_persisted_queries_by_their_hash() {
    installed().await;
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let _ = a_case_with_everyone(&app, &w).await;
    let out = npm(
        &["run", "persisted"],
        &[
            ("KIT_URL", app.url("/graphql")),
            ("KIT_TOKEN", w.intake_a.token.clone()),
        ],
    )
    .await;
    for client in ["apollo", "urql"] {
        assert!(
            out.contains(&format!("PASS {client}: after that the hash alone runs it")),
            "{out}"
        );
    }
}

/// Debian's Chromium, installed once when missing (as `.ci/run` does first).
async fn chromium() {
    static INSTALLED: OnceCell<()> = OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            if Path::new("/usr/bin/chromium").exists() {
                return;
            }
            let installed = Command::new("apt-get")
                .args(["install", "-y", "-qq", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(Stdio::null())
                .status()
                .await
                .is_ok_and(|s| s.success());
            assert!(
                installed,
                "headless Chromium is needed at /usr/bin/chromium: apt-get install chromium"
            );
        })
        .await;
}

/// A browser app on another origin, in headless Chromium: its query passes CORS (preflight
/// and all), its subscription over the WebSocket gets an event, and a page from an origin not
/// listed reads nothing.
#[tokio::test]
async fn a_browser_app_on_another_origin_queries_and_subscribes() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    installed().await;
    chromium().await;
    let page_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"));
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.cors_origins = Some(format!("http://localhost:{page_port}"));
        c.settings.worker = true;
        c.settings.smtp_url = Some(smtp);
        c.settings.deadline_sweep_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let case = a_case_with_everyone(&app, &w).await;
    let mut browser = Command::new("npm")
        .args(["run", "--silent", "browser"])
        .current_dir(project())
        .env("KIT_API", app.url(""))
        .env("KIT_TOKEN", &w.psychiatrist.token)
        .env("KIT_PAGE_PORT", page_port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run npm: {e}"));
    let stdout = browser.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let mut out = Vec::new();
    loop {
        let line = tokio::time::timeout(kit_tests::harness::PATIENCE, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("the browser never subscribed: {out:?}"))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("the browser ended before subscribing: {out:?}"));
        out.push(line.clone());
        if line == "SUBSCRIBED" {
            break;
        }
    }
    // A reminder of the psychiatrist's first deadline: the worker notifies them.
    let pending = r"query { deadlines(first: 50, filter: { status: [PENDING] }) { nodes { dueAt responsible { id } case { id } } } }";
    let r = app.gql(&w.psychiatrist.token, pending, json!({})).await;
    let due = r.data()["deadlines"]["nodes"]
        .items()
        .iter()
        .filter(|d| {
            d["case"]["id"] == case.as_str()
                && d["responsible"]["id"] == w.psychiatrist.gid.as_str()
        })
        .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d["dueAt"].as_str()?).ok())
        .min()
        .unwrap_or_else(|| panic!("the psychiatrist answers for no deadline: {}", r.body));
    app.clock
        .set(due.with_timezone(&chrono::Utc) - chrono::TimeDelta::hours(1));
    while let Ok(Some(line)) = lines.next_line().await {
        out.push(line);
    }
    let status = browser.wait().await.unwrap_or_else(|e| panic!("{e}"));
    let mut stderr = String::new();
    if let Some(mut e) = browser.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = e.read_to_string(&mut stderr).await;
    }
    let out = out.join("\n");
    assert!(status.success(), "{out}\n{stderr}");
    assert!(
        out.contains("PASS an event arrives on the subscription"),
        "{out}"
    );
}
