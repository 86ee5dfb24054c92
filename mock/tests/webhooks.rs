//! Post-backs and webhooks: the cpay window result to PCD_RST_URL (form fields), the hub
//! payout result to the execution's webhook_url, global payment and cancel results to the
//! registered URL; each one received here and validated against its spec.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::Clock;
use payple_types::Severity;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Received = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// A partner server that records (path, content type, body) and answers 200.
async fn receiver() -> (String, Received) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let got: Received = Arc::default();
    let store = Arc::clone(&got);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let head = &text[..end];
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() < end + 4 + len {
                        continue;
                    }
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    let ct = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-type:")
                                .map(|v| v.trim().to_string())
                        })
                        .unwrap_or_default();
                    store
                        .lock()
                        .unwrap()
                        .push((path, ct, buf[end + 4..end + 4 + len].to_vec()));
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
            });
        }
    });
    (url, got)
}

fn form_decode(b: &[u8]) -> Value {
    fn dec(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    let text = String::from_utf8_lossy(b);
    let mut m = Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.insert(dec(k), Value::String(dec(v)));
    }
    Value::Object(m)
}

async fn wait_for(got: &Received, n: usize) -> Vec<(String, String, Vec<u8>)> {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    got.lock().unwrap().clone()
}

fn no_errors(id: &str, v: &Value) {
    let r = check(id, payple_types::Part::Response, v);
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{id}: {v}\n{errors:#?}");
}

#[tokio::test]
async fn each_post_back_and_webhook_is_sent_as_documented() {
    let server = start(Clock::system()).await;
    let (partner, got) = receiver().await;

    // cpay: the window result to PCD_RST_URL, as form fields.
    let w = window(
        &server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "PAY", "PCD_RST_URL": format!("{partner}/payple/result")}),
    )
    .await;
    let seen = wait_for(&got, 1).await;
    let (path, ct, body) = &seen[0];
    assert_eq!(path, "/payple/result");
    assert_eq!(ct, "application/x-www-form-urlencoded");
    let posted = form_decode(body);
    assert_eq!(posted["PCD_PAY_OID"], w["PCD_PAY_OID"], "{posted}");
    assert_eq!(posted["PCD_PAY_RST"], "success");
    assert_clean("cpay.result_callback", &posted);

    // hub: the payout result to the execution's webhook_url.
    let v = hub_call(&server, "/inquiry/real_name", &json!({"bank_code_std": "020", "account_num": "1002123456789", "account_holder_info_type": "0", "account_holder_info": "880101"})).await;
    let billing = v["billing_tran_id"].as_str().unwrap().to_string();
    let req = hub_call(
        &server,
        "/transfer/request",
        &json!({"billing_tran_id": billing, "tran_amt": "1000"}),
    )
    .await;
    let ex = hub_call(
        &server,
        "/transfer/execute",
        &json!({"group_key": req["group_key"], "billing_tran_id": billing, "execute_type": "NOW",
                "webhook_url": format!("{partner}/hub/webhook")}),
    )
    .await;
    assert_eq!(ex["result"], "A0000", "{ex}");
    let seen = wait_for(&got, 2).await;
    let (path, ct, body) = &seen[1];
    assert_eq!(path, "/hub/webhook");
    assert!(ct.starts_with("application/json"), "{ct}");
    let hook: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(hook["result"], "A0000");
    assert_eq!(hook["group_key"], req["group_key"]);
    assert!(
        hook["api_tran_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{hook}"
    );
    assert_clean("hub.webhook", &hook);

    // global: payment and cancel results to the registered URL.
    let r: Value = client()
        .post(format!("{}/__mock/webhooks", server.global_url()))
        .body(json!({"global": format!("{partner}/global/webhook")}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["global"], format!("{partner}/global/webhook"));
    let gw = window(&server, "global", &json!({})).await;
    let pay = global_call(
        &server,
        "/gpay/billingKey",
        &json!({"service_id": "demo", "service_oid": "hookorder1", "comments": "x", "billing_key": gw["billing_key"],
                "securityCode": "000", "totalAmount": "2.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(pay["result"], "A0000", "{pay}");
    let c = global_call(
        &server,
        "/gpay/cancel",
        &json!({"service_id": "demo", "comments": "x", "service_oid": "hookorder1", "pay_id": pay["api_id"],
                "totalAmount": "2.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(c["result"], "A0000", "{c}");
    let seen = wait_for(&got, 5).await;
    let globals: Vec<Value> = seen
        .iter()
        .filter(|(p, _, _)| p == "/global/webhook")
        .map(|(_, _, b)| serde_json::from_slice(b).unwrap())
        .collect();
    // The window's payment, the billing-key payment, its cancel.
    assert_eq!(globals.len(), 3, "{globals:?}");
    assert_eq!(globals[1]["type"], "PAYMENT");
    assert_eq!(globals[1]["service_oid"], "hookorder1");
    assert_eq!(globals[2]["type"], "CANCEL");
    for g in &globals {
        no_errors("global.webhook", g);
    }
    // Every delivery is listed, answered 200.
    for _ in 0..100 {
        if server.webhooks().len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let list = server.webhooks();
    assert_eq!(list.len(), 5, "{list:?}");
    assert!(list.iter().all(|d| d["status"] == 200), "{list:?}");
    server.shutdown().await;
}
