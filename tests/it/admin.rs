//! Organization administrators manage organizations, units and professionals — their own
//! organization's only.

use kit_tests::harness::{Field, TestApp};
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
    // The same subject twice is a conflict — in any case.
    app.gql(
        admin,
        CREATE_PROFESSIONAL,
        json!({ "input": input.clone() }),
    )
    .await
    .assert_error("CONFLICT", None);
    let mut shouting = input.clone();
    shouting["subject"] = json!("ANNE.THOMSEN@KOMMUNE-A.DK");
    shouting["email"] = json!("anne2@kommune-a.dk");
    app.gql(admin, CREATE_PROFESSIONAL, json!({ "input": shouting }))
        .await
        .assert_error("CONFLICT", None);
    let mut spaced = input.clone();
    spaced["subject"] = json!("  Anne.Thomsen@Kommune-A.dk ");
    app.gql(admin, CREATE_PROFESSIONAL, json!({ "input": spaced }))
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

#[tokio::test]
async fn nobody_grants_need_to_know_to_themself_and_every_change_is_recorded() {
    use kit_entity::entities::unit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let _ = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Dagny")
        .await;
    let unit_gid = |name: &'static str| {
        let app = &app;
        async move {
            use kit_api::graphql::ids::NodeId;
            unit::Entity::find()
                .filter(unit::Column::Name.eq(name))
                .one(app.db())
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .map(|u| u.id.to_global().0)
                .unwrap_or_else(|| panic!("no unit named {name}"))
        }
    };
    let intake = unit_gid("Indgangen A").await;
    let family = unit_gid("Familieafdelingen A").await;
    let visible = |token: String| {
        let app = &app;
        async move {
            app.gql(&token, "{ cases { totalCount } }", json!({}))
                .await
                .data()["cases"]["totalCount"]
                .as_i64()
                .unwrap_or(-1)
        }
    };
    assert_eq!(visible(w.admin_a.token.clone()).await, 0);

    // She cannot move herself into the intake unit, lead it, or make her unit the intake unit.
    let update = "mutation($input: UpdateProfessionalInput!) { updateProfessional(input: $input) { professional { id unit { name } } } }";
    for input in [
        json!({ "professionalId": w.admin_a.gid, "unitId": intake }),
        json!({ "professionalId": w.admin_a.gid, "leadsUnitId": intake }),
    ] {
        app.gql(&w.admin_a.token, update, json!({ "input": input }))
            .await
            .assert_error("FORBIDDEN", None);
    }
    let unit_update =
        "mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { unit { isIntake } } }";
    app.gql(
        &w.admin_a.token,
        unit_update,
        json!({ "input": { "unitId": family, "isIntake": true } }),
    )
    .await
    .assert_error("FORBIDDEN", None);
    assert_eq!(visible(w.admin_a.token.clone()).await, 0);

    // Another administrator may, and it is recorded: who, when, before and after.
    let create = "mutation($input: CreateProfessionalInput!) { createProfessional(input: $input) { professional { id } } }";
    let r = app
        .gql(
            &w.admin_a.token,
            create,
            json!({ "input": { "unitId": family, "name": "Bo Admin", "title": "IT", "email": "bo.admin@kit.test", "isAdmin": true } }),
        )
        .await;
    let second = r.data()["createProfessional"]["professional"]["id"].clone();
    let second_token = app.token("bo.admin@kit.test");
    let r = app
        .gql(
            &second_token,
            update,
            json!({ "input": { "professionalId": w.admin_a.gid, "unitId": intake } }),
        )
        .await;
    assert_eq!(
        r.data()["updateProfessional"]["professional"]["unit"]["name"],
        "Indgangen A"
    );
    assert_eq!(visible(w.admin_a.token.clone()).await, 1);

    let changes = "query($id: ID!) { node(id: $id) { ... on Organization { accessChanges { totalCount nodes { kind changedAt changedBy { id } professional { id } unitBefore { name } unitAfter { name } } } } } }";
    let r = app
        .gql(&w.admin_a.token, changes, json!({ "id": w.municipality_a }))
        .await;
    let newest = r.data()["node"]["accessChanges"]["nodes"][0].clone();
    assert_eq!(newest["kind"], "MEMBER_OF_UNIT");
    assert_eq!(newest["changedBy"]["id"], second);
    assert_eq!(newest["professional"]["id"], w.admin_a.gid.as_str());
    assert_eq!(newest["unitBefore"]["name"], "Familieafdelingen A");
    assert_eq!(newest["unitAfter"]["name"], "Indgangen A");
    assert!(newest["changedAt"].is_string());
    // The new administrator's own arrival is there too.
    let nodes = r.data()["node"]["accessChanges"]["nodes"].items().to_vec();
    assert!(nodes.iter().any(|n| n["professional"]["id"] == second
        && n["kind"] == "MEMBER_OF_UNIT"
        && n["unitBefore"].is_null()));

    // Only the organization's administrators read it.
    for token in [&w.caseworker_a.token, &w.intake_a.token] {
        let r = app
            .gql(token, changes, json!({ "id": w.municipality_a }))
            .await;
        r.assert_withheld("/data/node/accessChanges");
    }
    let r = app
        .gql(&w.admin_a.token, changes, json!({ "id": w.municipality_b }))
        .await;
    r.assert_withheld("/data/node/accessChanges");
}
