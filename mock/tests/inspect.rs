//! What the mock tells about its exchanges: the request log (capped), the `--log` JSON
//! Lines file (redacted, rotated), the admin routes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::{Clock, MockConfig, MockLimits, MockServer};
use serde_json::{Value, json};

async fn get(url: &str) -> Value {
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{url}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn log_file_is_redacted_json_lines_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock.jsonl");
    let server = MockServer::start(MockConfig {
        log_file: Some(path.clone()),
        limits: MockLimits {
            log_file_bytes: 64 * 1024,
            ..MockLimits::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    // Secrets of every kind: the account key, tokens, a card number, a billing key.
    let a = auth(
        &server,
        json!({"PCD_PAY_WORK": "AUTHREG", "PCD_PAY_TYPE": "card"}),
    )
    .await;
    let mut reg = tokens(&a);
    for (k, v) in [
        ("PCD_PAY_WORK", "AUTHREG"),
        ("PCD_PAY_TYPE", "card"),
        ("PCD_PAYER_BIRTH", "900101"),
        ("PCD_PAY_CARDNUM", "9410123456781234"),
        ("PCD_PAY_CARDEXYEAR", "29"),
        ("PCD_PAY_CARDEXMONTH", "12"),
        ("PCD_PAY_CARDPW", "12"),
        ("PCD_PAYER_NAME", "비밀이름"),
    ] {
        reg[k] = json!(v);
    }
    let r = post(a["return_url"].as_str().unwrap(), &reg, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    let key = r["PCD_PAYER_ID"].as_str().unwrap().to_string();
    let t = hub_token(&server).await;
    let bearer = t["access_token"].as_str().unwrap().to_string();
    let _ = hub_call(&server, "/account/remain", &json!({})).await;
    let mut secrets = vec![
        "abcd1234567890".to_string(),
        "9410123456781234".into(),
        "비밀이름".into(),
        key,
        bearer,
    ];
    secrets.extend(server.issued_tokens());
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 5, "{text}");
    for l in &lines {
        for k in [
            "time",
            "service",
            "method",
            "path",
            "endpoint",
            "status",
            "result_code",
            "elapsed_ms",
            "request",
            "response",
        ] {
            assert!(l.get(k).is_some(), "{k}: {l}");
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l["endpoint"] == "cpay.card_registration" && l["result_code"] == "CDAU0000")
    );
    assert!(
        lines
            .iter()
            .any(|l| l["authorization"] == "Bearer <redacted>")
    );
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "secret {s} in the log");
    }
    // Beyond its cap the file is rotated to FILE.1.
    for _ in 0..200 {
        let _ = hub_token(&server).await;
    }
    let rotated = dir.path().join("mock.jsonl.1");
    assert!(rotated.exists());
    assert!(std::fs::metadata(&path).unwrap().len() <= 64 * 1024);
    server.shutdown().await;
}

#[tokio::test]
async fn admin_routes_and_a_capped_request_log() {
    let server = MockServer::start(MockConfig {
        limits: MockLimits {
            log_entries: 5,
            ..MockLimits::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    for _ in 0..8 {
        let _ = hub_token(&server).await;
    }
    assert_eq!(server.request_log().len(), 5, "the log keeps the newest 5");
    let log = get(&format!("{}/__mock/log?n=2", server.hub_url())).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 2);
    assert_eq!(log["total"], 8);
    assert_eq!(log["evicted"], 3);
    let index = get(&format!("{}/__mock", server.cpay_url())).await;
    assert!(index["routes"].to_string().contains("/__mock/window"));
    let w = window(
        &server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "PAY", "PCD_PAY_OID": "adminorder1"}),
    )
    .await;
    assert_eq!(w["PCD_PAY_RST"], "success");
    let ledger = get(&format!("{}/__mock/ledger", server.global_url())).await;
    assert_eq!(ledger["counts"]["payments"], 1, "{ledger}");
    assert_eq!(ledger["payments"][0]["order_id"], "adminorder1");
    let receipt = get(w["PCD_PAY_CARDRECEIPT"].as_str().unwrap()).await;
    assert_eq!(receipt["order_id"], "adminorder1");
    // Faults at run time.
    let url = format!("{}/__mock/faults", server.hub_url());
    let set: Value = client()
        .post(&url)
        .body("http:503@hub.token*1\nlatency:1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["faults"], json!(["http:503@hub.token*1", "latency:1"]));
    let r = client()
        .post(format!("{}/oauth/token", server.hub_url()))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.text().await.unwrap().contains("<html>"));
    let bad = client().post(&url).body("nonsense").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let cleared: Value = client()
        .delete(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["faults"], json!([]));
    assert!(server.faults().is_empty());
    let _ = Clock::system();
    server.shutdown().await;
}
