//! Drift mutations and the request bodies the official sample clients send.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::{Clock, Drift, MockConfig, MockServer};
use payple_types::{Kind, Part, Report};
use serde_json::{Value, json};

fn kinds(r: &Report) -> Vec<(Kind, String)> {
    r.findings
        .iter()
        .map(|f| (f.kind, f.pointer.to_string()))
        .collect()
}

async fn with_drift(spec: &str) -> MockServer {
    MockServer::start(MockConfig {
        drift: vec![spec.parse::<Drift>().unwrap()],
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// A transfer payment `oid` made with the documentation's billing key; returns its date.
async fn paid(server: &MockServer, oid: &str) -> String {
    let a = auth(server, json!({"PCD_SIMPLE_FLAG": "Y"})).await;
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!(oid);
    o["PCD_PAY_TYPE"] = json!("transfer");
    // No cash receipt with the payment (the documented sample asks for one): the samples'
    // TSREG call issues it.
    o["PCD_TAXSAVE_FLAG"] = json!("N");
    let req = valid_request("cpay.billing_repay", &o).unwrap();
    let r = post(a["return_url"].as_str().unwrap(), &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    r["PCD_PAY_TIME"].as_str().unwrap()[..8].to_string()
}

async fn inquiry(server: &MockServer) -> Value {
    let date = paid(server, "test201804000001").await;
    let a = auth(server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!("test201804000001");
    o["PCD_PAY_DATE"] = json!(date);
    o["PCD_PAY_TYPE"] = json!("transfer");
    let req = valid_request("cpay.result_inquiry", &o).unwrap();
    post(a["return_url"].as_str().unwrap(), &req, &[]).await
}

#[tokio::test]
async fn rename_gives_undocumented_field_and_missing_required() {
    let server = with_drift("rename:cpay.result_inquiry:PCD_PAY_RST:PCD_PAY_RESULT").await;
    let r = inquiry(&server).await;
    assert!(r.get("PCD_PAY_RST").is_none());
    assert_eq!(r["PCD_PAY_RESULT"], "success");
    let k = kinds(&check("cpay.result_inquiry", Part::Response, &r));
    assert!(
        k.contains(&(Kind::UndocumentedField, "/PCD_PAY_RESULT".into())),
        "{k:?}"
    );
    assert!(
        k.contains(&(Kind::MissingRequired, "/PCD_PAY_RST".into())),
        "{k:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn drop_gives_missing_required() {
    let server = with_drift("drop:hub.token:result").await;
    let t = hub_token(&server).await;
    assert!(t.get("result").is_none());
    let k = kinds(&check("hub.token", Part::Response, &t));
    assert!(
        k.contains(&(Kind::MissingRequired, "/result".into())),
        "{k:?}"
    );
    // Other endpoints keep their answers.
    let g = global_token(&server).await;
    assert_eq!(g["result"], "T0000");
    server.shutdown().await;
}

#[tokio::test]
async fn add_gives_undocumented_field() {
    let server = with_drift("add:hub.token:new_field:x").await;
    let t = hub_token(&server).await;
    assert_eq!(t["new_field"], "x");
    let k = kinds(&check("hub.token", Part::Response, &t));
    assert_eq!(k, vec![(Kind::UndocumentedField, "/new_field".into())]);
    server.shutdown().await;
}

#[tokio::test]
async fn lengthen_gives_type_code_violation() {
    let server = with_drift("lengthen:hub.token:code").await;
    let t = hub_token(&server).await;
    assert_eq!(t["code"].as_str().unwrap().chars().count(), 11, "{t}");
    let k = kinds(&check("hub.token", Part::Response, &t));
    assert_eq!(k, vec![(Kind::TypeCodeViolation, "/code".into())]);
    server.shutdown().await;
}

#[tokio::test]
async fn code_gives_unknown_result_code_and_mismatch() {
    let server = with_drift("code:cpay.result_inquiry:PCHK0001").await;
    let r = inquiry(&server).await;
    assert_eq!(r["PCD_PAY_CODE"], "PCHK0001");
    let k = kinds(&check("cpay.result_inquiry", Part::Response, &r));
    assert!(
        k.contains(&(Kind::UnknownResultCode, "/PCD_PAY_CODE".into())),
        "{k:?}"
    );
    assert!(
        k.contains(&(Kind::SuccessCodeMismatch, "/PCD_PAY_CODE".into())),
        "{k:?}"
    );
    assert_eq!(
        server.request_log().last().unwrap().result_code.as_deref(),
        Some("PCHK0001")
    );
    server.shutdown().await;
}

/// The test environment's `[test]` code prefix (DOC-2020UI): the answer still validates and
/// still reads as a success, because the spec declares the prefix.
#[tokio::test]
async fn prefix_puts_the_test_marker_in_front_of_the_code() {
    let server = with_drift("prefix:cpay.result_inquiry").await;
    let r = inquiry(&server).await;
    let code = r["PCD_PAY_CODE"].as_str().unwrap();
    assert!(code.starts_with("[test] PCHK"), "{r}");
    let report = check("cpay.result_inquiry", Part::Response, &r);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity != payple_types::Severity::Error),
        "{:?}",
        report.findings
    );
    let typed: payple_types::cpay::result_inquiry::Response =
        serde_json::from_value(r.clone()).unwrap();
    assert!(typed.is_success(), "{r}");
    assert!("prefix:cpay.result_inquiry:x".parse::<Drift>().is_err());
    server.shutdown().await;
}

/// Request bodies and headers as the official samples send them
/// (shared/reference/payple-clients.md: sample_php, sample_nodejs, sample_python,
/// sample_java, the Ruby gem, global_sample_php / global_sample_python).
#[tokio::test]
async fn official_sample_requests_are_accepted() {
    let server = start(Clock::system()).await;
    let cpay = server.cpay_url();
    let auth_url = format!("{cpay}/php/auth.php");
    // sample_php: charset=UTF-8, lower-case referer http://<Host>, cache-control.
    let php_headers = [
        ("content-type", "application/json; charset=UTF-8"),
        ("cache-control", "no-cache"),
        ("referer", "http://localhost:8000"),
    ];
    // sample_python: a trailing semicolon.
    let python_headers = [
        ("Content-Type", "application/json;"),
        ("referer", "http://127.0.0.1:8000"),
    ];
    // Ruby gem: charset=utf-8.
    let ruby_headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Cache-Control", "no-cache"),
        ("referer", "https://shop.example.com"),
    ];
    // The documented requests name the order test201804000001: pay it first (today).
    let date = paid(&server, "test201804000001").await;
    let send = |url: String, body: Value, headers: Vec<(&'static str, &'static str)>| async move {
        let (status, text) = post_raw(&url, body.to_string().as_bytes(), &headers).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    // PHP taxSaveReq.php: TSREG auth, then PCD_TAXSAVE_AMOUNT as the number 0.
    let a = send(
        auth_url.clone(),
        json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAY_WORK": "TSREG"}),
        php_headers.to_vec(),
    )
    .await;
    assert_eq!(a["result"], "success", "{a}");
    let mut body = tokens(&a);
    for (k, v) in [
        ("PCD_PAYER_ID", json!("NS9qNTgzU2xRNHR2RmFBWWFBTWk5UT09")),
        ("PCD_PAY_OID", json!("test201804000001")),
        ("PCD_TAXSAVE_AMOUNT", json!(0)),
        ("PCD_TAXSAVE_TRADEUSE", json!("company")),
        ("PCD_TAXSAVE_IDENTINUM", json!("01012345678")),
    ] {
        body[k] = v;
    }
    let r = send(
        a["return_url"].as_str().unwrap().into(),
        body,
        php_headers.to_vec(),
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");

    // Python payInfo: PCD_PAYCHK_FLAG with `application/json;`.
    let a = send(
        auth_url.clone(),
        json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAYCHK_FLAG": "Y"}),
        python_headers.to_vec(),
    )
    .await;
    assert_eq!(a["result"], "success", "{a}");
    let mut body = tokens(&a);
    body["PCD_PAYCHK_FLAG"] = json!("Y");
    body["PCD_PAY_TYPE"] = json!("transfer");
    body["PCD_PAY_OID"] = json!("test201804000001");
    body["PCD_PAY_DATE"] = json!(date.clone());
    let r = send(
        a["return_url"].as_str().unwrap().into(),
        body,
        python_headers.to_vec(),
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");

    // Old Node samples: the misspelt PCD_PAYCHECK_FLAG (a legacy name) still authenticates.
    let a = send(
        auth_url.clone(),
        json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAYCHECK_FLAG": "Y"}),
        vec![
            ("content-type", "application/json"),
            ("referer", "http://localhost:3000"),
        ],
    )
    .await;
    assert!(
        a["return_url"]
            .as_str()
            .unwrap()
            .ends_with("/php/PayChkAct.php"),
        "{a}"
    );

    // Ruby gem: PUSERINFO with PCD_PAYER_NO null; refund with PCD_REFUND_TOTAL an integer.
    let a = send(
        auth_url.clone(),
        json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAY_WORK": "PUSERINFO"}),
        ruby_headers.to_vec(),
    )
    .await;
    let mut body = tokens(&a);
    body["PCD_PAYER_ID"] = json!("NS9qNTgzU2xRNHR2RmFBWWFBTWk5UT09");
    body["PCD_PAYER_NO"] = Value::Null;
    let r = send(
        a["return_url"].as_str().unwrap().into(),
        body,
        ruby_headers.to_vec(),
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");

    let a = send(
        auth_url.clone(),
        json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAYCANCEL_FLAG": "Y"}),
        ruby_headers.to_vec(),
    )
    .await;
    let mut o = tokens(&a);
    o["PCD_REFUND_TOTAL"] = json!(1000);
    o["PCD_PAY_DATE"] = json!(date.clone());
    o["PCD_PAY_OID"] = json!("test201804000001");
    let body = valid_request("cpay.cancel", &o).unwrap();
    assert!(body["PCD_REFUND_TOTAL"].is_number());
    let r = send(
        a["return_url"].as_str().unwrap().into(),
        body,
        ruby_headers.to_vec(),
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");

    // global_sample_php: token with the fixed code, referer without a scheme.
    let t = send(
        format!("{}/gpay/oauth/1.0/token", server.global_url()),
        json!({"service_id": "demo", "service_key": "abcd1234567890", "code": "as12345678"}),
        vec![
            ("content-type", "application/json; charset=UTF-8"),
            ("cache-control", "no-cache"),
            ("referer", "localhost"),
        ],
    )
    .await;
    assert_eq!(t["result"], "T0000", "{t}");

    // Every logged request was taken for an endpoint and answered.
    for l in server.request_log() {
        assert!(!l.endpoint.is_empty());
        assert_eq!(l.status, 200);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn non_json_content_type_is_refused() {
    let server = start(Clock::system()).await;
    let (status, text) = post_raw(
        &format!("{}/php/auth.php", server.cpay_url()),
        b"cst_id=test&custKey=abcd1234567890",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Referer", REFERER),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["result"], "error");
    assert!(v["result_msg"].as_str().unwrap().starts_with("[AUTH0001]"));
    // Unknown paths are 404.
    let (status, _) = post_raw(&format!("{}/nope", server.hub_url()), b"{}", &[]).await;
    assert_eq!(status, 404);
    server.shutdown().await;
}
