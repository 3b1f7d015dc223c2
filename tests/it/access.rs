//! Need-to-know: a case is visible to its participants, its municipality's intake unit and
//! the leaders of participating units, and to nobody else — who cannot even tell it exists.

use kit_entity::access::{self, Actor};
use kit_entity::entities::case;
use kit_entity::ids::CaseId;
use kit_tests::harness::{Field, TestApp, key_of};
use kit_tests::world::{World, ops, referral};
use sea_orm::{EntityTrait, QueryFilter};
use serde_json::json;

const CASE: &str = "query($id: ID!) { case(id: $id) { id reference child { name } } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on Case { reference } } }";
const COUNT: &str = "{ cases { totalCount edges { node { id } } } }";

fn ids(r: &kit_tests::harness::Gql) -> Vec<String> {
    r.data()["cases"]["edges"]
        .items()
        .iter()
        .map(|e| e["node"]["id"].str().to_owned())
        .collect()
}

#[tokio::test]
async fn another_municipality_guessing_a_case_id_learns_nothing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Alma")
        .await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker_a.gid }),
        )
        .await
        .data();

    for outsider in [
        &w.caseworker_b,
        &w.intake_b,
        &w.admin_a,
        &w.caseworker2_a,
        &w.psychologist,
    ] {
        // A deep link to a case she may not see: the nullable field is null beside the error,
        // and `data` holds its key (a client reads `data.case`, not a missing `data`).
        let r = app.gql(&outsider.token, CASE, json!({ "id": id })).await;
        r.assert_error("NOT_FOUND", None);
        assert_eq!(r.body["data"], json!({ "case": null }), "{}", r.body);
        assert!(!r.body.to_string().contains("Alma"));
        let r = app.gql(&outsider.token, NODE, json!({ "id": id })).await;
        r.assert_error("NOT_FOUND", None);
        assert_eq!(r.body["data"], json!({ "node": null }), "{}", r.body);
        let list = app.gql(&outsider.token, COUNT, json!({})).await;
        assert_eq!(list.data()["cases"]["totalCount"], 0);
        // Mutations on it say the same as for a case that does not exist.
        let r = app
            .gql(&outsider.token, ops::CLOSE, json!({ "id": id }))
            .await;
        r.assert_error("NOT_FOUND", Some("input.caseId"));
        let missing = app
            .gql(
                &outsider.token,
                ops::CLOSE,
                json!({ "id": "Q2FzZTo5OTk5OTk" }),
            )
            .await;
        assert_eq!(
            missing.body["errors"][0]["message"],
            r.body["errors"][0]["message"]
        );
        // Nothing about the child either.
        let child = app
            .gql(
                &w.intake_a.token,
                "query($id: ID!) { case(id: $id) { child { id } } }",
                json!({ "id": id }),
            )
            .await
            .data()["case"]["child"]["id"]
            .clone();
        app.gql(
            &outsider.token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": child }),
        )
        .await
        .assert_error("NOT_FOUND", None);
    }
}

#[tokio::test]
async fn each_basis_opens_exactly_its_cases() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let with_ppr = app
        .active_case(&w.intake_a.token, &w.municipality_a, "With PPR")
        .await;
    let without = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Without PPR")
        .await;
    let in_b = app
        .active_case(&w.intake_b.token, &w.municipality_b, "In B")
        .await;
    let _ = app
        .gql(&w.intake_a.token, ops::ADD, json!({ "input": { "caseId": with_ppr, "role": "PROFESSIONAL", "professionalId": w.ppr_a.gid } }))
        .await
        .data();

    // The intake unit sees all of its municipality's cases, and only those.
    let mut seen = ids(&app.gql(&w.intake_a.token, COUNT, json!({})).await);
    seen.sort();
    let mut expected = vec![with_ppr.clone(), without.clone()];
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(
        ids(&app.gql(&w.intake_b.token, COUNT, json!({})).await),
        vec![in_b.clone()]
    );

    // A participant sees the case they take part in.
    assert_eq!(
        ids(&app.gql(&w.ppr_a.token, COUNT, json!({})).await),
        vec![with_ppr.clone()]
    );
    // Their leader sees it too, as leader.
    let r = app
        .gql(
            &w.ppr_leader_a.token,
            "query($id: ID!) { case(id: $id) { viewerAccess { basis canManage } } }",
            json!({ "id": with_ppr }),
        )
        .await;
    assert_eq!(r.data()["case"]["viewerAccess"]["basis"], "UNIT_LEADER");
    assert_eq!(r.data()["case"]["viewerAccess"]["canManage"], false);
    assert_eq!(
        ids(&app.gql(&w.ppr_leader_a.token, COUNT, json!({})).await),
        vec![with_ppr.clone()]
    );
    app.gql(&w.ppr_leader_a.token, CASE, json!({ "id": without }))
        .await
        .assert_error("NOT_FOUND", None);
}

#[tokio::test]
async fn the_list_condition_and_the_single_decision_agree_on_the_case_and_on_the_child() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut cases = Vec::new();
    for (i, name) in ["A1", "A2", "A3", "A4"].iter().enumerate() {
        let id = app
            .active_case(&w.intake_a.token, &w.municipality_a, name)
            .await;
        let people = [&w.caseworker_a, &w.ppr_a, &w.psychiatrist, &w.caseworker2_a];
        let _ = app
            .gql(&w.intake_a.token, ops::ADD, json!({ "input": { "caseId": id, "role": "PROFESSIONAL", "professionalId": people[i].gid } }))
            .await
            .data();
        cases.push(id);
    }
    cases.push(
        app.active_case(&w.intake_b.token, &w.municipality_b, "B1")
            .await,
    );
    // Cases the region's psychiatrist takes part in under every kind of consent: active,
    // withdrawn, not yet begun, for information exchange only, without the municipality, and
    // one for another municipality's case.
    let consent = r"mutation($input: RecordConsentInput!) { recordConsent(input: $input) { consent { id } } }";
    let withdraw = r#"mutation($id: ID!) { withdrawConsent(input: { consentId: $id, reason: "Trukket tilbage" }) { consent { id } } }"#;
    let later = (app.clock_now() + chrono::TimeDelta::days(3)).to_rfc3339();
    for (name, municipality, intake, orgs, extra, withdrawn) in [
        (
            "C1",
            &w.municipality_a,
            &w.intake_a,
            json!([w.municipality_a, w.region]),
            json!({}),
            false,
        ),
        (
            "C2",
            &w.municipality_a,
            &w.intake_a,
            json!([w.municipality_a, w.region]),
            json!({}),
            true,
        ),
        (
            "C3",
            &w.municipality_a,
            &w.intake_a,
            json!([w.municipality_a, w.region]),
            json!({ "validFrom": later }),
            false,
        ),
        (
            "C4",
            &w.municipality_a,
            &w.intake_a,
            json!([w.municipality_a, w.region]),
            json!({ "purpose": "INFORMATION_EXCHANGE" }),
            false,
        ),
        (
            "C5",
            &w.municipality_a,
            &w.intake_a,
            json!([w.municipality_b, w.region]),
            json!({}),
            false,
        ),
        (
            "C6",
            &w.municipality_b,
            &w.intake_b,
            json!([w.municipality_b, w.region]),
            json!({}),
            false,
        ),
    ] {
        let mut input = referral(municipality, name);
        input["child"]["dateOfBirth"] = json!("2008-01-01");
        let id = app.active_case_of(&intake.token, input).await;
        let _ = app
            .gql(&intake.token, ops::ADD, json!({ "input": { "caseId": id, "role": "PROFESSIONAL", "professionalId": w.psychiatrist.gid } }))
            .await
            .data();
        let mut input = json!({ "caseId": id, "givenByYoungPerson": true, "organizationIds": orgs,
            "purpose": "COORDINATION", "basis": "Samtykke givet på mødet" });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        let r = app
            .gql(&intake.token, consent, json!({ "input": input }))
            .await;
        let given = r.data()["recordConsent"]["consent"]["id"].clone();
        if withdrawn {
            let _ = app
                .gql(&intake.token, withdraw, json!({ "id": given }))
                .await
                .data();
        }
        cases.push(id);
    }

    let everyone = [
        &w.intake_a,
        &w.caseworker_a,
        &w.caseworker2_a,
        &w.ppr_a,
        &w.ppr_leader_a,
        &w.admin_a,
        &w.psychiatrist,
        &w.psychologist,
        &w.intake_b,
        &w.caseworker_b,
    ];
    for person in everyone {
        let subject = kit_entity::entities::professional::Entity::find_by_id(person.id)
            .one(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|p| p.subject)
            .unwrap_or_else(|| panic!("no professional {:?}", person.id));
        let actor = Actor::load(app.db(), &subject)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let listed: Vec<CaseId> = case::Entity::find()
            .filter(access::visible_cases(&actor))
            .all(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|c| c.id)
            .collect();
        let shared: Vec<CaseId> = case::Entity::find()
            .filter(access::visible_cases(&actor))
            .filter(access::shared_cases(&actor, app.clock_now()))
            .all(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|c| c.id)
            .collect();
        for id in &cases {
            let id = CaseId(key_of(id));
            let decided = access::case_access(app.db(), &actor, id, app.clock_now()).await;
            assert_eq!(
                listed.contains(&id),
                decided.is_ok(),
                "{subject} and case {id}"
            );
            assert_eq!(
                shared.contains(&id),
                decided.is_ok_and(|(_, a)| a.shares_child_data()),
                "{subject} and the child of case {id}"
            );
        }
    }
}

#[tokio::test]
async fn access_ended_by_one_mutation_holds_for_the_next_in_the_same_request() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let case = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Gry")
        .await;
    let r = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await;
    let mine = r.data()["assignResponsibleContact"]["responsibleContact"]["id"].clone();
    // The responsible contact reads the child, then ends their own participation, in one
    // request: what they read before, they no longer see after.
    let both = r#"mutation($case: ID!, $mine: ID!) {
        before: addAgreement(input: { caseId: $case, description: "Skolen tilpasser skemaet",
                                      ownerId: $mine, dueOn: "2026-12-15" }) {
          agreement { case { child { name } } }
        }
        after: endParticipation(input: { participantId: $mine, reason: "Skifter job" }) {
          case { child { name } }
        }
      }"#;
    let r = app
        .gql(
            &w.caseworker_a.token,
            both,
            json!({ "case": case, "mine": mine }),
        )
        .await;
    assert_eq!(
        r.body["data"]["before"]["agreement"]["case"]["child"]["name"], "Gry",
        "{}",
        r.body
    );
    assert!(
        r.body["data"]["after"]["case"]["child"]["name"].is_null(),
        "{}",
        r.body
    );
    assert_eq!(r.code(), Some("NOT_FOUND"), "{}", r.body);
    assert_eq!(r.body["errors"][0]["path"][0], "after", "{}", r.body);
}
