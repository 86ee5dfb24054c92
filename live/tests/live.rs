//! Live runs against the local mock (payple-mock) on 127.0.0.1, with its faults on demand:
//! drift, HTTP 5xx with HTML pages, hangs, dropped connections and token expiry.

#![allow(clippy::unwrap_used, missing_docs)]

use payple_live::report::{EXIT_COULD_NOT_RUN, EXIT_DRIFT, EXIT_OK, run};
use payple_live::{CallError, Client, Clock, Config, Credentials, Format, Level, RunReport};
use payple_mock::{Fault, MockConfig, MockServer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const START: u64 = 1_795_392_000; // 2026-11-23T00:00:00Z

async fn mock() -> MockServer {
    let clock = payple_mock::Clock::manual(std::time::UNIX_EPOCH + Duration::from_secs(START));
    MockServer::start(MockConfig {
        clock,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn config(m: &MockServer, clock: &Clock) -> Config {
    let mut c = Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(
        &m.cpay_url(),
        &m.hub_url(),
        &m.global_url(),
    );
    c.clock = clock.clone();
    c.timeout = Duration::from_secs(5);
    c
}

fn fault(m: &MockServer, spec: &str) {
    m.add_fault(spec.parse::<Fault>().unwrap());
}

/// Requests the mock received at `path`.
fn hits(m: &MockServer, path: &str) -> usize {
    m.request_log().iter().filter(|l| l.path == path).count()
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
async fn clean_run_sends_the_documented_headers_and_baselines_settle_it() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let dir = tempfile::tempdir().unwrap();
    let first = run(config(&m, &clock), Some(dir.path())).await;
    let text = first.render(Format::Human);
    assert!(first.scenarios.iter().all(|s| s.outcome.is_ok()), "{text}");
    assert!(first.scenarios.len() >= 20);
    // Without baselines, only the documented borrowings of the mock (codes outside a
    // catalog) are more than INFO.
    for (_, d) in first.items() {
        assert!(
            d.level == Level::Info || d.rule == "spec-violation:unknown_result_code",
            "{text}"
        );
    }
    write_baselines(&first, dir.path());
    let second = run(config(&m, &clock), Some(dir.path())).await;
    assert_eq!(
        second.exit_code(),
        EXIT_OK,
        "{}",
        second.render(Format::Human)
    );
    assert!(
        second.items().iter().all(|(_, d)| d.level == Level::Info),
        "{}",
        second.render(Format::Human)
    );
    assert_eq!(second.verdict(), "no-drift");
    // auth used the Referer cpay requires, and no Authorization; hub calls a bearer token.
    let log = m.request_log();
    let auth = log.iter().find(|l| l.path == "/php/auth.php").unwrap();
    assert_eq!(auth.referer.as_deref(), Some("http://localhost"));
    assert!(auth.authorization.is_none());
    let remain = log.iter().find(|l| l.path == "/account/remain").unwrap();
    assert_eq!(remain.authorization.as_deref(), Some("Bearer <redacted>"));
    m.shutdown().await;
}

async fn drift_case(spec: &str) -> RunReport {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let dir = tempfile::tempdir().unwrap();
    let base = run(config(&m, &clock), None).await;
    write_baselines(&base, dir.path());
    fault(&m, &format!("drift:{spec}"));
    let r = run(config(&m, &clock), Some(dir.path())).await;
    assert_eq!(r.exit_code(), EXIT_DRIFT, "{}", r.render(Format::Human));
    m.shutdown().await;
    r
}

fn has(r: &RunReport, scenario: &str, rule: &str, pointer: &str, level: Level) -> bool {
    r.items()
        .iter()
        .any(|(s, d)| *s == scenario && d.rule == rule && d.pointer == pointer && d.level == level)
}

#[tokio::test]
async fn drift_switched_on_at_run_time_is_caught() {
    let s = "cpay.result_inquiry.unknown_order";
    let r = drift_case("rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE").await;
    assert!(has(&r, s, "field-removed", "/PCD_PAY_MSG", Level::Err));
    assert!(has(&r, s, "field-added", "/PCD_PAY_MESSAGE", Level::Warn));
    assert!(has(
        &r,
        s,
        "spec-violation:missing_required",
        "/PCD_PAY_MSG",
        Level::Err
    ));
    let r = drift_case("drop:cpay.result_inquiry:PCD_PAY_CODE").await;
    assert!(has(&r, s, "field-removed", "/PCD_PAY_CODE", Level::Err));
    let r = drift_case("code:cpay.result_inquiry:PCHK4242").await;
    assert!(has(&r, s, "result-code-new", "/PCD_PAY_CODE", Level::Warn));
    assert!(has(
        &r,
        s,
        "spec-violation:unknown_result_code",
        "/PCD_PAY_CODE",
        Level::Warn
    ));
    let r = drift_case("lengthen:hub.token:code").await;
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
    let m = mock().await;
    let url = m.cpay_url();
    m.shutdown().await;
    let clock = Clock::manual_unix(START);
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
    assert_eq!(clock.elapsed(), Duration::ZERO);
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
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let client = Client::new(config(&m, &clock)).unwrap();
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
    assert_eq!(hits(&m, "/oauth/token"), 2);
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
    assert_eq!(hits(&m, "/php/auth.php"), 3);
    m.shutdown().await;
}

#[tokio::test]
async fn token_expiry_on_the_server_side_is_answered_as_documented() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let client = Client::new(config(&m, &clock)).unwrap();
    let body = || {
        let mut b = serde_json::Map::new();
        b.insert("cst_id".into(), "test".into());
        b.insert("custKey".into(), "abcd1234567890".into());
        b
    };
    let ex = client.call("hub.remaining_limit", body()).await.unwrap();
    assert!(ex.response_body.contains("A0000"), "{}", ex.response_body);
    // The server forgets every token before the client expects it to.
    fault(&m, "token-expiry");
    let ex = client.call("hub.remaining_limit", body()).await.unwrap();
    assert!(ex.response_body.contains("T0320"), "{}", ex.response_body);
    m.shutdown().await;
}

#[tokio::test]
async fn result_inquiries_stay_within_the_budget() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let client = Client::new(config(&m, &clock)).unwrap();
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
    assert_eq!(hits(&m, "/php/PayChkAct.php"), 1000);
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
    assert_eq!(hits(&m, "/php/PayChkAct.php"), 1001);
    m.shutdown().await;
}

#[tokio::test]
async fn only_idempotent_inquiries_are_retried() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let client = Client::new(config(&m, &clock)).unwrap();
    fault(&m, "http:503@hub.transfer_result_daily*2");
    let ex = client
        .call("hub.transfer_result_daily", serde_json::Map::new())
        .await
        .unwrap();
    assert_eq!(ex.attempts, 3);
    assert_eq!(
        clock.elapsed(),
        Duration::from_millis(1500),
        "backoff 0.5 s then 1 s"
    );
    fault(&m, "http:502@cpay.cancel*1");
    let err = client
        .call("cpay.cancel", serde_json::Map::new())
        .await
        .unwrap_err();
    assert_eq!(err, CallError::Server(502));
    let cancels = m
        .request_log()
        .iter()
        .filter(|l| l.endpoint == "cpay.cancel")
        .count();
    assert_eq!(cancels, 1);
    m.shutdown().await;
}

#[tokio::test]
async fn concurrency_limit_of_one_still_runs_everything() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let mut c = config(&m, &clock);
    c.concurrency = 1;
    let client = Arc::new(Client::new(c).unwrap());
    let list = payple_live::scenario::scenarios();
    let out = payple_live::scenario::run_all(client, &list).await;
    assert!(out.iter().all(|(_, r)| r.is_ok()));
    m.shutdown().await;
}

#[tokio::test]
async fn no_secret_in_any_output_or_recording() {
    let m = mock().await;
    fault(
        &m,
        "drift:rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE",
    );
    let clock = Clock::manual_unix(START);
    let r = run(config(&m, &clock), None).await;
    let all = all_outputs(&r);
    let mut secrets = m.issued_tokens();
    assert!(secrets.len() > 10);
    secrets.push("abcd1234567890".into());
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "secret {s} leaked");
    }
    assert!(all.contains("Bearer <redacted>"));
    // The recordings pass conformance's secret scan and replay: see
    // conformance/tests/live_recordings.rs (payple-live does not depend on payple-conformance).
    m.shutdown().await;
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_exits_2() {
    let m = mock().await;
    fault(&m, "timeout");
    let clock = Clock::manual_unix(START);
    let mut c = config(&m, &clock);
    c.timeout = Duration::from_millis(150);
    let r = run(c, None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    assert!(
        r.scenarios
            .iter()
            .all(|s| matches!(s.outcome, Err(CallError::Timeout(_)))),
        "{}",
        r.render(Format::Human)
    );
    m.clear_faults();
    m.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_and_html_pages_are_could_not_run_or_drift() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    fault(&m, "drop@hub");
    let r = run(config(&m, &clock), None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    let hub = r
        .scenarios
        .iter()
        .find(|s| s.scenario.name == "hub.token")
        .unwrap();
    assert!(
        matches!(hub.outcome, Err(CallError::Transport(_))),
        "{:?}",
        hub.outcome
    );
    m.clear_faults();
    // An HTML error page with HTTP 200 where JSON is documented is drift, not an outage.
    fault(&m, "html@global.result_inquiry");
    let r = run(config(&m, &clock), None).await;
    assert_eq!(r.exit_code(), EXIT_DRIFT, "{}", r.render(Format::Human));
    assert!(
        has(
            &r,
            "global.result_inquiry.unknown_order",
            "spec-violation:malformed_body",
            "",
            Level::Err
        ),
        "{}",
        r.render(Format::Human)
    );
    m.clear_faults();
    // A 5xx HTML page on a non-idempotent call: could not run.
    fault(&m, "http:500@cpay.cancel");
    let r = run(config(&m, &clock), None).await;
    assert_eq!(r.exit_code(), EXIT_COULD_NOT_RUN);
    m.shutdown().await;
}

#[tokio::test]
async fn refused_authentication_exits_2_without_leaking_the_key() {
    let m = mock().await;
    let clock = Clock::manual_unix(START);
    let mut c = config(&m, &clock);
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
    m.shutdown().await;
}
