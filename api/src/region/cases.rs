//! The cases: each one's life from referral to where it stands on the last day, drawn from its
//! own generator — child and family, referral and committee decision, status history,
//! participants, meetings with invitees and their e-mails, deadlines with notifications,
//! plans and agreements, consents, documents, events, waiting-list places and the
//! consultations professionals booked.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use kit_entity::cpr::vault::CprVault;
use kit_entity::domain::enums::{
    AgreementStatus, CaseEventKind, CommitteeDecision, ConsentPurpose, ConsultationStatus,
    ConsultationTopic, DeadlineStatus, DeliveryStatus, DocumentKind, FamilyRelation,
    InviteeResponse, ItipMethod, Language, MailSubject, MeetingKind, MeetingStatus,
    NotificationKind, ParticipantKind, ParticipantRole, PlanItemKind, ReferralSource, Sector,
    WaitingStatus,
};
use kit_entity::domain::status::CaseStatus;
use kit_entity::entities::{
    agreement, case, case_event, case_status_change, child, committee_agenda_item, consent,
    consent_organization, consultation_booking, deadline, deadline_rule, delivery, document,
    document_share, family_member, meeting, meeting_invitee, notification, participant,
    plan_agreement, plan_item, plan_version, referral, waiting_entry,
};
use kit_entity::ids::{
    AgreementId, CaseEventId, CaseId, CaseStatusChangeId, ChildId, CommitteeAgendaItemId,
    ConsentId, ConsultationBookingId, DeadlineId, DeadlineRuleId, DeliveryId, DocumentId,
    FamilyMemberId, InviteeId, MeetingId, NotificationId, ParticipantId, PlanVersionId,
    ProfessionalId, ReferralId, WaitingEntryId,
};
use kit_entity::{Error, Result};
use rand::Rng;
use rand::seq::IndexedRandom;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};

use super::directory::{FIRST_NAMES, LAST_NAMES, Municipality, Region, ascii};
use super::{Options, Seeded, bulk, office_time, rng};

/// Cases written per transaction.
const BATCH: usize = 1_000;

/// What the access log needs of a case: who works on it, and when it was open.
#[derive(Debug, Clone)]
pub(super) struct Activity {
    pub case: CaseId,
    pub municipality: usize,
    pub opened: DateTime<Utc>,
    pub closed: Option<DateTime<Utc>>,
    /// The professionals taking part (the responsible contacts first).
    pub professionals: Vec<ProfessionalId>,
}

/// Every table's rows of one batch, and the counters that give each row its id.
#[derive(Default)]
struct Rows {
    children: Vec<child::ActiveModel>,
    family: Vec<family_member::ActiveModel>,
    cases: Vec<case::ActiveModel>,
    referrals: Vec<referral::ActiveModel>,
    statuses: Vec<case_status_change::ActiveModel>,
    participants: Vec<participant::ActiveModel>,
    events: Vec<case_event::ActiveModel>,
    meetings: Vec<meeting::ActiveModel>,
    invitees: Vec<meeting_invitee::ActiveModel>,
    deadlines: Vec<deadline::ActiveModel>,
    notifications: Vec<notification::ActiveModel>,
    deliveries: Vec<delivery::ActiveModel>,
    agreements: Vec<agreement::ActiveModel>,
    versions: Vec<plan_version::ActiveModel>,
    items: Vec<plan_item::ActiveModel>,
    plan_agreements: Vec<plan_agreement::ActiveModel>,
    consents: Vec<consent::ActiveModel>,
    consent_orgs: Vec<consent_organization::ActiveModel>,
    documents: Vec<document::ActiveModel>,
    shares: Vec<document_share::ActiveModel>,
    agenda: Vec<committee_agenda_item::ActiveModel>,
    waiting: Vec<waiting_entry::ActiveModel>,
    bookings: Vec<consultation_booking::ActiveModel>,
}

#[derive(Default)]
struct Ids {
    /// The CPR numbers given so far.
    cprs: std::collections::HashSet<String>,
    family: i64,
    statuses: i64,
    participants: i64,
    events: i64,
    meetings: i64,
    invitees: i64,
    deadlines: i64,
    notifications: i64,
    deliveries: i64,
    agreements: i64,
    versions: i64,
    items: i64,
    plan_agreements: i64,
    consents: i64,
    documents: i64,
    shares: i64,
    agenda: i64,
    waiting: i64,
    bookings: i64,
}

fn next(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter
}

/// The global deadline rules by code.
struct Rules(Vec<deadline_rule::Model>);

impl Rules {
    fn id(&self, code: &str) -> DeadlineRuleId {
        self.0
            .iter()
            .find(|r| r.code == code && r.organization_id.is_none() && r.superseded_at.is_none())
            .map_or(DeadlineRuleId(0), |r| r.id)
    }
}

/// Writes every case, a batch per transaction, and returns what the access log draws on.
pub(super) async fn write(
    db: &DatabaseConnection,
    vault: &CprVault,
    options: &Options,
    region: &Region,
    seeded: &mut Seeded,
) -> Result<Vec<Activity>> {
    let rules = Rules(deadline_rule::Entity::find().all(db).await?);
    if rules.id("intake-decision").0 == 0 {
        return Err(Error::conflict(
            "the deadline rules are missing: migrate first",
        ));
    }
    // Each case's municipality, by size, and its first day, in order.
    let mut r = rng(options.seed, 3, 0);
    let span = (options.until - options.start()).num_minutes().max(1);
    let mut plan: Vec<(usize, DateTime<Utc>)> = (0..options.cases)
        .map(|_| {
            let mut pick = r.random::<f64>();
            let mut m = 0;
            for (i, municipality) in region.municipalities.iter().enumerate() {
                m = i;
                if pick < municipality.weight {
                    break;
                }
                pick -= municipality.weight;
            }
            // Slightly more cases lately, as referrals grow year on year.
            let f = r.random::<f64>().powf(0.8);
            let minute = (f * span as f64) as i64;
            (m, options.start() + TimeDelta::minutes(minute))
        })
        .collect();
    plan.sort_by_key(|(_, at)| *at);
    let mut ids = Ids::default();
    let mut activity = Vec::with_capacity(plan.len());
    for (batch, chunk) in plan.chunks(BATCH).enumerate() {
        let mut rows = Rows::default();
        for (i, (m, opened)) in chunk.iter().enumerate() {
            let n = (batch * BATCH + i + 1) as i64;
            let mut life = Life {
                r: rng(options.seed, 4, n as u64),
                case: CaseId(n),
                region,
                municipality: &region.municipalities[*m],
                rules: &rules,
                until: options.until,
                rows: &mut rows,
                ids: &mut ids,
            };
            let (closed, professionals) = life.write(vault, *opened)?;
            activity.push(Activity {
                case: CaseId(n),
                municipality: *m,
                opened: *opened,
                closed,
                professionals,
            });
        }
        if batch == 0 {
            consultations(options, region, &mut rows, &mut ids);
        }
        flush(db, rows, seeded).await?;
    }
    Ok(activity)
}

async fn flush(db: &DatabaseConnection, rows: Rows, seeded: &mut Seeded) -> Result<()> {
    let txn = db.begin().await?;
    seeded.add("children", bulk::insert(&txn, rows.children).await?);
    seeded.add("family_members", bulk::insert(&txn, rows.family).await?);
    seeded.add("cases", bulk::insert(&txn, rows.cases).await?);
    seeded.add("referrals", bulk::insert(&txn, rows.referrals).await?);
    seeded.add(
        "case_status_changes",
        bulk::insert(&txn, rows.statuses).await?,
    );
    seeded.add("participants", bulk::insert(&txn, rows.participants).await?);
    seeded.add("meetings", bulk::insert(&txn, rows.meetings).await?);
    seeded.add("meeting_invitees", bulk::insert(&txn, rows.invitees).await?);
    seeded.add("case_events", bulk::insert(&txn, rows.events).await?);
    seeded.add("agreements", bulk::insert(&txn, rows.agreements).await?);
    seeded.add("plan_versions", bulk::insert(&txn, rows.versions).await?);
    seeded.add("plan_items", bulk::insert(&txn, rows.items).await?);
    seeded.add(
        "plan_agreements",
        bulk::insert(&txn, rows.plan_agreements).await?,
    );
    seeded.add("deadlines", bulk::insert(&txn, rows.deadlines).await?);
    seeded.add(
        "notifications",
        bulk::insert(&txn, rows.notifications).await?,
    );
    seeded.add("deliveries", bulk::insert(&txn, rows.deliveries).await?);
    seeded.add("consents", bulk::insert(&txn, rows.consents).await?);
    seeded.add(
        "consent_organizations",
        bulk::insert(&txn, rows.consent_orgs).await?,
    );
    seeded.add("documents", bulk::insert(&txn, rows.documents).await?);
    seeded.add("document_shares", bulk::insert(&txn, rows.shares).await?);
    seeded.add(
        "committee_agenda_items",
        bulk::insert(&txn, rows.agenda).await?,
    );
    seeded.add("waiting_entries", bulk::insert(&txn, rows.waiting).await?);
    seeded.add(
        "consultation_bookings",
        bulk::insert(&txn, rows.bookings).await?,
    );
    txn.commit().await?;
    Ok(())
}

/// One case's life.
struct Life<'a> {
    r: rand_chacha::ChaCha8Rng,
    case: CaseId,
    region: &'a Region,
    municipality: &'a Municipality,
    rules: &'a Rules,
    until: DateTime<Utc>,
    rows: &'a mut Rows,
    ids: &'a mut Ids,
}

/// A participant as the case's meetings and agreements need it.
#[derive(Clone, Copy)]
struct Part {
    id: ParticipantId,
    professional: Option<ProfessionalId>,
    email_of_family: bool,
    sector: Sector,
}

impl Life<'_> {
    fn pick(&mut self, list: &[ProfessionalId]) -> ProfessionalId {
        list.choose(&mut self.r)
            .copied()
            .or_else(|| self.municipality.caseworkers.first().copied())
            .unwrap_or(ProfessionalId(1))
    }

    fn chance(&mut self, p: f64) -> bool {
        self.r.random::<f64>() < p
    }

    fn days(&mut self, from: i64, to: i64) -> TimeDelta {
        TimeDelta::days(self.r.random_range(from..=to))
    }

    /// Writes the case; returns when it closed and who took part.
    fn write(
        &mut self,
        vault: &CprVault,
        opened: DateTime<Utc>,
    ) -> Result<(Option<DateTime<Utc>>, Vec<ProfessionalId>)> {
        let m = self.municipality;
        let age_days = (self.until - opened).num_days();
        let intake_worker = self.pick(&m.intake);
        // Where the case stands on the last day.
        let decided_after = self.days(3, 12);
        let decided_at = opened + decided_after;
        let decision = if self.chance(0.06) {
            CaseStatus::Redirected
        } else if self.chance(0.04) {
            CaseStatus::Rejected
        } else {
            CaseStatus::Active
        };
        // Referrals of the last few days wait for intake to start.
        let status = if age_days < 3 {
            CaseStatus::Referred
        } else if decided_at > self.until {
            CaseStatus::InIntake
        } else if decision != CaseStatus::Active {
            decision
        } else {
            CaseStatus::Active
        };
        let closes_after = self.days(120, 700);
        let closed_at = (status == CaseStatus::Active && decided_at + closes_after < self.until)
            .then_some(decided_at + closes_after);
        let status = if closed_at.is_some() {
            CaseStatus::Closed
        } else {
            status
        };

        // The child and the family.
        let age_years: i64 = self.r.random_range(3..=17);
        let born =
            (opened - TimeDelta::days(age_years * 365 + self.r.random_range(0..365))).date_naive();
        let first = FIRST_NAMES.choose(&mut self.r).copied().unwrap_or("Anna");
        let last = LAST_NAMES.choose(&mut self.r).copied().unwrap_or("Nielsen");
        let child_id = ChildId(self.case.0);
        // A number of the birth date no other child has (the serial's first digit, 4, fits
        // births from 2000 to 2036).
        let mut serial = 4000 + self.case.0 % 6000;
        let cpr = loop {
            let cpr = format!(
                "{:02}{:02}{:02}{serial:04}",
                born.day(),
                born.month(),
                born.year() % 100,
            );
            if self.ids.cprs.insert(cpr.clone()) {
                break cpr;
            }
            serial = 4000 + (serial - 4000 + 1) % 6000;
        };
        let name = format!("{first} {last}");
        self.rows.children.push(child::ActiveModel {
            id: Set(child_id),
            name_search: Set(child::search_key(&name)),
            name: Set(name),
            date_of_birth: Set(born),
            cpr: Set(Some(vault.seal(&cpr)?)),
            cpr_hmac: Set(Some(vault.lookup(&cpr))),
            created_at: Set(opened),
            updated_at: Set(opened),
        });
        let mut guardians = Vec::new();
        for relation in [FamilyRelation::Mother, FamilyRelation::Father] {
            let id = FamilyMemberId(next(&mut self.ids.family));
            let given = FIRST_NAMES.choose(&mut self.r).copied().unwrap_or("Mette");
            let email = format!("{}.{}.{}@familie.example", ascii(given), ascii(last), id.0);
            self.rows.family.push(family_member::ActiveModel {
                id: Set(id),
                child_id: Set(child_id),
                name: Set(format!("{given} {last}")),
                relation: Set(relation),
                has_custody: Set(true),
                email: Set(Some(email)),
                phone: Set(Some(format!("+45 {:08}", 30_000_000 + id.0))),
                language: Set(Language::Da),
                created_at: Set(opened),
                updated_at: Set(opened),
            });
            guardians.push(id);
        }
        let year = opened.year();
        self.rows.cases.push(case::ActiveModel {
            id: Set(self.case),
            reference: Set(case::reference_for(year, self.case)),
            child_id: Set(child_id),
            municipality_id: Set(m.id),
            status: Set(status),
            redirected_to: Set((status == CaseStatus::Redirected)
                .then(|| "Regionens børne- og ungdomspsykiatri".to_owned())),
            created_at: Set(opened),
            updated_at: Set(closed_at.unwrap_or(opened.max(decided_at.min(self.until)))),
        });
        let sources = [
            ReferralSource::GeneralPractitioner,
            ReferralSource::School,
            ReferralSource::Parents,
            ReferralSource::HospitalWard,
            ReferralSource::YoungPerson,
        ];
        let source = *sources
            .choose(&mut self.r)
            .unwrap_or(&ReferralSource::School);
        self.rows.referrals.push(referral::ActiveModel {
            id: Set(ReferralId(self.case.0)),
            case_id: Set(self.case),
            source: Set(source),
            received_at: Set(opened),
            reason: Set(
                "Barnet har over længere tid vist tegn på mistrivsel: ondt i maven, uro og \
                 fravær fra skolen."
                    .to_owned(),
            ),
            referrer_name: Set(Some("Henvisende fagperson".to_owned())),
            referrer_organization: Set(None),
            submitted_by_id: Set(intake_worker),
            submitted_cpr: Set(None),
            match_child_id: Set(None),
            match_name_differs: Set(None),
            match_birth_date_differs: Set(None),
            match_decision: Set(None),
            match_decided_at: Set(None),
            match_decided_by_id: Set(None),
            created_at: Set(opened),
        });
        let mut history = vec![(None, CaseStatus::Referred, opened)];
        if status != CaseStatus::Referred {
            history.push((
                Some(CaseStatus::Referred),
                CaseStatus::InIntake,
                opened + TimeDelta::hours(20),
            ));
        }
        if !matches!(status, CaseStatus::Referred | CaseStatus::InIntake) {
            history.push((Some(CaseStatus::InIntake), decision, decided_at));
        }
        if let Some(closed) = closed_at {
            history.push((Some(CaseStatus::Active), CaseStatus::Closed, closed));
        }
        for (from, to, at) in history {
            self.rows.statuses.push(case_status_change::ActiveModel {
                id: Set(CaseStatusChangeId(next(&mut self.ids.statuses))),
                case_id: Set(self.case),
                from_status: Set(from),
                to_status: Set(to),
                reason: Set(String::new()),
                changed_by_id: Set(intake_worker),
                changed_at: Set(at),
            });
        }
        self.committee(status, decision, decided_at);
        // The intake deadlines every case has.
        let assessed = opened + TimeDelta::hours(self.r.random_range(2..30));
        self.deadline(
            "referral-assessment",
            "",
            None,
            opened,
            opened + TimeDelta::hours(24),
            (status != CaseStatus::Referred).then_some(assessed),
            None,
            closed_at,
        );
        let decided =
            (!matches!(status, CaseStatus::Referred | CaseStatus::InIntake)).then_some(decided_at);
        self.deadline(
            "intake-decision",
            "",
            None,
            opened,
            opened + TimeDelta::days(14),
            decided,
            None,
            closed_at,
        );
        if !matches!(status, CaseStatus::Active | CaseStatus::Closed) {
            return Ok((None, Vec::new()));
        }

        // Participants: the responsible contacts, an intervention lead, the school and the
        // health visitor, both guardians and — from 12 — the child.
        let mut parts: Vec<Part> = Vec::new();
        let contact = self.pick(&m.caseworkers);
        let psychiatry = self.chance(0.45);
        let region = self.region;
        let psychiatrist = self.pick(&region.psychiatrists);
        let lead = self.pick(&m.ppr);
        let teacher = self.pick(&m.school);
        let nurse = self.pick(&m.health);
        let mut professionals = vec![contact];
        let mut cast = vec![(
            contact,
            ParticipantRole::ResponsibleContact,
            Sector::Municipality,
        )];
        if psychiatry {
            cast.push((
                psychiatrist,
                ParticipantRole::ResponsibleContact,
                Sector::ChildPsychiatry,
            ));
            professionals.push(psychiatrist);
        }
        cast.push((
            lead,
            ParticipantRole::InterventionLead,
            Sector::Municipality,
        ));
        cast.push((
            teacher,
            ParticipantRole::Professional,
            Sector::SchoolOrDayCare,
        ));
        cast.push((nurse, ParticipantRole::Professional, Sector::Municipality));
        for p in [lead, teacher, nurse] {
            if !professionals.contains(&p) {
                professionals.push(p);
            }
        }
        let mut seen = Vec::new();
        for (who, role, sector) in cast {
            if seen.contains(&(who, role)) {
                continue;
            }
            seen.push((who, role));
            let id = self.participant(
                ParticipantKind::Professional,
                role,
                sector,
                Some(who),
                None,
                decided_at,
                closed_at,
                intake_worker,
            );
            parts.push(Part {
                id,
                professional: Some(who),
                email_of_family: false,
                sector,
            });
        }
        for g in &guardians {
            let id = self.participant(
                ParticipantKind::FamilyMember,
                ParticipantRole::Guardian,
                Sector::Family,
                None,
                Some(*g),
                decided_at,
                closed_at,
                contact,
            );
            parts.push(Part {
                id,
                professional: None,
                email_of_family: true,
                sector: Sector::Family,
            });
        }
        if age_years >= 12 {
            let id = self.participant(
                ParticipantKind::Child,
                ParticipantRole::Child,
                Sector::Family,
                None,
                None,
                decided_at,
                closed_at,
                contact,
            );
            parts.push(Part {
                id,
                professional: None,
                email_of_family: false,
                sector: Sector::Family,
            });
        }
        let contact_part = parts[0];
        let assigned = decided_at + self.days(0, 9);
        self.deadline(
            "responsible-contact",
            "sector:MUNICIPALITY",
            Some(Sector::Municipality),
            decided_at,
            decided_at + TimeDelta::days(7),
            Some(assigned),
            Some(contact),
            closed_at,
        );

        // Consent to coordinate and to exchange information with child psychiatry.
        let consent_id = self.consents(guardians[0], decided_at, closed_at, contact, psychiatry);

        // Meetings: the start meeting, network meetings about every three months, follow-ups
        // between them, a closing meeting; some cancelled; the next one ahead while open.
        let end = closed_at.unwrap_or(self.until + TimeDelta::days(40));
        let mut at = decided_at + self.days(8, 30);
        let mut kind = MeetingKind::Start;
        let mut held_start = None;
        let mut last_held = None;
        let mut plan_version = 0;
        while at < end {
            let starts = office_time(at.date_naive(), 60 * self.r.random_range(1..6));
            let upcoming = starts > self.until;
            let cancelled = !upcoming && self.chance(0.05);
            let status = if upcoming {
                MeetingStatus::Scheduled
            } else if cancelled {
                MeetingStatus::Cancelled
            } else {
                MeetingStatus::Held
            };
            let meeting = self.meeting(kind, status, starts, contact_part.id, contact, &parts);
            if status == MeetingStatus::Held {
                last_held = Some(starts);
                if kind == MeetingKind::Start {
                    held_start = Some(starts);
                }
                if matches!(kind, MeetingKind::Start | MeetingKind::Network) {
                    plan_version += 1;
                    self.plan(meeting, starts, plan_version, contact, &parts);
                    self.document(meeting, starts, contact, consent_id, psychiatry);
                }
                if kind == MeetingKind::Network {
                    let shared = starts + self.days(1, 9);
                    self.deadline(
                        "plan-after-network-meeting",
                        &format!("meeting:{}", meeting.0),
                        None,
                        starts,
                        starts + TimeDelta::days(7),
                        Some(shared),
                        Some(contact),
                        closed_at,
                    );
                    self.event(
                        CaseEventKind::PlanShared,
                        None,
                        Some(meeting),
                        contact,
                        shared,
                    );
                    for sector in [Sector::Municipality, Sector::ChildPsychiatry] {
                        if sector == Sector::ChildPsychiatry && !psychiatry {
                            continue;
                        }
                        let shared = starts - self.days(3, 10);
                        self.event(
                            CaseEventKind::InformationShared,
                            Some(sector),
                            Some(meeting),
                            contact,
                            shared,
                        );
                    }
                }
            }
            if upcoming && kind == MeetingKind::Network {
                for (sector, who) in [
                    (Sector::Municipality, contact),
                    (Sector::ChildPsychiatry, psychiatrist),
                ] {
                    if sector == Sector::ChildPsychiatry && !psychiatry {
                        continue;
                    }
                    let name = if sector == Sector::Municipality {
                        "MUNICIPALITY"
                    } else {
                        "CHILD_PSYCHIATRY"
                    };
                    let shared = self.chance(0.5).then(|| self.until - self.days(0, 3));
                    self.deadline(
                        "information-before-network-meeting",
                        &format!("meeting:{}:sector:{name}", meeting.0),
                        Some(sector),
                        starts - TimeDelta::days(14),
                        starts - TimeDelta::days(7),
                        shared,
                        Some(who),
                        None,
                    );
                }
            }
            if upcoming {
                break;
            }
            at = starts + self.days(60, 110);
            kind = match kind {
                MeetingKind::Start | MeetingKind::FollowUp => MeetingKind::Network,
                _ => MeetingKind::FollowUp,
            };
        }
        if let Some(closed) = closed_at {
            let closing = office_time(closed.date_naive(), 120);
            self.meeting(
                MeetingKind::Closing,
                MeetingStatus::Held,
                closing,
                contact_part.id,
                contact,
                &parts,
            );
        }
        let start_met = held_start.filter(|h| *h <= decided_at + TimeDelta::days(28));
        self.deadline(
            "start-meeting",
            "",
            None,
            decided_at,
            decided_at + TimeDelta::days(28),
            start_met.or(held_start),
            Some(contact),
            closed_at,
        );
        if let Some(last) = last_held
            && closed_at.is_none()
        {
            self.deadline(
                "follow-up",
                "",
                None,
                last,
                last + TimeDelta::days(91),
                None,
                Some(contact),
                None,
            );
        }
        if self.chance(0.3) {
            let started = decided_at + self.days(1, 20);
            self.event(
                CaseEventKind::ReferredToPsychiatry,
                Some(Sector::ChildPsychiatry),
                None,
                contact,
                started,
            );
            let done = started + self.days(10, 45);
            let met = (done < self.until).then_some(done);
            if met.is_some() {
                self.event(
                    CaseEventKind::PsychiatricAssessmentCompleted,
                    Some(Sector::ChildPsychiatry),
                    None,
                    psychiatrist,
                    done,
                );
            }
            self.deadline(
                "psychiatric-assessment",
                "",
                None,
                started,
                started + TimeDelta::days(30),
                met,
                Some(contact),
                closed_at,
            );
        }
        self.waiting(decided_at, contact);
        Ok((closed_at, professionals))
    }

    #[allow(clippy::too_many_arguments)]
    fn participant(
        &mut self,
        kind: ParticipantKind,
        role: ParticipantRole,
        sector: Sector,
        professional: Option<ProfessionalId>,
        family: Option<FamilyMemberId>,
        from: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
        by: ProfessionalId,
    ) -> ParticipantId {
        let id = ParticipantId(next(&mut self.ids.participants));
        self.rows.participants.push(participant::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(kind),
            role: Set(role),
            sector: Set(sector),
            professional_id: Set(professional),
            family_member_id: Set(family),
            external_name: Set(None),
            external_email: Set(None),
            external_phone: Set(None),
            external_organization: Set(None),
            active_from: Set(from),
            active_until: Set(until),
            end_reason: Set(until.map(|_| "Sagen er afsluttet".to_owned())),
            added_by_id: Set(by),
            ended_by_id: Set(until.map(|_| by)),
        });
        id
    }

    /// The committee's decision on the case (or its place on the next agenda).
    fn committee(&mut self, status: CaseStatus, decision: CaseStatus, decided_at: DateTime<Utc>) {
        let meeting = self
            .municipality
            .committee
            .iter()
            .rfind(|(_, at)| *at <= decided_at)
            .or_else(|| {
                self.municipality
                    .committee
                    .iter()
                    .find(|(_, at)| *at > decided_at)
            })
            .copied();
        let Some((meeting, at)) = meeting else { return };
        let decided = !matches!(status, CaseStatus::Referred | CaseStatus::InIntake);
        let agenda_meeting = if decided {
            Some((meeting, at))
        } else {
            self.municipality
                .committee
                .iter()
                .find(|(_, at)| *at > self.until)
                .copied()
        };
        let Some((meeting, at)) = agenda_meeting else {
            return;
        };
        let id = CommitteeAgendaItemId(next(&mut self.ids.agenda));
        self.rows.agenda.push(committee_agenda_item::ActiveModel {
            id: Set(id),
            committee_meeting_id: Set(meeting),
            case_id: Set(self.case),
            position: Set(i32::try_from(id.0 % 20).unwrap_or(0)),
            decision: Set(decided.then_some(match decision {
                CaseStatus::Redirected => CommitteeDecision::Redirected,
                CaseStatus::Rejected => CommitteeDecision::Rejected,
                _ => CommitteeDecision::Accepted,
            })),
            reason: Set(decided.then(|| "Drøftet i koordinationsudvalget".to_owned())),
            offer_id: Set(None),
            decided_at: Set(decided.then_some(at)),
            decided_by_id: Set(decided.then(|| self.municipality.leaders[0])),
        });
    }

    /// A deadline of `code`: met at `met`, else open (missed once due), waived now and then,
    /// withdrawn when the case closed first.
    #[allow(clippy::too_many_arguments)]
    fn deadline(
        &mut self,
        code: &str,
        subject: &str,
        sector: Option<Sector>,
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        met: Option<DateTime<Utc>>,
        responsible: Option<ProfessionalId>,
        closed: Option<DateTime<Utc>>,
    ) {
        let id = DeadlineId(next(&mut self.ids.deadlines));
        let met = met.filter(|m| *m <= self.until);
        let waived = met.is_none() && self.chance(0.03);
        let (status, met_at, waived_at, withdrawn_at) = match (met, closed) {
            (Some(at), _) => (DeadlineStatus::Met, Some(at), None, None),
            (None, _) if waived => (
                DeadlineStatus::Waived,
                None,
                Some(started + TimeDelta::days(1)),
                None,
            ),
            (None, Some(closed)) => (DeadlineStatus::Withdrawn, None, None, Some(closed)),
            (None, None) if due <= self.until => (DeadlineStatus::Missed, None, None, None),
            (None, None) => (DeadlineStatus::Pending, None, None, None),
        };
        // An open deadline's next reminder or alert lies ahead; a missed one's escalation
        // went out a while ago.
        let next_action = (status == DeadlineStatus::Pending).then(|| {
            (due - TimeDelta::days(2))
                .max(self.until + TimeDelta::minutes(self.r.random_range(1..600)))
                .min(due)
        });
        self.rows.deadlines.push(deadline::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            rule_id: Set(self.rules.id(code)),
            rule_code: Set(code.to_owned()),
            subject: Set(subject.to_owned()),
            sector: Set(sector),
            meeting_id: Set(None),
            agreement_id: Set(None),
            status: Set(status),
            started_at: Set(started),
            due_at: Set(due),
            met_at: Set(met_at),
            waived_at: Set(waived_at),
            waived_by_id: Set(waived_at.and(responsible)),
            waive_reason: Set(waived_at.map(|_| "Familien har selv bedt om udsættelse".to_owned())),
            withdrawn_at: Set(withdrawn_at),
            responsible_id: Set(responsible),
            responsible_unit_id: Set(responsible
                .is_none()
                .then_some(self.municipality.intake_unit)),
            next_action_at: Set(next_action),
            next_stage: Set(next_action.map(|_| 0)),
            alert_error: Set(None),
            alert_failed_at: Set(None),
            alert_attempts: Set(0),
            created_at: Set(started),
            updated_at: Set(met_at.or(waived_at).or(withdrawn_at).unwrap_or(started)),
        });
        if status == DeadlineStatus::Missed {
            // The due alert, and for some the escalation to the unit's leader.
            let recipient = responsible.or_else(|| self.municipality.intake.first().copied());
            if let Some(recipient) = recipient {
                self.notify(id, 1, NotificationKind::Due, recipient, due);
                if self.chance(0.4) {
                    let leader = self.municipality.leaders[0];
                    self.notify(
                        id,
                        2,
                        NotificationKind::Escalation,
                        leader,
                        due + TimeDelta::days(3),
                    );
                }
            }
        }
    }

    fn notify(
        &mut self,
        d: DeadlineId,
        stage: i32,
        kind: NotificationKind,
        to: ProfessionalId,
        at: DateTime<Utc>,
    ) {
        let at = at.min(self.until);
        let id = NotificationId(next(&mut self.ids.notifications));
        let read = self
            .chance(0.7)
            .then_some(at + TimeDelta::hours(3))
            .filter(|r| *r <= self.until);
        self.rows.notifications.push(notification::ActiveModel {
            id: Set(id),
            deadline_id: Set(d),
            stage: Set(stage),
            kind: Set(kind),
            recipient_id: Set(to),
            created_at: Set(at),
            read_at: Set(read),
        });
        let email = self.region.email(to).to_owned();
        self.delivery(MailSubject::Notification, id.0, None, email, at);
    }

    fn delivery(
        &mut self,
        subject: MailSubject,
        subject_id: i64,
        method: Option<ItipMethod>,
        to: String,
        at: DateTime<Utc>,
    ) {
        let id = DeliveryId(next(&mut self.ids.deliveries));
        let sent = at + TimeDelta::seconds(self.r.random_range(1..30));
        self.rows.deliveries.push(delivery::ActiveModel {
            id: Set(id),
            subject: Set(subject),
            subject_id: Set(subject_id),
            sequence: Set(0),
            method: Set(method),
            recipient: Set(to),
            language: Set(Language::Da),
            status: Set(DeliveryStatus::Sent),
            attempts: Set(1),
            last_error: Set(None),
            next_attempt_at: Set(at),
            claimed_until: Set(None),
            sent_at: Set(Some(sent)),
            message_id: Set(format!("<d{}@kit.region.example>", id.0)),
            created_at: Set(at),
            updated_at: Set(sent),
        });
    }

    fn meeting(
        &mut self,
        kind: MeetingKind,
        status: MeetingStatus,
        starts: DateTime<Utc>,
        organizer: ParticipantId,
        by: ProfessionalId,
        parts: &[Part],
    ) -> MeetingId {
        let id = MeetingId(next(&mut self.ids.meetings));
        let created = starts - self.days(14, 35);
        self.rows.meetings.push(meeting::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(kind),
            status: Set(status),
            uid: Set(format!("m{}@kit.region.example", id.0)),
            sequence: Set(if status == MeetingStatus::Cancelled {
                1
            } else {
                0
            }),
            starts_at: Set(Some(starts)),
            ends_at: Set(Some(starts + TimeDelta::minutes(60))),
            duration_minutes: Set(60),
            earliest: Set(None),
            latest: Set(None),
            location: Set(Some("Mødelokale 2, Familieafdelingen".to_owned())),
            video_url: Set(None),
            organizer_id: Set(Some(organizer)),
            scheduling_note: Set(None),
            minutes: Set((status == MeetingStatus::Held).then(|| {
                "Referat: status, barnets og familiens ønsker, aftaler til næste møde.".to_owned()
            })),
            held_at: Set((status == MeetingStatus::Held).then_some(starts)),
            cancel_reason: Set(
                (status == MeetingStatus::Cancelled).then(|| "Familien var syg".to_owned())
            ),
            milestone: Set(None),
            created_by_id: Set(Some(by)),
            created_at: Set(created),
            updated_at: Set(if status == MeetingStatus::Scheduled {
                created
            } else {
                starts
            }),
        });
        for p in parts
            .iter()
            .filter(|p| p.professional.is_some() || p.email_of_family)
        {
            let invitee = InviteeId(next(&mut self.ids.invitees));
            let response = if status == MeetingStatus::Scheduled {
                *[
                    InviteeResponse::NeedsAction,
                    InviteeResponse::Accepted,
                    InviteeResponse::Tentative,
                ]
                .choose(&mut self.r)
                .unwrap_or(&InviteeResponse::NeedsAction)
            } else if self.chance(0.9) {
                InviteeResponse::Accepted
            } else {
                InviteeResponse::Declined
            };
            self.rows.invitees.push(meeting_invitee::ActiveModel {
                id: Set(invitee),
                meeting_id: Set(id),
                participant_id: Set(p.id),
                required: Set(p.sector != Sector::Family || p.email_of_family),
                response: Set(response),
                responded_at: Set((response != InviteeResponse::NeedsAction)
                    .then_some(created + TimeDelta::days(1))),
                removed_at: Set(None),
                created_at: Set(created),
            });
            let to = match p.professional {
                Some(who) => self.region.email(who).to_owned(),
                None => format!("familie{}@familie.example", p.id.0),
            };
            self.delivery(
                MailSubject::Invitation,
                invitee.0,
                Some(ItipMethod::Request),
                to,
                created,
            );
        }
        id
    }

    fn plan(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        version: i32,
        by: ProfessionalId,
        parts: &[Part],
    ) {
        let id = PlanVersionId(next(&mut self.ids.versions));
        self.rows.versions.push(plan_version::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            version: Set(version),
            meeting_id: Set(meeting),
            child_wishes: Set(Some("At kunne gå i skole uden ondt i maven.".to_owned())),
            family_wishes: Set(Some(
                "Mere ro i hverdagen og en fast kontaktperson.".to_owned(),
            )),
            recorded_by_id: Set(by),
            created_at: Set(at),
        });
        for (kind, text) in [
            (PlanItemKind::Challenge, "Fravær fra skolen"),
            (PlanItemKind::Challenge, "Søvn"),
            (PlanItemKind::Resource, "God kontakt til klasselæreren"),
            (PlanItemKind::Resource, "Spiller fodbold to gange om ugen"),
        ] {
            self.rows.items.push(plan_item::ActiveModel {
                id: Set(next(&mut self.ids.items)),
                plan_version_id: Set(id),
                kind: Set(kind),
                text: Set(text.to_owned()),
                priority: Set(1),
                closed: Set(false),
            });
        }
        let owners: Vec<Part> = parts
            .iter()
            .filter(|p| p.professional.is_some())
            .take(2)
            .copied()
            .collect();
        for (i, owner) in owners.iter().enumerate() {
            let agreement = AgreementId(next(&mut self.ids.agreements));
            let due = (at + TimeDelta::days(30 + 15 * i as i64)).date_naive();
            let due_at = due.and_hms_opt(15, 0, 0).unwrap_or_default().and_utc();
            let done = due_at < self.until && self.chance(0.85);
            let cancelled = !done && self.chance(0.1);
            let status = if done {
                AgreementStatus::Done
            } else if cancelled {
                AgreementStatus::Cancelled
            } else {
                AgreementStatus::Open
            };
            let completed = done.then(|| due_at - self.days(0, 10));
            self.rows.agreements.push(agreement::ActiveModel {
                id: Set(agreement),
                case_id: Set(self.case),
                meeting_id: Set(Some(meeting)),
                description: Set([
                    "Samtale med skolen om fremmøde",
                    "Henvisning til PPR-vurdering",
                ][i % 2]
                    .to_owned()),
                owner_id: Set(owner.id),
                due_on: Set(due),
                status: Set(status),
                completed_at: Set(completed),
                cancelled_at: Set(cancelled.then_some(at + TimeDelta::days(10))),
                cancel_reason: Set(cancelled.then(|| "Ikke længere relevant".to_owned())),
                created_by_id: Set(owner.professional.unwrap_or(by)),
                created_at: Set(at),
            });
            self.rows.plan_agreements.push(plan_agreement::ActiveModel {
                id: Set(next(&mut self.ids.plan_agreements)),
                plan_version_id: Set(id),
                agreement_id: Set(agreement),
                status: Set(status),
            });
            if !cancelled {
                self.deadline(
                    "agreement-kept",
                    &format!("agreement:{}", agreement.0),
                    None,
                    at,
                    due_at,
                    completed,
                    owner.professional,
                    None,
                );
            }
        }
    }

    fn consents(
        &mut self,
        guardian: FamilyMemberId,
        from: DateTime<Utc>,
        closed: Option<DateTime<Utc>>,
        by: ProfessionalId,
        psychiatry: bool,
    ) -> Option<ConsentId> {
        let mut exchange = None;
        for purpose in [
            ConsentPurpose::Coordination,
            ConsentPurpose::InformationExchange,
        ] {
            if purpose == ConsentPurpose::InformationExchange && !psychiatry {
                continue;
            }
            let id = ConsentId(next(&mut self.ids.consents));
            let withdrawn = self
                .chance(0.02)
                .then(|| from + TimeDelta::days(60))
                .filter(|w| *w < self.until);
            self.rows.consents.push(consent::ActiveModel {
                id: Set(id),
                case_id: Set(self.case),
                given_by_family_member_id: Set(Some(guardian)),
                given_by_child: Set(false),
                purpose: Set(purpose),
                valid_from: Set(from),
                valid_until: Set(closed),
                basis: Set(
                    "Mundtligt samtykke ved opstartsmødet, noteret af sagsbehandleren".to_owned(),
                ),
                recorded_by_id: Set(by),
                recorded_at: Set(from),
                withdrawn_at: Set(withdrawn),
                withdrawn_by_id: Set(withdrawn.map(|_| by)),
                withdrawal_reason: Set(withdrawn.map(|_| "Forældrene ønskede det".to_owned())),
            });
            for org in [self.municipality.id, self.region.psychiatry] {
                self.rows
                    .consent_orgs
                    .push(consent_organization::ActiveModel {
                        consent_id: Set(id),
                        organization_id: Set(org),
                    });
            }
            if purpose == ConsentPurpose::InformationExchange && withdrawn.is_none() {
                exchange = Some(id);
            }
        }
        exchange
    }

    fn document(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        author: ProfessionalId,
        consent: Option<ConsentId>,
        psychiatry: bool,
    ) {
        let id = DocumentId(next(&mut self.ids.documents));
        self.rows.documents.push(document::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(DocumentKind::StatusNote),
            title: Set("Status før netværksmødet".to_owned()),
            text: Set(Some(
                "Barnet kommer oftere i skole. Søvnen er stadig uregelmæssig. Familien \
                            oplever mere ro efter aftalerne fra sidste møde."
                    .to_owned(),
            )),
            author_id: Set(author),
            author_organization_id: Set(self.municipality.id),
            meeting_id: Set(Some(meeting)),
            attachment_name: Set(None),
            attachment_type: Set(None),
            attachment_size: Set(None),
            attachment: Set(None),
            created_at: Set(at - TimeDelta::days(5)),
        });
        if psychiatry && let Some(consent) = consent {
            self.rows.shares.push(document_share::ActiveModel {
                id: Set(next(&mut self.ids.shares)),
                document_id: Set(id),
                organization_id: Set(self.region.psychiatry),
                consent_id: Set(consent),
                shared_by_id: Set(author),
                shared_at: Set(at - TimeDelta::days(4)),
            });
        }
    }

    fn event(
        &mut self,
        kind: CaseEventKind,
        sector: Option<Sector>,
        meeting: Option<MeetingId>,
        by: ProfessionalId,
        at: DateTime<Utc>,
    ) {
        if at > self.until {
            return;
        }
        self.rows.events.push(case_event::ActiveModel {
            id: Set(CaseEventId(next(&mut self.ids.events))),
            case_id: Set(self.case),
            kind: Set(kind),
            sector: Set(sector),
            meeting_id: Set(meeting),
            note: Set(None),
            recorded_by_id: Set(by),
            recorded_at: Set(at),
        });
    }

    /// A place on one of the municipality's early interventions, for some.
    fn waiting(&mut self, from: DateTime<Utc>, by: ProfessionalId) {
        if !self.chance(0.15) {
            return;
        }
        let Some((offer, cohorts)) = self.municipality.offers.choose(&mut self.r).cloned() else {
            return;
        };
        let placed = from + self.days(10, 40);
        if placed > self.until {
            return;
        }
        let cohort = cohorts
            .iter()
            .find(|(_, starts)| *starts > placed.date_naive())
            .copied();
        let status = match cohort {
            Some((_, starts)) if starts <= self.until.date_naive() => {
                if self.chance(0.85) {
                    WaitingStatus::Enrolled
                } else {
                    WaitingStatus::Declined
                }
            }
            Some(_) if self.chance(0.5) => WaitingStatus::Offered,
            _ if self.chance(0.1) => WaitingStatus::Withdrawn,
            _ => WaitingStatus::Waiting,
        };
        let offered = matches!(
            status,
            WaitingStatus::Offered | WaitingStatus::Enrolled | WaitingStatus::Declined
        );
        let offered_at = offered
            .then_some(placed + TimeDelta::days(7))
            .map(|o| o.min(self.until));
        self.rows.waiting.push(waiting_entry::ActiveModel {
            id: Set(WaitingEntryId(next(&mut self.ids.waiting))),
            offer_id: Set(offer),
            case_id: Set(self.case),
            status: Set(status),
            placed_at: Set(placed),
            placed_by_id: Set(by),
            cohort_id: Set(offered.then(|| cohort.map(|(c, _)| c)).flatten()),
            offered_at: Set(offered_at),
            offered_by_id: Set(offered.then_some(by)),
            answer_by: Set(offered_at.map(|o| (o + TimeDelta::days(7)).date_naive())),
            answered_at: Set(
                matches!(status, WaitingStatus::Enrolled | WaitingStatus::Declined)
                    .then(|| offered_at.unwrap_or(placed) + TimeDelta::days(2)),
            ),
            withdrawn_at: Set((status == WaitingStatus::Withdrawn)
                .then_some(placed + TimeDelta::days(20))
                .map(|w| w.min(self.until))),
            withdraw_reason: Set((status == WaitingStatus::Withdrawn)
                .then(|| "Behovet er dækket på anden vis".to_owned())),
            updated_at: Set(offered_at.unwrap_or(placed)),
        });
    }
}

/// Three consultations a week on each municipality's offers over the whole history, and a
/// few ahead.
fn consultations(options: &Options, region: &Region, rows: &mut Rows, ids: &mut Ids) {
    let topics = [
        ConsultationTopic::Anxiety,
        ConsultationTopic::LowMood,
        ConsultationTopic::SchoolAbsence,
        ConsultationTopic::Behaviour,
        ConsultationTopic::Family,
        ConsultationTopic::Neurodevelopmental,
    ];
    for m in &region.municipalities {
        let mut r = rng(options.seed, 5, m.id.0 as u64);
        for (k, offer) in m.consultation_offers.iter().enumerate() {
            // The offers' weekdays: Thursday, then Tuesday (see the directory).
            let weekday = if k == 0 {
                chrono::Weekday::Thu
            } else {
                chrono::Weekday::Tue
            };
            let mut day = options.start().date_naive();
            while day.weekday() != weekday {
                day = day.succ_opt().unwrap_or(day);
            }
            let last = (options.until + TimeDelta::weeks(3)).date_naive();
            while day <= last {
                for slot in 0..3 {
                    if r.random::<f64>() < 0.3 {
                        continue;
                    }
                    let starts = office_time(day, 4 * 60 + 15 * slot);
                    let booker = m
                        .health
                        .choose(&mut r)
                        .or(m.school.first())
                        .copied()
                        .unwrap_or(ProfessionalId(1));
                    let cancelled = r.random::<f64>() < 0.05;
                    rows.bookings.push(consultation_booking::ActiveModel {
                        id: Set(ConsultationBookingId(next(&mut ids.bookings))),
                        offer_id: Set(*offer),
                        starts_at: Set(starts),
                        ends_at: Set(starts + TimeDelta::minutes(15)),
                        booked_by_id: Set(booker),
                        topic: Set(*topics.choose(&mut r).unwrap_or(&ConsultationTopic::Other)),
                        concern: Set(
                            "En pige i 4. klasse, der ofte har ondt i maven om morgenen."
                                .to_owned(),
                        ),
                        status: Set(if cancelled {
                            ConsultationStatus::Cancelled
                        } else {
                            ConsultationStatus::Booked
                        }),
                        created_at: Set(starts - TimeDelta::days(3)),
                        cancelled_at: Set(cancelled.then_some(starts - TimeDelta::days(1))),
                        cancelled_by_id: Set(cancelled.then_some(booker)),
                    });
                }
                day += TimeDelta::weeks(1);
            }
        }
    }
}
