//! hub and global: token, bearer-protected calls, expiry on the clock, code rules.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::Clock;
use payple_types::Part;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn hub_token_then_a_call_and_expiry() {
    let clock = Clock::manual(start_time());
    let server = start(clock.clone()).await;
    let t = hub_token(&server).await;
    assert_eq!(t["result"], "T0000", "{t}");
    assert_eq!(t["expires_in"], "60");
    assert_eq!(t["code"], "as12345678");
    assert!(check("hub.token", Part::Response, &t).is_valid(), "{t}");
    let token = t["access_token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    let url = format!("{}/inquiry/real_name", server.hub_url());
    let req = valid_request("hub.account_verification", &json!({})).unwrap();
    let r = post(&url, &req, &[("Authorization", &bearer)]).await;
    assert_eq!(r["result"], "A0000", "{r}");
    let report = check("hub.account_verification", Part::Response, &r);
    assert!(report.is_valid(), "{r}\n{:?}", report.findings);
    // No token, wrong token.
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["result"], "T0320");
    let r = post(&url, &req, &[("Authorization", "Bearer nope")]).await;
    assert_eq!(r["result"], "T0320");
    // Expiry after 60 seconds on the clock.
    clock.advance(Duration::from_secs(59));
    let r = post(&url, &req, &[("Authorization", &bearer)]).await;
    assert_eq!(r["result"], "A0000");
    clock.advance(Duration::from_secs(1));
    let r = post(&url, &req, &[("Authorization", &bearer)]).await;
    assert_eq!(r["result"], "T0320", "{r}");
    // A hub token is not a global token.
    let t = hub_token(&server).await;
    let r = post(
        &format!("{}/gpay/cancel", server.global_url()),
        &json!({}),
        &[(
            "Authorization",
            &format!("Bearer {}", t["access_token"].as_str().unwrap()),
        )],
    )
    .await;
    assert_eq!(r["result"], "T0320");
    server.shutdown().await;
}

#[tokio::test]
async fn hub_token_code_rules() {
    let server = start(Clock::system()).await;
    let url = format!("{}/oauth/token", server.hub_url());
    for code in ["short", "as1234567890", "as12-45678", ""] {
        let r = post(
            &url,
            &json!({"cst_id": "test", "custKey": "abcd1234567890", "code": code}),
            &[],
        )
        .await;
        assert_eq!(r["result"], "T0211", "{code}: {r}");
    }
    let r = post(
        &url,
        &json!({"cst_id": "test", "custKey": "wrong", "code": "as12345678"}),
        &[],
    )
    .await;
    assert_eq!(r["result"], "T0300", "{r}");
    server.shutdown().await;
}

#[tokio::test]
async fn hub_execute_and_cancel_share_a_path() {
    let server = start(Clock::system()).await;
    let t = hub_token(&server).await;
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let url = format!("{}/transfer/execute", server.hub_url());
    let base = json!({"cst_id": "test", "custKey": "abcd1234567890", "group_key": "Q1pHMDAwMDAx", "billing_tran_id": "all"});
    let mut cancel = base.clone();
    cancel["execute_type"] = json!("CANCEL");
    let r = post(&url, &cancel, &[("Authorization", &bearer)]).await;
    assert_eq!(
        server.request_log().last().unwrap().endpoint,
        "hub.transfer_cancel",
        "{r}"
    );
    let mut exec = base.clone();
    exec["execute_type"] = json!("NOW");
    let _ = post(&url, &exec, &[("Authorization", &bearer)]).await;
    assert_eq!(
        server.request_log().last().unwrap().endpoint,
        "hub.transfer_execute"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn global_token_then_billing_key_payment_and_expiry() {
    let clock = Clock::manual(start_time());
    let server = start(clock.clone()).await;
    let t = global_token(&server).await;
    assert_eq!(t["result"], "T0000", "{t}");
    assert_eq!(t["expires_in"], "600");
    assert!(check("global.token", Part::Response, &t).is_valid(), "{t}");
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let url = format!("{}/gpay/billingKey", server.global_url());
    // The documented request is a PHP template ($service_id ...); a billing key comes from
    // a payment-window payment (the admin route stands in for the window).
    let w = window(&server, "global", &json!({})).await;
    let req = json!({"service_id": "demo", "comments": "test", "billing_key": w["billing_key"],
                     "securityCode": "123", "totalAmount": "1.00", "currency": "USD"});
    let r = post(&url, &req, &[("Authorization", &bearer)]).await;
    assert_eq!(r["result"], "A0000", "{r}");
    let report = check("global.billing_key_payment", Part::Response, &r);
    assert!(report.is_valid(), "{r}\n{:?}", report.findings);
    clock.advance(Duration::from_secs(600));
    let r = post(&url, &req, &[("Authorization", &bearer)]).await;
    assert_eq!(r["result"], "T0320");
    // Token failures with their documented codes.
    let turl = format!("{}/gpay/oauth/1.0/token", server.global_url());
    for (body, code) in [
        (
            json!({"service_key": "abcd1234567890", "code": "as12345678"}),
            "T0200",
        ),
        (json!({"service_id": "demo", "code": "as12345678"}), "T0201"),
        (
            json!({"service_id": "demo", "service_key": "abcd1234567890"}),
            "T0210",
        ),
        (
            json!({"service_id": "demo", "service_key": "abcd1234567890", "code": "x"}),
            "T0211",
        ),
        (
            json!({"service_id": "other", "service_key": "abcd1234567890", "code": "as12345678"}),
            "T0300",
        ),
    ] {
        let r = post(&turl, &body, &[]).await;
        assert_eq!(r["result"], code, "{body}: {r}");
    }
    server.shutdown().await;
}
