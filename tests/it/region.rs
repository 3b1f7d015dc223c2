//! `kit-api seed --region` at a small size: every status a case, meeting and deadline can be
//! in is there, the access log's chains verify (in full and from a day), the same seed gives
//! the same region, a database that holds cases is refused, and the API serves the result.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use kit_api::region::{self, Options};
use kit_entity::entities::{access_log, case, deadline, meeting};
use kit_entity::ops::access_log as chain;
use kit_tests::harness::TestApp;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

fn small(app: &TestApp) -> Options {
    let mut options = Options::region(app.clock_now() - TimeDelta::days(1));
    options.municipalities = 2;
    options.cases = 400;
    options.professionals = 80;
    options.access_log_rows = 20_000;
    options.years = 1;
    options.seed = 7;
    options
}

/// The cases and the seeded log's last row (the API's own reads come after it).
async fn fingerprint(app: &TestApp, log_rows: u64) -> Vec<String> {
    let cases = case::Entity::find()
        .order_by_asc(case::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let log = access_log::Entity::find_by_id(kit_entity::ids::AccessLogEntryId(
        i64::try_from(log_rows).unwrap_or(0),
    ))
    .one(app.db())
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    cases
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {} {}",
                c.reference, c.status, c.created_at, c.child_id
            )
        })
        .chain(log.map(|l| format!("{} {:?}", l.id.0, l.hash)))
        .collect()
}

#[tokio::test]
async fn a_small_region_has_every_status_verifies_and_is_served() {
    let app = TestApp::spawn().await;
    let options = small(&app);
    let seeded = region::seed(app.db(), &app.state.cpr, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let count = |table: &str| {
        seeded
            .tables
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(count("cases"), 400);
    assert!(count("access_log") >= 20_000, "{:?}", seeded.tables);
    for table in [
        "participants",
        "meetings",
        "meeting_invitees",
        "deadlines",
        "notifications",
        "deliveries",
        "plan_versions",
        "agreements",
        "consents",
        "documents",
        "committee_agenda_items",
        "waiting_entries",
        "consultation_bookings",
        "audit_checkpoints",
    ] {
        assert!(count(table) > 0, "no {table}: {:?}", seeded.tables);
    }

    // Every status there is.
    let statuses = |values: Vec<String>| values.into_iter().collect::<BTreeSet<_>>();
    let cases = case::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        statuses(cases.iter().map(|c| format!("{:?}", c.status)).collect()),
        statuses(
            [
                "Referred",
                "InIntake",
                "Active",
                "Closed",
                "Redirected",
                "Rejected"
            ]
            .map(str::to_owned)
            .to_vec()
        )
    );
    let meetings = meeting::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        statuses(meetings.iter().map(|m| format!("{:?}", m.status)).collect()),
        statuses(
            ["Scheduled", "Held", "Cancelled"]
                .map(str::to_owned)
                .to_vec()
        )
    );
    let deadlines = deadline::Entity::find()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        statuses(
            deadlines
                .iter()
                .map(|d| format!("{:?}", d.status))
                .collect()
        ),
        statuses(
            ["Pending", "Met", "Missed", "Waived", "Withdrawn"]
                .map(str::to_owned)
                .to_vec()
        )
    );

    // The log verifies in full and from a week ago, the second reading far fewer rows.
    let full = chain::verify(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        full.intact(),
        "{:?}",
        &full.breaks[..full.breaks.len().min(5)]
    );
    assert_eq!(full.rows, count("access_log"));
    let week = chain::verify_since(app.db(), options.until - TimeDelta::days(7))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(week.intact(), "{week:?}");
    assert!(week.rows > 0 && week.rows < full.rows / 10, "{week:?}");

    // A second run is refused: the region goes into an empty database.
    let again = region::seed(app.db(), &app.state.cpr, &options).await;
    assert!(
        matches!(again, Err(kit_entity::Error::Conflict(_))),
        "{again:?}"
    );

    // The API serves it: the intake member's caseload, and a case.
    let (intake, _) = &seeded.users[0];
    let token = app.token(intake);
    let page = app
        .gql(
            &token,
            "{ cases(first: 20) { totalCount edges { node { id status child { name } } } } }",
            json!({}),
        )
        .await
        .data()
        .clone();
    let total = page["cases"]["totalCount"].as_i64().unwrap_or(0);
    assert!(total > 50, "{page}");
    let first = page["cases"]["edges"][0]["node"]["id"].clone();
    let case = app
        .gql(
            &token,
            "query($id: ID!) { case(id: $id) { participants { id } meetingsConnection(first: 10) { edges { node { status } } } deadlines { status } } }",
            json!({ "id": first }),
        )
        .await
        .data()
        .clone();
    assert!(case["case"].is_object(), "{case}");

    // The same seed and sizes give the same region.
    let twin = TestApp::spawn().await;
    region::seed(twin.db(), &twin.state.cpr, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (one, two) = (
        fingerprint(&app, seeded.log.rows).await,
        fingerprint(&twin, seeded.log.rows).await,
    );
    assert_eq!(one.len(), 401);
    assert!(one == two, "the same seed gave another region");
}

/// The screens a region's professionals use most and the jobs that run all day.
const SCREENS: &[(&str, &str)] = &[
    (
        "caseload",
        "{ cases(first: 50) { totalCount edges { node { id reference status child { name cpr age } \
         participants { role name professional { name unit { name } } } responsibleContacts { professional { name } } \
         nextMeeting { startsAt } nextDeadline { dueAt ruleCode } overdueDeadlineCount } } } }",
    ),
    (
        "case",
        "query($case: ID!) { case(id: $case) { reference child { name cpr } participants { role name } \
         meetingsConnection(first: 20) { edges { node { kind status startsAt invitees { response } } } } \
         deadlines { ruleCode status dueAt } } }",
    ),
    (
        "inbox",
        "query($m: ID!) { inbox(municipalityId: $m, first: 50) { totalCount edges { node { waitedDays case { reference } intakeDeadlines { dueAt } } } } }",
    ),
    (
        "timeliness",
        "query($m: ID!, $from: Date!, $to: Date!) { timelinessReport(organizationId: $m, from: $from, to: $to) { \
         rules { metOnTime metLate missed open waived } earlyInterventions { queueLength medianWaitDays } } }",
    ),
    (
        "subject access",
        "query($m: ID!, $cpr: String!) { subjectAccess(organizationId: $m, cpr: $cpr) { cases entries { at professional what } } }",
    ),
];

/// The tables no hot statement may read whole.
const BIG: &[&str] = &["cases", "participants", "deadlines", "access_log"];

/// Each statement's plan, with sequential scans off where an index can serve: a big table
/// still read whole — a sequential scan left in the plan, or an index scanned end to end
/// without a condition — means no index can.
async fn scans_of_big_tables(app: &TestApp, statements: &[sea_orm::Statement]) -> Vec<String> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let mut found = Vec::new();
    for statement in statements {
        let sql = statement.sql.trim_start();
        let first = sql
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_uppercase();
        if !matches!(first.as_str(), "SELECT" | "UPDATE" | "DELETE" | "WITH")
            || sql.contains("pg_advisory")
        {
            continue;
        }
        let txn = app.db().begin().await.unwrap_or_else(|e| panic!("{e}"));
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let explain = sea_orm::Statement {
            sql: format!("EXPLAIN (FORMAT JSON) {sql}"),
            values: statement.values.clone(),
            db_backend: statement.db_backend,
        };
        let plan: serde_json::Value = txn
            .query_one_raw(explain)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
            .and_then(|row| row.try_get::<serde_json::Value>("", "QUERY PLAN").ok())
            .unwrap_or_default();
        txn.rollback().await.unwrap_or_else(|e| panic!("{e}"));
        let mut whole = Vec::new();
        read_whole(&plan[0]["Plan"], &mut whole);
        for (node, table) in whole {
            found.push(format!("{node} of {table} in: {sql}"));
        }
    }
    found
}

/// The nodes of a plan that read one of the big tables whole.
fn read_whole(node: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let table = node["Relation Name"].as_str().unwrap_or_default();
    let big = BIG.contains(&table) || table.starts_with("access_log_");
    // A caseload walks the cases' index in page order, or counts it, filtering as it goes:
    // the one index a region's cases (tens of thousands) may be read along.
    let unbounded = match kind {
        "Seq Scan" => true,
        "Index Scan" | "Index Only Scan" => table != "cases" && node.get("Index Cond").is_none(),
        _ => false,
    };
    if big && unbounded {
        out.push((kind.to_owned(), table.to_owned()));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        read_whole(child, out);
    }
}

#[tokio::test]
async fn the_screens_and_the_jobs_read_a_region_by_index() {
    let app = TestApp::spawn().await;
    if !app.database.is_postgres() {
        // The plans asserted are PostgreSQL's; SQLite's are the HTTP benchmark's business.
        return;
    }
    let options = small(&app);
    let seeded = region::seed(app.db(), &app.state.cpr, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    use sea_orm::ConnectionTrait;
    app.db()
        .execute_unprepared("ANALYZE")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let intake = app.token(&seeded.users[0].0);
    let contact = app.token(&seeded.users[1].0);
    let dpo = app.token(&seeded.users[5].0);
    let orgs = app
        .gql(
            &intake,
            "{ organizations(kind: MUNICIPALITY, first: 50) { edges { node { id name } } } }",
            json!({}),
        )
        .await
        .data()
        .clone();
    let municipality = orgs["organizations"]["edges"][0]["node"]["id"].clone();
    let page = app
        .gql(
            &contact,
            "{ cases(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data()
        .clone();
    let case = page["cases"]["edges"][0]["node"]["id"].clone();
    // A child of the first municipality, whose data-protection officer asks.
    let first = {
        use sea_orm::{ColumnTrait, QueryFilter};
        case::Entity::find()
            .filter(case::Column::MunicipalityId.eq(kit_entity::ids::OrganizationId(2)))
            .one(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no case"))
    };
    let child = kit_entity::entities::child::Entity::find_by_id(first.child_id)
        .one(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no child"));
    let cpr = app
        .state
        .cpr
        .open(child.cpr.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let variables = json!({
        "case": case,
        "m": municipality,
        "from": (options.until - TimeDelta::days(365)).date_naive().to_string(),
        "to": options.until.date_naive().to_string(),
        "cpr": cpr,
    });
    let mut problems = Vec::new();
    for (screen, query) in SCREENS {
        let who: Vec<&String> = match *screen {
            "caseload" | "case" => vec![&intake, &contact],
            "subject access" => vec![&dpo],
            _ => vec![&intake],
        };
        for token in who {
            let (statements, answer) = app
                .record_statements(app.gql(token, query, variables.clone()))
                .await;
            assert!(
                answer.body.get("errors").is_none(),
                "{screen}: {}",
                answer.body
            );
            assert!(!statements.is_empty(), "{screen}: no statements recorded");
            for found in scans_of_big_tables(&app, &statements).await {
                problems.push(format!("{screen}: {found}"));
            }
        }
    }
    // The jobs: the deadline sweep's claim, and verifying the log since yesterday.
    let claim = {
        use sea_orm::QueryTrait;
        kit_entity::ops::deadlines::claim(sea_orm::DbBackend::Postgres, app.clock_now(), 500)
            .build(sea_orm::DbBackend::Postgres)
    };
    for found in scans_of_big_tables(&app, &[claim]).await {
        problems.push(format!("sweep: {found}"));
    }
    let (statements, verified) = app
        .record_statements(chain::verify_since(
            app.db(),
            options.until - TimeDelta::days(1),
        ))
        .await;
    assert!(verified.unwrap_or_else(|e| panic!("{e}")).intact());
    for found in scans_of_big_tables(&app, &statements).await {
        problems.push(format!("audit verify --since: {found}"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
