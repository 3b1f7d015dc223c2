//! A region's screens and jobs at a region's size (PostgreSQL).
//!
//! ```text
//! KIT_BENCH_REGION_URL=postgres://postgres@127.0.0.1:5432/region \
//!   cargo bench -p kit-tests --bench region
//! ```
//!
//! The database is generated first when it holds no cases (`kit-api seed --region`'s
//! generator, sized by `KIT_BENCH_REGION_CASES` — 30,000 — and `KIT_BENCH_REGION_LOG_ROWS` —
//! 50,000,000), and reused afterwards; the CPR key is the benchmark's own, fixed. The server
//! runs in this process on its own two-worker runtime, with the worker off. Each screen is
//! asked `ROUNDS` times by one client, one request at a time, after a warm-up; the jobs run
//! once each, the ones that change the region last: the deadline sweep a day after the
//! region's last day, and retention dropping the oldest month. Results are printed as a
//! Markdown table for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use kit_api::{App, Config};
use kit_entity::ManualClock;
use kit_entity::entities::{access_log, case, child};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};

/// The benchmark's CPR key (fictional data only).
const KEY: &str = "a2l0LXJlZ2lvbi1iZW5jaG1hcmstY3ByLWtleS0zMmI=";
const ROUNDS: usize = 40;
const WARMUP: usize = 5;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let url = std::env::var("KIT_BENCH_REGION_URL").unwrap_or_else(|_| {
        eprintln!("set KIT_BENCH_REGION_URL to a PostgreSQL database for the region");
        std::process::exit(2);
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(run(url));
}

struct Region {
    db: DatabaseConnection,
    app: App,
    clock: Arc<ManualClock>,
    until: DateTime<Utc>,
    url: String,
    http: reqwest::Client,
}

async fn open(url: &str) -> Region {
    let config = Config {
        settings: kit_api::config::Settings {
            database_url: url.to_owned(),
            db_max_connections: 8,
            worker: false,
            ..Default::default()
        },
        auth_hs256_secret: Some("benchmark-secret-benchmark-secret".into()),
        rate_limit_per_second: 0,
        cpr_key: Some(KEY.to_owned()),
        ..Config::default()
    };
    let db = kit_api::db::connect(&config.settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    kit_api::db::upgrade(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cases = case::Entity::find().count(&db).await.unwrap_or(0);
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = App::start(db.clone(), config.clone(), clock.clone())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    if cases == 0 {
        let mut options = kit_api::region::Options::region(Utc::now());
        options.cases = u32::try_from(env_u64("KIT_BENCH_REGION_CASES", 30_000)).unwrap_or(30_000);
        options.access_log_rows = env_u64("KIT_BENCH_REGION_LOG_ROWS", 50_000_000);
        let started = Instant::now();
        let seeded = kit_api::region::seed(&db, &app.state.cpr, &options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "generated the region ({} cases, {} access-log rows) in {:.0} s",
            options.cases,
            seeded.log.rows,
            started.elapsed().as_secs_f64()
        );
        db.execute_unprepared("VACUUM ANALYZE")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // The region's last day: its newest case.
    let until = case::Entity::find()
        .order_by_desc(case::Column::CreatedAt)
        .one(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map_or_else(Utc::now, |c| c.created_at + TimeDelta::hours(2));
    clock.set(until);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let served = App::start(db.clone(), config, clock.clone())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    tokio::spawn(served.serve(listener, std::future::pending()));
    Region {
        db,
        app,
        clock,
        until,
        url: format!("http://{addr}/graphql"),
        http: reqwest::Client::new(),
    }
}

impl Region {
    fn token(&self, subject: &str) -> String {
        self.app
            .state
            .auth
            .issue_local(subject, self.clock_now(), TimeDelta::hours(4))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use kit_entity::Clock;
        self.clock.now()
    }

    async fn ask(&self, token: &str, query: &str, variables: &Value) -> Value {
        let body: Value = self
            .http
            .post(&self.url)
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(body.get("errors").is_none(), "{query}: {body}");
        body
    }

    /// Median and 95th percentile of `ROUNDS` requests, one at a time.
    async fn measure(&self, token: &str, query: &str, variables: &Value) -> (f64, f64) {
        for _ in 0..WARMUP {
            self.ask(token, query, variables).await;
        }
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            self.ask(token, query, variables).await;
            times.push(started.elapsed());
        }
        times.sort();
        (ms(times[ROUNDS / 2]), ms(times[ROUNDS * 95 / 100]))
    }
}

/// A professional's subject by title and organization, for the screens.
async fn subject(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nobody: {sql}"));
    row.try_get::<String>("", "subject")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[allow(clippy::too_many_lines)]
async fn run(url: String) {
    let region = open(&url).await;
    let db = &region.db;
    let cases = case::Entity::find().count(db).await.unwrap_or(0);
    let log_rows = access_log::Entity::find().count(db).await.unwrap_or(0);
    // An intake member and the busiest responsible contact of the largest municipality.
    let intake = subject(
        db,
        "SELECT p.subject FROM professionals p JOIN units u ON u.id = p.unit_id \
         WHERE u.is_intake AND u.organization_id = 2 AND p.leads_unit_id IS NULL ORDER BY p.id LIMIT 1",
    )
    .await;
    let contact = subject(
        db,
        "SELECT p.subject FROM professionals p JOIN participants x ON x.professional_id = p.id \
         WHERE x.role = 'RESPONSIBLE_CONTACT' AND x.active_until IS NULL \
         GROUP BY p.id, p.subject ORDER BY count(*) DESC LIMIT 1",
    )
    .await;
    let dpo = subject(
        db,
        "SELECT subject FROM professionals WHERE is_data_protection LIMIT 1",
    )
    .await;
    let (intake, contact, dpo) = (
        region.token(&intake),
        region.token(&contact),
        region.token(&dpo),
    );
    let orgs = region
        .ask(
            &intake,
            "{ organizations(kind: MUNICIPALITY, first: 100) { edges { node { id name } } } }",
            &json!({}),
        )
        .await;
    let municipalities: Vec<(String, String)> = orgs["data"]["organizations"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|e| {
                    (
                        e["node"]["id"].as_str().unwrap_or_default().to_owned(),
                        e["node"]["name"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // Each municipality's number, by name.
    let numbers: std::collections::HashMap<String, i64> =
        kit_entity::entities::organization::Entity::find()
            .all(db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|o| (o.name, o.id.0))
            .collect();
    let number = |name: &str| numbers.get(name).copied().unwrap_or(0);
    let first = municipalities
        .iter()
        .find(|(_, name)| number(name) == 2)
        .map_or_else(|| municipalities[0].0.clone(), |(id, _)| id.clone());
    let page = region
        .ask(
            &contact,
            "{ cases(first: 1) { edges { node { id } } } }",
            &json!({}),
        )
        .await;
    let case_id = page["data"]["cases"]["edges"][0]["node"]["id"].clone();
    let a_case = case::Entity::find()
        .filter(case::Column::MunicipalityId.eq(kit_entity::ids::OrganizationId(2)))
        .order_by_desc(case::Column::Id)
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no case"));
    let kid = child::Entity::find_by_id(a_case.child_id)
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no child"));
    let cpr = region
        .app
        .state
        .cpr
        .open(kid.cpr.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let year = json!({
        "case": case_id,
        "m": first,
        "from": (region.until - TimeDelta::days(365)).date_naive().to_string(),
        "to": region.until.date_naive().to_string(),
        "cpr": cpr,
    });

    println!(
        "\n### The region: {cases} cases, {log_rows} access-log rows ({} municipalities), one client, median / p95 of {ROUNDS}\n",
        municipalities.len()
    );
    println!("| screen or job | median | p95 |");
    println!("|---|---:|---:|");
    let screens: Vec<(&str, &String, &str)> = vec![
        (
            "caseload page, intake member (`cases(first: 50)`)",
            &intake,
            CASELOAD,
        ),
        ("caseload page, responsible contact", &contact, CASELOAD),
        (
            "a case with participants (the HTTP benchmark's `case(id:)`)",
            &contact,
            CASE,
        ),
        (
            "a case's meetings and deadlines",
            &contact,
            MEETINGS_AND_DEADLINES,
        ),
        ("the inbox (`inbox(first: 50)`)", &intake, INBOX),
        (
            "timeliness report, one municipality, a year",
            &intake,
            TIMELINESS,
        ),
        ("waiting-time figures of the catalogue", &intake, WAITING),
        ("subject access for one child", &dpo, SUBJECT_ACCESS),
    ];
    for (name, token, query) in screens {
        let (median, p95) = region.measure(token, query, &year).await;
        println!("| {name} | {median:.1} ms | {p95:.1} ms |");
    }
    // The region's timeliness: every municipality's report, one after the other (an
    // administrator of each asks for their own).
    let started = Instant::now();
    for (id, name) in &municipalities {
        let vars = json!({ "m": id, "from": year["from"], "to": year["to"] });
        let leader = subject(
            db,
            &format!(
                "SELECT p.subject FROM professionals p JOIN units u ON u.id = p.unit_id \
                 WHERE u.is_intake AND u.organization_id = {} ORDER BY p.id LIMIT 1",
                number(name)
            ),
        )
        .await;
        region.ask(&region.token(&leader), TIMELINESS, &vars).await;
    }
    println!(
        "| timeliness report, every municipality of the region, a year | {:.0} ms | (once) |",
        ms(started.elapsed())
    );
    // The jobs.
    let started = Instant::now();
    let day = kit_entity::ops::access_log::verify_since(db, region.until - TimeDelta::days(1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "| `audit verify --since` yesterday ({} rows) | {:.0} ms | (once) |",
        day.rows,
        ms(started.elapsed())
    );
    assert!(day.intact());
    if std::env::var("KIT_BENCH_REGION_FULL_VERIFY").is_ok() {
        let started = Instant::now();
        let all = kit_entity::ops::access_log::verify(db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        println!(
            "| `audit verify`, everything ({} rows) | {:.0} s | (once) |",
            all.rows,
            started.elapsed().as_secs_f64()
        );
        assert!(all.intact());
    }
    region.clock.set(region.until + TimeDelta::days(1));
    let started = Instant::now();
    let swept = kit_entity::ops::deadlines::sweep(db, region.clock_now(), 500)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "| deadline sweep a day on ({} deadlines due) | {:.0} ms | (once) |",
        swept.claimed,
        ms(started.elapsed())
    );
    // Retention that drops exactly the oldest month.
    let oldest = access_log::Entity::find()
        .order_by_asc(access_log::Column::Id)
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.read_at);
    if let Some(oldest) = oldest {
        use chrono::Datelike;
        let month_end = chrono::NaiveDate::from_ymd_opt(oldest.year(), oldest.month(), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
            .unwrap_or(oldest);
        let days = (region.until - month_end).num_days().max(1);
        let started = Instant::now();
        let pruned = kit_entity::ops::access_log::prune(
            db,
            region.until,
            u32::try_from(days).unwrap_or(u32::MAX),
            "benchmark",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        println!(
            "| prune of the oldest month ({} rows) | {:.0} ms | (once) |",
            pruned.as_ref().map_or(0, |p| p.rows),
            ms(started.elapsed())
        );
    }
}

const CASELOAD: &str = "{ cases(first: 50) { totalCount edges { node { id reference status child { name cpr age } \
     participants { role sector name professional { name title } } responsibleContacts { professional { name } } \
     nextMeeting { startsAt } nextDeadline { dueAt ruleCode } overdueDeadlineCount } } } }";
const CASE: &str = "query($case: ID!) { case(id: $case) { id reference status child { name cpr } \
     participants { role sector name professional { name title } } } }";
const MEETINGS_AND_DEADLINES: &str = "query($case: ID!) { case(id: $case) { \
     meetingsConnection(first: 20) { edges { node { kind status startsAt invitees { response } } } } \
     deadlines { ruleCode status dueAt metAt } } }";
const INBOX: &str = "query($m: ID!) { inbox(municipalityId: $m, first: 50) { totalCount edges { node { waitedDays case { reference child { name } } intakeDeadlines { dueAt status } } } } }";
const TIMELINESS: &str = "query($m: ID!, $from: Date!, $to: Date!) { timelinessReport(organizationId: $m, from: $from, to: $to) { \
     rules { rule { code } metOnTime metLate missed open waived shareOnTime medianDelayHours } } }";
const WAITING: &str = "query($m: ID!, $from: Date!, $to: Date!) { timelinessReport(organizationId: $m, from: $from, to: $to) { \
     earlyInterventions { queueLength seatsOffered served medianWaitDays } } }";
const SUBJECT_ACCESS: &str = "query($m: ID!, $cpr: String!) { subjectAccess(organizationId: $m, cpr: $cpr) { cases entries { at professional organization what basis } } }";
