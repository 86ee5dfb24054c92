//! cpay: partner auth per flag, the flagged call at the returned URL, Referer, AuthKey
//! lifetime and the result-inquiry budget.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::Clock;
use payple_types::{Kind, Part};
use serde_json::{Value, json};
use std::time::Duration;

/// A transfer payment `oid` of 10,000 won made with the documentation's billing key;
/// returns (payer id, today's date).
async fn paid_order(server: &payple_mock::MockServer, oid: &str) -> (String, String) {
    let a = auth(server, json!({"PCD_SIMPLE_FLAG": "Y"})).await;
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!(oid);
    o["PCD_PAY_TYPE"] = json!("transfer");
    o["PCD_PAY_TOTAL"] = json!("10000");
    // No cash receipt with the payment (the documented sample asks for one): the flagged
    // TSREG call below issues it.
    o["PCD_TAXSAVE_FLAG"] = json!("N");
    let req = valid_request("cpay.billing_repay", &o).unwrap();
    let r = post(a["return_url"].as_str().unwrap(), &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    let date = r["PCD_PAY_TIME"].as_str().unwrap()[..8].to_string();
    (req["PCD_PAYER_ID"].as_str().unwrap().to_string(), date)
}

/// (auth flag, endpoint of the flagged call, extra fields of the flagged call), in an
/// order that works on one ledger: the payment `mockflow0001` exists.
fn flags(payer: &str, date: &str) -> Vec<(Value, &'static str, Value)> {
    let order = json!({"PCD_PAY_OID": "mockflow0001", "PCD_PAYER_ID": payer});
    let with = |extra: Value| {
        let mut o = order.clone();
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    };
    vec![
        (
            json!({"PCD_PAYCHK_FLAG": "Y"}),
            "cpay.result_inquiry",
            with(json!({"PCD_PAYCHK_FLAG": "Y", "PCD_PAY_TYPE": "transfer", "PCD_PAY_DATE": date})),
        ),
        (
            json!({"PCD_PAYCANCEL_FLAG": "Y"}),
            "cpay.cancel",
            with(json!({"PCD_PAY_DATE": date, "PCD_REFUND_TOTAL": "1000"})),
        ),
        (
            json!({"PCD_PAY_WORK": "PUSERINFO"}),
            "cpay.registration_lookup",
            with(json!({})),
        ),
        (
            json!({"PCD_SIMPLE_FLAG": "Y"}),
            "cpay.billing_repay",
            with(json!({"PCD_PAY_OID": "mockflow0002", "PCD_PAY_TYPE": "transfer"})),
        ),
        (
            json!({"PCD_PAY_WORK": "TSREG"}),
            "cpay.cash_receipt_issue",
            with(json!({"PCD_TAXSAVE_AMOUNT": "1000"})),
        ),
        (
            json!({"PCD_PAY_WORK": "TSCANCEL"}),
            "cpay.cash_receipt_cancel",
            with(json!({})),
        ),
        (
            json!({"PCD_PAY_WORK": "LINKREG"}),
            "cpay.link_payment",
            json!({}),
        ),
        (
            json!({"PCD_PAY_WORK": "PUSERDEL"}),
            "cpay.registration_delete",
            with(json!({})),
        ),
    ]
}

#[tokio::test]
async fn auth_per_flag_then_the_flagged_call() {
    let server = start(Clock::system()).await;
    let (payer, date) = paid_order(&server, "mockflow0001").await;
    for (flag, id, extra) in flags(&payer, &date) {
        let a = auth(&server, flag.clone()).await;
        assert_eq!(a["result"], "success", "{id}: {a}");
        assert!(
            check("cpay.auth", Part::Response, &a).is_valid(),
            "{id}: {a}"
        );
        let url = a["return_url"].as_str().unwrap().to_string();
        assert!(url.starts_with(&server.cpay_url()), "{url}");
        let mut overrides = tokens(&a);
        for (k, v) in extra.as_object().unwrap() {
            overrides[k] = v.clone();
        }
        let req = valid_request(id, &overrides)
            .unwrap_or_else(|| panic!("{id}: no documented request sample is valid"));
        let r = post(&url, &req, &[]).await;
        assert_clean(id, &r);
        let status = ["PCD_PAY_RST", "PCD_LINK_RST", "result"]
            .iter()
            .find_map(|k| r.get(*k))
            .cloned();
        assert_eq!(status, Some(json!("success")), "{id}: {r}");
        let log = server.request_log();
        let last = log.last().unwrap();
        assert_eq!(last.endpoint, id);
        assert_eq!(last.status, 200);
        // Secrets never reach the log.
        let logged = serde_json::to_string(&last.body).unwrap();
        assert!(!logged.contains(a["AuthKey"].as_str().unwrap()), "{logged}");
        assert!(!logged.contains(&payer), "{logged}");
    }
    // Using a token for another operation is refused.
    let a = auth(&server, json!({"PCD_PAY_WORK": "PUSERINFO"})).await;
    let cancel_url = format!("{}/php/account/api/cPayCAct.php", server.cpay_url());
    let req = valid_request("cpay.cancel", &tokens(&a)).unwrap();
    let r = post(&cancel_url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_CODE"], "CBIL0001", "{r}");
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_or_missing_referer_is_auth0004() {
    let server = start(Clock::system()).await;
    let url = format!("{}/php/auth.php", server.cpay_url());
    let body = json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAYCHK_FLAG": "Y"});
    for headers in [
        vec![],
        vec![("Referer", "https://파트너사 도메인")],
        vec![("Referer", "")],
    ] {
        let r = post(&url, &body, &headers).await;
        assert_eq!(r["result"], "error", "{r}");
        let msg = r["result_msg"].as_str().unwrap();
        assert!(msg.starts_with("[AUTH0004]"), "{msg}");
        assert!(msg.contains("도메인"), "{msg}");
    }
    // Wrong credentials.
    let r = post(
        &url,
        &json!({"cst_id": "nobody", "custKey": "abcd1234567890"}),
        &[("Referer", REFERER)],
    )
    .await;
    assert!(r["result_msg"].as_str().unwrap().starts_with("[AUTH0003]"));
    let r = post(
        &url,
        &json!({"cst_id": "test", "custKey": "wrong"}),
        &[("Referer", REFERER)],
    )
    .await;
    assert!(r["result_msg"].as_str().unwrap().starts_with("[AUTH0002]"));
    let r = post(
        &url,
        &json!({"custKey": "abcd1234567890"}),
        &[("Referer", REFERER)],
    )
    .await;
    assert!(
        r["result_msg"].as_str().unwrap().starts_with("[AUTH0001]"),
        "{r}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn auth_key_expires_after_30_minutes_on_the_clock() {
    let clock = Clock::manual(start_time());
    let server = start(clock.clone()).await;
    let (_, date) = paid_order(&server, "mockexp0001").await;
    let a = auth(&server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    let url = a["return_url"].as_str().unwrap().to_string();
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!("mockexp0001");
    o["PCD_PAY_DATE"] = json!(date);
    o["PCD_PAY_TYPE"] = json!("transfer");
    let req = valid_request("cpay.result_inquiry", &o).unwrap();
    clock.advance(Duration::from_secs(29 * 60));
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    clock.advance(Duration::from_secs(61));
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "error");
    assert_eq!(r["PCD_PAY_CODE"], "SPAY0001");
    // Unknown AuthKey.
    let mut bad = req.clone();
    bad["PCD_AUTH_KEY"] = json!("0000");
    let r = post(&url, &bad, &[]).await;
    assert_eq!(r["PCD_PAY_CODE"], "SPAY0001");
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_order_and_invalid_request() {
    let server = start(Clock::system()).await;
    let a = auth(&server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    let url = a["return_url"].as_str().unwrap().to_string();
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!("nosuchorder1");
    let req = valid_request("cpay.result_inquiry", &o).unwrap();
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "error");
    assert_eq!(r["PCD_PAY_CODE"], "CBIL0003");
    assert_eq!(
        r["PCD_PAY_MSG"],
        "결제내역이 존재하지 않습니다. 다시 시도해주세요."
    );
    // A request with an error finding (invalid flag value) is refused.
    let mut bad = req.clone();
    bad["PCD_PAYCHK_FLAG"] = json!("maybe");
    let r = post(&url, &bad, &[]).await;
    assert_eq!(r["PCD_PAY_CODE"], "CBIL0001");
    assert!(server.request_log().last().unwrap().errors > 0);
    // Not JSON at all.
    let (status, text) = post_raw(
        &url,
        b"PCD_PAYCHK_FLAG=Y",
        &[("Content-Type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("CBIL0001"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn billing_repay_creates_an_order_the_inquiry_finds() {
    let server = start(Clock::system()).await;
    let (_, date) = paid_order(&server, "mockorder0001").await;
    let a = auth(&server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!("mockorder0001");
    o["PCD_PAY_DATE"] = json!(date);
    o["PCD_PAY_TYPE"] = json!("transfer");
    let req = valid_request("cpay.result_inquiry", &o).unwrap();
    let r = post(a["return_url"].as_str().unwrap(), &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_eq!(r["PCD_PAY_OID"], "mockorder0001");
    server.shutdown().await;
}

#[tokio::test]
async fn inquiry_budget_pchk9997_and_recovery() {
    let clock = Clock::manual(start_time());
    let server = start(clock.clone()).await;
    let (_, date) = paid_order(&server, "mockbudget0001").await;
    let a = auth(&server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    let url = a["return_url"].as_str().unwrap().to_string();
    let mut o = tokens(&a);
    o["PCD_PAY_OID"] = json!("mockbudget0001");
    o["PCD_PAY_DATE"] = json!(date);
    o["PCD_PAY_TYPE"] = json!("transfer");
    let req = valid_request("cpay.result_inquiry", &o).unwrap();
    let body = req.to_string();
    let http = client();
    for i in 0..1000 {
        if i == 500 {
            // Still inside the window.
            clock.advance(Duration::from_secs(300));
        }
        let r: Value = http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["PCD_PAY_RST"], "success", "inquiry {}: {r}", i + 1);
    }
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "error");
    assert_eq!(r["PCD_PAY_CODE"], "PCHK9997");
    assert_eq!(
        r["PCD_PAY_MSG"],
        "결제결과 조회는 10분에 1,000건을 초과한 요청은 거부됩니다."
    );
    assert!(
        check("cpay.result_inquiry", Part::Response, &r)
            .findings
            .iter()
            .all(|f| f.kind != Kind::UnknownResultCode)
    );
    // The first 500 leave the window 10 minutes after they came in.
    clock.advance(Duration::from_secs(301));
    let r = post(&url, &req, &[]).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    server.shutdown().await;
}
