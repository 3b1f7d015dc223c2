//! Meetings and calendar invitations: the worker schedules, the SMTP server receives real
//! RFC 5545/5546 messages, answers come back by link, by GraphQL and by iTIP REPLY.

use std::collections::HashMap;

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually, key_of};
use kit_tests::mail::Invite;
use kit_tests::smtp::SmtpSink;
use kit_tests::world::{World, ops, referral};
use serde_json::{Value, json};

pub const MEETING: &str = r"
    query($id: ID!) {
      meeting(id: $id) {
        id kind status startsAt endsAt sequence uid schedulingNote location plannedByPathway
        organizer { id }
        invitees { id response requirement participant { id name role } }
        agenda { title closed }
        deliveries { recipient method sequence status attempts lastError nextAttemptAt }
      }
    }";
pub const REQUEST: &str = r"
    mutation($input: RequestMeetingInput!) { requestMeeting(input: $input) { meeting { id status } } }";
const RESCHEDULE: &str = r"
    mutation($input: RescheduleMeetingInput!) { rescheduleMeeting(input: $input) { meeting { id status startsAt sequence } } }";
const SCHEDULE: &str = r"
    mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { meeting { id status startsAt sequence } } }";
const CANCEL: &str = r#"
    mutation($id: ID!) { cancelMeeting(input: { meetingId: $id, reason: "Sygdom" }) { meeting { id status sequence } } }"#;

/// A case with a child whose name and CPR number must never leave the system, two
/// responsible contacts, a guardian who reads English, and an external actor.
pub struct Setup {
    pub app: TestApp,
    pub sink: SmtpSink,
    pub w: World,
    pub case: String,
    pub contact: String,
    pub psychiatrist: String,
    pub guardian: String,
    pub external: String,
}

pub async fn setup(adjust: impl FnOnce(&mut kit_api::Config)) -> Setup {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(url);
        c.settings.mail_timeout_secs = kit_entity::infra::settings::Secs::new(5);
        c.itip_secret = Some("gateway-secret".into());
        adjust(c);
    })
    .await;
    let w = World::build(&app).await;
    let mut input = referral(&w.municipality_a, "Ida Hansen");
    input["child"]["cpr"] = json!("030514-4321");
    input["familyMembers"] = json!([{ "name": "Lone Hansen", "relation": "MOTHER", "hasCustody": true,
        "email": "lone@example.dk", "preferredLanguage": "EN" }]);
    let case = app.active_case_of(&w.intake_a.token, input).await;
    // The pathway plans a start meeting on acceptance; these tests make their own meetings,
    // so it is called off while it still waits for an organizer (nothing has been sent).
    let start = eventually("the pathway's start meeting", PATIENCE, || async {
        app.gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { meetings { id kind } } }",
            json!({ "id": case }),
        )
        .await
        .data()["case"]["meetings"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["kind"] == "START"))
            .map(|m| m["id"].clone())
    })
    .await;
    let _ = app
        .gql(&w.intake_a.token, CANCEL, json!({ "id": start }))
        .await
        .data();
    let contact = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await;
    let contact = contact.data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned();
    let psych = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.psychiatrist.gid }),
        )
        .await;
    let psychiatrist = psych.data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned();
    let mother = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
            json!({ "id": case }),
        )
        .await
        .data()["case"]["child"]["familyMembers"][0]["id"]
        .clone();
    let g = app
        .gql(
            &w.intake_a.token,
            ops::ADD,
            json!({ "input": { "caseId": case, "role": "GUARDIAN", "familyMemberId": mother } }),
        )
        .await;
    let guardian = g.data()["addParticipant"]["participant"]["id"]
        .str()
        .to_owned();
    let e = app
        .gql(
            &w.intake_a.token,
            ops::ADD,
            json!({ "input": { "caseId": case, "role": "EXTERNAL", "external": { "name": "Privat psykolog", "email": "psykolog@example.dk" } } }),
        )
        .await;
    let external = e.data()["addParticipant"]["participant"]["id"]
        .str()
        .to_owned();
    Setup {
        app,
        sink,
        w,
        case,
        contact,
        psychiatrist,
        guardian,
        external,
    }
}

impl Setup {
    pub async fn meeting(&self, id: &str) -> Value {
        self.app
            .gql(&self.w.caseworker_a.token, MEETING, json!({ "id": id }))
            .await
            .data()["meeting"]
            .clone()
    }

    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        eventually(
            &format!("meeting {id} to be {status}"),
            PATIENCE,
            || async {
                let m = self.meeting(id).await;
                (m["status"] == status).then_some(m)
            },
        )
        .await
    }

    pub async fn request(&self, invitees: Value, latest: &str, extra: Value) -> String {
        let mut input = json!({
            "caseId": self.case, "kind": "NETWORK", "invitees": invitees,
            "durationMinutes": 90, "latest": latest, "location": "Rådhuset, mødelokale 2",
        });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        let r = self
            .app
            .gql(
                &self.w.caseworker_a.token,
                REQUEST,
                json!({ "input": input }),
            )
            .await;
        r.data()["requestMeeting"]["meeting"]["id"].str().to_owned()
    }

    pub fn everyone(&self) -> Value {
        json!([
            { "participantId": self.contact },
            { "participantId": self.psychiatrist },
            { "participantId": self.guardian },
            { "participantId": self.external, "requirement": "OPTIONAL" },
        ])
    }
}

/// Nothing that leaves the system may name the child, give the CPR number or the reason for
/// referral (which may hold a diagnosis).
pub fn assert_private(invite: &Invite) {
    let (_, _, summary, description, location) = invite.event();
    for text in [
        &invite.subject,
        &summary,
        &description,
        &location,
        &invite.body,
    ] {
        for secret in ["Ida", "030514", "4321", "Angst", "skolefravær"] {
            assert!(!text.contains(secret), "{secret:?} leaked into {text:?}");
        }
    }
}

#[tokio::test]
async fn invitations_updates_and_cancellations_are_proper_calendar_messages() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let m = s.wait_status(&id, "SCHEDULED").await;
    // Requested Monday 23 November at 09:00. A network meeting waits for the information
    // each sector shares 5 working days ahead, with 3 working days to prepare it: 8 working
    // days' notice, Thursday 3 December, the first office hour.
    assert_eq!(m["startsAt"], "2026-12-03T08:00:00+01:00");
    assert_eq!(m["sequence"], 0);

    let first = s.sink.wait_for(4, PATIENCE).await;
    assert_eq!(first.len(), 4, "one message per invitee with an address");
    let reschedule =
        json!({ "input": { "meetingId": id, "startsAt": "2026-12-02T10:00:00+01:00" } });
    let r = s
        .app
        .gql(&s.w.caseworker_a.token, RESCHEDULE, reschedule)
        .await;
    assert_eq!(r.data()["rescheduleMeeting"]["meeting"]["sequence"], 1);
    let second = s.sink.wait_for(8, PATIENCE).await;
    assert_eq!(second.len(), 8);
    let r = s
        .app
        .gql(&s.w.caseworker_a.token, CANCEL, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["cancelMeeting"]["meeting"]["status"], "CANCELLED");
    let all = s.sink.wait_for(12, PATIENCE).await;
    assert_eq!(all.len(), 12);

    let mut uid = None;
    let mut sequences: HashMap<String, Vec<u32>> = HashMap::new();
    for received in &all {
        let invite = Invite::parse(received);
        let (event_uid, sequence, summary, _, _) = invite.event();
        assert_eq!(
            *uid.get_or_insert_with(|| event_uid.clone()),
            event_uid,
            "one stable UID"
        );
        assert_eq!(
            invite.method(),
            invite.content_type_method,
            "METHOD in body and Content-Type"
        );
        assert_eq!(
            invite.calendar, invite.attachment,
            "the attachment is the same calendar"
        );
        assert!(invite.calendar.contains("\r\n"), "CRLF line ends");
        assert!(
            invite.calendar.lines().all(|l| l.len() <= 75),
            "folded at 75 octets"
        );
        let unfolded = invite.unfolded();
        for tzid in unfolded
            .split("TZID=")
            .skip(1)
            .filter_map(|rest| rest.split([':', ';']).next())
        {
            assert!(
                unfolded.contains(&format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n")),
                "a VTIMEZONE for {tzid}"
            );
        }
        assert!(unfolded.contains("ORGANIZER;CN=caseworker a"), "{unfolded}");
        assert!(
            summary.contains("KIT-2026-"),
            "the case reference, not the child"
        );
        assert_private(&invite);
        match sequence {
            0 | 1 => {
                assert_eq!(invite.method(), "REQUEST");
                assert!(unfolded.contains("STATUS:CONFIRMED"));
                assert!(unfolded.contains("RSVP=TRUE"));
            }
            _ => {
                assert_eq!(invite.method(), "CANCEL");
                assert!(unfolded.contains("STATUS:CANCELLED"));
            }
        }
        if sequence == 1 {
            assert!(unfolded.contains("DTSTART;TZID=Europe/Copenhagen:20261202T100000"));
        }
        sequences
            .entry(invite.to.clone())
            .or_default()
            .push(sequence);
        if invite.to == "lone@example.dk" {
            assert!(
                invite.subject.starts_with(match sequence {
                    0 => "Invitation: Network meeting",
                    1 => "Updated: Network meeting",
                    _ => "Cancelled: Network meeting",
                }),
                "English for those who prefer it: {}",
                invite.subject
            );
        } else {
            assert!(
                !invite.subject.contains("Network"),
                "Danish by default: {}",
                invite.subject
            );
        }
    }
    for (to, seq) in sequences {
        assert_eq!(
            seq,
            vec![0, 1, 2],
            "{to}: SEQUENCE strictly increases invite → update → cancel"
        );
    }
    let deliveries = eventually("every delivery marked SENT", PATIENCE, || async {
        let d = s.meeting(&id).await["deliveries"].items().to_vec();
        d.iter().all(|d| d["status"] == "SENT").then_some(d)
    })
    .await;
    assert_eq!(deliveries.len(), 12);
    assert!(
        deliveries.iter().all(|d| d["attempts"] == 1),
        "each sent on the first try"
    );
}

#[tokio::test]
async fn a_meeting_moved_across_the_autumn_clock_change_keeps_its_local_time() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2027-12-31T16:00:00+01:00", json!({}))
        .await;
    s.wait_status(&id, "SCHEDULED").await;
    let _ = s.sink.wait_for(4, PATIENCE).await;
    // Friday 29 October 2027 09:00 is summer time; Monday 1 November 09:00 is winter time.
    let before = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            RESCHEDULE,
            json!({ "input": { "meetingId": id, "startsAt": "2027-10-29T09:00:00+02:00" } }),
        )
        .await;
    assert_eq!(
        before.data()["rescheduleMeeting"]["meeting"]["startsAt"],
        "2027-10-29T09:00:00+02:00"
    );
    let _ = s.sink.wait_for(8, PATIENCE).await;
    let after = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            RESCHEDULE,
            json!({ "input": { "meetingId": id, "startsAt": "2027-11-01T08:00:00Z" } }),
        )
        .await;
    assert_eq!(
        after.data()["rescheduleMeeting"]["meeting"]["startsAt"],
        "2027-11-01T09:00:00+01:00"
    );
    let all = s.sink.wait_for(12, PATIENCE).await;
    let local_starts: Vec<String> = all
        .iter()
        .map(Invite::parse)
        .filter(|i| i.to == "lone@example.dk")
        .map(|i| {
            i.unfolded()
                .lines()
                .find(|l| l.starts_with("DTSTART;TZID="))
                .unwrap_or_else(|| panic!("no local DTSTART"))
                .to_owned()
        })
        .collect();
    assert_eq!(
        local_starts[1..],
        [
            "DTSTART;TZID=Europe/Copenhagen:20271029T090000".to_owned(),
            "DTSTART;TZID=Europe/Copenhagen:20271101T090000".to_owned()
        ],
        "the same wall-clock time on both sides of the change"
    );
}

#[tokio::test]
async fn the_scheduler_avoids_busy_invitees_and_says_when_no_time_exists() {
    let s = setup(|_| {}).await;
    // The caseworker is busy Thursday 3 December, the first day a network meeting may be held
    // (8 working days' notice), until noon.
    let busy = r"mutation($input: AddBusyPeriodInput!) { addBusyPeriod(input: $input) { busyPeriod { id } } }";
    let _ = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            busy,
            json!({ "input": { "startsAt": "2026-12-03T08:00:00+01:00", "endsAt": "2026-12-03T12:00:00+01:00", "note": "Kursus" } }),
        )
        .await
        .data();
    let first = s
        .request(
            json!([{ "participantId": s.contact }]),
            "2026-12-23T16:00:00+01:00",
            json!({}),
        )
        .await;
    let m = s.wait_status(&first, "SCHEDULED").await;
    assert_eq!(
        m["startsAt"], "2026-12-03T12:00:00+01:00",
        "after the busy period"
    );
    // A second meeting for the same person goes after the first.
    let second = s
        .request(
            json!([{ "participantId": s.contact }]),
            "2026-12-23T16:00:00+01:00",
            json!({}),
        )
        .await;
    let m = s.wait_status(&second, "SCHEDULED").await;
    assert_eq!(m["startsAt"], "2026-12-03T13:30:00+01:00");
    // Before the minimum notice has passed there is no time at all.
    let none = s
        .request(
            json!([{ "participantId": s.contact }]),
            "2026-11-27T16:00:00+01:00",
            json!({}),
        )
        .await;
    let note = eventually("a scheduling note", PATIENCE, || async {
        let m = s.meeting(&none).await;
        m["schedulingNote"].as_str().map(str::to_owned)
    })
    .await;
    assert_eq!(note, "no common free slot before 2026-11-27");
    assert_eq!(s.meeting(&none).await["status"], "PLANNED");
    // An optional invitee's calendar does not hold the meeting back.
    let optional = s
        .request(json!([{ "participantId": s.contact }, { "participantId": s.psychiatrist, "requirement": "OPTIONAL" }]), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let m = s.wait_status(&optional, "SCHEDULED").await;
    assert_eq!(m["startsAt"], "2026-12-04T08:00:00+01:00");
}

#[tokio::test]
async fn places_that_name_the_child_are_refused() {
    let s = setup(|_| {}).await;
    let r = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            REQUEST,
            json!({ "input": { "caseId": s.case, "kind": "NETWORK", "invitees": s.everyone(), "durationMinutes": 60,
                "latest": "2026-12-23T16:00:00+01:00", "location": "Hjemme hos Ida" } }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.location"));
    // The child is Ida Hansen: no disguise gets her name through, the surname included.
    for place in [
        "Familien Hansen",
        "Hjemme hos I\u{AD}da",
        "Hjemme hos I\u{200B}da",
        "Hjemme hos Ｉｄａ",
        "Hos HANSEN-familien",
        "Rådhuset \u{202E}2 elakolødem",
        "Rådhuset\u{2066}, lokale 2",
    ] {
        let r = s
            .app
            .gql(
                &s.w.caseworker_a.token,
                REQUEST,
                json!({ "input": { "caseId": s.case, "kind": "NETWORK", "invitees": s.everyone(), "durationMinutes": 60,
                    "latest": "2026-12-23T16:00:00+01:00", "location": place } }),
            )
            .await;
        r.assert_error("BAD_USER_INPUT", Some("input.location"));
    }
    // Invisible characters are refused in every one-line text that reaches an e-mail or a
    // calendar: here an external actor's name, which invitations carry.
    let r = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            ops::ADD,
            json!({ "input": { "caseId": s.case, "role": "EXTERNAL", "external": { "name": "Privat\u{202E}psykolog", "email": "x@example.dk" } } }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.external.name"));
    // An ordinary place passes.
    let r = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            REQUEST,
            json!({ "input": { "caseId": s.case, "kind": "NETWORK", "invitees": s.everyone(), "durationMinutes": 60,
                "latest": "2026-12-23T16:00:00+01:00", "location": "Rådhuset, Idrætsvej 3, mødelokale 2" } }),
        )
        .await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    let r = s
        .app
        .gql(
            &s.w.ppr_a.token,
            REQUEST,
            json!({ "input": { "caseId": s.case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60, "latest": "2026-12-23T16:00:00+01:00" } }),
        )
        .await;
    r.assert_error("NOT_FOUND", Some("input.caseId"));
}

#[tokio::test]
async fn explicit_scheduling_and_invitee_changes_are_announced() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-11-24T10:00:00+01:00", json!({}))
        .await;
    let note = eventually("no slot", PATIENCE, || async {
        s.meeting(&id).await["schedulingNote"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
    assert!(note.starts_with("no common free slot"));
    // A caseworker sets the time by hand.
    let r = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            SCHEDULE,
            json!({ "input": { "meetingId": id, "startsAt": "2026-12-07T13:00:00+01:00" } }),
        )
        .await;
    assert_eq!(
        r.data()["scheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    let _ = s.sink.wait_for(4, PATIENCE).await;
    // Removing the external actor sends them a cancellation with the next SEQUENCE.
    let m = s.meeting(&id).await;
    let external = m["invitees"]
        .items()
        .iter()
        .find(|i| i["participant"]["role"] == "EXTERNAL")
        .map(|i| i["id"].clone())
        .unwrap_or_else(|| panic!("no external invitee"));
    let remove = r"mutation($id: ID!) { removeMeetingInvitee(input: { inviteeId: $id }) { invitee { removedAt } meeting { sequence } } }";
    let r = s
        .app
        .gql(&s.w.caseworker_a.token, remove, json!({ "id": external }))
        .await;
    assert_eq!(r.data()["removeMeetingInvitee"]["meeting"]["sequence"], 1);
    // Everyone else gets the update with the attendee list as it is now.
    let all = s.sink.wait_for(8, PATIENCE).await;
    assert_eq!(all.len(), 8);
    let after: Vec<Invite> = all[4..].iter().map(Invite::parse).collect();
    let cancel = after
        .iter()
        .find(|i| i.method() == "CANCEL")
        .unwrap_or_else(|| panic!("no CANCEL"));
    assert_eq!(cancel.to, "psykolog@example.dk");
    assert_eq!(cancel.event().1, 1);
    let first_uid = Invite::parse(&all[0]).event().0;
    let mut updated: Vec<String> = Vec::new();
    for update in after.iter().filter(|i| i.method() == "REQUEST") {
        assert_eq!(update.event().0, first_uid, "the same UID");
        assert_eq!(update.event().1, 1, "the next SEQUENCE");
        let unfolded = update.unfolded();
        assert!(
            !unfolded.contains("mailto:psykolog@example.dk"),
            "the removed attendee is gone from the list: {unfolded}"
        );
        updated.push(update.to.clone());
    }
    updated.sort();
    let mut expected: Vec<String> = Invite::parse(&all[0])
        .unfolded()
        .lines()
        .filter_map(|l| l.strip_prefix("ATTENDEE"))
        .filter_map(|l| l.rsplit_once("mailto:").map(|(_, a)| a.to_lowercase()))
        .filter(|a| a != "psykolog@example.dk")
        .collect();
    expected.sort();
    assert_eq!(updated, expected, "every remaining invitee with an address");
    // Agenda: closed items only for professionals taking part.
    let add = r"mutation($input: AddAgendaItemInput!) { addAgendaItem(input: $input) { agendaItem { position closed } } }";
    for (title, closed) in [("Status fra skolen", false), ("Forhold i hjemmet", true)] {
        let _ = s
            .app
            .gql(
                &s.w.caseworker_a.token,
                add,
                json!({ "input": { "meetingId": id, "title": title, "closed": closed } }),
            )
            .await
            .data();
    }
    let agenda = "query($id: ID!) { meeting(id: $id) { agenda { title } } }";
    let seen = s
        .app
        .gql(&s.w.caseworker_a.token, agenda, json!({ "id": id }))
        .await;
    // The network meeting's default agenda (five items, the sectors' information closed) and
    // the two added.
    assert_eq!(
        seen.data()["meeting"]["agenda"].as_array().map(Vec::len),
        Some(7)
    );
    let seen = s
        .app
        .gql(&s.w.intake_a.token, agenda, json!({ "id": id }))
        .await;
    assert_eq!(
        seen.data()["meeting"]["agenda"].as_array().map(Vec::len),
        Some(5),
        "the intake unit does not take part: neither closed item"
    );
    // Nothing about the agenda leaves the system.
    assert!(
        s.sink
            .messages()
            .iter()
            .all(|m| !String::from_utf8_lossy(&m.data).contains("hjemmet"))
    );
}

#[tokio::test]
async fn meetings_are_listed_for_those_who_may_see_them() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    s.wait_status(&id, "SCHEDULED").await;
    let upcoming = "{ viewer { upcomingMeetings { totalCount nodes { id kind } } } }";
    let mine = s
        .app
        .gql(&s.w.psychiatrist.token, upcoming, json!({}))
        .await;
    assert_eq!(
        mine.data()["viewer"]["upcomingMeetings"]["nodes"][0]["id"],
        id.as_str()
    );
    let list = r"query($p: ID) { meetings(filter: { status: [SCHEDULED], professionalId: $p }) { totalCount nodes { id startsAt } } }";
    let r = s
        .app
        .gql(
            &s.w.intake_a.token,
            list,
            json!({ "p": s.w.psychiatrist.gid }),
        )
        .await;
    assert_eq!(r.data()["meetings"]["totalCount"], 1);
    let r = s
        .app
        .gql(
            &s.w.intake_a.token,
            list,
            json!({ "p": s.w.caseworker_b.gid }),
        )
        .await;
    assert_eq!(r.data()["meetings"]["totalCount"], 0);
    // Someone with no reason to see the case sees none of its meetings.
    let r = s
        .app
        .gql(&s.w.caseworker_b.token, list, json!({ "p": null }))
        .await;
    assert_eq!(r.data()["meetings"]["totalCount"], 0);
    s.app
        .gql(&s.w.caseworker_b.token, MEETING, json!({ "id": id }))
        .await
        .assert_error("NOT_FOUND", None);
    let none = s
        .app
        .gql(&s.w.caseworker_b.token, upcoming, json!({}))
        .await;
    assert_eq!(none.data()["viewer"]["upcomingMeetings"]["totalCount"], 0);
}

/// The `n` messages the SMTP server has received, once they have all arrived; the meeting's
/// outbox holds exactly these, so no more are on their way.
async fn sent(s: &Setup, token: &str, id: &str, n: usize) -> Vec<Invite> {
    let all = s.sink.wait_for(n, PATIENCE).await;
    assert_eq!(all.len(), n, "{n} messages in all");
    let m = s.app.gql(token, MEETING, json!({ "id": id })).await.data()["meeting"].clone();
    assert_eq!(m["deliveries"].as_array().map(Vec::len), Some(n), "{m}");
    all.iter().map(Invite::parse).collect()
}

#[tokio::test]
async fn people_who_leave_a_case_leave_its_meetings_and_a_successor_takes_their_place() {
    let s = setup(|_| {}).await;
    let t = &s.w.intake_a.token;
    let id = s
        .request(s.everyone(), "2026-11-24T10:00:00+01:00", json!({}))
        .await;
    let _ = eventually("no slot", PATIENCE, || async {
        s.meeting(&id).await["schedulingNote"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
    let r = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            SCHEDULE,
            json!({ "input": { "meetingId": id, "startsAt": "2026-12-07T13:00:00+01:00" } }),
        )
        .await;
    assert_eq!(r.data()["scheduleMeeting"]["meeting"]["sequence"], 0);
    assert_eq!(s.sink.wait_for(4, PATIENCE).await.len(), 4);
    // Read as the intake unit: those who leave lose sight of the case.
    let meeting =
        || async { s.app.gql(t, MEETING, json!({ "id": id })).await.data()["meeting"].clone() };
    let invited = |m: &Value| -> Vec<String> {
        let mut ids: Vec<String> = m["invitees"]
            .items()
            .iter()
            .map(|i| i["participant"]["id"].str().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let organizer_of = |i: &Invite| -> String {
        i.unfolded()
            .lines()
            .find(|l| l.starts_with("ORGANIZER"))
            .and_then(|l| l.rsplit_once("mailto:"))
            .map(|(_, a)| a.to_owned())
            .unwrap_or_else(|| panic!("no ORGANIZER"))
    };
    let end = r#"mutation($id: ID!) { endParticipation(input: { participantId: $id, reason: "Skifter job" }) { participant { isActive } } }"#;

    // 1. A new municipal contact replaces the organizer: the old contact gets a cancellation,
    //    the new one the invitation, and everyone else the update naming the new organizer.
    let r = s
        .app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": s.case, "p": s.w.ppr_a.gid }),
        )
        .await;
    let successor = r.data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned();
    let m = meeting().await;
    assert_eq!(m["organizer"]["id"], successor.as_str());
    assert_eq!(m["sequence"], 1);
    let mut expected = vec![
        successor.clone(),
        s.psychiatrist.clone(),
        s.guardian.clone(),
        s.external.clone(),
    ];
    expected.sort();
    assert_eq!(invited(&m), expected);
    let all = sent(&s, t, &id, 9).await;
    let update = &all[4..];
    let cancel: Vec<_> = update.iter().filter(|i| i.method() == "CANCEL").collect();
    assert_eq!(cancel.len(), 1);
    assert_eq!(cancel[0].to, "caseworker.a@kit.test");
    assert_eq!(cancel[0].event().1, 1);
    let mut requests: Vec<_> = update
        .iter()
        .filter(|i| i.method() == "REQUEST")
        .map(|i| {
            assert_eq!(i.event().1, 1);
            assert_eq!(organizer_of(i), "ppr.a@kit.test");
            assert_private(i);
            i.to.clone()
        })
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        [
            "lone@example.dk",
            "ppr.a@kit.test",
            "psychiatrist@kit.test",
            "psykolog@example.dk"
        ]
    );

    // 2. An invitee who is not the organizer leaves: they get a cancellation, everyone else
    //    the update without them in the attendee list.
    let r = s.app.gql(t, end, json!({ "id": s.psychiatrist })).await;
    assert_eq!(
        r.data()["endParticipation"]["participant"]["isActive"],
        false
    );
    let all = sent(&s, t, &id, 13).await;
    let cancel: Vec<_> = all[9..].iter().filter(|i| i.method() == "CANCEL").collect();
    assert_eq!(cancel.len(), 1);
    assert_eq!(cancel[0].to, "psychiatrist@kit.test");
    assert_eq!(cancel[0].event().1, 2);
    let mut requests: Vec<_> = all[9..]
        .iter()
        .filter(|i| i.method() == "REQUEST")
        .map(|i| {
            assert_eq!(i.event().1, 2);
            assert!(!i.unfolded().contains("mailto:psychiatrist@kit.test"));
            i.to.clone()
        })
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        ["lone@example.dk", "ppr.a@kit.test", "psykolog@example.dk"]
    );
    assert_eq!(meeting().await["organizer"]["id"], successor.as_str());

    // 3. The organizer leaves and no responsible contact remains: the meeting stands, without
    //    an organizer; the others hear of it from the next organizer (a REQUEST needs one).
    let _ = s.app.gql(t, end, json!({ "id": successor })).await.data();
    let all = sent(&s, t, &id, 14).await;
    assert_eq!(all[13].method(), "CANCEL");
    assert_eq!(all[13].to, "ppr.a@kit.test");
    let m = meeting().await;
    assert_eq!(m["status"], "SCHEDULED");
    assert_eq!(m["organizer"], Value::Null);
    let mut expected = vec![s.guardian.clone(), s.external.clone()];
    expected.sort();
    assert_eq!(invited(&m), expected);

    // 4. The next contact takes the meeting over, is invited, and the others are told.
    let r = s
        .app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": s.case, "p": s.w.caseworker2_a.gid }),
        )
        .await;
    let next = r.data()["assignResponsibleContact"]["responsibleContact"]["id"]
        .str()
        .to_owned();
    let m = meeting().await;
    assert_eq!(m["organizer"]["id"], next.as_str());
    assert_eq!(m["sequence"], 4);
    let all = sent(&s, t, &id, 17).await;
    let mut requests: Vec<_> = all[14..]
        .iter()
        .map(|i| {
            assert_eq!(i.method(), "REQUEST");
            assert_eq!(i.event().1, 4);
            assert_eq!(organizer_of(i), "caseworker2.a@kit.test");
            i.to.clone()
        })
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        [
            "caseworker2.a@kit.test",
            "lone@example.dk",
            "psykolog@example.dk"
        ]
    );
}

#[tokio::test]
async fn a_guardians_address_or_name_is_logged_as_family_data_and_the_log_keeps_the_servers_request_id()
 {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let _ = s.wait_status(&id, "SCHEDULED").await;
    let _ = s.sink.wait_for(4, PATIENCE).await;
    let post = |query: &'static str, vars: Value, client_id: &'static str| {
        let url = s.app.url("/graphql");
        let token = s.w.caseworker_a.token.clone();
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("x-request-id", client_id)
                .json(&json!({ "query": query, "variables": vars }))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let server_id = response
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("no x-request-id"))
                .to_owned();
            let body: Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
            (server_id, body)
        }
    };
    let (server_id, body) = post(
        "query($id: ID!) { meeting(id: $id) { deliveries { recipient } } }",
        json!({ "id": id }),
        "forged-audit-id-0001",
    )
    .await;
    assert_ne!(server_id, "forged-audit-id-0001");
    assert!(
        body.to_string().contains("lone@example.dk"),
        "a guardian's address: {body}"
    );
    let (_, body) = post(
        "query($id: ID!) { case(id: $id) { participants { name role } } }",
        json!({ "id": s.case }),
        "names-0002",
    )
    .await;
    assert!(body.to_string().contains("GUARDIAN"), "{body}");

    let log = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            "query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes { what requestId clientRequestId } } } }",
            json!({ "id": s.case }),
        )
        .await;
    let entries = log.data()["case"]["accessLog"]["nodes"].items().to_vec();
    let of = |client: &str| {
        entries
            .iter()
            .find(|e| e["clientRequestId"] == client)
            .cloned()
            .unwrap_or_else(|| panic!("no entry for {client}: {entries:#?}"))
    };
    let deliveries = of("forged-audit-id-0001");
    assert_eq!(deliveries["requestId"], server_id.as_str());
    assert_eq!(deliveries["what"], json!(["FAMILY", "MEETINGS"]));
    let names = of("names-0002");
    assert_eq!(names["what"], json!(["FAMILY", "PARTICIPANTS"]));
}

#[tokio::test]
async fn schedulers_running_at_once_never_give_one_person_two_meetings_at_the_same_time() {
    let app = TestApp::spawn().await; // no worker here: the schedulers are run below, at once
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let mut meetings = Vec::new();
    for i in 0..8 {
        let case = app
            .active_case(t, &w.municipality_a, &format!("Barn {i}"))
            .await;
        let _ = app
            .gql(
                t,
                ops::ASSIGN,
                json!({ "case": case, "p": w.caseworker_a.gid }),
            )
            .await
            .data();
        let r = app
            .gql(
                &w.caseworker_a.token,
                REQUEST,
                json!({ "input": { "caseId": case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60,
                    "latest": "2027-03-31T16:00:00+02:00" } }),
            )
            .await;
        meetings.push(kit_entity::ids::MeetingId(key_of(
            r.data()["requestMeeting"]["meeting"]["id"].str(),
        )));
    }
    let ctx = kit_worker::context::Context::new(
        app.db().clone(),
        app.clock.clone(),
        app.state.config.settings.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // Eight schedulers at once, each for a meeting the same caseworker organizes; those that
    // meet a concurrent change retry, as the job queue does.
    let runs = meetings.iter().map(|m| {
        let (ctx, m) = (ctx.clone(), *m);
        tokio::spawn(async move {
            loop {
                match kit_worker::schedule::run(&ctx, m).await {
                    Ok(()) => return,
                    Err(kit_entity::Error::Conflict(_)) => {}
                    Err(e) => panic!("scheduling failed: {}", e.report()),
                }
            }
        })
    });
    for run in futures_util::future::join_all(runs).await {
        run.unwrap_or_else(|e| panic!("{e}"));
    }
    let mut slots = Vec::new();
    for m in &meetings {
        use sea_orm::EntityTrait;
        let row = kit_entity::entities::meeting::Entity::find_by_id(*m)
            .one(app.db())
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no meeting {m}"));
        assert_eq!(
            row.status,
            kit_entity::domain::enums::MeetingStatus::Scheduled,
            "{row:?}"
        );
        slots.push((row.starts_at, row.ends_at));
    }
    slots.sort();
    for pair in slots.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "two meetings for one person at once: {pair:?}"
        );
    }
}

/// A time given by hand, or a required invitee added by hand, never puts someone a meeting
/// requires — a required invitee or its organizer — in two meetings at once: refused with
/// CONFLICT saying who (by their part in the case, not by name) and what to do instead.
#[tokio::test]
async fn a_time_or_a_required_invitee_set_by_hand_never_puts_anyone_in_two_meetings_at_once() {
    let s = setup(|_| {}).await;
    let ct = &s.w.caseworker_a.token;
    let pt = &s.w.psychiatrist.token;
    let a = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let a = s.wait_status(&a, "SCHEDULED").await;
    let app = &s.app;
    let request = |token: &str, invitees: Value| {
        let input = json!({ "caseId": s.case, "kind": "NETWORK", "invitees": invitees,
            "durationMinutes": 60, "latest": "2026-12-23T16:00:00+01:00" });
        let token = token.to_owned();
        async move {
            app.gql(&token, REQUEST, json!({ "input": input }))
                .await
                .data()["requestMeeting"]["meeting"]["id"]
                .str()
                .to_owned()
        }
    };
    let reschedule = |token: &str, id: &str, at: &str| {
        let (token, input) = (
            token.to_owned(),
            json!({ "input": { "meetingId": id, "startsAt": at } }),
        );
        async move { app.gql(&token, RESCHEDULE, input).await }
    };
    // Child psychiatry's contact has a meeting of her own on 10 December at 10:00.
    let hers = request(pt, json!([])).await;
    let _ = s.wait_status(&hers, "SCHEDULED").await;
    let at = "2026-12-10T10:00:00+01:00";
    let _ = reschedule(pt, &hers, at).await.data();
    // The caseworker's meeting with the external actor moves to that hour: he is free.
    let mine = request(
        ct,
        json!([{ "participantId": s.external, "requirement": "OPTIONAL" }]),
    )
    .await;
    let _ = s.wait_status(&mine, "SCHEDULED").await;
    let _ = reschedule(ct, &mine, at).await.data();

    // She cannot be required at it ...
    let add = r"mutation($input: AddMeetingInviteeInput!) {
        addMeetingInvitee(input: $input) { invitee { requirement } } }";
    let r = s
        .app
        .gql(
            ct,
            add,
            json!({ "input": { "meetingId": mine, "participantId": s.psychiatrist } }),
        )
        .await;
    r.assert_error("CONFLICT", None);
    assert!(
        r.message()
            .contains("the responsible contact for CHILD_PSYCHIATRY already has another meeting"),
        "{}",
        r.message()
    );
    assert!(
        !r.message().contains("psychiatrist"),
        "no names: {}",
        r.message()
    );
    // ... she can be invited as optional.
    let r = s
        .app
        .gql(
            ct,
            add,
            json!({ "input": { "meetingId": mine, "participantId": s.psychiatrist, "requirement": "OPTIONAL" } }),
        )
        .await;
    assert_eq!(
        r.data()["addMeetingInvitee"]["invitee"]["requirement"],
        "OPTIONAL"
    );
    // The caseworker organizes the first meeting: his meeting cannot move onto it, nor can a
    // planned one be given its hour.
    let r = reschedule(ct, &mine, a["startsAt"].str()).await;
    r.assert_error("CONFLICT", None);
    assert!(
        r.message().contains("another meeting at this time"),
        "{}",
        r.message()
    );
    assert_eq!(s.meeting(&mine).await["startsAt"], at, "nothing moved");
    // Where everyone is free it moves.
    let r = reschedule(ct, &mine, "2026-12-11T13:00:00+01:00").await;
    assert_eq!(
        r.data()["rescheduleMeeting"]["meeting"]["startsAt"],
        "2026-12-11T13:00:00+01:00"
    );
}

/// Moving a meeting by hand: the end defaults to the start plus the meeting's own duration, an
/// end before the start or a meeting longer than a working day is refused naming `endsAt`, and
/// a place given in part keeps the rest — all decided on the meeting as the change reads it.
#[tokio::test]
async fn a_meeting_moved_by_hand_keeps_its_duration_and_the_place_not_given() {
    let s = setup(|_| {}).await;
    let ct = &s.w.caseworker_a.token;
    let id = s
        .request(
            json!([{ "participantId": s.contact }]),
            "2026-12-23T16:00:00+01:00",
            json!({ "videoUrl": "https://video.kommune.dk/rum/7" }),
        )
        .await;
    let _ = s.wait_status(&id, "SCHEDULED").await;
    let moved = r"mutation($input: RescheduleMeetingInput!) { rescheduleMeeting(input: $input) {
        meeting { startsAt endsAt location videoUrl } } }";
    let at = "2026-12-14T09:00:00+01:00";
    for (ends, why) in [
        ("2026-12-14T08:00:00+01:00", "must be after startsAt"),
        ("2026-12-14T19:00:00+01:00", "between 15 and 480 minutes"),
    ] {
        let r = s
            .app
            .gql(
                ct,
                moved,
                json!({ "input": { "meetingId": id, "startsAt": at, "endsAt": ends } }),
            )
            .await;
        r.assert_error("BAD_USER_INPUT", Some("input.endsAt"));
        assert!(r.message().contains(why), "{}", r.message());
    }
    let r = s
        .app
        .gql(
            ct,
            moved,
            json!({ "input": { "meetingId": id, "startsAt": at, "location": "Skolen, lokale 3" } }),
        )
        .await;
    let m = &r.data()["rescheduleMeeting"]["meeting"];
    assert_eq!(
        m["endsAt"], "2026-12-14T10:30:00+01:00",
        "90 minutes, as requested"
    );
    assert_eq!(m["location"], "Skolen, lokale 3");
    assert_eq!(m["videoUrl"], "https://video.kommune.dk/rum/7", "kept");
}

#[tokio::test]
async fn a_meeting_held_earlier_than_booked_is_recorded_when_it_took_place_without_an_update() {
    let s = setup(|_| {}).await;
    let t = &s.w.caseworker_a.token;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let booked = s.wait_status(&id, "SCHEDULED").await;
    // This meeting's calendar messages (a held network meeting plans its follow-up, whose
    // invitations are another meeting's).
    let uid = booked["uid"].str().to_owned();
    let calendars = || {
        s.sink
            .messages()
            .iter()
            .filter_map(Invite::try_parse)
            .filter(|i| i.event().0 == uid)
            .count()
    };
    // Every first invitation sent and received before the meeting is recorded.
    let sent = eventually("the first invitations", PATIENCE, || async {
        let m = s.meeting(&id).await;
        let deliveries = m["deliveries"].items();
        let all_sent = !deliveries.is_empty() && deliveries.iter().all(|d| d["status"] == "SENT");
        (all_sent && calendars() == deliveries.len()).then_some(deliveries.len())
    })
    .await;
    let starts = booked["startsAt"].str().to_owned();
    // The family could come two days before the booked time, and the meeting took place then.
    let booked_at = chrono::DateTime::parse_from_rfc3339(&starts)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&chrono::Utc);
    let took_place = booked_at - chrono::TimeDelta::days(2);
    s.app.clock.set(took_place + chrono::TimeDelta::hours(2));
    let held = r"mutation($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) {
        meeting { status startsAt sequence } } }";
    let input = |started: Option<chrono::DateTime<chrono::Utc>>| {
        let mut input = json!({ "meetingId": id, "minutes": "Mødet blev holdt tidligere." });
        if let Some(at) = started {
            input["startedAt"] = json!(at.to_rfc3339());
        }
        json!({ "input": input })
    };
    s.app
        .gql(t, held, input(None))
        .await
        .assert_error("CONFLICT", None);
    s.app
        .gql(t, held, input(Some(booked_at)))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.startedAt"));
    let r = s.app.gql(t, held, input(Some(took_place))).await;
    let m = &r.data()["recordMeetingHeld"]["meeting"];
    assert_eq!(m["status"], "HELD");
    assert_eq!(m["sequence"], booked["sequence"], "no new version");
    let recorded = chrono::DateTime::parse_from_rfc3339(m["startsAt"].str())
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&chrono::Utc);
    assert_eq!(recorded, took_place);
    // No update e-mail: the deliveries are the first invitations only.
    let m = s.meeting(&id).await;
    assert!(
        m["deliveries"].items().iter().all(|d| d["sequence"] == 0),
        "{m:#}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        calendars(),
        sent,
        "no calendar message after the first invitations"
    );
}
