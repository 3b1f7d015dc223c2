//! Information-exchange documents: uploaded as GraphQL multipart requests with their type read
//! from the content and their size limited, downloaded through an authenticated URL that
//! checks access and logs the read, shared with another organization only under a consent for
//! information exchange (and unshared by its withdrawal), and meeting the sector's information
//! deadline before a network meeting.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};

const ADD: &str = r"mutation($input: AddDocumentInput!) { addDocument(input: $input) {
    document { id kind title text attachment { name contentType size downloadUrl }
               authorOrganization { name } sharedWith { organization { name } } } } }";
const SHARE: &str = r"mutation($input: ShareDocumentInput!) { shareDocument(input: $input) {
    document { id sharedWith { organization { name } consentId } } } }";
const LIST: &str = r"query($id: ID!) { case(id: $id) { documents { id title } } }";

/// A PDF as small as a reader still recognises.
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.resize(size.max(bytes.len()), b' ');
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

/// A case of municipality A with the caseworker and the psychiatrist as responsible contacts.
async fn case(app: &TestApp, w: &World) -> String {
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Alma Berg").await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    case
}

async fn consent(app: &TestApp, w: &World, case: &str) -> String {
    let r = app
        .gql(
            &w.caseworker_a.token,
            r"mutation($input: RecordConsentInput!) { recordConsent(input: $input) { consent { id } } }",
            json!({ "input": { "caseId": case, "givenByYoungPerson": false,
                "givenByFamilyMemberId": mother(app, w, case).await,
                "organizationIds": [w.municipality_a, w.region],
                "purpose": "INFORMATION_EXCHANGE", "basis": "Underskrevet samtykke" } }),
        )
        .await;
    r.data()["recordConsent"]["consent"]["id"].str().to_owned()
}

async fn mother(app: &TestApp, w: &World, case: &str) -> Value {
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { id familyMembers { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let child = r.data()["case"]["child"].clone();
    if let Some(m) = child["familyMembers"].items().first() {
        return m["id"].clone();
    }
    let r = app
        .gql(
            &w.intake_a.token,
            "mutation($input: AddFamilyMemberInput!) { addFamilyMember(input: $input) { familyMember { id } } }",
            json!({ "input": { "childId": child["id"], "familyMember": { "name": "Mona Berg", "relation": "MOTHER", "hasCustody": true } } }),
        )
        .await;
    r.data()["addFamilyMember"]["familyMember"]["id"].clone()
}

async fn download(
    app: &TestApp,
    url: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap_or_default().to_vec();
    let _ = app;
    (status, headers, body)
}

fn listed(r: &kit_tests::harness::Gql) -> Vec<String> {
    r.data()["case"]["documents"]
        .items()
        .iter()
        .map(|d| d["title"].str().to_owned())
        .collect()
}

#[tokio::test]
async fn a_document_is_typed_by_content_downloaded_with_access_logged_and_shared_only_under_consent()
 {
    let app = TestApp::spawn_with(|c| {
        c.document_max_bytes = 4096;
        c.settings.public_url = "http://kit.example".into();
    })
    .await;
    let w = World::build(&app).await;
    let case = case(&app, &w).await;
    let ct = &w.caseworker_a.token;
    let input = |title: &str| {
        json!({ "input": { "caseId": case, "kind": "STATUS_NOTE", "title": title,
            "text": "Skolefravær faldet; angst i sociale situationer.", "attachment": null } })
    };

    // A PDF named like a text file is a PDF; a text file named like a PDF is refused.
    let r = app
        .upload(
            ct,
            ADD,
            input("Statusnotat"),
            "input.attachment",
            ("notat.txt", pdf(1000)),
        )
        .await;
    let doc = r.data()["addDocument"]["document"].clone();
    assert_eq!(doc["attachment"]["contentType"], "application/pdf");
    assert_eq!(doc["attachment"]["name"], "notat.txt");
    assert_eq!(doc["authorOrganization"]["name"], "Kommune A");
    let url = doc["attachment"]["downloadUrl"].str().to_owned();
    assert!(url.starts_with("http://kit.example/documents/"), "{url}");
    let r = app
        .upload(
            ct,
            ADD,
            input("Falsk"),
            "input.attachment",
            ("notat.pdf", b"Dette er ikke en PDF".to_vec()),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.attachment"));
    assert!(
        r.message().contains("PDF, DOCX, PNG and JPEG"),
        "{}",
        r.message()
    );
    // Too large: named, with the limit.
    let r = app
        .upload(
            ct,
            ADD,
            input("Stor"),
            "input.attachment",
            ("stor.pdf", pdf(5000)),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.attachment"));
    assert!(
        r.message().contains("KIT_DOCUMENT_MAX_BYTES"),
        "{}",
        r.message()
    );
    // Neither text nor attachment.
    app.gql(
        ct,
        ADD,
        json!({ "input": { "caseId": case, "kind": "OTHER", "title": "Tom" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.text"));
    // Someone outside the case cannot add one.
    app.gql(&w.caseworker_b.token, ADD, input("Udefra"))
        .await
        .assert_error("NOT_FOUND", Some("input.caseId"));

    // Downloading: the author's organization, logged; nobody without a token; the psychiatrist
    // of the region only once it is shared.
    let local = url.replace("http://kit.example", &app.url(""));
    let (status, headers, body) = download(&app, &local, Some(ct)).await;
    assert_eq!(status, 200);
    assert_eq!(body, pdf(1000));
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"notat.txt\""),
        "{headers:?}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(download(&app, &local, None).await.0, 401);
    let pt = &w.psychiatrist.token;
    assert_eq!(download(&app, &local, Some(pt)).await.0, 404);
    assert!(listed(&app.gql(pt, LIST, json!({ "id": case })).await).is_empty());
    let log = r"query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes { what operation professional { id } } } } }";
    let r = app.gql(&w.intake_a.token, log, json!({ "id": case })).await;
    assert!(
        r.data()["case"]["accessLog"]["nodes"]
            .items()
            .iter()
            .any(|n| {
                n["operation"].str().starts_with("GET /documents/")
                    && n["what"] == json!(["DOCUMENTS"])
                    && n["professional"]["id"] == w.caseworker_a.gid.as_str()
            }),
        "{}",
        r.body
    );

    // Sharing with the region without a consent for information exchange: refused, naming
    // both organizations.
    let share = json!({ "input": { "documentId": doc["id"], "organizationIds": [w.region] } });
    let r = app.gql(ct, SHARE, share.clone()).await;
    r.assert_error("FORBIDDEN", None);
    for named in ["INFORMATION_EXCHANGE", "Kommune A", "Region BUC"] {
        assert!(r.message().contains(named), "{}", r.message());
    }
    // Only the author's organization shares it.
    app.gql(pt, SHARE, share.clone())
        .await
        .assert_error("NOT_FOUND", Some("input.documentId"));

    // With the consent: shared, listed and downloadable for the psychiatrist…
    let given = consent(&app, &w, &case).await;
    let r = app.gql(ct, SHARE, share.clone()).await;
    let shared = &r.data()["shareDocument"]["document"]["sharedWith"];
    assert_eq!(shared[0]["organization"]["name"], "Region BUC");
    assert_eq!(shared[0]["consentId"], given.as_str());
    assert_eq!(
        listed(&app.gql(pt, LIST, json!({ "id": case })).await),
        ["Statusnotat"]
    );
    assert_eq!(download(&app, &local, Some(pt)).await.0, 200);
    // …until the consent is withdrawn: the very next request.
    let _ = app
        .gql(
            ct,
            r#"mutation($id: ID!) { withdrawConsent(input: { consentId: $id, reason: "Trukket" }) { consent { id } } }"#,
            json!({ "id": given }),
        )
        .await
        .data();
    assert!(listed(&app.gql(pt, LIST, json!({ "id": case })).await).is_empty());
    assert_eq!(download(&app, &local, Some(pt)).await.0, 404);
    assert_eq!(
        listed(&app.gql(ct, LIST, json!({ "id": case })).await),
        ["Statusnotat"]
    );
}

#[tokio::test]
async fn sharing_before_a_network_meeting_meets_the_sectors_information_deadline() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = case(&app, &w).await;
    let ct = &w.caseworker_a.token;
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": [], "durationMinutes": 60,
        "latest": "2027-12-31T16:00:00+01:00" });
    let r = app
        .gql(ct, crate::meetings::REQUEST, json!({ "input": input }))
        .await;
    let meeting = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    let schedule = r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { status } } }";
    let r = app
        .gql(
            ct,
            schedule,
            json!({ "id": meeting, "at": "2026-12-10T10:00:00+01:00" }),
        )
        .await;
    assert_eq!(
        r.data()["scheduleMeeting"]["meeting"]["status"],
        "SCHEDULED"
    );
    let owed = || async {
        let r = app
            .gql(
                &w.intake_a.token,
                r"query($id: ID!) { case(id: $id) { deadlines { ruleCode sector status } } }",
                json!({ "id": case }),
            )
            .await;
        r.data()["case"]["deadlines"]
            .items()
            .iter()
            .filter(|d| d["ruleCode"] == "information-before-network-meeting")
            .map(|d| (d["sector"].str().to_owned(), d["status"].str().to_owned()))
            .collect::<Vec<_>>()
    };
    let mut before = owed().await;
    before.sort();
    assert_eq!(
        before,
        [
            ("CHILD_PSYCHIATRY".to_owned(), "PENDING".to_owned()),
            ("MUNICIPALITY".to_owned(), "PENDING".to_owned())
        ]
    );

    // Child psychiatry writes its treatment plan for the meeting and shares it.
    consent(&app, &w, &case).await;
    let pt = &w.psychiatrist.token;
    let r = app
        .gql(
            pt,
            ADD,
            json!({ "input": { "caseId": case, "kind": "TREATMENT_PLAN", "meetingId": meeting,
                "title": "Behandlingsplan", "text": "Samtaleforløb hver 14. dag i 3 måneder." } }),
        )
        .await;
    let doc = r.data()["addDocument"]["document"]["id"].clone();
    let _ = app
        .gql(
            pt,
            SHARE,
            json!({ "input": { "documentId": doc, "organizationIds": [w.municipality_a] } }),
        )
        .await
        .data();
    let mut after = owed().await;
    after.sort();
    assert_eq!(
        after,
        [
            ("CHILD_PSYCHIATRY".to_owned(), "MET".to_owned()),
            ("MUNICIPALITY".to_owned(), "PENDING".to_owned())
        ]
    );
    // The meeting's invitations now name the sector that has shared (and nothing of what).
    let id = kit_entity::ids::MeetingId(kit_tests::harness::key_of(&meeting));
    let sectors = kit_entity::ops::meetings::shared_sectors(app.db(), id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sectors,
        [kit_entity::domain::enums::Sector::ChildPsychiatry]
    );
    // The municipality reads the shared plan.
    assert_eq!(
        listed(&app.gql(ct, LIST, json!({ "id": case })).await),
        ["Behandlingsplan"]
    );
}

/// The body of the newest e-mail to `address` whose subject starts with `subject` and names
/// a network meeting.
fn network_mail(sink: &kit_tests::smtp::SmtpSink, address: &str, subject: &str) -> Option<String> {
    sink.messages().into_iter().rev().find_map(|m| {
        let parsed = mail_parser::MessageParser::default().parse(&m.data)?;
        let s = parsed.subject()?.to_owned();
        (m.rcpt_to.iter().any(|r| r == address)
            && s.starts_with(subject)
            && s.contains("Netværksmøde"))
        .then(|| {
            parsed
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default()
        })
    })
}

#[tokio::test]
async fn a_network_meetings_invitation_names_the_sectors_that_have_shared_and_nothing_more() {
    use kit_tests::harness::{PATIENCE, eventually};
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(smtp);
        c.settings.worker_poll_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let case = case(&app, &w).await;
    let ct = &w.caseworker_a.token;
    let r = app
        .gql(
            ct,
            "query($id: ID!) { case(id: $id) { participants { id professional { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let invitees: Vec<Value> = r.data()["case"]["participants"]
        .items()
        .iter()
        .filter(|p| {
            [&w.caseworker_a.gid, &w.psychiatrist.gid]
                .iter()
                .any(|g| p["professional"]["id"] == g.as_str())
        })
        .map(|p| json!({ "participantId": p["id"] }))
        .collect();
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": invitees,
        "durationMinutes": 60, "latest": "2027-12-31T16:00:00+01:00" });
    let r = app
        .gql(ct, crate::meetings::REQUEST, json!({ "input": input }))
        .await;
    let meeting = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();
    let to = "caseworker.a@kit.test";
    let first = eventually("the network meeting's invitation", PATIENCE, || async {
        network_mail(&sink, to, "Invitation:")
    })
    .await;
    assert!(
        first.contains("Ingen sektorer har endnu delt oplysninger til mødet."),
        "{first}"
    );

    // Child psychiatry shares its treatment plan for the meeting; the meeting moves a day,
    // and the update names the sector — not the plan.
    consent(&app, &w, &case).await;
    let pt = &w.psychiatrist.token;
    let r = app
        .gql(
            pt,
            ADD,
            json!({ "input": { "caseId": case, "kind": "TREATMENT_PLAN", "meetingId": meeting,
                "title": "Behandlingsplan", "text": "Samtaleforløb hver 14. dag." } }),
        )
        .await;
    let doc = r.data()["addDocument"]["document"]["id"].clone();
    let _ = app
        .gql(
            pt,
            SHARE,
            json!({ "input": { "documentId": doc, "organizationIds": [w.municipality_a] } }),
        )
        .await
        .data();
    let r = app
        .gql(
            ct,
            "query($id: ID!) { meeting(id: $id) { startsAt } }",
            json!({ "id": meeting }),
        )
        .await;
    let starts = chrono::DateTime::parse_from_rfc3339(r.data()["meeting"]["startsAt"].str())
        .unwrap_or_else(|e| panic!("{e}"));
    let later = (starts + chrono::TimeDelta::days(1)).to_rfc3339();
    let reschedule = r"mutation($id: ID!, $at: DateTime!) { rescheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { status } } }";
    let _ = app
        .gql(ct, reschedule, json!({ "id": meeting, "at": later }))
        .await
        .data();
    let update = eventually("the update naming the sector", PATIENCE, || async {
        network_mail(&sink, to, "Ændret:")
    })
    .await;
    assert!(
        update.contains("Oplysninger til mødet er delt af: børne- og ungdomspsykiatrien."),
        "{update}"
    );
    for secret in ["Behandlingsplan", "Samtaleforløb", "Alma"] {
        assert!(!update.contains(secret), "{secret} in {update}");
    }
}
