//! Deadline sweep benchmark: many pending deadlines, a thousand of them due.
//!
//! ```text
//! cargo bench -p kit-tests --bench deadlines                      # SQLite, 100,000 pending
//! KIT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p kit-tests --bench deadlines                    # PostgreSQL, 1,000,000
//! ```
//!
//! `KIT_BENCH_DEADLINES` overrides the number of pending deadlines.
//!
//! It measures, on a release build:
//! 1. the query plan of the sweep's claim statement (EXPLAIN), which must use the partial
//!    index on `next_action_at`;
//! 2. the time of an idle sweep (nothing due) and of sweeps over 1,000 due deadlines, each
//!    writing a notification, its e-mail in the outbox and the e-mail's job;
//! 3. the lag from due time to e-mail accepted by an SMTP server on loopback, with the real
//!    worker on its production defaults (`KIT_DEADLINE_SWEEP_MS=1000`,
//!    `KIT_WORKER_POLL_MS=1000`), for 1,000 deadlines falling due over 20 seconds.
//!
//! Results are printed as Markdown for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use kit_entity::domain::enums::{
    DeadlineStatus, DeliveryStatus, Language, OrganizationKind, ReferralSource,
};
use kit_entity::domain::status::CaseStatus;
use kit_entity::entities::{
    case, child, deadline, deadline_rule, delivery, notification, organization, professional,
    referral, unit,
};
use kit_entity::ids::{CaseId, ChildId, OrganizationId, ProfessionalId, UnitId};
use kit_entity::infra::settings::Settings;
use kit_entity::{SharedClock, SystemClock};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryTrait, Statement, TransactionTrait,
};

const CASES: i64 = 2_000;
const DUE: usize = 1_000;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

async fn seed_world(db: &DatabaseConnection, now: DateTime<Utc>) -> (ProfessionalId, Vec<CaseId>) {
    let org = organization::Entity::insert(organization::ActiveModel {
        name: Set("Benchmark Kommune".into()),
        kind: Set(OrganizationKind::Municipality),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .last_insert_id;
    let intake: UnitId = unit::Entity::insert(unit::ActiveModel {
        organization_id: Set(OrganizationId(org.0)),
        name: Set("Indgangen".into()),
        is_intake: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .last_insert_id;
    let person = professional::Entity::insert(professional::ActiveModel {
        unit_id: Set(intake),
        name: Set("Visitator".into()),
        title: Set("Visitator".into()),
        email: Set("visitator@bench.test".into()),
        subject: Set("visitator".into()),
        is_active: Set(true),
        is_admin: Set(false),
        language: Set(Language::Da),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .last_insert_id;
    let child_id: ChildId = child::Entity::insert(child::ActiveModel {
        name: Set("Barn".into()),
        name_search: Set("barn".into()),
        date_of_birth: Set(chrono::NaiveDate::from_ymd_opt(2014, 5, 3).unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .last_insert_id;
    let txn = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let mut cases = Vec::new();
    for i in 0..CASES {
        let id = case::Entity::insert(case::ActiveModel {
            reference: Set(format!("KIT-2026-{i:06}")),
            child_id: Set(child_id),
            municipality_id: Set(OrganizationId(org.0)),
            status: Set(CaseStatus::Active),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .last_insert_id;
        referral::Entity::insert(referral::ActiveModel {
            case_id: Set(id),
            source: Set(ReferralSource::GeneralPractitioner),
            received_at: Set(now),
            reason: Set("Benchmark".into()),
            submitted_by_id: Set(person),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        cases.push(id);
    }
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
    (person, cases)
}

fn row(
    case: CaseId,
    rule: &deadline_rule::Model,
    subject: String,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> deadline::ActiveModel {
    deadline::ActiveModel {
        id: NotSet,
        case_id: Set(case),
        rule_id: Set(rule.id),
        rule_code: Set(rule.code.clone()),
        subject: Set(subject),
        sector: Set(None),
        meeting_id: Set(None),
        agreement_id: Set(None),
        status: Set(DeadlineStatus::Pending),
        started_at: Set(now - TimeDelta::days(10)),
        due_at: Set(due),
        met_at: Set(None),
        waived_at: Set(None),
        waived_by_id: Set(None),
        waive_reason: Set(None),
        withdrawn_at: Set(None),
        responsible_id: Set(None),
        responsible_unit_id: Set(None),
        alert_error: Set(None),
        alert_failed_at: Set(None),
        alert_attempts: Set(0),
        // Stage 1 of `intake-decision` is the due alert (stage 0 is its reminder).
        next_action_at: Set(Some(due)),
        next_stage: Set(Some(1)),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn insert_rows(db: &DatabaseConnection, rows: Vec<deadline::ActiveModel>) {
    let txn = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    for chunk in rows.chunks(1_000) {
        deadline::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
}

/// `n` pending deadlines whose next action is weeks to a year ahead.
async fn seed_pending(
    db: &DatabaseConnection,
    rule: &deadline_rule::Model,
    cases: &[CaseId],
    n: usize,
    now: DateTime<Utc>,
) {
    let mut batch = Vec::with_capacity(100_000);
    for i in 0..n {
        let due = now + TimeDelta::days(14) + TimeDelta::minutes((i % 500_000) as i64);
        batch.push(row(
            cases[i % cases.len()],
            rule,
            format!("pending:{i}"),
            due,
            now,
        ));
        if batch.len() == 100_000 {
            insert_rows(db, std::mem::take(&mut batch)).await;
            eprintln!("  {} pending deadlines", i + 1);
        }
    }
    insert_rows(db, batch).await;
}

async fn count_due(db: &DatabaseConnection, now: DateTime<Utc>) -> u64 {
    deadline::Entity::find()
        .filter(deadline::Column::NextActionAt.is_not_null())
        .filter(deadline::Column::NextActionAt.lte(now))
        .count(db)
        .await
        .unwrap_or_default()
}

async fn explain(db: &DatabaseConnection, now: DateTime<Utc>) -> String {
    let backend = db.get_database_backend();
    let stmt = kit_entity::ops::deadlines::claim(backend, now, 500).build(backend);
    let prefix = match backend {
        DbBackend::Postgres => "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!("{prefix}{}", stmt.sql),
            stmt.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .unwrap_or_else(|e| panic!("explain: {e}"));
    rows.iter()
        .map(|r| match backend {
            DbBackend::Postgres => r.try_get_by_index::<String>(0).unwrap_or_default(),
            _ => r.try_get::<String>("", "detail").unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn lag(
    db: &DatabaseConnection,
    url: &str,
    rule: &deadline_rule::Model,
    cases: &[CaseId],
) -> (Vec<f64>, Vec<f64>, Duration) {
    // Start from an empty outbox: the sweeps measured before left 2,000 e-mails queued.
    let backend = db.get_database_backend();
    delivery::Entity::delete_many()
        .exec(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db.execute_unprepared(match backend {
        DbBackend::Postgres => "DELETE FROM apalis.jobs",
        _ => "DELETE FROM Jobs",
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let settings = Settings {
        database_url: url.to_owned(),
        smtp_url: Some(sink.url()),
        ..Settings::default()
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let ctx = kit_worker::context::Context::new(db.clone(), clock, settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // 1,000 deadlines falling due one every 20 ms, starting in 2 s.
    let start = Utc::now() + TimeDelta::seconds(2);
    let rows: Vec<_> = (0..DUE)
        .map(|i| {
            let due = start + TimeDelta::milliseconds(20 * i as i64);
            row(
                cases[i % cases.len()],
                rule,
                format!("lag:{i}"),
                due,
                Utc::now(),
            )
        })
        .collect();
    insert_rows(db, rows).await;
    let worker = kit_worker::runner::start(ctx, std::future::pending());
    let began = Instant::now();
    let sent = loop {
        let sent = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
            .filter(
                delivery::Column::Subject.eq(kit_entity::domain::enums::MailSubject::Notification),
            )
            .count(db)
            .await
            .unwrap_or_default();
        if sent as usize >= DUE || began.elapsed() > Duration::from_secs(300) {
            break sent;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let took = began.elapsed();
    worker.stop();
    worker.join().await;
    assert_eq!(sent as usize, DUE, "every alert sent");
    let mut lags = Vec::new();
    let mut in_app = Vec::new();
    for d in delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
        .filter(delivery::Column::Subject.eq(kit_entity::domain::enums::MailSubject::Notification))
        .all(db)
        .await
        .unwrap_or_default()
    {
        let Some(n) =
            notification::Entity::find_by_id(kit_entity::ids::NotificationId(d.subject_id))
                .one(db)
                .await
                .ok()
                .flatten()
        else {
            continue;
        };
        let Some(dl) = deadline::Entity::find_by_id(n.deadline_id)
            .one(db)
            .await
            .ok()
            .flatten()
        else {
            continue;
        };
        if let Some(sent_at) = d.sent_at {
            lags.push((sent_at - dl.due_at).num_milliseconds() as f64);
        }
        in_app.push((n.created_at - dl.due_at).num_milliseconds() as f64);
    }
    lags.sort_by(f64::total_cmp);
    in_app.sort_by(f64::total_cmp);
    (in_app, lags, took)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(run());
}

async fn run() {
    if std::env::var_os("KIT_BENCH_LOG").is_some() {
        kit_entity::infra::telemetry::init(kit_entity::infra::telemetry::LogFormat::Text);
    }
    let admin = std::env::var("KIT_BENCH_DATABASE_URL").unwrap_or_default();
    let database = kit_tests::harness::TestDatabase::create_at(&admin).await;
    let backend_name = if database.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let pending: usize = std::env::var("KIT_BENCH_DEADLINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if database.is_postgres() {
            1_000_000
        } else {
            100_000
        });
    let settings = Settings {
        database_url: database.url.clone(),
        db_max_connections: 8,
        ..Settings::default()
    };
    let db = kit_entity::infra::db::connect(&settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    kit_entity::ops::upgrade(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let now = Utc::now();
    eprintln!("seeding {pending} pending deadlines on {backend_name}…");
    let (_, cases) = seed_world(&db, now).await;
    let rule = deadline_rule::Entity::find()
        .filter(deadline_rule::Column::Code.eq("intake-decision"))
        .filter(deadline_rule::Column::OrganizationId.is_null())
        .one(&db)
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no default rule"));
    let seeding = Instant::now();
    seed_pending(&db, &rule, &cases, pending, now).await;
    eprintln!("  seeded in {:.0} s", seeding.elapsed().as_secs_f64());
    // Planner statistics, as on a running system.
    kit_entity::infra::db::optimize(&db).await.ok();
    if database.is_postgres() {
        db.execute_unprepared("ANALYZE").await.ok();
    }

    // The idle sweep: nothing due among all of them.
    let mut idle = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let swept = kit_entity::ops::deadlines::sweep(&db, Utc::now(), 500)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(swept.claimed, 0);
        idle.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    idle.sort_by(f64::total_cmp);

    // 1,000 due: one sweep with a batch of 1,000, then again (fresh rows) in the default
    // batches of 500.
    let mut batches = Vec::new();
    for (round, batch) in [(0, 1_000_u64), (1, 500)] {
        let due_at = Utc::now() - TimeDelta::minutes(1);
        let rows: Vec<_> = (0..DUE)
            .map(|i| {
                row(
                    cases[i % cases.len()],
                    &rule,
                    format!("due:{round}:{i}"),
                    due_at,
                    now,
                )
            })
            .collect();
        insert_rows(&db, rows).await;
        let sweep_now = Utc::now();
        assert_eq!(count_due(&db, sweep_now).await as usize, DUE);
        let plan = if round == 0 {
            explain(&db, sweep_now).await
        } else {
            String::new()
        };
        let t = Instant::now();
        let mut claimed = 0;
        let mut sweeps = 0;
        while claimed < DUE {
            let swept = kit_entity::ops::deadlines::sweep(&db, sweep_now, batch)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            claimed += swept.claimed;
            sweeps += 1;
        }
        batches.push((batch, sweeps, t.elapsed(), plan));
    }

    let (in_app, lags, took) = lag(&db, &database.url, &rule, &cases).await;

    println!("### {backend_name}: {pending} pending deadlines, {DUE} due\n");
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| idle sweep (nothing due), p50 / p99 of 50 | {:.2} ms / {:.2} ms |",
        percentile(&idle, 50.0),
        percentile(&idle, 99.0)
    );
    for (batch, sweeps, elapsed, _) in &batches {
        println!(
            "| {DUE} due, batch {batch} ({sweeps} sweeps) | {} total, {:.2} ms per deadline |",
            ms(*elapsed),
            elapsed.as_secs_f64() * 1000.0 / DUE as f64
        );
    }
    println!(
        "| lag due → notification written and announced, p50 / p99 / max | {:.0} ms / {:.0} ms / {:.0} ms |",
        percentile(&in_app, 50.0),
        percentile(&in_app, 99.0),
        in_app.last().copied().unwrap_or_default()
    );
    println!(
        "| lag due → e-mail accepted by SMTP, p50 / p99 / max | {:.0} ms / {:.0} ms / {:.0} ms |",
        percentile(&lags, 50.0),
        percentile(&lags, 99.0),
        lags.last().copied().unwrap_or_default()
    );
    println!(
        "| all {DUE} e-mails sent after | {:.1} s |",
        took.as_secs_f64()
    );
    println!("\nClaim statement plan:\n\n```text\n{}\n```", batches[0].3);
}
