//! The recordings of a live run (payple-live against the local mock on 127.0.0.1, with a
//! drift switched on) checked with this crate's rules: each parses as a recording, passes the
//! secret scan, and the set replays. The test lives here rather than in payple-live so that
//! payple-live does not depend on payple-conformance (which depends on payple-live).

#![allow(clippy::unwrap_used, missing_docs)]

use payple_conformance::deviations::{Date, Deviations};
use payple_conformance::{recording, replay, secrets};
use payple_live::{Clock, Config, Credentials};
use payple_mock::{MockConfig, MockServer};

const START: u64 = 1_795_392_000; // 2026-11-23T00:00:00Z

#[tokio::test]
async fn live_recordings_pass_the_secret_scan_and_replay() {
    let m = MockServer::start(MockConfig {
        clock: payple_mock::Clock::manual_unix(START),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    m.add_fault(
        "drift:rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE"
            .parse()
            .unwrap(),
    );
    let mut cfg = Config::with_credentials(Credentials::from_lookup(|_| None)).all_at(
        &m.cpay_url(),
        &m.hub_url(),
        &m.global_url(),
    );
    cfg.clock = Clock::manual_unix(START);
    let report = payple_live::run(cfg, None).await;

    let dir = tempfile::tempdir().unwrap();
    let recordings = report.recordings();
    assert!(recordings.len() >= 20, "{} recordings", recordings.len());
    for (p, text) in recordings {
        let loaded = recording::parse(text.as_bytes()).unwrap();
        let scan = secrets::scan(&loaded);
        assert!(scan.hits.is_empty(), "{p:?}: {:?}", scan.hits);
        let path = dir.path().join(&p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // Baselines sit beside the recordings (recordings/baselines/); replay skips them.
    let baselines = dir.path().join("baselines");
    std::fs::create_dir_all(&baselines).unwrap();
    for (p, text) in report.baselines() {
        std::fs::write(baselines.join(p), text).unwrap();
    }
    let outcome = replay::replay(
        &[dir.path().to_path_buf()],
        &Deviations::none(Date::today()),
    );
    assert!(outcome.results.len() >= 20);
    m.shutdown().await;
}
