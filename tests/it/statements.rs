//! No N+1: a page of 100 cases with their child, participants and the participants'
//! professionals, and the row's next meeting, next deadline and overdue count, costs the same
//! statements as a page of 1.

use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops, referral};
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
          nextMeeting { id startsAt }
          nextDeadline { id dueAt ruleCode }
          overdueDeadlineCount
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
        let log = app
            .statement_log
            .lock()
            .map(|l| l.join("\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        // The access log's rows are one append; PostgreSQL gets them in INSERTs of at most
        // 12 KiB of values each (`ops::access_log`: sqlx sets no TCP_NODELAY, and a larger message
        // waits 40 ms for a delayed ACK), so a page of 100 cases' rows may take three.
        let log_inserts = log
            .lines()
            .filter(|l| l.starts_with("INSERT INTO \"access_log\""))
            .count();
        counts.push(n - log_inserts.saturating_sub(1));
        logs.push(log);
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
    // The count reads the key of each case, not every column.
    let count = logs[2]
        .lines()
        .find(|s| s.starts_with("SELECT COUNT(*)"))
        .unwrap_or_else(|| panic!("no count in:\n{}", logs[2]));
    assert!(!count.contains("\"reference\""), "{count}");
}

#[tokio::test]
async fn listing_notifications_costs_the_same_statements_for_1_as_for_10() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let notifications = r"{ viewer { notifications(first: 50) { nodes { kind title message createdAt deadline { ruleCode dueAt } } } } }";
    let count_for = |target: usize| {
        let (app, w) = (&app, &w);
        async move {
            // Referrals to A: each alerts the intake unit when its assessment falls due.
            for i in 0..target {
                let _ = app
                    .refer(&w.intake_a.token, &w.municipality_a, &format!("Barn {i}"))
                    .await;
            }
            app.clock
                .set(app.clock_now() + chrono::TimeDelta::hours(25));
            loop {
                let swept = kit_entity::ops::deadlines::sweep(app.db(), app.clock_now(), 500)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                if swept.claimed == 0 {
                    break;
                }
            }
            let (n, r) = app
                .count_statements(app.gql(&w.intake_a.token, notifications, json!({})))
                .await;
            let nodes = r.data()["viewer"]["notifications"]["nodes"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0);
            (n, nodes)
        }
    };
    let (one, seen_one) = count_for(1).await;
    let (ten, seen_ten) = count_for(9).await;
    assert!(
        seen_one >= 1 && seen_ten >= 10,
        "{seen_one} then {seen_ten}"
    );
    assert_eq!(
        one, ten,
        "a page of {seen_one} vs {seen_ten} notifications with their texts and deadlines"
    );
}

#[tokio::test]
async fn authenticating_a_request_costs_one_statement_and_on_postgresql_none_once_kept() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (n, r) = app
        .count_statements(app.gql(&w.caseworker_a.token, "{ __typename }", json!({})))
        .await;
    assert_eq!(r.data()["__typename"], "Query");
    let log = app
        .statement_log
        .lock()
        .map(|l| l.join("\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 1, "the professional with their unit, at once:\n{log}");

    // On PostgreSQL the professional is then kept, and the next request costs nothing; a
    // notification of World's own directory changes may still arrive and forget them once.
    let postgres = app.state.db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let mut costs = Vec::new();
    for _ in 0..20 {
        let _ = app
            .gql(&w.caseworker_a.token, "{ __typename }", json!({}))
            .await;
        app.statements.store(0, std::sync::atomic::Ordering::SeqCst);
        let r = app
            .gql(&w.caseworker_a.token, "{ __typename }", json!({}))
            .await;
        assert_eq!(r.data()["__typename"], "Query");
        costs.push(app.statements.load(std::sync::atomic::Ordering::SeqCst));
        if !postgres || costs.last() == Some(&0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        costs.last(),
        Some(&usize::from(!postgres)),
        "statements of a second request: {costs:?}"
    );
}

/// The cases of a page are not fetched again by id, and the participants the access decision
/// reads are the ones the response shows, and each case comes with its child and each
/// participation with its professional: each is read once, for a page as for a single case.
/// A single case is one read: the case, its child, its participations and their
/// professionals in one statement.
#[tokio::test]
async fn a_page_and_a_single_case_read_cases_and_participants_once() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut input = referral(&w.municipality_a, "Barn Et");
    input["familyMembers"] =
        json!([{ "name": "Mona Et", "relation": "MOTHER", "hasCustody": true }]);
    let id = app.active_case_of(&w.intake_a.token, input).await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    // A guardian among the participants: their name is the family member's.
    let r = app
        .gql(
            &w.intake_a.token,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
            json!({ "id": id }),
        )
        .await;
    let mother = r.data()["case"]["child"]["familyMembers"][0]["id"].clone();
    let _ = app
        .gql(
            &w.intake_a.token,
            r"mutation($input: AddParticipantInput!) { addParticipant(input: $input) { participant { id } } }",
            json!({ "input": { "caseId": id, "role": "GUARDIAN", "familyMemberId": mother } }),
        )
        .await
        .data();
    let single = r"query($id: ID!) { case(id: $id) { id reference child { name cpr }
        participants { role sector name professional { name title } } } }";
    for (label, query, variables) in [
        ("page", LIST, json!({ "first": 10 })),
        ("single case", single, json!({ "id": id })),
    ] {
        let (_, r) = app
            .count_statements(app.gql(&w.intake_a.token, query, variables))
            .await;
        let _ = r.data();
        let log = app
            .statement_log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        let reads = |table: &str| {
            let select = format!("SELECT \"{table}\".");
            log.iter().filter(|s| s.starts_with(&select)).count()
        };
        let all = log.join("\n");
        assert_eq!(reads("cases"), 1, "{label}: cases read once:\n{all}");
        let with_the_case = log
            .iter()
            .any(|s| s.starts_with("SELECT \"cases\".") && s.contains("JOIN \"participants\""));
        assert_eq!(
            reads("participants") + usize::from(with_the_case),
            1,
            "{label}: participants read once:\n{all}"
        );
        assert_eq!(
            reads("children"),
            0,
            "{label}: children read with their cases:\n{all}"
        );
        if label == "single case" {
            assert!(
                with_the_case,
                "{label}: participants read with the case:\n{all}"
            );
            // The token's professional is read once (as `"A_id"`, with the token's unit);
            // the participants' professionals come with their participations.
            let loaded_apart = log
                .iter()
                .filter(|s| s.starts_with("SELECT \"professionals\".\"id\", "))
                .count();
            assert_eq!(
                loaded_apart, 0,
                "{label}: professionals read with their participations:\n{all}"
            );
            let names = r.data()["case"]["participants"].to_string();
            assert!(names.contains("Mona Et"), "the guardian's name: {names}");
        }
    }
}
