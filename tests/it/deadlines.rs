//! Timeliness deadlines: each default rule started and met by its events, age deadlines,
//! stages emitted exactly once to the right people with an injected clock, rule versions and
//! recomputes, closure days, waivers, filters and the timeliness report.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use kit_entity::domain::enums::{DeadlineStatus, NotificationKind};
use kit_entity::entities::{deadline, deadline_rule, delivery, notification};
use kit_entity::ids::{CaseId, ProfessionalId};
use kit_tests::harness::{Field, PATIENCE, TestApp, key_of};
use kit_tests::world::{World, ops, referral};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

const DEADLINES: &str = r"
    query($id: ID!) {
      case(id: $id) {
        deadlines {
          id ruleCode status startedAt dueAt metAt metOnTime sector withdrawnAt
          waiveReason waivedBy { id } meeting { id } agreement { id } responsible { id }
          nextActionAt nextAction rule { code version }
        }
      }
    }";
const RECORD: &str = r"
    mutation($input: RecordCaseEventInput!) { recordCaseEvent(input: $input) { caseEvent { id kind sector occurredAt } } }";
const REQUEST: &str = r"
    mutation($input: RequestMeetingInput!) { requestMeeting(input: $input) { meeting { id status } } }";
const SCHEDULE: &str = r"
    mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { id status startsAt } } }";
const RESCHEDULE: &str = r"
    mutation($id: ID!, $at: DateTime!) { rescheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { id status startsAt } } }";
const HELD: &str = r#"
    mutation($id: ID!) { recordMeetingHeld(input: { meetingId: $id, minutes: "Aftaler noteret." }) { meeting { id status } } }"#;
const CANCEL: &str = r#"
    mutation($id: ID!) { cancelMeeting(input: { meetingId: $id, reason: "Aflyst" }) { meeting { id status } } }"#;
const WAIVE: &str = r"
    mutation($id: ID!, $reason: String!) { waiveDeadline(input: { deadlineId: $id, reason: $reason }) { deadline { id status waiveReason waivedAt waivedBy { id } nextActionAt } } }";
const APPOINT_LEAD: &str = r"
    mutation($case: ID!, $p: ID!) { assignInterventionLead(input: { caseId: $case, professionalId: $p }) { interventionLead { id role isActive professional { id } } replaced { id isActive endReason } } }";
const NOTIFICATIONS: &str = r"
    query { viewer { unreadNotificationCount notifications { totalCount nodes { id kind title message readAt deadline { id ruleCode } } } } }";
const MARK: &str = r"
    mutation($ids: [ID!]) { markNotificationsRead(input: { notificationIds: $ids }) { unreadCount notifications { id readAt recipient { id unreadNotificationCount } } viewer { id unreadNotificationCount } } }";

async fn deadlines_of(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    app.gql(token, DEADLINES, json!({ "id": case }))
        .await
        .data()["case"]["deadlines"]
        .items()
        .to_vec()
}

fn with_code<'a>(all: &'a [Value], code: &str) -> Vec<&'a Value> {
    all.iter().filter(|d| d["ruleCode"] == code).collect()
}

fn one<'a>(all: &'a [Value], code: &str) -> &'a Value {
    let found = with_code(all, code);
    assert_eq!(found.len(), 1, "exactly one {code} deadline in {all:#?}");
    found[0]
}

fn sector_of<'a>(all: &'a [Value], code: &str, sector: &str) -> &'a Value {
    with_code(all, code)
        .into_iter()
        .find(|d| d["sector"] == sector)
        .unwrap_or_else(|| panic!("no {code} deadline for {sector} in {all:#?}"))
}

/// Copenhagen wall time as an instant.
fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    kit_entity::domain::calendar::instant(
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_else(|| panic!("{y}-{m}-{d} {h}:{min} is not a time")),
    )
}

async fn assign(app: &TestApp, token: &str, case: &str, who: &str) -> String {
    app.gql(token, ops::ASSIGN, json!({ "case": case, "p": who }))
        .await
        .data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned()
}

async fn meeting(app: &TestApp, token: &str, case: &str, kind: &str, at: &str) -> String {
    let input = json!({ "caseId": case, "kind": kind, "invitees": [], "durationMinutes": 60,
        "latest": "2032-12-31T16:00:00+01:00" });
    let id = app
        .gql(token, REQUEST, json!({ "input": input }))
        .await
        .data()["requestMeeting"]["meeting"]["id"]
        .str()
        .to_owned();
    let r = app
        .gql(token, SCHEDULE, json!({ "id": id, "at": at }))
        .await;
    assert_eq!(
        r.data()["scheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    id
}

/// Records meeting `id` held once its time has come: the clock is moved to `after` (a time
/// after the meeting's start) for the mutation and back afterwards, so the rest of a test
/// reads on from where it was.
async fn held(app: &TestApp, token: &str, id: &str, after: &str) {
    let back = app.clock_now();
    let at = DateTime::parse_from_rfc3339(after)
        .unwrap_or_else(|e| panic!("{after}: {e}"))
        .with_timezone(&Utc);
    app.clock.set(at);
    let r = app.gql(token, HELD, json!({ "id": id })).await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
    app.clock.set(back);
}

/// Meets, at once, what acceptance starts besides the start meeting — the early information
/// exchange (each sector shares) and the intervention lead (`lead` is appointed) — for a test
/// that follows another rule.
async fn meet_early_duties(app: &TestApp, token: &str, case: &str, lead: &str) {
    for d in with_code(
        &deadlines_of(app, token, case).await,
        "early-information-exchange",
    ) {
        record(
            app,
            token,
            json!({ "caseId": case, "kind": "INFORMATION_SHARED", "sector": d["sector"] }),
        )
        .await;
    }
    let r = app
        .gql(token, APPOINT_LEAD, json!({ "case": case, "p": lead }))
        .await;
    assert_eq!(
        r.data()["assignInterventionLead"]["interventionLead"]["role"],
        "INTERVENTION_LEAD"
    );
}

async fn record(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(token, RECORD, json!({ "input": input }))
        .await
        .data()["recordCaseEvent"]["caseEvent"]
        .clone()
}

async fn sweep(app: &TestApp) -> usize {
    kit_entity::ops::deadlines::sweep(app.db(), app.clock_now(), 500)
        .await
        .unwrap_or_else(|e| panic!("sweep failed: {e}"))
        .announced
        .len()
}

async fn refer_born(app: &TestApp, w: &World, name: &str, born: &str) -> String {
    let mut input = referral(&w.municipality_a, name);
    input["child"]["dateOfBirth"] = json!(born);
    app.active_case_of(&w.intake_a.token, input).await
}

#[tokio::test]
async fn every_default_rule_is_started_and_met_by_its_events() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = referral_and_intake(&app, &w).await;
    let contact_id = responsible_contacts(&app, &w, &case).await;
    let network = information_before_a_network_meeting(&app, &w, &case).await;
    plan_after_the_network_meeting(&app, &w, &case, &network).await;
    start_and_follow_up_meetings(&app, &w, &case).await;
    investigation_and_psychiatric_assessment(&app, &w, &case).await;
    agreements_of_the_plan(&app, &w, &case, &contact_id, &network).await;
    transition_and_adult_support(&app, &w, &case).await;
    closing_withdraws_what_is_open(&app, &w, &case).await;
}

/// The referral, received Monday 23 November 2026 09:00, starts two deadlines.
async fn referral_and_intake(app: &TestApp, w: &World) -> String {
    let t = &w.intake_a.token;
    let case = app.refer(t, &w.municipality_a, "Noah").await;
    let ds = deadlines_of(app, t, &case).await;
    assert_eq!(ds.len(), 2, "{ds:#?}");
    let assessment = one(&ds, "referral-assessment");
    assert_eq!(assessment["status"], "PENDING");
    assert_eq!(assessment["dueAt"], "2026-11-24T09:00:00+01:00", "24 hours");
    let decision = one(&ds, "intake-decision");
    assert_eq!(
        decision["dueAt"], "2026-12-08T00:00:00+01:00",
        "the end of the 10th working day, Monday 7 December"
    );
    assert_eq!(decision["nextAction"], "REMINDER");

    // Intake starts: the referral was assessed.
    let _ = app.start_intake(t, &case).await.data();
    let ds = deadlines_of(app, t, &case).await;
    let assessment = one(&ds, "referral-assessment");
    assert_eq!(assessment["status"], "MET");
    assert_eq!(assessment["metOnTime"], true);
    assert_eq!(assessment["nextActionAt"], Value::Null);

    // Accepted: the committee decided; the pathway's own deadlines start.
    let _ = app.decide_intake(t, &case, "ACCEPT").await.data();
    let ds = deadlines_of(app, t, &case).await;
    assert_eq!(one(&ds, "intake-decision")["status"], "MET");
    let contact = one(&ds, "responsible-contact");
    assert_eq!(contact["sector"], "MUNICIPALITY");
    assert_eq!(
        contact["dueAt"], "2026-12-01T00:00:00+01:00",
        "5 working days"
    );
    assert_eq!(
        one(&ds, "start-meeting")["dueAt"],
        "2026-12-22T00:00:00+01:00",
        "20 working days"
    );
    // Born 3 May 2014: 16 in May 2030, 17½ in November 2031, 18 on 3 May 2032.
    assert_eq!(
        one(&ds, "transition-16")["dueAt"],
        "2030-06-01T00:00:00+02:00"
    );
    assert_eq!(
        one(&ds, "transition-17.5")["dueAt"],
        "2031-12-01T00:00:00+01:00"
    );
    assert_eq!(
        one(&ds, "support-before-18")["dueAt"],
        "2032-05-03T00:00:00+02:00"
    );
    case
}

/// The municipality's responsible contact meets the contact deadline; child psychiatry
/// joins with its own.
async fn responsible_contacts(app: &TestApp, w: &World, case: &str) -> String {
    let t = &w.intake_a.token;
    let contact_id = assign(app, t, case, &w.caseworker_a.gid).await;
    let _ = assign(app, t, case, &w.psychiatrist.gid).await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "responsible-contact")["status"], "MET");
    assert_eq!(
        one(&ds, "start-meeting")["responsible"]["id"],
        w.caseworker_a.gid.as_str(),
        "alerts follow the municipality's responsible contact"
    );
    contact_id
}

/// A network meeting on Thursday 10 December: each sector with a contact owes its
/// information 5 working days before. Moving the meeting moves the deadlines.
async fn information_before_a_network_meeting(app: &TestApp, w: &World, case: &str) -> String {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let network = meeting(app, ct, case, "NETWORK", "2026-12-10T10:00:00+01:00").await;
    let ds = deadlines_of(app, t, case).await;
    let info = with_code(&ds, "information-before-network-meeting");
    assert_eq!(info.len(), 2, "{ds:#?}");
    for d in &info {
        assert_eq!(d["dueAt"], "2026-12-04T00:00:00+01:00");
        assert_eq!(d["meeting"]["id"], network);
    }
    let r = app
        .gql(
            ct,
            RESCHEDULE,
            json!({ "id": network, "at": "2026-12-11T10:00:00+01:00" }),
        )
        .await;
    assert_eq!(
        r.data()["rescheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    let ds = deadlines_of(app, t, case).await;
    for d in with_code(&ds, "information-before-network-meeting") {
        assert_eq!(
            d["dueAt"], "2026-12-05T00:00:00+01:00",
            "moved with the meeting"
        );
    }
    assert_eq!(
        sector_of(
            &ds,
            "information-before-network-meeting",
            "CHILD_PSYCHIATRY"
        )["responsible"]["id"],
        w.psychiatrist.gid.as_str()
    );

    // The municipality shares its status note: its deadline is met, psychiatry's is not.
    let shared = record(
        app,
        ct,
        json!({ "caseId": case, "kind": "INFORMATION_SHARED", "sector": "MUNICIPALITY", "meetingId": network }),
    )
    .await;
    assert_eq!(shared["kind"], "INFORMATION_SHARED");
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(
        sector_of(&ds, "information-before-network-meeting", "MUNICIPALITY")["status"],
        "MET"
    );
    assert_eq!(
        sector_of(
            &ds,
            "information-before-network-meeting",
            "CHILD_PSYCHIATRY"
        )["status"],
        "PENDING"
    );

    // A second network meeting, cancelled: what it started is withdrawn, not left to fire.
    let second = meeting(app, ct, case, "NETWORK", "2027-01-14T10:00:00+01:00").await;
    let _ = app.gql(ct, CANCEL, json!({ "id": second })).await.data();
    let ds = deadlines_of(app, t, case).await;
    let withdrawn: Vec<_> = with_code(&ds, "information-before-network-meeting")
        .into_iter()
        .filter(|d| d["meeting"]["id"] == second.as_str())
        .collect();
    assert_eq!(withdrawn.len(), 2);
    for d in withdrawn {
        assert_eq!(d["status"], "WITHDRAWN");
        assert_eq!(d["nextActionAt"], Value::Null);
    }
    network
}

/// The network meeting is held: the plan is owed within 5 working days, and sharing it
/// meets that.
async fn plan_after_the_network_meeting(app: &TestApp, w: &World, case: &str, network: &str) {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    held(app, ct, network, "2026-12-11T11:00:00+01:00").await;
    let ds = deadlines_of(app, t, case).await;
    let plan = one(&ds, "plan-after-network-meeting");
    assert_eq!(plan["status"], "PENDING");
    // 5 working days after Friday 11 December, when it took place.
    assert_eq!(plan["dueAt"], "2026-12-19T00:00:00+01:00");
    let back = app.clock_now();
    app.clock.set(cph(2026, 12, 14, 9, 0));
    let _ = record(app, ct, json!({ "caseId": case, "kind": "PLAN_SHARED" })).await;
    app.clock.set(back);
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "plan-after-network-meeting")["status"], "MET");
}

/// The start meeting is held: the start deadline is met and the first follow-up is owed
/// within 3 months; a held follow-up meets it and starts the next.
async fn start_and_follow_up_meetings(app: &TestApp, w: &World, case: &str) {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let start = meeting(app, ct, case, "START", "2026-12-01T10:00:00+01:00").await;
    held(app, ct, &start, "2026-12-01T11:00:00+01:00").await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "start-meeting")["status"], "MET");
    let follow_up = one(&ds, "follow-up");
    assert_eq!(follow_up["status"], "PENDING");
    // Three months after 1 December, when the start meeting took place.
    assert_eq!(follow_up["dueAt"], "2027-03-02T00:00:00+01:00");
    let first_follow_up = meeting(app, ct, case, "FOLLOW_UP", "2027-02-01T10:00:00+01:00").await;
    held(app, ct, &first_follow_up, "2027-02-01T11:00:00+01:00").await;
    let ds = deadlines_of(app, t, case).await;
    let follow_ups = with_code(&ds, "follow-up");
    assert_eq!(follow_ups.len(), 2);
    assert_eq!(
        follow_ups.iter().filter(|d| d["status"] == "MET").count(),
        1
    );
    assert_eq!(
        follow_ups
            .iter()
            .filter(|d| d["status"] == "PENDING")
            .count(),
        1
    );
}

/// The child-welfare investigation: 4 months.
async fn investigation_and_psychiatric_assessment(app: &TestApp, w: &World, case: &str) {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let _ = record(
        app,
        ct,
        json!({ "caseId": case, "kind": "INVESTIGATION_STARTED" }),
    )
    .await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(
        one(&ds, "child-welfare-investigation")["dueAt"],
        "2027-03-24T00:00:00+01:00"
    );
    let _ = record(
        app,
        ct,
        json!({ "caseId": case, "kind": "INVESTIGATION_COMPLETED", "note": "Undersøgelsen er afsluttet." }),
    )
    .await;
    // Referral to child psychiatry: assessed within 30 days.
    let _ = record(
        app,
        ct,
        json!({ "caseId": case, "kind": "REFERRED_TO_PSYCHIATRY" }),
    )
    .await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "child-welfare-investigation")["status"], "MET");
    let assessment = one(&ds, "psychiatric-assessment");
    assert_eq!(assessment["dueAt"], "2026-12-24T00:00:00+01:00");
    assert_eq!(assessment["responsible"]["id"], w.psychiatrist.gid.as_str());
    let _ = record(
        app,
        &w.psychiatrist.token,
        json!({ "caseId": case, "kind": "PSYCHIATRIC_ASSESSMENT_COMPLETED" }),
    )
    .await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "psychiatric-assessment")["status"], "MET");
}

/// An agreement of the plan: its owner is responsible until it is carried out.
async fn agreements_of_the_plan(
    app: &TestApp,
    w: &World,
    case: &str,
    contact_id: &str,
    network: &str,
) {
    let ct = &w.caseworker_a.token;
    let add = r"mutation($input: AddAgreementInput!) { addAgreement(input: $input) { agreement { id dueOn deadline { status dueAt responsible { id } } } } }";
    let r = app
        .gql(
            ct,
            add,
            json!({ "input": { "caseId": case, "description": "Skolen tilpasser skemaet", "ownerId": contact_id, "dueOn": "2026-12-15", "meetingId": network } }),
        )
        .await;
    let agreement = r.data()["addAgreement"]["agreement"].clone();
    assert_eq!(agreement["deadline"]["status"], "PENDING");
    assert_eq!(agreement["deadline"]["dueAt"], "2026-12-16T00:00:00+01:00");
    assert_eq!(
        agreement["deadline"]["responsible"]["id"],
        w.caseworker_a.gid.as_str()
    );
    let complete = r"mutation($id: ID!) { completeAgreement(input: { agreementId: $id }) { agreement { completedAt deadline { status metOnTime } } } }";
    let r = app
        .gql(ct, complete, json!({ "id": agreement["id"] }))
        .await;
    assert_eq!(
        r.data()["completeAgreement"]["agreement"]["deadline"]["status"],
        "MET"
    );
    app.gql(ct, complete, json!({ "id": agreement["id"] }))
        .await
        .assert_error("CONFLICT", None);

    // An agreement that no longer serves the child is cancelled, with a reason: its deadline
    // is withdrawn, and it can be neither completed nor cancelled again; a done one cannot be
    // cancelled.
    let r = app
        .gql(
            ct,
            add,
            json!({ "input": { "caseId": case, "description": "PPR tester læsning", "ownerId": contact_id, "dueOn": "2026-12-18" } }),
        )
        .await;
    let dropped = r.data()["addAgreement"]["agreement"]["id"].clone();
    let cancel = r#"mutation($id: ID!, $reason: String!) { cancelAgreement(input: { agreementId: $id, reason: $reason }) {
        agreement { status cancelledAt cancelReason deadline { status } } } }"#;
    app.gql(
        &w.ppr_a.token,
        cancel,
        json!({ "id": dropped, "reason": "x" }),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.agreementId"));
    app.gql(ct, cancel, json!({ "id": dropped, "reason": " " }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.reason"));
    let r = app
        .gql(
            ct,
            cancel,
            json!({ "id": dropped, "reason": "Testen er allerede lavet i skolen" }),
        )
        .await;
    let cancelled = &r.data()["cancelAgreement"]["agreement"];
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(
        cancelled["cancelReason"],
        "Testen er allerede lavet i skolen"
    );
    assert_eq!(cancelled["deadline"]["status"], "WITHDRAWN");
    for (mutation, vars) in [
        (cancel, json!({ "id": dropped, "reason": "igen" })),
        (complete, json!({ "id": dropped })),
        (
            cancel,
            json!({ "id": agreement["id"], "reason": "for sent" }),
        ),
    ] {
        app.gql(ct, mutation, vars)
            .await
            .assert_error("CONFLICT", None);
    }
}

/// A transition meeting now does not meet the milestone of 2030; settling adult
/// support meets its deadline.
async fn transition_and_adult_support(app: &TestApp, w: &World, case: &str) {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let transition = meeting(app, ct, case, "TRANSITION", "2026-12-02T10:00:00+01:00").await;
    held(app, ct, &transition, "2026-12-02T11:00:00+01:00").await;
    let _ = record(
        app,
        ct,
        json!({ "caseId": case, "kind": "ADULT_SUPPORT_SETTLED" }),
    )
    .await;
    let ds = deadlines_of(app, t, case).await;
    assert_eq!(one(&ds, "transition-16")["status"], "PENDING");
    assert_eq!(one(&ds, "support-before-18")["status"], "MET");
}

/// Closing the case withdraws everything still open.
async fn closing_withdraws_what_is_open(app: &TestApp, w: &World, case: &str) {
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    let _ = app.gql(ct, ops::CLOSE, json!({ "id": case })).await.data();
    let ds = deadlines_of(app, t, case).await;
    assert!(
        ds.iter()
            .all(|d| d["status"] != "PENDING" && d["status"] != "MISSED"),
        "{ds:#?}"
    );
    assert_eq!(one(&ds, "transition-16")["status"], "WITHDRAWN");
    assert_eq!(
        sector_of(
            &ds,
            "information-before-network-meeting",
            "CHILD_PSYCHIATRY"
        )["status"],
        "WITHDRAWN"
    );
    // Every default rule was started by its event.
    let mut codes: Vec<&str> = ds.iter().filter_map(|d| d["ruleCode"].as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "agreement-kept",
            "child-welfare-investigation",
            "early-information-exchange",
            "follow-up",
            "information-before-network-meeting",
            "intake-decision",
            "intervention-lead",
            "plan-after-network-meeting",
            "psychiatric-assessment",
            "referral-assessment",
            "responsible-contact",
            "start-meeting",
            "support-before-18",
            "transition-16",
            "transition-17.5",
        ]
    );
}

#[tokio::test]
async fn age_deadlines_follow_the_date_of_birth_including_29_february() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let leap = refer_born(&app, &w, "Freja", "2012-02-29").await;
    let ds = deadlines_of(&app, t, &leap).await;
    // 16 on 29 February 2028 (a leap year): presented by the end of February 2028.
    let sixteen = one(&ds, "transition-16");
    assert_eq!(sixteen["dueAt"], "2028-03-01T00:00:00+01:00");
    assert_eq!(sixteen["startedAt"], "2028-02-01T00:00:00+01:00");
    // 17½ on 29 August 2029; 18 on the last day of February 2030, a common year.
    assert_eq!(
        one(&ds, "transition-17.5")["dueAt"],
        "2029-09-01T00:00:00+02:00"
    );
    assert_eq!(
        one(&ds, "support-before-18")["dueAt"],
        "2030-02-28T00:00:00+01:00"
    );

    // Someone already 17 when accepted owes no presentation at 16 any more.
    let older = refer_born(&app, &w, "Oscar", "2009-08-01").await;
    let ds = deadlines_of(&app, t, &older).await;
    assert!(with_code(&ds, "transition-16").is_empty(), "{ds:#?}");
    assert_eq!(
        one(&ds, "transition-17.5")["dueAt"],
        "2027-03-01T00:00:00+01:00"
    );
    assert_eq!(
        one(&ds, "support-before-18")["dueAt"],
        "2027-08-01T00:00:00+02:00"
    );

    // In February 2028 a transition meeting meets the milestone of 16, not that of 17½.
    let _ = assign(&app, t, &leap, &w.caseworker_a.gid).await;
    app.clock.set(cph(2028, 2, 10, 9, 0));
    let ct = &w.caseworker_a.token;
    let m = meeting(&app, ct, &leap, "TRANSITION", "2028-02-15T10:00:00+01:00").await;
    held(&app, ct, &m, "2028-02-15T11:00:00+01:00").await;
    let ds = deadlines_of(&app, t, &leap).await;
    assert_eq!(one(&ds, "transition-16")["status"], "MET");
    assert_eq!(one(&ds, "transition-17.5")["status"], "PENDING");
}

#[tokio::test]
async fn reminder_alert_and_escalation_are_each_emitted_once_to_the_right_people() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Ella").await;
    // PPR's psychologist is the municipality's responsible contact; her leader leads PPR.
    let _ = assign(&app, t, &case, &w.ppr_a.gid).await;
    meet_early_duties(&app, t, &case, &w.caseworker_a.gid).await;
    let start = one(&deadlines_of(&app, t, &case).await, "start-meeting").clone();
    assert_eq!(start["dueAt"], "2026-12-22T00:00:00+01:00");
    assert_eq!(start["nextAction"], "REMINDER");
    assert_eq!(start["nextActionAt"], "2026-12-15T00:00:00+01:00");
    assert_eq!(sweep(&app).await, 0, "nothing is due yet");

    // Just before the reminder: nothing. At it: one reminder, once.
    app.clock.set(cph(2026, 12, 14, 23, 59));
    assert_eq!(sweep(&app).await, 0);
    app.clock
        .set(cph(2026, 12, 15, 0, 0) + TimeDelta::seconds(1));
    assert_eq!(sweep(&app).await, 1);
    assert_eq!(sweep(&app).await, 0, "a second sweep emits nothing");
    let d = one(&deadlines_of(&app, t, &case).await, "start-meeting").clone();
    assert_eq!(d["nextAction"], "DUE");
    assert_eq!(d["nextActionAt"], "2026-12-22T00:00:00+01:00");

    // Due: the alert, and the deadline is MISSED.
    app.clock
        .set(cph(2026, 12, 22, 0, 0) + TimeDelta::seconds(1));
    assert_eq!(sweep(&app).await, 1);
    assert_eq!(sweep(&app).await, 0);
    let d = one(&deadlines_of(&app, t, &case).await, "start-meeting").clone();
    assert_eq!(d["status"], "MISSED");
    assert_eq!(d["nextAction"], "ESCALATION");
    assert_eq!(
        d["nextActionAt"], "2026-12-28T00:00:00+01:00",
        "3 working days after 21 December, over Christmas"
    );

    // Escalated to the leader of her unit.
    app.clock.set(cph(2026, 12, 28, 8, 0));
    assert_eq!(sweep(&app).await, 1);
    app.clock.set(cph(2027, 3, 1, 8, 0));
    assert_eq!(sweep(&app).await, 0, "nothing after the escalation");
    let d = one(&deadlines_of(&app, t, &case).await, "start-meeting").clone();
    assert_eq!(d["nextActionAt"], Value::Null);

    let all = notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let seen: Vec<(NotificationKind, ProfessionalId)> =
        all.iter().map(|n| (n.kind, n.recipient_id)).collect();
    assert_eq!(
        seen,
        [
            (NotificationKind::Reminder, w.ppr_a.id),
            (NotificationKind::Due, w.ppr_a.id),
            (NotificationKind::Escalation, w.ppr_leader_a.id),
        ]
    );
    // Each has its e-mail in the outbox, to the person's address.
    let mails = delivery::Entity::find()
        .filter(delivery::Column::Subject.eq(kit_entity::domain::enums::MailSubject::Notification))
        .order_by_asc(delivery::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let to: Vec<&str> = mails.iter().map(|d| d.recipient.as_str()).collect();
    assert_eq!(
        to,
        ["ppr.a@kit.test", "ppr.a@kit.test", "ppr.leader.a@kit.test"]
    );

    // In the app: her two notifications, newest first, in Danish; the leader's one.
    let mine = app.gql(&w.ppr_a.token, NOTIFICATIONS, json!({})).await;
    let viewer = &mine.data()["viewer"];
    assert_eq!(viewer["unreadNotificationCount"], 2);
    let nodes = viewer["notifications"]["nodes"].items().to_vec();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["kind"], "DUE");
    assert!(
        nodes[0]["title"]
            .str()
            .starts_with("Frist overskredet: Opstartsmødet holdes inden for 20 arbejdsdage"),
        "{nodes:#?}"
    );
    assert_eq!(nodes[0]["deadline"]["ruleCode"], "start-meeting");
    assert_eq!(nodes[1]["kind"], "REMINDER");
    let leader = app
        .gql(&w.ppr_leader_a.token, NOTIFICATIONS, json!({}))
        .await;
    let leader_nodes = leader.data()["viewer"]["notifications"]["nodes"].clone();
    assert_eq!(leader_nodes[0]["kind"], "ESCALATION");
    assert_eq!(leader_nodes[0]["deadline"]["ruleCode"], "start-meeting");

    // Marking read: one, then all; someone else's notification is refused by field.
    let r = app
        .gql(&w.ppr_a.token, MARK, json!({ "ids": [nodes[1]["id"]] }))
        .await;
    assert_eq!(r.data()["markNotificationsRead"]["unreadCount"], 1);
    assert!(r.data()["markNotificationsRead"]["notifications"][0]["readAt"].is_string());
    // The payload carries the viewer with the count, for a normalized cache to update every
    // screen that shows it; so does each notification, as its recipient.
    let viewer = &r.data()["markNotificationsRead"]["viewer"];
    assert_eq!(viewer["unreadNotificationCount"], 1);
    assert_eq!(
        r.data()["markNotificationsRead"]["notifications"][0]["recipient"],
        *viewer
    );
    app.gql(
        &w.ppr_a.token,
        MARK,
        json!({ "ids": [leader_nodes[0]["id"]] }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.notificationIds[0]"));
    let r = app.gql(&w.ppr_a.token, MARK, json!({ "ids": null })).await;
    assert_eq!(r.data()["markNotificationsRead"]["unreadCount"], 0);
    // Nobody else can fetch her notification.
    let node = r"query($id: ID!) { node(id: $id) { id } }";
    app.gql(&w.ppr_leader_a.token, node, json!({ "id": nodes[0]["id"] }))
        .await
        .assert_error("NOT_FOUND", Some("id"));
}

/// Inserts `n` deadlines of `rule` on `case`, all due at `due` with the due alert next.
async fn insert_due(
    app: &TestApp,
    case: CaseId,
    rule: &deadline_rule::Model,
    n: usize,
    due: DateTime<Utc>,
) {
    let rows: Vec<deadline::ActiveModel> = (0..n)
        .map(|i| deadline::ActiveModel {
            id: NotSet,
            case_id: Set(case),
            rule_id: Set(rule.id),
            rule_code: Set(rule.code.clone()),
            subject: Set(format!("load:{i}")),
            sector: Set(None),
            meeting_id: Set(None),
            agreement_id: Set(None),
            status: Set(DeadlineStatus::Pending),
            started_at: Set(due - TimeDelta::days(10)),
            due_at: Set(due),
            met_at: Set(None),
            waived_at: Set(None),
            waived_by_id: Set(None),
            waive_reason: Set(None),
            withdrawn_at: Set(None),
            responsible_id: Set(None),
            responsible_unit_id: Set(None),
            alert_error: Set(None),
            alert_failed_at: Set(None),
            alert_attempts: Set(0),
            next_action_at: Set(Some(due)),
            next_stage: Set(Some(1)),
            created_at: Set(due - TimeDelta::days(10)),
            updated_at: Set(due - TimeDelta::days(10)),
        })
        .collect();
    for chunk in rows.chunks(100) {
        deadline::Entity::insert_many(chunk.to_vec())
            .exec(app.db())
            .await
            .unwrap_or_else(|e| panic!("insert: {e}"));
    }
}

async fn rule(app: &TestApp, code: &str) -> deadline_rule::Model {
    deadline_rule::Entity::find()
        .filter(deadline_rule::Column::Code.eq(code))
        .filter(deadline_rule::Column::OrganizationId.is_null())
        .one(app.db())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no default rule {code}"))
}

async fn count_notifications(app: &TestApp, kind: NotificationKind) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::Kind.eq(kind))
        .count(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn two_sweepers_at_once_and_a_sweeper_killed_mid_batch_neither_lose_nor_double() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = app.refer(&w.intake_a.token, &w.municipality_a, "Ida").await;
    let case = CaseId(key_of(&case));
    // Only the deadlines made here: the referral's own are removed.
    deadline::Entity::delete_many().exec(app.db()).await.ok();
    let decision = rule(&app, "intake-decision").await;
    let now = app.clock_now();
    insert_due(&app, case, &decision, 300, now - TimeDelta::minutes(1)).await;

    // Two sweepers race through the backlog in batches of 25.
    let run = |db: sea_orm::DatabaseConnection| async move {
        let mut claimed = 0;
        loop {
            let swept = kit_entity::ops::deadlines::sweep(&db, now, 25)
                .await
                .unwrap_or_else(|e| panic!("sweep failed: {e}"));
            claimed += swept.claimed;
            if swept.claimed == 0 {
                return claimed;
            }
        }
    };
    let (a, b) = tokio::join!(run(app.db().clone()), run(app.db().clone()));
    assert_eq!(
        a + b,
        300,
        "every deadline claimed once between them ({a} + {b})"
    );
    assert_eq!(count_notifications(&app, NotificationKind::Due).await, 300);
    let per_deadline = notification::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .fold(std::collections::HashMap::new(), |mut m, n| {
            *m.entry((n.deadline_id, n.stage)).or_insert(0) += 1;
            m
        });
    assert!(per_deadline.values().all(|&c| c == 1));
    let missed = deadline::Entity::find()
        .filter(deadline::Column::Status.eq(DeadlineStatus::Missed))
        .count(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missed, 300);

    // Past the escalation time, a sweeper is killed in the middle of its batch: what it
    // wrote is rolled back with it; the next sweep does all of it, once.
    app.clock.set(now + TimeDelta::days(14));
    let later = app.clock_now();
    if let Ok(mut log) = app.statement_log.lock() {
        log.clear();
    }
    let db = app.db().clone();
    let task =
        tokio::spawn(async move { kit_entity::ops::deadlines::sweep(&db, later, 500).await });
    kit_tests::harness::eventually("the sweeper writing notifications", PATIENCE, || async {
        let written = app
            .statement_log
            .lock()
            .map(|log| {
                log.iter()
                    .filter(|s| s.starts_with("INSERT INTO \"notifications\""))
                    .count()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        (written >= 5).then_some(())
    })
    .await;
    task.abort();
    assert!(
        task.await.is_err(),
        "the sweeper was killed before it finished"
    );
    assert_eq!(
        count_notifications(&app, NotificationKind::Escalation).await,
        0,
        "nothing of the killed sweep is kept"
    );
    let escalated = kit_tests::harness::eventually(
        "the restarted sweeper finishing the batch",
        PATIENCE,
        || async {
            let _ = kit_entity::ops::deadlines::sweep(app.db(), later, 500).await;
            let n = count_notifications(&app, NotificationKind::Escalation).await;
            (n >= 300).then_some(n)
        },
    )
    .await;
    assert_eq!(escalated, 300);
    assert_eq!(sweep(&app).await, 0);
    assert_eq!(
        count_notifications(&app, NotificationKind::Escalation).await,
        300
    );
    // One e-mail per notification.
    let mails = delivery::Entity::find()
        .filter(delivery::Column::Subject.eq(kit_entity::domain::enums::MailSubject::Notification))
        .count(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mails, 600);
}

const UPDATE_RULE: &str = r"
    mutation($input: UpdateDeadlineRuleInput!) {
      updateDeadlineRule(input: $input) { rule { id code version isDefault offset { value unit } reminders { value unit } escalateAfterWorkingDays supersededAt createdBy { id } } }
    }";
const RECOMPUTE: &str = r"
    mutation($org: ID!, $code: String!) { recomputeDeadlines(input: { organizationId: $org, code: $code }) { recompute { id recomputed recomputedBy { id } rule { version } } } }";

#[tokio::test]
async fn a_rule_edit_leaves_running_deadlines_alone_until_an_explicit_recompute() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let before = app.active_case(t, &w.municipality_a, "Alma").await;
    let other_municipality = app
        .active_case(&w.intake_b.token, &w.municipality_b, "Bo")
        .await;
    assert_eq!(
        one(&deadlines_of(&app, t, &before).await, "start-meeting")["dueAt"],
        "2026-12-22T00:00:00+01:00"
    );

    // Municipality A shortens the start meeting to 15 working days.
    let input = json!({ "organizationId": w.municipality_a, "code": "start-meeting",
        "offset": { "value": 15, "unit": "WORKING_DAYS" },
        "reminders": [{ "value": 3, "unit": "WORKING_DAYS" }, { "value": 1, "unit": "WORKING_DAYS" }],
        "escalateAfterWorkingDays": null });
    app.gql(t, UPDATE_RULE, json!({ "input": input.clone() }))
        .await
        .assert_error("FORBIDDEN", None);
    let r = app
        .gql(&w.admin_a.token, UPDATE_RULE, json!({ "input": input }))
        .await;
    let v2 = r.data()["updateDeadlineRule"]["rule"].clone();
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["isDefault"], false);
    assert_eq!(v2["offset"]["value"], 15);
    assert_eq!(v2["escalateAfterWorkingDays"], Value::Null);
    assert_eq!(v2["createdBy"]["id"], w.admin_a.gid.as_str());
    // A second edit supersedes the first; history keeps both and the default.
    let r = app
        .gql(
            &w.admin_a.token,
            UPDATE_RULE,
            json!({ "input": { "organizationId": w.municipality_a, "code": "start-meeting", "nameEn": "The start meeting is held within 15 working days" } }),
        )
        .await;
    assert_eq!(r.data()["updateDeadlineRule"]["rule"]["version"], 3);
    let history = r"query($org: ID!) { deadlineRules(organizationId: $org, includeHistory: true) { code version supersededAt } }";
    let r = app
        .gql(t, history, json!({ "org": w.municipality_a }))
        .await;
    let versions: Vec<(i64, bool)> = r.data()["deadlineRules"]
        .items()
        .to_vec()
        .iter()
        .filter(|x| x["code"] == "start-meeting")
        .map(|x| {
            (
                x["version"].as_i64().unwrap_or(0),
                x["supersededAt"].is_string(),
            )
        })
        .collect();
    assert_eq!(versions, [(1, false), (2, true), (3, false)]);
    let in_force = r"query($org: ID!) { deadlineRules(organizationId: $org) { code version offset { value } reminders { value unit } escalateAfterWorkingDays description } }";
    let r = app
        .gql(t, in_force, json!({ "org": w.municipality_b }))
        .await;
    let defaults = r.data()["deadlineRules"].items().to_vec();
    assert_eq!(defaults.len(), 18);
    for d in &defaults {
        assert!(
            !d["reminders"].as_array().is_none_or(Vec::is_empty),
            "every default reminds: {d}"
        );
        assert!(
            d["escalateAfterWorkingDays"]
                .as_i64()
                .is_some_and(|n| n > 0)
        );
    }
    let b_start = r.data()["deadlineRules"]
        .items()
        .to_vec()
        .into_iter()
        .find(|x| x["code"] == "start-meeting")
        .unwrap_or_else(|| panic!("no start-meeting rule"));
    assert_eq!(b_start["version"], 1, "B keeps the default");

    // Running deadlines keep their version; new ones get the new one.
    let d = one(&deadlines_of(&app, t, &before).await, "start-meeting").clone();
    assert_eq!(d["dueAt"], "2026-12-22T00:00:00+01:00");
    assert_eq!(d["rule"]["version"], 1);
    let after = app.active_case(t, &w.municipality_a, "Carl").await;
    let d = one(&deadlines_of(&app, t, &after).await, "start-meeting").clone();
    assert_eq!(d["dueAt"], "2026-12-15T00:00:00+01:00", "15 working days");
    assert_eq!(d["rule"]["version"], 3);
    assert_eq!(
        d["nextActionAt"], "2026-12-10T00:00:00+01:00",
        "3 working days before"
    );

    // The explicit recompute moves A's running deadline, and is logged; B's is untouched.
    app.gql(
        t,
        RECOMPUTE,
        json!({ "org": w.municipality_a, "code": "start-meeting" }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            &w.admin_a.token,
            RECOMPUTE,
            json!({ "org": w.municipality_a, "code": "start-meeting" }),
        )
        .await;
    let logged = r.data()["recomputeDeadlines"]["recompute"].clone();
    assert_eq!(
        logged["recomputed"], 1,
        "only the deadline on the old version changed"
    );
    assert_eq!(logged["recomputedBy"]["id"], w.admin_a.gid.as_str());
    assert_eq!(logged["rule"]["version"], 3);
    let d = one(&deadlines_of(&app, t, &before).await, "start-meeting").clone();
    assert_eq!(d["dueAt"], "2026-12-15T00:00:00+01:00");
    assert_eq!(d["rule"]["version"], 3);
    let log = r"query($org: ID!) { deadlineRecomputes(organizationId: $org) { recomputed recomputedAt rule { code } } }";
    let r = app
        .gql(&w.admin_a.token, log, json!({ "org": w.municipality_a }))
        .await;
    assert_eq!(
        r.data()["deadlineRecomputes"][0]["rule"]["code"],
        "start-meeting"
    );
    let d = one(
        &deadlines_of(&app, &w.intake_b.token, &other_municipality).await,
        "start-meeting",
    )
    .clone();
    assert_eq!(d["dueAt"], "2026-12-22T00:00:00+01:00");

    // Bad edits name their field.
    let bad = |extra: Value| {
        let mut input = json!({ "organizationId": w.municipality_a, "code": "start-meeting" });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        json!({ "input": input })
    };
    app.gql(
        &w.admin_a.token,
        UPDATE_RULE,
        bad(json!({ "offset": { "value": -3, "unit": "WORKING_DAYS" } })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.offset"));
    app.gql(
        &w.admin_a.token,
        UPDATE_RULE,
        bad(json!({ "reminders": [{ "value": 0, "unit": "HOURS" }] })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.reminders[0].value"));
    app.gql(
        &w.admin_a.token,
        UPDATE_RULE,
        bad(json!({ "escalateAfterWorkingDays": 0 })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.escalateAfterWorkingDays"));
    app.gql(
        &w.admin_a.token,
        UPDATE_RULE,
        bad(json!({ "alertTo": "RESPONSIBLE_CONTACT" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.alertSector"));
    app.gql(
        &w.admin_a.token,
        UPDATE_RULE,
        bad(json!({ "code": "no-such-rule" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.code"));
}

#[tokio::test]
async fn closure_days_are_not_working_days_for_new_deadlines() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let add = r"mutation($org: ID!, $date: Date!, $name: String!) { addClosureDay(input: { organizationId: $org, date: $date, name: $name }) { closureDay { id date name } } }";
    let vars =
        |date: &str, name: &str| json!({ "org": w.municipality_a, "date": date, "name": name });
    app.gql(&w.intake_a.token, add, vars("2026-12-24", "Juleaftensdag"))
        .await
        .assert_error("FORBIDDEN", None);
    let first = app
        .gql(&w.admin_a.token, add, vars("2026-12-24", "Juleaftensdag"))
        .await;
    let day = first.data()["addClosureDay"]["closureDay"].clone();
    assert_eq!(day["date"], "2026-12-24");
    let _ = app
        .gql(&w.admin_a.token, add, vars("2026-12-31", "Nytårsaftensdag"))
        .await
        .data();
    app.gql(&w.admin_a.token, add, vars("2026-12-24", "Igen"))
        .await
        .assert_error("CONFLICT", None);
    app.gql(&w.admin_a.token, add, vars("2026-12-23", ""))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.name"));
    let list = r#"query($id: ID!) { node(id: $id) { ... on Organization { closureDays(from: "2026-12-01", to: "2026-12-31") { date name } } } }"#;
    let r = app
        .gql(&w.intake_a.token, list, json!({ "id": w.municipality_a }))
        .await;
    assert_eq!(
        r.data()["node"]["closureDays"],
        json!([{ "date": "2026-12-24", "name": "Juleaftensdag" }, { "date": "2026-12-31", "name": "Nytårsaftensdag" }])
    );

    // Accepted on Monday 7 December: 20 working days skip 24 and 31 December as well as
    // Christmas and New Year.
    app.clock.set(cph(2026, 12, 7, 9, 0));
    let case = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Liv")
        .await;
    let d = one(
        &deadlines_of(&app, &w.intake_a.token, &case).await,
        "start-meeting",
    )
    .clone();
    assert_eq!(
        d["dueAt"], "2027-01-09T00:00:00+01:00",
        "the end of Friday 8 January"
    );
    // Municipality B has no closure days: its deadline is two working days earlier.
    let b = app
        .active_case(&w.intake_b.token, &w.municipality_b, "Nor")
        .await;
    let d = one(
        &deadlines_of(&app, &w.intake_b.token, &b).await,
        "start-meeting",
    )
    .clone();
    assert_eq!(d["dueAt"], "2027-01-07T00:00:00+01:00");

    let remove = r"mutation($id: ID!) { removeClosureDay(input: { closureDayId: $id }) { removedClosureDayId } }";
    let r = app
        .gql(&w.admin_a.token, remove, json!({ "id": day["id"] }))
        .await;
    assert_eq!(
        r.data()["removeClosureDay"]["removedClosureDayId"],
        day["id"]
    );
}

#[tokio::test]
async fn waivers_need_a_reason_and_a_manager_and_stop_the_alerts() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Vera").await;
    let ds = deadlines_of(&app, t, &case).await;
    let start = one(&ds, "start-meeting")["id"].clone();
    app.gql(t, WAIVE, json!({ "id": start, "reason": "  " }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.reason"));
    // Someone who may not see the case is told it does not exist.
    app.gql(
        &w.caseworker_b.token,
        WAIVE,
        json!({ "id": start, "reason": "Nej" }),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.deadlineId"));
    let r = app
        .gql(
            t,
            WAIVE,
            json!({ "id": start, "reason": "Familien er flyttet; sagen overdrages." }),
        )
        .await;
    let waived = r.data()["waiveDeadline"]["deadline"].clone();
    assert_eq!(waived["status"], "WAIVED");
    assert_eq!(waived["waivedBy"]["id"], w.intake_a.gid.as_str());
    assert_eq!(waived["nextActionAt"], Value::Null);
    app.gql(t, WAIVE, json!({ "id": start, "reason": "Igen" }))
        .await
        .assert_error("CONFLICT", None);
    // Past its due time nothing fires for it.
    app.clock.set(cph(2027, 2, 1, 9, 0));
    let _ = sweep(&app).await;
    let about_start = notification::Entity::find()
        .filter(
            notification::Column::DeadlineId.eq(kit_entity::ids::DeadlineId(key_of(start.str()))),
        )
        .count(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(about_start, 0);
}

#[tokio::test]
async fn the_deadline_list_filters_and_shows_only_visible_cases() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let first = app.active_case(t, &w.municipality_a, "Asta").await;
    let _ = assign(&app, t, &first, &w.caseworker_a.gid).await;
    let _second = app.active_case(t, &w.municipality_a, "Bjørn").await;
    let _b = app
        .active_case(&w.intake_b.token, &w.municipality_b, "Cecilie")
        .await;
    let list = r"query($filter: DeadlineFilter, $after: String) { deadlines(filter: $filter, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ruleCode status dueAt responsible { id } case { id } } } }";
    let pending_start = json!({ "status": ["PENDING"], "ruleCode": "start-meeting" });
    let r = app.gql(t, list, json!({ "filter": pending_start })).await;
    assert_eq!(
        r.data()["deadlines"]["totalCount"],
        2,
        "A's intake sees A's two cases only"
    );
    let mine = json!({ "responsibleId": w.caseworker_a.gid, "status": ["PENDING"] });
    let r = app.gql(t, list, json!({ "filter": mine })).await;
    let nodes = r.data()["deadlines"]["nodes"].items().to_vec();
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n["case"]["id"] == first.as_str()));
    let due_soon =
        json!({ "dueBefore": "2026-12-02T00:00:00+01:00", "organizationId": w.municipality_a });
    let r = app.gql(t, list, json!({ "filter": due_soon })).await;
    let all = r.data()["deadlines"].clone();
    // Both cases' intake deadlines (met) and the second case's contact deadline.
    assert!(all["totalCount"].as_u64().unwrap_or(0) >= 3, "{all:#}");
    // Keyset pages: earliest due first, no duplicates.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app
            .gql(
                t,
                list,
                json!({ "filter": { "organizationId": w.municipality_a }, "after": after }),
            )
            .await;
        let page = r.data()["deadlines"].clone();
        for n in page["nodes"].items().to_vec() {
            seen.push(n["dueAt"].str().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let total = app
        .gql(
            t,
            list,
            json!({ "filter": { "organizationId": w.municipality_a } }),
        )
        .await
        .data()["deadlines"]["totalCount"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(seen.len() as u64, total);
    // B's intake sees none of A's deadlines, even when asking for A.
    let r = app
        .gql(
            &w.intake_b.token,
            list,
            json!({ "filter": { "organizationId": w.municipality_a } }),
        )
        .await;
    assert_eq!(r.data()["deadlines"]["totalCount"], 0);
    app.gql(t, list, json!({ "filter": { "responsibleId": first } }))
        .await
        .assert_error("BAD_USER_INPUT", Some("filter.responsibleId"));
}

#[tokio::test]
async fn the_timeliness_report_gives_known_figures_for_a_known_data_set() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let a_case = CaseId(key_of(
        &app.refer(&w.intake_a.token, &w.municipality_a, "Ane").await,
    ));
    let b_case = CaseId(key_of(
        &app.refer(&w.intake_b.token, &w.municipality_b, "Bent")
            .await,
    ));
    // Nothing else in the period: the referral's own deadlines are removed.
    deadline::Entity::delete_many().exec(app.db()).await.ok();
    let start = rule(&app, "start-meeting").await;
    let now = app.clock_now(); // 23 November 2026
    let due = |d: u32| {
        Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0)
            .single()
            .unwrap_or(now)
    };
    // (status, due day in November, met after due by hours)
    let data: [(DeadlineStatus, u32, Option<i64>); 9] = [
        (DeadlineStatus::Met, 2, Some(-5)),
        (DeadlineStatus::Met, 3, Some(0)),
        (DeadlineStatus::Met, 4, Some(-48)),
        (DeadlineStatus::Met, 5, Some(48)),
        (DeadlineStatus::Missed, 22, None), // due 22 Nov 12:00, 20 hours before now
        (DeadlineStatus::Pending, 26, None),
        (DeadlineStatus::Waived, 10, None),
        (DeadlineStatus::Withdrawn, 11, None),
        (DeadlineStatus::Met, 12, Some(1000)), // in municipality B: not counted
    ];
    for (i, (status, day, late)) in data.iter().enumerate() {
        let d = due(*day);
        deadline::Entity::insert(deadline::ActiveModel {
            id: NotSet,
            case_id: Set(if i == 8 { b_case } else { a_case }),
            rule_id: Set(start.id),
            rule_code: Set(start.code.clone()),
            subject: Set(format!("report:{i}")),
            sector: Set(None),
            meeting_id: Set(None),
            agreement_id: Set(None),
            status: Set(*status),
            started_at: Set(d - TimeDelta::days(28)),
            due_at: Set(d),
            met_at: Set(late.map(|h| d + TimeDelta::hours(h))),
            waived_at: Set(None),
            waived_by_id: Set(None),
            waive_reason: Set(None),
            withdrawn_at: Set(None),
            responsible_id: Set(None),
            responsible_unit_id: Set(None),
            alert_error: Set(None),
            alert_failed_at: Set(None),
            alert_attempts: Set(0),
            next_action_at: Set(None),
            next_stage: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let report = r"query($org: ID!, $from: Date!, $to: Date!) { timelinessReport(organizationId: $org, from: $from, to: $to) { from to organization { id } rules { rule { code } metOnTime metLate missed open waived shareOnTime medianDelayHours p90DelayHours } } }";
    let vars = json!({ "org": w.municipality_a, "from": "2026-11-01", "to": "2026-11-30" });
    let r = app.gql(&w.intake_a.token, report, vars.clone()).await;
    let rules = r.data()["timelinessReport"]["rules"].items().to_vec();
    assert_eq!(rules.len(), 18, "one entry per rule in force");
    let s = rules
        .iter()
        .find(|x| x["rule"]["code"] == "start-meeting")
        .cloned()
        .unwrap_or_else(|| panic!("no report for start-meeting"));
    assert_eq!(s["metOnTime"], 3);
    assert_eq!(s["metLate"], 1);
    assert_eq!(s["missed"], 1);
    assert_eq!(s["open"], 1);
    assert_eq!(s["waived"], 1);
    assert_eq!(s["shareOnTime"], 0.6);
    // Delays: 0, 0, 0, 20, 48 hours → by nearest rank, the median is the 3rd (0) and the
    // 90th percentile the 5th (⌈4.5⌉): 48.
    assert_eq!(s["medianDelayHours"], 0.0);
    let p90 = s["p90DelayHours"].f64();
    assert!((p90 - 48.0).abs() < 1e-9, "{p90}");
    let empty = rules
        .iter()
        .find(|x| x["rule"]["code"] == "follow-up")
        .cloned()
        .unwrap_or_else(|| panic!("no report for follow-up"));
    assert_eq!(empty["metOnTime"], 0);
    assert_eq!(empty["shareOnTime"], Value::Null);
    // A narrower period counts only what fell due in it.
    let r = app
        .gql(
            &w.intake_a.token,
            report,
            json!({ "org": w.municipality_a, "from": "2026-11-04", "to": "2026-11-05" }),
        )
        .await;
    let s = r.data()["timelinessReport"]["rules"]
        .items()
        .to_vec()
        .into_iter()
        .find(|x| x["rule"]["code"] == "start-meeting")
        .unwrap_or_else(|| panic!("no report for start-meeting"));
    assert_eq!(
        (s["metOnTime"].clone(), s["metLate"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(s["shareOnTime"], 0.5);
    // Other organizations' people may not see it; a period backwards names its field.
    app.gql(&w.intake_b.token, report, vars)
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(
        &w.intake_a.token,
        report,
        json!({ "org": w.municipality_a, "from": "2026-11-30", "to": "2026-11-01" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("to"));
}

/// Working days strictly after `from` up to and including `to`.
fn working_days_between(
    calendar: &kit_entity::domain::calendar::WorkingCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> usize {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| calendar.is_working_day(*d))
        .count()
}

#[tokio::test]
async fn every_sector_has_working_days_to_share_its_information_before_a_network_meeting() {
    use kit_entity::domain::calendar::{WorkingCalendar, instant, local};
    use kit_entity::entities::organization;
    use kit_entity::ids::OrganizationId;
    use kit_entity::ops::deadlines::{
        MIN_PREPARATION_WORKING_DAYS, due_from_meeting, meeting_notice, rules_in_force,
    };

    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let org_id = OrganizationId(key_of(&w.municipality_a));
    let org = organization::Entity::find_by_id(org_id)
        .one(app.db())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no organization"));
    let rules = rules_in_force(app.db(), org_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let info = rules
        .iter()
        .find(|r| r.code == "information-before-network-meeting")
        .unwrap_or_else(|| panic!("no information rule"));
    // The defaults: 5 working days' notice for meetings, information 5 working days ahead —
    // so a network meeting waits 8.
    let notice = meeting_notice(org.meeting_notice_days, &rules, "NETWORK");
    assert_eq!((org.meeting_notice_days, notice), (5, 8));
    let office = chrono::NaiveTime::MIN + TimeDelta::hours(8);
    let calendar = WorkingCalendar::danish();
    // Every booking day of five years, holidays included, early, midday and late.
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_else(|| panic!("a date"));
    let last = NaiveDate::from_ymd_opt(2030, 12, 31).unwrap_or_else(|| panic!("a date"));
    while day <= last {
        for (h, m) in [(7, 0), (12, 0), (17, 10), (23, 30)] {
            let booked = instant(
                day.and_hms_opt(h, m, 0)
                    .unwrap_or_else(|| panic!("{h}:{m}")),
            );
            let meeting_day =
                kit_entity::ops::meetings::calendar::notice_day(booked, notice, &calendar);
            let starts = instant(meeting_day.and_time(office));
            let due = due_from_meeting(info, booked, starts, &calendar, 3);
            // A deadline at midnight is the end of the day before.
            let due_day = local(due - TimeDelta::seconds(1)).date();
            let prepare = working_days_between(&calendar, day, due_day);
            let read = working_days_between(&calendar, due_day, meeting_day) - 1;
            assert!(
                prepare >= MIN_PREPARATION_WORKING_DAYS as usize && read >= 3,
                "booked {booked}: meeting {starts}, information due {due}: \
                 {prepare} working days to prepare, {read} to read"
            );
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }

    // Through the product: a network meeting booked Monday 17:10 by hand for the next
    // Monday 09:30 still leaves three working days: the information is due at the end of
    // Thursday, not within hours.
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Nora").await;
    let _ = assign(&app, t, &case, &w.caseworker_a.gid).await;
    app.clock.set(cph(2026, 11, 23, 17, 10));
    let ct = &w.caseworker_a.token;
    let _ = meeting(&app, ct, &case, "NETWORK", "2026-11-30T09:30:00+01:00").await;
    let ds = deadlines_of(&app, t, &case).await;
    let info = sector_of(&ds, "information-before-network-meeting", "MUNICIPALITY");
    assert_eq!(info["dueAt"], "2026-11-27T00:00:00+01:00");
}

/// Seeds 000–002: information about the child is exchanged early in the pathway, not only
/// before network meetings. Each sector taking part at acceptance owes its sharing within 10
/// working days; its responsible contact is reminded 3 working days ahead and alerted when it
/// falls due; sharing meets it.
#[tokio::test]
async fn every_sector_shares_what_it_knows_within_ten_working_days_of_acceptance() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let ct = &w.caseworker_a.token;
    // Accepted on Monday 23 November 2026 at 09:00.
    let shared = app.active_case(t, &w.municipality_a, "Sofie").await;
    let silent = app.active_case(t, &w.municipality_a, "Karl").await;
    for case in [&shared, &silent] {
        let _ = assign(&app, t, case, &w.caseworker_a.gid).await;
        let ds = deadlines_of(&app, t, case).await;
        let early = one(&ds, "early-information-exchange");
        assert_eq!(
            early["sector"], "MUNICIPALITY",
            "one per sector taking part"
        );
        assert_eq!(early["startedAt"], "2026-11-23T09:00:00+01:00");
        assert_eq!(
            early["dueAt"], "2026-12-08T00:00:00+01:00",
            "10 working days"
        );
        assert_eq!(early["responsible"]["id"], w.caseworker_a.gid.as_str());
        assert_eq!(early["nextAction"], "REMINDER");
        assert_eq!(early["nextActionAt"], "2026-12-03T00:00:00+01:00");
    }

    // Three working days ahead the contact is reminded, once per case.
    app.clock.set(cph(2026, 12, 3, 8, 0));
    assert_eq!(sweep(&app).await, 2);
    assert_eq!(sweep(&app).await, 0);

    // The municipality shares its status note on one case: met, on time.
    app.clock.set(cph(2026, 12, 4, 10, 0));
    let _ = record(
        &app,
        ct,
        json!({ "caseId": shared, "kind": "INFORMATION_SHARED", "sector": "MUNICIPALITY" }),
    )
    .await;
    let early = one(
        &deadlines_of(&app, t, &shared).await,
        "early-information-exchange",
    )
    .clone();
    assert_eq!(early["status"], "MET");
    assert_eq!(early["metOnTime"], true);
    assert_eq!(early["nextActionAt"], Value::Null);

    // On the other nothing was shared: at the due time its contact is alerted, and it is
    // missed.
    app.clock
        .set(cph(2026, 12, 8, 0, 0) + TimeDelta::seconds(1));
    assert_eq!(sweep(&app).await, 1);
    let early = one(
        &deadlines_of(&app, t, &silent).await,
        "early-information-exchange",
    )
    .clone();
    assert_eq!(early["status"], "MISSED");
    let alerts: Vec<(NotificationKind, ProfessionalId)> = notification::Entity::find()
        .filter(notification::Column::DeadlineId.eq(key_of(early["id"].str())))
        .order_by_asc(notification::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|n| (n.kind, n.recipient_id))
        .collect();
    assert_eq!(
        alerts,
        [
            (NotificationKind::Reminder, w.caseworker_a.id),
            (NotificationKind::Due, w.caseworker_a.id),
        ]
    );
}
