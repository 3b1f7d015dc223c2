//! Decoding benchmark: a caseload page's participations (50 cases × 8), read from the database
//! and decoded by sea-orm's own `FromQueryResult` and by position
//! (`participant::ByPosition`), in alternating rounds on the same connection pool.
//!
//! ```text
//! KIT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p kit-tests --bench decode
//! ```
//!
//! Prints the median and the 10th/90th percentile time per load of each, and their ratio. The
//! statement and its round trip are in both; only the decoding differs.

use std::time::{Duration, Instant};

use kit_entity::entities::{case, participant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

#[allow(dead_code)]
mod common;

const ROUNDS: usize = 20;
const PER_ROUND: usize = 50;

fn main() {
    let database_url = std::env::var("KIT_BENCH_DATABASE_URL").ok();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        let database = kit_tests::harness::TestDatabase::create_at(
            database_url.as_deref().unwrap_or("sqlite"),
        )
        .await;
        let settings = kit_api::config::Settings {
            database_url: database.url.clone(),
            db_max_connections: 4,
            worker: false,
            ..Default::default()
        };
        let db = kit_api::db::connect(&settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        kit_api::db::upgrade(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = common::seed(&db).await;
        kit_api::db::optimize(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let cases: Vec<kit_entity::ids::CaseId> = case::Entity::find()
            .select_only()
            .column(case::Column::Id)
            .order_by_asc(case::Column::Id)
            .limit(50)
            .into_tuple()
            .all(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let query = || {
            participant::Entity::find()
                .filter(participant::Column::CaseId.is_in(cases.iter().copied()))
                .order_by_asc(participant::Column::Id)
        };
        let (mut own, mut positional) = (Vec::new(), Vec::new());
        let mut rows = 0;
        for round in 0..=ROUNDS {
            for _ in 0..PER_ROUND {
                let started = Instant::now();
                rows = query().all(&db).await.map(|r| r.len()).unwrap_or(0);
                if round > 0 {
                    own.push(started.elapsed());
                }
                let started = Instant::now();
                let n = query()
                    .into_model::<participant::ByPosition>()
                    .all(&db)
                    .await
                    .map(|r| r.len())
                    .unwrap_or(0);
                assert_eq!(n, rows);
                if round > 0 {
                    positional.push(started.elapsed());
                }
            }
        }
        let stats = |v: &mut Vec<Duration>| {
            v.sort_unstable();
            (
                common::percentile(v, 50.0),
                common::percentile(v, 10.0),
                common::percentile(v, 90.0),
            )
        };
        let (a, a10, a90) = stats(&mut own);
        let (b, b10, b90) = stats(&mut positional);
        println!(
            "{rows} participations per load, {} loads each, alternating",
            own.len()
        );
        println!("| decoding | median | p10 | p90 |");
        println!("|---|---:|---:|---:|");
        println!("| sea-orm's own | {a:.1?} | {a10:.1?} | {a90:.1?} |");
        println!("| by position | {b:.1?} | {b10:.1?} | {b90:.1?} |");
        println!(
            "by position takes {:.2}× the time of sea-orm's own",
            b.as_secs_f64() / a.as_secs_f64()
        );
    });
}
