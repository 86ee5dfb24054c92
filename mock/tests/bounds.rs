//! The mock bounded and polite under abuse: slow clients lose their connection to the
//! header timeout while normal clients are answered; bodies beyond the limit get 413, slow
//! bodies 408; 100,000 orders keep the process under the documented memory cap.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::{MockConfig, MockLimits, MockServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Resident memory of this process (the mock runs in it), KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn hub_token_status(url: &str) -> u16 {
    let r = client()
        .post(format!("{url}/oauth/token"))
        .header("Content-Type", "application/json")
        .body(
            json!({"cst_id": "test", "custKey": "abcd1234567890", "code": "as12345678"})
                .to_string(),
        )
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_slow_connections_still_leave_room_for_normal_answers() {
    let server = MockServer::start(MockConfig {
        limits: MockLimits {
            max_connections: 32,
            header_timeout: Duration::from_secs(1),
            ..MockLimits::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let addr = server.hub_url().trim_start_matches("http://").to_string();
    // 100 clients that send one header line every 300 ms and never finish (more than the
    // connection cap).
    let mut slow = Vec::new();
    for _ in 0..100 {
        let addr = addr.clone();
        slow.push(tokio::spawn(async move {
            let Ok(mut s) = TcpStream::connect(&addr).await else {
                return (false, Duration::ZERO);
            };
            let start = Instant::now();
            let _ = s
                .write_all(b"POST /oauth/token HTTP/1.1\r\nHost: x\r\n")
                .await;
            let mut buf = [0u8; 1024];
            loop {
                tokio::select! {
                    r = s.read(&mut buf) => {
                        // Closed (0) or answered with an error: the server let go.
                        if matches!(r, Ok(0) | Err(_) | Ok(_)) {
                            return (true, start.elapsed());
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {
                        if s.write_all(b"X-Slow: 1\r\n").await.is_err() {
                            return (true, start.elapsed());
                        }
                        if start.elapsed() > Duration::from_secs(30) {
                            return (false, start.elapsed());
                        }
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Normal requests are answered meanwhile.
    let t = Instant::now();
    for _ in 0..5 {
        assert_eq!(hub_token_status(&server.hub_url()).await, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // Every slow connection is cut, none survives past the timeouts.
    let mut longest = Duration::ZERO;
    for h in slow {
        let (closed, took) = h.await.unwrap();
        assert!(closed, "a slow connection stayed open for {took:?}");
        longest = longest.max(took);
    }
    assert!(longest < Duration::from_secs(15), "{longest:?}");
    // And the server is still fine.
    assert_eq!(hub_token_status(&server.hub_url()).await, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn body_limits_and_slow_bodies_get_clear_errors() {
    let server = MockServer::start(MockConfig {
        limits: MockLimits {
            max_body_bytes: 64 * 1024,
            body_timeout: Duration::from_millis(500),
            ..MockLimits::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let big = vec![b'x'; 200 * 1024];
    let (status, text) = post_raw(
        &format!("{}/oauth/token", server.hub_url()),
        &big,
        &[("Content-Type", "application/json")],
    )
    .await;
    assert_eq!(status, 413, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["error"].as_str().unwrap().contains("65536"), "{v}");
    // A body announced but sent too slowly.
    let addr = server.hub_url().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    server.shutdown().await;
}

/// The documented memory cap: with the default limits (10,000 entries per ledger
/// collection, 10,000 logged exchanges) the mock's resident memory grows by less than
/// 96 MiB however many orders are made (measured here: 100,000 re-payments).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_orders_stay_under_the_memory_cap() {
    let orders: usize = std::env::var("PAYPLE_MOCK_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let w = window(
        &server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "AUTH"}),
    )
    .await;
    let key = w["PCD_PAYER_ID"].as_str().unwrap().to_string();
    let a = auth(&server, json!({"PCD_SIMPLE_FLAG": "Y"})).await;
    let url = a["return_url"].as_str().unwrap().to_string();
    let before = rss_kib();
    let started = Instant::now();
    let workers = 8;
    let mut set = tokio::task::JoinSet::new();
    for c in 0..workers {
        let (url, a, key) = (url.clone(), a.clone(), key.clone());
        set.spawn(async move {
            let http = client();
            let mut peak = 0;
            for i in (c..orders).step_by(workers) {
                let mut b = tokens(&a);
                for (k, v) in [
                    ("PCD_PAY_TYPE", "transfer"),
                    ("PCD_PAYER_ID", key.as_str()),
                    ("PCD_PAY_GOODS", "정기구독"),
                    ("PCD_PAY_TOTAL", "1000"),
                ] {
                    b[k] = json!(v);
                }
                b["PCD_PAY_OID"] = json!(format!("memtest{i:07}"));
                let r: Value = http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(b.to_string())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
                if i % 5000 == 0 {
                    peak = peak.max(rss_kib());
                }
            }
            peak
        });
    }
    let mut peak = 0;
    while let Some(p) = set.join_next().await {
        peak = peak.max(p.unwrap());
    }
    let after = rss_kib();
    let peak = peak.max(after);
    let took = started.elapsed();
    let ledger = server.ledger();
    println!(
        "{orders} orders in {took:?} ({:.0}/s); RSS {before} KiB before, {after} KiB after, {peak} KiB peak; ledger {} payments, {} evicted",
        orders as f64 / took.as_secs_f64(),
        ledger["counts"]["payments"],
        ledger["evicted"]
    );
    assert!(ledger["counts"]["payments"].as_u64().unwrap() <= 10_000);
    assert!(server.request_log().len() <= 10_000);
    let growth_mib = peak.saturating_sub(before) / 1024;
    assert!(growth_mib < 96, "RSS grew by {growth_mib} MiB");
    server.shutdown().await;
}
