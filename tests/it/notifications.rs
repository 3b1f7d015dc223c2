//! Deadline notifications end to end: the worker's own sweeper, driven by the injected clock,
//! sends the e-mail through a real SMTP server and pushes the in-app notification to the
//! recipient's `notificationAdded` subscription over `graphql-transport-ws`, and to nobody
//! else's. On PostgreSQL, another API process sharing the database hears it too.

use chrono::{NaiveDate, TimeDelta};
use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::smtp::SmtpSink;
use kit_tests::world::{World, ops};
use kit_tests::ws::{Connect, WsClient};
use serde_json::{Value, json};

const SUBSCRIPTION: &str = "subscription { notificationAdded { id kind title message createdAt deadline { ruleCode status } } }";

fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    kit_entity::domain::calendar::instant(
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_else(|| panic!("{y}-{m}-{d} {h}:{min} is not a time")),
    )
}

async fn subscribed(app: &TestApp, token: &str) -> WsClient {
    let url = format!("ws://{}/graphql/ws", app.addr);
    match WsClient::connect(&url, json!({ "Authorization": format!("Bearer {token}") })).await {
        Connect::Acknowledged(mut client) => {
            client.subscribe(SUBSCRIPTION).await;
            *client
        }
        Connect::Closed(code, reason) => panic!("refused with {code}: {reason}"),
    }
}

fn mail_to(sink: &SmtpSink, address: &str, subject_start: &str) -> Option<String> {
    sink.messages().into_iter().find_map(|m| {
        let text = String::from_utf8_lossy(&m.data).to_string();
        let parsed = mail_parser::MessageParser::default().parse(&m.data)?;
        let subject = parsed.subject()?.to_owned();
        (m.rcpt_to.iter().any(|r| r == address) && subject.starts_with(subject_start))
            .then_some(text)
    })
}

#[tokio::test]
async fn the_worker_mails_and_pushes_each_notification_to_its_recipient_only() {
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
    let case = app.active_case(t, &w.municipality_a, "Ella").await;
    let _ = app
        .gql(t, ops::ASSIGN, json!({ "case": case, "p": w.ppr_a.gid }))
        .await
        .data();
    // The municipality shares what it knows and appoints the intervention lead at once: the
    // start meeting's alerts are the only ones this test follows.
    let shared = r"mutation($input: RecordCaseEventInput!) { recordCaseEvent(input: $input) { caseEvent { id } } }";
    let _ = app
        .gql(
            t,
            shared,
            json!({ "input": { "caseId": case, "kind": "INFORMATION_SHARED", "sector": "MUNICIPALITY" } }),
        )
        .await
        .data();
    let lead = r"mutation($case: ID!, $p: ID!) { assignInterventionLead(input: { caseId: $case, professionalId: $p }) { interventionLead { id } } }";
    let _ = app
        .gql(t, lead, json!({ "case": case, "p": w.caseworker_a.gid }))
        .await
        .data();

    // A connection without a valid token is refused.
    let ws = format!("ws://{}/graphql/ws", app.addr);
    match WsClient::connect(&ws, json!({ "Authorization": "Bearer not-a-token" })).await {
        Connect::Closed(code, reason) => {
            assert_eq!(code, 4403, "Forbidden, as graphql-transport-ws recommends");
            assert!(reason.contains("token"), "{reason}");
        }
        Connect::Acknowledged(_) => panic!("a bad token was accepted"),
    }
    match WsClient::connect(&ws, json!({})).await {
        Connect::Closed(code, reason) => {
            assert_eq!(code, 4403);
            assert!(reason.contains("connection_init"), "{reason}");
        }
        Connect::Acknowledged(_) => panic!("a connection without a token was accepted"),
    }
    let mut psychologist = subscribed(&app, &w.ppr_a.token).await;
    let mut leader = subscribed(&app, &w.ppr_leader_a.token).await;
    eventually("both subscriptions listening", PATIENCE, || async {
        (app.state.announcements.receiver_count() >= 2).then_some(())
    })
    .await;

    // Another API process on the same PostgreSQL database hears the announcements too.
    let mut elsewhere = if app.database.is_postgres() {
        let settings = kit_entity::infra::settings::Settings {
            database_url: app.database.url.clone(),
            ..kit_entity::infra::settings::Settings::default()
        };
        let db = kit_entity::infra::db::connect(&settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tx = kit_entity::infra::announce::channel();
        let rx = tx.subscribe();
        let listener = kit_entity::infra::announce::listen(&db, tx);
        assert!(listener.is_some());
        Some((rx, listener, db))
    } else {
        None
    };

    // The reminder, 5 working days before the start meeting's deadline.
    app.clock.set(cph(2026, 12, 15, 8, 0));
    let event = psychologist.next_data(PATIENCE).await;
    let n = &event["notificationAdded"];
    assert_eq!(n["kind"], "REMINDER");
    assert_eq!(n["deadline"]["ruleCode"], "start-meeting");
    assert_eq!(n["deadline"]["status"], "PENDING");
    assert!(
        n["title"]
            .str()
            .starts_with("Påmindelse: Opstartsmødet holdes inden for 20 arbejdsdage"),
        "{n}"
    );
    let mail = eventually("the reminder e-mail", PATIENCE, || async {
        mail_to(&sink, "ppr.a@kit.test", "Påmindelse:")
    })
    .await;
    assert!(
        mail.contains("21-12-2026"),
        "the end of Monday 21 December: {mail}"
    );
    if let Some((rx, _, _)) = &mut elsewhere {
        let heard = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("the other process heard nothing"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(heard.recipient, w.ppr_a.id);
        assert_eq!(
            heard.id.to_string(),
            kit_tests::harness::key_of(n["id"].str()).to_string()
        );
    }

    // Due: the alert, to her; the deadline is missed.
    app.clock
        .set(cph(2026, 12, 22, 0, 0) + TimeDelta::seconds(1));
    let event = psychologist.next_data(PATIENCE).await;
    assert_eq!(event["notificationAdded"]["kind"], "DUE");
    assert_eq!(event["notificationAdded"]["deadline"]["status"], "MISSED");
    eventually("the due e-mail", PATIENCE, || async {
        mail_to(&sink, "ppr.a@kit.test", "Frist overskredet:")
    })
    .await;

    // Escalated: the leader's first event is the escalation, not her notifications.
    app.clock.set(cph(2026, 12, 28, 8, 0));
    let event = leader.next_data(PATIENCE).await;
    assert_eq!(event["notificationAdded"]["kind"], "ESCALATION");
    let body = eventually("the escalation e-mail", PATIENCE, || async {
        mail_to(&sink, "ppr.leader.a@kit.test", "Eskaleret frist:")
    })
    .await;
    assert!(body.contains("leder"), "{body}");
    let unread = r"query { viewer { unreadNotificationCount } }";
    let r = app.gql(&w.ppr_leader_a.token, unread, json!({})).await;
    assert_eq!(r.data()["viewer"]["unreadNotificationCount"], 1);

    // What the subscriptions delivered of the case is in its access log, per event.
    let log = r"query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes {
        professional { name } what operation requestId } } } }";
    let r = app.gql(t, log, json!({ "id": case })).await;
    let pushed: Vec<&Value> = r.data()["case"]["accessLog"]["nodes"]
        .items()
        .iter()
        .filter(|e| e["operation"] == "anonymous(notificationAdded)")
        .collect();
    assert_eq!(
        pushed.len(),
        3,
        "reminder, due alert, escalation: {pushed:?}"
    );
    for e in &pushed {
        assert_eq!(e["what"], json!(["DEADLINES"]));
        assert!(e["requestId"].str().starts_with("ws-"), "{e}");
    }
    assert_eq!(pushed[0]["professional"]["name"], "ppr leader a");
}
