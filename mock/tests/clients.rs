//! Every server-to-server call the real clients of ../shared/reference/payple-clients.md
//! make, with their bodies and headers as the reference records them, answered as Payple
//! would (success where Payple succeeds) and without findings.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::{Clock, MockServer};
use serde_json::{Value, json};

/// Posts `body` with the client's headers; 200 and JSON expected.
async fn send(url: &str, body: &Value, headers: &[(&str, &str)]) -> Value {
    let (status, text) = post_raw(url, body.to_string().as_bytes(), headers).await;
    assert_eq!(status, 200, "{url}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Auth with the client's headers, then the second hop at `return_url` with the tokens.
async fn two_hops(
    server: &MockServer,
    flag: Value,
    body: Value,
    headers: &[(&str, &str)],
) -> (Value, Value) {
    let mut a_body = json!({"cst_id": "test", "custKey": "abcd1234567890"});
    for (k, v) in flag.as_object().unwrap() {
        a_body[k] = v.clone();
    }
    let a = send(
        &format!("{}/php/auth.php", server.cpay_url()),
        &a_body,
        headers,
    )
    .await;
    assert_eq!(a["result"], "success", "{a}");
    let mut b = tokens(&a);
    for (k, v) in body.as_object().unwrap() {
        b[k] = v.clone();
    }
    let r = send(a["return_url"].as_str().unwrap(), &b, headers).await;
    (a, r)
}

const PHP: [(&str, &str); 3] = [
    ("content-type", "application/json; charset=UTF-8"),
    ("cache-control", "no-cache"),
    ("referer", "http://localhost:8000"),
];
const NODE: [(&str, &str); 2] = [
    ("content-type", "application/json"),
    ("referer", "http://localhost:3000"),
];
const PYTHON: [(&str, &str); 2] = [
    ("Content-Type", "application/json;"),
    ("referer", "http://localhost:8000"),
];
const RUBY: [(&str, &str); 3] = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("Cache-Control", "no-cache"),
    ("referer", "https://shop.example.com"),
];

async fn keys(server: &MockServer) -> (String, String) {
    let card = window(
        server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "AUTH"}),
    )
    .await;
    let tr = window(
        server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "AUTH"}),
    )
    .await;
    (
        card["PCD_PAYER_ID"].as_str().unwrap().into(),
        tr["PCD_PAYER_ID"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn official_php_and_node_operations() {
    let server = start(Clock::system()).await;
    let (card, transfer) = keys(&server).await;
    // paySimpleSend.php (transfer re-payment): every optional field the partner left empty
    // is sent as "".
    let (_, r) = two_hops(
        &server,
        json!({"PCD_SIMPLE_FLAG": "Y"}),
        json!({"PCD_PAY_TYPE": "transfer", "PCD_PAYER_ID": transfer, "PCD_PAY_GOODS": "상품1",
               "PCD_SIMPLE_FLAG": "Y", "PCD_PAY_TOTAL": "1000", "PCD_PAY_OID": "phptransfer0001",
               "PCD_PAYER_NO": "", "PCD_PAYER_NAME": "", "PCD_PAYER_HP": "", "PCD_PAYER_EMAIL": "",
               "PCD_PAY_ISTAX": "Y", "PCD_PAY_TAXTOTAL": "", "PCD_TAXSAVE_FLAG": "",
               "PCD_TAXSAVE_TRADE": "", "PCD_TAXSAVE_IDNUM": ""}),
        &PHP,
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_clean("cpay.billing_repay", &r);
    let date = r["PCD_PAY_TIME"].as_str().unwrap()[..8].to_string();
    // paySimpleCardSend.php (card re-payment).
    let (a, r) = two_hops(
        &server,
        json!({"PCD_PAY_TYPE": "card", "PCD_SIMPLE_FLAG": "Y"}),
        json!({"PCD_PAY_TYPE": "card", "PCD_PAYER_ID": card, "PCD_PAY_GOODS": "상품1",
               "PCD_SIMPLE_FLAG": "Y", "PCD_PAY_TOTAL": "1000", "PCD_PAY_OID": "phpcard0001",
               "PCD_PAYER_NO": "", "PCD_PAYER_NAME": "", "PCD_PAYER_HP": "", "PCD_PAYER_EMAIL": "",
               "PCD_PAY_ISTAX": "Y", "PCD_PAY_TAXTOTAL": ""}),
        &PHP,
    )
    .await;
    assert!(a["return_url"].as_str().unwrap().contains("Card"), "{a}");
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_eq!(r["PCD_PAY_CODE"], "SPCD0000");
    assert_clean("cpay.billing_repay", &r);
    // payInfo.php (result inquiry), PCD_PAY_DATE digits only.
    let (_, q) = two_hops(
        &server,
        json!({"PCD_PAYCHK_FLAG": "Y"}),
        json!({"PCD_PAYCHK_FLAG": "Y", "PCD_PAY_TYPE": "card", "PCD_PAY_OID": "phpcard0001", "PCD_PAY_DATE": date}),
        &NODE,
    )
    .await;
    assert_eq!(q["PCD_PAY_RST"], "success", "{q}");
    assert_clean("cpay.result_inquiry", &q);
    // payRefund.php with PCD_REFUND_TAXTOTAL.
    let (_, c) = two_hops(
        &server,
        json!({"PCD_PAYCANCEL_FLAG": "Y"}),
        json!({"PCD_REFUND_KEY": "a41ce010ede9fcbfb3be86b24858806596a9db68b79d138b147c3e563e1829a0",
               "PCD_PAYCANCEL_FLAG": "Y", "PCD_PAY_OID": "phpcard0001", "PCD_PAY_DATE": date,
               "PCD_REFUND_TOTAL": "500", "PCD_REFUND_TAXTOTAL": ""}),
        &PHP,
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_clean("cpay.cancel", &c);
    // payUserInfo.php / taxSaveReq.php (PCD_TAXSAVE_AMOUNT the number 0 by default).
    let (_, l) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "PUSERINFO"}),
        json!({"PCD_PAYER_ID": transfer}),
        &NODE,
    )
    .await;
    assert_eq!(l["PCD_PAY_RST"], "success", "{l}");
    assert_clean("cpay.registration_lookup", &l);
    let (_, t) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "TSREG"}),
        json!({"PCD_PAYER_ID": transfer, "PCD_PAY_OID": "phptransfer0001", "PCD_TAXSAVE_AMOUNT": 0,
               "PCD_TAXSAVE_TRADEUSE": "company", "PCD_TAXSAVE_IDENTINUM": "1234567890"}),
        &PHP,
    )
    .await;
    assert_eq!(t["PCD_PAY_RST"], "success", "{t}");
    assert_clean("cpay.cash_receipt_issue", &t);
    let (_, t) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "TSCANCEL"}),
        json!({"PCD_PAYER_ID": transfer, "PCD_PAY_OID": "phptransfer0001", "PCD_TAXSAVE_AMOUNT": 0,
               "PCD_TAXSAVE_TRADEUSE": "company", "PCD_TAXSAVE_IDENTINUM": "1234567890"}),
        &NODE,
    )
    .await;
    assert_eq!(t["PCD_PAY_RST"], "success", "{t}");
    assert_clean("cpay.cash_receipt_cancel", &t);
    // linkReg.php: the PHP default PCD_PAY_TYPE "transfer|card", empty optionals.
    let (_, k) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "LINKREG"}),
        json!({"PCD_PAY_WORK": "LINKREG", "PCD_PAY_TYPE": "transfer|card", "PCD_PAY_GOODS": "상품1",
               "PCD_PAY_TOTAL": "1000", "PCD_CARD_VER": "", "PCD_PAY_ISTAX": "Y", "PCD_PAY_TAXTOTAL": "",
               "PCD_TAXSAVE_FLAG": "", "PCD_LINK_EXPIREDATE": ""}),
        &PHP,
    )
    .await;
    assert_eq!(k["PCD_LINK_RST"], "success", "{k}");
    for f in ["PCD_LINK_URL", "PCD_LINK_KEY", "PCD_LINK_MEMO"] {
        assert!(k.get(f).is_some(), "{f}: {k}");
    }
    assert_clean("cpay.link_payment", &k);
    // payUserDel.php.
    let (_, d) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "PUSERDEL"}),
        json!({"PCD_PAYER_ID": card}),
        &PHP,
    )
    .await;
    assert_eq!(d["PCD_PAY_RST"], "success", "{d}");
    assert_clean("cpay.registration_delete", &d);
    // payCertSend.php: no auth call, raw credentials, no Referer, PCD_PAYER_ID for transfer.
    let w = window(
        &server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "CERT"}),
    )
    .await;
    let c = send(
        w["PCD_PAY_COFURL"].as_str().unwrap(),
        &json!({"PCD_CST_ID": "test", "PCD_CUST_KEY": "abcd1234567890", "PCD_AUTH_KEY": w["PCD_AUTH_KEY"],
                "PCD_PAYER_ID": w["PCD_PAYER_ID"], "PCD_PAY_REQKEY": w["PCD_PAY_REQKEY"]}),
        &[("content-type", "application/json; charset=UTF-8"), ("cache-control", "no-cache")],
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_eq!(c["PCD_PAY_OID"], w["PCD_PAY_OID"]);
    assert_clean("cpay.confirm_cert", &c);
    // Every exchange of this test was taken for an endpoint and answered without a finding
    // of the request as sent being an error.
    for l in server.request_log() {
        assert!(!l.endpoint.is_empty(), "{l:?}");
        assert_eq!(l.errors, 0, "{l:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn python_java_and_ruby_shapes() {
    let server = start(Clock::system()).await;
    let (card, transfer) = keys(&server).await;
    // Ruby gem payment_again: PCD_REGULAR_FLAG (misspelt), integers for the amount, year and
    // month, null for unset payer fields.
    let (a, r) = two_hops(
        &server,
        json!({"PCD_REGULER_FLAG": "Y", "PCD_PAY_TYPE": "card"}),
        json!({"PCD_PAY_TYPE": "card", "PCD_PAYER_ID": card, "PCD_PAY_GOODS": "월구독",
               "PCD_REGULER_FLAG": "Y", "PCD_PAY_YEAR": 2026, "PCD_PAY_MONTH": "12",
               "PCD_PAY_TOTAL": 9900, "PCD_PAY_OID": "rubymonthly0001", "PCD_PAYER_NO": null,
               "PCD_PAYER_NAME": null, "PCD_PAYER_EMAIL": null, "PCD_PAYER_HP": null}),
        &RUBY,
    )
    .await;
    assert!(a["return_url"].as_str().unwrap().contains("RePay"), "{a}");
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_eq!(r["PCD_PAY_YEAR"], "2026", "{r}");
    assert_clean("cpay.billing_repay", &r);
    let date = r["PCD_PAY_TIME"].as_str().unwrap()[..8].to_string();
    // Python pay_refund: PCD_REGULER_FLAG, PCD_PAY_YEAR, PCD_PAY_MONTH; no refund tax total.
    let (_, c) = two_hops(
        &server,
        json!({"PCD_PAYCANCEL_FLAG": "Y"}),
        json!({"PCD_REFUND_KEY": "a41ce010ede9fcbfb3be86b24858806596a9db68b79d138b147c3e563e1829a0",
               "PCD_PAYCANCEL_FLAG": "Y", "PCD_PAY_OID": "rubymonthly0001", "PCD_PAY_DATE": date,
               "PCD_REFUND_TOTAL": "9900", "PCD_REGULER_FLAG": "Y", "PCD_PAY_YEAR": "2026", "PCD_PAY_MONTH": "12"}),
        &PYTHON,
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_clean("cpay.cancel", &c);
    // Java: null for every absent field; Ruby payer lookup with PCD_PAYER_NO null.
    let (_, r) = two_hops(
        &server,
        json!({"PCD_SIMPLE_FLAG": "Y"}),
        json!({"PCD_PAY_TYPE": "transfer", "PCD_PAYER_ID": transfer, "PCD_PAY_GOODS": "상품1",
               "PCD_SIMPLE_FLAG": "Y", "PCD_PAY_TOTAL": "1000", "PCD_PAY_OID": "javatr0001",
               "PCD_PAY_TAXTOTAL": null, "PCD_PAY_ISTAX": null, "PCD_TAXSAVE_FLAG": null}),
        &[
            ("Content-Type", "application/json"),
            ("referer", "http://localhost:8080"),
        ],
    )
    .await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_clean("cpay.billing_repay", &r);
    let (_, l) = two_hops(
        &server,
        json!({"PCD_PAY_WORK": "PUSERINFO"}),
        json!({"PCD_PAYER_ID": transfer, "PCD_PAYER_NO": null}),
        &RUBY,
    )
    .await;
    assert_eq!(l["PCD_PAY_RST"], "success", "{l}");
    // Old Node samples: PCD_PAYCHECK_FLAG (a legacy name) still authenticates.
    let a = send(
        &format!("{}/php/auth.php", server.cpay_url()),
        &json!({"cst_id": "test", "custKey": "abcd1234567890", "PCD_PAYCHECK_FLAG": "Y"}),
        &NODE,
    )
    .await;
    assert!(
        a["return_url"]
            .as_str()
            .unwrap()
            .ends_with("/php/PayChkAct.php"),
        "{a}"
    );
    server.shutdown().await;
}

/// The Django client payple-hj3415 0.1.2 confirms a card CERT payment without
/// PCD_PAYER_ID and PCD_PAY_TYPE, at the session's PCD_PAY_COFURL or, failing that, at
/// PAYPLE_API_BASE + /api/v1/payments/cards/approval/confirm; it then looks its order up
/// by the answer's PCD_PAY_OID.
#[tokio::test]
async fn django_client_confirm_paths() {
    let server = start(Clock::system()).await;
    let headers = [
        ("Content-Type", "application/json"),
        ("Cache-Control", "no-cache"),
        ("Referer", "http://testserver"),
    ];
    for fallback in [false, true] {
        let w = window(
            &server,
            "cpay",
            &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "CERT", "PCD_PAY_OID": format!("django{fallback}"),
                    "PCD_PAY_GOODS": "Django order", "PCD_PAY_TOTAL": "15000", "PCD_CARD_VER": "02"}),
        )
        .await;
        let url = if fallback {
            format!(
                "{}/api/v1/payments/cards/approval/confirm",
                server.cpay_url()
            )
        } else {
            w["PCD_PAY_COFURL"].as_str().unwrap().to_string()
        };
        let c = send(
            &url,
            &json!({"PCD_CST_ID": "test", "PCD_CUST_KEY": "abcd1234567890",
                    "PCD_AUTH_KEY": w["PCD_AUTH_KEY"], "PCD_PAY_REQKEY": w["PCD_PAY_REQKEY"]}),
            &headers,
        )
        .await;
        assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
        assert_eq!(c["PCD_PAY_OID"], format!("django{fallback}"));
        for f in [
            "PCD_PAY_CARDTRADENUM",
            "PCD_PAY_CARDAUTHNO",
            "PCD_PAY_CARDRECEIPT",
        ] {
            assert!(c.get(f).is_some(), "{f}: {c}");
        }
        assert_clean("cpay.confirm_cert", &c);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn global_samples() {
    let server = start(Clock::system()).await;
    // global_sample_php: referer without a scheme; Python: `application/json;`.
    let t = send(
        &format!("{}/gpay/oauth/1.0/token", server.global_url()),
        &json!({"service_id": "demo", "service_key": "abcd1234567890", "code": "as12345678"}),
        &[
            ("content-type", "application/json; charset=UTF-8"),
            ("referer", "localhost"),
        ],
    )
    .await;
    assert_eq!(t["result"], "T0000", "{t}");
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    let w = window(&server, "global", &json!({})).await;
    let r = send(
        &format!("{}/gpay/billingKey", server.global_url()),
        &json!({"service_id": "demo", "service_oid": "gsample0001", "comments": "Payple global payments",
                "billing_key": w["billing_key"], "securityCode": "000", "totalAmount": "1.00",
                "currency": "USD", "firstName": "Payple", "lastName": "Inc", "email": "test@payple.kr",
                "resultUrl": "http://127.0.0.1:8000/result"}),
        &[("Content-Type", "application/json;"), ("Authorization", &bearer)],
    )
    .await;
    assert_eq!(r["result"], "A0000", "{r}");
    assert_clean("global.billing_key_payment", &r);
    let c = send(
        &format!("{}/gpay/cancel", server.global_url()),
        &json!({"service_id": "demo", "comments": "cancel", "service_oid": "gsample0001",
                "pay_id": r["api_id"], "totalAmount": "1.00", "currency": "USD",
                "resultUrl": "http://127.0.0.1:8000/result"}),
        &[
            ("Content-Type", "application/json;"),
            ("Authorization", &bearer),
        ],
    )
    .await;
    assert_eq!(c["result"], "A0000", "{c}");
    assert_clean("global.cancel", &c);
    server.shutdown().await;
}
