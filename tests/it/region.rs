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
