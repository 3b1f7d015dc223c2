//! Consents: who may give them (the young person from 15, a guardian with custody before),
//! what they cover, withdrawal effective at once, and who may record them.

use kit_tests::harness::TestApp;
use kit_tests::world::{World, referral};
use serde_json::{Value, json};

const CASE: &str = r"query($id: ID!) { case(id: $id) {
    child { familyMembers { id name hasCustody } }
    consents { id purpose givenByYoungPerson givenBy { name } organizations { name }
               basis active validUntil withdrawnAt withdrawalReason recordedBy { name }
               withdrawnBy { name } } } }";

const RECORD: &str = r"mutation($input: RecordConsentInput!) { recordConsent(input: $input) {
    consent { id purpose givenByYoungPerson givenBy { name } organizations { name } active } } }";

const WITHDRAW: &str = r"mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) {
    consent { id active withdrawnAt withdrawalReason withdrawnBy { name } } } }";

/// A case of a child born on `born`, with a mother with custody and a father without.
async fn case_of(app: &TestApp, w: &World, born: &str) -> (String, String, String) {
    let mut input = referral(&w.municipality_a, "Freja Holm");
    input["child"]["dateOfBirth"] = json!(born);
    input["familyMembers"] = json!([
        { "name": "Lone Holm", "relation": "MOTHER", "hasCustody": true },
        { "name": "Per Holm", "relation": "FATHER", "hasCustody": false },
    ]);
    let id = app.active_case_of(&w.intake_a.token, input).await;
    let r = app.gql(&w.intake_a.token, CASE, json!({ "id": id })).await;
    let family = r.data()["case"]["child"]["familyMembers"].clone();
    let member = |name: &str| -> String {
        family
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["name"] == name)
            .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|| panic!("{name} in {family}"))
    };
    (id, member("Lone Holm"), member("Per Holm"))
}

fn input(case: &str, w: &World, giver: Value) -> Value {
    let mut input = json!({
        "caseId": case,
        "organizationIds": [w.municipality_a, w.region],
        "purpose": "COORDINATION",
        "basis": "Underskrevet samtykkeerklæring, scannet til sagen 2026-11-20",
    });
    if let (Some(target), Some(giver)) = (input.as_object_mut(), giver.as_object()) {
        target.extend(giver.clone());
    }
    input
}

#[tokio::test]
async fn a_guardian_with_custody_consents_for_a_child_under_15_and_the_young_person_from_15() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    // 10 years old: the mother with custody consents; the father without, and the child, may not.
    let (young, mother, father) = case_of(&app, &w, "2016-03-01").await;
    let r = app
        .gql(
            t,
            RECORD,
            json!({ "input": input(&young, &w, json!({ "givenByFamilyMemberId": mother })) }),
        )
        .await;
    let consent = &r.data()["recordConsent"]["consent"];
    assert_eq!(consent["givenBy"]["name"], "Lone Holm");
    assert_eq!(consent["givenByYoungPerson"], false);
    assert_eq!(consent["active"], true);
    let names: Vec<&str> = consent["organizations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{consent}");
    app.gql(
        t,
        RECORD,
        json!({ "input": input(&young, &w, json!({ "givenByFamilyMemberId": father })) }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.givenByFamilyMemberId"));
    let r = app
        .gql(
            t,
            RECORD,
            json!({ "input": input(&young, &w, json!({ "givenByYoungPerson": true })) }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.givenByYoungPerson"));
    assert!(r.message().contains("under 15"), "{}", r.message());

    // 15 today (the test clock's date): the young person consents; the mother no longer can.
    let today = kit_entity::domain::calendar::local_date(app.clock_now());
    let born = today
        .checked_sub_months(chrono::Months::new(15 * 12))
        .unwrap_or(today)
        .format("%Y-%m-%d")
        .to_string();
    let (teen, teen_mother, _) = case_of(&app, &w, &born).await;
    let r = app
        .gql(
            t,
            RECORD,
            json!({ "input": input(&teen, &w, json!({ "givenByYoungPerson": true })) }),
        )
        .await;
    assert_eq!(
        r.data()["recordConsent"]["consent"]["givenByYoungPerson"],
        true
    );
    let r = app
        .gql(
            t,
            RECORD,
            json!({ "input": input(&teen, &w, json!({ "givenByFamilyMemberId": teen_mother })) }),
        )
        .await;
    r.assert_error("BAD_USER_INPUT", Some("input.givenByFamilyMemberId"));
    assert!(r.message().contains("§ 17"), "{}", r.message());

    // A family member of another child is refused, like one without custody.
    app.gql(
        t,
        RECORD,
        json!({ "input": input(&teen, &w, json!({ "givenByFamilyMemberId": mother })) }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.givenByFamilyMemberId"));
}

#[tokio::test]
async fn a_consent_names_two_organizations_a_basis_and_a_future_end() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let (case, mother, _) = case_of(&app, &w, "2016-03-01").await;
    let giver = json!({ "givenByFamilyMemberId": mother });
    let mut one = input(&case, &w, giver.clone());
    one["organizationIds"] = json!([w.municipality_a, w.municipality_a]);
    app.gql(t, RECORD, json!({ "input": one }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.organizationIds"));
    let mut blank = input(&case, &w, giver.clone());
    blank["basis"] = json!("  ");
    app.gql(t, RECORD, json!({ "input": blank }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.basis"));
    let mut past = input(&case, &w, giver.clone());
    past["validUntil"] = json!((app.clock_now() - chrono::TimeDelta::days(1)).to_rfc3339());
    app.gql(t, RECORD, json!({ "input": past }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.validUntil"));
    let mut both = input(&case, &w, giver);
    both["givenByYoungPerson"] = json!(true);
    app.gql(t, RECORD, json!({ "input": both }))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.givenByFamilyMemberId"));
    // Nothing was half-written.
    let r = app.gql(t, CASE, json!({ "id": case })).await;
    assert_eq!(r.data()["case"]["consents"], json!([]));
}

#[tokio::test]
async fn a_withdrawn_or_expired_consent_stops_holding_and_stays_on_the_record() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let (case, mother, _) = case_of(&app, &w, "2016-03-01").await;
    let giver = json!({ "givenByFamilyMemberId": mother });
    let mut expiring = input(&case, &w, giver.clone());
    expiring["validUntil"] = json!((app.clock_now() + chrono::TimeDelta::days(30)).to_rfc3339());
    expiring["purpose"] = json!("INFORMATION_EXCHANGE");
    let _ = app
        .gql(t, RECORD, json!({ "input": expiring }))
        .await
        .data();
    let r = app
        .gql(t, RECORD, json!({ "input": input(&case, &w, giver) }))
        .await;
    let id = r.data()["recordConsent"]["consent"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let r = app
        .gql(t, WITHDRAW, json!({ "input": { "consentId": id, "reason": "Moren ringede og trak samtykket tilbage" } }))
        .await;
    let withdrawn = &r.data()["withdrawConsent"]["consent"];
    assert_eq!(withdrawn["active"], false);
    assert!(withdrawn["withdrawnBy"]["name"].is_string(), "{withdrawn}");
    app.gql(
        t,
        WITHDRAW,
        json!({ "input": { "consentId": id, "reason": "igen" } }),
    )
    .await
    .assert_error("CONFLICT", None);

    app.clock.set(app.clock_now() + chrono::TimeDelta::days(31));
    let r = app.gql(t, CASE, json!({ "id": case })).await;
    let consents = r.data()["case"]["consents"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(consents.len(), 2, "both stay on the record");
    assert!(
        consents.iter().all(|c| c["active"] == false),
        "{consents:?}"
    );
    assert_eq!(
        consents[0]["withdrawalReason"],
        "Moren ringede og trak samtykket tilbage"
    );
    assert_eq!(consents[1]["purpose"], "INFORMATION_EXCHANGE");
}

#[tokio::test]
async fn only_those_who_manage_the_case_record_or_withdraw_consents_and_reading_them_is_logged() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let (case, mother, _) = case_of(&app, &w, "2016-03-01").await;
    let giver = json!({ "givenByFamilyMemberId": mother });
    // Another municipality's intake unit cannot see the case at all.
    app.gql(
        &w.intake_b.token,
        RECORD,
        json!({ "input": input(&case, &w, giver.clone()) }),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.caseId"));
    let r = app
        .gql(
            &w.intake_a.token,
            RECORD,
            json!({ "input": input(&case, &w, giver) }),
        )
        .await;
    let id = r.data()["recordConsent"]["consent"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.gql(
        &w.caseworker_b.token,
        WITHDRAW,
        json!({ "input": { "consentId": id, "reason": "x" } }),
    )
    .await
    .assert_error("NOT_FOUND", Some("input.consentId"));
    let log = r#"query($id: ID!) { case(id: $id) { accessLog(first: 5) { nodes { what } } } }"#;
    let _ = app
        .gql(&w.intake_a.token, CASE, json!({ "id": case }))
        .await
        .data();
    let r = app.gql(&w.intake_a.token, log, json!({ "id": case })).await;
    let logged = r.data()["case"]["accessLog"]["nodes"].to_string();
    assert!(logged.contains("CONSENTS"), "{logged}");
}

#[tokio::test]
async fn a_consent_with_an_end_owes_its_renewal_to_the_municipal_contact() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let (case, mother, _) = case_of(&app, &w, "2016-03-01").await;
    let _ = app
        .gql(
            t,
            kit_tests::world::ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let giver = json!({ "givenByFamilyMemberId": mother });
    let record = |extra: Value| {
        let mut input = input(&case, &w, giver.clone());
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        let app = &app;
        async move {
            let r = app.gql(t, RECORD, json!({ "input": input })).await;
            r.data()["recordConsent"]["consent"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let deadlines = || async {
        let r = app
            .gql(
                t,
                r"query($id: ID!) { case(id: $id) { deadlines { ruleCode status dueAt responsible { id } } } }",
                json!({ "id": case }),
            )
            .await;
        r.data()["case"]["deadlines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["ruleCode"] == "consent-expiry")
            .cloned()
            .collect::<Vec<Value>>()
    };

    // Until 15 January: due then, the municipal responsible contact alerted.
    record(json!({ "validUntil": "2027-01-15T00:00:00+01:00" })).await;
    let owed = deadlines().await;
    assert_eq!(owed.len(), 1, "{owed:?}");
    assert_eq!(owed[0]["status"], "PENDING");
    assert_eq!(owed[0]["dueAt"], "2027-01-15T00:00:00+01:00");
    assert_eq!(owed[0]["responsible"]["id"], w.caseworker_a.gid.as_str());

    // A consent for information exchange does not renew one for coordination…
    record(json!({ "purpose": "INFORMATION_EXCHANGE" })).await;
    assert_eq!(deadlines().await[0]["status"], "PENDING");
    // …a new one for coordination does; without an end it owes nothing itself.
    record(json!({})).await;
    let owed = deadlines().await;
    assert_eq!(owed.len(), 1, "{owed:?}");
    assert_eq!(owed[0]["status"], "MET");

    // A withdrawn consent's expiry is owed no more.
    let id = record(json!({ "validUntil": "2027-06-01T00:00:00+02:00" })).await;
    let _ = app
        .gql(
            t,
            WITHDRAW,
            json!({ "input": { "consentId": id, "reason": "Trukket tilbage" } }),
        )
        .await
        .data();
    let mut statuses: Vec<String> = deadlines()
        .await
        .iter()
        .map(|d| d["status"].as_str().unwrap_or_default().to_owned())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["MET", "WITHDRAWN"]);
}
