//! The family sees the plan: a personal, signed, expiring, revocable link for a guardian with
//! custody or the young person (15+), sent by e-mail without personal data, opening a Danish
//! HTML page and a PDF of the current plan without its closed items or the CPR number; every
//! reading recorded.

use chrono::TimeDelta;
use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::world::{World, ops, referral};
use serde_json::{Value, json};

use crate::plan::held;

const SEND: &str = r"mutation($input: SendPlanLinkInput!) { sendPlanLink(input: $input) {
    planLink { id status youngPerson email familyMember { name } expiresAt createdBy { name } } } }";
const REVOKE: &str = r"mutation($id: ID!) { revokePlanLink(input: { planLinkId: $id }) {
    planLink { status revokedAt revokedBy { name } } } }";
const LINKS: &str = r"query($id: ID!) { case(id: $id) { planLinks { id status emailStatus
    reads { format planVersion { version } } } } }";

struct Family {
    case: String,
    mother: String,
    father: String,
}

/// An active case of Liva Munk (born 2014, CPR given), a mother with custody and an address,
/// a father without custody; the caseworker is the responsible contact.
async fn family_case(app: &TestApp, w: &World) -> Family {
    let mut input = referral(&w.municipality_a, "Liva Munk");
    input["child"]["cpr"] = json!("030514-4321");
    input["familyMembers"] = json!([
        { "name": "Lone Munk", "relation": "MOTHER", "hasCustody": true, "email": "lone@familie.test" },
        { "name": "Per Munk", "relation": "FATHER", "hasCustody": false, "email": "per@familie.test" },
    ]);
    let case = app.active_case_of(&w.intake_a.token, input).await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id name } } } }",
            json!({ "id": case }),
        )
        .await;
    let family = r.data()["case"]["child"]["familyMembers"].clone();
    let id = |name: &str| {
        family
            .items()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["id"].str().to_owned())
            .unwrap_or_else(|| panic!("{name} in {family}"))
    };
    Family {
        mother: id("Lone Munk"),
        father: id("Per Munk"),
        case,
    }
}

/// A start meeting of `case`, SCHEDULED, and an instant an hour after it starts. With the
/// worker running, the worker may find the meeting a time before the test sets one: either
/// way the meeting ends up scheduled, and the hour after its start is taken from it.
async fn start_meeting(app: &TestApp, ct: &str, case: &str) -> (String, String) {
    let input = json!({ "caseId": case, "kind": "START", "invitees": [], "durationMinutes": 60,
        "latest": "2032-12-31T16:00:00+01:00" });
    let r = app
        .gql(ct, crate::meetings::REQUEST, json!({ "input": input }))
        .await;
    let id = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    let _ = app
        .gql(
            ct,
            r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { id } } }",
            json!({ "id": id, "at": "2026-11-30T10:00:00+01:00" }),
        )
        .await;
    let r = eventually("the start meeting scheduled", PATIENCE, || async {
        let r = app
            .gql(
                ct,
                "query($id: ID!) { node(id: $id) { ... on Meeting { status startsAt } } }",
                json!({ "id": id }),
            )
            .await;
        let m = r.data()["node"].clone();
        (m["status"] == "SCHEDULED").then_some(m)
    })
    .await;
    let starts =
        chrono::DateTime::parse_from_rfc3339(r["startsAt"].str()).unwrap_or_else(|e| panic!("{e}"));
    (id, (starts + TimeDelta::hours(1)).to_rfc3339())
}

/// Holds a start meeting whose plan has an open and a closed challenge and two agreements.
async fn start_meeting_with_plan(app: &TestApp, w: &World, case: &str) {
    let ct = &w.caseworker_a.token;
    let r = app
        .gql(
            ct,
            "query($id: ID!) { case(id: $id) { responsibleContacts { id } } }",
            json!({ "id": case }),
        )
        .await;
    let contact = r.data()["case"]["responsibleContacts"][0]["id"].clone();
    let start = start_meeting(app, ct, case).await;
    let r = held(
        app,
        ct,
        &start.0,
        &start.1,
        json!({
            "childWishes": "Liva vil gerne i skole hver dag",
            "familyWishes": "Hjælp til morgenerne",
            "challenges": [
                { "text": "Skolefravær" },
                { "text": "Mistanke om mistrivsel i hjemmet", "closed": true }
            ],
            "resources": [{ "text": "Stærk relation til klasselæreren" }],
            "agreements": [
                { "description": "Skolen laver en mødeplan", "ownerId": contact, "dueOn": "2027-03-01" },
                { "description": "PPR observerer i klassen", "ownerId": contact, "dueOn": "2027-03-15" }
            ]
        }),
    )
    .await;
    assert_eq!(r.data()["recordMeetingHeld"]["meeting"]["status"], "HELD");
}

/// The newest e-mail to `address` with `subject`: its body.
fn mail_to(sink: &kit_tests::smtp::SmtpSink, address: &str, subject: &str) -> Option<String> {
    sink.messages().into_iter().rev().find_map(|m| {
        let parsed = mail_parser::MessageParser::default().parse(&m.data)?;
        (m.rcpt_to.iter().any(|r| r == address) && parsed.subject()? == subject).then(|| {
            parsed
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default()
        })
    })
}

/// The path of the plan link in an e-mail body.
fn link_path(body: &str) -> String {
    let url = body
        .split_whitespace()
        .find(|w| w.contains("/plan/"))
        .unwrap_or_else(|| panic!("no plan link in {body}"));
    url[url.find("/plan/").unwrap_or_default()..].to_owned()
}

async fn get_bytes(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let response = reqwest::get(app.url(path))
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    (status, kind, bytes)
}

#[tokio::test]
async fn a_guardian_reads_the_current_plan_through_a_personal_link_until_it_is_revoked_or_expires()
{
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(smtp);
        c.settings.worker_poll_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let ct = &w.caseworker_a.token;
    let f = family_case(&app, &w).await;
    let to_mother = json!({ "input": { "caseId": f.case, "familyMemberId": f.mother } });

    // No plan yet: nothing to send.
    app.gql(ct, SEND, to_mother.clone())
        .await
        .assert_error("BAD_USER_INPUT", Some("input.caseId"));
    start_meeting_with_plan(&app, &w, &f.case).await;

    // Only a guardian with custody; the young person only from 15 (Liva is 12).
    app.gql(
        ct,
        SEND,
        json!({ "input": { "caseId": f.case, "familyMemberId": f.father } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.familyMemberId"));
    app.gql(
        ct,
        SEND,
        json!({ "input": { "caseId": f.case, "youngPerson": true, "email": "liva@elev.test" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.youngPerson"));
    // Someone of another municipality cannot send the child's plan anywhere.
    app.gql(&w.caseworker_b.token, SEND, to_mother.clone())
        .await
        .assert_error("NOT_FOUND", Some("input.caseId"));

    let r = app.gql(ct, SEND, to_mother.clone()).await;
    let link = r.data()["sendPlanLink"]["planLink"].clone();
    assert_eq!(link["status"], "ACTIVE");
    assert_eq!(link["familyMember"]["name"], "Lone Munk");
    assert_eq!(link["email"], "lone@familie.test");
    assert_eq!(link["youngPerson"], false);

    // The e-mail carries the link and nothing personal.
    let body = eventually("the plan link's e-mail", PATIENCE, || async {
        mail_to(&sink, "lone@familie.test", "Jeres fælles plan")
    })
    .await;
    for personal in [
        "Liva",
        "Munk",
        "Lone",
        "0305144321",
        "030514",
        "Skolefravær",
    ] {
        assert!(!body.contains(personal), "{personal} in the e-mail: {body}");
    }
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { reference } }",
            json!({ "id": f.case }),
        )
        .await;
    let reference = r.data()["case"]["reference"].str().to_owned();
    assert!(
        !body.contains(&reference),
        "the case reference in the e-mail"
    );
    let path = link_path(&body);

    // The page: the current plan, open items only, no CPR; Danish; printable.
    let (status, page) = app.get(&path).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<html lang=\"da\">"));
    assert!(page.contains("Fælles plan for Liva"), "{page}");
    for shown in [
        "Liva vil gerne i skole hver dag",
        "Hjælp til morgenerne",
        "Skolefravær",
        "Stærk relation til klasselæreren",
        "Skolen laver en mødeplan",
        "PPR observerer i klassen",
        "@media print",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    for hidden in [
        "Mistanke om mistrivsel",
        "0305144321",
        "030514-4321",
        "Munk",
    ] {
        assert!(!page.contains(hidden), "{hidden} shown: {page}");
    }

    // The PDF of the same.
    let (status, kind, pdf) = get_bytes(&app, &format!("{path}/pdf")).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap_or_else(|e| panic!("{e}"));
    for shown in [
        "Fælles plan for Liva",
        "Skolen laver en mødeplan",
        "PPR observerer i klassen",
        "Skolefravær",
    ] {
        assert!(text.contains(shown), "{shown} missing from the PDF: {text}");
    }
    assert!(!text.contains("Mistanke om mistrivsel"));
    assert!(!text.contains("030514"));

    // Both readings are recorded, and the e-mail shows as sent — once the worker has recorded
    // the mail server's acceptance, which comes after the server has the message.
    let listed = eventually(
        "the plan link's e-mail recorded as sent",
        PATIENCE,
        || async {
            let r = app.gql(ct, LINKS, json!({ "id": f.case })).await;
            let listed = r.data()["case"]["planLinks"][0].clone();
            (listed["emailStatus"] == "SENT").then_some(listed)
        },
    )
    .await;
    let formats: Vec<&str> = listed["reads"]
        .items()
        .iter()
        .map(|r| r["format"].str())
        .collect();
    assert_eq!(formats, ["PDF", "HTML"]);
    assert_eq!(listed["reads"][0]["planVersion"]["version"], 1);

    // Revoked: the same link stops working at once, and the attempt reads nothing.
    let r = app.gql(ct, REVOKE, json!({ "id": link["id"] })).await;
    assert_eq!(r.data()["revokePlanLink"]["planLink"]["status"], "REVOKED");
    assert_eq!(
        r.data()["revokePlanLink"]["planLink"]["revokedBy"]["name"],
        "caseworker a"
    );
    let (status, page) = app.get(&path).await;
    assert_eq!(status, 410);
    assert!(page.contains("Linket virker ikke"));
    assert!(!page.contains("Liva"));
    let (status, _, _) = get_bytes(&app, &format!("{path}/pdf")).await;
    assert_eq!(status, 410);
    app.gql(ct, REVOKE, json!({ "id": link["id"] }))
        .await
        .assert_error("CONFLICT", None);
    let r = app.gql(ct, LINKS, json!({ "id": f.case })).await;
    assert_eq!(r.data()["case"]["planLinks"][0]["reads"].items().len(), 2);

    // A link for one day no longer opens the plan two days later.
    let mut short = to_mother.clone();
    short["input"]["validForDays"] = json!(1);
    let r = app.gql(ct, SEND, short).await;
    let second = r.data()["sendPlanLink"]["planLink"]["id"].clone();
    let body = eventually("the second link's e-mail", PATIENCE, || async {
        let newest = mail_to(&sink, "lone@familie.test", "Jeres fælles plan")?;
        (link_path(&newest) != path).then_some(newest)
    })
    .await;
    let second_path = link_path(&body);
    let (status, _) = app.get(&second_path).await;
    assert_eq!(status, 200);
    app.clock.advance(TimeDelta::days(2));
    let (status, page) = app.get(&second_path).await;
    assert_eq!(status, 410, "{page}");
    let r = app.gql(ct, LINKS, json!({ "id": f.case })).await;
    let statuses: Vec<(&str, &str)> = r.data()["case"]["planLinks"]
        .items()
        .iter()
        .map(|l| (l["id"].str(), l["status"].str()))
        .collect();
    assert_eq!(
        statuses,
        [(second.str(), "EXPIRED"), (link["id"].str(), "REVOKED")]
    );

    // A forged link opens nothing.
    let (status, _) = app.get("/plan/not-a-token").await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn the_young_person_gets_the_plan_at_their_own_address_from_15() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let ct = &w.caseworker_a.token;
    let mut input = referral(&w.municipality_a, "Noah Berg");
    input["child"]["dateOfBirth"] = json!("2010-02-01");
    let case = app.active_case_of(&w.intake_a.token, input).await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    start_meeting_with_plan(&app, &w, &case).await;
    let send = |extra: Value| {
        let mut input = json!({ "caseId": case });
        if let (Some(target), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        json!({ "input": input })
    };
    app.gql(ct, SEND, send(json!({ "youngPerson": true })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.email"));
    app.gql(
        ct,
        SEND,
        send(json!({ "youngPerson": true, "email": "ikke en adresse" })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.email"));
    app.gql(
        ct,
        SEND,
        send(json!({ "youngPerson": true, "email": "noah@elev.test", "validForDays": 0 })),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.validForDays"));
    app.gql(ct, SEND, send(json!({})))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.familyMemberId"));
    let r = app
        .gql(
            ct,
            SEND,
            send(json!({ "youngPerson": true, "email": "noah@elev.test", "language": "EN" })),
        )
        .await;
    let link = &r.data()["sendPlanLink"]["planLink"];
    assert_eq!(link["youngPerson"], true);
    assert_eq!(link["familyMember"], Value::Null);
    assert_eq!(link["email"], "noah@elev.test");
    assert_eq!(link["createdBy"]["name"], "caseworker a");
    // Without a worker the e-mail waits in the outbox.
    let r = app.gql(ct, LINKS, json!({ "id": case })).await;
    assert_eq!(r.data()["case"]["planLinks"][0]["emailStatus"], "PENDING");
}
