//! After the run: wait until the workers have caught up, then check what was committed and
//! what was sent — every referral a case once, every agreement once, every requested meeting
//! scheduled once with one invitation per invitee, nobody in two meetings at once, every due
//! alert once — and that the load saw errors only during the faults, each retryable.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use super::load::{Collected, Kind, Outcome};
use super::{Fault, Options, setup::Cast};
use crate::harness::{Field, TestApp, eventually, key_of};
use crate::mail::Invite;
use crate::smtp::SmtpSink;

/// One check and what it found.
#[derive(Clone, Debug)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

fn check(name: &'static str, passed: bool, detail: String) -> Check {
    Check {
        name,
        passed,
        detail,
    }
}

async fn rows(app: &TestApp, sql: &str) -> Vec<QueryResult> {
    app.db()
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn int(row: &QueryResult, column: &str) -> i64 {
    row.try_get::<i64>("", column)
        .unwrap_or_else(|e| panic!("{column}: {e}"))
}

fn text(row: &QueryResult, column: &str) -> String {
    row.try_get::<String>("", column)
        .unwrap_or_else(|e| panic!("{column}: {e}"))
}

/// Moves the open deadlines of the run's cases to fall due one after another during the load
/// (from 5 s after `from` to 10 s before its end), so their due alerts are sent while processes
/// are killed and the database restarts. Returns their ids.
pub async fn due_during(
    app: &TestApp,
    cast: &Cast,
    from: DateTime<Utc>,
    options: &Options,
) -> Vec<i64> {
    let cases: Vec<String> = cast
        .cases
        .iter()
        .map(|c| key_of(&c.id).to_string())
        .collect();
    let ids: Vec<i64> = rows(
        app,
        &format!(
            "SELECT id FROM deadlines WHERE status = 'PENDING' AND next_action_at IS NOT NULL \
             AND case_id IN ({}) ORDER BY id",
            cases.join(",")
        ),
    )
    .await
    .iter()
    .map(|r| int(r, "id"))
    .collect();
    let span = options.length.saturating_sub(Duration::from_secs(15));
    for (k, id) in ids.iter().enumerate() {
        let offset = Duration::from_secs(5) + span.mul_f64(k as f64 / ids.len().max(1) as f64);
        let at = from + chrono::TimeDelta::from_std(offset).unwrap_or_default();
        rows(
            app,
            &format!(
                "UPDATE deadlines SET due_at = '{at}', next_action_at = '{at}' WHERE id = {id} RETURNING id",
                at = at.to_rfc3339()
            ),
        )
        .await;
    }
    ids
}

/// Waits for the workers to catch up, then checks.
pub async fn settle_and_check(
    app: &TestApp,
    sink: &SmtpSink,
    collected: &Collected,
    moved: &[i64],
    faults: &[Fault],
) -> Vec<Check> {
    let moved_list = moved
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    eventually(
        "the workers to schedule every meeting, send every e-mail and alert every due deadline",
        Duration::from_secs(180),
        || async {
            let waiting = rows(
                app,
                &format!(
                    "SELECT (SELECT count(*) FROM meetings WHERE status = 'PLANNED') \
                     + (SELECT count(*) FROM deliveries WHERE status = 'PENDING') \
                     + (SELECT count(*) FROM deadlines WHERE id IN ({moved_list}) \
                        AND status IN ('PENDING', 'MISSED') AND NOT EXISTS (SELECT 1 FROM notifications n \
                        WHERE n.deadline_id = deadlines.id AND n.kind = 'DUE')) AS n"
                ),
            )
            .await;
            (int(rows_first(&waiting), "n") == 0).then_some(())
        },
    )
    .await;
    let mut out = vec![errors(collected, faults)];
    out.extend(mutations(app, collected).await);
    out.push(invitations(app, sink).await);
    out.push(double_booked(app).await);
    out.push(alerts(app, sink, moved).await);
    out
}

fn rows_first(rows: &[QueryResult]) -> &QueryResult {
    rows.first().unwrap_or_else(|| panic!("no row"))
}

/// Seconds after a fault's end in which its errors may still be answered (a pool that
/// notices the database is back).
pub const GRACE: Duration = Duration::from_secs(5);

fn errors(collected: &Collected, faults: &[Fault]) -> Check {
    let in_a_fault = |at: Duration| {
        faults
            .iter()
            .any(|f| at + Duration::from_secs(1) >= f.from && at <= f.to + GRACE)
    };
    let mut outside = Vec::new();
    let mut not_retryable = Vec::new();
    let mut seen = 0;
    for r in &collected.records {
        match &r.outcome {
            Outcome::Ok => {}
            Outcome::Retryable(why) => {
                seen += 1;
                if !in_a_fault(r.at) {
                    outside.push(format!("{:?} at {:.1?}: {why}", r.kind, r.at));
                }
            }
            Outcome::Failed(why) => {
                seen += 1;
                not_retryable.push(format!("{:?} at {:.1?}: {why}", r.kind, r.at));
            }
        }
    }
    let unanswered: Vec<String> = collected
        .answered
        .iter()
        .filter(|a| a.data.is_none())
        .map(|a| format!("{:?} after {} attempts: {:?}", a.kind, a.attempts, a.last))
        .collect();
    check(
        "errors only during faults, each retryable, every mutation answered in the end",
        outside.is_empty() && not_retryable.is_empty() && unanswered.is_empty(),
        format!(
            "{seen} errors of {} requests; outside the faults: {outside:?}; not retryable: \
             {not_retryable:?}; mutations never answered: {unanswered:?}",
            collected.records.len()
        ),
    )
}

async fn mutations(app: &TestApp, collected: &Collected) -> Vec<Check> {
    let count = |kind| collected.answered.iter().filter(|a| a.kind == kind).count();
    let retried = |kind| {
        collected
            .answered
            .iter()
            .filter(|a| a.kind == kind && a.attempts > 1)
            .count()
    };
    let once = async |sql: &str| -> (usize, Vec<String>) {
        let found = rows(app, sql).await;
        let twice = found
            .iter()
            .filter(|r| int(r, "n") != 1)
            .map(|r| text(r, "name"))
            .collect();
        (found.len(), twice)
    };
    let (cases, twice) =
        once("SELECT name, count(*) AS n FROM children WHERE name LIKE 'Henvist %' GROUP BY name")
            .await;
    let referrals = count(Kind::Referral);
    let (agreements, agreed_twice) = once(
        "SELECT description AS name, count(*) AS n FROM agreements WHERE description LIKE 'Aftale %' GROUP BY description",
    )
    .await;
    let agreed = count(Kind::Agreement);
    let requested: BTreeSet<String> = collected
        .answered
        .iter()
        .filter(|a| a.kind == Kind::MeetingRequest)
        .filter_map(|a| a.data.as_ref())
        .map(|d| d["requestMeeting"]["meeting"]["id"].str().to_owned())
        .collect();
    let keys: Vec<String> = requested.iter().map(|g| key_of(g).to_string()).collect();
    let states = if keys.is_empty() {
        Vec::new()
    } else {
        rows(
            app,
            &format!(
                "SELECT status AS name, count(*) AS n FROM meetings WHERE id IN ({}) GROUP BY status",
                keys.join(",")
            ),
        )
        .await
    };
    let states: BTreeMap<String, i64> = states
        .iter()
        .map(|r| (text(r, "name"), int(r, "n")))
        .collect();
    vec![
        check(
            "every referral a case, once",
            cases == referrals && twice.is_empty(),
            format!(
                "{referrals} referrals ({} retried), {cases} children referred, twice: {twice:?}",
                retried(Kind::Referral)
            ),
        ),
        check(
            "every agreement added once",
            agreements == agreed && agreed_twice.is_empty(),
            format!(
                "{agreed} agreements ({} retried), {agreements} in the plan, twice: {agreed_twice:?}",
                retried(Kind::Agreement)
            ),
        ),
        check(
            "every requested meeting a meeting of its own, scheduled",
            requested.len() == count(Kind::MeetingRequest)
                && states.get("SCHEDULED").copied().unwrap_or(0) as usize == requested.len(),
            format!(
                "{} requests ({} retried), {} meetings: {states:?}",
                count(Kind::MeetingRequest),
                retried(Kind::MeetingRequest),
                requested.len()
            ),
        ),
    ]
}

/// Every invitation delivery sent, and each (meeting, sequence, invitee) received under one
/// Message-ID — and a scheduled meeting's invitations all of its first scheduling (SEQUENCE 0).
async fn invitations(app: &TestApp, sink: &SmtpSink) -> Check {
    let expected = rows(
        app,
        "SELECT m.uid AS name, d.recipient AS recipient, d.sequence::bigint AS n, d.message_id AS id, d.status AS status \
         FROM deliveries d JOIN meeting_invitees i ON d.subject = 'INVITATION' AND d.subject_id = i.id \
         JOIN meetings m ON m.id = i.meeting_id",
    )
    .await;
    let mut received: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for invite in sink.messages().iter().filter_map(Invite::try_parse) {
        let (uid, sequence, ..) = invite.event();
        received
            .entry((uid, invite.to.to_lowercase()))
            .or_default()
            .insert(format!("{sequence}:{}", invite.message_id));
        *copies.entry(invite.message_id).or_default() += 1;
    }
    let not_sent = expected
        .iter()
        .filter(|r| text(r, "status") != "SENT")
        .count();
    let mut missing = 0;
    let mut twice = Vec::new();
    let mut rescheduled = 0;
    for r in &expected {
        let key = (text(r, "name"), text(r, "recipient").to_lowercase());
        match received.get(&key) {
            None => missing += 1,
            Some(ids) if ids.len() > 1 => twice.push(format!("{key:?}: {ids:?}")),
            Some(_) => {}
        }
        if int(r, "n") != 0 {
            rescheduled += 1;
        }
    }
    let again = copies.values().filter(|n| **n > 1).count();
    check(
        "one invitation per invitee and meeting",
        not_sent == 0 && missing == 0 && twice.is_empty() && rescheduled == 0,
        format!(
            "{} invitations, not sent {not_sent}, never received {missing}, under two \
             Message-IDs {twice:?}, of a second scheduling {rescheduled}; the same message \
             received twice (a worker killed between the mail server's acceptance and its \
             record of it) {again}",
            expected.len()
        ),
    )
}

async fn double_booked(app: &TestApp) -> Check {
    let found = rows(
        app,
        "SELECT pa.professional_id AS name_id, a.meeting_id AS n, b.meeting_id AS m \
         FROM meeting_invitees a JOIN participants pa ON pa.id = a.participant_id \
         JOIN meetings ma ON ma.id = a.meeting_id, \
         meeting_invitees b JOIN participants pb ON pb.id = b.participant_id \
         JOIN meetings mb ON mb.id = b.meeting_id \
         WHERE pa.professional_id = pb.professional_id AND ma.id < mb.id \
         AND ma.status = 'SCHEDULED' AND mb.status = 'SCHEDULED' \
         AND a.removed_at IS NULL AND b.removed_at IS NULL \
         AND ma.starts_at < mb.ends_at AND mb.starts_at < ma.ends_at",
    )
    .await;
    let scheduled = rows(
        app,
        "SELECT count(*) AS n FROM meetings WHERE status = 'SCHEDULED'",
    )
    .await;
    check(
        "no professional in two meetings at once",
        found.is_empty(),
        format!(
            "{} scheduled meetings, {} overlapping pairs for one professional",
            int(rows_first(&scheduled), "n"),
            found.len()
        ),
    )
}

async fn alerts(app: &TestApp, sink: &SmtpSink, moved: &[i64]) -> Check {
    let list = moved
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let duplicated = rows(
        app,
        "SELECT count(*) AS n FROM (SELECT 1 FROM notifications GROUP BY deadline_id, stage, recipient_id HAVING count(*) > 1) d",
    )
    .await;
    let due = rows(
        app,
        &format!(
            "SELECT count(*) AS n FROM notifications WHERE kind = 'DUE' AND deadline_id IN ({list})"
        ),
    )
    .await;
    let mails = rows(
        app,
        &format!(
            "SELECT d.message_id AS name, d.status AS status FROM deliveries d JOIN notifications n \
             ON d.subject = 'NOTIFICATION' AND d.subject_id = n.id WHERE n.deadline_id IN ({list})"
        ),
    )
    .await;
    let mut received: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        if let Some(id) = mail_parser::MessageParser::default()
            .parse(&m.data)
            .and_then(|p| p.message_id().map(str::to_owned))
        {
            *received.entry(format!("<{id}>")).or_default() += 1;
            *received.entry(id).or_default() += 1;
        }
    }
    let unsent = mails.iter().filter(|m| text(m, "status") != "SENT").count();
    let unreceived = mails
        .iter()
        .filter(|m| !received.contains_key(&text(m, "name")))
        .count();
    let duplicated = int(rows_first(&duplicated), "n");
    check(
        "every due alert once",
        duplicated == 0 && unsent == 0 && unreceived == 0 && int(rows_first(&due), "n") > 0,
        format!(
            "{} deadlines fell due during the run, {} due alerts, {} alert e-mails ({unsent} not \
             sent, {unreceived} never received), stages recorded twice: {duplicated}",
            moved.len(),
            int(rows_first(&due), "n"),
            mails.len()
        ),
    )
}
