//! Changes to cases' meetings and deadlines, for live subscribers (`caseChanged`), from every
//! process that writes them: the triggers of migration 28 announce each change in the
//! database, and every API process forwards what it hears into its own broadcast channel.
//!
//! On PostgreSQL the announcement is a `NOTIFY kit_case_changes` with `<case>:<what>:<id>`,
//! heard after the change commits. On SQLite it is a row of `case_changes`, read on by id every
//! [`POLL`] (SQLite has one writer at a time, so ids grow in commit order); rows more than
//! [`KEPT`] behind the newest are removed as the feed goes.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::ids::CaseId;
use crate::infra::listen::Heard;

/// How often the SQLite feed reads on.
pub const POLL: Duration = Duration::from_millis(200);
/// How many changes the SQLite table keeps behind the newest.
pub const KEPT: i64 = 10_000;
/// How many changes a slow subscriber may fall behind before it skips some.
const CAPACITY: usize = 1024;
/// The PostgreSQL channel.
pub const NOTIFY_CHANNEL: &str = "kit_case_changes";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// A meeting of the case: requested, scheduled by the worker, moved, cancelled, held.
    Meeting(crate::ids::MeetingId),
    /// A deadline of the case: started, met, missed, waived, withdrawn, moved, handed over.
    Deadline(crate::ids::DeadlineId),
}

/// One change to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseChanged {
    /// The case.
    pub case: CaseId,
    /// What of it.
    pub what: Changed,
}

/// A process's channel of case changes.
pub type CaseFeed = broadcast::Sender<CaseChanged>;

/// Reads an announcement: `<case>:<MEETING|DEADLINE>:<id>` (the NOTIFY payload, and a SQLite
/// row's columns joined the same way).
#[must_use]
pub fn parse(payload: &str) -> Option<CaseChanged> {
    let mut parts = payload.splitn(3, ':');
    let case = CaseId(parts.next()?.parse().ok()?);
    let what = parts.next()?;
    let id: i64 = parts.next()?.parse().ok()?;
    let what = match what {
        "MEETING" => Changed::Meeting(crate::ids::MeetingId(id)),
        "DEADLINE" => Changed::Deadline(crate::ids::DeadlineId(id)),
        _ => return None,
    };
    Some(CaseChanged { case, what })
}

/// Starts forwarding `db`'s announcements into a new channel, in a task of its own.
#[must_use]
pub fn start(db: &DatabaseConnection) -> (CaseFeed, JoinHandle<()>) {
    let (tx, _) = broadcast::channel(CAPACITY);
    let task = if db.get_database_backend() == DbBackend::Postgres {
        let sender = tx.clone();
        crate::infra::listen::listen(db, NOTIFY_CHANNEL, "case change listener", move |heard| {
            if let Heard::Payload(payload) = heard {
                match parse(payload) {
                    Some(change) => {
                        let _ = sender.send(change);
                    }
                    None => tracing::warn!(payload, "unreadable case change announcement"),
                }
            }
        })
    } else {
        tokio::spawn(read_on(db.clone(), tx.clone()))
    };
    (tx, task)
}

/// The SQLite feed: reads `case_changes` on from the newest row at start.
async fn read_on(db: DatabaseConnection, tx: CaseFeed) {
    let mut outage = crate::infra::outage::Outage::new("case change feed");
    let mut last: Option<i64> = None;
    let mut rounds: u32 = 0;
    loop {
        tokio::time::sleep(POLL).await;
        let read = async {
            let from = match last {
                Some(last) => last,
                None => newest(&db).await?,
            };
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT id, case_id, what, subject_id FROM case_changes WHERE id > ? \
                     ORDER BY id LIMIT 1000",
                    [from.into()],
                ))
                .await?;
            let mut newest = from;
            for row in rows {
                let id: i64 = row.try_get_by_index(0)?;
                let case: i64 = row.try_get_by_index(1)?;
                let what: String = row.try_get_by_index(2)?;
                let subject: i64 = row.try_get_by_index(3)?;
                newest = newest.max(id);
                if let Some(change) = parse(&format!("{case}:{what}:{subject}")) {
                    let _ = tx.send(change);
                }
            }
            Ok::<i64, sea_orm::DbErr>(newest)
        };
        match read.await {
            Ok(newest) => {
                outage.ok();
                last = Some(newest);
            }
            Err(e) => {
                let pause = outage.failed(&crate::Error::from(e));
                tokio::time::sleep(pause).await;
                continue;
            }
        }
        rounds = rounds.wrapping_add(1);
        if rounds.is_multiple_of(300)
            && let Some(last) = last
        {
            // About once a minute: what every reader has long passed goes.
            let _ = db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "DELETE FROM case_changes WHERE id <= ?",
                    [(last - KEPT).into()],
                ))
                .await;
        }
    }
}

async fn newest(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COALESCE(MAX(id), 0) FROM case_changes",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_name_the_case_and_what_changed() {
        assert_eq!(
            parse("7:MEETING:42"),
            Some(CaseChanged {
                case: CaseId(7),
                what: Changed::Meeting(crate::ids::MeetingId(42))
            })
        );
        assert_eq!(
            parse("7:DEADLINE:3").map(|c| c.what),
            Some(Changed::Deadline(crate::ids::DeadlineId(3)))
        );
        assert_eq!(parse("7:OTHER:3"), None);
        assert_eq!(parse("x:MEETING:3"), None);
    }
}
