//! The run's figures: latency percentiles overall and per kind, p99 per second, and how long
//! after each fault p99 came back.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::load::{Kind, Outcome, Record};
use super::{Fault, Run};

/// The p-th percentile of `sorted`.
#[must_use]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn sorted<'a>(records: impl Iterator<Item = &'a Record>) -> Vec<Duration> {
    let mut l: Vec<Duration> = records.map(|r| r.latency).collect();
    l.sort();
    l
}

/// p99 of the requests started in each second of the run.
#[must_use]
pub fn p99_per_second(records: &[Record]) -> Vec<Duration> {
    let mut seconds: BTreeMap<u64, Vec<Duration>> = BTreeMap::new();
    for r in records {
        seconds.entry(r.at.as_secs()).or_default().push(r.latency);
    }
    let last = seconds.keys().next_back().copied().unwrap_or(0);
    (0..=last)
        .map(|s| {
            let mut l = seconds.remove(&s).unwrap_or_default();
            l.sort();
            percentile(&l, 99.0)
        })
        .collect()
}

/// The steady p99: over the seconds from `warm_up` to the first fault (or the end).
#[must_use]
pub fn baseline(run: &Run, warm_up: Duration) -> Duration {
    let until = run
        .faults
        .iter()
        .map(|f| f.from)
        .min()
        .unwrap_or(run.options.length);
    let steady = sorted(
        run.collected
            .records
            .iter()
            .filter(|r| r.at >= warm_up && r.at < until),
    );
    percentile(&steady, 99.0)
}

/// The p99 a second must stay under to count as recovered: twice the steady p99, and at
/// least 100 ms above it (one slow request in a second of a hundred is the p99).
#[must_use]
pub fn recovered_under(baseline: Duration) -> Duration {
    (baseline * 2).max(baseline + Duration::from_millis(100))
}

/// p99 of the requests started in each window of `width` seconds from each second on: a
/// second of 40 requests has its p99 in its slowest one or two, too few to judge by.
#[must_use]
pub fn p99_per_window(records: &[Record], width: u64) -> Vec<Duration> {
    let mut seconds: BTreeMap<u64, Vec<Duration>> = BTreeMap::new();
    for r in records {
        seconds.entry(r.at.as_secs()).or_default().push(r.latency);
    }
    let last = seconds.keys().next_back().copied().unwrap_or(0);
    (0..=last)
        .map(|s| {
            let mut l: Vec<Duration> = (s..(s + width).min(last + 1))
                .filter_map(|k| seconds.get(&k))
                .flatten()
                .copied()
                .collect();
            l.sort();
            percentile(&l, 99.0)
        })
        .collect()
}

/// The window [`recovery`] judges p99 over.
pub const WINDOW_SECONDS: u64 = 3;

/// For each fault, the seconds from its end until p99 over every later window of
/// [`WINDOW_SECONDS`] (to the next fault or the end) stayed under [`recovered_under`]; `None`
/// when it never did.
#[must_use]
pub fn recovery(run: &Run, baseline: Duration) -> Vec<(Fault, Option<Duration>)> {
    let per_second = p99_per_window(&run.collected.records, WINDOW_SECONDS);
    let limit = recovered_under(baseline);
    let mut faults = run.faults.clone();
    faults.sort_by_key(|f| f.from);
    (0..faults.len())
        .map(|i| {
            let f = &faults[i];
            // The last window that ends before the next fault (or the run's end).
            let end = faults
                .get(i + 1)
                .map_or(per_second.len() as u64, |n| n.from.as_secs())
                .saturating_sub(WINDOW_SECONDS - 1);
            let first = f.to.as_secs();
            let mut back = None;
            for s in (first..end).rev() {
                if per_second.get(s as usize).is_some_and(|p| *p > limit) {
                    break;
                }
                back = Some(s);
            }
            let after = back.map(|s| Duration::from_secs(s).saturating_sub(f.to));
            (f.clone(), after)
        })
        .collect()
}

/// The run as Markdown: faults, checks, latency per kind, p99 per second.
#[must_use]
pub fn report(run: &Run) -> String {
    let mut out = String::new();
    let o = &run.options;
    let _ = writeln!(
        out,
        "{} kit-api, {} kit-worker, {} requests/s for {:?}, {} access-log chains; logs in {}\n",
        o.servers,
        o.workers,
        o.rate,
        o.length,
        o.audit_chains,
        run.logs.display()
    );
    let base = baseline(run, Duration::from_secs(5));
    for (f, after) in recovery(run, base) {
        let _ = writeln!(
            out,
            "- {} at {:.1?}, back at {:.1?}; p99 under {:?} again {}",
            f.what,
            f.from,
            f.to,
            recovered_under(base),
            after.map_or("never".to_owned(), |a| format!("{a:?} after")),
        );
    }
    let _ = writeln!(out);
    for c in &run.checks {
        let _ = writeln!(
            out,
            "- [{}] {}: {}",
            if c.passed { "x" } else { " " },
            c.name,
            c.detail
        );
    }
    let _ = writeln!(
        out,
        "\n| requests | count | errors | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    let kinds = [
        Kind::Caseload,
        Kind::Case,
        Kind::Answer,
        Kind::Agreement,
        Kind::Referral,
        Kind::MeetingRequest,
    ];
    let row = |out: &mut String, name: &str, records: Vec<&Record>| {
        let errors = records.iter().filter(|r| r.outcome != Outcome::Ok).count();
        let l = sorted(records.iter().copied());
        let _ = writeln!(
            out,
            "| {name} | {} | {errors} | {:.1?} | {:.1?} | {:.1?} | {:.1?} |",
            l.len(),
            percentile(&l, 50.0),
            percentile(&l, 95.0),
            percentile(&l, 99.0),
            l.last().copied().unwrap_or_default()
        );
    };
    let steady: Vec<&Record> = {
        let until = run.faults.iter().map(|f| f.from).min().unwrap_or(o.length);
        run.collected
            .records
            .iter()
            .filter(|r| r.at >= Duration::from_secs(5) && r.at < until)
            .collect()
    };
    row(&mut out, "before the faults (from 5 s)", steady);
    row(&mut out, "all", run.collected.records.iter().collect());
    for k in kinds {
        row(
            &mut out,
            &format!("{k:?}"),
            run.collected
                .records
                .iter()
                .filter(|r| r.kind == k)
                .collect(),
        );
    }
    let per_second = p99_per_second(&run.collected.records);
    let _ = writeln!(
        out,
        "\np99 per second (ms): {}",
        per_second
            .iter()
            .map(|d| d.as_millis().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    out
}
