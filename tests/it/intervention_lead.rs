//! The intervention lead (seed 003: "Udpegning af indsatsansvarlig for handling i barnets
//! forløb"): one active lead per case, in code and in the database; a deadline owed for
//! appointing one after acceptance; alerts routed to the lead where a rule says so.

use kit_entity::domain::enums::{ParticipantKind, ParticipantRole, Sector};
use kit_entity::entities::participant;
use kit_tests::harness::{Field, TestApp, key_of};
use kit_tests::world::{World, ops};
use sea_orm::ActiveModelTrait;
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};

const APPOINT: &str = r"
    mutation($case: ID!, $p: ID!) {
      assignInterventionLead(input: { caseId: $case, professionalId: $p }) {
        interventionLead { id role sector isActive professional { id } }
        replaced { id isActive endReason }
        case { participants { role professional { id } } }
      }
    }";
const DEADLINES: &str = r"
    query($id: ID!) { case(id: $id) { deadlines { ruleCode status dueAt metAt metOnTime nextAction nextActionAt responsible { id } } } }";

async fn lead_deadline(app: &TestApp, token: &str, case: &str) -> Value {
    app.gql(token, DEADLINES, json!({ "id": case }))
        .await
        .data()["case"]["deadlines"]
        .items()
        .iter()
        .find(|d| d["ruleCode"] == "intervention-lead")
        .cloned()
        .unwrap_or_else(|| panic!("no intervention-lead deadline on {case}"))
}

#[tokio::test]
async fn a_case_gets_one_intervention_lead_and_is_owed_one_within_ten_working_days() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    // Accepted on Monday 23 November 2026; the municipality's contact answers for the lead.
    let case = app.active_case(t, &w.municipality_a, "Ida").await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let d = lead_deadline(&app, t, &case).await;
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["dueAt"], "2026-12-08T00:00:00+01:00", "10 working days");
    assert_eq!(d["nextAction"], "REMINDER");
    assert_eq!(
        d["nextActionAt"], "2026-12-04T00:00:00+01:00",
        "2 working days ahead"
    );
    assert_eq!(d["responsible"]["id"], w.caseworker_a.gid.as_str());

    // PPR's psychologist is appointed by adding her in the role: the deadline is met.
    let add = |p: &str| json!({ "input": { "caseId": case, "role": "INTERVENTION_LEAD", "professionalId": p } });
    let r = app.gql(t, ops::ADD, add(&w.ppr_a.gid)).await;
    assert_eq!(
        r.data()["addParticipant"]["participant"]["role"],
        "INTERVENTION_LEAD"
    );
    let d = lead_deadline(&app, t, &case).await;
    assert_eq!(d["status"], "MET");
    assert_eq!(d["metOnTime"], true);

    // A second lead beside her is refused, naming the way to replace her.
    let r = app.gql(t, ops::ADD, add(&w.caseworker2_a.gid)).await;
    r.assert_error("CONFLICT", None);
    assert!(
        r.message().contains("assignInterventionLead"),
        "{}",
        r.message()
    );

    // Appointing another replaces her in one step; her period ends with the reason.
    let r = app
        .gql(
            t,
            APPOINT,
            json!({ "case": case, "p": w.caseworker2_a.gid }),
        )
        .await;
    let a = &r.data()["assignInterventionLead"];
    assert_eq!(
        a["interventionLead"]["professional"]["id"],
        w.caseworker2_a.gid.as_str()
    );
    assert_eq!(a["interventionLead"]["isActive"], true);
    assert_eq!(a["replaced"]["isActive"], false);
    assert!(
        a["replaced"]["endReason"]
            .str()
            .starts_with("Replaced as intervention lead by")
    );
    let leads = a["case"]["participants"]
        .items()
        .iter()
        .filter(|p| p["role"] == "INTERVENTION_LEAD")
        .count();
    assert_eq!(leads, 1, "only active participations are listed");

    // Appointing the current lead again changes nothing.
    let r = app
        .gql(
            t,
            APPOINT,
            json!({ "case": case, "p": w.caseworker2_a.gid }),
        )
        .await;
    assert_eq!(r.data()["assignInterventionLead"]["replaced"], Value::Null);
    // Someone unknown is a bad input naming the field.
    app.gql(
        t,
        APPOINT,
        json!({ "case": case, "p": kit_tests::world::global("Professional", 999_999) }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.professionalId"));
}

async fn start_meeting(app: &TestApp, token: &str, case: &str) -> Value {
    app.gql(token, DEADLINES, json!({ "id": case }))
        .await
        .data()["case"]["deadlines"]
        .items()
        .iter()
        .find(|d| d["ruleCode"] == "start-meeting")
        .cloned()
        .unwrap_or_else(|| panic!("no start-meeting deadline on {case}"))
}

#[tokio::test]
async fn a_rule_that_alerts_the_intervention_lead_names_whoever_holds_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let admin = &w.admin_a.token;
    // The municipality sends its start-meeting alerts to the intervention lead.
    let update = r"mutation($input: UpdateDeadlineRuleInput!) { updateDeadlineRule(input: $input) { rule { code version alertTo } } }";
    let r = app
        .gql(
            admin,
            update,
            json!({ "input": { "organizationId": w.municipality_a, "code": "start-meeting", "alertTo": "INTERVENTION_LEAD" } }),
        )
        .await;
    assert_eq!(
        r.data()["updateDeadlineRule"]["rule"]["alertTo"],
        "INTERVENTION_LEAD"
    );
    let case = app.active_case(t, &w.municipality_a, "Ole").await;
    // Nobody holds the role yet: nobody is named.
    assert_eq!(
        start_meeting(&app, t, &case).await["responsible"],
        Value::Null
    );
    let _ = app
        .gql(t, APPOINT, json!({ "case": case, "p": w.ppr_a.gid }))
        .await
        .data();
    assert_eq!(
        start_meeting(&app, t, &case).await["responsible"]["id"],
        w.ppr_a.gid.as_str()
    );
    let _ = app
        .gql(
            t,
            APPOINT,
            json!({ "case": case, "p": w.caseworker2_a.gid }),
        )
        .await
        .data();
    assert_eq!(
        start_meeting(&app, t, &case).await["responsible"]["id"],
        w.caseworker2_a.gid.as_str(),
        "the alerts follow the new lead"
    );
}

#[tokio::test]
async fn the_database_refuses_a_second_active_lead_even_without_the_code() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Asta")
        .await;
    let _ = app
        .gql(
            &w.intake_a.token,
            APPOINT,
            json!({ "case": case, "p": w.ppr_a.gid }),
        )
        .await
        .data();
    let second = participant::ActiveModel {
        case_id: Set(kit_entity::ids::CaseId(key_of(&case))),
        kind: Set(ParticipantKind::Professional),
        role: Set(ParticipantRole::InterventionLead),
        sector: Set(Sector::Municipality),
        professional_id: Set(Some(w.caseworker2_a.id)),
        active_from: Set(app.clock_now()),
        added_by_id: Set(w.intake_a.id),
        ..Default::default()
    }
    .insert(app.db())
    .await;
    let err = second.err().map(kit_entity::Error::from);
    assert!(
        err.is_some_and(|e| e.is_unique_violation()),
        "the unique index must refuse the row"
    );
}
