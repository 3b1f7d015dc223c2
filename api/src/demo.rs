//! `kit-api seed --demo`: a realistic, entirely fictional Danish set-up, loaded through the
//! same domain operations the API uses, so a newcomer can query the API within a minute.
//!
//! One municipality (Syddjurs) with its intake unit and departments, the region's child and
//! adolescent psychiatry, a general practice, twelve professionals and twenty cases across
//! every status, and a catalogue of early interventions — the offers Kalundborg Kommune
//! describes (consultative teams in day care, school pairs, anonymous counselling, Cool Kids,
//! SSP concern conversations, GRO, FØNIX, children's groups, Stepping Stones, REHAB) — with
//! cohorts ahead and children waiting; consultation offers (a weekly phone slot with a social
//! worker, child psychiatry's consultation hours) with one booking; and a coordination
//! committee meeting next week with the waiting referrals on its agenda.

use chrono::{Datelike, NaiveDate, TimeDelta};
use kit_entity::cpr::Cpr;
use kit_entity::domain::enums::{
    Language, OrganizationKind, ParticipantRole, ReferralSource, Sector,
};
use kit_entity::domain::status::{CaseStatus, IntakeDecision};
use kit_entity::entities::{family_member, organization};
use kit_entity::ids::{ProfessionalId, UnitId};
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::begin_write;
use crate::state::AppState;
use kit_entity::access::Actor;
use kit_entity::ops::cases::{self, NewChild, NewFamilyMember, SubmitReferral};
use kit_entity::ops::directory::{self, ProfessionalFields};
use kit_entity::ops::participants::{self, AddParticipant, Person};

mod data;
mod pathway;

use data::{CASES, DemoCase, OFFERS, STAFF};

const MUNICIPALITY: &str = "Syddjurs Kommune";

/// A demo user to print a token for.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Login subject.
    pub subject: String,
    /// Name and what they illustrate.
    pub description: String,
}

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
            "Eva Winther — child psychiatry responsible contact: sees a child's data where a \
             consent covers the region, and only the case reference and her own part elsewhere",
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

/// Records a consent for coordination between the case's municipality and the organization
/// of `with`, given by the young person from 15 and otherwise by a guardian with custody.
async fn give_consent(
    txn: &sea_orm::DatabaseTransaction,
    intake: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    case: &kit_entity::entities::case::Model,
    with: ProfessionalId,
) -> Result<()> {
    use kit_entity::entities::{child, professional, unit};
    use kit_entity::ops::consents::{GivenBy, RecordConsent, record_consent};
    let child = child::Entity::find_by_id(case.child_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a demo case without its child"))?;
    let guardian = family_member::Entity::find()
        .filter(family_member::Column::ChildId.eq(child.id))
        .filter(family_member::Column::HasCustody.eq(true))
        .one(txn)
        .await?;
    let age = kit_entity::domain::consent::age_on(
        child.date_of_birth,
        kit_entity::domain::calendar::local_date(now),
    );
    let given_by = match guardian {
        Some(g) if age < kit_entity::domain::consent::OWN_CONSENT_AGE => {
            GivenBy::FamilyMember(g.id)
        }
        _ => GivenBy::YoungPerson,
    };
    let professional = professional::Entity::find_by_id(with)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a demo professional is missing"))?;
    let organization = unit::Entity::find_by_id(professional.unit_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a demo unit is missing"))?
        .organization_id;
    record_consent(
        txn,
        intake,
        now,
        RecordConsent {
            case_id: case.id,
            given_by,
            organization_ids: vec![case.municipality_id, organization],
            purpose: kit_entity::domain::enums::ConsentPurpose::Coordination,
            valid_from: None,
            valid_until: None,
            basis: "Samtykkeerklæring underskrevet ved opstartsmødet, journaliseret på sagen."
                .into(),
        },
    )
    .await?;
    Ok(())
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
    let mut cases = Vec::with_capacity(CASES.len());
    for (i, demo) in CASES.iter().enumerate() {
        let referrer = if demo.source == ReferralSource::GeneralPractitioner {
            &gp
        } else {
            &intake
        };
        cases.push(load_case(state, referrer, &intake, &staff, demo, i).await?);
    }
    let admin = actor(1).await?;
    pathway::load_templates(state, &admin).await?;
    load_catalogue(state, &admin, &intake, &units, &cases).await?;
    load_consultations(state, &staff).await?;
    load_committee(state, &intake, &staff, &cases).await?;
    pathway::load_discharge(state, &actor(8).await?, &intake, &cases).await?;
    Ok((users(), true))
}

/// Consultation without a case: the municipality's fixed weekly phone consultation between
/// health visitors and a social worker, child psychiatry's consultation hours, and one
/// health visitor's booking about an anxious child, described without identifying the child.
async fn load_consultations(state: &AppState, staff: &[ProfessionalId]) -> Result<()> {
    use chrono::Weekday;
    use kit_entity::domain::enums::{ConsultationChannel, ConsultationTopic};
    use kit_entity::ops::consultations::{self, Book, OfferInput};
    let now = state.clock.now();
    let actor = |i: usize| Actor::load(&state.db, STAFF[i].subject);
    let (municipal_admin, region_admin, health_visitor) =
        (actor(1).await?, actor(10).await?, actor(6).await?);
    let txn = begin_write(&state.db).await?;
    let phone = consultations::publish_offer(
        &txn,
        &municipal_admin,
        now,
        municipal_admin.organization_id,
        OfferInput {
            host_id: staff[3],
            name: "Fast telefonsparring med socialrådgiver".into(),
            description: "Sundhedsplejersker og pædagoger drøfter en bekymring for et barn med \
                          Familieafdelingens socialrådgiver — uden at nævne barnets navn."
                .into(),
            channel: ConsultationChannel::Phone,
            location: Some("Ring 87 53 50 00".into()),
            weekdays: vec![Weekday::Thu],
            start_minute: 12 * 60,
            end_minute: 13 * 60,
            slot_minutes: 15,
        },
    )
    .await?;
    consultations::publish_offer(
        &txn,
        &region_admin,
        now,
        region_admin.organization_id,
        OfferInput {
            host_id: staff[9],
            name: "Konsultationstid i børne- og ungdomspsykiatrien".into(),
            description: "Kommunens fagpersoner kan få sparring med en børne- og ungdomspsykiater \
                          om et barn, de er bekymrede for, før en eventuel henvisning."
                .into(),
            channel: ConsultationChannel::Video,
            location: None,
            weekdays: vec![Weekday::Tue, Weekday::Thu],
            start_minute: 9 * 60,
            end_minute: 10 * 60,
            slot_minutes: 20,
        },
    )
    .await?;
    let calendar = kit_entity::domain::calendar::calendar_of(&txn, phone.organization_id).await?;
    if let Some((starts, _)) = phone
        .pattern()
        .slots(
            &calendar,
            now + TimeDelta::days(1),
            now + TimeDelta::days(15),
        )
        .first()
    {
        consultations::book(
            &txn,
            &health_visitor,
            now,
            Book {
                offer_id: phone.id,
                starts_at: *starts,
                topic: ConsultationTopic::Anxiety,
                concern: "En dreng på 4 år græder hver morgen ved aflevering i børnehaven og \
                          har svært ved at falde i søvn. Forældrene er bekymrede."
                    .into(),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A coordination committee meeting next week with the referrals still waiting at the
/// entry point on its agenda, undecided: the intake unit records the decisions.
async fn load_committee(
    state: &AppState,
    intake: &Actor,
    staff: &[ProfessionalId],
    cases: &[kit_entity::entities::case::Model],
) -> Result<()> {
    use kit_entity::ops::committee::{self, Schedule};
    let now = state.clock.now();
    use kit_entity::entities::case;
    use sea_orm::QueryOrder;
    let waiting: Vec<_> = case::Entity::find()
        .filter(case::Column::Id.is_in(cases.iter().map(|c| c.id)))
        .filter(case::Column::Status.is_in([CaseStatus::Referred, CaseStatus::InIntake]))
        .order_by_asc(case::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if waiting.is_empty() {
        return Ok(());
    }
    let thursday = monday_in(kit_entity::domain::calendar::local_date(now), 1) + TimeDelta::days(3);
    let starts_at =
        kit_entity::domain::calendar::instant(thursday.and_hms_opt(13, 0, 0).unwrap_or_default());
    let txn = begin_write(&state.db).await?;
    committee::schedule(
        &txn,
        intake,
        now,
        Schedule {
            municipality_id: intake.organization_id,
            starts_at,
            duration_minutes: 90,
            location: Some("Rådhuset, Hornslet — mødelokale 2".into()),
            member_ids: vec![staff[5], staff[6], staff[7], staff[8]],
            case_ids: waiting,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The first Monday on or after `weeks` weeks from `today`.
fn monday_in(today: NaiveDate, weeks: i64) -> NaiveDate {
    let day = today + TimeDelta::weeks(weeks);
    let to_monday = (7 - i64::from(day.weekday().num_days_from_monday())) % 7;
    day + TimeDelta::days(to_monday)
}

/// The catalogue of early interventions, its cohorts, and children waiting: the two
/// redirected cases and one active case on Cool Kids (the first of them enrolled), one active
/// case offered a seat in a children's group and not yet answered. A child is placed only
/// where their age fits the offer on the day the demo is loaded.
async fn load_catalogue(
    state: &AppState,
    admin: &Actor,
    intake: &Actor,
    units: &[UnitId],
    cases: &[kit_entity::entities::case::Model],
) -> Result<()> {
    use kit_entity::ops::catalogue::{self, OfferFields, OfferSeat};
    let now = state.clock.now();
    let today = kit_entity::domain::calendar::local_date(now);
    let txn = begin_write(&state.db).await?;
    let mut cohorts = std::collections::HashMap::new();
    let mut offers = std::collections::HashMap::new();
    for o in OFFERS {
        let offer = catalogue::create_offer(
            &txn,
            admin,
            now,
            admin.organization_id,
            OfferFields {
                provider_unit_id: units[o.unit],
                name: o.name.into(),
                purpose: o.purpose.into(),
                min_age: o.ages.0,
                max_age: o.ages.1,
                cadence: o.cadence.into(),
                sessions: o.sessions,
                weeks_between_cohorts: o.weeks_between_cohorts,
                seats_per_cohort: o.seats,
                sharing_requires_consent: o.sharing_requires_consent,
            },
        )
        .await?;
        let mut added = Vec::new();
        for &(weeks, seats) in o.cohorts {
            added.push(
                catalogue::add_cohort(&txn, admin, now, offer.id, monday_in(today, weeks), seats)
                    .await?,
            );
        }
        cohorts.insert(o.name, added);
        offers.insert(o.name, offer);
    }
    // Who waits where: (offer, demo case index).
    let placements = [
        ("Cool Kids", 17),
        ("Cool Kids", 18),
        ("Cool Kids", 5),
        ("Børnegruppe for børn af forældre med psykisk sygdom", 1),
    ];
    let mut first_in_line: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for (name, index) in placements {
        let (Some(offer), Some(case)) = (offers.get(name), cases.get(index)) else {
            continue;
        };
        let demo = &CASES[index];
        let born = NaiveDate::from_ymd_opt(demo.born.0, demo.born.1, demo.born.2)
            .ok_or_else(|| Error::internal("a demo date of birth is invalid"))?;
        let fits =
            kit_entity::domain::catalogue::fits_age(born, today, offer.min_age, offer.max_age).0;
        if !fits {
            continue;
        }
        let entry = catalogue::place(&txn, intake, now, case.id, offer.id).await?;
        // The first child placed on each offer is offered the first cohort's seat: on Cool
        // Kids the family has accepted; on the children's group the answer is awaited.
        if first_in_line.insert(name, true).is_none()
            && let Some(cohort) = cohorts.get(name).and_then(|c| c.first())
        {
            let answer_by = (today + TimeDelta::days(7)).min(cohort.starts_on);
            catalogue::offer_seat(
                &txn,
                intake,
                now,
                OfferSeat {
                    cohort_id: cohort.id,
                    entry_id: Some(entry.id),
                    answer_by,
                },
            )
            .await?;
            if name == "Cool Kids" {
                catalogue::answer_seat_offer(&txn, intake, now, entry.id, true).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn load_case(
    state: &AppState,
    referrer: &Actor,
    intake: &Actor,
    staff: &[ProfessionalId],
    demo: &DemoCase,
    index: usize,
) -> Result<kit_entity::entities::case::Model> {
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
        &state.cpr,
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
        participants::assign_responsible_contact(
            &txn,
            intake,
            now,
            case.id,
            municipal_contact,
            Some(Sector::Municipality),
        )
        .await?;
        if index % 3 != 2 {
            participants::assign_responsible_contact(
                &txn,
                intake,
                now,
                case.id,
                staff[8],
                Some(Sector::ChildPsychiatry),
            )
            .await?;
            // The guardian's (or the young person's own) consent to coordinate with child
            // psychiatry; one such case in five has none yet, to show what psychiatry sees
            // then.
            if index % 5 != 4 {
                give_consent(&txn, intake, now, &case, staff[8]).await?;
            }
        }
        let psychologist = if index.is_multiple_of(2) {
            staff[4]
        } else {
            staff[9]
        };
        participants::add(
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
        // The municipal contact also answers for the pathway's actions as intervention lead;
        // one case in four has none yet, its deadline running.
        if index % 4 != 3 {
            participants::assign_intervention_lead(&txn, intake, now, case.id, municipal_contact)
                .await?;
        }
        if let Some(parent) = family_member::Entity::find()
            .filter(family_member::Column::ChildId.eq(case.child_id))
            .one(&txn)
            .await?
        {
            participants::add(
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
            participants::add(
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
    Ok(case)
}
