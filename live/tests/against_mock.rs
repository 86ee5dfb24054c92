//! `live` against the spec-driven mock (`payple-mock`) on 127.0.0.1: a clean run is no
//! drift, each kind of drift the mock injects is caught with its rule id, a closed port is
//! "could not run".

#![allow(clippy::unwrap_used, missing_docs)]

use payple_live::report::{EXIT_COULD_NOT_RUN, EXIT_DRIFT, EXIT_OK, run};
use payple_live::{Clock, Config, Credentials, Format, Level, RunReport};
use payple_mock::{Drift, MockConfig, MockServer};
use std::time::Duration;

const START: u64 = 1_795_392_000; // 2026-11-23T00:00:00Z

async fn mock(drift: Vec<Drift>) -> MockServer {
    let clock = payple_mock::Clock::manual(std::time::UNIX_EPOCH + Duration::from_secs(START));
    MockServer::start(MockConfig {
        drift,
        clock,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn config(m: &MockServer) -> Config {
    let mut c = Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(
        &m.cpay_url(),
        &m.hub_url(),
        &m.global_url(),
    );
    c.clock = Clock::manual_unix(START);
    c.timeout = Duration::from_secs(5);
    c
}

#[tokio::test]
async fn a_clean_run_against_the_mock_is_no_drift() {
    let m = mock(Vec::new()).await;
    let report = run(config(&m), None).await;
    let text = report.render(Format::Human);
    assert!(report.scenarios.iter().all(|s| s.outcome.is_ok()), "{text}");
    // Without baselines the only WARN items are the codes the mock borrows where Payple
    // documents none (global's A0009 for unknown orders; see spec/README.md, "Limits the
    // local mock enforces"); nothing is an error.
    for (scenario, d) in report.items() {
        assert!(
            d.level == Level::Info
                || (d.rule == "spec-violation:unknown_result_code"
                    && scenario.starts_with("global.")),
            "{text}"
        );
    }
    // With the baselines of a clean run, a second clean run is no drift: INFO items only
    // (the accepted borrowings, "already in the baseline").
    let dir = clean_baselines().await;
    let again = run(config(&m), Some(dir.path())).await;
    assert_eq!(again.exit_code(), EXIT_OK);
    assert!(
        again.items().iter().all(|(_, d)| d.level == Level::Info),
        "{}",
        again.render(Format::Human)
    );
}

/// Baselines of a clean run against the mock, in a temporary directory.
async fn clean_baselines() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let m = mock(Vec::new()).await;
    let report = run(config(&m), Some(dir.path())).await;
    for (path, text) in report.baselines() {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    dir
}

async fn drifted(spec: &str, baselines: &std::path::Path) -> RunReport {
    let m = mock(vec![spec.parse().unwrap()]).await;
    let report = run(config(&m), Some(baselines)).await;
    assert_eq!(
        report.exit_code(),
        EXIT_DRIFT,
        "{spec}: {}",
        report.render(Format::Human)
    );
    report
}

fn on_inquiry(r: &RunReport) -> Vec<(&str, &str, Level)> {
    r.items()
        .into_iter()
        .filter(|(scenario, _)| *scenario == "cpay.result_inquiry.unknown_order")
        .map(|(_, d)| (d.rule.as_str(), d.pointer.as_str(), d.level))
        .collect()
}

#[tokio::test]
async fn each_injected_drift_is_caught_with_its_rule() {
    let dir = clean_baselines().await;
    let b = dir.path();
    let r = drifted("rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE", b).await;
    let got = on_inquiry(&r);
    assert!(
        got.contains(&(
            "spec-violation:missing_required",
            "/PCD_PAY_MSG",
            Level::Err
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&("field-added", "/PCD_PAY_MESSAGE", Level::Warn)),
        "{got:?}"
    );
    assert!(
        got.contains(&("field-removed", "/PCD_PAY_MSG", Level::Err)),
        "{got:?}"
    );

    let r = drifted("drop:cpay.result_inquiry:PCD_PAY_MSG", b).await;
    let got = on_inquiry(&r);
    assert!(
        got.contains(&(
            "spec-violation:missing_required",
            "/PCD_PAY_MSG",
            Level::Err
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&("field-removed", "/PCD_PAY_MSG", Level::Err)),
        "{got:?}"
    );

    let r = drifted("add:cpay.result_inquiry:PCD_PAY_SURPRISE:x", b).await;
    let got = on_inquiry(&r);
    assert!(
        got.contains(&("field-added", "/PCD_PAY_SURPRISE", Level::Warn)),
        "{got:?}"
    );

    let r = drifted("lengthen:cpay.result_inquiry:PCD_PAY_RST", b).await;
    let got = on_inquiry(&r);
    assert!(
        got.iter().any(|(rule, p, level)| *p == "/PCD_PAY_RST"
            && rule.starts_with("spec-violation:")
            && *level == Level::Err),
        "{got:?}"
    );
    assert!(
        got.contains(&("value-longer", "/PCD_PAY_RST", Level::Info)),
        "{got:?}"
    );

    let r = drifted("code:cpay.result_inquiry:PCHK0042", b).await;
    let got = on_inquiry(&r);
    assert!(
        got.iter().any(|(rule, p, _)| *p == "/PCD_PAY_CODE"
            && (rule.starts_with("result-code") || *rule == "spec-violation:unknown_result_code")),
        "{got:?}"
    );
    assert!(
        got.contains(&("result-code-new", "/PCD_PAY_CODE", Level::Warn)),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_closed_port_could_not_run() {
    let m = mock(Vec::new()).await;
    let (cpay, hub, global) = (m.cpay_url(), m.hub_url(), m.global_url());
    m.shutdown().await;
    let mut c =
        Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(&cpay, &hub, &global);
    c.clock = Clock::manual_unix(START);
    c.timeout = Duration::from_secs(2);
    let report = run(c, None).await;
    assert_eq!(
        report.exit_code(),
        EXIT_COULD_NOT_RUN,
        "{}",
        report.render(Format::Human)
    );
}

#[tokio::test]
async fn happy_path_flows_against_the_mock_exit_0() {
    let m = mock(Vec::new()).await;
    let mut c = config(&m);
    c.flows = true;
    let first = run(c.clone(), None).await;
    let text = first.render(Format::Human);
    let flows: Vec<_> = first
        .scenarios
        .iter()
        .filter(|s| s.scenario.name.starts_with("flow."))
        .collect();
    assert_eq!(
        flows.len(),
        payple_live::scenario::FLOWS
            .iter()
            .map(|f| f.steps.len())
            .sum::<usize>(),
        "{text}"
    );
    for s in &flows {
        assert!(s.outcome.is_ok(), "{}: {text}", s.scenario.name);
    }
    // Every step of every flow is answered as the spec documents it.
    for (scenario, d) in first.items() {
        if scenario.starts_with("flow.") {
            assert_eq!(d.level, Level::Info, "{scenario}: {text}");
        }
    }
    // The mock's ledger saw the whole story: paid, refunded in two halves.
    let ledger = m.ledger();
    let refunded: Vec<_> = ledger["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "refunded")
        .collect();
    assert_eq!(refunded.len(), 2, "{ledger}");
    // With baselines, a second run is no drift.
    let dir = tempfile::tempdir().unwrap();
    for (path, t) in first.baselines() {
        std::fs::write(dir.path().join(path), t).unwrap();
    }
    let again = run(c, Some(dir.path())).await;
    assert_eq!(
        again.exit_code(),
        EXIT_OK,
        "{}",
        again.render(Format::Human)
    );
}

#[test]
fn flows_on_payple_hosts_need_their_key_and_only_safe_ones_run() {
    let mut c = Config::with_credentials(Credentials::from_lookup(|_| None));
    c.flows = true;
    let names = |c: &Config| -> Vec<String> {
        payple_live::scenario::scenarios_for(c)
            .into_iter()
            .filter(|s| s.name.starts_with("flow."))
            .map(|s| s.name)
            .collect()
    };
    assert!(names(&c).is_empty());
    c.credentials
        .set("cpay", "transfer_payer_id", "SOMEREGISTEREDKEY");
    let n = names(&c);
    assert!(!n.is_empty());
    assert!(
        n.iter()
            .all(|s| s.starts_with("flow.transfer_repay_receipt_refund.")),
        "{n:?}"
    );
    assert!(
        c.credentials
            .secret_values()
            .contains(&"SOMEREGISTEREDKEY".to_string())
    );
}
