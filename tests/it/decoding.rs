//! Rows the hot paths decode by position read exactly what sea-orm's own decoding reads, on
//! both databases, NULLs and every enum included.

use kit_entity::entities::columns::Columns;
use kit_entity::entities::{participant, professional};
use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops, referral};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QueryTrait};
use serde_json::json;

#[tokio::test]
async fn participations_decoded_by_position_equal_sea_orms_own() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut input = referral(&w.municipality_a, "Ida Krog");
    input["familyMembers"] =
        json!([{ "name": "Mona Krog", "relation": "MOTHER", "hasCustody": true }]);
    let case = app.active_case_of(&w.intake_a.token, input).await;
    let t = &w.intake_a.token;
    let _ = app
        .gql(
            t,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let r = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
            json!({ "id": case }),
        )
        .await;
    let mother = r.data()["case"]["child"]["familyMembers"][0]["id"].clone();
    let add = r"mutation($input: AddParticipantInput!) { addParticipant(input: $input) { participant { id } } }";
    for input in [
        json!({ "caseId": case, "role": "GUARDIAN", "familyMemberId": mother }),
        json!({ "caseId": case, "role": "EXTERNAL", "external": { "name": "Ole Sand",
            "email": "ole@klub.test", "phone": "+45 12 34 56 78", "organization": "Håndboldklubben" } }),
        json!({ "caseId": case, "role": "EXTERNAL", "external": { "name": "Kun et navn" } }),
        json!({ "caseId": case, "role": "PROFESSIONAL", "professionalId": w.ppr_a.gid }),
    ] {
        let _ = app.gql(t, add, json!({ "input": input })).await.data();
    }
    let r = app
        .gql(
            t,
            "query($id: ID!) { case(id: $id) { participants { id role } } }",
            json!({ "id": case }),
        )
        .await;
    let ppr = r.data()["case"]["participants"]
        .items()
        .iter()
        .find(|p| p["role"] == "PROFESSIONAL")
        .map(|p| p["id"].clone())
        .unwrap_or_default();
    let _ = app
        .gql(
            t,
            r#"mutation($id: ID!) { endParticipation(input: { participantId: $id, reason: "Forløbet i PPR er slut" }) { participant { id } } }"#,
            json!({ "id": ppr }),
        )
        .await
        .data();

    let own = participant::Entity::find()
        .order_by_asc(participant::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let by_position: Vec<participant::Model> = participant::Entity::find()
        .order_by_asc(participant::Column::Id)
        .into_model::<participant::ByPosition>()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert!(own.len() >= 5, "every kind of participation: {own:?}");
    assert!(
        own.iter()
            .any(|p| p.active_until.is_some() && p.ended_by_id.is_some())
    );
    assert!(own.iter().any(|p| p.external_phone.is_some()));
    assert_eq!(by_position, own);
}

#[tokio::test]
async fn professionals_decoded_by_position_equal_sea_orms_own() {
    let app = TestApp::spawn().await;
    let _world = World::build(&app).await;
    let select = professional::Entity::find().order_by_asc(professional::Column::Id);
    let own = select
        .clone()
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = app
        .db()
        .query_all_raw(select.build(app.db().get_database_backend()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let by_position: Vec<professional::Model> = rows
        .iter()
        .map(|row| professional::decode(&Columns::of(row)))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .flatten()
        .collect();
    assert!(own.iter().any(|p| p.leads_unit_id.is_some()), "a leader");
    assert!(own.iter().any(|p| p.is_admin), "an administrator");
    assert_eq!(by_position, own);
}
