//! Bad input gets BAD_USER_INPUT naming the field, and nothing is written.

use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops, referral};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const TABLES: &[&str] = &[
    "organizations",
    "units",
    "professionals",
    "children",
    "family_members",
    "cases",
    "referrals",
    "case_status_changes",
    "participants",
];

async fn row_counts(app: &TestApp) -> Vec<i64> {
    let db = app.db();
    let mut counts = Vec::new();
    for table in TABLES {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .ok()
            .flatten();
        counts.push(
            row.and_then(|r| r.try_get::<i64>("", "n").ok())
                .unwrap_or(-1),
        );
    }
    counts
}

async fn refused(app: &TestApp, token: &str, query: &str, variables: Value, field: &str) {
    let before = row_counts(app).await;
    let r = app.gql(token, query, variables).await;
    r.assert_error("BAD_USER_INPUT", Some(field));
    assert!(
        r.message().contains(field) || r.message().starts_with("Invalid value"),
        "{}",
        r.message()
    );
    assert_eq!(
        row_counts(app).await,
        before,
        "no row may be written for {field}"
    );
}

#[tokio::test]
async fn each_bad_input_names_its_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let with = |patch: fn(&mut Value)| {
        let mut input = referral(&w.municipality_a, "Ida");
        input["familyMembers"] = json!([{ "name": "Lone", "relation": "MOTHER", "hasCustody": true, "email": "lone@example.dk" }]);
        patch(&mut input);
        json!({ "input": input })
    };

    // A malformed date.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["dateOfBirth"] = json!("2014-13-45")),
        "input.child.dateOfBirth",
    )
    .await;
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["dateOfBirth"] = json!("03-05-2014")),
        "input.child.dateOfBirth",
    )
    .await;
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["receivedAt"] = json!("yesterday")),
        "input.receivedAt",
    )
    .await;
    // A date in the future.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["dateOfBirth"] = json!("2030-01-01")),
        "input.child.dateOfBirth",
    )
    .await;
    // A CPR number with an impossible date, or a wrong shape.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["cpr"] = json!("310214-4321")),
        "input.child.cpr",
    )
    .await;
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["cpr"] = json!("12345")),
        "input.child.cpr",
    )
    .await;
    // A CPR number that contradicts the date of birth.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["cpr"] = json!("040514-4321")),
        "input.child.cpr",
    )
    .await;
    // A name of 10 kB.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["child"]["name"] = json!("x".repeat(10_240))),
        "input.child.name",
    )
    .await;
    // An e-mail that is not an address.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["familyMembers"][0]["email"] = json!("lone at example")),
        "input.familyMembers.0.email",
    )
    .await;
    // Unknown ids: a municipality that does not exist, and an id of the wrong type.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["municipalityId"] = json!("T3JnYW5pemF0aW9uOjk5OTk")),
        "input.municipalityId",
    )
    .await;
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["municipalityId"] = json!("not-an-id")),
        "input.municipalityId",
    )
    .await;
    let region = w.region.clone();
    let mut input = referral(&region, "Ida");
    input["municipalityId"] = json!(region);
    refused(
        &app,
        t,
        ops::SUBMIT,
        json!({ "input": input }),
        "input.municipalityId",
    )
    .await;

    // Unknown ids when adding a participant.
    let case = app.active_case(t, &w.municipality_a, "Ida").await;
    refused(
        &app,
        t,
        ops::ADD,
        json!({ "input": { "caseId": case, "role": "PROFESSIONAL", "professionalId": "UHJvZmVzc2lvbmFsOjk5OTk" } }),
        "input.professionalId",
    )
    .await;
    refused(
        &app,
        t,
        ops::ADD,
        json!({ "input": { "caseId": case, "role": "PROFESSIONAL", "professionalId": case } }),
        "input.professionalId",
    )
    .await;
    // An external actor's e-mail that is not an address.
    refused(
        &app,
        t,
        ops::ADD,
        json!({ "input": { "caseId": case, "role": "EXTERNAL", "external": { "name": "Coach", "email": "coach@" } } }),
        "input.external.email",
    )
    .await;
    // A role that does not fit the person.
    refused(
        &app,
        t,
        ops::ADD,
        json!({ "input": { "caseId": case, "role": "GUARDIAN", "professionalId": w.ppr_a.gid } }),
        "input.role",
    )
    .await;
    // An unknown enum value.
    refused(
        &app,
        t,
        ops::SUBMIT,
        with(|i| i["source"] = json!("NEIGHBOUR")),
        "input.source",
    )
    .await;
    // A negative page size.
    refused(
        &app,
        t,
        "{ cases(first: -1) { totalCount } }",
        json!({}),
        "first",
    )
    .await;
}

#[tokio::test]
async fn dates_outside_the_years_1900_to_2199_and_nul_bytes_are_refused_by_field() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Ebba").await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    for when in ["0000-01-01T10:00:00+01:00", "9999-12-31T10:00:00+01:00"] {
        let mut input = referral(&w.municipality_a, "Frida");
        input["receivedAt"] = json!(when);
        refused(
            &app,
            t,
            ops::SUBMIT,
            json!({ "input": input }),
            "input.receivedAt",
        )
        .await;
    }
    let closure = r"mutation($input: AddClosureDayInput!) { addClosureDay(input: $input) { closureDay { id } } }";
    for day in ["0000-12-24", "9999-12-24"] {
        refused(
            &app,
            &w.admin_a.token,
            closure,
            json!({ "input": { "organizationId": w.municipality_a, "date": day, "name": "Lukket" } }),
            "input.date",
        )
        .await;
    }
    let busy = r"mutation($input: AddBusyPeriodInput!) { addBusyPeriod(input: $input) { busyPeriod { id } } }";
    refused(
        &app,
        &w.caseworker_a.token,
        busy,
        json!({ "input": { "startsAt": "0000-01-03T08:00:00+01:00", "endsAt": "2026-12-01T12:00:00+01:00" } }),
        "input.startsAt",
    )
    .await;
    let request = r"mutation($input: RequestMeetingInput!) { requestMeeting(input: $input) { meeting { id } } }";
    refused(
        &app,
        &w.caseworker_a.token,
        request,
        json!({ "input": { "caseId": case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60, "latest": "9999-12-31T16:00:00+01:00" } }),
        "input.latest",
    )
    .await;
    // A NUL byte, in a variable or a literal: refused by field, on SQLite and PostgreSQL alike.
    let search = r"query($filter: CaseFilter) { cases(filter: $filter) { totalCount } }";
    refused(
        &app,
        t,
        search,
        json!({ "filter": { "text": "Eb\u{0}ba" } }),
        "filter.text",
    )
    .await;
    refused(
        &app,
        t,
        r#"{ cases(filter: { text: "Eb\u0000ba" }) { totalCount } }"#,
        json!({}),
        "filter.text",
    )
    .await;
    let deadlines =
        r"query($code: String) { deadlines(filter: { ruleCode: $code }) { totalCount } }";
    refused(
        &app,
        t,
        deadlines,
        json!({ "code": "start\u{0}" }),
        "filter.ruleCode",
    )
    .await;
    // Whatever the variable is called, the error names the input field it fills.
    let mut input = kit_tests::world::referral(&w.municipality_a, "Eb\u{0}ba");
    input["child"]["name"] = json!("Eb\u{0}ba");
    refused(
        &app,
        t,
        "mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { case { id } } }",
        json!({ "i": input }),
        "input.child.name",
    )
    .await;
    // A variable's default in the document is checked as well.
    refused(
        &app,
        t,
        "query($text: String = \"Eb\\u0000ba\") { cases(filter: { text: $text }) { totalCount } }",
        json!({}),
        "filter.text",
    )
    .await;
}
