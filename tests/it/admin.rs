//! Organization administrators manage organizations, units and professionals — their own
//! organization's only.

use kit_tests::harness::TestApp;
use kit_tests::world::World;
use serde_json::json;

const CREATE_UNIT: &str = r"
    mutation($input: CreateUnitInput!) { createUnit(input: $input) { unit { id name isIntake organization { name } } } }";
const CREATE_PROFESSIONAL: &str = r"
    mutation($input: CreateProfessionalInput!) {
      createProfessional(input: $input) { professional { id name email subject isAdmin leadsUnit { name } unit { name } } }
    }";

#[tokio::test]
async fn administrators_manage_their_own_organization_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let admin = &w.admin_a.token;

    let r = app
        .gql(
            admin,
            CREATE_UNIT,
            json!({ "input": { "organizationId": w.municipality_a, "name": "Sundhedsplejen" } }),
        )
        .await;
    let unit = r.data()["createUnit"]["unit"].clone();
    assert_eq!(unit["organization"]["name"], "Kommune A");

    // A second intake unit is a conflict.
    app.gql(admin, CREATE_UNIT, json!({ "input": { "organizationId": w.municipality_a, "name": "Indgang 2", "isIntake": true } }))
        .await
        .assert_error("CONFLICT", None);
    // Another organization's units are not theirs.
    app.gql(
        admin,
        CREATE_UNIT,
        json!({ "input": { "organizationId": w.municipality_b, "name": "X" } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    // Non-administrators manage nothing.
    app.gql(
        &w.caseworker_a.token,
        CREATE_UNIT,
        json!({ "input": { "organizationId": w.municipality_a, "name": "X" } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    app.gql(&w.caseworker_a.token, r#"mutation { createOrganization(input: { name: "X", kind: OTHER }) { organization { id } } }"#, json!({}))
        .await
        .assert_error("FORBIDDEN", None);

    let input = json!({
        "unitId": unit["id"], "name": "Anne Thomsen", "title": "Sundhedsplejerske",
        "email": "Anne.Thomsen@kommune-a.dk", "leadsUnitId": unit["id"],
    });
    let r = app
        .gql(
            admin,
            CREATE_PROFESSIONAL,
            json!({ "input": input.clone() }),
        )
        .await;
    let created = r.data()["createProfessional"]["professional"].clone();
    assert_eq!(created["subject"], "anne.thomsen@kommune-a.dk");
    assert_eq!(created["leadsUnit"]["name"], "Sundhedsplejen");
    // The same subject twice is a conflict.
    app.gql(admin, CREATE_PROFESSIONAL, json!({ "input": input }))
        .await
        .assert_error("CONFLICT", None);
    // Subjects are for administrators' eyes.
    let seen = app
        .gql(
            &w.caseworker_a.token,
            "query($id: ID!) { node(id: $id) { ... on Professional { name subject } } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(seen.data()["node"]["name"], "Anne Thomsen");
    assert!(seen.data()["node"]["subject"].is_null());

    // The directory lists and searches them.
    let r = app
        .gql(&w.caseworker_a.token, r#"query($org: ID) { professionals(filter: { organizationId: $org, text: "SUNDHED" }) { totalCount edges { node { name } } } }"#, json!({ "org": w.municipality_a }))
        .await;
    assert_eq!(r.data()["professionals"]["totalCount"], 1);
    let r = app
        .gql(
            &w.caseworker_a.token,
            "{ organizations { totalCount edges { node { name intakeUnit { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["organizations"]["totalCount"], 3);
    assert_eq!(
        r.data()["organizations"]["edges"][0]["node"]["intakeUnit"]["name"],
        "Indgangen A"
    );

    // An administrator cannot lock themselves out.
    app.gql(admin, "mutation($id: ID!) { updateProfessional(input: { professionalId: $id, isAdmin: false }) { professional { id } } }", json!({ "id": w.admin_a.gid }))
        .await
        .assert_error("CONFLICT", None);
}
