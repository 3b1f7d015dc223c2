//! Standard templates (seeds 000/001: "vejledninger og standardiserede skabeloner"): an
//! organization's agenda for each meeting kind, its status note and its plan; a meeting
//! starts from its kind's agenda, whose items are edited and reordered until it is held; the
//! minutes are written per agenda item and the plan's agreements name the item they were
//! agreed under.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};

const TEMPLATES: &str = r"query($id: ID!) { node(id: $id) { ... on Organization {
    templates { kind meetingKind isDefault version outline updatedBy { id }
      items { title guidance closed } } } } }";
const SET: &str = r"mutation($input: SetTemplateInput!) { setTemplate(input: $input) {
    template { kind meetingKind isDefault version items { title closed } } } }";
const RESET: &str = r"mutation($input: ResetTemplateInput!) { resetTemplate(input: $input) {
    template { isDefault version items { title } } } }";
const AGENDA: &str = r"query($id: ID!) { meeting(id: $id) { status minutes
    agenda { id title position closed guidance minutes agreements { description agendaItem { title } } } } }";
const REORDER: &str = r"mutation($input: ReorderAgendaInput!) { reorderAgenda(input: $input) {
    meeting { agenda { title position } } } }";
const UPDATE: &str = r"mutation($input: UpdateAgendaItemInput!) { updateAgendaItem(input: $input) {
    agendaItem { title closed guidance } } }";
const REMOVE: &str =
    r"mutation($id: ID!) { removeAgendaItem(input: { agendaItemId: $id }) { meeting { id } } }";
const HELD: &str = r"mutation($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) {
    meeting { status minutes } } }";
const SCHEDULE: &str = r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { status } } }";
const ADD_DOCUMENT: &str =
    r"mutation($input: AddDocumentInput!) { addDocument(input: $input) { document { text } } }";

fn titles(agenda: &Value) -> Vec<&str> {
    agenda.items().iter().map(|a| a["title"].str()).collect()
}

async fn agenda(app: &TestApp, token: &str, meeting: &str) -> Value {
    app.gql(token, AGENDA, json!({ "id": meeting }))
        .await
        .data()["meeting"]
        .clone()
}

#[tokio::test]
async fn a_meeting_starts_from_its_organizations_template_and_its_minutes_follow_the_agenda() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (t, ct, admin) = (&w.intake_a.token, &w.caseworker_a.token, &w.admin_a.token);

    // Every organization has the product's defaults until its administrators set their own.
    let r = app
        .gql(ct, TEMPLATES, json!({ "id": w.municipality_a }))
        .await;
    let all = r.data()["node"]["templates"].items().to_vec();
    assert_eq!(
        all.len(),
        9,
        "seven meeting kinds' agendas, the status note, the plan"
    );
    assert!(
        all.iter()
            .all(|t| t["isDefault"] == true && t["version"] == 0)
    );
    let start = all
        .iter()
        .find(|t| t["meetingKind"] == "START")
        .cloned()
        .unwrap_or_default();
    assert_eq!(start["items"][0]["title"], "Velkomst, formål og rammer");
    let note = all
        .iter()
        .find(|t| t["kind"] == "STATUS_NOTE")
        .cloned()
        .unwrap_or_default();
    assert!(note["outline"].str().starts_with("## Baggrund\n"));

    // Only its administrators set them; each item's title once; an agenda names its kind.
    let network = |items: Value| {
        json!({ "input": { "organizationId": w.municipality_a, "kind": "AGENDA",
            "meetingKind": "NETWORK", "items": items } })
    };
    let items = json!([
        { "title": "Siden sidst", "guidance": "Status på aftalerne." },
        { "title": "Sektorernes viden", "closed": true },
        { "title": "Fælles plan" }
    ]);
    app.gql(ct, SET, network(items.clone()))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(
        admin,
        SET,
        network(json!([{ "title": "Plan" }, { "title": "PLAN" }])),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.items.1.title"));
    app.gql(
        admin,
        SET,
        json!({ "input": { "organizationId": w.municipality_a, "kind": "AGENDA", "items": items } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.meetingKind"));
    let r = app.gql(admin, SET, network(items.clone())).await;
    let set = &r.data()["setTemplate"]["template"];
    assert_eq!(set["isDefault"], false);
    assert_eq!(set["version"], 1);

    // A network meeting starts from it.
    let case = app.active_case(t, &w.municipality_a, "Liva Munk").await;
    let r = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await;
    let contact = r.data()["assignResponsibleContact"]["responsibleContact"]["id"].clone();
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60,
        "latest": "2027-06-30T16:00:00+02:00" });
    let r = app
        .gql(ct, crate::meetings::REQUEST, json!({ "input": input }))
        .await;
    let meeting = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    let m = agenda(&app, ct, &meeting).await;
    assert_eq!(
        titles(&m["agenda"]),
        ["Siden sidst", "Sektorernes viden", "Fælles plan"]
    );
    assert_eq!(m["agenda"][0]["guidance"], "Status på aftalerne.");
    assert_eq!(m["agenda"][1]["closed"], true);
    let ids: Vec<Value> = m["agenda"]
        .items()
        .iter()
        .map(|a| a["id"].clone())
        .collect();

    // Until it is held, its items are reordered and edited.
    app.gql(
        ct,
        REORDER,
        json!({ "input": { "meetingId": meeting, "agendaItemIds": [ids[2], ids[0]] } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.agendaItemIds"));
    let r = app
        .gql(
            ct,
            REORDER,
            json!({ "input": { "meetingId": meeting, "agendaItemIds": [ids[2], ids[0], ids[1]] } }),
        )
        .await;
    let reordered = &r.data()["reorderAgenda"]["meeting"]["agenda"];
    assert_eq!(
        titles(reordered),
        ["Fælles plan", "Siden sidst", "Sektorernes viden"]
    );
    let positions: Vec<i64> = reordered
        .items()
        .iter()
        .map(|a| a["position"].i64())
        .collect();
    assert_eq!(positions, [1, 2, 3]);
    let r = app
        .gql(
            ct,
            UPDATE,
            json!({ "input": { "agendaItemId": ids[2], "title": "Den fælles plan", "guidance": null } }),
        )
        .await;
    assert_eq!(
        r.data()["updateAgendaItem"]["agendaItem"],
        json!({ "title": "Den fælles plan", "closed": false, "guidance": null })
    );

    // Held: neither minutes nor item minutes is refused; the minutes per item make the
    // meeting's minutes (the closed item's stay on the item) and the plan's agreements name
    // the item they were agreed under.
    let r = app
        .gql(
            ct,
            SCHEDULE,
            json!({ "id": meeting, "at": "2026-12-10T10:00:00+01:00" }),
        )
        .await;
    assert_eq!(
        r.data()["scheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-10T11:30:00+01:00")
            .unwrap_or_else(|e| panic!("{e}"))
            .with_timezone(&chrono::Utc),
    );
    app.gql(ct, HELD, json!({ "input": { "meetingId": meeting } }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.minutes"));
    let r = app
        .gql(
            ct,
            HELD,
            json!({ "input": { "meetingId": meeting,
                "agendaMinutes": [
                    { "agendaItemId": ids[1], "minutes": "Skolen og PPR delte deres notater." },
                    { "agendaItemId": ids[2], "minutes": "Morgenplan aftalt med familien." }
                ],
                "plan": { "agreements": [
                    { "description": "Skolen laver en morgenplan", "ownerId": contact,
                      "dueOn": "2027-01-08", "agendaItemId": ids[2] }
                ] } } }),
        )
        .await;
    let held = &r.data()["recordMeetingHeld"]["meeting"];
    assert_eq!(held["status"], "HELD");
    assert_eq!(
        held["minutes"],
        "1. Den fælles plan\nMorgenplan aftalt med familien."
    );
    let m = agenda(&app, ct, &meeting).await;
    assert_eq!(m["agenda"][0]["minutes"], "Morgenplan aftalt med familien.");
    assert_eq!(
        m["agenda"][0]["agreements"],
        json!([{ "description": "Skolen laver en morgenplan", "agendaItem": { "title": "Den fælles plan" } }])
    );
    assert_eq!(
        m["agenda"][2]["minutes"],
        "Skolen og PPR delte deres notater."
    );

    // Once held, the agenda is history.
    app.gql(
        ct,
        UPDATE,
        json!({ "input": { "agendaItemId": ids[0], "title": "Ændret" } }),
    )
    .await
    .assert_error("CONFLICT", None);
    app.gql(
        ct,
        REORDER,
        json!({ "input": { "meetingId": meeting, "agendaItemIds": [ids[0], ids[1], ids[2]] } }),
    )
    .await
    .assert_error("CONFLICT", None);
    app.gql(ct, REMOVE, json!({ "id": ids[0] }))
        .await
        .assert_error("CONFLICT", None);

    // A status note written without text begins as the status-note template.
    let r = app
        .gql(
            ct,
            ADD_DOCUMENT,
            json!({ "input": { "caseId": case, "kind": "STATUS_NOTE", "title": "Statusnotat" } }),
        )
        .await;
    assert!(
        r.data()["addDocument"]["document"]["text"]
            .str()
            .starts_with("## Baggrund\nHvorfor barnet er kendt af sektoren.\n")
    );

    // Reset: back to the product's default.
    let r = app
        .gql(
            admin,
            RESET,
            json!({ "input": { "organizationId": w.municipality_a, "kind": "AGENDA", "meetingKind": "NETWORK" } }),
        )
        .await;
    let reset = &r.data()["resetTemplate"]["template"];
    assert_eq!(reset["isDefault"], true);
    assert_eq!(reset["version"], 0);
    assert_eq!(reset["items"][0]["title"], "Siden sidst");
}
