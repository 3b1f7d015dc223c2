//! The meetings the pathway plans by itself: the start meeting on acceptance, follow-ups
//! after held meetings, transition meetings from the date of birth, and cancellations when
//! the case closes.

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::smtp::SmtpSink;
use kit_tests::world::{World, ops, referral};
use serde_json::{Value, json};

use crate::meetings::MEETING;

const MEETINGS: &str = r"
    query($id: ID!) { case(id: $id) { meetings { id kind status startsAt earliest latest schedulingNote plannedByPathway } } }";

async fn app_with_worker() -> (TestApp, SmtpSink, World) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(url);
    })
    .await;
    let w = World::build(&app).await;
    (app, sink, w)
}

async fn meetings_of(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    app.gql(token, MEETINGS, json!({ "id": case })).await.data()["case"]["meetings"]
        .items()
        .to_vec()
}

async fn wait_meeting(
    app: &TestApp,
    token: &str,
    case: &str,
    what: &str,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, PATIENCE, || async {
        meetings_of(app, token, case)
            .await
            .into_iter()
            .find(|m| pick(m))
    })
    .await
}

#[tokio::test]
async fn acceptance_plans_the_start_meeting_and_held_meetings_plan_follow_ups() {
    let (app, sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Noah").await;
    // Accepted without a responsible contact yet: the start meeting waits for one.
    let start = wait_meeting(&app, t, &case, "a waiting start meeting", |m| {
        m["kind"] == "START"
            && m["schedulingNote"] == "waiting for a responsible contact to organize the meeting"
    })
    .await;
    assert_eq!(start["plannedByPathway"], true);
    assert_eq!(start["status"], "PLANNED");
    // Within 20 working days of acceptance: by Monday 21 December.
    assert_eq!(start["latest"], "2026-12-22T00:00:00+01:00");
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let start = wait_meeting(&app, t, &case, "the start meeting scheduled", |m| {
        m["kind"] == "START" && m["status"] == "SCHEDULED"
    })
    .await;
    assert_eq!(start["startsAt"], "2026-11-30T08:00:00+01:00");
    let sent = sink.wait_for(1, PATIENCE).await;
    assert_eq!(sent[0].rcpt_to, ["caseworker.a@kit.test"]);

    // Held → the next follow-up three months later.
    let held = r#"mutation($id: ID!) { recordMeetingHeld(input: { meetingId: $id, minutes: "Aftaler: skolen tilpasser skemaet." }) { meeting { status } } }"#;
    let start_id = start["id"].clone();
    // Not before it has taken place, and nothing is planned from the attempt.
    app.gql(&w.caseworker_a.token, held, json!({ "id": start_id }))
        .await
        .assert_error("CONFLICT", None);
    assert!(
        meetings_of(&app, t, &case)
            .await
            .iter()
            .all(|m| m["kind"] != "FOLLOW_UP")
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let r = app
        .gql(&w.caseworker_a.token, held, json!({ "id": start_id }))
        .await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
    let follow_up = wait_meeting(&app, t, &case, "a scheduled follow-up", |m| {
        m["kind"] == "FOLLOW_UP" && m["status"] == "SCHEDULED"
    })
    .await;
    assert_eq!(
        follow_up["earliest"], "2027-02-28T00:00:00+01:00",
        "3 months after 30 November"
    );
    assert_eq!(
        follow_up["startsAt"], "2027-03-01T08:00:00+01:00",
        "the first working day in the window"
    );
    // Recording a meeting held twice is refused; recording it again does not plan twice.
    app.gql(&w.caseworker_a.token, held, json!({ "id": start_id }))
        .await
        .assert_error("CONFLICT", None);

    // Once a closing meeting is requested, held follow-ups plan nothing more.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-03-01T10:00:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let closing = json!({ "input": { "caseId": case, "kind": "CLOSING", "invitees": [], "durationMinutes": 60, "latest": "2027-06-30T16:00:00+02:00" } });
    let _ = app
        .gql(&w.caseworker_a.token, crate::meetings::REQUEST, closing)
        .await
        .data();
    let _ = app
        .gql(
            &w.caseworker_a.token,
            held,
            json!({ "id": follow_up["id"] }),
        )
        .await
        .data();
    let _ = wait_meeting(&app, t, &case, "the closing meeting scheduled", |m| {
        m["kind"] == "CLOSING" && m["status"] == "SCHEDULED"
    })
    .await;
    let follow_ups = meetings_of(&app, t, &case)
        .await
        .into_iter()
        .filter(|m| m["kind"] == "FOLLOW_UP")
        .count();
    assert_eq!(follow_ups, 1);

    // Closing the case calls off what is still ahead.
    let r = app
        .gql(&w.caseworker_a.token, ops::CLOSE, json!({ "id": case }))
        .await;
    assert_eq!(r.data()["closeCase"]["case"]["status"], "CLOSED");
    let all = meetings_of(&app, t, &case).await;
    assert!(
        all.iter()
            .filter(|m| m["kind"] == "CLOSING")
            .all(|m| m["status"] == "CANCELLED")
    );
    let closing_id = all
        .iter()
        .find(|m| m["kind"] == "CLOSING")
        .map(|m| m["id"].clone())
        .unwrap_or_else(|| panic!("no closing meeting"));
    let closing = app
        .gql(&w.caseworker_a.token, MEETING, json!({ "id": closing_id }))
        .await;
    let methods: Vec<Value> = closing.data()["meeting"]["deliveries"]
        .items()
        .iter()
        .map(|d| d["method"].clone())
        .collect();
    assert_eq!(methods, [json!("REQUEST"), json!("CANCEL")]);
}

#[tokio::test]
async fn a_young_person_turning_16_this_month_gets_a_transition_meeting() {
    let (app, _sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let mut input = referral(&w.municipality_a, "Alma");
    input["child"]["dateOfBirth"] = json!("2010-11-30");
    let case = app.submit_referral(t, input).await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    app.accept(t, &case).await;
    let transition = wait_meeting(&app, t, &case, "the transition meeting", |m| {
        m["kind"] == "TRANSITION" && m["status"] == "SCHEDULED"
    })
    .await;
    let starts = transition["startsAt"].str();
    assert!(
        starts.starts_with("2026-11-30T"),
        "in the month of the 16th birthday: {starts}"
    );
    assert_eq!(transition["latest"], "2026-12-01T00:00:00+01:00");
    let kinds: Vec<Value> = meetings_of(&app, t, &case)
        .await
        .iter()
        .map(|m| m["kind"].clone())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "TRANSITION").count(),
        1,
        "the 17½ meeting comes later: {kinds:?}"
    );
}

/// The START meeting's invitees: (participant id, requirement).
async fn start_invitees(app: &TestApp, token: &str, case: &str) -> Vec<(String, String)> {
    let start = wait_meeting(app, token, case, "the start meeting scheduled", |m| {
        m["kind"] == "START" && m["status"] == "SCHEDULED"
    })
    .await;
    let m = app.gql(token, MEETING, json!({ "id": start["id"] })).await;
    m.data()["meeting"]["invitees"]
        .items()
        .to_vec()
        .iter()
        .map(|i| {
            (
                i["participant"]["id"].str().to_owned(),
                i["requirement"].str().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_responsible_contact_is_invited_to_the_pathway_meetings_ahead_whenever_assigned() {
    let (app, _sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let assign = |case: String, who: String| {
        let app = &app;
        async move {
            app.gql(t, ops::ASSIGN, json!({ "case": case, "p": who }))
                .await
                .data()["assignResponsibleContact"]["responsibleContact"]["id"]
                .str()
                .to_owned()
        }
    };

    // After the scheduler has placed the start meeting: psychiatry's contact is added to it.
    let late = app.active_case(t, &w.municipality_a, "Otto").await;
    let municipal = assign(late.clone(), w.caseworker_a.gid.clone()).await;
    let before = start_invitees(&app, t, &late).await;
    assert_eq!(before, [(municipal.clone(), "REQUIRED".to_owned())]);
    let psychiatry = assign(late.clone(), w.psychiatrist.gid.clone()).await;
    let after = start_invitees(&app, t, &late).await;
    assert!(
        after.contains(&(psychiatry.clone(), "REQUIRED".to_owned())),
        "{after:?}"
    );
    let m = wait_meeting(&app, t, &late, "the start meeting", |m| {
        m["kind"] == "START"
    })
    .await;
    let m = app.gql(t, MEETING, json!({ "id": m["id"] })).await;
    let to_psychiatrist: Vec<Value> = m.data()["meeting"]["deliveries"]
        .items()
        .to_vec()
        .into_iter()
        .filter(|d| d["recipient"] == "psychiatrist@kit.test")
        .collect();
    assert_eq!(
        to_psychiatrist.len(),
        1,
        "her invitation: {to_psychiatrist:?}"
    );
    assert_eq!(to_psychiatrist[0]["method"], "REQUEST");

    // Assigned back to back, whenever the scheduler happens to run: both, every time.
    let mut cases = Vec::new();
    for name in ["Pia", "Rune", "Sara", "Tobias", "Uma"] {
        let case = app.active_case(t, &w.municipality_a, name).await;
        let a = assign(case.clone(), w.caseworker_a.gid.clone());
        let b = assign(case.clone(), w.psychiatrist.gid.clone());
        let (a, b) = tokio::join!(a, b);
        cases.push((case, a, b));
    }
    for (case, a, b) in cases {
        let invited = start_invitees(&app, t, &case).await;
        for contact in [a, b] {
            assert!(
                invited.contains(&(contact.clone(), "REQUIRED".to_owned())),
                "{case}: {contact} in {invited:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_meeting_held_earlier_than_planned_is_rescheduled_before_it_is_recorded_held() {
    let (app, _sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Vera").await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let start = wait_meeting(&app, t, &case, "the start meeting scheduled", |m| {
        m["kind"] == "START" && m["status"] == "SCHEDULED"
    })
    .await;
    let ct = &w.caseworker_a.token;
    let held = r#"mutation($id: ID!) { recordMeetingHeld(input: { meetingId: $id, minutes: "Holdt." }) { meeting { status } } }"#;
    let r = app.gql(ct, held, json!({ "id": start["id"] })).await;
    r.assert_error("CONFLICT", None);
    assert!(
        r.message().contains("has not started yet"),
        "{}",
        r.message()
    );
    // It took place this morning after all: moved to then, it can be recorded.
    let reschedule = r"mutation($id: ID!, $at: DateTime!) { rescheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { status startsAt } } }";
    let _ = app
        .gql(
            ct,
            reschedule,
            json!({ "id": start["id"], "at": "2026-11-23T08:00:00+01:00" }),
        )
        .await
        .data();
    let r = app.gql(ct, held, json!({ "id": start["id"] })).await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
}

/// Fails when anyone a scheduled meeting requires — a required invitee or its organizer, as
/// whoever they are in any case — is in two scheduled meetings that overlap.
async fn assert_no_one_in_two_meetings_at_once(app: &TestApp) {
    use kit_entity::domain::enums::MeetingStatus;
    use kit_entity::entities::{meeting, meeting_invitee, participant};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use std::collections::{BTreeSet, HashMap};
    let db = app.db();
    let fail = |e: sea_orm::DbErr| -> ! { panic!("{e}") };
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .all(db)
        .await
        .unwrap_or_else(|e| fail(e));
    let people: HashMap<i64, String> = participant::Entity::find()
        .all(db)
        .await
        .unwrap_or_else(|e| fail(e))
        .into_iter()
        .map(|p| {
            let who = match (p.professional_id, p.family_member_id) {
                (Some(id), _) => format!("professional {}", id.0),
                (None, Some(id)) => format!("family member {}", id.0),
                (None, None) => format!("participant {}", p.id.0),
            };
            (p.id.0, who)
        })
        .collect();
    let mut required: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for i in meeting_invitee::Entity::find()
        .filter(meeting_invitee::Column::RemovedAt.is_null())
        .filter(meeting_invitee::Column::Required.eq(true))
        .all(db)
        .await
        .unwrap_or_else(|e| fail(e))
    {
        if let Some(who) = people.get(&i.participant_id.0) {
            required
                .entry(i.meeting_id.0)
                .or_default()
                .insert(who.clone());
        }
    }
    for m in &meetings {
        if let Some(o) = m.organizer_id
            && let Some(who) = people.get(&o.0)
        {
            required.entry(m.id.0).or_default().insert(who.clone());
        }
    }
    for (n, a) in meetings.iter().enumerate() {
        for b in &meetings[n + 1..] {
            let (Some(a0), Some(a1), Some(b0), Some(b1)) =
                (a.starts_at, a.ends_at, b.starts_at, b.ends_at)
            else {
                continue;
            };
            if a0 < b1 && b0 < a1 {
                let none = BTreeSet::new();
                let both: Vec<&String> = required
                    .get(&a.id.0)
                    .unwrap_or(&none)
                    .intersection(required.get(&b.id.0).unwrap_or(&none))
                    .collect();
                assert!(
                    both.is_empty(),
                    "{both:?} required at meetings {} ({a0}–{a1}) and {} ({b0}–{b1}) at once",
                    a.id.0,
                    b.id.0
                );
            }
        }
    }
}

/// Many cases taken in at once on the embedded default (SQLite, the worker in the process at
/// its default concurrency): two caseworkers' start meetings land on the same hours, then
/// child psychiatry's contact joins every case. Nobody is ever required in two meetings at
/// the same time: a start meeting booked at an hour she is taken moves to one everyone can
/// make.
#[tokio::test]
async fn cases_taken_in_at_once_never_put_anyone_in_two_meetings_at_the_same_time() {
    let (app, _sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let mut cases = Vec::new();
    for i in 0..6 {
        let case = app
            .active_case(t, &w.municipality_a, &format!("Barn Nr {i}"))
            .await;
        let municipal = if i % 2 == 0 {
            &w.caseworker_a
        } else {
            &w.caseworker2_a
        };
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": municipal.gid }))
            .await
            .data();
        cases.push(case);
    }
    for case in &cases {
        let _ = start_invitees(&app, t, case).await;
    }
    assert_no_one_in_two_meetings_at_once(&app).await;
    let mut contacts = Vec::new();
    for case in &cases {
        let r = app
            .gql(
                t,
                ops::ASSIGN,
                json!({ "case": case, "p": w.psychiatrist.gid }),
            )
            .await;
        contacts.push(
            r.data()["assignResponsibleContact"]["responsibleContact"]["id"]
                .str()
                .to_owned(),
        );
    }
    for (case, contact) in cases.iter().zip(&contacts) {
        let invited = start_invitees(&app, t, case).await;
        assert!(
            invited.contains(&(contact.clone(), "REQUIRED".to_owned())),
            "{case}: {contact} in {invited:?}"
        );
    }
    assert_no_one_in_two_meetings_at_once(&app).await;
}

/// A responsible contact assigned to a case whose start meeting is booked at an hour they
/// already have another meeting: the meeting moves to a time everyone can make, and everyone
/// invited before gets the update with the next SEQUENCE.
#[tokio::test]
async fn a_contact_taken_at_the_booked_hour_moves_the_start_meeting_to_one_everyone_can_make() {
    let (app, sink, w) = app_with_worker().await;
    let t = &w.intake_a.token;
    let mut starts = Vec::new();
    for (name, contact) in [("Ida", &w.caseworker_a), ("Jon", &w.caseworker2_a)] {
        let case = app.active_case(t, &w.municipality_a, name).await;
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": contact.gid }))
            .await
            .data();
        let m = wait_meeting(&app, t, &case, "the start meeting scheduled", |m| {
            m["kind"] == "START" && m["status"] == "SCHEDULED"
        })
        .await;
        starts.push((case, m));
    }
    let (first, second) = (&starts[0], &starts[1]);
    assert_eq!(
        first.1["startsAt"], second.1["startsAt"],
        "two caseworkers' first free hour is the same"
    );
    for (case, _) in &starts {
        let _ = app
            .gql(
                t,
                ops::ASSIGN,
                json!({ "case": case, "p": w.psychiatrist.gid }),
            )
            .await
            .data();
    }
    let ct = &w.caseworker2_a.token;
    let moved = app.gql(ct, MEETING, json!({ "id": second.1["id"] })).await;
    let moved = moved.data()["meeting"].clone();
    assert_ne!(moved["startsAt"], second.1["startsAt"], "{moved}");
    assert_eq!(moved["status"], "SCHEDULED");
    assert!(moved["sequence"].as_i64() >= Some(1), "{moved}");
    let invitee_of = |email: &str| {
        moved["deliveries"]
            .items()
            .iter()
            .filter(|d| d["recipient"] == email && d["method"] == "REQUEST")
            .map(|d| d["sequence"].as_i64().unwrap_or(-1))
            .max()
    };
    assert_eq!(
        invitee_of("caseworker2.a@kit.test"),
        moved["sequence"].as_i64(),
        "the caseworker invited first gets the move: {moved}"
    );
    assert_eq!(
        invitee_of("psychiatrist@kit.test"),
        moved["sequence"].as_i64()
    );
    assert_no_one_in_two_meetings_at_once(&app).await;
    let _ = sink;
}

/// A case accepted by the committee with units named as taking part: the start meeting is
/// planned with them; the municipality's contact assigned afterwards organizes it and is
/// invited to it, as required, with an invitation in their calendar.
#[tokio::test]
async fn the_contact_assigned_after_a_committee_acceptance_is_invited_to_the_start_meeting() {
    let (app, _sink, w) = app_with_worker().await;
    let it = &w.intake_a.token;
    let case = app.refer(it, &w.municipality_a, "Kaja Lund").await;
    let r = app
        .gql(
            it,
            r"mutation($input: ScheduleCommitteeMeetingInput!) {
                scheduleCommitteeMeeting(input: $input) { committeeMeeting { agenda { id } } } }",
            json!({ "input": { "municipalityId": w.municipality_a,
                "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 60,
                "memberIds": [w.ppr_a.gid], "caseIds": [case] } }),
        )
        .await;
    let item = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"]["agenda"][0]["id"].clone();
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-26T14:00:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    let _ = app
        .gql(
            it,
            r"mutation($input: RecordCommitteeDecisionInput!) {
                recordCommitteeDecision(input: $input) { agendaItem { decision } } }",
            json!({ "input": { "agendaItemId": item, "decision": "ACCEPTED",
                "participantIds": [w.ppr_a.gid, w.psychiatrist.gid] } }),
        )
        .await
        .data();
    // The pathway plans the start meeting with the units taking part; it waits for a contact.
    let _ = wait_meeting(&app, it, &case, "the start meeting planned", |m| {
        m["kind"] == "START"
            && m["schedulingNote"] == "waiting for a responsible contact to organize the meeting"
    })
    .await;
    let contact = app
        .gql(
            it,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned();
    let invited = start_invitees(&app, it, &case).await;
    assert!(
        invited.contains(&(contact.clone(), "REQUIRED".to_owned())),
        "{contact} in {invited:?}"
    );
    let start = wait_meeting(&app, it, &case, "the start meeting", |m| {
        m["kind"] == "START"
    })
    .await;
    let m = app
        .gql(&w.caseworker_a.token, MEETING, json!({ "id": start["id"] }))
        .await;
    let meeting = m.data()["meeting"].clone();
    assert_eq!(meeting["organizer"]["id"], contact.as_str(), "{meeting}");
    assert!(
        meeting["deliveries"]
            .items()
            .iter()
            .any(|d| d["recipient"] == "caseworker.a@kit.test" && d["method"] == "REQUEST"),
        "the organizer's invitation: {meeting}"
    );
}
