//! No N+1: a page of 100 cases with their child, participants and the participants'
//! professionals costs the same statements as a page of 1.

use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops};
use serde_json::json;

const LIST: &str = r"
    query($first: Int!) {
      cases(first: $first) {
        totalCount
        edges { node {
          id reference status
          child { name cpr age }
          municipality { name }
          referral { source submittedBy { name } }
          viewerAccess { basis canManage }
          participants { role sector name professional { name title unit { name organization { name } } } }
          responsibleContacts { professional { name } }
        } }
      }
    }";

#[tokio::test]
async fn listing_100_cases_costs_the_same_statements_as_listing_1() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut counts = Vec::new();
    let mut logs = Vec::new();
    let mut made = 0;
    for target in [1_usize, 10, 100] {
        while made < target {
            let id = app
                .active_case(
                    &w.intake_a.token,
                    &w.municipality_a,
                    &format!("Barn {made}"),
                )
                .await;
            let people = [&w.caseworker_a, &w.caseworker2_a, &w.ppr_a];
            let _ = app
                .gql(
                    &w.intake_a.token,
                    ops::ASSIGN,
                    json!({ "case": id, "p": people[made % 3].gid }),
                )
                .await
                .data();
            let _ = app
                .gql(
                    &w.intake_a.token,
                    ops::ASSIGN,
                    json!({ "case": id, "p": w.psychiatrist.gid }),
                )
                .await
                .data();
            made += 1;
        }
        let (n, r) = app
            .count_statements(app.gql(&w.intake_a.token, LIST, json!({ "first": target })))
            .await;
        assert_eq!(
            r.data()["cases"]["edges"].as_array().map(Vec::len),
            Some(target)
        );
        counts.push(n);
        logs.push(
            app.statement_log
                .lock()
                .map(|l| l.join("\n"))
                .unwrap_or_default(),
        );
    }
    assert_eq!(
        counts[0], counts[1],
        "1 vs 10 cases: {counts:?}\n--- 1:\n{}\n--- 10:\n{}",
        logs[0], logs[1]
    );
    assert_eq!(
        counts[1], counts[2],
        "10 vs 100 cases: {counts:?}\n--- 10:\n{}\n--- 100:\n{}",
        logs[1], logs[2]
    );
    assert!(
        counts[0] <= 14,
        "a handful of statements, not one per row: {counts:?}"
    );
}
