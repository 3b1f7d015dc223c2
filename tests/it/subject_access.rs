//! Subject access (GDPR art. 15): after a scripted session of reads and changes, the export
//! for the child — `kit-api audit export --cpr …` as JSON and as a Danish page, and
//! `subjectAccess` for the organization's data-protection role — lists every one of them.

use kit_entity::entities::access_log;
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops, referral};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CPR: &str = "030514-4321";

/// A scripted session: the intake unit registers and accepts the case, assigns the
/// caseworker and the psychiatrist, records a consent; the caseworker reads the CPR number in
/// full, the psychiatrist reads the child, the intake unit reads the family.
async fn session(app: &TestApp, w: &World) -> String {
    let t = &w.intake_a.token;
    let mut input = referral(&w.municipality_a, "Ida Hansen");
    input["child"]["cpr"] = json!(CPR);
    input["familyMembers"] =
        json!([{ "name": "Lone Hansen", "relation": "MOTHER", "hasCustody": true }]);
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
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let mother = r.data()["case"]["child"]["familyMembers"][0]["id"].clone();
    let _ = app
        .gql(
            t,
            r"mutation($input: RecordConsentInput!) { recordConsent(input: $input) { consent { id } } }",
            json!({ "input": { "caseId": case, "givenByFamilyMemberId": mother,
                "organizationIds": [w.municipality_a, w.region], "purpose": "COORDINATION",
                "basis": "Underskrevet erklæring" } }),
        )
        .await
        .data();
    let read = |token: &str, fields: &str| {
        let q = format!("query Laes($id: ID!) {{ case(id: $id) {{ {fields} }} }}");
        let (app, case) = (app, case.clone());
        let token = token.to_owned();
        async move {
            let _ = app.gql(&token, &q, json!({ "id": case })).await.data();
        }
    };
    read(&w.caseworker_a.token, "child { cpr }").await;
    read(&w.psychiatrist.token, "child { name }").await;
    read(t, "child { familyMembers { name } }").await;
    case
}

async fn export(app: &TestApp, format: &str) -> String {
    let mut command = tokio::process::Command::new(kit_tests::harness::binary("kit-api"));
    command
        .args(["audit", "export", "--cpr", CPR, "--format", format])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KIT_DATABASE_URL", &app.database.url)
        .env("KIT_CONFIG", "/nonexistent/kit.toml")
        .env("RUST_LOG", "error");
    if let Some(key) = &app.state.config.cpr_key {
        command.env("KIT_CPR_KEY", key);
    }
    let out = command.output().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_export_lists_every_read_and_change_of_a_scripted_session() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = session(&app, &w).await;
    let case_id = kit_entity::ids::CaseId(kit_tests::harness::key_of(&case));
    let logged = access_log::Entity::find()
        .filter(access_log::Column::CaseId.eq(case_id))
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let json: Value =
        serde_json::from_str(&export(&app, "json").await).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["childName"], "Ida Hansen");
    let entries = json["entries"].items();
    assert_eq!(entries.len(), logged.len(), "{json:#}");
    let by = |name: &str, kind: &str, what: &str| {
        entries.iter().any(|e| {
            e["professional"] == name
                && e["kind"] == kind
                && e["what"].items().iter().any(|w| w == what)
        })
    };
    assert!(by("caseworker a", "READ", "CPR"), "{json:#}");
    assert!(by("psychiatrist", "READ", "CHILD"), "{json:#}");
    assert!(by("intake a", "READ", "FAMILY"), "{json:#}");
    assert!(by("intake a", "CHANGE", "PARTICIPANTS"), "{json:#}");
    assert!(by("intake a", "CHANGE", "CONSENTS"), "{json:#}");
    assert!(
        entries
            .iter()
            .any(|e| e["operation"] == "Laes(case)" && e["organization"] == "Region BUC"),
        "{json:#}"
    );

    let html = export(&app, "html").await;
    for expected in [
        "<html lang=\"da\">",
        "Indsigt i, hvem der har set eller ændret oplysninger om Ida Hansen",
        "CPR-nummeret",
        "familiens oplysninger",
        "ændret",
        "deltager i forløbet",
        "Region BUC",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert_eq!(html.matches("<tr><td>").count(), logged.len());
    assert!(!html.contains("4321"), "no CPR number on the page");
}

#[tokio::test]
async fn the_data_protection_role_reads_the_same_and_its_reading_is_logged() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = session(&app, &w).await;
    let query = r"query($org: ID!, $cpr: String!) { subjectAccess(organizationId: $org, cpr: $cpr) {
        childName cases entries { professional kind what basis caseReference } html } }";
    let vars = json!({ "org": w.municipality_a, "cpr": CPR });
    // Nobody holds the role yet; an administrator cannot give it to themselves.
    app.gql(&w.admin_a.token, query, vars.clone())
        .await
        .assert_error("FORBIDDEN", None);
    let grant = r"mutation($id: ID!) { updateProfessional(input: { professionalId: $id, isDataProtection: true }) { professional { isDataProtection } } }";
    app.gql(&w.admin_a.token, grant, json!({ "id": w.admin_a.gid }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            &w.admin_a.token,
            grant,
            json!({ "id": w.caseworker2_a.gid }),
        )
        .await;
    assert_eq!(
        r.data()["updateProfessional"]["professional"]["isDataProtection"],
        true
    );
    let dpo = &w.caseworker2_a.token;
    let r = app.gql(dpo, query, vars.clone()).await;
    let report = &r.data()["subjectAccess"];
    assert_eq!(report["childName"], "Ida Hansen");
    assert_eq!(report["cases"].items().len(), 1);
    let entries = report["entries"].items();
    assert!(entries.iter().any(|e| e["professional"] == "psychiatrist"));
    assert!(report["html"].str().contains("Ida Hansen"));
    // Another organization's role, a number nobody has, a malformed number.
    app.gql(dpo, query, json!({ "org": w.municipality_b, "cpr": CPR }))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(
        dpo,
        query,
        json!({ "org": w.municipality_a, "cpr": "010101-1234" }),
    )
    .await
    .assert_error("NOT_FOUND", Some("cpr"));
    app.gql(
        dpo,
        query,
        json!({ "org": w.municipality_a, "cpr": "31-12" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("cpr"));
    // The role's reading is in the case's log, with its basis.
    let log = r"query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes { basis professional { id } } } } }";
    let r = app.gql(&w.intake_a.token, log, json!({ "id": case })).await;
    assert!(
        r.data()["case"]["accessLog"]["nodes"]
            .items()
            .iter()
            .any(|n| n["basis"] == "DATA_PROTECTION"
                && n["professional"]["id"] == w.caseworker2_a.gid.as_str()),
        "{}",
        r.body
    );
}
