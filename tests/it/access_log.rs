//! The access log: every read of a child's data is written — who, which case, what, when, on
//! what basis, through which operation — and no data leaves unlogged.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops, referral};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const LOG: &str = r"
    query($id: ID!) {
      case(id: $id) {
        accessLog(first: 100) {
          totalCount
          nodes { readAt basis what operation requestId clientRequestId professional { name } }
        }
      }
    }";

async fn log_of(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    app.gql(token, LOG, json!({ "id": case })).await.data()["case"]["accessLog"]["nodes"]
        .items()
        .to_vec()
}

/// Posts `query` as `token` with our own request id.
async fn with_request_id(app: &TestApp, token: &str, query: &str, vars: Value, id: &str) -> Value {
    reqwest::Client::new()
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("x-request-id", id)
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn every_read_of_a_childs_data_is_logged_before_it_is_served() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let mut input = referral(&w.municipality_a, "Ida Hansen");
    input["child"]["cpr"] = json!("030514-4321");
    input["familyMembers"] =
        json!([{ "name": "Lone Hansen", "relation": "MOTHER", "hasCustody": true }]);
    let case = app.active_case_of(t, input).await;
    let _ = app
        .gql(t, ops::ASSIGN, json!({ "case": case, "p": w.ppr_a.gid }))
        .await
        .data();
    let before = log_of(&app, t, &case).await.len();

    // The responsible contact reads the child in full: name, CPR, family, referral.
    let view = r"
        query CaseView($id: ID!) {
          case(id: $id) { reference child { name cpr familyMembers { name } } referral { reason } }
        }";
    let body = with_request_id(
        &app,
        &w.ppr_a.token,
        view,
        json!({ "id": case }),
        "req-ppr-1",
    )
    .await;
    assert_eq!(
        body["data"]["case"]["child"]["cpr"], "030514-4321",
        "{body}"
    );
    // The intake unit lists its cases, anonymously.
    let list = r"{ cases(first: 10) { nodes { reference child { name } } } }";
    let r = app.gql(t, list, json!({})).await;
    assert_eq!(r.data()["cases"]["nodes"][0]["child"]["name"], "Ida Hansen");
    // The leader of PPR sees the case because a member of PPR takes part.
    let r = app
        .gql(
            &w.ppr_leader_a.token,
            "query($id: ID!) { case(id: $id) { child { name cpr } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(r.data()["case"]["child"]["name"], "Ida Hansen");
    // Someone without a reason sees nothing, and nothing is logged for them.
    let r = app
        .gql(
            &w.caseworker_b.token,
            "query($id: ID!) { case(id: $id) { child { name } } }",
            json!({ "id": case }),
        )
        .await;
    r.assert_error("NOT_FOUND", None);
    // A case's reference and status are not the child's data: not logged.
    let r = app
        .gql(
            &w.ppr_a.token,
            "query($id: ID!) { case(id: $id) { reference status } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(r.data()["case"]["status"], "ACTIVE");

    let log = log_of(&app, t, &case).await;
    assert_eq!(log.len(), before + 3, "{log:#?}");
    let (leader, intake, contact) = (&log[0], &log[1], &log[2]);
    assert_eq!(contact["professional"]["name"], "ppr a");
    assert_eq!(contact["basis"], "PARTICIPANT");
    assert_eq!(
        contact["what"],
        json!(["CHILD", "CPR", "FAMILY", "REFERRAL"])
    );
    assert_eq!(contact["operation"], "CaseView(case)");
    // The request id is the server's own; what the client sent is kept beside it, marked.
    let server_id = contact["requestId"].str();
    assert!(uuid::Uuid::parse_str(server_id).is_ok(), "{contact}");
    assert_eq!(contact["clientRequestId"], "req-ppr-1");
    assert_eq!(intake["clientRequestId"], Value::Null);
    assert_eq!(contact["readAt"], "2026-11-23T09:00:00+01:00");
    assert_eq!(intake["professional"]["name"], "intake a");
    assert_eq!(intake["basis"], "INTAKE_UNIT");
    assert_eq!(intake["what"], json!(["CHILD"]));
    assert_eq!(intake["operation"], "anonymous(cases)");
    assert!(!intake["requestId"].str().is_empty(), "{intake}");
    assert_eq!(leader["basis"], "UNIT_LEADER");
    assert_eq!(
        leader["what"],
        json!(["CHILD"]),
        "a masked CPR is not a read of it"
    );

    // Reaching the child by its own id is a read as well.
    let child = r"query($id: ID!) { case(id: $id) { child { id } } }";
    let child_id =
        app.gql(t, child, json!({ "id": case })).await.data()["case"]["child"]["id"].clone();
    let node = r"query($id: ID!) { node(id: $id) { ... on Child { name } } }";
    let r = app
        .gql(&w.ppr_a.token, node, json!({ "id": child_id }))
        .await;
    assert_eq!(r.data()["node"]["name"], "Ida Hansen");
    let log = log_of(&app, t, &case).await;
    assert_eq!(log[0]["professional"]["name"], "ppr a");
    assert_eq!(log[0]["what"], json!(["CHILD"]));
    assert_eq!(log[0]["operation"], "anonymous(node)");

    // Only those who manage the case read its log: for anyone else it is null.
    let r = app
        .gql(&w.ppr_leader_a.token, LOG, json!({ "id": case }))
        .await;
    r.assert_withheld("/data/case/accessLog");

    // A professional's reads: for the administrators of their organization and for themselves.
    let audit = r"query($id: ID!) { node(id: $id) { ... on Professional {
        accessLog(first: 100) { totalCount nodes { caseReference case { id } what operation } } } } }";
    let r = app
        .gql(&w.admin_a.token, audit, json!({ "id": w.ppr_a.gid }))
        .await;
    let entries = r.data()["node"]["accessLog"]["nodes"].clone();
    assert_eq!(entries[0]["what"], json!(["CHILD"]));
    assert_eq!(entries[0]["operation"], "anonymous(node)");
    assert_eq!(
        entries[1]["what"],
        json!(["CHILD", "CPR", "FAMILY", "REFERRAL"])
    );
    let reference = body["data"]["case"]["reference"].clone();
    assert_eq!(entries[0]["caseReference"], reference);
    assert_eq!(
        entries[0]["case"],
        Value::Null,
        "an administrator sees no cases"
    );
    let r = app
        .gql(&w.ppr_a.token, audit, json!({ "id": w.ppr_a.gid }))
        .await;
    assert_eq!(
        r.data()["node"]["accessLog"]["nodes"][0]["case"]["id"],
        case.as_str()
    );
    for outsider in [&w.caseworker_b.token, &w.intake_a.token] {
        let r = app.gql(outsider, audit, json!({ "id": w.ppr_a.gid })).await;
        r.assert_withheld("/data/node/accessLog");
    }
}

#[tokio::test]
async fn nothing_is_served_when_the_read_cannot_be_logged() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Ella").await;
    // The log refuses every write from now on.
    let refuse = if app.database.is_postgres() {
        "ALTER TABLE access_log ADD CONSTRAINT ck_refuse CHECK (id < 0) NOT VALID"
    } else {
        "CREATE TRIGGER refuse BEFORE INSERT ON access_log BEGIN SELECT RAISE(ABORT, 'refused'); END"
    };
    app.db()
        .execute_unprepared(refuse)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { reference child { name } } }",
            json!({ "id": case }),
        )
        .await;
    r.assert_error("INTERNAL", None);
    assert_eq!(r.body["data"], Value::Null, "{}", r.body);
    assert!(!r.body.to_string().contains("Ella"), "{}", r.body);
    // What is not the child's data is still served.
    let r = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { reference } }",
            json!({ "id": case }),
        )
        .await;
    assert!(r.data()["case"]["reference"].is_string());
}
