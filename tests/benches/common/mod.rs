//! What the HTTP benchmarks share: the data set (10,000 cases with 8 participants each), the
//! closed-loop load generator and its measurements.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta, Utc};
use kit_entity::domain::enums::{
    FamilyRelation, Language, OrganizationKind, ParticipantKind, ParticipantRole, ReferralSource,
    Sector,
};
use kit_entity::domain::status::CaseStatus;
use kit_entity::entities::{
    case, case_status_change, child, family_member, organization, participant, professional,
    referral, unit,
};
use kit_entity::ids::{CaseId, ChildId, FamilyMemberId, OrganizationId, ProfessionalId, UnitId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use serde_json::Value;

pub(crate) const CASES: i64 = 10_000;
pub(crate) const PROFESSIONALS: i64 = 60;
pub(crate) const CLIENTS: usize = 8;

/// Makes the request body of the i-th request.
pub(crate) type Body = Arc<dyn Fn(u64) -> Value + Send + Sync>;
pub(crate) const WARMUP: Duration = Duration::from_secs(2);
pub(crate) const MEASURE: Duration = Duration::from_secs(10);

pub(crate) async fn insert_chunks<A, I>(db: &DatabaseConnection, rows: I)
where
    A: sea_orm::ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
{
    let rows: Vec<A> = rows.into_iter().collect();
    let txn = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    for chunk in rows.chunks(500) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
}

/// Seeds the data set and returns the subject of an intake-unit member, who sees every case.
pub(crate) async fn seed(db: &DatabaseConnection) -> String {
    let now = Utc::now();
    insert_chunks(
        db,
        [
            (1, "Benchmark Kommune", OrganizationKind::Municipality),
            (
                2,
                "Benchmark Region BUC",
                OrganizationKind::RegionalChildPsychiatry,
            ),
        ]
        .map(|(id, name, kind)| organization::ActiveModel {
            id: Set(OrganizationId(id)),
            name: Set(name.into()),
            kind: Set(kind),
            office_hours_start_minute: Set(8 * 60),
            office_hours_end_minute: Set(16 * 60),
            follow_up_months: Set(3),
            meeting_notice_days: Set(5),
            created_at: Set(now),
            updated_at: Set(now),
        }),
    )
    .await;
    let units = [
        (1, 1, "Indgangen", true),
        (2, 1, "Familieafdelingen", false),
        (3, 1, "PPR", false),
        (4, 2, "Ambulatoriet", false),
    ];
    insert_chunks(
        db,
        units.map(|(id, org, name, intake)| unit::ActiveModel {
            id: Set(UnitId(id)),
            organization_id: Set(OrganizationId(org)),
            name: Set(name.into()),
            is_intake: Set(intake),
            created_at: Set(now),
            updated_at: Set(now),
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=PROFESSIONALS).map(|id| professional::ActiveModel {
            id: Set(ProfessionalId(id)),
            subject: Set(format!("p{id}")),
            name: Set(format!("Fagperson {id}")),
            title: Set("Socialrådgiver".into()),
            email: Set(format!("p{id}@bench.example")),
            phone: Set(None),
            unit_id: Set(UnitId(if id == 1 { 1 } else { 2 + id % 3 })),
            leads_unit_id: Set(None),
            is_admin: Set(false),
            is_data_protection: Set(false),
            is_active: Set(true),
            language: Set(Language::Da),
            created_at: Set(now),
            updated_at: Set(now),
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=CASES).map(|id| child::ActiveModel {
            id: Set(ChildId(id)),
            name: Set(format!("Barn {id}")),
            name_search: Set(format!("barn {id}")),
            date_of_birth: Set(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap_or_default()
                + TimeDelta::days(id % 3000)),
            cpr: Set(None),
            cpr_hmac: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=CASES).flat_map(|id| {
            (0..2).map(move |k| family_member::ActiveModel {
                id: Set(FamilyMemberId(id * 2 - 1 + k)),
                child_id: Set(ChildId(id)),
                name: Set(format!("Forælder {id}-{k}")),
                relation: Set(if k == 0 {
                    FamilyRelation::Mother
                } else {
                    FamilyRelation::Father
                }),
                has_custody: Set(true),
                email: Set(None),
                phone: Set(None),
                language: Set(Language::Da),
                created_at: Set(now),
                updated_at: Set(now),
            })
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=CASES).map(|id| case::ActiveModel {
            id: Set(CaseId(id)),
            reference: Set(format!("KIT-2026-{id:06}")),
            child_id: Set(ChildId(id)),
            municipality_id: Set(OrganizationId(1)),
            status: Set(CaseStatus::Active),
            redirected_to: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=CASES).map(|id| referral::ActiveModel {
            id: NotSet,
            case_id: Set(CaseId(id)),
            source: Set(ReferralSource::GeneralPractitioner),
            received_at: Set(now),
            reason: Set("Angst og skolefravær".into()),
            referrer_name: Set(None),
            referrer_organization: Set(None),
            submitted_by_id: Set(ProfessionalId(1)),
            created_at: Set(now),
            ..Default::default()
        }),
    )
    .await;
    insert_chunks(
        db,
        (1..=CASES).map(|id| case_status_change::ActiveModel {
            id: NotSet,
            case_id: Set(CaseId(id)),
            from_status: Set(None),
            to_status: Set(CaseStatus::Active),
            reason: Set("Accepted".into()),
            changed_by_id: Set(ProfessionalId(1)),
            changed_at: Set(now),
        }),
    )
    .await;
    let p = |case: i64, role, sector, professional: Option<i64>, family: Option<i64>, kind| {
        participant::ActiveModel {
            case_id: Set(CaseId(case)),
            kind: Set(kind),
            role: Set(role),
            sector: Set(sector),
            professional_id: Set(professional.map(ProfessionalId)),
            family_member_id: Set(family.map(FamilyMemberId)),
            active_from: Set(now),
            added_by_id: Set(ProfessionalId(1)),
            ..Default::default()
        }
    };
    insert_chunks(
        db,
        (1..=CASES).flat_map(|id| {
            let pro = |k: i64| Some(2 + (id * 7 + k) % (PROFESSIONALS - 1));
            [
                p(
                    id,
                    ParticipantRole::ResponsibleContact,
                    Sector::Municipality,
                    pro(0),
                    None,
                    ParticipantKind::Professional,
                ),
                p(
                    id,
                    ParticipantRole::ResponsibleContact,
                    Sector::ChildPsychiatry,
                    pro(1),
                    None,
                    ParticipantKind::Professional,
                ),
                p(
                    id,
                    ParticipantRole::InterventionLead,
                    Sector::Municipality,
                    pro(2),
                    None,
                    ParticipantKind::Professional,
                ),
                p(
                    id,
                    ParticipantRole::Professional,
                    Sector::Municipality,
                    pro(3),
                    None,
                    ParticipantKind::Professional,
                ),
                p(
                    id,
                    ParticipantRole::Professional,
                    Sector::SchoolOrDayCare,
                    pro(4),
                    None,
                    ParticipantKind::Professional,
                ),
                p(
                    id,
                    ParticipantRole::Guardian,
                    Sector::Family,
                    None,
                    Some(id * 2 - 1),
                    ParticipantKind::FamilyMember,
                ),
                p(
                    id,
                    ParticipantRole::Guardian,
                    Sector::Family,
                    None,
                    Some(id * 2),
                    ParticipantKind::FamilyMember,
                ),
                p(
                    id,
                    ParticipantRole::Child,
                    Sector::Family,
                    None,
                    None,
                    ParticipantKind::Child,
                ),
            ]
        }),
    )
    .await;
    "p1".to_owned()
}

pub(crate) struct Outcome {
    pub(crate) ok: u64,
    pub(crate) failed: u64,
    pub(crate) latencies: Vec<Duration>,
    /// CPU time of the server's threads while it was measured, in clock ticks.
    pub(crate) server_ticks: u64,
}

pub(crate) async fn load(url: String, token: String, body: Body) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let run = |duration: Duration, record: bool| {
        let (client, url, token, body) = (
            client.clone(),
            url.clone(),
            token.clone(),
            Arc::clone(&body),
        );
        async move {
            let stop = Arc::new(AtomicBool::new(false));
            let tasks: Vec<_> = (0..CLIENTS)
                .map(|worker| {
                    let (client, url, token, body, stop) = (
                        client.clone(),
                        url.clone(),
                        token.clone(),
                        Arc::clone(&body),
                        Arc::clone(&stop),
                    );
                    tokio::spawn(async move {
                        let mut out = Outcome {
                            ok: 0,
                            failed: 0,
                            latencies: Vec::new(),
                            server_ticks: 0,
                        };
                        let mut i = worker as u64;
                        while !stop.load(Ordering::Relaxed) {
                            i = i
                                .wrapping_mul(6_364_136_223_846_793_005)
                                .wrapping_add(1_442_695_040_888_963_407);
                            let started = Instant::now();
                            let response = client
                                .post(&url)
                                .bearer_auth(&token)
                                .json(&body(i))
                                .send()
                                .await;
                            let good = match response {
                                Ok(r) if r.status().is_success() => {
                                    r.json::<Value>().await.is_ok_and(|v| {
                                        v.get("errors").is_none() && v.get("data").is_some()
                                    })
                                }
                                _ => false,
                            };
                            if record {
                                out.latencies.push(started.elapsed());
                                if good { out.ok += 1 } else { out.failed += 1 }
                            }
                        }
                        out
                    })
                })
                .collect();
            tokio::time::sleep(duration).await;
            stop.store(true, Ordering::Relaxed);
            let mut all = Outcome {
                ok: 0,
                failed: 0,
                latencies: Vec::new(),
                server_ticks: 0,
            };
            for t in tasks {
                if let Ok(o) = t.await {
                    all.ok += o.ok;
                    all.failed += o.failed;
                    all.latencies.extend(o.latencies);
                }
            }
            all
        }
    };
    let _ = run(WARMUP, false).await;
    let ticks = server_ticks();
    let mut measured = run(MEASURE, true).await;
    measured.server_ticks = server_ticks() - ticks;
    measured
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The load generator's threads, whose CPU time is not the server's.
pub(crate) const CLIENT_THREAD: &str = "bench-client";

/// CPU time (user + system, in clock ticks) of the server's threads: every thread of the
/// process but the load generator's and the main thread, which drives it.
pub(crate) fn server_ticks() -> u64 {
    let pid = std::process::id().to_string();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| t.file_name().to_string_lossy() != pid)
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter_map(|stat| {
            let (comm, ticks) = stat_ticks(&stat)?;
            (!comm.starts_with(CLIENT_THREAD)).then_some(ticks)
        })
        .sum()
}

/// The command name and CPU time (user + system, clock ticks) in a `/proc/…/stat` line:
/// "pid (comm) state ppid …", where the command name may hold spaces.
pub(crate) fn stat_ticks(stat: &str) -> Option<(&str, u64)> {
    let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

/// Milliseconds per clock tick of `/proc/*/stat` (`sysconf(_SC_CLK_TCK)` is 100 on Linux).
pub(crate) const MS_PER_TICK: f64 = 10.0;
