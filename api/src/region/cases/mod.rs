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

mod consultations;
mod life;
mod pathway;

use consultations::consultations;

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
