//! Every id the API hands out can be fetched again with `node(id:)` — by whoever may see the
//! object, under the same access decision as its case — and by nobody else: Relay refetches
//! through it, Apollo and urql normalize by it.

use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops};
use serde_json::{Value, json};

/// What the caseworker sees of the case and of their own, each object with its type and id.
const CASEWORKER: &str = r"query($case: ID!) {
  viewer { __typename id
    busyPeriods { __typename id }
    calendarFeeds { __typename id }
    notifications(first: 10) { nodes { __typename id } } }
  case(id: $case) { __typename id
    viewerAccess { __typename id }
    child { __typename id familyMembers { __typename id } }
    referral { __typename id }
    participants { __typename id }
    statusHistory { __typename id }
    meetings { __typename id
      agenda { __typename id }
      deliveries { __typename id }
      invitees { __typename id } }
    deadlines { __typename id }
    consents { __typename id }
    accessLog(first: 5) { nodes { __typename id } } }
}";

/// What the intake unit sees of its inbox.
const INTAKE: &str = r"query($municipality: ID!) {
  inbox(municipalityId: $municipality, first: 10) { nodes { __typename id } }
}";

/// What an administrator audits.
const ADMINISTRATOR: &str = r"query($municipality: ID!, $professional: ID!) {
  organization: node(id: $municipality) { __typename id
    ... on Organization { accessChanges(first: 5) { nodes { __typename id } } } }
  professional: node(id: $professional) { __typename id
    ... on Professional { accessLog(first: 5) { nodes { __typename id } } } }
}";

/// Every `{__typename, id}` object in `value`.
fn objects(value: &Value, into: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(t)), Some(Value::String(id))) =
                (map.get("__typename"), map.get("id"))
            {
                into.push((t.clone(), id.clone()));
            }
            for v in map.values() {
                objects(v, into);
            }
        }
        Value::Array(items) => {
            for v in items {
                objects(v, into);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_id_handed_out_is_fetched_again_by_node_and_only_by_those_who_may_see_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = crate::frontend::a_case_with_everyone(&app, &w).await;
    let ct = &w.caseworker_a.token;
    // An agenda item, a busy period, a calendar feed, a waiting referral.
    let meeting = app
        .gql(
            ct,
            "query($id: ID!) { case(id: $id) { meetings { id } } }",
            json!({ "id": case }),
        )
        .await
        .data()["case"]["meetings"][0]["id"]
        .clone();
    for (mutation, input) in [
        (
            "mutation($input: AddAgendaItemInput!) { addAgendaItem(input: $input) { __typename } }",
            json!({ "meetingId": meeting, "title": "Skolen", "closed": true }),
        ),
        (
            "mutation($input: AddBusyPeriodInput!) { addBusyPeriod(input: $input) { __typename } }",
            json!({ "startsAt": "2026-12-14T09:00:00+01:00", "endsAt": "2026-12-14T12:00:00+01:00" }),
        ),
        (
            "mutation($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) { __typename } }",
            json!({}),
        ),
    ] {
        let _ = app
            .gql(ct, mutation, json!({ "input": input }))
            .await
            .data();
    }
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::SUBMIT,
            json!({ "input": kit_tests::world::referral(&w.municipality_a, "Venter Endnu") }),
        )
        .await
        .data();

    let variables = json!({ "case": case, "municipality": w.municipality_a,
        "professional": w.caseworker_a.gid });
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for (who, token, query) in [
        ("caseworker", ct, CASEWORKER),
        ("intake", &w.intake_a.token, INTAKE),
        ("administrator", &w.admin_a.token, ADMINISTRATOR),
    ] {
        let r = app.gql(token, query, variables.clone()).await;
        let mut found = Vec::new();
        objects(&r.body["data"], &mut found);
        seen.extend(found.into_iter().map(|(t, id)| (who.to_owned(), t, id)));
    }
    let types: std::collections::BTreeSet<&str> = seen.iter().map(|(_, t, _)| t.as_str()).collect();
    for expected in [
        "Viewer",
        "BusyPeriod",
        "CalendarFeed",
        "Case",
        "ViewerAccess",
        "Child",
        "FamilyMember",
        "Referral",
        "Participant",
        "CaseStatusChange",
        "Meeting",
        "AgendaItem",
        "Delivery",
        "MeetingInvitee",
        "Deadline",
        "AccessLogEntry",
        "InboxEntry",
        "Organization",
        "AccessChange",
        "Professional",
    ] {
        assert!(types.contains(expected), "no {expected} among {types:?}");
    }
    let node = "query($id: ID!) { node(id: $id) { __typename id } }";
    let token_of = |who: &str| match who {
        "caseworker" => ct.clone(),
        "intake" => w.intake_a.token.clone(),
        _ => w.admin_a.token.clone(),
    };
    for (who, type_name, id) in &seen {
        let r = app.gql(&token_of(who), node, json!({ "id": id })).await;
        assert_eq!(
            r.body["data"]["node"],
            json!({ "__typename": type_name, "id": id }),
            "{who} refetches their {type_name}: {}",
            r.body
        );
        // Another municipality's caseworker learns nothing of it, but for the directory.
        if !matches!(type_name.as_str(), "Organization" | "Professional") {
            let r = app
                .gql(&w.caseworker_b.token, node, json!({ "id": id }))
                .await;
            assert_eq!(
                r.body["data"],
                json!({ "node": null }),
                "{type_name}: {}",
                r.body
            );
            assert_eq!(r.code(), Some("NOT_FOUND"), "{type_name}");
        }
    }
}
