//! Shared helpers of the integration tests.
#![allow(dead_code)]

use payple_mock::{Clock, MockConfig, MockServer};
use payple_types::doc_sample::repair;
use payple_types::{EndpointSpec, Part, Report, endpoint, validate_bytes, validate_value};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

pub const REFERER: &str = "http://localhost:3000";

pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

pub async fn start(clock: Clock) -> MockServer {
    MockServer::start(MockConfig {
        clock,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

pub fn client() -> reqwest::Client {
    // The workspace builds reqwest with rustls but no default provider (payple-live picks
    // ring); tests talk plain HTTP to 127.0.0.1, yet the client still needs one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Posts raw bytes with the given headers and returns (status, body as text).
pub async fn post_raw(url: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, String) {
    let mut rb = client().post(url).body(body.to_vec());
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let resp = rb.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Posts JSON as the documentation describes it and parses the answer.
pub async fn post(url: &str, body: &Value, headers: &[(&str, &str)]) -> Value {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    let (status, text) = post_raw(url, body.to_string().as_bytes(), &all).await;
    assert_eq!(status, 200, "{url}: {text}");
    serde_json::from_str(&text).unwrap()
}

pub fn ep(id: &str) -> &'static EndpointSpec {
    endpoint(id).unwrap()
}

pub fn check(id: &str, part: Part, v: &Value) -> Report {
    validate_bytes(ep(id), part, v.to_string().as_bytes())
}

/// The documented request samples of an endpoint that read as JSON objects.
pub fn request_samples(id: &str) -> Vec<Value> {
    ep(id)
        .samples
        .iter()
        .filter(|s| s.part == Part::Request)
        .filter_map(|s| repair(s.raw).ok())
        .map(|r| r.value)
        .filter(Value::is_object)
        .collect()
}

/// A documented request sample without error findings once `overrides` are applied.
pub fn valid_request(id: &str, overrides: &Value) -> Option<Value> {
    request_samples(id).into_iter().find_map(|mut v| {
        if let (Some(obj), Some(o)) = (v.as_object_mut(), overrides.as_object()) {
            for (k, x) in o {
                obj.insert(k.clone(), x.clone());
            }
        }
        validate_value(ep(id), Part::Request, &stringified(&v))
            .is_valid()
            .then_some(v)
    })
}

/// Partner auth with a flag; returns the answer.
pub async fn auth(server: &MockServer, flag: Value) -> Value {
    let mut body = json!({ "cst_id": "test", "custKey": "abcd1234567890" });
    if let (Some(b), Some(f)) = (body.as_object_mut(), flag.as_object()) {
        for (k, v) in f {
            b.insert(k.clone(), v.clone());
        }
    }
    post(
        &format!("{}/php/auth.php", server.cpay_url()),
        &body,
        &[("Referer", REFERER), ("Cache-Control", "no-cache")],
    )
    .await
}

/// The token fields of an auth answer, as the follow-up call sends them.
pub fn tokens(auth: &Value) -> Value {
    json!({
        "PCD_CST_ID": auth["cst_id"],
        "PCD_CUST_KEY": auth["custKey"],
        "PCD_AUTH_KEY": auth["AuthKey"],
    })
}

pub async fn hub_token(server: &MockServer) -> Value {
    post(
        &format!("{}/oauth/token", server.hub_url()),
        &json!({ "cst_id": "test", "custKey": "abcd1234567890", "code": "as12345678" }),
        &[],
    )
    .await
}

pub async fn global_token(server: &MockServer) -> Value {
    post(
        &format!("{}/gpay/oauth/1.0/token", server.global_url()),
        &json!({ "service_id": "demo", "service_key": "abcd1234567890", "code": "as12345678" }),
        &[],
    )
    .await
}

/// Numbers as strings, nulls dropped: how the tolerant models (and the mock) read a body.
pub fn stringified(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), stringified(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(stringified).collect()),
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

/// Runs the payment window the mock stands in for (admin route `POST /__mock/window`).
pub async fn window(server: &MockServer, service: &str, body: &Value) -> Value {
    let base = match service {
        "global" => server.global_url(),
        _ => server.cpay_url(),
    };
    post(&format!("{base}/__mock/window"), body, &[]).await
}

/// Auth with `flag`, then the flagged call with `body` at the returned URL.
pub async fn cpay_call(server: &MockServer, flag: Value, body: &Value) -> Value {
    let a = auth(server, flag).await;
    assert_eq!(a["result"], "success", "{a}");
    let mut b = tokens(&a);
    if let (Some(o), Some(extra)) = (b.as_object_mut(), body.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    post(
        a["return_url"].as_str().unwrap(),
        &b,
        &[("Referer", REFERER)],
    )
    .await
}

/// A hub call at `path` with a fresh token.
pub async fn hub_call(server: &MockServer, path: &str, body: &Value) -> Value {
    let t = hub_token(server).await;
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let mut b = json!({"cst_id": "test", "custKey": "abcd1234567890"});
    if let (Some(o), Some(extra)) = (b.as_object_mut(), body.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    post(
        &format!("{}{path}", server.hub_url()),
        &b,
        &[("Authorization", &bearer)],
    )
    .await
}

/// A global call at `path` with a fresh token.
pub async fn global_call(server: &MockServer, path: &str, body: &Value) -> Value {
    let t = global_token(server).await;
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    post(
        &format!("{}{path}", server.global_url()),
        body,
        &[("Authorization", &bearer)],
    )
    .await
}

/// The findings of an answer, as (kind, pointer) pairs, for assertion messages.
pub fn findings(id: &str, v: &Value) -> Vec<String> {
    check(id, Part::Response, v)
        .findings
        .iter()
        .map(|f| format!("{} {} {:?}", f.kind, f.pointer, f.severity))
        .collect()
}

/// Asserts an answer has no finding at all.
pub fn assert_clean(id: &str, v: &Value) {
    let f = findings(id, v);
    assert!(f.is_empty(), "{id}: {v}\n{f:#?}");
}

/// Today's date (KST) as the mock's clock sees it.
pub fn kst_today(t: SystemTime) -> String {
    payple_support::civil::kst_date(t)
}
