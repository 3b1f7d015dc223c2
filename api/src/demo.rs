//! `kit-api seed --demo`: a realistic, entirely fictional Danish set-up, loaded through the
//! same domain operations the API uses, so a newcomer can query the API within a minute.
//!
//! One municipality (Syddjurs) with its intake unit and departments, the region's child and
//! adolescent psychiatry, a general practice, twelve professionals and twenty cases across
//! every status.

use chrono::{NaiveDate, TimeDelta};
use kit_entity::domain::cpr::Cpr;
use kit_entity::domain::enums::{
    FamilyRelation, Language, OrganizationKind, ParticipantRole, ReferralSource, Sector,
};
use kit_entity::domain::status::{CaseStatus, IntakeDecision};
use kit_entity::entities::{family_member, organization};
use kit_entity::ids::{ProfessionalId, UnitId};
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::access::Actor;
use crate::db::begin_write;
use crate::services::case::{self as cases, NewChild, NewFamilyMember, SubmitReferral};
use crate::services::directory::{self, ProfessionalFields};
use crate::services::participant::{self, AddParticipant, Person};
use crate::state::AppState;

const MUNICIPALITY: &str = "Syddjurs Kommune";

/// A demo user to print a token for.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Login subject.
    pub subject: String,
    /// Name and what they illustrate.
    pub description: String,
}

struct Staff {
    subject: &'static str,
    name: &'static str,
    title: &'static str,
    unit: usize,
    leads: bool,
    admin: bool,
}

const STAFF: &[Staff] = &[
    Staff {
        subject: "mette.lund@syddjurs.example",
        name: "Mette Lund",
        title: "Koordinator, Børne- og Familieindgangen",
        unit: 0,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "henrik.bach@syddjurs.example",
        name: "Henrik Bach",
        title: "Systemadministrator",
        unit: 2,
        leads: false,
        admin: true,
    },
    Staff {
        subject: "sofie.kjaer@syddjurs.example",
        name: "Sofie Kjær",
        title: "Socialrådgiver",
        unit: 2,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "jonas.holm@syddjurs.example",
        name: "Jonas Holm",
        title: "Afdelingsleder, Familieafdelingen",
        unit: 2,
        leads: true,
        admin: false,
    },
    Staff {
        subject: "camilla.berg@syddjurs.example",
        name: "Camilla Berg",
        title: "Psykolog, PPR",
        unit: 1,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "lars.nygaard@syddjurs.example",
        name: "Lars Nygaard",
        title: "Leder af PPR",
        unit: 1,
        leads: true,
        admin: false,
    },
    Staff {
        subject: "anne.thomsen@syddjurs.example",
        name: "Anne Thomsen",
        title: "Sundhedsplejerske",
        unit: 3,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "peter.juhl@syddjurs.example",
        name: "Peter Juhl",
        title: "SSP-konsulent",
        unit: 4,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "eva.winther@rm.example",
        name: "Eva Winther",
        title: "Overlæge, børne- og ungdomspsykiatri",
        unit: 6,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "rasmus.friis@rm.example",
        name: "Rasmus Friis",
        title: "Psykolog, udredningsteamet",
        unit: 7,
        leads: false,
        admin: false,
    },
    Staff {
        subject: "birgitte.krogh@rm.example",
        name: "Birgitte Krogh",
        title: "Systemadministrator",
        unit: 6,
        leads: false,
        admin: true,
    },
    Staff {
        subject: "karen.dahl@laegehuset.example",
        name: "Karen Dahl",
        title: "Praktiserende læge",
        unit: 8,
        leads: false,
        admin: false,
    },
];

struct DemoCase {
    child: &'static str,
    born: (i32, u32, u32),
    cpr_tail: Option<&'static str>,
    parent: (&'static str, FamilyRelation),
    source: ReferralSource,
    reason: &'static str,
    status: CaseStatus,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        child: "Emma Sørensen",
        born: (2012, 3, 14),
        cpr_tail: Some("4002"),
        parent: ("Louise Sørensen", FamilyRelation::Mother),
        source: ReferralSource::GeneralPractitioner,
        reason: "Angst og tiltagende skolefravær gennem tre måneder.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Noah Pedersen",
        born: (2014, 7, 2),
        cpr_tail: Some("4117"),
        parent: ("Thomas Pedersen", FamilyRelation::Father),
        source: ReferralSource::School,
        reason: "Uro, konflikter i klassen og koncentrationsbesvær; skolen ønsker en samlet vurdering.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Ida Christensen",
        born: (2010, 11, 23),
        cpr_tail: Some("4228"),
        parent: ("Maria Christensen", FamilyRelation::Mother),
        source: ReferralSource::ChildPsychiatry,
        reason: "Udskrevet efter indlæggelse for spiseforstyrrelse; behov for koordineret opfølgning.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "William Hansen",
        born: (2009, 1, 30),
        cpr_tail: None,
        parent: ("Susanne Hansen", FamilyRelation::Mother),
        source: ReferralSource::HospitalWard,
        reason: "Selvskade opdaget ved skadestuebesøg.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Freja Jensen",
        born: (2013, 5, 9),
        cpr_tail: None,
        parent: ("Anders Jensen", FamilyRelation::Father),
        source: ReferralSource::Parents,
        reason: "Forældrene oplever tristhed, søvnproblemer og tilbagetrækning.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Oscar Nielsen",
        born: (2015, 9, 18),
        cpr_tail: None,
        parent: ("Camilla Nielsen", FamilyRelation::Mother),
        source: ReferralSource::GeneralPractitioner,
        reason: "Ønske om udredning for autisme; store vanskeligheder ved skift.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Alma Larsen",
        born: (2008, 12, 1),
        cpr_tail: None,
        parent: ("Henriette Larsen", FamilyRelation::Mother),
        source: ReferralSource::YoungPerson,
        reason: "Henvender sig selv om vedvarende tristhed og ensomhed; nærmer sig 18 år.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Lucas Andersen",
        born: (2011, 4, 27),
        cpr_tail: None,
        parent: ("Rikke Andersen", FamilyRelation::Mother),
        source: ReferralSource::School,
        reason: "Tvangsprægede ritualer, der fylder i skoledagen.",
        status: CaseStatus::Active,
    },
    DemoCase {
        child: "Clara Rasmussen",
        born: (2016, 2, 12),
        cpr_tail: None,
        parent: ("Mikkel Rasmussen", FamilyRelation::Father),
        source: ReferralSource::Parents,
        reason: "Voldsomme raseriudbrud og separationsangst.",
        status: CaseStatus::Referred,
    },
    DemoCase {
        child: "Victor Jørgensen",
        born: (2012, 8, 6),
        cpr_tail: None,
        parent: ("Pia Jørgensen", FamilyRelation::Mother),
        source: ReferralSource::GeneralPractitioner,
        reason: "Mavesmerter uden somatisk årsag og højt skolefravær.",
        status: CaseStatus::Referred,
    },
    DemoCase {
        child: "Agnes Petersen",
        born: (2010, 6, 21),
        cpr_tail: None,
        parent: ("Line Petersen", FamilyRelation::Mother),
        source: ReferralSource::HospitalWard,
        reason: "Indlagt efter overdosis af håndkøbsmedicin.",
        status: CaseStatus::Referred,
    },
    DemoCase {
        child: "Malthe Madsen",
        born: (2013, 10, 15),
        cpr_tail: None,
        parent: ("Kasper Madsen", FamilyRelation::Father),
        source: ReferralSource::School,
        reason: "Isolerer sig og har ikke været i skole i fem uger.",
        status: CaseStatus::Referred,
    },
    DemoCase {
        child: "Sofia Kristensen",
        born: (2011, 12, 3),
        cpr_tail: None,
        parent: ("Dorthe Kristensen", FamilyRelation::Mother),
        source: ReferralSource::ChildPsychiatry,
        reason: "Afsluttet udredning for ADHD; kommunal støtte i skolen skal koordineres.",
        status: CaseStatus::InIntake,
    },
    DemoCase {
        child: "Elias Olsen",
        born: (2014, 1, 25),
        cpr_tail: None,
        parent: ("Maja Olsen", FamilyRelation::Mother),
        source: ReferralSource::Parents,
        reason: "Forældrene ønsker hjælp til angst ved skolestart.",
        status: CaseStatus::InIntake,
    },
    DemoCase {
        child: "Ella Thomsen",
        born: (2009, 7, 19),
        cpr_tail: None,
        parent: ("Jesper Thomsen", FamilyRelation::Father),
        source: ReferralSource::GeneralPractitioner,
        reason: "Depressive symptomer og selvmordstanker uden plan.",
        status: CaseStatus::InIntake,
    },
    DemoCase {
        child: "Carl Poulsen",
        born: (2012, 2, 29),
        cpr_tail: None,
        parent: ("Signe Poulsen", FamilyRelation::Mother),
        source: ReferralSource::School,
        reason: "Mistrivsel efter forældrenes skilsmisse.",
        status: CaseStatus::Closed,
    },
    DemoCase {
        child: "Laura Johansen",
        born: (2010, 3, 8),
        cpr_tail: None,
        parent: ("Ole Johansen", FamilyRelation::Father),
        source: ReferralSource::GeneralPractitioner,
        reason: "Præstationsangst før eksamen.",
        status: CaseStatus::Closed,
    },
    DemoCase {
        child: "Alfred Møller",
        born: (2015, 5, 30),
        cpr_tail: None,
        parent: ("Tina Møller", FamilyRelation::Mother),
        source: ReferralSource::Parents,
        reason: "Let ængstelighed; familien ønsker råd.",
        status: CaseStatus::Redirected,
    },
    DemoCase {
        child: "Karla Mortensen",
        born: (2016, 9, 11),
        cpr_tail: None,
        parent: ("Nanna Mortensen", FamilyRelation::Mother),
        source: ReferralSource::School,
        reason: "Genert og stille i klassen.",
        status: CaseStatus::Redirected,
    },
    DemoCase {
        child: "Storm Frederiksen",
        born: (2011, 11, 14),
        cpr_tail: None,
        parent: ("Brian Frederiksen", FamilyRelation::Father),
        source: ReferralSource::Parents,
        reason: "Ønske om ADHD-medicin uden forudgående vurdering.",
        status: CaseStatus::Rejected,
    },
];

fn users() -> Vec<DemoUser> {
    let describe = |subject: &str, what: &str| DemoUser {
        subject: subject.to_owned(),
        description: what.to_owned(),
    };
    vec![
        describe(
            "mette.lund@syddjurs.example",
            "Mette Lund — intake unit: sees every Syddjurs case, takes intake decisions",
        ),
        describe(
            "sofie.kjaer@syddjurs.example",
            "Sofie Kjær — municipal responsible contact: sees full CPR numbers of her cases",
        ),
        describe(
            "eva.winther@rm.example",
            "Eva Winther — child psychiatry responsible contact",
        ),
        describe(
            "lars.nygaard@syddjurs.example",
            "Lars Nygaard — leader of PPR: sees the cases PPR takes part in",
        ),
        describe(
            "henrik.bach@syddjurs.example",
            "Henrik Bach — Syddjurs administrator: manages units and professionals, sees no cases",
        ),
        describe(
            "karen.dahl@laegehuset.example",
            "Karen Dahl — general practitioner: sees only the cases she referred",
        ),
    ]
}

/// Loads the demo unless it is already there, and returns the users to print tokens for.
///
/// # Errors
/// Database errors.
pub async fn seed(state: &AppState) -> Result<(Vec<DemoUser>, bool)> {
    let exists = organization::Entity::find()
        .filter(organization::Column::Name.eq(MUNICIPALITY))
        .one(&state.db)
        .await?
        .is_some();
    if exists {
        return Ok((users(), false));
    }
    let now = state.clock.now();
    let txn = begin_write(&state.db).await?;
    let syddjurs = directory::create_organization(
        &txn,
        None,
        now,
        MUNICIPALITY.into(),
        OrganizationKind::Municipality,
    )
    .await?;
    let region = directory::create_organization(
        &txn,
        None,
        now,
        "Region Midtjylland – Børne- og Ungdomspsykiatrien".into(),
        OrganizationKind::RegionalChildPsychiatry,
    )
    .await?;
    let practice = directory::create_organization(
        &txn,
        None,
        now,
        "Lægehuset Ebeltoft".into(),
        OrganizationKind::GeneralPractice,
    )
    .await?;
    let mut units: Vec<UnitId> = Vec::new();
    for (org, name, intake) in [
        (syddjurs.id, "Børne- og Familieindgangen", true),
        (syddjurs.id, "PPR", false),
        (syddjurs.id, "Familieafdelingen", false),
        (syddjurs.id, "Sundhedsplejen", false),
        (syddjurs.id, "SSP", false),
        (syddjurs.id, "Jobcenter – Unge", false),
        (region.id, "Ambulatorium Skejby", false),
        (region.id, "Udredningsteamet", false),
        (practice.id, "Lægehuset", false),
    ] {
        units.push(
            directory::create_unit(&txn, None, now, org, name.into(), intake)
                .await?
                .id,
        );
    }
    let mut staff: Vec<ProfessionalId> = Vec::new();
    for s in STAFF {
        let unit = units[s.unit];
        let p = directory::create_professional(
            &txn,
            None,
            now,
            ProfessionalFields {
                name: s.name.into(),
                title: s.title.into(),
                email: s.subject.into(),
                phone: Some("+45 87 53 50 00".into()),
                subject: Some(s.subject.into()),
                unit_id: unit,
                leads_unit_id: s.leads.then_some(unit),
                is_admin: s.admin,
                language: Language::Da,
            },
        )
        .await?;
        staff.push(p.id);
    }
    txn.commit().await?;

    let actor = |i: usize| Actor::load(&state.db, STAFF[i].subject);
    let intake = actor(0).await?;
    let gp = actor(11).await?;
    for (i, demo) in CASES.iter().enumerate() {
        let referrer = if demo.source == ReferralSource::GeneralPractitioner {
            &gp
        } else {
            &intake
        };
        load_case(state, referrer, &intake, &staff, demo, i).await?;
    }
    Ok((users(), true))
}

async fn load_case(
    state: &AppState,
    referrer: &Actor,
    intake: &Actor,
    staff: &[ProfessionalId],
    demo: &DemoCase,
    index: usize,
) -> Result<()> {
    let now = state.clock.now();
    let days = i64::try_from(index).unwrap_or(0);
    let born = NaiveDate::from_ymd_opt(demo.born.0, demo.born.1, demo.born.2)
        .ok_or_else(|| Error::internal("a demo date of birth is invalid"))?;
    let cpr = match demo.cpr_tail {
        Some(tail) => Some(
            Cpr::parse(&format!("{}{tail}", born.format("%d%m%y")))
                .map_err(|e| Error::internal(e.to_string()))?,
        ),
        None => None,
    };
    let txn = begin_write(&state.db).await?;
    let case = cases::submit_referral(
        &txn,
        referrer,
        now,
        SubmitReferral {
            municipality_id: intake.organization_id,
            child: NewChild {
                name: demo.child.into(),
                date_of_birth: born,
                cpr,
            },
            family: vec![NewFamilyMember {
                name: demo.parent.0.into(),
                relation: demo.parent.1,
                has_custody: true,
                email: Some(format!(
                    "{}@familie.example",
                    demo.parent
                        .0
                        .to_lowercase()
                        .replace(' ', ".")
                        .replace('ø', "oe")
                        .replace('æ', "ae")
                        .replace('å', "aa")
                )),
                phone: None,
                language: if index % 7 == 3 {
                    Language::En
                } else {
                    Language::Da
                },
            }],
            source: demo.source,
            received_at: Some(now - TimeDelta::days(40 - days)),
            reason: demo.reason.into(),
            referrer_name: None,
            referrer_organization: None,
        },
    )
    .await?;
    let status = demo.status;
    if status != CaseStatus::Referred {
        cases::start_intake(&txn, intake, now, case.id, None).await?;
    }
    let decision = match status {
        CaseStatus::Active | CaseStatus::Closed => Some((IntakeDecision::Accept, None)),
        CaseStatus::Redirected => Some((
            IntakeDecision::Redirect,
            Some("Tidlig indsats: Cool Kids angstgruppe".to_owned()),
        )),
        CaseStatus::Rejected => Some((IntakeDecision::Reject, None)),
        CaseStatus::Referred | CaseStatus::InIntake => None,
    };
    if let Some((decision, redirected_to)) = decision {
        let reason = match decision {
            IntakeDecision::Accept => {
                "Koordinationsudvalget vurderer behov for et koordineret forløb på tværs af sektorer."
            }
            IntakeDecision::Redirect => "Behovet kan mødes af en tidlig, forebyggende indsats.",
            IntakeDecision::Reject => "Henvendelsen hører under egen læge; familien er vejledt.",
        };
        cases::decide_intake(
            &txn,
            intake,
            now,
            case.id,
            decision,
            reason.into(),
            redirected_to,
        )
        .await?;
    }
    if matches!(status, CaseStatus::Active | CaseStatus::Closed) {
        let municipal_contact = if index.is_multiple_of(2) {
            staff[2]
        } else {
            staff[3]
        };
        participant::assign_responsible_contact(
            &txn,
            intake,
            now,
            case.id,
            municipal_contact,
            Some(Sector::Municipality),
        )
        .await?;
        if index % 3 != 2 {
            participant::assign_responsible_contact(
                &txn,
                intake,
                now,
                case.id,
                staff[8],
                Some(Sector::ChildPsychiatry),
            )
            .await?;
        }
        let psychologist = if index.is_multiple_of(2) {
            staff[4]
        } else {
            staff[9]
        };
        participant::add(
            &txn,
            intake,
            now,
            AddParticipant {
                case_id: case.id,
                role: ParticipantRole::Professional,
                person: Person::Professional(psychologist),
                sector: None,
            },
        )
        .await?;
        if let Some(parent) = family_member::Entity::find()
            .filter(family_member::Column::ChildId.eq(case.child_id))
            .one(&txn)
            .await?
        {
            participant::add(
                &txn,
                intake,
                now,
                AddParticipant {
                    case_id: case.id,
                    role: ParticipantRole::Guardian,
                    person: Person::FamilyMember(parent.id),
                    sector: None,
                },
            )
            .await?;
        }
        if index % 4 == 1 {
            participant::add(
                &txn,
                intake,
                now,
                AddParticipant {
                    case_id: case.id,
                    role: ParticipantRole::Professional,
                    person: Person::Professional(staff[7]),
                    sector: None,
                },
            )
            .await?;
        }
    }
    if status == CaseStatus::Closed {
        cases::close_case(
            &txn,
            intake,
            now,
            case.id,
            "Målene i den tværsektorielle plan er nået; afsluttende møde holdt.".into(),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
