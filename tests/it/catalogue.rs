//! The early-intervention catalogue: offers and cohorts, the waiting list's positions and
//! expected starts as cohorts fill, seats are declined and capacity changes, the waiting
//! time a municipality reports, and who may see and place a child on a list.

use chrono::{DateTime, Utc};
use kit_api::graphql::ids::NodeId;
use kit_entity::entities::unit;
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CREATE: &str = r"mutation($input: CreateEarlyInterventionOfferInput!) {
    createEarlyInterventionOffer(input: $input) { offer { id name minAge maxAge seatsPerCohort } } }";
const ADD_COHORT: &str = r"mutation($input: AddCohortInput!) {
    addCohort(input: $input) { cohort { id startsOn seats free } } }";
const CAPACITY: &str = r"mutation($input: ChangeCohortCapacityInput!) {
    changeCohortCapacity(input: $input) { cohort { seats enrolled offered free } } }";
const PLACE: &str = r"mutation($input: PlaceOnWaitingListInput!) {
    placeOnWaitingList(input: $input) { entry { id status position expectedStart } } }";
const OFFER_SEAT: &str = r"mutation($input: OfferSeatInput!) {
    offerSeat(input: $input) { entry { id status position answerBy expectedStart
        answerDeadline { ruleCode status dueAt } } } }";
const ANSWER: &str = r"mutation($input: AnswerSeatOfferInput!) {
    answerSeatOffer(input: $input) { entry { id status enrolledAt answerDeadline { status } } } }";
const WITHDRAW: &str = r"mutation($input: WithdrawFromWaitingListInput!) {
    withdrawFromWaitingList(input: $input) { entry { id status withdrawReason } } }";
const LIST: &str = r"query($id: ID!) { node(id: $id) { ... on EarlyInterventionOffer {
    queueLength
    waitingList(first: 50) { totalCount nodes { id status position expectedStart
        expectedCohort { id } case { id } } } } } }";

/// The global id of A's PPR unit, the provider of the tests' offers.
async fn ppr_unit(app: &TestApp) -> String {
    unit::Entity::find()
        .filter(unit::Column::Name.eq("PPR A"))
        .one(app.db())
        .await
        .ok()
        .flatten()
        .map(|u| u.id.to_global().0)
        .unwrap_or_default()
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .with_timezone(&Utc)
}

pub(crate) async fn create_offer(
    app: &TestApp,
    w: &World,
    name: &str,
    ages: (i64, i64),
    seats: i64,
) -> String {
    let input = json!({
        "municipalityId": w.municipality_a,
        "providerUnitId": ppr_unit(app).await,
        "name": name,
        "purpose": "At forebygge og afhjælpe begyndende angst hos børn.",
        "minAge": ages.0,
        "maxAge": ages.1,
        "cadence": "10 gruppemøder, ugentligt",
        "sessions": 10,
        "weeksBetweenCohorts": 13,
        "seatsPerCohort": seats,
    });
    let r = app
        .gql(&w.admin_a.token, CREATE, json!({ "input": input }))
        .await;
    r.data()["createEarlyInterventionOffer"]["offer"]["id"]
        .str()
        .to_owned()
}

async fn add_cohort(
    app: &TestApp,
    token: &str,
    offer: &str,
    starts: &str,
    seats: Option<i64>,
) -> String {
    let mut input = json!({ "offerId": offer, "startsOn": starts });
    if let Some(seats) = seats {
        input["seats"] = json!(seats);
    }
    let r = app.gql(token, ADD_COHORT, json!({ "input": input })).await;
    r.data()["addCohort"]["cohort"]["id"].str().to_owned()
}

async fn place(app: &TestApp, token: &str, case: &str, offer: &str) -> String {
    let r = app
        .gql(
            token,
            PLACE,
            json!({ "input": { "caseId": case, "offerId": offer } }),
        )
        .await;
    r.data()["placeOnWaitingList"]["entry"]["id"]
        .str()
        .to_owned()
}

/// The waiting list as `token` sees it: (entry, status, position, expected start, cohort).
async fn queue(
    app: &TestApp,
    token: &str,
    offer: &str,
) -> Vec<(String, String, Value, Value, Value)> {
    let r = app.gql(token, LIST, json!({ "id": offer })).await;
    r.data()["node"]["waitingList"]["nodes"]
        .items()
        .iter()
        .map(|n| {
            (
                n["id"].str().to_owned(),
                n["status"].str().to_owned(),
                n["position"].clone(),
                n["expectedStart"].clone(),
                n["expectedCohort"]["id"].clone(),
            )
        })
        .collect()
}

/// (position, expected start) of each entry in `entries`, as `token` sees the list.
async fn standing(
    app: &TestApp,
    token: &str,
    offer: &str,
    entries: &[&String],
) -> Vec<(Value, Value)> {
    let list = queue(app, token, offer).await;
    entries
        .iter()
        .map(|e| {
            list.iter()
                .find(|(id, ..)| id == *e)
                .map_or((Value::Null, Value::Null), |(_, _, p, s, _)| {
                    (p.clone(), s.clone())
                })
        })
        .collect()
}

fn ps(position: i64, start: &str) -> (Value, Value) {
    (json!(position), json!(start))
}

#[tokio::test]
async fn positions_and_expected_starts_follow_filling_cohorts_declines_and_capacity() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let offer = create_offer(&app, &w, "Cool Kids", (7, 13), 2).await;
    // The provider unit runs the cohorts: January's with the offer's 2 seats, March's with 1.
    let january = add_cohort(&app, &w.ppr_a.token, &offer, "2027-01-11", None).await;
    let march = add_cohort(&app, &w.ppr_a.token, &offer, "2027-03-01", Some(1)).await;

    let mut cases = Vec::new();
    let mut entries = Vec::new();
    for (i, name) in ["Ada Først", "Bo Anden", "Cai Tredje", "Dea Fjerde"]
        .into_iter()
        .enumerate()
    {
        let case = app.active_case(t, &w.municipality_a, name).await;
        app.clock.set(
            at("2026-11-23T10:00:00+01:00")
                + chrono::TimeDelta::minutes(i64::try_from(i).unwrap_or(0)),
        );
        entries.push(place(&app, t, &case, &offer).await);
        cases.push(case);
    }
    let [a, b, c, d] = [&entries[0], &entries[1], &entries[2], &entries[3]];
    // Two seats in January for the first two, one in March for the third, none for the
    // fourth.
    assert_eq!(
        standing(&app, t, &offer, &[a, b, c, d]).await,
        [
            ps(1, "2027-01-11"),
            ps(2, "2027-01-11"),
            ps(3, "2027-03-01"),
            (json!(4), Value::Null)
        ]
    );
    let list = queue(&app, t, &offer).await;
    assert_eq!(list[2].4, json!(march));

    // March gets a second seat: the fourth can expect March too.
    let r = app
        .gql(
            &w.ppr_a.token,
            CAPACITY,
            json!({ "input": { "cohortId": march, "seats": 2 } }),
        )
        .await;
    assert_eq!(r.data()["changeCohortCapacity"]["cohort"]["free"], 2);
    assert_eq!(standing(&app, t, &offer, &[d]).await, [ps(4, "2027-03-01")]);
    // The same case cannot wait twice on one offer.
    app.gql(
        t,
        PLACE,
        json!({ "input": { "caseId": cases[3], "offerId": offer } }),
    )
    .await
    .assert_error("CONFLICT", None);

    // The first in line is offered January's seat; everyone behind moves up.
    let r = app
        .gql(
            t,
            OFFER_SEAT,
            json!({ "input": { "cohortId": january, "answerBy": "2026-12-04" } }),
        )
        .await;
    let offered = &r.data()["offerSeat"]["entry"];
    assert_eq!(offered["id"], json!(a));
    assert_eq!(offered["status"], "OFFERED");
    assert_eq!(offered["position"], Value::Null);
    assert_eq!(offered["expectedStart"], "2027-01-11");
    assert_eq!(offered["answerDeadline"]["ruleCode"], "seat-offer-answer");
    assert_eq!(offered["answerDeadline"]["status"], "PENDING");
    assert_eq!(
        offered["answerDeadline"]["dueAt"], "2026-12-05T00:00:00+01:00",
        "due at the end of the answer day"
    );
    // The deadline is the case's own, among its deadlines.
    let r = app
        .gql(
            t,
            r"query($id: ID!) { case(id: $id) { deadlines { ruleCode status } } }",
            json!({ "id": cases[0] }),
        )
        .await;
    assert!(
        r.data()["case"]["deadlines"]
            .items()
            .iter()
            .any(|d| d["ruleCode"] == "seat-offer-answer" && d["status"] == "PENDING")
    );
    assert_eq!(
        standing(&app, t, &offer, &[b, c, d]).await,
        [
            ps(1, "2027-01-11"),
            ps(2, "2027-03-01"),
            ps(3, "2027-03-01")
        ]
    );

    // The family declines: the seat goes back and the next in line moves up to it.
    let r = app
        .gql(
            t,
            ANSWER,
            json!({ "input": { "entryId": a, "accept": false } }),
        )
        .await;
    assert_eq!(r.data()["answerSeatOffer"]["entry"]["status"], "DECLINED");
    assert_eq!(
        r.data()["answerSeatOffer"]["entry"]["answerDeadline"]["status"],
        "MET"
    );
    assert_eq!(
        standing(&app, t, &offer, &[b, c, d]).await,
        [
            ps(1, "2027-01-11"),
            ps(2, "2027-01-11"),
            ps(3, "2027-03-01")
        ]
    );
    app.gql(
        t,
        ANSWER,
        json!({ "input": { "entryId": a, "accept": true } }),
    )
    .await
    .assert_error("CONFLICT", None);

    // The next two are offered January's seats; one accepts.
    for entry in [b, c] {
        let r = app
            .gql(
                t,
                OFFER_SEAT,
                json!({ "input": { "cohortId": january, "entryId": entry, "answerBy": "2026-12-04" } }),
            )
            .await;
        assert_eq!(r.data()["offerSeat"]["entry"]["status"], "OFFERED");
    }
    // January is full: no third seat.
    app.gql(
        t,
        OFFER_SEAT,
        json!({ "input": { "cohortId": january, "answerBy": "2026-12-04" } }),
    )
    .await
    .assert_error("CONFLICT", None);
    let r = app
        .gql(
            t,
            ANSWER,
            json!({ "input": { "entryId": b, "accept": true } }),
        )
        .await;
    assert_eq!(r.data()["answerSeatOffer"]["entry"]["status"], "ENROLLED");
    // Seats cannot drop below those taken (one enrolled, one offered).
    app.gql(
        &w.ppr_a.token,
        CAPACITY,
        json!({ "input": { "cohortId": january, "seats": 1 } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.seats"));
    // Withdrawn while offered: the seat is free again, and January's capacity can drop.
    let r = app
        .gql(
            t,
            WITHDRAW,
            json!({ "input": { "entryId": c, "reason": "Familien er flyttet" } }),
        )
        .await;
    assert_eq!(
        r.data()["withdrawFromWaitingList"]["entry"]["status"],
        "WITHDRAWN"
    );
    assert_eq!(standing(&app, t, &offer, &[d]).await, [ps(1, "2027-01-11")]);
    let r = app
        .gql(
            &w.ppr_a.token,
            CAPACITY,
            json!({ "input": { "cohortId": january, "seats": 1 } }),
        )
        .await;
    let cohort = &r.data()["changeCohortCapacity"]["cohort"];
    assert_eq!((cohort["enrolled"].i64(), cohort["free"].i64()), (1, 0));
    assert_eq!(standing(&app, t, &offer, &[d]).await, [ps(1, "2027-03-01")]);
    // The case sees its own history on the list.
    let r = app
        .gql(
            t,
            r"query($id: ID!) { case(id: $id) { waitingListEntries { status offer { name } expectedStart cohort { startsOn } } } }",
            json!({ "id": cases[1] }),
        )
        .await;
    assert_eq!(
        r.data()["case"]["waitingListEntries"],
        json!([{ "status": "ENROLLED", "offer": { "name": "Cool Kids" },
                 "expectedStart": "2027-01-11", "cohort": { "startsOn": "2027-01-11" } }])
    );
}

#[tokio::test]
async fn waiting_times_are_the_days_from_placement_to_the_cohorts_start_by_nearest_rank() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let offer = create_offer(&app, &w, "Børnegruppe", (8, 17), 10).await;
    let cohort = add_cohort(&app, &w.ppr_a.token, &offer, "2027-01-04", None).await;
    // Placed on these days, the five who enroll wait 42, 41, 34, 25 and 7 days until the
    // cohort starts on 4 January: sorted 7, 25, 34, 41, 42 — median (rank ⌈2.5⌉ = 3) 34,
    // 90th percentile (rank ⌈4.5⌉ = 5) 42. One more declines, one still waits.
    let days = [
        "2026-11-23T12:00:00+01:00",
        "2026-11-24T09:00:00+01:00",
        "2026-12-01T23:30:00+01:00",
        "2026-12-10T08:00:00+01:00",
        "2026-12-28T10:00:00+01:00",
        "2026-12-28T11:00:00+01:00",
        "2026-12-28T12:00:00+01:00",
    ];
    let mut entries = Vec::new();
    for (i, day) in days.iter().enumerate() {
        app.clock.set(at(day));
        let case = app
            .active_case(t, &w.municipality_a, &format!("Barn Nummer{i}"))
            .await;
        entries.push(place(&app, t, &case, &offer).await);
    }
    app.clock.set(at("2026-12-29T09:00:00+01:00"));
    for (i, entry) in entries.iter().enumerate().take(6) {
        let r = app
            .gql(
                t,
                OFFER_SEAT,
                json!({ "input": { "cohortId": cohort, "answerBy": "2027-01-02" } }),
            )
            .await;
        assert_eq!(
            r.data()["offerSeat"]["entry"]["id"],
            json!(entry),
            "first in line"
        );
        let r = app
            .gql(
                t,
                ANSWER,
                json!({ "input": { "entryId": entry, "accept": i < 5 } }),
            )
            .await;
        assert!(r.data()["answerSeatOffer"]["entry"]["status"].is_string());
    }
    app.clock.set(at("2027-01-10T09:00:00+01:00"));
    let figures = r"{ served medianWaitDays p90WaitDays queueLength seatsOffered }";
    let r = app
        .gql(
            t,
            &format!(
                r"query($id: ID!) {{ node(id: $id) {{ ... on EarlyInterventionOffer {{ waitingTime {figures} }} }} }}"
            ),
            json!({ "id": offer }),
        )
        .await;
    let expected = json!({ "served": 5, "medianWaitDays": 34, "p90WaitDays": 42,
                           "queueLength": 1, "seatsOffered": 0 });
    assert_eq!(r.data()["node"]["waitingTime"], expected);
    // One bound alone: cohorts starting from a day, or until one.
    let one_sided = r#"query($id: ID!) { node(id: $id) { ... on EarlyInterventionOffer {
        from: waitingTime(from: "2027-01-04") { served }
        until: waitingTime(to: "2027-01-03") { served } } } }"#;
    let r = app.gql(t, one_sided, json!({ "id": offer })).await;
    assert_eq!(r.data()["node"]["from"]["served"], 5);
    assert_eq!(r.data()["node"]["until"]["served"], 0);

    let report = format!(
        r"query($org: ID!, $from: Date!, $to: Date!) {{
            timelinessReport(organizationId: $org, from: $from, to: $to) {{
                earlyInterventions {{ offer {{ id name }} {} }} }} }}",
        &figures[1..figures.len() - 1]
    );
    let r = app
        .gql(
            t,
            &report,
            json!({ "org": w.municipality_a, "from": "2027-01-01", "to": "2027-01-31" }),
        )
        .await;
    let row = &r.data()["timelinessReport"]["earlyInterventions"][0];
    assert_eq!(row["offer"]["id"], json!(offer));
    for field in ["served", "medianWaitDays", "p90WaitDays", "queueLength"] {
        assert_eq!(row[field], expected[field], "{field}");
    }
    // A period without a cohort start counts nobody.
    let r = app
        .gql(
            t,
            &report,
            json!({ "org": w.municipality_a, "from": "2026-12-01", "to": "2026-12-31" }),
        )
        .await;
    let row = &r.data()["timelinessReport"]["earlyInterventions"][0];
    assert_eq!(
        (row["served"].i64(), row["medianWaitDays"].clone()),
        (0, Value::Null)
    );
}

#[tokio::test]
async fn a_child_outside_the_target_ages_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    // FØNIX is for mothers of babies: the children are 0–1 years old.
    let fonix = create_offer(&app, &w, "FØNIX", (0, 1), 10).await;
    let case = app.active_case(t, &w.municipality_a, "Ib Tolv").await;
    let r = app
        .gql(
            t,
            PLACE,
            json!({ "input": { "caseId": case, "offerId": fonix } }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.caseId"));
    assert!(r.message().contains("12"), "{}", r.message());
    // Offers are the administrators': the ages are checked too.
    let mut input = json!({
        "municipalityId": w.municipality_a, "providerUnitId": ppr_unit(&app).await,
        "name": "Stepping Stones", "purpose": "Forældrekursus", "minAge": 12, "maxAge": 2,
        "cadence": "9 sessioner", "seatsPerCohort": 10 });
    app.gql(&w.admin_a.token, CREATE, json!({ "input": input.clone() }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.maxAge"));
    input["maxAge"] = json!(12);
    input["minAge"] = json!(2);
    app.gql(t, CREATE, json!({ "input": input }))
        .await
        .assert_error("FORBIDDEN", None);
}

#[tokio::test]
async fn someone_without_access_to_the_case_can_neither_place_it_nor_see_its_entry() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let offer = create_offer(&app, &w, "Cool Kids", (7, 13), 8).await;
    let case = app.active_case(t, &w.municipality_a, "Siv Skjult").await;
    // Another municipality's caseworker and the provider's psychologist do not see the case.
    for token in [&w.caseworker_b.token, &w.ppr_a.token] {
        app.gql(
            token,
            PLACE,
            json!({ "input": { "caseId": case, "offerId": offer } }),
        )
        .await
        .assert_error("NOT_FOUND", Some("input.caseId"));
    }
    let entry = place(&app, t, &case, &offer).await;
    // The provider's staff see how many wait, not who.
    let r = app.gql(&w.ppr_a.token, LIST, json!({ "id": offer })).await;
    assert_eq!(r.data()["node"]["queueLength"], 1);
    assert_eq!(r.data()["node"]["waitingList"]["totalCount"], 0);
    app.gql(
        &w.ppr_a.token,
        r"query($id: ID!) { node(id: $id) { id } }",
        json!({ "id": entry }),
    )
    .await
    .assert_error("NOT_FOUND", Some("id"));
    // Another municipality does not see the catalogue at all.
    let r = app
        .gql(
            &w.caseworker_b.token,
            r"query($m: ID!) { earlyInterventionOffers(municipalityId: $m) { totalCount } }",
            json!({ "m": w.municipality_a }),
        )
        .await;
    assert_eq!(r.data()["earlyInterventionOffers"]["totalCount"], 0);
    // Once the psychologist takes part in the case, its entry is theirs to see — and their
    // reading it is logged — but only those who manage the case change it.
    let _ = app
        .gql(
            t,
            ops::ADD,
            json!({ "input": { "caseId": case, "role": "PROFESSIONAL", "professionalId": w.ppr_a.gid } }),
        )
        .await
        .data();
    let list = queue(&app, &w.ppr_a.token, &offer).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0, entry);
    app.gql(
        &w.ppr_a.token,
        WITHDRAW,
        json!({ "input": { "entryId": entry, "reason": "Ikke relevant" } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    let r = app
        .gql(
            t,
            r"query($id: ID!) { case(id: $id) { accessLog(first: 100) { nodes { what professional { name } } } } }",
            json!({ "id": case }),
        )
        .await;
    assert!(
        r.data()["case"]["accessLog"]["nodes"]
            .items()
            .iter()
            .any(|n| n["professional"]["name"] == "ppr a"
                && n["what"].items().iter().any(|w| w == "EARLY_INTERVENTIONS")),
        "{:?}",
        r.data()
    );
}

#[tokio::test]
async fn an_unanswered_seat_offer_lapses_and_the_seat_goes_to_the_next_in_line() {
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.deadline_sweep_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let offer = create_offer(&app, &w, "Cool Kids", (7, 13), 1).await;
    let january = add_cohort(&app, &w.ppr_a.token, &offer, "2027-01-11", None).await;
    let mut entries = Vec::new();
    for name in ["Ada Først", "Bo Anden"] {
        let case = app.active_case(t, &w.municipality_a, name).await;
        entries.push(place(&app, t, &case, &offer).await);
    }
    // Ada is offered the one seat, to answer within three days.
    let r = app
        .gql(
            t,
            OFFER_SEAT,
            json!({ "input": { "cohortId": january, "answerBy": "2026-11-26" } }),
        )
        .await;
    assert_eq!(r.data()["offerSeat"]["entry"]["id"], json!(entries[0]));
    // Her answer-by day ends unanswered: the worker lapses the offer and offers Bo the seat,
    // with as many days to answer and a deadline of his own.
    app.clock.set(at("2026-11-27T09:00:00+01:00"));
    let entry = r"query($id: ID!) { node(id: $id) { ... on WaitingListEntry {
        status answerBy withdrawReason answerDeadline { status } } } }";
    let ada = kit_tests::harness::eventually(
        "the lapsed offer",
        kit_tests::harness::PATIENCE,
        || async {
            let r = app.gql(t, entry, json!({ "id": entries[0] })).await;
            let n = r.data()["node"].clone();
            (n["status"] == "LAPSED").then_some(n)
        },
    )
    .await;
    assert!(ada["withdrawReason"].str().contains("svarfristen"), "{ada}");
    assert_eq!(ada["answerDeadline"]["status"], "MISSED");
    let r = app.gql(t, entry, json!({ "id": entries[1] })).await;
    let bo = &r.data()["node"];
    assert_eq!(bo["status"], "OFFERED");
    assert_eq!(bo["answerBy"], "2026-11-30");
    assert_eq!(bo["answerDeadline"]["status"], "PENDING");
    // The seat is held once: by Bo.
    let r = app
        .gql(
            t,
            "query($id: ID!) { node(id: $id) { ... on EarlyInterventionCohort { enrolled offered free } } }",
            json!({ "id": january }),
        )
        .await;
    assert_eq!(
        r.data()["node"],
        json!({ "enrolled": 0, "offered": 1, "free": 0 })
    );
}
