//! `kit-api seed --region`: a whole region's data, generated — 29 municipalities and the
//! region's child and adolescent psychiatry with their units and about 3,000 professionals,
//! 30,000 cases over three years in every status with everything a case gathers (referral,
//! status history, participants, meetings held, cancelled and ahead with their invitees,
//! deadlines met, missed, open, waived and withdrawn, plans with agreements, consents,
//! documents, events, committee decisions, waiting lists, consultations, notifications and
//! their e-mails), and an access log of tens of millions of rows, chained and checkpointed as
//! the product writes it.
//!
//! Deterministic: the same `--seed`, sizes and `--until` day give the same rows, ids and all
//! (every case draws from its own generator, seeded from the seed and its number). Written
//! straight into the tables — multi-row INSERTs, and COPY for the access log on PostgreSQL —
//! into an empty database: the generator refuses one that holds cases already.
//!
//! The data is fictional: names are drawn from common Danish names, CPR numbers are made to
//! fit the birth dates and sealed like any other, e-mail addresses end in `.example`.

mod bulk;
mod cases;
mod directory;
mod log;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use kit_entity::cpr::vault::CprVault;
use kit_entity::entities::case;
use kit_entity::{Error, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

pub use log::LogRows;

/// How big a region to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Municipalities (besides the region's child psychiatry).
    pub municipalities: u32,
    /// Cases, spread over the municipalities by size.
    pub cases: u32,
    /// Professionals, spread over the municipalities and child psychiatry.
    pub professionals: u32,
    /// Access-log rows.
    pub access_log_rows: u64,
    /// Hash chains the access log spreads over (PostgreSQL; SQLite has one).
    pub chains: u16,
    /// Years of history before `until`.
    pub years: u32,
    /// The seed every draw starts from.
    pub seed: u64,
    /// The last day of the history (today by default): cases, meetings and deadlines lie
    /// before and a few weeks after it.
    pub until: DateTime<Utc>,
}

impl Options {
    /// A whole region: 29 municipalities, 30,000 cases, 3,000 professionals, 50 million
    /// access-log rows, three years.
    #[must_use]
    pub fn region(until: DateTime<Utc>) -> Self {
        Self {
            municipalities: 29,
            cases: 30_000,
            professionals: 3_000,
            access_log_rows: 50_000_000,
            chains: 8,
            years: 3,
            seed: 1,
            until,
        }
    }

    /// The first day of the history.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        self.until - TimeDelta::days(365 * i64::from(self.years.max(1)))
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// Rows per table, in the order written.
    pub tables: Vec<(&'static str, u64)>,
    /// The access log.
    pub log: LogRows,
    /// Subjects of professionals to try the API as: an intake member, a municipal
    /// responsible contact, a child psychiatrist, a unit leader, an administrator.
    pub users: Vec<(String, String)>,
}

impl Seeded {
    fn add(&mut self, table: &'static str, rows: u64) {
        if let Some(entry) = self.tables.iter_mut().find(|(t, _)| *t == table) {
            entry.1 += rows;
        } else {
            self.tables.push((table, rows));
        }
    }
}

/// A generator for one purpose and one number, independent of every other draw.
fn rng(seed: u64, purpose: u64, n: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            ^ purpose.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
            ^ n.wrapping_mul(0x1656_67b1_9e37_79f9),
    )
}

/// Generates the region into an empty database.
///
/// # Errors
/// [`Error::Conflict`] when the database holds cases already; [`Error::Validation`] for
/// sizes that make no region; database errors.
pub async fn seed(db: &DatabaseConnection, vault: &CprVault, options: &Options) -> Result<Seeded> {
    if options.municipalities == 0 || options.cases == 0 {
        return Err(Error::invalid(
            "--municipalities",
            "a region needs at least one municipality and one case",
        ));
    }
    let least = 15 * options.municipalities + 14;
    if options.professionals < least {
        return Err(Error::invalid(
            "--professionals",
            format!(
                "needs at least {least} for {} municipalities (15 each, 12 in child psychiatry \
                 and two administrators)",
                options.municipalities
            ),
        ));
    }
    let existing = case::Entity::find().count(db).await?;
    if existing > 0 {
        return Err(Error::conflict(format!(
            "the database holds {existing} cases already: the region is generated into an empty one"
        )));
    }
    let mut seeded = Seeded::default();
    let region = directory::write(db, options, &mut seeded).await?;
    let activity = cases::write(db, vault, options, &region, &mut seeded).await?;
    seeded.log = log::write(db, options, &region, &activity).await?;
    seeded.add("access_log", seeded.log.rows);
    seeded.add("audit_checkpoints", seeded.log.checkpoints);
    bulk::advance_sequences(db).await?;
    seeded.users = region.users();
    Ok(seeded)
}

/// A working day's morning near `day`, at `minute` past 8:00 Danish time (7:00 UTC).
fn office_time(day: NaiveDate, minute: i64) -> DateTime<Utc> {
    let mut day = day;
    while matches!(
        chrono::Datelike::weekday(&day),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ) {
        day = day.succ_opt().unwrap_or(day);
    }
    day.and_hms_opt(7, 0, 0).unwrap_or_default().and_utc() + TimeDelta::minutes(minute)
}
