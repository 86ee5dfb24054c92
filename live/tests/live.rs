//! Live runs against a fake Payple on 127.0.0.1.

#![allow(clippy::unwrap_used, missing_docs)]

mod fake;

use fake::{FakeConfig, FakeDrift, FakeServer, SECRETS, start};
use payple_live::report::{EXIT_COULD_NOT_RUN, EXIT_DRIFT, EXIT_OK, run};
use payple_live::{CallError, Client, Clock, Config, Credentials, Format, Level, RunReport};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const START: u64 = 1_795_392_000; // 2026-11-23T00:00:00Z

fn config(f: &FakeServer, clock: &Clock) -> Config {
    let mut c = Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(
        &f.cpay_url(),
        &f.hub_url(),
        &f.global_url(),
    );
    c.clock = clock.clone();
    c.timeout = Duration::from_secs(5);
    c
}

fn write_baselines(report: &RunReport, dir: &Path) {
    for (p, text) in report.baselines() {
        std::fs::write(dir.join(p), text).unwrap();
    }
}

fn all_outputs(report: &RunReport) -> String {
    let mut all = String::new();
    for f in [Format::Human, Format::Json, Format::Markdown, Format::Junit] {
        all.push_str(&report.render(f));
    }
    for (_, t) in report.recordings().into_iter().chain(report.baselines()) {
        all.push_str(&t);
    }
    all
}

#[tokio::test]
async fn clean_run_exits_0_with_and_without_baselines() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let dir = tempfile::tempdir().unwrap();
    let first = run(config(&f, &clock), Some(dir.path())).await;
    let text = first.render(Format::Human);
    assert_eq!(first.exit_code(), EXIT_OK, "{text}");
    assert!(
        first
            .items()
            .iter()
            .all(|(_, d)| d.rule == "baseline-missing"),
        "{text}"
    );
    write_baselines(&first, dir.path());
    let second = run(config(&f, &clock), Some(dir.path())).await;
    assert_eq!(
        second.exit_code(),
        EXIT_OK,
        "{}",
        second.render(Format::Human)
    );
    assert!(
        second.items().is_empty(),
        "{}",
        second.render(Format::Human)
    );
    assert_eq!(second.verdict(), "no-drift");
    // Every scenario ran; auth used the Referer header cpay requires.
    assert!(second.scenarios.iter().all(|s| s.outcome.is_ok()));
    assert!(second.scenarios.len() >= 20);
    let h = f.state.headers.lock().unwrap();
    assert_eq!(h["/php/auth.php"]["referer"], "http://localhost");
    assert!(h["/php/auth.php"].get("authorization").is_none());
    assert!(
        h["/account/remain"]["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
}

async fn drift_case(d: FakeDrift) -> RunReport {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let dir = tempfile::tempdir().unwrap();
    let base = run(config(&f, &clock), None).await;
    assert_eq!(base.exit_code(), EXIT_OK);
    write_baselines(&base, dir.path());
    f.set_drift(d);
    let r = run(config(&f, &clock), Some(dir.path())).await;
    assert_eq!(r.exit_code(), EXIT_DRIFT, "{}", r.render(Format::Human));
    r
}

fn has(r: &RunReport, scenario: &str, rule: &str, pointer: &str, level: Level) -> bool {
    r.items()
        .iter()
        .any(|(s, d)| *s == scenario && d.rule == rule && d.pointer == pointer && d.level == level)
}

#[tokio::test]
async fn renamed_field_is_drift() {
    let r = drift_case(FakeDrift::RenameField).await;
    let s = "cpay.result_inquiry.unknown_order";
    assert!(has(&r, s, "field-removed", "/PCD_PAY_MSG", Level::Err));
    assert!(has(&r, s, "field-added", "/PCD_PAY_MESSAGE", Level::Warn));
    assert!(has(
        &r,
        s,
        "spec-violation:missing_required",
        "/PCD_PAY_MSG",
        Level::Err
    ));
}

#[tokio::test]
async fn dropped_field_is_drift() {
    let r = drift_case(FakeDrift::DropField).await;
    assert!(has(
        &r,
        "cpay.result_inquiry.unknown_order",
        "field-removed",
        "/PCD_PAY_TYPE",
        Level::Err
    ));
}

#[tokio::test]
async fn new_result_code_is_drift() {
    let r = drift_case(FakeDrift::NewResultCode).await;
    let s = "cpay.result_inquiry.unknown_order";
    assert!(has(&r, s, "result-code-new", "/PCD_PAY_CODE", Level::Warn));
    assert!(has(
        &r,
        s,
        "spec-violation:unknown_result_code",
        "/PCD_PAY_CODE",
        Level::Warn
    ));
}

#[tokio::test]
async fn lengthened_value_is_drift() {
    let r = drift_case(FakeDrift::LongValue).await;
    assert!(has(&r, "hub.token", "value-too-long", "/code", Level::Err));
    assert!(has(
        &r,
        "hub.token",
        "spec-violation:type_code_violation",
        "/code",
        Level::Err
    ));
}

#[tokio::test]
async fn closed_port_exits_2() {
    let url = fake::closed_port_url().await;
    let clock = Clock::manual(START);
    let mut c =
        Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(&url, &url, &url);
    c.clock = clock.clone();
    let r = run(c, None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    assert_eq!(r.verdict(), "could-not-run");
    assert!(
        r.scenarios
            .iter()
            .all(|s| matches!(s.outcome, Err(CallError::Transport(_))))
    );
    let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json)).unwrap();
    assert_eq!(json["exit_code"], 2);
    assert_eq!(json["scenarios"][0]["error"]["kind"], "transport");
    // Authentication is not retried, so nothing waited.
    assert_eq!(clock.now(), Duration::ZERO);
}

#[tokio::test]
async fn production_host_refused_without_the_flag() {
    let mut c = Config::with_credentials(Credentials::from_lookup(|_| None));
    c.cpay_url = "https://cpay.payple.kr".into();
    let r = run(c.clone(), None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    assert!(matches!(r.fatal, Some(CallError::Refused(ref m)) if m.contains("production")));
    assert!(r.render(Format::Markdown).contains("production"));
    c.allow_production = true;
    assert!(c.check().is_ok());
    for url in ["https://hub.payple.kr", "https://api.payple.kr/gpay"] {
        let mut c = Config::with_credentials(Credentials::from_lookup(|_| None));
        c.hub_url = url.into();
        assert!(c.check().is_err(), "{url}");
    }
}

#[tokio::test]
async fn tokens_are_reused_within_their_lifetime_and_refreshed_after() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let client = Client::new(config(&f, &clock)).unwrap();
    let body = || serde_json::Map::new();
    // hub: 60 s, refreshed 5 s early.
    client.call("hub.remaining_limit", body()).await.unwrap();
    client
        .call("hub.transfer_result_daily", body())
        .await
        .unwrap();
    assert_eq!(client.auth_calls("hub.bearer_token"), 1);
    clock.advance(Duration::from_secs(54));
    client.call("hub.remaining_limit", body()).await.unwrap();
    assert_eq!(client.auth_calls("hub.bearer_token"), 1);
    clock.advance(Duration::from_secs(2));
    client.call("hub.remaining_limit", body()).await.unwrap();
    assert_eq!(client.auth_calls("hub.bearer_token"), 2);
    assert_eq!(f.hits("/oauth/token"), 2);
    // cpay: 30 min per flag.
    client.call("cpay.result_inquiry", body()).await.unwrap();
    clock.advance(Duration::from_secs(29 * 60));
    client.call("cpay.result_inquiry", body()).await.unwrap();
    assert_eq!(client.auth_calls("cpay.partner_auth"), 1);
    client.call("cpay.cancel", body()).await.unwrap();
    assert_eq!(
        client.auth_calls("cpay.partner_auth"),
        2,
        "another flag, another token"
    );
    clock.advance(Duration::from_secs(60));
    client.call("cpay.result_inquiry", body()).await.unwrap();
    assert_eq!(client.auth_calls("cpay.partner_auth"), 3);
    assert_eq!(f.hits("/php/auth.php"), 3);
}

#[tokio::test]
async fn result_inquiries_stay_within_the_budget() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let client = Client::new(config(&f, &clock)).unwrap();
    assert_eq!(client.config().inquiry_budget, 1000);
    for _ in 0..1000 {
        client
            .call("cpay.result_inquiry", serde_json::Map::new())
            .await
            .unwrap();
        clock.advance(Duration::from_millis(100));
    }
    let err = client
        .call("cpay.result_inquiry", serde_json::Map::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Budget(_)), "{err:?}");
    assert_eq!(f.hits("/php/next/PCD_PAYCHK_FLAG"), 1000);
    // Other endpoints are not charged.
    client
        .call("cpay.registration_lookup", serde_json::Map::new())
        .await
        .unwrap();
    // 100 s passed; the first inquiry leaves the 10-minute window at 600 s.
    clock.advance(Duration::from_secs(500));
    client
        .call("cpay.result_inquiry", serde_json::Map::new())
        .await
        .unwrap();
    assert_eq!(f.hits("/php/next/PCD_PAYCHK_FLAG"), 1001);
}

#[tokio::test]
async fn only_idempotent_inquiries_are_retried() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let client = Client::new(config(&f, &clock)).unwrap();
    f.fail_next("/transfer/result/date", 2);
    let ex = client
        .call("hub.transfer_result_daily", serde_json::Map::new())
        .await
        .unwrap();
    assert_eq!(ex.attempts, 3);
    assert_eq!(
        clock.now(),
        Duration::from_millis(1500),
        "backoff 0.5 s then 1 s"
    );
    f.fail_next("/php/next/PCD_PAYCANCEL_FLAG", 1);
    let err = client
        .call("cpay.cancel", serde_json::Map::new())
        .await
        .unwrap_err();
    assert_eq!(err, CallError::Server(503));
    assert_eq!(f.hits("/php/next/PCD_PAYCANCEL_FLAG"), 1);
}

#[tokio::test]
async fn concurrency_limit_of_one_still_runs_everything() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let mut c = config(&f, &clock);
    c.concurrency = 1;
    let client = Arc::new(Client::new(c).unwrap());
    let list = payple_live::scenario::scenarios();
    let out = payple_live::scenario::run_all(client, &list).await;
    assert!(out.iter().all(|(_, r)| r.is_ok()));
}

#[tokio::test]
async fn no_secret_in_any_output_or_recording() {
    let f = start(FakeConfig {
        drift: FakeDrift::RenameField,
    })
    .await;
    let clock = Clock::manual(START);
    let r = run(config(&f, &clock), None).await;
    let all = all_outputs(&r);
    for s in SECRETS {
        assert!(!all.contains(s), "secret {s} leaked");
    }
    assert!(all.contains("Bearer <redacted>"));
    // Recordings parse as recordings, pass the secret scan and replay as expected.
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in r.recordings() {
        let loaded = payple_conformance::recording::parse(text.as_bytes()).unwrap();
        let scan = payple_conformance::secrets::scan(&loaded);
        assert!(scan.hits.is_empty(), "{p:?}: {:?}", scan.hits);
        let path = dir.path().join(&p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // Baselines sit beside the recordings (recordings/baselines/); replay skips them.
    std::fs::create_dir_all(dir.path().join("baselines")).unwrap();
    write_baselines(&r, &dir.path().join("baselines"));
    let none = payple_conformance::deviations::Deviations::none(
        payple_conformance::deviations::Date::today(),
    );
    let outcome = payple_conformance::replay::replay(&[dir.path().to_path_buf()], &none);
    assert_eq!(outcome.exit_code(), 0);
    assert!(outcome.results.len() >= 20);
}

#[tokio::test]
async fn a_silent_server_times_out_and_exits_2() {
    let url = fake::silent_url().await;
    let clock = Clock::manual(START);
    let mut c =
        Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(&url, &url, &url);
    c.clock = clock;
    c.timeout = Duration::from_millis(150);
    let r = run(c, None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    assert!(
        r.scenarios
            .iter()
            .all(|s| matches!(s.outcome, Err(CallError::Timeout(_))))
    );
}

#[tokio::test]
async fn refused_authentication_exits_2_without_leaking_the_key() {
    let f = start(FakeConfig {
        drift: FakeDrift::None,
    })
    .await;
    let clock = Clock::manual(START);
    let mut c = config(&f, &clock);
    c.credentials.set("cpay", "custKey", "wrongkey0123456789");
    let r = run(c, None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    let auth = r
        .scenarios
        .iter()
        .find(|s| s.scenario.name == "cpay.auth.paychk")
        .unwrap();
    assert!(matches!(auth.outcome, Err(CallError::AuthRefused(_))));
    // hub and global still ran.
    assert!(
        r.scenarios
            .iter()
            .find(|s| s.scenario.name == "hub.token")
            .unwrap()
            .outcome
            .is_ok()
    );
    let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json)).unwrap();
    assert_eq!(json["verdict"], "could-not-run");
    assert!(!all_outputs(&r).contains("wrongkey0123456789"));
}
