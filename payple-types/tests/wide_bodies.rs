//! Hostile widths: bodies with tens of thousands of keys are validated in linear time and
//! give a short report. Beyond [`MAX_FINDINGS_PER_GROUP`] findings of one kind for one field
//! (undocumented keys count as one group, as do duplicate keys), one summary finding stands
//! for the rest, with their count, and keeps the worst severity among them, so the verdict is
//! that of the full list.

use payple_types::{Kind, MAX_FINDINGS_PER_GROUP, Part, Report, Severity, validate};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const CAP: usize = MAX_FINDINGS_PER_GROUP;

/// A failed card result inquiry (valid as it stands) with `extra` appended inside the object.
fn body_with(extra: &str) -> Vec<u8> {
    format!(
        r#"{{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"transfer"{extra}}}"#
    )
    .into_bytes()
}

fn distinct_undocumented(n: usize) -> Vec<u8> {
    let mut extra = String::new();
    for i in 0..n {
        let _ = write!(extra, r#","K{i:06}":1"#);
    }
    body_with(&extra)
}

fn repeated(member: &str, n: usize) -> Vec<u8> {
    body_with(&format!(",{member}").repeat(n))
}

fn check(body: &[u8]) -> (Report, Duration) {
    let start = Instant::now();
    let report = validate("cpay.result_inquiry", Part::Response, body).expect("endpoint");
    (report, start.elapsed())
}

/// The findings of `kind`: (listed ones, the summary if any).
fn of_kind(report: &Report, kind: Kind) -> (usize, Option<&payple_types::Finding>) {
    let all: Vec<_> = report.findings.iter().filter(|f| f.kind == kind).collect();
    let summary = all.iter().copied().find(|f| f.omitted() > 0);
    (all.len() - usize::from(summary.is_some()), summary)
}

#[test]
fn fifty_thousand_distinct_undocumented_keys_give_a_short_report_quickly() {
    let n = 50_000;
    let (report, took) = check(&distinct_undocumented(n));
    let (listed, summary) = of_kind(&report, Kind::UndocumentedField);
    assert_eq!(listed, CAP);
    let summary = summary.expect("a summary finding");
    assert_eq!(summary.omitted(), n - CAP);
    assert_eq!(
        summary.pointer,
        format!("/K{CAP:06}"),
        "the first key left out"
    );
    assert_eq!(summary.severity, Severity::Warning);
    let message = summary.message();
    assert!(message.contains("49900 more"), "{message}");
    assert!(message.contains(&format!("{n} in all")), "{message}");
    assert_eq!(report.findings.len(), CAP + 1);
    assert!(report.is_valid());
    // The listed ones are the first in body order.
    assert_eq!(report.findings[0].pointer, "/K000000");
    assert_eq!(
        report.findings[CAP - 1].pointer,
        format!("/K{:06}", CAP - 1)
    );
    // Quadratic lookups took seconds here in a release build; linear ones take milliseconds
    // (the bound leaves room for an unoptimized build on a busy machine).
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn duplicate_undocumented_keys_are_found_among_many() {
    // 2,000 distinct keys, then each again: every second occurrence is a duplicate.
    let mut extra = String::new();
    for round in 0..2 {
        for i in 0..2_000 {
            let _ = write!(extra, r#","K{i:04}":{round}"#);
        }
    }
    let (report, _) = check(&body_with(&extra));
    let (undocumented, summary) = of_kind(&report, Kind::UndocumentedField);
    assert_eq!(undocumented, CAP);
    assert_eq!(summary.expect("summary").omitted(), 2_000 - CAP);
    let (duplicates, summary) = of_kind(&report, Kind::MalformedBody);
    assert_eq!(duplicates, CAP);
    let summary = summary.expect("summary");
    assert_eq!(summary.omitted(), 2_000 - CAP);
    assert_eq!(summary.severity, Severity::Error);
    assert_eq!(summary.pointer, format!("/K{CAP:04}"));
    assert!(!report.is_valid());
}

#[test]
fn fifty_thousand_repeats_of_a_field_that_does_not_apply_give_a_short_report() {
    let n = 50_000;
    let (report, took) = check(&repeated(r#""PCD_PAY_CARDNAME":"BC""#, n));
    let (listed, summary) = of_kind(&report, Kind::NotApplicable);
    assert_eq!(listed, CAP);
    assert_eq!(summary.expect("summary").omitted(), n - CAP);
    let (dups, summary) = of_kind(&report, Kind::MalformedBody);
    assert_eq!(dups, CAP);
    assert_eq!(summary.expect("summary").omitted(), n - 1 - CAP);
    assert!(
        report.findings.len() <= 2 * CAP + 2,
        "{}",
        report.findings.len()
    );
    // Body order: the first occurrence's not_applicable, then for each repeat its
    // malformed_body (a duplicate key) and its not_applicable.
    let first: Vec<Kind> = report.findings.iter().take(4).map(|f| f.kind).collect();
    assert_eq!(
        first,
        [
            Kind::NotApplicable,
            Kind::MalformedBody,
            Kind::NotApplicable,
            Kind::MalformedBody
        ]
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_field_repeated_with_bad_values_keeps_one_captured_value() {
    // PCD_PAY_TYPE is read by the rules (the payment method): 20,000 repeats must not make
    // the end-of-object checks slow, and the last value counts, as in serde_json's trees.
    let (report, took) = check(&repeated(r#""PCD_PAY_TYPE":"card""#, 20_000));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let (dups, summary) = of_kind(&report, Kind::MalformedBody);
    assert_eq!(dups, CAP);
    assert_eq!(summary.expect("summary").omitted(), 20_000 - CAP);
}

#[test]
fn bodies_under_the_cap_are_reported_in_full() {
    let (report, _) = check(&distinct_undocumented(CAP));
    let (listed, summary) = of_kind(&report, Kind::UndocumentedField);
    assert_eq!(listed, CAP);
    assert!(summary.is_none());
    // Many groups, each under the cap: nothing is left out.
    let mut extra = String::new();
    for i in 0..CAP {
        let _ = write!(extra, r#","K{i}":1,"PCD_PAY_CARDNAME":"BC""#);
    }
    let (report, _) = check(&body_with(&extra));
    assert!(report.findings.iter().all(|f| f.omitted() == 0));
    assert_eq!(report.findings.len(), CAP + CAP + (CAP - 1));
}

#[test]
fn summaries_follow_strict_mode_and_keep_their_fingerprint() {
    let body = distinct_undocumented(CAP + 5);
    let (report, _) = check(&body);
    let summary = report.findings.last().expect("summary").clone();
    assert_eq!(summary.omitted(), 5);
    let strict = report.clone().strict();
    assert_eq!(
        strict.findings.last().expect("summary").severity,
        Severity::Error
    );
    let (again, _) = check(&body);
    assert_eq!(
        again.findings.last().expect("summary").fingerprint(),
        summary.fingerprint()
    );
    let json = serde_json::to_value(&summary).expect("serializes");
    assert_eq!(json["kind"], "undocumented_field");
    assert!(json["message"].as_str().expect("text").contains("5 more"));
}

#[test]
fn findings_placed_when_the_object_closes_keep_body_order() {
    // Six card-only fields in a transfer body, each after an undocumented key: their
    // not_applicable findings (known only once PCD_PAY_TYPE, last, is read) sit between
    // the undocumented ones, few or many.
    for n in [1, 2, 6] {
        let card = [
            "PCD_PAY_CARDNAME",
            "PCD_PAY_CARDNUM",
            "PCD_PAY_CARDTRADENUM",
            "PCD_PAY_CARDAUTHNO",
            "PCD_PAY_CARDRECEIPT",
            "PCD_PAY_PAYMENT_TYPE",
        ];
        let mut members = Vec::new();
        let mut want = Vec::new();
        for (i, field) in card.iter().take(n).enumerate() {
            members.push(format!(r#""X{i}":"1","{field}":"1""#));
            want.push((Kind::UndocumentedField, format!("/X{i}")));
            want.push((Kind::NotApplicable, format!("/{field}")));
        }
        members.push(r#""X9":"1","PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"transfer""#.into());
        want.push((Kind::UndocumentedField, "/X9".to_string()));
        let body = format!("{{{}}}", members.join(","));
        let (report, _) = check(body.as_bytes());
        let got: Vec<(Kind, String)> = report
            .findings
            .iter()
            .filter(|f| matches!(f.kind, Kind::UndocumentedField | Kind::NotApplicable))
            .map(|f| (f.kind, f.pointer.to_string()))
            .collect();
        assert_eq!(got, want, "{n} fields");
    }
}
