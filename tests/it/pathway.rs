//! The pathway: referral → intake → decision → contacts → participants → close, and every
//! status rule.

use kit_tests::harness::{Field, TestApp};
use kit_tests::world::{World, ops, referral};
use serde_json::json;

const CASE: &str = r"
    query($id: ID!) {
      case(id: $id) {
        id reference status
        child { name dateOfBirth cpr cprMasked familyMembers { name relation hasCustody email } }
        referral { source reason submittedBy { id } }
        responsibleContacts { sector professional { id } }
        participants(includeEnded: true) { id role sector isActive endReason name }
        statusHistory { fromStatus toStatus reason changedBy { id } }
        viewerAccess { basis roles canManage canDecideIntake seesFullCpr }
      }
    }";

#[tokio::test]
async fn a_case_runs_from_referral_to_closing() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;

    // A GP-like referrer outside the municipality refers a child with CPR and a parent.
    let mut input = referral(&w.municipality_a, "Ida Hansen");
    input["child"] =
        json!({ "name": "Ida Hansen", "dateOfBirth": "2014-05-03", "cpr": "030514-4321" });
    input["familyMembers"] = json!([{ "name": "Lone Hansen", "relation": "MOTHER", "hasCustody": true, "email": "lone@example.dk" }]);
    let r = app
        .gql(
            &w.psychiatrist.token,
            ops::SUBMIT,
            json!({ "input": input }),
        )
        .await;
    let case = r.data()["submitReferral"]["case"].clone();
    let id = case["id"].str().to_owned();
    assert_eq!(case["status"], "REFERRED");
    assert!(case["reference"].str().starts_with("KIT-2026-"));
    // The referrer is not a responsible contact: the CPR number is masked.
    assert_eq!(case["child"]["cpr"], "030514-XXXX");
    // Without a consent, the referrer of another organization sees the child and the referral
    // it sent, and nothing more — `childData` says so, and the rest is null without an error.
    let r = app
        .gql(
            &w.psychiatrist.token,
            "query($id: ID!) { case(id: $id) { viewerAccess { childData }
               child { name familyMembers { name } } referral { reason } statusHistory { reason } } }",
            json!({ "id": id }),
        )
        .await;
    let seen = &r.data()["case"];
    assert_eq!(seen["viewerAccess"]["childData"], "REFERRER");
    assert_eq!(seen["child"]["name"], "Ida Hansen");
    assert_eq!(seen["referral"]["reason"], "Angst og skolefravær");
    r.assert_withheld("/data/case/child/familyMembers");
    r.assert_withheld("/data/case/statusHistory");

    // The intake unit takes it through intake and accepts it.
    let r = app.start_intake(&w.intake_a.token, &id).await;
    assert_eq!(r.data()["startIntake"]["case"]["status"], "IN_INTAKE");
    let r = app.decide_intake(&w.intake_a.token, &id, "ACCEPT").await;
    assert_eq!(r.data()["decideIntake"]["case"]["status"], "ACTIVE");

    // One responsible contact per sector.
    let r = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.caseworker_a.gid }),
        )
        .await;
    assert_eq!(
        r.data()["assignResponsibleContact"]["responsibleContact"]["sector"],
        "MUNICIPALITY"
    );
    let r = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": id, "p": w.psychiatrist.gid }),
        )
        .await;
    assert_eq!(
        r.data()["assignResponsibleContact"]["responsibleContact"]["sector"],
        "CHILD_PSYCHIATRY"
    );
    assert_eq!(
        r.data()["assignResponsibleContact"]["case"]["responsibleContacts"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // Participants: a PPR psychologist, the mother, the child, an external actor.
    let family = app
        .gql(&w.caseworker_a.token, CASE, json!({ "id": id }))
        .await;
    let mother = family.data()["case"]["child"]["familyMembers"][0].clone();
    assert_eq!(mother["name"], "Lone Hansen");
    let mother_id = app
        .gql(
            &w.caseworker_a.token,
            "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
            json!({ "id": id }),
        )
        .await
        .data()["case"]["child"]["familyMembers"][0]["id"]
        .clone();
    for input in [
        json!({ "caseId": id, "role": "PROFESSIONAL", "professionalId": w.ppr_a.gid }),
        json!({ "caseId": id, "role": "GUARDIAN", "familyMemberId": mother_id }),
        json!({ "caseId": id, "role": "CHILD" }),
        json!({ "caseId": id, "role": "EXTERNAL", "external": { "name": "Privatpraktiserende psykolog", "email": "psykolog@example.dk" } }),
    ] {
        let r = app
            .gql(&w.caseworker_a.token, ops::ADD, json!({ "input": input }))
            .await;
        assert_eq!(r.data()["addParticipant"]["participant"]["isActive"], true);
    }

    // The responsible contact sees the CPR number in full; the PPR psychologist does not.
    let seen = app
        .gql(&w.caseworker_a.token, CASE, json!({ "id": id }))
        .await;
    let c = &seen.data()["case"];
    assert_eq!(c["child"]["cpr"], "030514-4321");
    assert_eq!(c["child"]["cprMasked"], false);
    assert_eq!(c["viewerAccess"]["seesFullCpr"], true);
    assert_eq!(c["viewerAccess"]["basis"], "PARTICIPANT");
    let ppr = app.gql(&w.ppr_a.token, CASE, json!({ "id": id })).await;
    assert_eq!(ppr.data()["case"]["child"]["cpr"], "030514-XXXX");
    assert_eq!(ppr.data()["case"]["viewerAccess"]["canManage"], false);
    assert_eq!(c["participants"].as_array().map(Vec::len), Some(7));

    // A participant leaves; history keeps them.
    let ppr_participant = c["participants"]
        .items()
        .iter()
        .find(|p| p["role"] == "PROFESSIONAL" && p["sector"] == "MUNICIPALITY")
        .map(|p| p["id"].clone())
        .unwrap_or_else(|| panic!("no municipal professional"));
    let r = app
        .gql(
            &w.caseworker_a.token,
            "mutation($id: ID!) { endParticipation(input: { participantId: $id, reason: \"Forløbet i PPR er afsluttet\" }) { participant { isActive activeUntil endReason } } }",
            json!({ "id": ppr_participant }),
        )
        .await;
    assert_eq!(
        r.data()["endParticipation"]["participant"]["isActive"],
        false
    );
    // Once ended, PPR no longer sees the case.
    app.gql(&w.ppr_a.token, CASE, json!({ "id": id }))
        .await
        .assert_error("NOT_FOUND", None);

    // Close.
    let r = app
        .gql(&w.caseworker_a.token, ops::CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["closeCase"]["case"]["status"], "CLOSED");
    let done = app
        .gql(&w.caseworker_a.token, CASE, json!({ "id": id }))
        .await;
    let history: Vec<(String, String)> = done.data()["case"]["statusHistory"]
        .items()
        .iter()
        .map(|e| {
            (
                e["fromStatus"].as_str().unwrap_or("-").to_owned(),
                e["toStatus"].str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("-", "REFERRED"),
            ("REFERRED", "IN_INTAKE"),
            ("IN_INTAKE", "ACTIVE"),
            ("ACTIVE", "CLOSED")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(
        done.data()["case"]["statusHistory"][3]["changedBy"]["id"],
        w.caseworker_a.gid.as_str()
    );
    assert_eq!(
        done.data()["case"]["participants"].as_array().map(Vec::len),
        Some(7)
    );
    // A closed case no longer changes.
    let r = app.gql(&w.caseworker_a.token, ops::ADD, json!({ "input": { "caseId": id, "role": "PROFESSIONAL", "professionalId": w.ppr_a.gid } })).await;
    r.assert_error("CONFLICT", None);
}

#[tokio::test]
async fn every_status_rule_holds_and_illegal_transitions_conflict() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let start = |id: &str| json!({ "id": id });

    // From REFERRED: only startIntake.
    let referred = app.refer(t, &w.municipality_a, "Referred").await;
    app.decide_intake(t, &referred, "ACCEPT")
        .await
        .assert_error("CONFLICT", None);
    app.gql(t, ops::CLOSE, start(&referred))
        .await
        .assert_error("CONFLICT", None);
    assert_eq!(
        app.start_intake(t, &referred).await.data()["startIntake"]["case"]["status"],
        "IN_INTAKE"
    );

    // From IN_INTAKE: decisions only; not startIntake again, not close.
    app.start_intake(t, &referred)
        .await
        .assert_error("CONFLICT", None);
    app.gql(t, ops::CLOSE, start(&referred))
        .await
        .assert_error("CONFLICT", None);

    // Each decision leads where it should.
    for (decision, to, status) in [
        ("ACCEPT", None, "ACTIVE"),
        ("REDIRECT", Some("Cool Kids angstgruppe"), "REDIRECTED"),
        ("REJECT", None, "REJECTED"),
    ] {
        let id = app.refer(t, &w.municipality_a, decision).await;
        let _ = app.start_intake(t, &id).await.data();
        let r = app
            .gql(
                t,
                ops::DECIDE,
                json!({ "id": id, "decision": decision, "to": to }),
            )
            .await;
        assert_eq!(r.data()["decideIntake"]["case"]["status"], status);
        // Deciding twice is a conflict.
        app.decide_intake(t, &id, "ACCEPT")
            .await
            .assert_error("CONFLICT", None);
        if status == "REDIRECTED" {
            assert_eq!(
                r.data()["decideIntake"]["case"]["redirectedTo"],
                "Cool Kids angstgruppe"
            );
        }
        // Final statuses go nowhere; ACTIVE only to CLOSED.
        app.start_intake(t, &id)
            .await
            .assert_error("CONFLICT", None);
        if status == "ACTIVE" {
            assert_eq!(
                app.gql(t, ops::CLOSE, start(&id)).await.data()["closeCase"]["case"]["status"],
                "CLOSED"
            );
        }
        app.gql(t, ops::CLOSE, start(&id))
            .await
            .assert_error("CONFLICT", None);
    }

    // A redirect must say where to; other decisions must not.
    let id = app
        .refer(t, &w.municipality_a, "Redirect without target")
        .await;
    let _ = app.start_intake(t, &id).await.data();
    app.decide_intake(t, &id, "REDIRECT")
        .await
        .assert_error("BAD_USER_INPUT", Some("input.redirectedTo"));
    app.gql(
        t,
        ops::DECIDE,
        json!({ "id": id, "decision": "ACCEPT", "to": "x" }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.redirectedTo"));

    // Only the intake unit decides; a participant who may see the case is FORBIDDEN.
    let id = app
        .refer(
            &w.psychiatrist.token,
            &w.municipality_a,
            "Referred by psychiatry",
        )
        .await;
    app.start_intake(&w.psychiatrist.token, &id)
        .await
        .assert_error("FORBIDDEN", None);
}

#[tokio::test]
async fn a_child_is_reused_by_cpr_once_the_intake_unit_says_so_and_can_be_corrected() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let mut input = referral(&w.municipality_a, "Noah Berg");
    input["child"]["cpr"] = json!("0305144321");
    let first = app
        .gql(
            &w.intake_a.token,
            ops::SUBMIT,
            json!({ "input": input.clone() }),
        )
        .await;
    let second = app
        .gql(&w.intake_a.token, ops::SUBMIT, json!({ "input": input }))
        .await;
    let child_of =
        |g: &kit_tests::harness::Gql| g.data()["submitReferral"]["case"]["child"]["id"].clone();
    // The second referral holds what it was given, until the intake unit decides.
    assert_ne!(child_of(&first), child_of(&second));
    let second_case = second.data()["submitReferral"]["case"]["id"].clone();
    let matched = r"query($id: ID!) { case(id: $id) { child { id } referral { childMatch { nameDiffers dateOfBirthDiffers decision } } } }";
    let r = app
        .gql(&w.intake_a.token, matched, json!({ "id": second_case }))
        .await;
    assert_eq!(
        r.data()["case"]["referral"]["childMatch"],
        json!({ "nameDiffers": false, "dateOfBirthDiffers": false, "decision": null })
    );
    let decide = r"mutation($id: ID!, $same: Boolean!) { decideChildMatch(input: { caseId: $id, sameChild: $same }) { case { child { id } } } }";
    let r = app
        .gql(
            &w.intake_a.token,
            decide,
            json!({ "id": second_case, "same": true }),
        )
        .await;
    assert_eq!(
        r.data()["decideChildMatch"]["case"]["child"]["id"],
        child_of(&first)
    );
    app.gql(
        &w.intake_a.token,
        decide,
        json!({ "id": second_case, "same": true }),
    )
    .await
    .assert_error("CONFLICT", None);

    let case = first.data()["submitReferral"]["case"]["id"]
        .str()
        .to_owned();
    app.accept(&w.intake_a.token, &case).await;
    let _ = app
        .gql(
            &w.intake_a.token,
            ops::ASSIGN,
            json!({ "case": case, "p": w.caseworker_a.gid }),
        )
        .await
        .data();
    let update = r"mutation($input: UpdateChildInput!) { updateChild(input: $input) { child { name dateOfBirth cpr } } }";
    let r = app
        .gql(
            &w.caseworker_a.token,
            update,
            json!({ "input": { "childId": child_of(&first), "name": "Noah Bjerg" } }),
        )
        .await;
    assert_eq!(r.data()["updateChild"]["child"]["name"], "Noah Bjerg");
    assert_eq!(r.data()["updateChild"]["child"]["cpr"], "030514-4321");
    // A date of birth that contradicts the CPR number is refused, naming the field.
    app.gql(
        &w.caseworker_a.token,
        update,
        json!({ "input": { "childId": child_of(&first), "dateOfBirth": "2014-05-04" } }),
    )
    .await
    .assert_error("BAD_USER_INPUT", Some("input.dateOfBirth"));
    // Removing the CPR number is explicit.
    let r = app
        .gql(
            &w.caseworker_a.token,
            update,
            json!({ "input": { "childId": child_of(&first), "cpr": null } }),
        )
        .await;
    assert_eq!(
        r.data()["updateChild"]["child"]["cpr"],
        serde_json::Value::Null
    );
    // The list search finds the child by the new name, case-insensitively.
    let found = app
        .gql(
            &w.intake_a.token,
            r#"{ cases(filter: { text: "BJERG" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(found.data()["cases"]["totalCount"], 2);
}

#[tokio::test]
async fn a_cpr_number_never_tells_a_referrer_whom_it_belongs_to() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    // A child known in municipality B, with a mother.
    let mut known = referral(&w.municipality_b, "Ida Hansen");
    known["child"]["cpr"] = json!("030514-4321");
    known["familyMembers"] = json!([{ "name": "Lone Hansen", "relation": "MOTHER", "hasCustody": true, "email": "lone@example.dk", "phone": "+4512345678" }]);
    let r = app
        .gql(&w.intake_b.token, ops::SUBMIT, json!({ "input": known }))
        .await;
    let known_child = r.data()["submitReferral"]["case"]["child"]["id"].clone();

    let seen = r"query($id: ID!) { case(id: $id) { child { id name dateOfBirth cpr cases { id } } referral { childMatch { nameDiffers dateOfBirthDiffers } } } }";
    let family = r"query($id: ID!) { case(id: $id) { child { familyMembers { name email phone hasCustody } } } }";
    let everyone = [
        ("intake", &w.intake_a),
        ("caseworker", &w.caseworker_a),
        ("psychologist", &w.ppr_a),
        ("leader", &w.ppr_leader_a),
        ("administrator", &w.admin_a),
        ("psychiatrist", &w.psychiatrist),
        ("other region", &w.psychologist),
        ("other intake", &w.intake_b),
        ("other caseworker", &w.caseworker_b),
    ];
    for (role, who) in everyone {
        // A made-up name with the known child's CPR number, to municipality A.
        let mut probe = referral(&w.municipality_a, &format!("Opdigtet {role}"));
        probe["child"]["cpr"] = json!("030514-4321");
        let r = app
            .gql(&who.token, ops::SUBMIT, json!({ "input": probe }))
            .await;
        let case = r.data()["submitReferral"]["case"].clone();
        let body = r.body.to_string();
        assert_eq!(case["child"]["name"], format!("Opdigtet {role}"), "{role}");
        assert_ne!(case["child"]["id"], known_child, "{role}");
        for secret in ["Ida Hansen", "Lone", "lone@example.dk", "4321", "12345678"] {
            assert!(!body.contains(secret), "{role} learned {secret}: {body}");
        }
        // Reading the case back tells them nothing more.
        let r = app.gql(&who.token, seen, json!({ "id": case["id"] })).await;
        let body = r.body.to_string();
        for secret in ["Ida Hansen", "Lone", "lone@example.dk", "4321", "12345678"] {
            assert!(!body.contains(secret), "{role} learned {secret}: {body}");
        }
        let child = &r.data()["case"]["child"];
        assert_eq!(child["cpr"], serde_json::Value::Null, "{role}");
        // The family: none was given; a referrer of another organization sees it only under
        // consent.
        let f = app
            .gql(&who.token, family, json!({ "id": case["id"] }))
            .await;
        if [
            "psychiatrist",
            "other region",
            "other intake",
            "other caseworker",
        ]
        .contains(&role)
        {
            f.assert_withheld("/data/case/child/familyMembers");
        } else {
            assert_eq!(
                f.data()["case"]["child"]["familyMembers"],
                json!([]),
                "{role}"
            );
        }
        assert_eq!(
            child["cases"].as_array().map(Vec::len),
            Some(1),
            "{role}: only this case"
        );
        // Only A's intake unit hears that the number is known, and that the name differs.
        let intake_view = if role == "intake" {
            r.clone()
        } else {
            app.gql(&w.intake_a.token, seen, json!({ "id": case["id"] }))
                .await
        };
        assert_eq!(
            intake_view.data()["case"]["referral"]["childMatch"],
            json!({ "nameDiffers": true, "dateOfBirthDiffers": false })
        );
        if role != "intake" {
            assert_eq!(
                r.data()["case"]["referral"]["childMatch"],
                serde_json::Value::Null,
                "{role}"
            );
        }
        // Nobody but the intake unit decides; the case cannot be accepted before.
        let decide = r"mutation($id: ID!) { decideChildMatch(input: { caseId: $id, sameChild: false }) { case { id } } }";
        if role != "intake" {
            let refused = app
                .gql(&who.token, decide, json!({ "id": case["id"] }))
                .await;
            assert!(
                matches!(refused.code(), Some("FORBIDDEN" | "NOT_FOUND")),
                "{role}: {}",
                refused.body
            );
        }
        let _ = app
            .gql(
                &w.intake_a.token,
                ops::START_INTAKE,
                json!({ "id": case["id"] }),
            )
            .await
            .data();
        app.gql(
            &w.intake_a.token,
            ops::DECIDE,
            json!({ "id": case["id"], "decision": "ACCEPT" }),
        )
        .await
        .assert_error("CONFLICT", None);
        let r = app
            .gql(&w.intake_a.token, decide, json!({ "id": case["id"] }))
            .await;
        assert!(r.data()["decideChildMatch"]["case"]["id"].is_string());
        let _ = app
            .gql(
                &w.intake_a.token,
                ops::DECIDE,
                json!({ "id": case["id"], "decision": "ACCEPT" }),
            )
            .await
            .data();
    }
}
