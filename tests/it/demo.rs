//! `kit-api seed --demo`: the fictional set-up a newcomer queries first.

use kit_tests::harness::{Field, TestApp};
use serde_json::json;

const CASES: &str = "{ cases(first: 50) { totalCount nodes { status referral { source } } } }";

#[tokio::test]
async fn the_demo_loads_once_and_each_user_sees_what_their_role_allows() {
    let app = TestApp::spawn().await;
    let (users, loaded) = kit_api::demo::seed(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded);
    let (again, loaded) = kit_api::demo::seed(&app.state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!loaded, "a second seed leaves the demo as it is");
    assert_eq!(users.len(), again.len());

    let cases_of = |subject: &str| {
        let token = app.token(subject);
        let app = &app;
        async move { app.gql(&token, CASES, json!({})).await.data()["cases"].clone() }
    };
    // The intake unit sees every case, across every status.
    let intake = cases_of("mette.lund@syddjurs.example").await;
    assert_eq!(intake["totalCount"], 20);
    let mut statuses: Vec<&str> = intake["nodes"]
        .items()
        .iter()
        .map(|c| c["status"].str())
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(
        statuses,
        [
            "ACTIVE",
            "CLOSED",
            "IN_INTAKE",
            "REDIRECTED",
            "REFERRED",
            "REJECTED"
        ]
    );
    // The general practitioner sees only what she referred.
    let gp = cases_of("karen.dahl@laegehuset.example").await;
    let referred = intake["nodes"]
        .items()
        .iter()
        .filter(|c| c["referral"]["source"] == "GENERAL_PRACTITIONER")
        .count();
    assert!(referred > 0);
    assert_eq!(gp["totalCount"], referred);
    // Child psychiatry sees the child where a consent covers the region, and only the case
    // elsewhere.
    let token = app.token("eva.winther@rm.example");
    let r = app
        .gql(
            &token,
            "{ cases(first: 50) { nodes { viewerAccess { childData } } } }",
            json!({}),
        )
        .await;
    let mut sharing: Vec<&str> = r.data()["cases"]["nodes"]
        .items()
        .iter()
        .map(|c| c["viewerAccess"]["childData"].str())
        .collect();
    sharing.sort_unstable();
    sharing.dedup();
    assert_eq!(sharing, ["CONSENT", "WITHHELD"]);
    // The administrator manages people and units and sees no case.
    assert_eq!(
        cases_of("henrik.bach@syddjurs.example").await["totalCount"],
        0
    );
    // The catalogue of early interventions, with children waiting and a seat offered.
    let municipality = app
        .gql(
            &app.token("mette.lund@syddjurs.example"),
            "{ viewer { organization { id } } }",
            json!({}),
        )
        .await
        .data()["viewer"]["organization"]["id"]
        .clone();
    let r = app
        .gql(
            &app.token("mette.lund@syddjurs.example"),
            r"query($m: ID!) { earlyInterventionOffers(municipalityId: $m, first: 50) {
                totalCount nodes { name queueLength
                  waitingList { nodes { status position expectedStart answerDeadline { status } } } } } }",
            json!({ "m": municipality }),
        )
        .await;
    let offers = &r.data()["earlyInterventionOffers"];
    assert_eq!(offers["totalCount"], 10);
    let offer = |name: &str| {
        offers["nodes"]
            .items()
            .iter()
            .find(|o| o["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    let cool_kids = offer("Cool Kids");
    assert_eq!(cool_kids["queueLength"], 2);
    let positions: Vec<i64> = cool_kids["waitingList"]["nodes"]
        .items()
        .iter()
        .map(|e| e["position"].i64())
        .collect();
    assert_eq!(positions, [1, 2]);
    let group = offer("Børnegruppe for børn af forældre med psykisk sygdom");
    assert_eq!(group["waitingList"]["nodes"][0]["status"], "OFFERED");
    assert_eq!(
        group["waitingList"]["nodes"][0]["answerDeadline"]["status"],
        "PENDING"
    );

    // Consultation without a case: two offers, and the health visitor's booking.
    let nurse = app.token("anne.thomsen@syddjurs.example");
    let r = app
        .gql(
            &nurse,
            "{ consultationOffers { totalCount nodes { name } } myConsultations { topic status } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["consultationOffers"]["totalCount"], 2);
    assert_eq!(
        r.data()["myConsultations"],
        json!([{ "topic": "ANXIETY", "status": "BOOKED" }])
    );
    // The committee meets next week about every referral still waiting at the entry point.
    let waiting = intake["nodes"]
        .items()
        .iter()
        .filter(|c| c["status"] == "REFERRED" || c["status"] == "IN_INTAKE")
        .count();
    let r = app
        .gql(
            &app.token("mette.lund@syddjurs.example"),
            "query($m: ID!) { committeeMeetings(municipalityId: $m) { nodes { agenda { decision } } } }",
            json!({ "m": municipality }),
        )
        .await;
    let agenda = r.data()["committeeMeetings"]["nodes"][0]["agenda"].items();
    assert_eq!(agenda.len(), waiting);
    assert!(agenda.iter().all(|a| a["decision"].is_null()));

    // Back to the municipality: psychiatry has planned one discharge, with its hand-back
    // meeting requested before the day, its deadline running and the municipality's plan for
    // the weeks after.
    let r = app
        .gql(
            &app.token("eva.winther@rm.example"),
            "{ cases(first: 20) { nodes { discharges { planned handBackMeeting { kind } deadline { ruleCode status } agreementsAfter { owner { role sector } } } } } }",
            json!({}),
        )
        .await;
    let discharges: Vec<_> = r.data()["cases"]["nodes"]
        .items()
        .iter()
        .flat_map(|c| c["discharges"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(
        discharges,
        [
            json!({ "planned": true, "handBackMeeting": { "kind": "HAND_BACK" },
            "deadline": { "ruleCode": "hand-back-meeting", "status": "PENDING" },
            "agreementsAfter": [{ "owner": { "role": "RESPONSIBLE_CONTACT", "sector": "MUNICIPALITY" } }] })
        ]
    );

    // The municipality has its own follow-up agenda; every other template is the default.
    let r = app
        .gql(
            &app.token("mette.lund@syddjurs.example"),
            "query($m: ID!) { node(id: $m) { ... on Organization { templates { meetingKind isDefault items { title } } } } }",
            json!({ "m": municipality }),
        )
        .await;
    let own: Vec<_> = r.data()["node"]["templates"]
        .items()
        .iter()
        .filter(|t| t["isDefault"] == false)
        .map(|t| {
            (
                t["meetingKind"].str().to_owned(),
                t["items"][0]["title"].str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        own,
        [("FOLLOW_UP".to_owned(), "Aftalerne siden sidst".to_owned())]
    );

    // Every printed user can sign in.
    for user in &users {
        let r = app
            .gql(
                &app.token(&user.subject),
                "{ viewer { professional { name } } }",
                json!({}),
            )
            .await;
        assert!(
            !r.data()["viewer"]["professional"]["name"].str().is_empty(),
            "{}",
            user.subject
        );
    }
}
