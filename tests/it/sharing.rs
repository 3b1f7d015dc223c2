//! A child's data crosses from the case's municipality to another organization only under an
//! active consent for coordination that covers both: every role, every consent state, every
//! kind of read; withdrawal cuts access on the next request and in an open subscription.

use chrono::TimeDelta;
use kit_entity::domain::enums::{Language, OrganizationKind};
use kit_entity::entities::professional;
use kit_entity::ops::directory::{self, ProfessionalFields};
use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::smtp::SmtpSink;
use kit_tests::world::{Person, World, global, ops};
use kit_tests::ws::{Connect, WsClient};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::meetings::REQUEST;

const RECORD: &str = r"mutation($input: RecordConsentInput!) { recordConsent(input: $input) {
    consent { id active } } }";
/// Schedules a meeting by hand (tests without a worker, which would schedule it itself).
const SCHEDULE: &str = r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { id status } } }";
const WITHDRAW: &str = r"mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) {
    consent { id active } } }";

/// What every viewer may ask of a case they see, child's data shared or not.
const CASE: &str = r"query($id: ID!) { case(id: $id) {
    reference status
    viewerAccess { basis childData sharingConsent { id } }
    participants { id professional { id } }
    meetings { id }
    deadlines { id }
    consents { id purpose active } } }";

/// One read of the child's or family's data each.
const CHILD_READS: [(&str, &str); 5] = [
    ("child", "child { name dateOfBirth }"),
    ("family", "child { familyMembers { name } }"),
    ("referral", "referral { reason }"),
    ("plan", "agreements { id } events { id }"),
    ("history", "statusHistory { reason }"),
];

/// The professionals of other organizations than the case's municipality, created beside the
/// standard world: a GP, a doctor on a hospital ward, and the leader of the region's clinic.
struct Outside {
    gp_org: String,
    gp: Person,
    ward_org: String,
    ward: Person,
    clinic_leader: Person,
}

async fn outside(app: &TestApp, w: &World) -> Outside {
    let db = app.db();
    let now = app.clock_now();
    let clinic = professional::Entity::find_by_id(w.psychiatrist.id)
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|p| p.unit_id)
        .unwrap_or_else(|| panic!("the psychiatrist's unit"));
    let person = |subject: &'static str, unit, leads: bool| async move {
        let p = directory::create_professional(
            db,
            None,
            now,
            ProfessionalFields {
                name: subject.replace('.', " "),
                title: "Læge".into(),
                email: format!("{subject}@kit.test"),
                phone: None,
                subject: Some(subject.into()),
                unit_id: unit,
                leads_unit_id: leads.then_some(unit),
                is_admin: false,
                language: Language::Da,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        Person {
            id: p.id,
            gid: global("Professional", p.id.0),
            token: app
                .state
                .auth
                .issue_local(subject, app.clock_now(), kit_tests::harness::TOKEN_LIFETIME)
                .unwrap_or_default(),
        }
    };
    let org_with_unit = |name: &'static str, kind| async move {
        let org = directory::create_organization(db, None, now, name.into(), kind)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let unit = directory::create_unit(db, None, now, org.id, format!("{name}, klinik"), false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (global("Organization", org.id.0), unit.id)
    };
    let (gp_org, gp_unit) = org_with_unit("Lægehuset", OrganizationKind::GeneralPractice).await;
    let (ward_org, ward_unit) =
        org_with_unit("Børneafdelingen", OrganizationKind::HospitalWard).await;
    Outside {
        gp_org,
        gp: person("gp", gp_unit, false).await,
        ward_org,
        ward: person("ward", ward_unit, false).await,
        clinic_leader: person("clinic.leader", clinic, true).await,
    }
}

/// The consent states of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    None,
    Active,
    Expired,
    Withdrawn,
}

/// A case of municipality A for a child called `name`, with the caseworker and the
/// psychiatrist as responsible contacts, the GP and the ward doctor taking part, and two
/// meetings: one the psychiatrist is invited to, one only the caseworker is.
async fn case_with_everyone(app: &TestApp, w: &World, o: &Outside, name: &str) -> String {
    let t = &w.intake_a.token;
    // Each case's meetings get hours of their own: the same people are never booked twice.
    let earlier = app
        .gql(t, "{ cases { totalCount } }", json!({}))
        .await
        .data()["cases"]["totalCount"]
        .as_i64()
        .unwrap_or(0);
    let case = app.active_case(t, &w.municipality_a, name).await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    for p in [&o.gp, &o.ward] {
        let input =
            json!({ "input": { "caseId": case, "role": "PROFESSIONAL", "professionalId": p.gid } });
        let _ = app.gql(t, ops::ADD, input).await.data();
    }
    let r = app.gql(t, CASE, json!({ "id": case })).await;
    let participation = |who: &Person| -> String {
        r.data()["case"]["participants"]
            .items()
            .iter()
            .find(|p| p["professional"]["id"] == who.gid.as_str())
            .map(|p| p["id"].str().to_owned())
            .unwrap_or_else(|| panic!("{who:?} takes part"))
    };
    let contact = participation(&w.caseworker_a);
    let psychiatrist = participation(&w.psychiatrist);
    for invitees in [
        json!([{ "participantId": contact }, { "participantId": psychiatrist }]),
        json!([{ "participantId": contact }]),
    ]
    .into_iter()
    .zip(["2026-12-10", "2026-12-11"])
    {
        let (invitees, day) = invitees;
        let at = format!("{day}T{:02}:00:00+01:00", 10 + earlier);
        let input = json!({
            "caseId": case, "kind": "NETWORK", "invitees": invitees, "durationMinutes": 60,
            "latest": "2027-01-29T16:00:00+01:00", "location": "Rådhuset",
        });
        let ct = &w.caseworker_a.token;
        let r = app.gql(ct, REQUEST, json!({ "input": input })).await;
        let id = r.data()["requestMeeting"]["meeting"]["id"].clone();
        let r = app.gql(ct, SCHEDULE, json!({ "id": id, "at": at })).await;
        assert_eq!(
            r.data()["scheduleMeeting"]["meeting"]["status"],
            "SCHEDULED"
        );
    }
    case
}

async fn give_consent(app: &TestApp, w: &World, case: &str, orgs: Value, extra: Value) -> String {
    let mut input = json!({
        "caseId": case, "givenByYoungPerson": false, "organizationIds": orgs,
        "purpose": "COORDINATION", "basis": "Underskrevet samtykkeerklæring",
    });
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { id familyMembers { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let child = &r.data()["case"]["child"];
    input["givenByFamilyMemberId"] = match child["familyMembers"].items().first() {
        Some(mother) => mother["id"].clone(),
        None => {
            let family = app
                .gql(
                    &w.intake_a.token,
                    "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { familyMember { id } } }",
                    json!({ "input": { "childId": child["id"], "familyMember": { "name": "Mette Mor", "relation": "MOTHER", "hasCustody": true } } }),
                )
                .await;
            family.data()["addFamilyMember"]["familyMember"]["id"].clone()
        }
    };
    if let (Some(target), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        target.extend(extra.clone());
    }
    let r = app
        .gql(&w.intake_a.token, RECORD, json!({ "input": input }))
        .await;
    r.data()["recordConsent"]["consent"]["id"].str().to_owned()
}

async fn withdraw(app: &TestApp, w: &World, consent: &str) {
    let r = app
        .gql(
            &w.caseworker_a.token,
            WITHDRAW,
            json!({ "input": { "consentId": consent, "reason": "Moren trak samtykket tilbage telefonisk" } }),
        )
        .await;
    assert_eq!(r.data()["withdrawConsent"]["consent"]["active"], false);
}

/// What one role should see of a case.
#[derive(Debug)]
struct Expect {
    /// NOT_FOUND when false.
    visible: bool,
    /// Participations seen when the child's data is withheld (own ones).
    own_participations: usize,
    /// Meetings seen when withheld (those invited to).
    own_meetings: usize,
}

#[tokio::test]
async fn every_role_sees_the_child_only_with_its_own_organization_or_an_active_consent() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let o = outside(&app, &w).await;
    let everyone = json!([w.municipality_a, w.region, o.gp_org, o.ward_org]);

    let mut cases = Vec::new();
    for (state, name) in [
        (State::None, "Asta Uden"),
        (State::Active, "Bodil Med"),
        (State::Expired, "Cille Udløbet"),
        (State::Withdrawn, "Dagny Trukket"),
    ] {
        let case = case_with_everyone(&app, &w, &o, name).await;
        match state {
            State::None => {}
            State::Active => {
                give_consent(&app, &w, &case, everyone.clone(), json!({})).await;
            }
            State::Expired => {
                let until = (app.clock_now() + TimeDelta::hours(1)).to_rfc3339();
                give_consent(
                    &app,
                    &w,
                    &case,
                    everyone.clone(),
                    json!({ "validUntil": until }),
                )
                .await;
            }
            State::Withdrawn => {
                let id = give_consent(&app, &w, &case, everyone.clone(), json!({})).await;
                withdraw(&app, &w, &id).await;
            }
        }
        // An information-exchange consent does not share the case, nor does a consent for
        // coordination that leaves the municipality out.
        give_consent(
            &app,
            &w,
            &case,
            everyone.clone(),
            json!({ "purpose": "INFORMATION_EXCHANGE" }),
        )
        .await;
        give_consent(
            &app,
            &w,
            &case,
            json!([w.region, o.gp_org, o.ward_org]),
            json!({}),
        )
        .await;
        cases.push((state, name, case));
    }
    app.clock.advance(TimeDelta::hours(2));

    let roles: [(&str, &Person, bool, Expect); 7] = [
        (
            "intake unit",
            &w.intake_a,
            true,
            Expect {
                visible: true,
                own_participations: 0,
                own_meetings: 0,
            },
        ),
        (
            "municipal contact",
            &w.caseworker_a,
            true,
            Expect {
                visible: true,
                own_participations: 1,
                own_meetings: 2,
            },
        ),
        (
            "psychiatry contact",
            &w.psychiatrist,
            false,
            Expect {
                visible: true,
                own_participations: 1,
                own_meetings: 1,
            },
        ),
        (
            "GP",
            &o.gp,
            false,
            Expect {
                visible: true,
                own_participations: 1,
                own_meetings: 0,
            },
        ),
        (
            "hospital ward",
            &o.ward,
            false,
            Expect {
                visible: true,
                own_participations: 1,
                own_meetings: 0,
            },
        ),
        (
            "unit leader",
            &o.clinic_leader,
            false,
            Expect {
                visible: true,
                own_participations: 0,
                own_meetings: 0,
            },
        ),
        (
            "administrator",
            &w.admin_a,
            true,
            Expect {
                visible: false,
                own_participations: 0,
                own_meetings: 0,
            },
        ),
    ];
    for (state, name, case) in &cases {
        let total = app
            .gql(&w.intake_a.token, CASE, json!({ "id": case }))
            .await;
        let total = &total.data()["case"];
        let all_participants = total["participants"].items().len();
        let all_meetings = total["meetings"].items().len();
        assert_eq!(all_meetings, 2);
        for (role, who, own_organization, expect) in &roles {
            let what = format!("{role}, consent {state:?}");
            let r = app.gql(&who.token, CASE, json!({ "id": case })).await;
            if !expect.visible {
                r.assert_error("NOT_FOUND", None);
                for (_, fields) in CHILD_READS {
                    let q = format!("query($id: ID!) {{ case(id: $id) {{ {fields} }} }}");
                    app.gql(&who.token, &q, json!({ "id": case }))
                        .await
                        .assert_error("NOT_FOUND", None);
                }
                continue;
            }
            let seen = &r.data()["case"];
            let shared = *own_organization || (*state == State::Active && expect.visible);
            let sharing = seen["viewerAccess"]["childData"].str();
            match (*own_organization, shared) {
                (true, _) => assert_eq!(sharing, "OWN_ORGANIZATION", "{what}"),
                (false, true) => {
                    assert_eq!(sharing, "CONSENT", "{what}");
                    assert!(
                        seen["viewerAccess"]["sharingConsent"]["id"].is_string(),
                        "{what}"
                    );
                }
                (false, false) => assert_eq!(sharing, "WITHHELD", "{what}"),
            }
            // The case itself and the consents: always.
            assert!(seen["reference"].str().starts_with("KIT-"), "{what}");
            assert!(!seen["consents"].items().is_empty(), "{what}");
            // Participations and meetings: all of them, or their own.
            let (participants, meetings) = if shared {
                (all_participants, all_meetings)
            } else {
                (expect.own_participations, expect.own_meetings)
            };
            assert_eq!(
                seen["participants"].items().len(),
                participants,
                "{what}: {seen}"
            );
            assert_eq!(seen["meetings"].items().len(), meetings, "{what}: {seen}");
            // The child and the family: only when shared; otherwise null, without an error
            // (`viewerAccess.childData` says why).
            let expected = if *own_organization {
                "OWN_ORGANIZATION"
            } else if shared {
                "CONSENT"
            } else {
                "WITHHELD"
            };
            assert_eq!(seen["viewerAccess"]["childData"], expected, "{what}");
            for (kind, fields) in CHILD_READS {
                let q = format!("query($id: ID!) {{ case(id: $id) {{ {fields} }} }}");
                let r = app.gql(&who.token, &q, json!({ "id": case })).await;
                if shared {
                    let _ = r.data();
                } else {
                    let fields = r.data()["case"].as_object().cloned().unwrap_or_default();
                    for key in fields.keys() {
                        r.assert_withheld(&format!("/data/case/{key}"));
                    }
                    assert!(
                        !r.body.to_string().contains(name),
                        "{what} {kind}: {}",
                        r.body
                    );
                }
            }
            // Searching by the child's name finds the case only when it is shared; by its
            // reference always.
            let search = r"query($text: String!) { cases(first: 50, filter: { text: $text }) { nodes { id } } }";
            let first_name = name.split(' ').next().unwrap_or_default();
            let r = app
                .gql(&who.token, search, json!({ "text": first_name }))
                .await;
            let found = r.data()["cases"]["nodes"]
                .items()
                .iter()
                .any(|n| n["id"] == case.as_str());
            assert_eq!(found, shared, "{what}: search by name");
            let reference = seen["reference"].str();
            let r = app
                .gql(&who.token, search, json!({ "text": reference }))
                .await;
            let found = r.data()["cases"]["nodes"]
                .items()
                .iter()
                .any(|n| n["id"] == case.as_str());
            assert!(found, "{what}: search by reference");
            // The child by its own id: FORBIDDEN without sharing.
            let child_id = total_child_id(&app, &w, case).await;
            let r = app
                .gql(
                    &who.token,
                    "query($id: ID!) { node(id: $id) { ... on Child { name } } }",
                    json!({ "id": child_id }),
                )
                .await;
            if shared {
                assert_eq!(r.data()["node"]["name"], *name, "{what}");
            } else {
                r.assert_error("FORBIDDEN", None);
            }
            // The lists of meetings and deadlines hold the same rule as the case's own.
            let r = app
                .gql(
                    &who.token,
                    "query { meetings(first: 100) { nodes { case { id } } } }",
                    json!({}),
                )
                .await;
            let listed = r.data()["meetings"]["nodes"]
                .items()
                .iter()
                .filter(|m| m["case"]["id"] == case.as_str())
                .count();
            assert_eq!(listed, meetings, "{what}: meetings list");
            let r = app
                .gql(
                    &who.token,
                    "query { deadlines(first: 100) { nodes { case { id } } } }",
                    json!({}),
                )
                .await;
            let listed = r.data()["deadlines"]["nodes"]
                .items()
                .iter()
                .filter(|d| d["case"]["id"] == case.as_str())
                .count();
            assert_eq!(
                listed,
                seen["deadlines"].items().len(),
                "{what}: deadlines list"
            );
        }
    }
    // A consent covering the region only shares nothing with the GP.
    let (_, _, case) = &cases[0];
    give_consent(
        &app,
        &w,
        case,
        json!([w.municipality_a, w.region]),
        json!({}),
    )
    .await;
    let r = app.gql(&o.gp.token, CASE, json!({ "id": case })).await;
    assert_eq!(r.data()["case"]["viewerAccess"]["childData"], "WITHHELD");
    let r = app
        .gql(&w.psychiatrist.token, CASE, json!({ "id": case }))
        .await;
    assert_eq!(r.data()["case"]["viewerAccess"]["childData"], "CONSENT");
    assert_eq!(r.data()["case"]["participants"].items().len(), 4);
}

async fn total_child_id(app: &TestApp, w: &World, case: &str) -> String {
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { id } } }",
            json!({ "id": case }),
        )
        .await;
    r.data()["case"]["child"]["id"].str().to_owned()
}

#[tokio::test]
async fn withdrawal_cuts_access_on_the_next_request_and_in_an_open_subscription() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(url);
        c.settings.deadline_sweep_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Ella Skov").await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    // A network meeting, scheduled by the worker: child psychiatry owes its information
    // before it, and its responsible contact is alerted.
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60,
        "latest": "2027-12-31T16:00:00+01:00" });
    let ct = &w.caseworker_a.token;
    let r = app.gql(ct, REQUEST, json!({ "input": input })).await;
    let meeting = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    eventually(
        "the worker to schedule the network meeting",
        PATIENCE,
        || async {
            let r = app
                .gql(
                    ct,
                    "query($id: ID!) { meeting(id: $id) { status } }",
                    json!({ "id": meeting }),
                )
                .await;
            (r.data()["meeting"]["status"] == "SCHEDULED").then_some(())
        },
    )
    .await;
    let consent = give_consent(
        &app,
        &w,
        &case,
        json!([w.municipality_a, w.region]),
        json!({}),
    )
    .await;
    let child = "query($id: ID!) { case(id: $id) { child { name } } }";
    let r = app
        .gql(&w.psychiatrist.token, child, json!({ "id": case }))
        .await;
    assert_eq!(r.data()["case"]["child"]["name"], "Ella Skov");

    // The psychiatrist listens for notifications that carry the child's name.
    let ws = format!("ws://{}/graphql/ws", app.addr);
    let mut listener = match WsClient::connect(
        &ws,
        json!({ "Authorization": format!("Bearer {}", w.psychiatrist.token) }),
    )
    .await
    {
        Connect::Acknowledged(c) => *c,
        Connect::Closed(code, reason) => panic!("refused with {code}: {reason}"),
    };
    listener
        .subscribe(
            "subscription { notificationAdded { kind deadline { case { id child { name } } } } }",
        )
        .await;
    eventually("the subscription listening", PATIENCE, || async {
        (app.state.announcements.receiver_count() >= 1).then_some(())
    })
    .await;
    // The first notification of the psychiatrist's deadlines, with consent: the name.
    let pending = r"query { deadlines(first: 50, filter: { status: [PENDING] }) { nodes { id dueAt responsible { id } case { id } } } }";
    let r = app.gql(&w.psychiatrist.token, pending, json!({})).await;
    let mine: Vec<&Value> = r.data()["deadlines"]["nodes"]
        .items()
        .iter()
        .filter(|d| {
            d["case"]["id"] == case.as_str()
                && d["responsible"]["id"] == w.psychiatrist.gid.as_str()
        })
        .collect();
    assert!(
        !mine.is_empty(),
        "the psychiatrist answers for a deadline: {}",
        r.body
    );
    let mut dues: Vec<chrono::DateTime<chrono::Utc>> = mine
        .iter()
        .filter_map(|d| d["dueAt"].as_str())
        .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .collect();
    dues.sort();
    let due = dues[0];
    // Reminders go out before the due time; the first one carries the name.
    app.clock.set(due - TimeDelta::hours(1));
    let event = listener.next_data(PATIENCE).await;
    assert_eq!(
        event["notificationAdded"]["deadline"]["case"]["child"]["name"], "Ella Skov",
        "{event}"
    );

    // Withdrawn: the very next request no longer shows the child…
    withdraw(&app, &w, &consent).await;
    let r = app
        .gql(&w.psychiatrist.token, child, json!({ "id": case }))
        .await;
    r.assert_withheld("/data/case/child");
    // …and the next event of the open subscription no longer carries the child.
    app.clock.set(due + TimeDelta::seconds(1));
    let event = loop {
        let e = listener.next_payload(PATIENCE).await;
        if e["data"]["notificationAdded"]["kind"] != "REMINDER" {
            break e;
        }
    };
    let body = event.to_string();
    assert!(!body.contains("Ella"), "{body}");
    assert!(event.get("errors").is_none(), "{body}");
    assert!(
        event["data"]["notificationAdded"]["deadline"]["case"]["child"].is_null(),
        "{body}"
    );
}

/// An idempotent retry is a read again: its first answer comes back only while the child's
/// data is still shared, never after the consent that shared it is withdrawn.
#[tokio::test]
async fn a_retry_after_withdrawal_gets_no_child_data_back() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Ella Skov").await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    let consent = give_consent(
        &app,
        &w,
        &case,
        json!([w.municipality_a, w.region]),
        json!({}),
    )
    .await;
    let child = total_child_id(&app, &w, &case).await;
    let update = json!({
        "query": "mutation($i: UpdateChildInput!) { updateChild(input: $i) { child { name dateOfBirth familyMembers { name email } } } }",
        "variables": { "i": { "childId": child, "name": "Ella Marie Skov" } },
    });
    let send = || async {
        let response = reqwest::Client::new()
            .post(app.url("/graphql"))
            .bearer_auth(&w.psychiatrist.token)
            .header("idempotency-key", "withdrawn-1")
            .json(&update)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        let replayed = response.headers().contains_key("idempotency-replayed");
        let body: Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
        (status, replayed, body)
    };
    let (status, _, first) = send().await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        first["data"]["updateChild"]["child"]["name"],
        "Ella Marie Skov"
    );
    // While the consent holds, the retry gets the first answer.
    let (status, replayed, again) = send().await;
    assert_eq!((status, replayed), (200, true), "{again}");
    assert_eq!(again["data"], first["data"]);

    withdraw(&app, &w, &consent).await;
    let (status, replayed, refused) = send().await;
    assert_eq!((status, replayed), (403, false), "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert!(
        !refused.to_string().contains("Ella") && !refused.to_string().contains("Mette"),
        "{refused}"
    );
    assert!(
        refused["errors"][0]["message"]
            .str()
            .contains("the change was made")
    );
    // Nothing was changed twice, and a fresh read says the same.
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { name } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(r.data()["case"]["child"]["name"], "Ella Marie Skov");
    let fresh = app
        .gql(
            &w.psychiatrist.token,
            "query($id: ID!) { case(id: $id) { child { name } } }",
            json!({ "id": case }),
        )
        .await;
    assert!(!fresh.body.to_string().contains("Ella"), "{}", fresh.body);
}

/// Inside a case whose child is withheld from her, another person's participation or deadline
/// asked for by id is answered exactly as an id that does not exist: nothing can be counted.
#[tokio::test]
async fn anothers_participation_or_deadline_by_id_is_answered_as_one_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let o = outside(&app, &w).await;
    let case = case_with_everyone(&app, &w, &o, "Asta Uden").await;
    let all = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { participants { id professional { id } } deadlines { id responsible { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let participation = all.data()["case"]["participants"]
        .items()
        .iter()
        .find(|p| p["professional"]["id"] == w.caseworker_a.gid.as_str())
        .map(|p| p["id"].str().to_owned())
        .unwrap_or_else(|| panic!("{}", all.body));
    let deadline = all.data()["case"]["deadlines"]
        .items()
        .iter()
        .find(|d| d["responsible"]["id"] != w.psychiatrist.gid.as_str())
        .map(|d| d["id"].str().to_owned())
        .unwrap_or_else(|| panic!("{}", all.body));
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let answer = |id: String| {
        let app = &app;
        let token = w.psychiatrist.token.clone();
        async move {
            let r = app.gql(&token, node, json!({ "id": id })).await;
            let mut error = r.body["errors"][0].clone();
            if let Some(extensions) = error["extensions"].as_object_mut() {
                extensions.remove("requestId");
            }
            (r.body["data"].clone(), error)
        }
    };
    for (theirs, none) in [
        (participation, global("Participant", 999_999)),
        (deadline, global("Deadline", 999_999)),
    ] {
        let (seen, missing) = (answer(theirs).await, answer(none).await);
        assert_eq!(seen, missing);
        assert_eq!(seen.1["extensions"]["code"], "NOT_FOUND");
    }
}

/// The screens a front end builds on the schema — a caseload page by edges and by nodes, a case
/// page by `case` and by `node`, the upcoming meetings with their invitees, the notifications —
/// asked by every role of the test world on a case whose child is shared with some of them and
/// withheld from others, with a guardian among a meeting's invitees. Every answer holds to the
/// schema's types (the harness walks each one: no missing key, no null where the schema says
/// never), and a withheld value is null without an error.
const SCREENS: &str = r"query($id: ID!) {
  cases(first: 50) {
    totalCount
    edges { cursor node { ...Row } }
    nodes { ...Row }
    pageInfo { hasNextPage endCursor }
  }
  case(id: $id) { ...Page }
  node(id: $id) { id ... on Case { ...Page } }
  viewer {
    upcomingMeetings(first: 20) {
      edges { node { id startsAt case { id reference child { name } }
                     invitees { participant { name role } } } }
    }
    notifications(first: 20) { nodes { id title deadline { id case { child { name } } } } }
    unreadNotificationCount
  }
}
fragment Row on Case {
  id reference status
  child { name dateOfBirth cpr }
  participants { name role sector }
  viewerAccess { childData }
}
fragment Page on Case {
  id reference status
  child { name cpr familyMembers { name email } }
  referral { reason }
  participants { name role familyMember { name } child { name } professional { name } }
  meetings { id minutes deliveries { recipient } invitees { participant { name role } } }
  deadlines { id dueAt }
  statusHistory { reason }
  agreements { id }
  plan { id }
  planVersions { id }
  planLinks { id }
  events { id }
  waitingListEntries { id }
  consents { purpose givenBy { name } }
  accessLog(first: 5) { totalCount }
  viewerAccess { basis childData canManage sharingConsent { id } }
}";

#[tokio::test]
async fn every_screen_answers_within_the_schema_for_every_role() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let o = outside(&app, &w).await;
    let t = &w.intake_a.token;
    let shared = case_with_everyone(&app, &w, &o, "Asta Delt").await;
    give_consent(
        &app,
        &w,
        &shared,
        json!([w.municipality_a, w.region]),
        json!({}),
    )
    .await;
    let withheld = case_with_everyone(&app, &w, &o, "Bodil Uden").await;
    // The mother takes part and is invited to a meeting of the case whose child is withheld
    // from the region, the GP and the ward.
    let mother = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } meetings { id } } }",
            json!({ "id": withheld }),
        )
        .await;
    let member = mother.data()["case"]["child"]["familyMembers"][0]["id"].clone();
    let member = if member.is_null() {
        let child = total_child_id(&app, &w, &withheld).await;
        app.gql(
            t,
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { familyMember { id } } }",
            json!({ "input": { "childId": child, "familyMember": { "name": "Mette Mor", "relation": "MOTHER", "hasCustody": true, "email": "mette@example.dk" } } }),
        )
        .await
        .data()["addFamilyMember"]["familyMember"]["id"]
            .clone()
    } else {
        member
    };
    let guardian = app
        .gql(
            t,
            ops::ADD,
            json!({ "input": { "caseId": withheld, "role": "GUARDIAN", "familyMemberId": member } }),
        )
        .await;
    let guardian = guardian.data()["addParticipant"]["participant"]["id"].clone();
    let meeting = mother.data()["case"]["meetings"][0]["id"].clone();
    let r = app
        .gql(
            &w.caseworker_a.token,
            "mutation($m: ID!, $p: ID!) { addMeetingInvitee(input: { meetingId: $m, participantId: $p }) { __typename } }",
            json!({ "m": meeting, "p": guardian }),
        )
        .await;
    let _ = r.data();

    let roles: [(&str, &Person, Option<&str>); 9] = [
        ("intake unit", &w.intake_a, Some("OWN_ORGANIZATION")),
        (
            "municipal contact",
            &w.caseworker_a,
            Some("OWN_ORGANIZATION"),
        ),
        ("psychiatry contact", &w.psychiatrist, Some("WITHHELD")),
        ("GP", &o.gp, Some("WITHHELD")),
        ("ward", &o.ward, Some("WITHHELD")),
        ("clinic leader", &o.clinic_leader, Some("WITHHELD")),
        ("administrator", &w.admin_a, None),
        ("other municipality", &w.caseworker_b, None),
        ("leader", &w.ppr_leader_a, None),
    ];
    for (role, who, sharing) in roles {
        let r = app
            .gql(&who.token, SCREENS, json!({ "id": withheld }))
            .await;
        match sharing {
            Some(childdata) => {
                assert!(r.body.get("errors").is_none(), "{role}: {}", r.body);
                let page = &r.body["data"]["case"];
                assert_eq!(page["viewerAccess"]["childData"], childdata, "{role}");
                assert_eq!(r.body["data"]["node"], *page, "{role}: node and case agree");
                if childdata == "WITHHELD" {
                    for withheld_field in ["child", "referral", "statusHistory", "agreements"] {
                        r.assert_withheld(&format!("/data/case/{withheld_field}"));
                    }
                    assert!(!r.body.to_string().contains("Bodil"), "{role}: {}", r.body);
                    assert!(!r.body.to_string().contains("Mette"), "{role}: {}", r.body);
                }
                // The caseload rows by edges and by nodes are the same rows.
                let edges: Vec<Value> = r.body["data"]["cases"]["edges"]
                    .items()
                    .iter()
                    .map(|e| e["node"].clone())
                    .collect();
                assert_eq!(
                    Value::from(edges),
                    r.body["data"]["cases"]["nodes"],
                    "{role}"
                );
            }
            None => {
                // A case she may not see: null beside NOT_FOUND, every other screen intact.
                assert_eq!(r.code(), Some("NOT_FOUND"), "{role}: {}", r.body);
                assert!(r.body["data"]["case"].is_null(), "{role}");
                assert!(r.body["data"]["node"].is_null(), "{role}");
                assert!(r.body["data"]["viewer"].is_object(), "{role}: {}", r.body);
                assert!(!r.body.to_string().contains("Bodil"), "{role}");
            }
        }
        // The shared case, by the same screens.
        let r = app.gql(&who.token, SCREENS, json!({ "id": shared })).await;
        if sharing.is_some() {
            let page = &r.body["data"]["case"];
            if matches!(role, "psychiatry contact" | "clinic leader") {
                assert_eq!(page["viewerAccess"]["childData"], "CONSENT", "{role}");
                assert_eq!(page["child"]["name"], "Asta Delt", "{role}");
            }
        }
    }
}
