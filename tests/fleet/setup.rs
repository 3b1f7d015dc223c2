//! The run's world: the suite's two municipalities and the region's child psychiatry, and a
//! set of active cases in municipality A, each with a municipal responsible contact, the
//! region's child psychiatrist as child psychiatry's contact, and a guardian who reads e-mail — the people the load's meetings invite.

use serde_json::{Value, json};

use crate::harness::{Field, TestApp};
use crate::world::{World, ops, referral};

/// One active case of the run.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its global id.
    pub id: String,
    /// The token of its responsible contact (a caseworker), who requests its meetings.
    pub contact_token: String,
    /// The contact's participant id (an agreement's owner).
    pub contact: String,
    /// Who its meetings invite: the contact, the psychiatrist and the guardian.
    pub invitees: Vec<String>,
}

/// Who the load acts as.
#[derive(Clone, Debug)]
pub struct Cast {
    /// The world.
    pub world: World,
    /// The cases.
    pub cases: Vec<Case>,
}

/// Makes `cases` active cases, their contacts alternating between A's two caseworkers.
///
/// # Panics
/// When a step is refused.
pub async fn cast(app: &TestApp, cases: usize) -> Cast {
    let w = World::build(app).await;
    let mut out = Vec::with_capacity(cases);
    for c in 0..cases {
        let contact = if c % 2 == 0 {
            &w.caseworker_a
        } else {
            &w.caseworker2_a
        };
        let mut input = referral(&w.municipality_a, &format!("Netværk {c}"));
        input["familyMembers"] = json!([{ "name": format!("Forælder {c}"), "relation": "MOTHER",
            "hasCustody": true, "email": format!("foraelder{c}@example.dk") }]);
        let id = app.active_case_of(&w.intake_a.token, input).await;
        let r = app
            .gql(
                &w.intake_a.token,
                ops::ASSIGN,
                json!({ "case": id, "p": contact.gid }),
            )
            .await;
        let contact_participant = r.data()["assignResponsibleContact"]["responsibleContact"]["id"]
            .str()
            .to_owned();
        let r = app
            .gql(
                &w.intake_a.token,
                ops::ASSIGN,
                json!({ "case": id, "p": w.psychiatrist.gid }),
            )
            .await;
        let psychiatrist = r.data()["assignResponsibleContact"]["responsibleContact"]["id"]
            .str()
            .to_owned();
        let r = app
            .gql(
                &w.intake_a.token,
                "query($id: ID!) { case(id: $id) { child { familyMembers { id } } } }",
                json!({ "id": id }),
            )
            .await;
        let mother = r.data()["case"]["child"]["familyMembers"][0]["id"].clone();
        let r = app
            .gql(
                &w.intake_a.token,
                ops::ADD,
                json!({ "input": { "caseId": id, "role": "GUARDIAN", "familyMemberId": mother } }),
            )
            .await;
        let guardian = r.data()["addParticipant"]["participant"]["id"]
            .str()
            .to_owned();
        out.push(Case {
            id,
            contact_token: contact.token.clone(),
            contact: contact_participant.clone(),
            invitees: vec![contact_participant, psychiatrist, guardian],
        });
    }
    Cast {
        world: w,
        cases: out,
    }
}

/// The invitees of a meeting request.
#[must_use]
pub fn invitees(case: &Case) -> Value {
    Value::Array(
        case.invitees
            .iter()
            .map(|p| json!({ "participantId": p, "requirement": "REQUIRED" }))
            .collect(),
    )
}
