//! What a screen asks in one round trip: a caseload row's next meeting, next deadline and
//! overdue count; "cases I take part in" and "where I am responsible contact"; cases by their
//! next deadline, paged; a case's meetings paged and filtered; "my deadlines"; the upcoming
//! meetings paged on.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use serde_json::{Value, json};

use crate::meetings::REQUEST;

const SCHEDULE: &str = r"mutation($id: ID!, $at: DateTime!) { scheduleMeeting(input: { meetingId: $id, startsAt: $at }) { meeting { id } } }";

/// Three cases: the caseworker is responsible contact of the first two, takes part in the
/// third as a professional; each has a network meeting, scheduled on a different day.
async fn three_cases(app: &TestApp, w: &World) -> Vec<String> {
    let t = &w.intake_a.token;
    let mut cases = Vec::new();
    for (i, (name, day)) in [
        ("Alma", "2026-12-09"),
        ("Bo", "2026-12-03"),
        ("Cille", "2026-12-16"),
    ]
    .into_iter()
    .enumerate()
    {
        let case = app.active_case(t, &w.municipality_a, name).await;
        if i < 2 {
            let _ = app
                .gql(
                    t,
                    ops::ASSIGN,
                    json!({ "case": case, "p": w.caseworker_a.gid }),
                )
                .await
                .data();
        } else {
            let _ = app
                .gql(
                    t,
                    ops::ADD,
                    json!({ "input": { "caseId": case, "role": "PROFESSIONAL",
                    "professionalId": w.caseworker_a.gid } }),
                )
                .await
                .data();
            let _ = app
                .gql(
                    t,
                    ops::ASSIGN,
                    json!({ "case": case, "p": w.caseworker2_a.gid }),
                )
                .await
                .data();
        }
        let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": [],
            "durationMinutes": 60, "latest": "2027-01-29T16:00:00+01:00" });
        let meeting = app.gql(t, REQUEST, json!({ "input": input })).await.data()["requestMeeting"]
            ["meeting"]["id"]
            .clone();
        let _ = app
            .gql(
                t,
                SCHEDULE,
                json!({ "id": meeting, "at": format!("{day}T10:00:00+01:00") }),
            )
            .await
            .data();
        cases.push(case);
    }
    cases
}

fn ids(r: &Value, path: &str) -> Vec<String> {
    r.pointer(path)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|n| n["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_caseload_row_says_what_comes_next_and_the_caseload_filters_and_sorts_by_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let cases = three_cases(&app, &w).await;
    let ct = &w.caseworker_a.token;

    // The row: the next meeting, the next deadline, the overdue count.
    let rows = r"query($filter: CaseFilter, $order: CaseOrder, $after: String, $first: Int) {
      cases(filter: $filter, orderBy: $order, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id reference nextMeeting { startsAt } nextDeadline { id dueAt status }
                overdueDeadlineCount deadlines(status: [PENDING]) { id dueAt } } } }";
    let r = app.gql(ct, rows, json!({})).await;
    for row in r.data()["cases"]["nodes"].items() {
        let first_pending = row["deadlines"]
            .items()
            .iter()
            .min_by_key(|d| (d["dueAt"].str().to_owned(), d["id"].str().to_owned()))
            .map(|d| d["id"].clone())
            .unwrap_or(Value::Null);
        assert_eq!(row["nextDeadline"]["id"], first_pending, "{row}");
        assert_eq!(row["overdueDeadlineCount"], 0, "{row}");
    }
    let next = |case: &str| {
        r.data()["cases"]["nodes"]
            .items()
            .iter()
            .find(|n| n["id"] == case)
            .map(|n| n["nextMeeting"]["startsAt"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(next(&cases[0]), "2026-12-09T10:00:00+01:00");
    assert_eq!(next(&cases[1]), "2026-12-03T10:00:00+01:00");

    // Overdue: a week later, past some of the deadlines.
    app.clock.advance(chrono::TimeDelta::days(12));
    let r = app.gql(ct, rows, json!({})).await;
    let overdue: i64 = r.data()["cases"]["nodes"]
        .items()
        .iter()
        .map(|n| n["overdueDeadlineCount"].i64())
        .sum();
    assert!(overdue > 0, "{}", r.body);

    // Cases I take part in; where I am responsible contact.
    let only = |filter: Value| {
        let app = &app;
        async move {
            let r = app.gql(ct, rows, json!({ "filter": filter })).await;
            let mut found = ids(&r.body, "/data/cases/nodes");
            found.sort();
            found
        }
    };
    let mut all = cases.clone();
    all.sort();
    assert_eq!(only(json!({ "participating": true })).await, all);
    let mut responsible = cases[..2].to_vec();
    responsible.sort();
    assert_eq!(only(json!({ "responsible": true })).await, responsible);
    assert_eq!(
        only(json!({ "responsible": false })).await,
        vec![cases[2].clone()]
    );
    // The intake unit takes part in none of them, yet sees them all.
    let r = app
        .gql(
            &w.intake_a.token,
            rows,
            json!({ "filter": { "participating": true } }),
        )
        .await;
    assert_eq!(r.data()["cases"]["totalCount"], 0);

    // By the next deadline (the open one due first, overdue ones included: the most pressing
    // case first), a page of one at a time: no duplicates, nothing skipped.
    let open = r"query($order: CaseOrder) { cases(orderBy: $order) { nodes { id
        deadlines(status: [PENDING, MISSED]) { dueAt } } } }";
    let everything = app
        .gql(
            ct,
            open,
            json!({ "order": { "field": "NEXT_DEADLINE", "direction": "ASC" } }),
        )
        .await;
    let mut expected: Vec<(String, String)> = everything.data()["cases"]["nodes"]
        .items()
        .iter()
        .map(|n| {
            let first = n["deadlines"]
                .items()
                .iter()
                .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d["dueAt"].as_str()?).ok())
                .min()
                .map_or_else(
                    || "~".to_owned(),
                    |d| d.with_timezone(&chrono::Utc).to_rfc3339(),
                );
            (first, n["id"].str().to_owned())
        })
        .collect();
    let in_order = expected.clone();
    expected.sort();
    assert_eq!(in_order, expected, "earliest next deadline first");
    let mut paged = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app
            .gql(
                ct,
                rows,
                json!({ "order": { "field": "NEXT_DEADLINE", "direction": "ASC" }, "first": 1, "after": after }),
            )
            .await;
        paged.extend(ids(&r.body, "/data/cases/nodes"));
        if r.data()["cases"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = r.data()["cases"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        paged,
        in_order
            .iter()
            .map(|(_, id)| id.clone())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_case_s_meetings_page_and_filter_and_my_deadlines_and_meetings_need_no_second_trip() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let cases = three_cases(&app, &w).await;
    let ct = &w.caseworker_a.token;
    // The case's meetings, paged and filtered.
    let page = r"query($id: ID!, $after: String) { case(id: $id) {
        meetingsConnection(first: 1, after: $after, filter: { status: [SCHEDULED, PLANNED] }) {
          totalCount pageInfo { hasNextPage endCursor } nodes { id status kind } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app
            .gql(ct, page, json!({ "id": cases[0], "after": after }))
            .await;
        let connection = &r.data()["case"]["meetingsConnection"];
        seen.extend(ids(&r.body, "/data/case/meetingsConnection/nodes"));
        if connection["pageInfo"]["hasNextPage"] != true {
            assert_eq!(
                connection["totalCount"].i64(),
                i64::try_from(seen.len()).unwrap_or(-1)
            );
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let all = app
        .gql(
            ct,
            "query($id: ID!) { case(id: $id) { meetings { id status } } }",
            json!({ "id": cases[0] }),
        )
        .await;
    let mut expected: Vec<String> = all.data()["case"]["meetings"]
        .items()
        .iter()
        .filter(|m| m["status"] == "SCHEDULED" || m["status"] == "PLANNED")
        .map(|m| m["id"].str().to_owned())
        .collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
    // The root list by case gives the same.
    let r = app
        .gql(
            ct,
            "query($id: ID!) { meetings(first: 100, filter: { caseId: $id, status: [SCHEDULED, PLANNED] }) { nodes { id } } }",
            json!({ "id": cases[0] }),
        )
        .await;
    let mut root = ids(&r.body, "/data/meetings/nodes");
    root.sort();
    assert_eq!(root, expected);
    // Another case's id in the case's own filter is refused by field.
    app.gql(
        ct,
        "query($id: ID!, $other: ID!) { case(id: $id) { meetingsConnection(filter: { caseId: $other }) { totalCount } } }",
        json!({ "id": cases[0], "other": cases[1] }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("filter.caseId"));

    // My deadlines, without asking who I am first: the same as the root list by my id.
    let mine = app
        .gql(
            ct,
            "{ viewer { deadlines(first: 100) { totalCount nodes { id } } } }",
            json!({}),
        )
        .await;
    let by_id = app
        .gql(
            ct,
            "query($me: ID!) { deadlines(first: 100, filter: { responsibleId: $me }) { totalCount nodes { id } } }",
            json!({ "me": w.caseworker_a.gid }),
        )
        .await;
    assert_eq!(
        mine.data()["viewer"]["deadlines"],
        by_id.data()["deadlines"]
    );
    assert!(mine.data()["viewer"]["deadlines"]["totalCount"].i64() > 0);

    // The upcoming meetings, paged on with the end cursor.
    let upcoming = r"query($after: String) { viewer { upcomingMeetings(first: 1, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { id startsAt } } } }";
    let mut starts = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = app.gql(ct, upcoming, json!({ "after": after })).await;
        let connection = &r.data()["viewer"]["upcomingMeetings"];
        starts.extend(
            connection["nodes"]
                .items()
                .iter()
                .map(|m| m["startsAt"].str().to_owned()),
        );
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    assert!(starts.len() >= 2, "{starts:?}");
}

/// A case page stays current without polling: `caseChanged` announces the case's meeting and
/// deadline changes as they commit — here the scheduling result of a `kit-worker` running in
/// a process of its own — to whoever may see them, and to nobody else.
#[tokio::test]
async fn a_case_page_hears_the_worker_schedule_its_meeting_from_another_process() {
    use kit_tests::harness::PATIENCE;
    use kit_tests::ws::{Connect, WsClient};
    let app = TestApp::spawn().await; // no worker in this process
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Asta Live").await;
    for p in [&w.caseworker_a, &w.psychiatrist] {
        let _ = app
            .gql(t, ops::ASSIGN, json!({ "case": case, "p": p.gid }))
            .await
            .data();
    }
    let ws = format!("ws://{}/graphql/ws", app.addr);
    let listen = |token: String| {
        let ws = ws.clone();
        let case = case.clone();
        async move {
            match WsClient::connect(&ws, json!({ "Authorization": format!("Bearer {token}") }))
                .await
            {
                Connect::Acknowledged(mut client) => {
                    client
                        .subscribe(&format!(
                            "subscription {{ caseChanged(caseId: \"{case}\") {{ kind
                               meeting {{ id status startsAt }} deadline {{ id status dueAt }}
                               case {{ id nextMeeting {{ id startsAt }} }} }} }}"
                        ))
                        .await;
                    client
                }
                Connect::Closed(code, reason) => panic!("refused: {code} {reason}"),
            }
        }
    };
    let mut caseworker = listen(w.caseworker_a.token.clone()).await;
    // Someone who may not see the case is told it does not exist.
    let mut outsider = listen(w.caseworker_b.token.clone()).await;
    let refused = outsider.next_error(PATIENCE).await;
    assert!(refused.to_string().contains("NOT_FOUND"), "{refused}");
    // The subscription holds once the server has its message.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    // The caseworker asks for a network meeting; a kit-worker of its own schedules it.
    let latest = (chrono::Utc::now() + chrono::TimeDelta::days(120)).to_rfc3339();
    let input = json!({ "caseId": case, "kind": "NETWORK", "invitees": [],
        "durationMinutes": 60, "latest": latest });
    let meeting = app
        .gql(&w.caseworker_a.token, REQUEST, json!({ "input": input }))
        .await
        .data()["requestMeeting"]["meeting"]["id"]
        .clone();
    let mail = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut worker = tokio::process::Command::new(kit_tests::harness::binary("kit-worker"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(std::env::vars().filter(|(k, _)| k == "LD_PRELOAD" || k.starts_with("FAKETIME")))
        .env("KIT_DATABASE_URL", &app.database.url)
        .env("KIT_WORKER_POLL_MS", "50")
        .env("KIT_MAIL_DIR", mail.path())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start kit-worker: {e}"));
    let scheduled = loop {
        let event = caseworker.next_data(PATIENCE).await;
        let change = &event["caseChanged"];
        assert_eq!(change["case"]["id"], case.as_str(), "{event}");
        if change["kind"] == "MEETING"
            && change["meeting"]["id"] == meeting
            && change["meeting"]["status"] == "SCHEDULED"
        {
            break change.clone();
        }
    };
    let _ = worker.kill().await;
    // The case as it is after the change: its next meeting is this one or the case's own start
    // meeting, whichever the worker put first.
    let starts = |m: &Value| {
        chrono::DateTime::parse_from_rfc3339(m["startsAt"].str()).unwrap_or_else(|e| panic!("{e}"))
    };
    let next = &scheduled["case"]["nextMeeting"];
    assert!(next.is_object(), "{scheduled}");
    assert!(starts(next) <= starts(&scheduled["meeting"]), "{scheduled}");
}
