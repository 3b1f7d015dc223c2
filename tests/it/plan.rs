//! One plan per case, versioned: each held start, network, follow-up or closing meeting
//! writes a new version from its minutes — wishes, prioritised challenges and resources, the
//! agreements with their status then — and old versions stay as they were.

use chrono::{DateTime, Utc};
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};

const SCHEDULE: &str = r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { status } } }";
const HELD: &str = r"mutation($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) { meeting { status } } }";
const PLAN: &str = r"query($id: ID!) { case(id: $id) {
    plan { version }
    planVersions { version meeting { kind } childWishes familyWishes
        challenges { text priority closed } resources { text priority }
        agreements { status agreement { description status deadline { status } } } } } }";

async fn meeting(app: &TestApp, token: &str, case: &str, kind: &str, at: &str) -> String {
    let input = json!({ "caseId": case, "kind": kind, "invitees": [], "durationMinutes": 60,
        "latest": "2032-12-31T16:00:00+01:00" });
    let r = app
        .gql(token, crate::meetings::REQUEST, json!({ "input": input }))
        .await;
    let id = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    let r = app
        .gql(token, SCHEDULE, json!({ "id": id, "at": at }))
        .await;
    assert_eq!(
        r.data()["scheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    id
}

pub(crate) async fn held(
    app: &TestApp,
    token: &str,
    id: &str,
    after: &str,
    plan: Value,
) -> kit_tests::harness::Gql {
    let at = DateTime::parse_from_rfc3339(after)
        .unwrap_or_else(|e| panic!("{after}: {e}"))
        .with_timezone(&Utc);
    app.clock.set(at);
    let mut input = json!({ "meetingId": id, "minutes": "Aftaler noteret." });
    if !plan.is_null() {
        input["plan"] = plan;
    }
    app.gql(token, HELD, json!({ "input": input })).await
}

#[tokio::test]
async fn each_held_meeting_writes_a_version_and_old_versions_stay_as_they_were() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let case = app.active_case(t, &w.municipality_a, "Liva Munk").await;
    let r = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await;
    let contact = r.data()["assignResponsibleContact"]["responsibleContact"]["id"].clone();
    let r = app.gql(ct, PLAN, json!({ "id": case })).await;
    assert_eq!(
        r.data()["case"]["plan"],
        Value::Null,
        "no plan before the first meeting"
    );

    // The start meeting: wishes, two challenges in order, a resource, two agreements.
    let start = meeting(&app, ct, &case, "START", "2026-11-30T10:00:00+01:00").await;
    let r = held(
        &app,
        ct,
        &start,
        "2026-11-30T11:00:00+01:00",
        json!({
            "childWishes": "Liva vil gerne i skole hver dag",
            "familyWishes": "Forældrene ønsker hjælp til morgenerne",
            "challenges": [
                { "text": "Skolefravær" },
                { "text": "Angst om aftenen", "closed": true }
            ],
            "resources": [{ "text": "Stærk relation til klasselæreren" }],
            "agreements": [
                { "description": "Skolen laver en mødeplan", "ownerId": contact, "dueOn": "2026-12-14" },
                { "description": "PPR observerer i klassen", "ownerId": contact, "dueOn": "2026-12-21" }
            ]
        }),
    )
    .await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
    let r = app.gql(ct, PLAN, json!({ "id": case })).await;
    let plan = &r.data()["case"];
    assert_eq!(plan["plan"]["version"], 1);
    let first = &plan["planVersions"][0];
    assert_eq!(first["meeting"]["kind"], "START");
    assert_eq!(first["childWishes"], "Liva vil gerne i skole hver dag");
    let challenges: Vec<(&str, i64)> = first["challenges"]
        .items()
        .iter()
        .map(|c| (c["text"].str(), c["priority"].i64()))
        .collect();
    assert_eq!(challenges, [("Skolefravær", 1), ("Angst om aftenen", 2)]);
    let agreements = first["agreements"].items();
    assert_eq!(agreements.len(), 2);
    assert!(
        agreements
            .iter()
            .all(|a| a["status"] == "OPEN" && a["agreement"]["deadline"]["status"] == "PENDING")
    );
    let ids: Vec<Value> = {
        let r = app
            .gql(
                ct,
                "query($id: ID!) { case(id: $id) { agreements { id description } } }",
                json!({ "id": case }),
            )
            .await;
        r.data()["case"]["agreements"]
            .items()
            .iter()
            .map(|a| a["id"].clone())
            .collect()
    };

    // Between meetings one agreement is carried out and one dropped.
    let _ = app
        .gql(ct, "mutation($id: ID!) { completeAgreement(input: { agreementId: $id }) { agreement { status } } }", json!({ "id": ids[0] }))
        .await
        .data();
    let _ = app
        .gql(ct, r#"mutation($id: ID!) { cancelAgreement(input: { agreementId: $id, reason: "Ikke længere nødvendigt" }) { agreement { status } } }"#, json!({ "id": ids[1] }))
        .await
        .data();

    // The follow-up: new challenges and an agreement; wishes carried over.
    let follow = meeting(&app, ct, &case, "FOLLOW_UP", "2027-01-11T10:00:00+01:00").await;
    let _ = held(
        &app,
        ct,
        &follow,
        "2027-01-11T11:00:00+01:00",
        json!({
            "challenges": [{ "text": "Fravær om mandagen" }],
            "agreements": [
                { "description": "Mandagsaftale med klasselæreren", "ownerId": contact, "dueOn": "2027-01-25" }
            ]
        }),
    )
    .await
    .data();
    let r = app.gql(ct, PLAN, json!({ "id": case })).await;
    let plan = &r.data()["case"];
    assert_eq!(plan["plan"]["version"], 2);
    let (first, second) = (&plan["planVersions"][0], &plan["planVersions"][1]);
    // The first version is as it was written.
    assert_eq!(first["challenges"].items().len(), 2);
    let statuses = |v: &Value| -> Vec<String> {
        v["agreements"]
            .items()
            .iter()
            .map(|a| a["status"].str().to_owned())
            .collect()
    };
    assert_eq!(statuses(first), ["OPEN", "OPEN"]);
    assert_eq!(statuses(second), ["DONE", "CANCELLED", "OPEN"]);
    assert_eq!(second["childWishes"], "Liva vil gerne i skole hver dag");
    assert_eq!(second["challenges"][0]["text"], "Fravær om mandagen");
    assert_eq!(
        second["resources"][0]["text"],
        "Stærk relation til klasselæreren"
    );
    assert_eq!(
        second["agreements"][2]["agreement"]["deadline"]["status"], "PENDING",
        "the new agreement holds its owner to the date"
    );

    // A version is a node: fetched by its id as it was written, by those who see the case.
    let r = app
        .gql(
            ct,
            "query($id: ID!) { case(id: $id) { planVersions { id } } }",
            json!({ "id": case }),
        )
        .await;
    let first_id = r.data()["case"]["planVersions"][0]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { ... on PlanVersion { version agreements { status } case { id } } } }";
    let r = app.gql(ct, node, json!({ "id": first_id })).await;
    assert_eq!(r.data()["node"]["version"], 1);
    assert_eq!(r.data()["node"]["case"]["id"], case.as_str());
    app.gql(&w.caseworker_b.token, node, json!({ "id": first_id }))
        .await
        .assert_error("NOT_FOUND", Some("id"));

    // A coordination meeting writes no plan; plan content for it is refused, naming the field.
    let committee = meeting(&app, t, &case, "COORDINATION", "2027-02-01T10:00:00+01:00").await;
    held(
        &app,
        t,
        &committee,
        "2027-02-01T11:00:00+01:00",
        json!({ "childWishes": "x" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.plan"));
    // A bad agreement names its place in the plan.
    let closing = meeting(&app, ct, &case, "CLOSING", "2027-02-08T10:00:00+01:00").await;
    held(
        &app,
        ct,
        &closing,
        "2027-02-08T11:00:00+01:00",
        json!({ "agreements": [{ "description": " ", "ownerId": contact, "dueOn": "2027-03-01" }] }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.plan.agreements.0.description"));
}
