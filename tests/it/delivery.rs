//! Delivery that loses nothing and doubles nothing: an SMTP outage, a server that refuses for
//! good, and the embedded default that writes `.eml` files.

use std::collections::HashSet;

use kit_tests::harness::{Field, PATIENCE, eventually};
use kit_tests::mail::Invite;
use kit_tests::smtp::Received;
use serde_json::{Value, json};

use crate::meetings::{Setup, setup};

async fn deliveries(s: &Setup, id: &str) -> Vec<Value> {
    s.meeting(id).await["deliveries"].items().to_vec()
}

fn message_ids(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| Invite::parse(r).message_id)
        .collect()
}

#[tokio::test]
async fn an_smtp_outage_delays_invitations_but_loses_and_doubles_none() {
    let s = setup(|c| c.settings.mail_max_attempts = 10).await;
    s.sink
        .set_failure(Some("421 4.3.2 Service not available, try later"));
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    s.wait_status(&id, "SCHEDULED").await;
    // Every message fails, is recorded as such, and waits to be tried again.
    let failing = eventually("every delivery to have failed twice", PATIENCE, || async {
        let d = deliveries(&s, &id).await;
        (d.len() == 4 && d.iter().all(|d| d["attempts"].as_i64() >= Some(2))).then_some(d)
    })
    .await;
    for d in &failing {
        assert_eq!(d["status"], "PENDING");
        assert!(d["lastError"].str().contains("421"), "{d}");
        assert!(d["nextAttemptAt"].is_string());
    }
    assert!(s.sink.messages().is_empty());
    // The server comes back: everything arrives, once.
    s.sink.set_failure(None);
    let sent = eventually("every delivery to be sent", PATIENCE, || async {
        let d = deliveries(&s, &id).await;
        d.iter().all(|d| d["status"] == "SENT").then_some(d)
    })
    .await;
    assert_eq!(sent.len(), 4);
    let received = s.sink.wait_for(4, PATIENCE).await;
    assert_eq!(received.len(), 4, "no message doubled");
    let ids = message_ids(&received);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 4);
    let recipients: HashSet<String> = received.iter().map(|r| r.rcpt_to.join(",")).collect();
    assert_eq!(recipients.len(), 4, "each invitee once: {recipients:?}");
}

#[tokio::test]
async fn a_message_that_cannot_be_delivered_is_marked_failed() {
    let s = setup(|c| c.settings.mail_max_attempts = 2).await;
    s.sink
        .set_failure(Some("451 4.3.0 Mailbox temporarily unavailable"));
    let id = s
        .request(
            json!([{ "participantId": s.guardian }]),
            "2026-12-23T16:00:00+01:00",
            json!({}),
        )
        .await;
    let failed = eventually("the deliveries to fail for good", PATIENCE, || async {
        let d = deliveries(&s, &id).await;
        (!d.is_empty() && d.iter().all(|d| d["status"] == "FAILED")).then_some(d)
    })
    .await;
    for d in failed {
        assert_eq!(d["attempts"], 2);
        assert!(d["nextAttemptAt"].is_null());
        assert!(d["lastError"].str().contains("451"));
    }
}

#[tokio::test]
async fn without_smtp_the_messages_are_written_as_eml_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().to_path_buf();
    let s = setup(move |c| {
        c.settings.smtp_url = None;
        c.settings.mail_dir = path;
    })
    .await;
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    s.wait_status(&id, "SCHEDULED").await;
    let files = eventually("four .eml files", PATIENCE, || async {
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        (files.len() == 4).then_some(files)
    })
    .await;
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let invite = Invite::parse(&Received {
            mail_from: String::new(),
            rcpt_to: Vec::new(),
            data,
        });
        assert_eq!(invite.method(), "REQUEST");
        crate::meetings::assert_private(&invite);
    }
    // Recorded as sent once the worker has written each file and then its record.
    eventually("the .eml deliveries recorded as sent", PATIENCE, || async {
        deliveries(&s, &id)
            .await
            .iter()
            .all(|d| d["status"] == "SENT")
            .then_some(())
    })
    .await;
    assert!(s.sink.messages().is_empty());
}

/// A worker the database refused once — here its heartbeat, by a trigger that fails the send
/// queue's — does not leave its queue dead beside the process's running workers: they all
/// start again after a pause, and the invitations go out.
#[tokio::test]
async fn a_queue_whose_worker_failed_once_is_served_again() {
    use sea_orm::ConnectionTrait;
    let s = setup(|c| c.settings.worker_heartbeat_secs = kit_entity::infra::settings::Secs::new(1))
        .await;
    let db = s.app.db();
    let postgres = s.app.database.is_postgres();
    let (install, remove) = if postgres {
        (
            vec![
                "CREATE FUNCTION kit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$",
                "CREATE TRIGGER kit_test_refuse BEFORE UPDATE ON apalis.workers FOR EACH ROW \
                 WHEN (NEW.worker_type = 'kit.send-delivery') EXECUTE FUNCTION kit_test_refuse()",
            ],
            vec![
                "DROP TRIGGER kit_test_refuse ON apalis.workers",
                "DROP FUNCTION kit_test_refuse()",
            ],
        )
    } else {
        (
            vec![
                "CREATE TRIGGER kit_test_refuse BEFORE UPDATE ON Workers \
                 WHEN NEW.worker_type = 'kit.send-delivery' \
                 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
            ],
            vec!["DROP TRIGGER kit_test_refuse"],
        )
    };
    for sql in install {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // Its next heartbeat fails: the send queue's worker ends.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for sql in remove {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let id = s
        .request(s.everyone(), "2026-12-23T16:00:00+01:00", json!({}))
        .await;
    let sent = eventually(
        "every invitation sent",
        std::time::Duration::from_secs(60),
        || async {
            let d = deliveries(&s, &id).await;
            (d.len() == 4 && d.iter().all(|d| d["status"] == "SENT")).then_some(d)
        },
    )
    .await;
    assert_eq!(s.sink.wait_for(4, PATIENCE).await.len(), sent.len());
}
