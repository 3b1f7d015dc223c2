//! The single entry point's coordination committee: referrals from the inbox on a committee
//! meeting's agenda, invitations naming cases by reference only, and a decision on each —
//! accepted with the units that take part, redirected to an early intervention's waiting
//! list, or rejected with a reason — each meeting the intake deadline.

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::world::World;
use serde_json::{Value, json};

const SCHEDULE: &str = r"mutation($input: ScheduleCommitteeMeetingInput!) {
    scheduleCommitteeMeeting(input: $input) { committeeMeeting { id members { name }
        agenda { id position caseReference waitedDays decision } } } }";
const DECIDE: &str = r"mutation($input: RecordCommitteeDecisionInput!) {
    recordCommitteeDecision(input: $input) { agendaItem { decision reason decidedBy { name }
        offer { name } } } }";
const CASE: &str = r"query($id: ID!) { case(id: $id) { status reference
    participants { role professional { name } }
    deadlines { ruleCode status }
    waitingListEntries { status position offer { name } } } }";
const INBOX: &str = r"query($m: ID!) { inbox(municipalityId: $m) { totalCount } }";

/// The application with its worker, a real SMTP server and the iTIP reply gateway, and the
/// test world.
async fn with_worker() -> (kit_tests::smtp::SmtpSink, TestApp, World) {
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(smtp);
        c.settings.worker_poll_ms = 50;
        c.itip_secret = Some("gateway-secret".into());
    })
    .await;
    let w = World::build(&app).await;
    (sink, app, w)
}

#[tokio::test]
async fn the_committee_decides_on_every_referral_of_its_agenda_and_meets_the_intake_deadline() {
    let (sink, app, w) = with_worker().await;
    let it = &w.intake_a.token;
    let names = ["Alma Dahl", "Bo Eriksen", "Carla Frost"];
    let mut cases = Vec::new();
    for name in names {
        cases.push(app.refer(&w.intake_a.token, &w.municipality_a, name).await);
    }
    let offer = crate::catalogue::create_offer(&app, &w, "Cool Kids", (7, 17), 8).await;
    let r = app.gql(it, INBOX, json!({ "m": w.municipality_a })).await;
    assert_eq!(r.data()["inbox"]["totalCount"], 3);

    // Only the intake unit calls the committee; the agenda holds referrals still waiting.
    let input = |cases: Value| {
        json!({ "input": { "municipalityId": w.municipality_a,
            "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 90,
            "location": "Rådhuset, mødelokale 2",
            "memberIds": [w.ppr_a.gid, w.psychiatrist.gid, w.caseworker_a.gid],
            "caseIds": cases } })
    };
    app.gql(&w.caseworker_a.token, SCHEDULE, input(json!(cases)))
        .await
        .assert_error("FORBIDDEN", None);
    app.gql(it, SCHEDULE, input(json!([])))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.caseIds"));
    app.gql(it, SCHEDULE, input(json!([cases[0], cases[0]])))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.caseIds.1"));
    let r = app.gql(it, SCHEDULE, input(json!(cases))).await;
    let meeting = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"].clone();
    assert_eq!(
        meeting["members"].items().len(),
        4,
        "the caller sits on it too"
    );
    let agenda = meeting["agenda"].items().to_vec();
    assert_eq!(agenda.len(), 3);
    assert!(agenda.iter().all(|a| a["decision"].is_null()));

    // The invitation names the cases by reference, never the children.
    let to = "psychiatrist@kit.test";
    let mail = eventually("the committee invitation", PATIENCE, || async {
        sink.messages()
            .into_iter()
            .find(|m| m.rcpt_to.iter().any(|r| r == to))
    })
    .await;
    let text = kit_tests::mail::Invite::parse(&mail).unfolded();
    for a in &agenda {
        assert!(text.contains(a["caseReference"].str()), "{text}");
    }
    for name in names {
        for part in name.split(' ') {
            assert!(!text.contains(part), "{part} in the invitation: {text}");
        }
    }
    assert!(text.contains("Koordinationsudvalgsmøde"));
    // A member outside the intake unit sees the meeting, references only.
    let r = app
        .gql(
            &w.psychiatrist.token,
            "query($id: ID!) { node(id: $id) { ... on CommitteeMeeting { agenda { caseReference case { id } } } } }",
            json!({ "id": meeting["id"] }),
        )
        .await;
    let seen = r.data()["node"]["agenda"].items();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|a| a["case"].is_null()));

    // Decisions are the committee's: recorded at or after its meeting, not before.
    let early = app
        .gql(
            it,
            DECIDE,
            json!({ "input": { "agendaItemId": agenda[2]["id"], "decision": "REJECTED",
                "reason": "Afgjort på forhånd" } }),
        )
        .await;
    early.assert_error("CONFLICT", None);
    assert!(
        early.message().contains("at or after the meeting"),
        "{}",
        early.message()
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-26T14:00:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    let decide = |item: &Value, extra: Value| {
        let mut input = json!({ "agendaItemId": item["id"] });
        if let (Some(target), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        json!({ "input": input })
    };

    // 1: accepted, with PPR and child psychiatry taking part.
    let r = app
        .gql(
            it,
            DECIDE,
            decide(
                &agenda[0],
                json!({ "decision": "ACCEPTED", "participantIds": [w.ppr_a.gid, w.psychiatrist.gid] }),
            ),
        )
        .await;
    assert_eq!(
        r.data()["recordCommitteeDecision"]["agendaItem"]["decision"],
        "ACCEPTED"
    );
    let r = app.gql(it, CASE, json!({ "id": cases[0] })).await;
    let case = &r.data()["case"];
    assert_eq!(case["status"], "ACTIVE");
    let mut taking_part: Vec<&str> = case["participants"]
        .items()
        .iter()
        .filter(|p| p["role"] == "PROFESSIONAL")
        .map(|p| p["professional"]["name"].str())
        .collect();
    taking_part.sort_unstable();
    assert_eq!(taking_part, ["ppr a", "psychiatrist"]);
    let intake: Vec<(&str, &str)> = case["deadlines"]
        .items()
        .iter()
        .map(|d| (d["ruleCode"].str(), d["status"].str()))
        .filter(|(code, _)| *code == "intake-decision")
        .collect();
    assert_eq!(intake, [("intake-decision", "MET")]);
    app.gql(
        it,
        DECIDE,
        decide(&agenda[0], json!({ "decision": "REJECTED", "reason": "x" })),
    )
    .await
    .assert_error("CONFLICT", None);

    // 2: redirected to Cool Kids: on its waiting list.
    app.gql(
        it,
        DECIDE,
        decide(&agenda[1], json!({ "decision": "REDIRECTED" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.offerId"));
    let r = app
        .gql(
            it,
            DECIDE,
            decide(
                &agenda[1],
                json!({ "decision": "REDIRECTED", "offerId": offer }),
            ),
        )
        .await;
    assert_eq!(
        r.data()["recordCommitteeDecision"]["agendaItem"]["offer"]["name"],
        "Cool Kids"
    );
    let r = app.gql(it, CASE, json!({ "id": cases[1] })).await;
    let case = &r.data()["case"];
    assert_eq!(case["status"], "REDIRECTED");
    assert_eq!(
        case["waitingListEntries"],
        json!([{ "status": "WAITING", "position": 1, "offer": { "name": "Cool Kids" } }])
    );
    assert!(
        case["deadlines"]
            .items()
            .iter()
            .any(|d| d["ruleCode"] == "intake-decision" && d["status"] == "MET"),
        "{case}"
    );

    // 3: rejected, with a reason.
    app.gql(
        it,
        DECIDE,
        decide(&agenda[2], json!({ "decision": "REJECTED" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.reason"));
    let r = app
        .gql(
            it,
            DECIDE,
            decide(
                &agenda[2],
                json!({ "decision": "REJECTED", "reason": "Bekymringen hører under sundhedsplejen" }),
            ),
        )
        .await;
    let item = &r.data()["recordCommitteeDecision"]["agendaItem"];
    assert_eq!(item["decision"], "REJECTED");
    assert_eq!(item["decidedBy"]["name"], "intake a");
    let r = app.gql(it, CASE, json!({ "id": cases[2] })).await;
    assert_eq!(r.data()["case"]["status"], "REJECTED");

    // The inbox is empty; someone of another municipality cannot record a decision.
    let r = app.gql(it, INBOX, json!({ "m": w.municipality_a })).await;
    assert_eq!(r.data()["inbox"]["totalCount"], 0);
    app.gql(
        &w.intake_b.token,
        DECIDE,
        decide(&agenda[2], json!({ "decision": "ACCEPTED" })),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.agendaItemId"));
}

#[tokio::test]
async fn a_committee_meeting_moves_or_is_called_off_and_every_member_is_told() {
    let (sink, app, w) = with_worker().await;
    let it = &w.intake_a.token;
    let case = app.refer(it, &w.municipality_a, "Dina Holt").await;
    let r = app
        .gql(
            it,
            SCHEDULE,
            json!({ "input": { "municipalityId": w.municipality_a,
                "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 60,
                "memberIds": [w.ppr_a.gid], "caseIds": [case] } }),
        )
        .await;
    let meeting = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"].clone();
    let methods_to = |to: &'static str| {
        let sink = &sink;
        move || {
            sink.messages()
                .iter()
                .filter(|m| m.rcpt_to.iter().any(|r| r == to))
                .map(|m| {
                    let invite = kit_tests::mail::Invite::parse(m);
                    (invite.method(), invite.event().1)
                })
                .collect::<Vec<_>>()
        }
    };
    let ppr = methods_to("ppr.a@kit.test");
    eventually("the invitation", PATIENCE, || async {
        (ppr().len() == 1).then_some(())
    })
    .await;

    // The deprecated `id` still names the meeting for a release (`committeeMeetingId` is its
    // new name; cancelling below uses it).
    let move_to = |at: &str| json!({ "input": { "id": meeting["id"], "startsAt": at, "location": "Rådhuset, lokale 4" } });
    const MOVE: &str = r"mutation($input: RescheduleCommitteeMeetingInput!) {
        rescheduleCommitteeMeeting(input: $input) { committeeMeeting { startsAt endsAt location sequence status } } }";
    app.gql(
        &w.caseworker_a.token,
        MOVE,
        move_to("2026-11-27T09:00:00+01:00"),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.id"));
    app.gql(it, MOVE, move_to("2026-11-20T09:00:00+01:00"))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.startsAt"));
    let r = app
        .gql(it, MOVE, move_to("2026-11-27T09:00:00+01:00"))
        .await;
    let moved = &r.data()["rescheduleCommitteeMeeting"]["committeeMeeting"];
    assert_eq!(
        moved["endsAt"], "2026-11-27T10:00:00+01:00",
        "the length is kept"
    );
    assert_eq!(
        (moved["sequence"].i64(), moved["status"].str()),
        (1, "SCHEDULED")
    );
    eventually("the update", PATIENCE, || async {
        (ppr() == [("REQUEST".to_owned(), 0), ("REQUEST".to_owned(), 1)]).then_some(())
    })
    .await;

    let r = app
        .gql(
            it,
            r"mutation($id: ID!) { cancelCommitteeMeeting(input: { committeeMeetingId: $id }) { committeeMeeting { status sequence agenda { id } } } }",
            json!({ "id": meeting["id"] }),
        )
        .await;
    let cancelled = &r.data()["cancelCommitteeMeeting"]["committeeMeeting"];
    assert_eq!(
        (cancelled["status"].str(), cancelled["sequence"].i64()),
        ("CANCELLED", 2)
    );
    eventually("the cancellation", PATIENCE, || async {
        ppr().contains(&("CANCEL".to_owned(), 2)).then_some(())
    })
    .await;
    // Its referral waits for the next meeting: no decision on a cancelled meeting.
    app.gql(
        it,
        DECIDE,
        json!({ "input": { "agendaItemId": cancelled["agenda"][0]["id"], "decision": "REJECTED", "reason": "x" } }),
    )
    .await
    .assert_error("CONFLICT", None);
    let r = app.gql(it, INBOX, json!({ "m": w.municipality_a })).await;
    assert_eq!(r.data()["inbox"]["totalCount"], 1);
    app.gql(it, MOVE, move_to("2026-11-28T09:00:00+01:00"))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test]
async fn a_redirect_outside_the_catalogue_closes_its_agenda_item() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let it = &w.intake_a.token;
    let case = app.refer(it, &w.municipality_a, "Dagmar Holm").await;
    let offer = crate::catalogue::create_offer(&app, &w, "Cool Kids", (7, 17), 8).await;
    let r = app
        .gql(
            it,
            SCHEDULE,
            json!({ "input": { "municipalityId": w.municipality_a,
                "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 60,
                "memberIds": [w.ppr_a.gid], "caseIds": [case] } }),
        )
        .await;
    let item = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"]["agenda"][0]["id"].clone();
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-26T13:30:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    let redirect = |extra: Value| {
        let mut input = json!({ "agendaItemId": item, "decision": "REDIRECTED" });
        if let (Some(target), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        json!({ "input": input })
    };
    app.gql(
        it,
        DECIDE,
        redirect(json!({ "offerId": offer, "redirectedTo": "Familiebehandling" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.redirectedTo"));
    app.gql(it, DECIDE, redirect(json!({ "redirectedTo": "" })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.redirectedTo"));
    let r = app
        .gql(
            it,
            r"mutation($input: RecordCommitteeDecisionInput!) {
                recordCommitteeDecision(input: $input) { agendaItem { decision redirectedTo offer { name } } } }",
            redirect(json!({ "redirectedTo": "Familiebehandling i Familieafdelingen" })),
        )
        .await;
    assert_eq!(
        r.data()["recordCommitteeDecision"]["agendaItem"],
        json!({ "decision": "REDIRECTED", "redirectedTo": "Familiebehandling i Familieafdelingen", "offer": null })
    );
    let r = app
        .gql(
            it,
            "query($id: ID!) { case(id: $id) { status redirectedTo waitingListEntries { status } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(
        r.data()["case"],
        json!({ "status": "REDIRECTED", "redirectedTo": "Familiebehandling i Familieafdelingen",
            "waitingListEntries": [] })
    );
}

#[tokio::test]
async fn a_called_committee_meetings_members_and_agenda_change_with_an_update_to_everyone() {
    let (sink, app, w) = with_worker().await;
    let it = &w.intake_a.token;
    let mut cases = Vec::new();
    for name in ["Ea Lund", "Frej Mose", "Gry Nørup"] {
        cases.push(app.refer(it, &w.municipality_a, name).await);
    }
    let r = app
        .gql(
            it,
            SCHEDULE,
            json!({ "input": { "municipalityId": w.municipality_a,
                "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 60,
                "memberIds": [w.ppr_a.gid, w.psychiatrist.gid], "caseIds": [cases[0], cases[1]] } }),
        )
        .await;
    let meeting = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"]["id"].clone();
    const CHANGE: &str = r"mutation($input: ChangeCommitteeMeetingInput!) {
        changeCommitteeMeeting(input: $input) { committeeMeeting { sequence
            members { name } agenda { position caseReference } } } }";
    let change = |extra: Value| {
        let mut input = json!({ "committeeMeetingId": meeting });
        if let (Some(target), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        json!({ "input": input })
    };
    app.gql(it, CHANGE, change(json!({})))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.addMemberIds"));
    app.gql(
        it,
        CHANGE,
        change(json!({ "removeMemberIds": [w.intake_a.gid] })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.removeMemberIds.0"));
    app.gql(
        it,
        CHANGE,
        change(json!({ "removeCaseIds": [cases[0], cases[1]] })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.removeCaseIds"));
    app.gql(
        &w.caseworker_a.token,
        CHANGE,
        change(json!({ "addMemberIds": [w.caseworker_a.gid] })),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.committeeMeetingId"));

    // The caseworker joins, the psychiatrist leaves; the third referral joins the agenda and
    // the first leaves it.
    let r = app
        .gql(
            it,
            CHANGE,
            change(json!({ "addMemberIds": [w.caseworker_a.gid],
                "removeMemberIds": [w.psychiatrist.gid],
                "addCaseIds": [cases[2]], "removeCaseIds": [cases[0]] })),
        )
        .await;
    let changed = &r.data()["changeCommitteeMeeting"]["committeeMeeting"];
    assert_eq!(changed["sequence"], 1);
    let mut members: Vec<&str> = changed["members"]
        .items()
        .iter()
        .map(|m| m["name"].str())
        .collect();
    members.sort_unstable();
    assert_eq!(members, ["caseworker a", "intake a", "ppr a"]);
    let positions: Vec<i64> = changed["agenda"]
        .items()
        .iter()
        .map(|a| a["position"].i64())
        .collect();
    assert_eq!(changed["agenda"].items().len(), 2);
    assert!(positions.windows(2).all(|p| p[0] < p[1]));

    // Every member has the update at SEQUENCE 1; the psychiatrist a cancellation.
    let last_to = |to: &'static str| {
        let sink = &sink;
        move || {
            sink.messages()
                .iter()
                .filter(|m| m.rcpt_to.iter().any(|r| r == to))
                .map(|m| {
                    let invite = kit_tests::mail::Invite::parse(m);
                    (invite.method(), invite.event().1)
                })
                .find(|(_, seq)| *seq == 1)
        }
    };
    for (to, method) in [
        ("ppr.a@kit.test", "REQUEST"),
        ("caseworker.a@kit.test", "REQUEST"),
        ("intake.a@kit.test", "REQUEST"),
        ("psychiatrist@kit.test", "CANCEL"),
    ] {
        let got = eventually(&format!("{to}'s message"), PATIENCE, || async {
            last_to(to)()
        })
        .await;
        assert_eq!(got, (method.to_owned(), 1), "{to}");
    }

    // Once it has started, its members and agenda stay as they are.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-26T13:05:00+01:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    app.gql(it, CHANGE, change(json!({ "removeCaseIds": [cases[1]] })))
        .await
        .assert_error("CONFLICT", None);
}

#[tokio::test]
async fn members_answer_the_committees_invitation_and_the_intake_unit_sees_who_comes() {
    let (sink, app, w) = with_worker().await;
    let it = &w.intake_a.token;
    let case = app.refer(it, &w.municipality_a, "Hugo Ibsen").await;
    let r = app
        .gql(
            it,
            SCHEDULE,
            json!({ "input": { "municipalityId": w.municipality_a,
                "startsAt": "2026-11-26T13:00:00+01:00", "durationMinutes": 60,
                "memberIds": [w.ppr_a.gid, w.caseworker_a.gid, w.psychiatrist.gid], "caseIds": [case] } }),
        )
        .await;
    let meeting = r.data()["scheduleCommitteeMeeting"]["committeeMeeting"]["id"].clone();
    const ATTENDANCE: &str = r"query($id: ID!) { node(id: $id) { ... on CommitteeMeeting {
        attendance { member { name } response respondedAt invitationStatus } } } }";
    let attendance = || async {
        app.gql(it, ATTENDANCE, json!({ "id": meeting }))
            .await
            .data()["node"]["attendance"]
            .items()
            .iter()
            .map(|a| {
                (
                    a["member"]["name"].str().to_owned(),
                    a["response"].str().to_owned(),
                    a["invitationStatus"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    // Every invitation sent; the intake member who called it comes.
    eventually("the invitations sent", PATIENCE, || async {
        let seen = attendance().await;
        seen.iter().all(|(_, _, s)| s == "SENT").then_some(())
    })
    .await;
    let seen = attendance().await;
    assert!(
        seen.contains(&("intake a".into(), "ACCEPTED".into(), "SENT".into())),
        "{seen:?}"
    );

    // PPR answers in the product; someone who does not sit on it cannot.
    const RESPOND: &str = r"mutation($id: ID!, $r: InviteeResponse!) {
        respondToCommitteeInvitation(input: { committeeMeetingId: $id, response: $r }) {
            committeeMeeting { id } } }";
    let r = app
        .gql(
            &w.ppr_a.token,
            RESPOND,
            json!({ "id": meeting, "r": "ACCEPTED" }),
        )
        .await;
    assert_eq!(
        r.data()["respondToCommitteeInvitation"]["committeeMeeting"]["id"],
        meeting
    );
    app.gql(
        &w.caseworker2_a.token,
        RESPOND,
        json!({ "id": meeting, "r": "ACCEPTED" }),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.committeeMeetingId"));
    app.gql(
        &w.ppr_a.token,
        RESPOND,
        json!({ "id": meeting, "r": "NEEDS_ACTION" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.response"));

    // The caseworker declines from Outlook: the organizer's mailbox forwards the REPLY.
    let key = kit_tests::harness::key_of(meeting.as_str().unwrap_or_default());
    let reply = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\nMETHOD:REPLY\r\n\
BEGIN:VEVENT\r\nUID:committee-{key}@kit\r\nSEQUENCE:0\r\nDTSTAMP:20261124T100000Z\r\n\
ATTENDEE;PARTSTAT=DECLINED;CN=caseworker a:mailto:Caseworker.A@kit.test\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;CN=Someone:mailto:someone@example.dk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let applied: Value = reqwest::Client::new()
        .post(app.url("/calendar/reply"))
        .bearer_auth("gateway-secret")
        .header("content-type", "text/calendar")
        .body(reply)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(applied["applied"], 1, "{applied}");
    assert_eq!(
        applied["ignored"][0]["reason"],
        "no invitation to this attendee was sent"
    );
    // The psychiatrist answers by the link in her invitation, without logging in.
    let link = sink
        .messages()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == "psychiatrist@kit.test"))
        .filter_map(|m| mail_parser::MessageParser::default().parse(&m.data))
        .filter_map(|p| p.body_text(0).map(|b| b.into_owned()))
        .find_map(|body| {
            body.lines()
                .filter_map(|l| l.find("http").map(|i| l[i..].trim().to_owned()))
                .find(|u| u.contains("/rsvp/committee/") && u.ends_with("answer=tentative"))
        })
        .unwrap_or_else(|| panic!("no answer link in the psychiatrist's invitation"));
    let http = reqwest::Client::new();
    let path = &link[link.find("/rsvp/").unwrap_or(0)..];
    let shown = http
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.status(), 200);
    let page = shown.text().await.unwrap_or_default();
    assert!(page.contains("1 henvisninger til beslutning"), "{page}");
    assert!(!page.contains("Hugo"), "no child on the page");
    let token_path = path.split('?').next().unwrap_or_default();
    let recorded = http
        .post(app.url(token_path))
        .form(&[("answer", "tentative")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded.status(), 200);
    // A forged link answers nothing.
    let forged = http
        .post(app.url("/rsvp/committee/not-a-token"))
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), 410);

    let mut seen = attendance().await;
    seen.sort();
    assert_eq!(
        seen,
        [
            ("caseworker a".into(), "DECLINED".into(), "SENT".into()),
            ("intake a".into(), "ACCEPTED".into(), "SENT".into()),
            ("ppr a".into(), "ACCEPTED".into(), "SENT".into()),
            ("psychiatrist".into(), "TENTATIVE".into(), "SENT".into()),
        ]
    );
}
