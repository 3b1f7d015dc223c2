//! Back to the municipality (seed 002: "fra at være i kommunen til at komme i psykiatrien og
//! tilbage til kommunen igen"): child psychiatry records the discharge day; the hand-back
//! meeting with the municipality's contact is requested and scheduled before it, a deadline
//! holds psychiatry to it, and the plan carries the municipality's agreements for after the
//! discharge.

use kit_tests::harness::{Field, PATIENCE};
use serde_json::json;

use crate::meetings::setup;

const RECORD: &str = r"
    mutation($input: RecordDischargeInput!) {
      recordDischarge(input: $input) {
        discharge { id plannedOn planned note recordedBy { id }
          handBackMeeting { id kind status latest organizer { id }
            invitees { requirement participant { id role } } }
          deadline { ruleCode status dueAt nextAction nextActionAt responsible { id } } }
      }
    }";
const CANCEL: &str = r"
    mutation($id: ID!, $reason: String!) {
      cancelDischarge(input: { dischargeId: $id, reason: $reason }) {
        discharge { planned cancelledAt cancelReason handBackMeeting { status }
          deadline { status } }
      }
    }";
const DISCHARGES: &str = r"
    query($id: ID!) { case(id: $id) { discharges {
      id plannedOn planned cancelledAt
      handBackMeeting { id status }
      deadline { status metOnTime }
      agreementsAfter { description dueOn owner { id } afterDischarge { id } } } } }";
const AGREE: &str = r"
    mutation($input: AddAgreementInput!) { addAgreement(input: $input) { agreement { id afterDischarge { id plannedOn } } } }";
const HELD: &str = r"
    mutation($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) { meeting { status } } }";

#[tokio::test]
async fn psychiatry_hands_the_child_back_to_the_municipality_before_the_discharge() {
    let s = setup(|_| {}).await;
    let (app, w) = (&s.app, &s.w);
    let pt = &w.psychiatrist.token;
    let ct = &w.caseworker_a.token;
    let record = |on: &str| {
        json!({ "input": { "caseId": s.case, "plannedOn": on,
            "note": "Medicinen er indstillet; skolen kender planen for de første uger." } })
    };

    // Only child psychiatry records a discharge; the day lies after today.
    app.gql(ct, RECORD, record("2026-12-18"))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(pt, RECORD, record("2026-11-23"))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.plannedOn"));

    // Friday 18 December: the hand-back meeting is requested before the day, organized by
    // psychiatry's contact, with the municipality's contact and the guardian required.
    let r = app.gql(pt, RECORD, record("2026-12-18")).await;
    let d = r.data()["recordDischarge"]["discharge"].clone();
    assert_eq!(d["plannedOn"], "2026-12-18");
    assert_eq!(d["planned"], true);
    assert_eq!(d["recordedBy"]["id"], w.psychiatrist.gid.as_str());
    let m = &d["handBackMeeting"];
    assert_eq!(m["kind"], "HAND_BACK");
    assert_eq!(m["latest"], "2026-12-18T00:00:00+01:00");
    assert_eq!(m["organizer"]["id"], s.psychiatrist.as_str());
    let required = |id: &str| {
        m["invitees"]
            .items()
            .iter()
            .any(|i| i["participant"]["id"] == id && i["requirement"] == "REQUIRED")
    };
    assert!(required(&s.contact), "{m:#}");
    assert!(required(&s.psychiatrist), "{m:#}");
    assert!(required(&s.guardian), "{m:#}");
    let deadline = &d["deadline"];
    assert_eq!(deadline["ruleCode"], "hand-back-meeting");
    assert_eq!(deadline["status"], "PENDING");
    assert_eq!(deadline["dueAt"], "2026-12-18T00:00:00+01:00");
    assert_eq!(deadline["nextAction"], "REMINDER");
    assert_eq!(deadline["nextActionAt"], "2026-12-11T00:00:00+01:00");
    assert_eq!(deadline["responsible"]["id"], w.psychiatrist.gid.as_str());
    let discharge = d["id"].str().to_owned();
    let meeting = m["id"].str().to_owned();

    // One planned discharge at a time.
    let r = app.gql(pt, RECORD, record("2027-01-08")).await;
    r.assert_error("CONFLICT", None);
    assert!(r.message().contains("2026-12-18"), "{}", r.message());

    // The worker finds a time before the day; everyone invited gets the invitation.
    let scheduled = s.wait_status(&meeting, "SCHEDULED").await;
    let starts = scheduled["startsAt"].str();
    assert!(starts < "2026-12-18", "held before the discharge: {starts}");
    let sent = s.sink.wait_for(4, PATIENCE).await;
    let to: Vec<&str> = sent
        .iter()
        .flat_map(|m| m.rcpt_to.iter())
        .map(String::as_str)
        .collect();
    for who in [
        "caseworker.a@kit.test",
        "psychiatrist@kit.test",
        "lone@example.dk",
    ] {
        assert!(to.contains(&who), "{who} not invited: {to:?}");
    }

    // The municipality plans its part after the discharge: its own owner, from the day.
    let agree = |owner: &str, due: &str| {
        json!({ "input": { "caseId": s.case, "description": "Skolen genoptager fuld skemadag",
            "ownerId": owner, "dueOn": due, "afterDischargeId": discharge } })
    };
    app.gql(ct, AGREE, agree(&s.psychiatrist, "2027-01-08"))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.ownerId"));
    app.gql(ct, AGREE, agree(&s.contact, "2026-12-10"))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.dueOn"));
    let r = app.gql(ct, AGREE, agree(&s.contact, "2027-01-08")).await;
    let a = &r.data()["addAgreement"]["agreement"];
    assert_eq!(a["afterDischarge"]["id"], discharge.as_str());
    assert_eq!(a["afterDischarge"]["plannedOn"], "2026-12-18");

    // The hand-back meeting is held: its minutes write the plan; what the municipality takes
    // on from the day joins the agreements after the discharge, psychiatry's own does not.
    let after_end = chrono::DateTime::parse_from_rfc3339(scheduled["endsAt"].str())
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&chrono::Utc)
        + chrono::TimeDelta::minutes(5);
    app.clock.set(after_end);
    let r = app
        .gql(
            ct,
            HELD,
            json!({ "input": { "meetingId": meeting, "minutes": "Overlevering gennemgået.",
                "plan": { "agreements": [
                    { "description": "Familieafdelingen følger op hjemme", "ownerId": s.contact, "dueOn": "2027-01-15" },
                    { "description": "Ambulant kontrol i psykiatrien", "ownerId": s.psychiatrist, "dueOn": "2027-01-22" }
                ] } } }),
        )
        .await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
    let r = app.gql(ct, DISCHARGES, json!({ "id": s.case })).await;
    let list = r.data()["case"]["discharges"].items();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["deadline"]["status"], "MET");
    assert_eq!(list[0]["deadline"]["metOnTime"], true);
    let after: Vec<&str> = list[0]["agreementsAfter"]
        .items()
        .iter()
        .map(|a| a["description"].str())
        .collect();
    assert_eq!(
        after,
        [
            "Skolen genoptager fuld skemadag",
            "Familieafdelingen følger op hjemme"
        ]
    );

    // After the day, the discharge is past and cannot be called off; a later admission's
    // discharge can be planned and called off, which cancels its meeting and deadline.
    app.clock.set(after_end + chrono::TimeDelta::days(30));
    let r = app
        .gql(pt, CANCEL, json!({ "id": discharge, "reason": "Fejl" }))
        .await;
    r.assert_error("CONFLICT", None);
    let r = app.gql(pt, RECORD, record("2027-02-26")).await;
    let second = r.data()["recordDischarge"]["discharge"]["id"]
        .str()
        .to_owned();
    app.gql(pt, CANCEL, json!({ "id": second, "reason": "" }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.reason"));
    let r = app
        .gql(
            pt,
            CANCEL,
            json!({ "id": second, "reason": "Indlæggelsen forlænges" }),
        )
        .await;
    let c = &r.data()["cancelDischarge"]["discharge"];
    assert_eq!(c["planned"], false);
    assert_eq!(c["cancelReason"], "Indlæggelsen forlænges");
    assert_eq!(c["handBackMeeting"]["status"], "CANCELLED");
    assert_eq!(c["deadline"]["status"], "WITHDRAWN");
    let r = app.gql(ct, DISCHARGES, json!({ "id": s.case })).await;
    assert_eq!(r.data()["case"]["discharges"].items().len(), 2);

    // Psychiatry without a consent for coordination does not have the child's data shared:
    // the list is an honest null, not an error.
    let r = app.gql(pt, DISCHARGES, json!({ "id": s.case })).await;
    r.assert_withheld("/data/case/discharges");
    assert!(r.data()["case"]["discharges"].is_null());
}
