//! The KIT rule: at most one active responsible contact per sector, in code and in the
//! database, also when two requests race.

use kit_entity::domain::enums::{ParticipantKind, ParticipantRole, Sector};
use kit_entity::entities::participant;
use kit_tests::harness::TestApp;
use kit_tests::world::{World, ops};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

async fn active_contacts(app: &TestApp, sector: Sector) -> u64 {
    participant::Entity::find()
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::Sector.eq(sector))
        .filter(participant::Column::ActiveUntil.is_null())
        .count(app.db())
        .await
        .unwrap_or(u64::MAX)
}

#[tokio::test]
async fn a_second_contact_for_a_sector_conflicts_and_assigning_replaces() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Emma")
        .await;

    let add = |p: &str| json!({ "input": { "caseId": id, "role": "RESPONSIBLE_CONTACT", "professionalId": p } });
    let r = app
        .gql(&w.intake_a.token, ops::ADD, add(&w.caseworker_a.gid))
        .await;
    assert_eq!(
        r.data()["addParticipant"]["participant"]["sector"],
        "MUNICIPALITY"
    );
    app.gql(&w.intake_a.token, ops::ADD, add(&w.caseworker2_a.gid))
        .await
        .assert_error("CONFLICT", None);
    // Another sector is fine.
    let _ = app
        .gql(&w.intake_a.token, ops::ADD, add(&w.psychiatrist.gid))
        .await
        .data();

    // Assigning replaces and ends the old contact's period, in one step.
    let r = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker2_a.gid }),
        )
        .await;
    let d = &r.data()["assignResponsibleContact"];
    assert_eq!(
        d["responsibleContact"]["professional"]["id"],
        w.caseworker2_a.gid.as_str()
    );
    assert_eq!(d["replaced"]["isActive"], false);
    assert!(d["replaced"]["activeUntil"].is_string());
    assert_eq!(
        d["case"]["responsibleContacts"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(active_contacts(&app, Sector::Municipality).await, 1);

    // Assigning the current contact again changes nothing.
    let r = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker2_a.gid }),
        )
        .await;
    assert_eq!(
        r.data()["assignResponsibleContact"]["replaced"],
        serde_json::Value::Null
    );

    // The replaced contact's participation has ended, so the case is gone for them.
    app.gql(
        &w.caseworker_a.token,
        "query($id: ID!) { case(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await
    .assert_error("NOT_FOUND", None);
}

#[tokio::test]
async fn the_database_refuses_a_second_active_contact_even_without_the_code() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Noah")
        .await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let case_id = kit_entity::ids::CaseId(kit_tests::harness::key_of(&id));
    let second = participant::ActiveModel {
        case_id: Set(case_id),
        kind: Set(ParticipantKind::Professional),
        role: Set(ParticipantRole::ResponsibleContact),
        sector: Set(Sector::Municipality),
        professional_id: Set(Some(w.caseworker2_a.id)),
        active_from: Set(app.clock_now()),
        added_by_id: Set(w.intake_a.id),
        ..Default::default()
    }
    .insert(app.db())
    .await;
    let err = second.err().map(kit_entity::Error::from);
    assert!(
        err.is_some_and(|e| e.is_unique_violation()),
        "the unique index must refuse the row"
    );
}

#[tokio::test]
async fn racing_assignments_leave_exactly_one_contact() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let id = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Freja")
        .await;
    let candidates = [&w.caseworker_a, &w.caseworker2_a, &w.ppr_a, &w.ppr_leader_a];
    for round in 0..3 {
        let results = futures_util::future::join_all(candidates.iter().map(|p| {
            app.gql(
                &w.intake_a.token,
                ops::ASSIGN,
                json!({ "case": id, "p": p.gid, "sector": "MUNICIPALITY" }),
            )
        }))
        .await;
        for r in &results {
            assert!(
                r.body.get("errors").is_none() || r.code() == Some("CONFLICT"),
                "round {round}: every racer succeeds or gets CONFLICT: {}",
                r.body
            );
        }
        assert!(
            results.iter().any(|r| r.body.get("errors").is_none()),
            "someone wins"
        );
        assert_eq!(
            active_contacts(&app, Sector::Municipality).await,
            1,
            "round {round}"
        );
    }

    // Racing adds of a responsible contact: at most one wins.
    let id = app
        .active_case(&w.intake_a.token, &w.municipality_a, "Oscar")
        .await;
    let results = futures_util::future::join_all(candidates.iter().map(|p| {
        app.gql(
            &w.intake_a.token,
            ops::ADD,
            json!({ "input": { "caseId": id, "role": "RESPONSIBLE_CONTACT", "professionalId": p.gid } }),
        )
    }))
    .await;
    let wins = results
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|r| r.body.get("errors").is_some())
            .all(|r| r.code() == Some("CONFLICT"))
    );
}
