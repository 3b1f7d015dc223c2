//! A standard world to test in: two municipalities and the region's child psychiatry, with
//! professionals in every position the access rules distinguish, and helpers that move cases
//! along through the API.

use kit_entity::domain::enums::{Language, OrganizationKind};
use kit_entity::ids::{OrganizationId, ProfessionalId, UnitId};
use kit_entity::ops::directory::{self, ProfessionalFields};
use serde_json::{Value, json};

use crate::harness::{Field, Gql, TestApp};

/// One professional of the world.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their id.
    pub id: ProfessionalId,
    /// Their global id.
    pub gid: String,
    /// A local token for them (empty when local tokens are disabled).
    pub token: String,
}

/// The people and places of the world.
#[derive(Debug, Clone)]
pub struct World {
    /// Municipality A's global id.
    pub municipality_a: String,
    /// Municipality B's global id.
    pub municipality_b: String,
    /// The region's global id.
    pub region: String,
    /// A's intake unit member.
    pub intake_a: Person,
    /// A caseworker in A's family department.
    pub caseworker_a: Person,
    /// Another caseworker in A's family department.
    pub caseworker2_a: Person,
    /// A PPR psychologist in A.
    pub ppr_a: Person,
    /// The leader of A's PPR.
    pub ppr_leader_a: Person,
    /// A's administrator (family department; sees no cases by virtue of being admin).
    pub admin_a: Person,
    /// A child psychiatrist in the region.
    pub psychiatrist: Person,
    /// A psychologist in the region.
    pub psychologist: Person,
    /// B's intake unit member.
    pub intake_b: Person,
    /// A caseworker in B.
    pub caseworker_b: Person,
}

/// The global id of an organization (`"Organization"`) or a professional (anything else).
#[must_use]
pub fn global(type_name: &str, key: i64) -> String {
    use kit_api::graphql::ids::NodeId;
    match type_name {
        "Organization" => OrganizationId(key).to_global().0,
        _ => ProfessionalId(key).to_global().0,
    }
}

impl World {
    /// Builds the world in `app`'s database.
    ///
    /// # Panics
    /// When the database refuses it.
    pub async fn build(app: &TestApp) -> Self {
        let db = app.db();
        let now = app.clock_now();
        let org = |name: &'static str, kind| async move {
            directory::create_organization(db, None, now, name.into(), kind)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let a = org("Kommune A", OrganizationKind::Municipality).await;
        let b = org("Kommune B", OrganizationKind::Municipality).await;
        let region = org("Region BUC", OrganizationKind::RegionalChildPsychiatry).await;
        let unit = |org: OrganizationId, name: &'static str, intake: bool| async move {
            directory::create_unit(db, None, now, org, name.into(), intake)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .id
        };
        let intake_a = unit(a.id, "Indgangen A", true).await;
        let family_a = unit(a.id, "Familieafdelingen A", false).await;
        let ppr_a = unit(a.id, "PPR A", false).await;
        let intake_b = unit(b.id, "Indgangen B", true).await;
        let family_b = unit(b.id, "Familieafdelingen B", false).await;
        let clinic = unit(region.id, "Ambulatoriet", false).await;
        let person = |subject: &'static str, unit: UnitId, leads: bool, admin: bool| async move {
            let p = directory::create_professional(
                db,
                None,
                now,
                ProfessionalFields {
                    name: subject.replace('.', " "),
                    title: "Fagperson".into(),
                    email: format!("{subject}@kit.test"),
                    phone: None,
                    subject: Some(subject.into()),
                    unit_id: unit,
                    leads_unit_id: leads.then_some(unit),
                    is_admin: admin,
                    language: Language::Da,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            Person {
                id: p.id,
                gid: global("Professional", p.id.0),
                token: app
                    .state
                    .auth
                    .issue_local(subject, app.clock_now(), crate::harness::TOKEN_LIFETIME)
                    .unwrap_or_default(),
            }
        };
        Self {
            municipality_a: global("Organization", a.id.0),
            municipality_b: global("Organization", b.id.0),
            region: global("Organization", region.id.0),
            intake_a: person("intake.a", intake_a, false, false).await,
            caseworker_a: person("caseworker.a", family_a, false, false).await,
            caseworker2_a: person("caseworker2.a", family_a, false, false).await,
            ppr_a: person("ppr.a", ppr_a, false, false).await,
            ppr_leader_a: person("ppr.leader.a", ppr_a, true, false).await,
            admin_a: person("admin.a", family_a, false, true).await,
            psychiatrist: person("psychiatrist", clinic, false, false).await,
            psychologist: person("psychologist", clinic, false, false).await,
            intake_b: person("intake.b", intake_b, false, false).await,
            caseworker_b: person("caseworker.b", family_b, false, false).await,
        }
    }
}

/// GraphQL documents shared by the tests.
pub mod ops {
    /// Submits a referral and returns the case id and reference.
    pub const SUBMIT: &str = r"
        mutation($input: SubmitReferralInput!) {
          submitReferral(input: $input) { case { id reference status child { id name cpr } } }
        }";
    /// Starts intake.
    pub const START_INTAKE: &str = r"
        mutation($id: ID!) { startIntake(input: { caseId: $id }) { case { id status } } }";
    /// Decides intake.
    pub const DECIDE: &str = r#"
        mutation($id: ID!, $decision: IntakeDecision!, $to: String) {
          decideIntake(input: { caseId: $id, decision: $decision, reason: "Vurderet i koordinationsudvalget", redirectedTo: $to }) {
            case { id status redirectedTo }
          }
        }"#;
    /// Closes a case.
    pub const CLOSE: &str = r#"
        mutation($id: ID!) { closeCase(input: { caseId: $id, reason: "Målene er nået" }) { case { id status } } }"#;
    /// Assigns a responsible contact.
    pub const ASSIGN: &str = r"
        mutation($case: ID!, $p: ID!, $sector: Sector) {
          assignResponsibleContact(input: { caseId: $case, professionalId: $p, sector: $sector }) {
            responsibleContact { id role sector isActive professional { id } }
            replaced { id isActive activeUntil }
            case { responsibleContacts { id sector professional { id } } }
          }
        }";
    /// Adds a participant.
    pub const ADD: &str = r"
        mutation($input: AddParticipantInput!) {
          addParticipant(input: $input) { participant { id role sector isActive name } }
        }";
}

/// A referral input for a child called `name`.
#[must_use]
pub fn referral(municipality: &str, name: &str) -> Value {
    json!({
        "municipalityId": municipality,
        "child": { "name": name, "dateOfBirth": "2014-05-03" },
        "source": "GENERAL_PRACTITIONER",
        "reason": "Angst og skolefravær",
    })
}

impl TestApp {
    /// The application clock's current instant.
    #[must_use]
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use kit_entity::Clock;
        self.clock.now()
    }

    /// Submits `input` as a referral as `token` and returns the new case's global id.
    ///
    /// # Panics
    /// When the referral is refused.
    pub async fn submit_referral(&self, token: &str, input: Value) -> String {
        let r = self
            .gql(token, ops::SUBMIT, json!({ "input": input }))
            .await;
        r.data()["submitReferral"]["case"]["id"].str().to_owned()
    }

    /// Submits a referral of a child called `name` to `municipality` as `token` and returns
    /// the case's global id.
    ///
    /// # Panics
    /// When the referral is refused.
    pub async fn refer(&self, token: &str, municipality: &str, name: &str) -> String {
        self.submit_referral(token, referral(municipality, name))
            .await
    }

    /// Starts intake of `case` as `token`.
    pub async fn start_intake(&self, token: &str, case: &str) -> Gql {
        self.gql(token, ops::START_INTAKE, json!({ "id": case }))
            .await
    }

    /// Decides intake of `case` (`ACCEPT`, `REDIRECT`, `REJECT`) as `token`.
    pub async fn decide_intake(&self, token: &str, case: &str, decision: &str) -> Gql {
        self.gql(
            token,
            ops::DECIDE,
            json!({ "id": case, "decision": decision }),
        )
        .await
    }

    /// Takes the referred `case` through intake into an active pathway as the intake member
    /// `intake`.
    ///
    /// # Panics
    /// When a step is refused.
    pub async fn accept(&self, intake: &str, case: &str) {
        let _ = self.start_intake(intake, case).await.data();
        let _ = self.decide_intake(intake, case, "ACCEPT").await.data();
    }

    /// Submits `input` as a referral and takes it into an active pathway as the intake member
    /// `intake`; returns the case's global id.
    ///
    /// # Panics
    /// When a step is refused.
    pub async fn active_case_of(&self, intake: &str, input: Value) -> String {
        let id = self.submit_referral(intake, input).await;
        self.accept(intake, &id).await;
        id
    }

    /// Refers a child called `name` to `municipality` and takes the case into an active
    /// pathway as the intake member `intake`.
    ///
    /// # Panics
    /// When a step is refused.
    pub async fn active_case(&self, intake: &str, municipality: &str, name: &str) -> String {
        self.active_case_of(intake, referral(municipality, name))
            .await
    }
}
