//! The single entry point's inbox: the municipality's waiting referrals, oldest first, with
//! how long each has waited and its intake deadlines; for the intake unit only.

use chrono::TimeDelta;
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops, referral};
use serde_json::json;

const INBOX: &str = r"query($m: ID!, $first: Int, $after: String) {
    inbox(municipalityId: $m, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { case { reference status child { name } } receivedAt waitedHours waitedDays
                intakeDeadlines { ruleCode status } } } }";

#[tokio::test]
async fn the_inbox_lists_waiting_referrals_oldest_first_for_the_intake_unit() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let now = app.clock_now();
    let at = |hours: i64| (now - TimeDelta::hours(hours)).to_rfc3339();
    let submit = |name: &str, hours: i64| {
        let mut input = referral(&w.municipality_a, name);
        input["receivedAt"] = json!(at(hours));
        let app = &app;
        async move { app.submit_referral(t, input).await }
    };
    let newest = submit("Nina Ny", 2).await;
    let oldest = submit("Olga Gammel", 50).await;
    let middle = submit("Mia Midt", 26).await;
    let accepted = submit("Alma Optaget", 80).await;
    // One in intake, one accepted (out of the inbox), one in another municipality.
    let _ = app
        .gql(t, ops::START_INTAKE, json!({ "id": middle }))
        .await
        .data();
    let _ = app
        .gql(t, ops::START_INTAKE, json!({ "id": accepted }))
        .await
        .data();
    let _ = app
        .gql(
            t,
            ops::DECIDE,
            json!({ "id": accepted, "decision": "ACCEPT" }),
        )
        .await
        .data();
    let _ = app
        .submit_referral(&w.intake_b.token, referral(&w.municipality_b, "Bo Anden"))
        .await;

    let r = app.gql(t, INBOX, json!({ "m": w.municipality_a })).await;
    let inbox = &r.data()["inbox"];
    assert_eq!(inbox["totalCount"], 3);
    let names: Vec<&str> = inbox["nodes"]
        .items()
        .iter()
        .map(|n| n["case"]["child"]["name"].str())
        .collect();
    assert_eq!(names, ["Olga Gammel", "Mia Midt", "Nina Ny"]);
    let first = &inbox["nodes"][0];
    assert_eq!(first["waitedHours"], 50);
    assert_eq!(first["waitedDays"], 2);
    assert_eq!(inbox["nodes"][1]["case"]["status"], "IN_INTAKE");
    // The oldest is past its 24-hour assessment; its decision is still open.
    let deadlines: Vec<(&str, &str)> = first["intakeDeadlines"]
        .items()
        .iter()
        .map(|d| (d["ruleCode"].str(), d["status"].str()))
        .collect();
    assert!(
        deadlines.contains(&("referral-assessment", "MISSED")),
        "{deadlines:?}"
    );
    assert!(
        deadlines.contains(&("intake-decision", "PENDING")),
        "{deadlines:?}"
    );
    let _ = (oldest, newest);

    // Page by page, in the same order.
    let r = app
        .gql(t, INBOX, json!({ "m": w.municipality_a, "first": 2 }))
        .await;
    let page = &r.data()["inbox"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let r = app
        .gql(
            t,
            INBOX,
            json!({ "m": w.municipality_a, "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &r.data()["inbox"];
    assert_eq!(rest["nodes"].items().len(), 1);
    assert_eq!(rest["nodes"][0]["case"]["child"]["name"], "Nina Ny");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // Only the intake unit works the inbox, and only its own.
    for (who, m) in [
        (&w.caseworker_a, &w.municipality_a),
        (&w.admin_a, &w.municipality_a),
        (&w.intake_b, &w.municipality_a),
        (&w.intake_a, &w.municipality_b),
    ] {
        app.gql(&who.token, INBOX, json!({ "m": m }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    app.gql(
        t,
        INBOX,
        json!({ "m": w.municipality_a, "after": "nonsense" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("after"));
}
