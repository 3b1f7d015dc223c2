//! Keyset pagination: no duplicates and no gaps while rows are being inserted.

use std::collections::HashSet;

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::World;
use serde_json::{Value, json};

const PAGE: &str = r"
    query($first: Int, $after: String, $order: CaseOrder) {
      cases(first: $first, after: $after, orderBy: $order) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id } }
      }
    }";

async fn walk(
    app: &TestApp,
    w: &World,
    order: Value,
    insert_between: bool,
) -> (Vec<String>, Vec<String>) {
    let mut seen = Vec::new();
    let mut inserted = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(
                &w.intake_a.token,
                PAGE,
                json!({ "first": 7, "after": after, "order": order }),
            )
            .await;
        let cases = r.data()["cases"].clone();
        assert_eq!(cases["pageInfo"]["hasPreviousPage"], after.is_some());
        for edge in cases["edges"].items().to_vec() {
            seen.push(edge["node"]["id"].str().to_owned());
        }
        if insert_between {
            // Someone registers two new referrals while we page.
            for i in 0..2 {
                inserted.push(
                    app.refer(&w.intake_a.token, &w.municipality_a, &format!("Ny {i}"))
                        .await,
                );
            }
        }
        if cases["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = cases["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(after.is_some());
    }
    (seen, inserted)
}

#[tokio::test]
async fn paging_while_referrals_arrive_has_no_duplicates_and_no_gaps() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut originals = Vec::new();
    for i in 0..30 {
        originals.push(
            app.refer(&w.intake_a.token, &w.municipality_a, &format!("Barn {i}"))
                .await,
        );
    }
    for (order, newest_first) in [
        (json!({ "field": "CREATED_AT", "direction": "DESC" }), true),
        (json!({ "field": "CREATED_AT", "direction": "ASC" }), false),
        (json!({ "field": "UPDATED_AT", "direction": "DESC" }), true),
        (json!({ "field": "UPDATED_AT", "direction": "ASC" }), false),
    ] {
        let existing: Vec<String> = {
            let (all, _) = walk(&app, &w, order.clone(), false).await;
            all
        };
        let (seen, inserted) = walk(&app, &w, order.clone(), true).await;
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no duplicates ({order})");
        for id in &existing {
            assert!(unique.contains(id), "no gaps: {id} missing ({order})");
        }
        if newest_first {
            // Newest first: rows inserted behind the cursor are not shown on later pages.
            assert!(inserted.iter().all(|id| !unique.contains(id)), "{order}");
        }
    }
    assert!(originals.len() == 30);
}

#[tokio::test]
async fn first_is_capped_at_100_and_cursors_belong_to_their_ordering() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    for i in 0..3 {
        let _ = app
            .refer(&w.intake_a.token, &w.municipality_a, &format!("Barn {i}"))
            .await;
    }
    let r = app
        .gql(&w.intake_a.token, PAGE, json!({ "first": 500 }))
        .await;
    assert_eq!(r.data()["cases"]["edges"].as_array().map(Vec::len), Some(3));
    let r = app
        .gql(&w.intake_a.token, PAGE, json!({ "first": 1 }))
        .await;
    let cursor = r.data()["cases"]["pageInfo"]["endCursor"].clone();
    let other = app
        .gql(
            &w.intake_a.token,
            PAGE,
            json!({ "first": 1, "after": cursor, "order": { "field": "UPDATED_AT" } }),
        )
        .await;
    other.assert_error("BAD_USER_INPUT", Some("after"));
}
