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
        port: None,
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
    c.clock = Clock::manual(START);
    c.timeout = Duration::from_secs(5);
    c
}

#[tokio::test]
async fn a_clean_run_against_the_mock_is_no_drift() {
    let m = mock(Vec::new()).await;
    let report = run(config(&m), None).await;
    let text = report.render(Format::Human);
    assert_eq!(report.exit_code(), EXIT_OK, "{text}");
    assert!(report.scenarios.iter().all(|s| s.outcome.is_ok()), "{text}");
    // With the baselines of a clean run, a second clean run reports nothing at all.
    let dir = clean_baselines().await;
    let again = run(config(&m), Some(dir.path())).await;
    assert_eq!(again.exit_code(), EXIT_OK);
    assert!(again.items().is_empty(), "{}", again.render(Format::Human));
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
    c.clock = Clock::manual(START);
    c.timeout = Duration::from_secs(2);
    let report = run(c, None).await;
    assert_eq!(
        report.exit_code(),
        EXIT_COULD_NOT_RUN,
        "{}",
        report.render(Format::Human)
    );
}
