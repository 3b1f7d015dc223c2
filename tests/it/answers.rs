//! Answers to invitations — by the personal link, by GraphQL, by a forwarded iTIP REPLY —
//! and personal calendar feeds.

use kit_tests::harness::{Field, PATIENCE, eventually};
use kit_tests::mail::Invite;
use serde_json::json;

use crate::meetings::setup;

fn path_of(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| panic!("{url} is not an absolute URL with a path"))
}

async fn response_of(s: &crate::meetings::Setup, meeting: &str, participant: &str) -> String {
    let m = s.meeting(meeting).await;
    m["invitees"]
        .items()
        .iter()
        .find(|i| i["participant"]["id"] == participant)
        .unwrap_or_else(|| panic!("{participant} is not invited to {meeting}"))["response"]
        .str()
        .to_owned()
}

#[tokio::test]
async fn invitees_answer_by_link_by_graphql_and_by_itip_reply() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    s.wait_status(&id, "SCHEDULED").await;
    let sent = s.sink.wait_for(4, PATIENCE).await;
    let to_mother = sent
        .iter()
        .map(Invite::parse)
        .find(|i| i.to == "lone@example.dk")
        .unwrap_or_else(|| panic!("no mail to the mother"));
    let decline = to_mother
        .body
        .lines()
        .find_map(|l| l.strip_prefix("I will not attend: "))
        .map(path_of)
        .unwrap_or_else(|| panic!("no decline link in {}", to_mother.body));

    // The link shows the meeting by case reference and asks to confirm; it changes nothing yet.
    let http = reqwest::Client::new();
    let page = http
        .get(s.app.url(&decline))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap_or_else(|e| panic!("no body: {e}"));
    assert!(
        html.contains("KIT-2026-") && !html.contains("Ida"),
        "{html}"
    );
    assert_eq!(response_of(&s, &id, &s.guardian).await, "NEEDS_ACTION");
    // Confirming records the answer.
    let (path, _) = decline.split_once('?').unwrap_or((&decline, ""));
    let confirmed = http
        .post(s.app.url(path))
        .form(&[("answer", "decline")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(confirmed.status(), 200);
    assert!(
        confirmed
            .text()
            .await
            .unwrap_or_else(|e| panic!("no body: {e}"))
            .contains("I will not attend")
    );
    assert_eq!(response_of(&s, &id, &s.guardian).await, "DECLINED");
    // A forged link does nothing.
    let forged = http
        .post(s.app.url(&format!("{path}x")))
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), 410);
    assert_eq!(response_of(&s, &id, &s.guardian).await, "DECLINED");

    // A professional answers in the product.
    let respond = r"mutation($id: ID!) { respondToInvitation(input: { meetingId: $id, response: ACCEPTED }) { invitee { response } } }";
    let r = s
        .app
        .gql(&s.w.psychiatrist.token, respond, json!({ "id": id }))
        .await;
    assert_eq!(
        r.data()["respondToInvitation"]["invitee"]["response"],
        "ACCEPTED"
    );
    // Someone not invited cannot.
    s.app
        .gql(&s.w.intake_a.token, respond, json!({ "id": id }))
        .await
        .assert_error("CONFLICT", None);

    // The organizer's mailbox forwards the external actor's REPLY.
    let uid = s.meeting(&id).await["uid"].str().to_owned();
    let reply = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\nMETHOD:REPLY\r\n\
BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:0\r\nDTSTAMP:20261124T100000Z\r\n\
ATTENDEE;PARTSTAT=TENTATIVE;CN=Privat psykolog:mailto:PSYKOLOG@example.dk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let post = |secret: &'static str, body: String| {
        http.post(s.app.url("/calendar/reply"))
            .bearer_auth(secret)
            .header("content-type", "text/calendar")
            .body(body)
            .send()
    };
    let refused = post("wrong", reply.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 401);
    let refused: serde_json::Value = refused
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    let applied: serde_json::Value = post("gateway-secret", reply.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(applied["applied"], 1, "{applied}");
    assert_eq!(response_of(&s, &id, &s.external).await, "TENTATIVE");
    let garbage = post("gateway-secret", "hello".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(garbage.status(), 400);
    let garbage: serde_json::Value = garbage
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(
        garbage["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{garbage}"
    );
    assert!(
        garbage["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("body: ")),
        "{garbage}"
    );

    // After a change, the old link no longer answers for the new time — at once, while the
    // update is still on its way (the mail server refuses it for now).
    s.sink.set_failure(Some("451 4.3.0 Try again later"));
    let reschedule = r"mutation($id: ID!) { rescheduleMeeting(input: { meetingId: $id, startsAt: "
        .to_owned()
        + "\"2026-12-03T10:00:00+01:00\" }) { meeting { sequence } } }";
    let _ = s
        .app
        .gql(&s.w.caseworker_a.token, &reschedule, json!({ "id": id }))
        .await
        .data();
    let answered = response_of(&s, &id, &s.guardian).await;
    let before_sent = http
        .post(s.app.url(path))
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before_sent.status(), 409);
    assert!(
        before_sent
            .text()
            .await
            .unwrap_or_else(|e| panic!("no body: {e}"))
            .contains("newest invitation")
    );
    assert_eq!(response_of(&s, &id, &s.guardian).await, answered);
    s.sink.set_failure(None);
    let _ = s.sink.wait_for(8, PATIENCE).await;
    eventually("the update to be sent", PATIENCE, || async {
        let m = s.meeting(&id).await;
        m["deliveries"]
            .as_array()
            .filter(|d| d.iter().all(|d| d["status"] == "SENT"))
            .map(|_| ())
    })
    .await;
    let stale = http
        .post(s.app.url(path))
        .form(&[("answer", "accept")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stale.status(), 409);
    assert!(
        stale
            .text()
            .await
            .unwrap_or_else(|e| panic!("no body: {e}"))
            .contains("newest invitation")
    );
}

#[tokio::test]
async fn personal_calendar_feeds_list_meetings_until_revoked() {
    let s = setup(|_| {}).await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let m = s.wait_status(&id, "SCHEDULED").await;
    let create = r"mutation($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) { url feed { id } } }";
    let mine = s
        .app
        .gql(&s.w.caseworker_a.token, create, json!({ "input": {} }))
        .await;
    let url = mine.data()["createCalendarFeed"]["url"].str().to_owned();
    assert!(url.ends_with(".ics"));
    let feed = reqwest::get(s.app.url(&path_of(&url)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap_or_else(|e| panic!("{e}"))
            .starts_with("text/calendar")
    );
    let text = feed.text().await.unwrap_or_else(|e| panic!("no body: {e}"));
    assert!(text.contains(m["uid"].as_str().unwrap_or("?")), "{text}");
    assert!(text.contains("BEGIN:VTIMEZONE") && !text.contains("METHOD:"));
    assert!(!text.contains("Ida") && !text.contains("030514"));

    // A feed for the mother, made by her caseworker.
    let hers = s
        .app
        .gql(
            &s.w.caseworker_a.token,
            create,
            json!({ "input": { "participantId": s.guardian } }),
        )
        .await;
    let her_url = hers.data()["createCalendarFeed"]["url"].str().to_owned();
    let her_text = reqwest::get(s.app.url(&path_of(&her_url)))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("no body: {e}"));
    assert!(
        her_text.contains("SUMMARY:Network meeting"),
        "in her language: {her_text}"
    );
    // Professionals make their own.
    s.app
        .gql(
            &s.w.caseworker_a.token,
            create,
            json!({ "input": { "participantId": s.psychiatrist } }),
        )
        .await
        .assert_error("BAD_USER_INPUT", Some("input.participantId"));

    let revoke =
        r"mutation($id: ID!) { revokeCalendarFeed(input: { feedId: $id }) { feed { revokedAt } } }";
    let feed_id = mine.data()["createCalendarFeed"]["feed"]["id"].clone();
    let r = s
        .app
        .gql(&s.w.caseworker_a.token, revoke, json!({ "id": feed_id }))
        .await;
    assert!(r.data()["revokeCalendarFeed"]["feed"]["revokedAt"].is_string());
    let gone = reqwest::get(s.app.url(&path_of(&url)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gone.status(), 404);
    let unknown = reqwest::get(s.app.url("/calendar/not-a-token.ics"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unknown.status(), 404);
}
