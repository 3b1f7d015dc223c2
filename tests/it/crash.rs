//! A `kit-worker` process killed with SIGKILL in the middle of a batch of invitations, then
//! started again: every invitation is delivered exactly once.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::mail::Invite;
use kit_tests::smtp::{DataHook, SmtpSink};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::meetings::{MEETING, REQUEST};

const INVITEES: usize = 20;
const KILL_AT: usize = 5;

fn start_worker(database: &str, smtp: &str) -> Child {
    Command::new(kit_tests::harness::binary("kit-worker"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // A suite run under a moved date (`.ci/date-independent`) moves the worker's too.
        .envs(std::env::vars().filter(|(k, _)| k == "LD_PRELOAD" || k.starts_with("FAKETIME")))
        .env("KIT_DATABASE_URL", database)
        .env("KIT_SMTP_URL", smtp)
        .env("KIT_WORKER_POLL_MS", "50")
        .env("KIT_WORKER_HEARTBEAT_SECS", "1")
        .env("KIT_WORKER_CONCURRENCY", "4")
        .env("KIT_MAIL_TIMEOUT_SECS", "5")
        .env("KIT_LOG_FORMAT", "json")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(if std::env::var_os("KIT_TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start kit-worker: {e}"))
}

#[tokio::test]
async fn a_worker_killed_mid_batch_and_restarted_delivers_every_invitation_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn().await; // no worker in this process: kit-worker does the work
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Storm").await;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let mut invitees = Vec::new();
    for i in 0..INVITEES {
        let r = app
            .gql(
                t,
                ops::ADD,
                json!({ "input": { "caseId": case, "role": "EXTERNAL", "external": { "name": format!("Aktør {i}"), "email": format!("aktor{i}@example.dk") } } }),
            )
            .await;
        invitees.push(json!({ "participantId": r.data()["addParticipant"]["participant"]["id"], "requirement": "OPTIONAL" }));
    }
    let r = app
        .gql(
            &w.caseworker_a.token,
            REQUEST,
            // kit-worker runs on the machine's clock, not the test's: the meeting must fit
            // within months of the day the test runs.
            json!({ "input": { "caseId": case, "kind": "NETWORK", "invitees": invitees, "durationMinutes": 60, "latest": (chrono::Utc::now() + chrono::TimeDelta::days(120)).to_rfc3339() } }),
        )
        .await;
    let meeting = r.data()["requestMeeting"]["meeting"]["id"].str().to_owned();

    // Kill the worker while the server holds the 5th message, before it answers: that message
    // is not accepted, like any message whose sender dies mid-conversation.
    let pid: Arc<Mutex<Option<u32>>> = Arc::new(Mutex::new(None));
    let seen = Arc::new(AtomicUsize::new(0));
    let hook: DataHook = {
        let (pid, seen) = (Arc::clone(&pid), Arc::clone(&seen));
        Arc::new(move |_| {
            let (pid, seen) = (Arc::clone(&pid), Arc::clone(&seen));
            Box::pin(async move {
                if seen.fetch_add(1, Ordering::SeqCst) + 1 != KILL_AT {
                    return None;
                }
                let target = pid.lock().ok().and_then(|mut p| p.take())?;
                let _ = Command::new("kill")
                    .args(["-KILL", &target.to_string()])
                    .status()
                    .await;
                Some("421 4.4.2 Connection dropped".to_owned())
            })
        })
    };
    sink.set_data_hook(Some(hook));

    let mut first = start_worker(&app.database.url, &sink.url());
    *pid.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = first.id();
    let died = tokio::time::timeout(PATIENCE, first.wait())
        .await
        .unwrap_or_else(|_| panic!("the first worker was never killed"))
        .unwrap_or_else(|e| panic!("{e}"));
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            died.signal(),
            Some(9),
            "killed, not exited: {died:?} (a kit-worker older than this code ends at once; \
             `cargo test --workspace` builds it)"
        );
    }
    // kit-worker runs on the machine's clock: deadlines the test's clock set may be due by
    // it, and their alerts are mailed too. Only the invitations are counted.
    let invitations = || {
        sink.messages()
            .iter()
            .filter_map(Invite::try_parse)
            .collect::<Vec<_>>()
    };
    let before_restart = invitations().len();
    assert!(
        before_restart < INVITEES + 1,
        "the batch was interrupted ({before_restart} sent)"
    );

    let mut second = start_worker(&app.database.url, &sink.url());
    let second_ran = std::sync::Mutex::new(&mut second);
    let deliveries: Vec<Value> = eventually("every invitation delivered", PATIENCE, || async {
        if let Ok(Some(status)) = second_ran
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .try_wait()
        {
            panic!("the restarted kit-worker ended: {status:?}");
        }
        let m = app
            .gql(&w.caseworker_a.token, MEETING, json!({ "id": meeting }))
            .await;
        let d = m.data()["meeting"]["deliveries"].items().to_vec();
        (d.len() == INVITEES + 1 && d.iter().all(|d| d["status"] == "SENT")).then_some(d)
    })
    .await;
    let _ = second.kill().await;

    let received: Vec<Invite> = invitations();
    if std::env::var_os("KIT_TEST_LOG").is_some() {
        for i in &received {
            eprintln!("{} {} seq={}", i.to, i.message_id, i.event().1);
        }
    }
    // The pathway's own start meeting invites the same people; look at each meeting apart.
    let uid = app
        .gql(&w.caseworker_a.token, MEETING, json!({ "id": meeting }))
        .await
        .data()["meeting"]["uid"]
        .str()
        .to_owned();
    let mut keys: Vec<(String, u32, String)> = received
        .iter()
        .map(|i| (i.event().0, i.event().1, i.to.clone()))
        .collect();
    keys.sort();
    let total = keys.len();
    keys.dedup();
    assert_eq!(
        keys.len(),
        total,
        "no message (meeting, sequence, recipient) delivered twice"
    );
    let ours: Vec<&(String, u32, String)> = keys.iter().filter(|(u, _, _)| *u == uid).collect();
    assert_eq!(
        ours.len(),
        INVITEES + 1,
        "every invitee and the organizer got this meeting's invitation once"
    );
    assert_eq!(ours.len(), deliveries.len());
}
