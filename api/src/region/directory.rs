//! The region's organizations, units and professionals, and what each municipality runs: its
//! catalogue of early interventions with cohorts, its consultation offers, and its
//! coordination committee's weekly meetings.

use chrono::{Datelike, TimeDelta};
use kit_entity::Result;
use kit_entity::domain::enums::{
    CommitteeMeetingStatus, ConsultationChannel, Language, OrganizationKind,
};
use kit_entity::entities::{
    committee_meeting, committee_member, consultation_offer, early_intervention_cohort,
    early_intervention_offer, organization, professional, unit,
};
use kit_entity::ids::{
    CohortId, CommitteeMeetingId, ConsultationOfferId, OfferId, OrganizationId, ProfessionalId,
    UnitId,
};
use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::{Options, Seeded, bulk, office_time, rng};

/// Names of the municipalities, as many as asked for (numbered beyond the list).
const MUNICIPALITIES: &[&str] = &[
    "Aarhus",
    "Randers",
    "Horsens",
    "Silkeborg",
    "Herning",
    "Viborg",
    "Holstebro",
    "Skive",
    "Favrskov",
    "Skanderborg",
    "Syddjurs",
    "Norddjurs",
    "Hedensted",
    "Ikast-Brande",
    "Lemvig",
    "Struer",
    "Ringkøbing-Skjern",
    "Odder",
    "Samsø",
    "Herning Vest",
    "Djursland",
    "Gudenå",
    "Limfjord",
    "Mols",
    "Kattegat",
    "Søhøjlandet",
    "Kongenå",
    "Salling",
    "Thyholm",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Anna", "Emma", "Ida", "Freja", "Clara", "Laura", "Alma", "Ella", "Sofie", "Maja", "Karla",
    "Olivia", "Agnes", "Josefine", "Mathilde", "William", "Noah", "Oscar", "Lucas", "Carl",
    "Victor", "Malthe", "Alfred", "Emil", "Oliver", "Magnus", "Frederik", "Elias", "Aksel",
    "August", "Mette", "Hanne", "Lene", "Susanne", "Jens", "Peter", "Lars", "Henrik", "Søren",
    "Camilla", "Louise", "Anders", "Rasmus", "Line", "Tina", "Mads", "Kasper", "Pia",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Krog",
    "Lund",
    "Holm",
    "Kjær",
    "Bech",
    "Dahl",
    "Vestergaard",
    "Skov",
    "Bak",
    "Friis",
];

/// What a municipality's case draws its people from.
#[derive(Debug, Clone)]
pub(super) struct Municipality {
    pub id: OrganizationId,
    pub name: String,
    pub intake_unit: UnitId,
    pub intake: Vec<ProfessionalId>,
    pub caseworkers: Vec<ProfessionalId>,
    pub ppr: Vec<ProfessionalId>,
    pub health: Vec<ProfessionalId>,
    pub school: Vec<ProfessionalId>,
    pub leaders: Vec<ProfessionalId>,
    pub offers: Vec<(OfferId, Vec<(CohortId, chrono::NaiveDate)>)>,
    /// Weekly committee meetings, oldest first.
    pub committee: Vec<(CommitteeMeetingId, chrono::DateTime<chrono::Utc>)>,
    pub consultation_offers: Vec<ConsultationOfferId>,
    /// The share of the region's cases (by size).
    pub weight: f64,
}

/// The region as the cases need it.
#[derive(Debug, Clone)]
pub(super) struct Region {
    pub psychiatry: OrganizationId,
    pub psychiatrists: Vec<ProfessionalId>,
    pub municipalities: Vec<Municipality>,
    /// Every professional's subject, by id (index = id − 1).
    pub subjects: Vec<String>,
    /// Every professional's e-mail, by id (index = id − 1).
    pub emails: Vec<String>,
    pub admin: ProfessionalId,
    pub data_protection: ProfessionalId,
}

impl Region {
    pub fn email(&self, id: ProfessionalId) -> &str {
        usize::try_from(id.0 - 1)
            .ok()
            .and_then(|i| self.emails.get(i))
            .map_or("", String::as_str)
    }

    fn subject(&self, id: ProfessionalId) -> String {
        usize::try_from(id.0 - 1)
            .ok()
            .and_then(|i| self.subjects.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// Whom to try the API as.
    pub fn users(&self) -> Vec<(String, String)> {
        let Some(first) = self.municipalities.first() else {
            return Vec::new();
        };
        let mut users = Vec::new();
        let mut add = |who: Option<&ProfessionalId>, what: String| {
            if let Some(id) = who {
                users.push((self.subject(*id), what));
            }
        };
        add(
            first.intake.first(),
            format!(
                "intake unit, {}: sees every case of the municipality",
                first.name
            ),
        );
        add(
            first.caseworkers.first(),
            format!(
                "responsible contact, {}: a caseload of their own",
                first.name
            ),
        );
        add(
            self.psychiatrists.first(),
            "child psychiatrist: the cases they take part in across municipalities".into(),
        );
        add(
            first.leaders.first(),
            format!("unit leader, {}: receives escalations", first.name),
        );
        add(Some(&self.admin), "administrator of the directory".into());
        add(
            Some(&self.data_protection),
            "data-protection officer: subject access".into(),
        );
        users
    }
}

/// Writes the directory, catalogues, consultation offers and committee meetings.
pub(super) async fn write(
    db: &DatabaseConnection,
    options: &Options,
    seeded: &mut Seeded,
) -> Result<Region> {
    let now = options.start();
    let mut r = rng(options.seed, 1, 0);
    let mut organizations = Vec::new();
    let mut units = Vec::new();
    let mut professionals = Vec::new();
    let mut subjects = Vec::new();
    let mut emails = Vec::new();
    let mut next_unit = 0_i64;
    let mut new_unit =
        |org: OrganizationId, name: &str, intake: bool, units: &mut Vec<unit::ActiveModel>| {
            next_unit += 1;
            units.push(unit::ActiveModel {
                id: Set(UnitId(next_unit)),
                organization_id: Set(org),
                name: Set(name.to_owned()),
                is_intake: Set(intake),
                created_at: Set(now),
                updated_at: Set(now),
            });
            UnitId(next_unit)
        };
    let mut new_professional =
        |unit: UnitId,
         domain: &str,
         title: &str,
         leads: bool,
         r: &mut rand_chacha::ChaCha8Rng,
         professionals: &mut Vec<professional::ActiveModel>| {
            let id = ProfessionalId(professionals.len() as i64 + 1);
            let first = FIRST_NAMES.choose(r).copied().unwrap_or("Anna");
            let last = LAST_NAMES.choose(r).copied().unwrap_or("Nielsen");
            let subject = format!("{}.{}.{}@{domain}", ascii(first), ascii(last), id.0);
            subjects.push(subject.clone());
            emails.push(subject.clone());
            professionals.push(professional::ActiveModel {
                id: Set(id),
                subject: Set(subject.clone()),
                name: Set(format!("{first} {last}")),
                title: Set(title.to_owned()),
                email: Set(subject),
                phone: Set(Some(format!("+45 {:08}", 20_000_000 + id.0))),
                unit_id: Set(unit),
                leads_unit_id: Set(leads.then_some(unit)),
                is_admin: Set(false),
                is_data_protection: Set(false),
                is_active: Set(true),
                language: Set(Language::Da),
                created_at: Set(now),
                updated_at: Set(now),
            });
            id
        };

    // Child and adolescent psychiatry: one organization with its outpatient clinics.
    let psychiatry = OrganizationId(1);
    organizations.push(org(
        psychiatry,
        "Børne- og Ungdomspsykiatrien, Region",
        OrganizationKind::RegionalChildPsychiatry,
        now,
    ));
    let municipal_count = options.municipalities as usize;
    // Professionals: a tenth in child psychiatry, the rest by municipality size.
    let weights: Vec<f64> = (0..municipal_count)
        .map(|i| 1.0 / (1.0 + i as f64 * 0.15))
        .collect();
    let total_weight: f64 = weights.iter().sum();
    let psychiatry_staff = (options.professionals / 10).max(12) as usize;
    let clinics: Vec<UnitId> = [
        "Ambulatorium Nord",
        "Ambulatorium Syd",
        "Ambulatorium Vest",
        "Akutteam",
        "Sengeafsnit",
    ]
    .iter()
    .map(|name| new_unit(psychiatry, name, false, &mut units))
    .collect();
    let mut psychiatrists = Vec::new();
    for i in 0..psychiatry_staff {
        let clinic = clinics[i % clinics.len()];
        let title = ["Overlæge", "Psykolog", "Sygeplejerske", "Socialrådgiver"][i % 4];
        psychiatrists.push(new_professional(
            clinic,
            "bup.region.example",
            title,
            i < clinics.len(),
            &mut r,
            &mut professionals,
        ));
    }
    let municipal_staff = options.professionals as usize - psychiatry_staff;
    let mut municipalities = Vec::new();
    for (i, weight) in weights.iter().enumerate() {
        let id = OrganizationId(i as i64 + 2);
        let base = MUNICIPALITIES
            .get(i)
            .map_or_else(|| format!("Kommune {}", i + 1), |n| (*n).to_owned());
        let name = format!("{base} Kommune");
        let domain = format!("{}.example", ascii(&base).replace(' ', "-"));
        organizations.push(org(id, &name, OrganizationKind::Municipality, now));
        let intake_unit = new_unit(id, "Indgangen", true, &mut units);
        let family = new_unit(id, "Familieafdelingen", false, &mut units);
        let ppr = new_unit(id, "PPR", false, &mut units);
        let health = new_unit(id, "Sundhedsplejen", false, &mut units);
        let school = new_unit(id, "Skoler og dagtilbud", false, &mut units);
        let staff = ((municipal_staff as f64) * weight / total_weight)
            .round()
            .max(15.0) as usize;
        let mut m = Municipality {
            id,
            name,
            intake_unit,
            intake: Vec::new(),
            caseworkers: Vec::new(),
            ppr: Vec::new(),
            health: Vec::new(),
            school: Vec::new(),
            leaders: Vec::new(),
            offers: Vec::new(),
            committee: Vec::new(),
            consultation_offers: Vec::new(),
            weight: *weight / total_weight,
        };
        for (unit, title) in [
            (intake_unit, "Leder af Indgangen"),
            (family, "Afdelingsleder"),
            (ppr, "PPR-leder"),
            (health, "Ledende sundhedsplejerske"),
            (school, "Skoleleder"),
        ] {
            m.leaders.push(new_professional(
                unit,
                &domain,
                title,
                true,
                &mut r,
                &mut professionals,
            ));
        }
        for k in 0..staff.saturating_sub(5) {
            let (unit, title, list) = match k % 10 {
                0 => (intake_unit, "Socialrådgiver", &mut m.intake),
                1..=4 => (family, "Socialrådgiver", &mut m.caseworkers),
                5 | 6 => (ppr, "Psykolog", &mut m.ppr),
                7 => (health, "Sundhedsplejerske", &mut m.health),
                _ => (school, "Lærer", &mut m.school),
            };
            list.push(new_professional(
                unit,
                &domain,
                title,
                false,
                &mut r,
                &mut professionals,
            ));
        }
        municipalities.push(m);
    }
    // One administrator for the region's installation.
    let admin = ProfessionalId(professionals.len() as i64 + 1);
    let admin_unit = new_unit(psychiatry, "Administration", false, &mut units);
    new_professional(
        admin_unit,
        "region.example",
        "Systemadministrator",
        false,
        &mut r,
        &mut professionals,
    );
    // The data-protection officer answers subject access requests for the first municipality.
    let dpo_unit = new_unit(OrganizationId(2), "Databeskyttelse", false, &mut units);
    let data_protection = new_professional(
        dpo_unit,
        "region.example",
        "Databeskyttelsesrådgiver",
        false,
        &mut r,
        &mut professionals,
    );
    if let Some(p) = professionals.get_mut(usize::try_from(admin.0 - 1).unwrap_or(0)) {
        p.is_admin = Set(true);
    }
    if let Some(p) = professionals.last_mut() {
        p.is_data_protection = Set(true);
    }

    let txn = db.begin().await?;
    seeded.add("organizations", bulk::insert(&txn, organizations).await?);
    seeded.add("units", bulk::insert(&txn, units).await?);
    seeded.add("professionals", bulk::insert(&txn, professionals).await?);
    catalogue(&txn, options, &mut municipalities, seeded).await?;
    txn.commit().await?;
    Ok(Region {
        psychiatry,
        psychiatrists,
        municipalities,
        subjects,
        emails,
        admin,
        data_protection,
    })
}

fn org(
    id: OrganizationId,
    name: &str,
    kind: OrganizationKind,
    now: chrono::DateTime<chrono::Utc>,
) -> organization::ActiveModel {
    organization::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        kind: Set(kind),
        office_hours_start_minute: Set(8 * 60),
        office_hours_end_minute: Set(16 * 60),
        follow_up_months: Set(3),
        meeting_notice_days: Set(5),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A name as it may stand in an e-mail address.
pub(super) fn ascii(name: &str) -> String {
    name.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
}

/// Each municipality's early interventions (with cohorts every eight weeks), consultation
/// offers and weekly committee meetings with their members.
async fn catalogue(
    txn: &sea_orm::DatabaseTransaction,
    options: &Options,
    municipalities: &mut [Municipality],
    seeded: &mut Seeded,
) -> Result<()> {
    let start = options.start();
    let end = options.until + TimeDelta::weeks(6);
    let mut offers = Vec::new();
    let mut cohorts = Vec::new();
    let mut consultations = Vec::new();
    let mut meetings = Vec::new();
    let mut members = Vec::new();
    let catalogue = [
        (
            "Cool Kids",
            "Angstbehandling i grupper for børn 7–12 år",
            7,
            12,
            Some(8),
        ),
        (
            "Stepping Stones",
            "Forældreprogram for familier med børn med udfordringer",
            3,
            12,
            Some(8),
        ),
        (
            "GRO",
            "Samtalegruppe for unge med lavt selvværd",
            13,
            17,
            Some(10),
        ),
        (
            "SSP-bekymringssamtale",
            "Samtale med den unge og forældrene ved bekymring",
            10,
            17,
            None,
        ),
        (
            "Skolepar",
            "En lærer og en psykolog følger barnet i skolen",
            6,
            16,
            None,
        ),
    ];
    for m in municipalities.iter_mut() {
        let mut r = rng(options.seed, 2, m.id.0 as u64);
        let provider = m.intake_unit;
        let created_by = m.leaders[0];
        for (name, purpose, min_age, max_age, weeks) in catalogue {
            let offer = OfferId(offers.len() as i64 + 1);
            offers.push(early_intervention_offer::ActiveModel {
                id: Set(offer),
                municipality_id: Set(m.id),
                provider_unit_id: Set(provider),
                name: Set(name.to_owned()),
                purpose: Set(purpose.to_owned()),
                min_age: Set(min_age),
                max_age: Set(max_age),
                cadence: Set(
                    weeks.map_or_else(|| "Løbende".to_owned(), |w| format!("Hold hver {w}. uge"))
                ),
                sessions: Set(weeks.map(|_| 10)),
                weeks_between_cohorts: Set(weeks),
                seats_per_cohort: Set(8),
                sharing_requires_consent: Set(true),
                is_active: Set(true),
                created_by_id: Set(created_by),
                created_at: Set(start),
                updated_at: Set(start),
            });
            let mut own = Vec::new();
            if let Some(weeks) = weeks {
                let mut day = start.date_naive() + TimeDelta::days(r.random_range(0..56));
                while day <= end.date_naive() {
                    let id = CohortId(cohorts.len() as i64 + 1);
                    cohorts.push(early_intervention_cohort::ActiveModel {
                        id: Set(id),
                        offer_id: Set(offer),
                        starts_on: Set(day),
                        seats: Set(8),
                        created_by_id: Set(created_by),
                        created_at: Set(start),
                        updated_at: Set(start),
                    });
                    own.push((id, day));
                    day += TimeDelta::weeks(i64::from(weeks));
                }
            }
            m.offers.push((offer, own));
        }
        for (host, name, channel, weekday) in [
            (
                m.caseworkers[0],
                "Telefonisk sparring med en socialrådgiver",
                ConsultationChannel::Phone,
                chrono::Weekday::Thu,
            ),
            (
                m.ppr.first().copied().unwrap_or(m.caseworkers[0]),
                "PPR's åbne rådgivning",
                ConsultationChannel::Video,
                chrono::Weekday::Tue,
            ),
        ] {
            let id = ConsultationOfferId(consultations.len() as i64 + 1);
            consultations.push(consultation_offer::ActiveModel {
                id: Set(id),
                organization_id: Set(m.id),
                host_id: Set(host),
                name: Set(name.to_owned()),
                description: Set("Anonym sparring om et barn, du er bekymret for.".to_owned()),
                channel: Set(channel),
                location: Set(None),
                weekdays: Set(1 << weekday.num_days_from_monday()),
                start_minute: Set(12 * 60),
                end_minute: Set(13 * 60),
                slot_minutes: Set(15),
                active: Set(true),
                created_at: Set(start),
                updated_at: Set(start),
            });
            m.consultation_offers.push(id);
        }
        // The coordination committee meets every Tuesday morning.
        let mut day = start.date_naive();
        while day.weekday() != chrono::Weekday::Tue {
            day = day.succ_opt().unwrap_or(day);
        }
        while day <= end.date_naive() {
            let id = CommitteeMeetingId(meetings.len() as i64 + 1);
            let starts_at = office_time(day, 60);
            meetings.push(committee_meeting::ActiveModel {
                id: Set(id),
                municipality_id: Set(m.id),
                starts_at: Set(starts_at),
                ends_at: Set(starts_at + TimeDelta::hours(2)),
                location: Set(Some("Mødelokale 1, Rådhuset".to_owned())),
                organizer_id: Set(m.leaders[0]),
                status: Set(CommitteeMeetingStatus::Scheduled),
                sequence: Set(0),
                created_at: Set(starts_at - TimeDelta::weeks(2)),
            });
            for who in m.intake.iter().take(3).chain(m.leaders.iter().take(2)) {
                members.push(committee_member::ActiveModel {
                    id: Set(members.len() as i64 + 1),
                    committee_meeting_id: Set(id),
                    professional_id: Set(*who),
                    response: Set(kit_entity::domain::enums::InviteeResponse::NeedsAction),
                    responded_at: Set(None),
                });
            }
            m.committee.push((id, starts_at));
            day += TimeDelta::weeks(1);
        }
    }
    seeded.add(
        "early_intervention_offers",
        bulk::insert(txn, offers).await?,
    );
    seeded.add(
        "early_intervention_cohorts",
        bulk::insert(txn, cohorts).await?,
    );
    seeded.add(
        "consultation_offers",
        bulk::insert(txn, consultations).await?,
    );
    seeded.add("committee_meetings", bulk::insert(txn, meetings).await?);
    seeded.add("committee_members", bulk::insert(txn, members).await?);
    Ok(())
}
