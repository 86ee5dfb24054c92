//! The validator on hostile widths: bodies of 2,000, 20,000 and 200,000 keys, against the
//! physical floor of any one-pass checker, tokenizing the same bytes
//! (`serde_json::from_slice::<IgnoredAny>`). Results: BENCHMARKS.md.
//!
//! `cargo bench -p payple-types --bench width`
//!
//! Three shapes, each inside an otherwise valid failed `cpay.result_inquiry` answer:
//! distinct undocumented keys (`"K000001":1`), one undocumented key repeated (duplicate
//! keys), and a card-only field repeated in a transfer answer (not applicable, and
//! duplicate). The run ends with a table: the validator's time per body (fastest of a few
//! runs), its ratio to the floor, and the growth from one width to the next (linear: 10x).
//! `-- nothing-matches` skips criterion and prints only the table.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use payple_types::{Part, endpoint, validate_bytes};
use serde::de::IgnoredAny;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The widths, in keys. The repeated card-only field is 21 bytes a member, so its widest
/// body has 190,000 (200,000 would pass the 4 MiB cap and be refused unread).
const WIDTHS: [usize; 3] = [2_000, 20_000, 200_000];

fn body_with(extra: &str) -> Vec<u8> {
    format!(
        r#"{{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"transfer"{extra}}}"#
    )
    .into_bytes()
}

/// Makes the body of a given width.
type Maker = fn(usize) -> Vec<u8>;

/// The shapes: name, and the body of a given width.
fn shapes() -> Vec<(&'static str, Maker)> {
    fn distinct(n: usize) -> Vec<u8> {
        let mut extra = String::with_capacity(n * 12);
        for i in 0..n {
            let _ = write!(extra, r#","K{i:06}":1"#);
        }
        body_with(&extra)
    }
    fn duplicate(n: usize) -> Vec<u8> {
        body_with(&r#","K":1"#.repeat(n))
    }
    fn not_applicable(n: usize) -> Vec<u8> {
        body_with(&r#","PCD_PAY_CARDNUM":"1""#.repeat(n.min(190_000)))
    }
    vec![
        ("distinct_undocumented_keys", distinct),
        ("duplicate_undocumented_key", duplicate),
        ("repeated_not_applicable_field", not_applicable),
    ]
}

fn floor(body: &[u8]) {
    black_box(serde_json::from_slice::<IgnoredAny>(black_box(body)).expect("json"));
}

fn validator(body: &[u8]) {
    let ep = endpoint("cpay.result_inquiry").expect("endpoint");
    let report = validate_bytes(ep, Part::Response, black_box(body));
    // A short report, whatever the width.
    assert!(report.findings.len() <= 2 * payple_types::MAX_FINDINGS_PER_GROUP + 2);
    black_box(report);
}

fn benches(c: &mut Criterion) {
    for (name, make) in shapes() {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for n in WIDTHS {
            let body = make(n);
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(BenchmarkId::new("tokenize_floor", n), &body, |b, body| {
                b.iter(|| floor(body))
            });
            group.bench_with_input(
                BenchmarkId::new("payple_validate_bytes", n),
                &body,
                |b, body| b.iter(|| validator(body)),
            );
        }
        group.finish();
    }
}

/// The fastest of `runs` calls, with at least `runs` calls and about 0.3 s in all.
fn fastest(run: impl Fn()) -> Duration {
    let mut best = Duration::MAX;
    let start = Instant::now();
    let mut calls = 0;
    while calls < 5 || (start.elapsed() < Duration::from_millis(300) && calls < 1_000) {
        let t = Instant::now();
        run();
        best = best.min(t.elapsed());
        calls += 1;
    }
    best
}

/// Prints the table (skipped when criterion only lists or tests, or with
/// `PAYPLE_BENCH_RATIOS=0`).
fn table() {
    let listing = std::env::args().any(|a| a == "--list" || a == "--test");
    if listing || std::env::var("PAYPLE_BENCH_RATIOS").is_ok_and(|v| v == "0") {
        return;
    }
    println!("\nWidth (fastest of several runs; floor: serde_json::from_slice::<IgnoredAny>):\n");
    println!(
        "| Shape | keys | bytes | validator | validator / floor | growth from the previous width |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, make) in shapes() {
        let mut previous: Option<Duration> = None;
        for n in WIDTHS {
            let body = make(n);
            // Alternate the two, so that both see the machine in the same state.
            let (mut v, mut f) = (Duration::MAX, Duration::MAX);
            for _ in 0..3 {
                v = v.min(fastest(|| validator(&body)));
                f = f.min(fastest(|| floor(&body)));
            }
            let growth = previous.map_or_else(String::new, |p| {
                format!("{:.1}x", v.as_secs_f64() / p.as_secs_f64())
            });
            let keys = if name == "repeated_not_applicable_field" {
                n.min(190_000)
            } else {
                n
            };
            println!(
                "| `{name}` | {keys} | {} | {:.3} ms | {:.2}x | {growth} |",
                body.len(),
                v.as_secs_f64() * 1e3,
                v.as_secs_f64() / f.as_secs_f64()
            );
            previous = Some(v);
        }
    }
}

criterion_group!(width, benches);

fn main() {
    width();
    Criterion::default().configure_from_args().final_summary();
    table();
}
