//! The order ledger behind the answers: payments, refunds, billing keys, cash receipts,
//! CERT confirmations, hub payouts and global payments, with the refusal codes the spec's
//! `[mock: ...]` limits name.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap on purpose

mod common;
use common::*;
use payple_mock::Clock;
use serde_json::{Value, json};
use std::time::Duration;

async fn card_key(server: &payple_mock::MockServer) -> String {
    let w = window(
        server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "AUTH", "PCD_PAYER_NAME": "김테스트"}),
    )
    .await;
    assert_eq!(w["PCD_PAY_RST"], "success", "{w}");
    w["PCD_PAYER_ID"].as_str().unwrap().to_string()
}

async fn transfer_key(server: &payple_mock::MockServer) -> String {
    let w = window(
        server,
        "cpay",
        &json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "AUTH"}),
    )
    .await;
    w["PCD_PAYER_ID"].as_str().unwrap().to_string()
}

fn repay_body(method: &str, key: &str, oid: &str, total: u64) -> Value {
    json!({
        "PCD_PAY_TYPE": method, "PCD_PAYER_ID": key, "PCD_PAY_GOODS": "정기구독 1개월",
        "PCD_PAY_TOTAL": total.to_string(), "PCD_PAY_OID": oid, "PCD_SIMPLE_FLAG": "Y",
        "PCD_PAYER_EMAIL": "buyer@example.com"
    })
}

async fn repay(
    server: &payple_mock::MockServer,
    method: &str,
    key: &str,
    oid: &str,
    total: u64,
) -> Value {
    let flag = if method == "card" {
        json!({"PCD_SIMPLE_FLAG": "Y", "PCD_PAY_TYPE": "card"})
    } else {
        json!({"PCD_SIMPLE_FLAG": "Y"})
    };
    cpay_call(server, flag, &repay_body(method, key, oid, total)).await
}

async fn inquiry(server: &payple_mock::MockServer, method: &str, oid: &str, date: &str) -> Value {
    cpay_call(
        server,
        json!({"PCD_PAYCHK_FLAG": "Y"}),
        &json!({"PCD_PAYCHK_FLAG": "Y", "PCD_PAY_TYPE": method, "PCD_PAY_OID": oid, "PCD_PAY_DATE": date}),
    )
    .await
}

async fn refund(server: &payple_mock::MockServer, oid: &str, date: &str, total: u64) -> Value {
    cpay_call(
        server,
        json!({"PCD_PAYCANCEL_FLAG": "Y"}),
        &json!({"PCD_REFUND_KEY": "a41ce010ede9fcbfb3be86b24858806596a9db68b79d138b147c3e563e1829a0",
                "PCD_PAYCANCEL_FLAG": "Y", "PCD_PAY_OID": oid, "PCD_PAY_DATE": date,
                "PCD_REFUND_TOTAL": total.to_string()}),
    )
    .await
}

#[tokio::test]
async fn card_repayment_inquiry_and_refunds() {
    let clock = Clock::manual(start_time());
    let server = start(clock.clone()).await;
    let today = kst_today(start_time());
    let key = card_key(&server).await;
    let r = repay(&server, "card", &key, "mockcard0001", 10_000).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_eq!(r["PCD_PAY_OID"], "mockcard0001");
    assert_eq!(r["PCD_PAY_TOTAL"], "10000");
    assert_eq!(r["PCD_PAYER_ID"], key.as_str());
    assert_eq!(r["PCD_PAYER_EMAIL"], "buyer@example.com");
    assert!(r["PCD_PAY_CARDNUM"].as_str().unwrap().contains('*'), "{r}");
    assert!(
        r["PCD_PAY_TIME"].as_str().unwrap().starts_with(&today),
        "{r}"
    );
    assert_clean("cpay.billing_repay", &r);

    // The inquiry returns the payment that was made.
    let q = inquiry(&server, "card", "mockcard0001", &today).await;
    assert_eq!(q["PCD_PAY_RST"], "success", "{q}");
    for f in [
        "PCD_PAY_OID",
        "PCD_PAY_GOODS",
        "PCD_PAY_TOTAL",
        "PCD_PAYER_ID",
        "PCD_PAY_CARDNAME",
        "PCD_PAY_CARDNUM",
        "PCD_PAY_CARDTRADENUM",
    ] {
        assert_eq!(q[f], r[f], "{f}: {q}");
    }
    assert!(
        q["PCD_PAY_TIME"].as_str().unwrap().contains('-'),
        "dashed time: {q}"
    );
    assert_clean("cpay.result_inquiry", &q);
    // Wrong date, wrong method, unknown order.
    for (m, oid, date) in [
        ("card", "mockcard0001", "20200101"),
        ("transfer", "mockcard0001", today.as_str()),
        ("card", "neverpaid0001", today.as_str()),
    ] {
        let q = inquiry(&server, m, oid, date).await;
        assert_eq!(q["PCD_PAY_RST"], "error", "{q}");
        assert_eq!(q["PCD_PAY_CODE"], "CBIL0003", "{q}");
        assert_clean("cpay.result_inquiry", &q);
    }

    // Partial refund, refund beyond the rest, refund of the rest, one more.
    let c = refund(&server, "mockcard0001", &today, 3_000).await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_eq!(c["PCD_PAY_CODE"], "PAYC0000");
    assert_eq!(c["PCD_REFUND_TOTAL"], "3000");
    for f in [
        "PCD_PAY_TYPE",
        "PCD_PAYER_ID",
        "PCD_PAY_GOODS",
        "PCD_PAY_OID",
    ] {
        assert_eq!(c[f], r[f], "{f}: {c}");
    }
    assert_clean("cpay.cancel", &c);
    let c = refund(&server, "mockcard0001", &today, 8_000).await;
    assert_eq!(c["PCD_PAY_CODE"], "1128", "{c}");
    let c = refund(&server, "mockcard0001", "20200101", 1_000).await;
    assert_eq!(c["PCD_PAY_CODE"], "CBIL0003", "{c}");
    let c = refund(&server, "mockcard0001", &today, 7_000).await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    let c = refund(&server, "mockcard0001", &today, 1).await;
    assert_eq!(c["PCD_PAY_CODE"], "1115", "{c}");
    let c = refund(&server, "neverpaid0001", &today, 1).await;
    assert_eq!(c["PCD_PAY_CODE"], "CBIL0003", "{c}");
    let ledger = server.ledger();
    let p = &ledger["payments"][0];
    assert_eq!(p["order_id"], "mockcard0001");
    assert_eq!(p["refunded"], 10_000);
    assert_eq!(p["state"], "refunded");
    assert!(
        !ledger.to_string().contains(&key),
        "no billing key in the admin view"
    );

    // The same order number twice; a payment below the card minimum.
    let d = repay(&server, "card", &key, "mockcard0001", 1_000).await;
    assert_eq!(d["PCD_PAY_CODE"], "SPCD0014", "{d}");
    let d = repay(&server, "card", &key, "mockcard0002", 50).await;
    assert_eq!(d["PCD_PAY_CODE"], "SPCD0002", "{d}");
    assert_clean("cpay.billing_repay", &d);

    // Lookup, delete, then the key is gone.
    let l = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "PUSERINFO"}),
        &json!({"PCD_PAYER_ID": key}),
    )
    .await;
    assert_eq!(l["PCD_PAY_RST"], "success", "{l}");
    assert_eq!(l["PCD_PAY_TYPE"], "card");
    assert_eq!(l["PCD_PAYER_NAME"], "김테스트");
    assert_clean("cpay.registration_lookup", &l);
    let del = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "PUSERDEL"}),
        &json!({"PCD_PAYER_ID": key}),
    )
    .await;
    assert_eq!(del["PCD_PAY_RST"], "success", "{del}");
    assert_clean("cpay.registration_delete", &del);
    let l = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "PUSERINFO"}),
        &json!({"PCD_PAYER_ID": key}),
    )
    .await;
    assert_eq!(l["PCD_PAY_CODE"], "SPCD0012", "{l}");
    let d = repay(&server, "card", &key, "mockcard0003", 1_000).await;
    assert_eq!(d["PCD_PAY_CODE"], "SPCD0011", "{d}");
    let l = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "PUSERINFO"}),
        &json!({"PCD_PAYER_ID": "neverregistered01"}),
    )
    .await;
    assert_eq!(l["PCD_PAY_CODE"], "SPAY0005", "{l}");

    // Tokens older than 30 minutes.
    let a = auth(&server, json!({"PCD_PAYCHK_FLAG": "Y"})).await;
    clock.advance(Duration::from_secs(31 * 60));
    let mut b = tokens(&a);
    for (k, v) in [
        ("PCD_PAYCHK_FLAG", "Y"),
        ("PCD_PAY_TYPE", "card"),
        ("PCD_PAY_OID", "mockcard0001"),
        ("PCD_PAY_DATE", today.as_str()),
    ] {
        b[k] = json!(v);
    }
    let q = post(a["return_url"].as_str().unwrap(), &b, &[]).await;
    assert_eq!(q["PCD_PAY_CODE"], "SPAY0001", "{q}");
    server.shutdown().await;
}

#[tokio::test]
async fn transfer_payment_with_cash_receipt() {
    let server = start(Clock::manual(start_time())).await;
    let today = kst_today(start_time());
    let key = transfer_key(&server).await;
    let r = repay(&server, "transfer", &key, "mocktr0001", 20_000).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert!(r["PCD_PAY_BANKNUM"].as_str().unwrap().contains('*'), "{r}");
    assert_clean("cpay.billing_repay", &r);
    let q = inquiry(&server, "transfer", "mocktr0001", &today).await;
    assert_eq!(q["PCD_PAY_CODE"], "PCHK0000", "{q}");
    assert_eq!(q["PCD_PAY_BANKNAME"], r["PCD_PAY_BANKNAME"]);
    assert_clean("cpay.result_inquiry", &q);

    let issue = |oid: &'static str, payer: String, amount: &'static str| {
        let server = &server;
        async move {
            cpay_call(
                server,
                json!({"PCD_PAY_WORK": "TSREG"}),
                &json!({"PCD_PAYER_ID": payer, "PCD_PAY_OID": oid, "PCD_TAXSAVE_AMOUNT": amount,
                        "PCD_TAXSAVE_TRADEUSE": "personal", "PCD_TAXSAVE_IDENTINUM": "01012345678"}),
            )
            .await
        }
    };
    let t = issue("mocktr0001", "someoneelse01".into(), "1000").await;
    assert_eq!(t["PCD_PAY_CODE"], "CPAY0003", "{t}");
    let t = issue("mocktr0001", key.clone(), "30000").await;
    assert_eq!(t["PCD_PAY_CODE"], "CPCAE004", "{t}");
    let t = issue("mocktr0001", key.clone(), "20000").await;
    assert_eq!(t["PCD_PAY_RST"], "success", "{t}");
    assert_eq!(t["PCD_PAY_CODE"], "TSRG0000");
    assert!(!t["PCD_TAXSAVE_MGTNUM"].as_str().unwrap().is_empty());
    assert_clean("cpay.cash_receipt_issue", &t);
    let t2 = issue("mocktr0001", key.clone(), "100").await;
    assert_eq!(t2["PCD_PAY_CODE"], "CPAY0202", "{t2}");
    let cancel = |payer: String| {
        let server = &server;
        async move {
            cpay_call(
                server,
                json!({"PCD_PAY_WORK": "TSCANCEL"}),
                &json!({"PCD_PAYER_ID": payer, "PCD_PAY_OID": "mocktr0001"}),
            )
            .await
        }
    };
    let c = cancel(key.clone()).await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_eq!(c["PCD_TAXSAVE_MGTNUM"], t["PCD_TAXSAVE_MGTNUM"]);
    assert_eq!(c["PCD_TAXSAVE_AMOUNT"], "20000");
    assert_clean("cpay.cash_receipt_cancel", &c);
    let c = cancel(key.clone()).await;
    assert_eq!(c["PCD_PAY_RST"], "error", "{c}");
    assert_eq!(c["PCD_PAY_CODE"], "CBIL0003", "{c}");
    assert_clean("cpay.cash_receipt_cancel", &c);
    // A card payment has no cash receipt; a transfer key cannot pay by card.
    let ck = card_key(&server).await;
    let r = repay(&server, "card", &ck, "mockcard0100", 5_000).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    let t = issue("mockcard0100", ck, "100").await;
    assert_eq!(t["PCD_PAY_CODE"], "CPCA9997", "{t}");
    let r = repay(&server, "card", &key, "mockcard0101", 5_000).await;
    assert_eq!(r["PCD_PAY_CODE"], "SPCD0012", "{r}");
    server.shutdown().await;
}

#[tokio::test]
async fn transfer_repayment_issues_the_requested_cash_receipt() {
    let server = start(Clock::manual(start_time())).await;
    let today = kst_today(start_time());
    let key = transfer_key(&server).await;
    let mut body = repay_body("transfer", &key, "mocktr0100", 3_000);
    body["PCD_TAXSAVE_FLAG"] = json!("Y");
    body["PCD_TAXSAVE_TRADE"] = json!("personal");
    body["PCD_TAXSAVE_IDNUM"] = json!("01012345678");
    let r = cpay_call(&server, json!({"PCD_SIMPLE_FLAG": "Y"}), &body).await;
    assert_eq!(r["PCD_PAY_RST"], "success", "{r}");
    assert_eq!(r["PCD_TAXSAVE_FLAG"], "Y", "{r}");
    assert_eq!(r["PCD_TAXSAVE_RST"], "Y", "{r}");
    let mgtnum = r["PCD_TAXSAVE_MGTNUM"].as_str().unwrap().to_string();
    assert_clean("cpay.billing_repay", &r);
    // Without the flag: none requested, no receipt number.
    let r2 = repay(&server, "transfer", &key, "mocktr0101", 3_000).await;
    assert_eq!(r2["PCD_TAXSAVE_FLAG"], "N", "{r2}");
    assert!(r2.get("PCD_TAXSAVE_RST").is_none(), "{r2}");
    assert!(r2.get("PCD_TAXSAVE_MGTNUM").is_none(), "{r2}");
    let q = inquiry(&server, "transfer", "mocktr0100", &today).await;
    assert_eq!(q["PCD_TAXSAVE_RST"], "Y", "{q}");
    assert_eq!(q["PCD_TAXSAVE_MGTNUM"], mgtnum.as_str(), "{q}");
    // The receipt is in the ledger: a second one is refused, the cancel names it.
    let again = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "TSREG"}),
        &json!({"PCD_PAYER_ID": key, "PCD_PAY_OID": "mocktr0100", "PCD_TAXSAVE_AMOUNT": "3000",
                "PCD_TAXSAVE_TRADEUSE": "personal", "PCD_TAXSAVE_IDENTINUM": "01012345678"}),
    )
    .await;
    assert_eq!(again["PCD_PAY_CODE"], "CPAY0202", "{again}");
    let c = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "TSCANCEL"}),
        &json!({"PCD_PAYER_ID": key, "PCD_PAY_OID": "mocktr0100"}),
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_eq!(c["PCD_TAXSAVE_MGTNUM"], mgtnum.as_str(), "{c}");
    assert_eq!(c["PCD_TAXSAVE_AMOUNT"], "3000", "{c}");

    // A full refund of a payment with a receipt cancels the receipt with it and says so
    // (PCD_TAXSAVE_RST 0000 and its message); a partial refund, or a payment without a
    // receipt, says nothing about receipts.
    let mut body = repay_body("transfer", &key, "mocktr0102", 5_000);
    body["PCD_TAXSAVE_FLAG"] = json!("Y");
    body["PCD_TAXSAVE_TRADE"] = json!("personal");
    body["PCD_TAXSAVE_IDNUM"] = json!("01012345678");
    let r = cpay_call(&server, json!({"PCD_SIMPLE_FLAG": "Y"}), &body).await;
    assert_eq!(r["PCD_TAXSAVE_RST"], "Y", "{r}");
    let part = refund(&server, "mocktr0102", &today, 2_000).await;
    assert_eq!(part["PCD_PAY_RST"], "success", "{part}");
    assert!(part.get("PCD_TAXSAVE_RST").is_none(), "{part}");
    let rest = refund(&server, "mocktr0102", &today, 3_000).await;
    assert_eq!(rest["PCD_PAY_RST"], "success", "{rest}");
    assert_eq!(rest["PCD_TAXSAVE_RST"], "0000", "{rest}");
    assert!(
        !rest["PCD_TAXSAVE_MSG"].as_str().unwrap_or("").is_empty(),
        "{rest}"
    );
    assert_clean("cpay.cancel", &rest);
    // The receipt is gone: cancelling it again is refused.
    let gone = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "TSCANCEL"}),
        &json!({"PCD_PAYER_ID": key, "PCD_PAY_OID": "mocktr0102"}),
    )
    .await;
    assert_eq!(gone["PCD_PAY_RST"], "error", "{gone}");
    let plain = refund(&server, "mocktr0101", &today, 3_000).await;
    assert_eq!(plain["PCD_PAY_RST"], "success", "{plain}");
    assert!(plain.get("PCD_TAXSAVE_RST").is_none(), "{plain}");
    server.shutdown().await;
}

#[tokio::test]
async fn cert_confirmation_on_every_documented_path() {
    let server = start(Clock::system()).await;
    for (method, path) in [
        ("card", None),
        ("transfer", None),
        ("card", Some("/php/PayConfirmAct.php")),
        ("card", Some("/api/v1/payments/cards/approval/confirm")),
    ] {
        let mut w = json!({"PCD_PAY_TYPE": method, "PCD_PAY_WORK": "CERT", "PCD_PAY_GOODS": "티셔츠", "PCD_PAY_TOTAL": "15000"});
        if method == "transfer" {
            w["PCD_PAYER_NAME"] = json!("이체자");
        }
        let res = window(&server, "cpay", &w).await;
        assert_eq!(res["PCD_PAY_RST"], "success", "{res}");
        let cofurl = res["PCD_PAY_COFURL"].as_str().unwrap().to_string();
        assert!(cofurl.starts_with(&server.cpay_url()), "{cofurl}");
        let url = match path {
            Some(p) => format!("{}{p}", server.cpay_url()),
            None => cofurl,
        };
        let mut body = json!({
            "PCD_CST_ID": "test", "PCD_CUST_KEY": "abcd1234567890",
            "PCD_AUTH_KEY": res["PCD_AUTH_KEY"], "PCD_PAY_REQKEY": res["PCD_PAY_REQKEY"],
        });
        if method == "transfer" {
            body["PCD_PAYER_ID"] = res["PCD_PAYER_ID"].clone();
        }
        let c = post(&url, &body, &[]).await;
        assert_eq!(c["PCD_PAY_RST"], "success", "{url}: {c}");
        assert_eq!(
            c["PCD_PAY_OID"], res["PCD_PAY_OID"],
            "the order behind the key"
        );
        assert_eq!(c["PCD_PAY_TOTAL"], "15000");
        assert_eq!(c["PCD_PAY_GOODS"], "티셔츠");
        assert_eq!(c["PCD_PAY_TYPE"], method);
        // Payple's transaction key, in the (inferred) form of the spec's example: 30 letters
        // and digits, a new one per payment.
        let tx = c["PCD_TX_KEY"].as_str().unwrap();
        assert!(
            tx.len() == 30 && tx.chars().all(|ch| ch.is_ascii_alphanumeric()),
            "{c}"
        );
        assert_clean("cpay.confirm_cert", &c);
        assert_eq!(
            server.request_log().last().unwrap().endpoint,
            "cpay.confirm_cert"
        );
        // Twice is refused; an unknown key too.
        let again = post(&url, &body, &[]).await;
        assert_eq!(again["PCD_PAY_RST"], "error", "{again}");
        assert_clean("cpay.confirm_cert", &again);
        let mut unknown = body.clone();
        unknown["PCD_PAY_REQKEY"] = json!("NoSuchRequestKey000000000000");
        let u = post(&url, &unknown, &[]).await;
        assert_eq!(u["PCD_PAY_CODE"], "CBIL0003", "{u}");
        let mut wrong = body.clone();
        wrong["PCD_CUST_KEY"] = json!("wrongkey");
        let u = post(&url, &wrong, &[]).await;
        assert_eq!(u["PCD_PAY_CODE"], "SPAY0001", "{u}");
        // The CERT window result has no transaction key yet: nothing was charged.
        assert!(res.get("PCD_TX_KEY").is_none(), "{res}");
    }
    // A payment made in the window (PAY) carries its transaction key at once, a new one per
    // payment, and validates clean.
    let mut keys = Vec::new();
    for method in ["card", "transfer"] {
        let mut w = json!({"PCD_PAY_TYPE": method, "PCD_PAY_WORK": "PAY", "PCD_PAY_GOODS": "티셔츠", "PCD_PAY_TOTAL": "15000"});
        if method == "transfer" {
            w["PCD_PAYER_NAME"] = json!("이체자");
        }
        let res = window(&server, "cpay", &w).await;
        assert_eq!(res["PCD_PAY_RST"], "success", "{res}");
        assert_clean("cpay.result_callback", &res);
        let tx = res["PCD_TX_KEY"].as_str().unwrap_or_default().to_string();
        assert!(
            tx.len() == 30 && tx.chars().all(|ch| ch.is_ascii_alphanumeric()),
            "{res}"
        );
        keys.push(tx);
    }
    assert_ne!(keys[0], keys[1]);
    server.shutdown().await;
}

#[tokio::test]
async fn hub_payout_request_execute_and_results() {
    let server = start(Clock::system()).await;
    let v = hub_call(
        &server,
        "/inquiry/real_name",
        &json!({"bank_code_std": "020", "account_num": "1002123456789", "account_holder_info_type": "0", "account_holder_info": "880101"}),
    )
    .await;
    assert_eq!(v["result"], "A0000", "{v}");
    assert_clean("hub.account_verification", &v);
    let billing = v["billing_tran_id"].as_str().unwrap().to_string();
    let before = hub_call(&server, "/account/remain", &json!({})).await;
    let remain: u64 = before["remain_amt"].as_str().unwrap().parse().unwrap();
    let req = hub_call(
        &server,
        "/transfer/request",
        &json!({"billing_tran_id": billing, "tran_amt": "1000", "print_content": "정산", "distinct_key": "order0001"}),
    )
    .await;
    assert_eq!(req["result"], "A0000", "{req}");
    assert_clean("hub.transfer_request", &req);
    let group = req["group_key"].as_str().unwrap().to_string();
    let dup = hub_call(
        &server,
        "/transfer/request",
        &json!({"billing_tran_id": billing, "tran_amt": "1000", "distinct_key": "order0001"}),
    )
    .await;
    assert_eq!(dup["result"], "R0132", "{dup}");
    let info = hub_call(
        &server,
        "/request/result/group_key",
        &json!({"group_key": group}),
    )
    .await;
    assert_eq!(info["count"], "1", "{info}");
    assert_clean("hub.request_info_inquiry", &info);
    let ex = hub_call(
        &server,
        "/transfer/execute",
        &json!({"group_key": group, "billing_tran_id": billing, "execute_type": "NOW"}),
    )
    .await;
    assert_eq!(ex["result"], "A0000", "{ex}");
    assert_eq!(ex["tot_tran_amt"], "1000");
    assert_clean("hub.transfer_execute", &ex);
    let after = hub_call(&server, "/account/remain", &json!({})).await;
    assert_eq!(after["remain_amt"], (remain - 1000).to_string());
    let again = hub_call(
        &server,
        "/transfer/execute",
        &json!({"group_key": group, "billing_tran_id": billing, "execute_type": "NOW"}),
    )
    .await;
    assert_eq!(again["result"], "A0009", "{again}");
    let g = hub_call(
        &server,
        "/transfer/result/group_key",
        &json!({"group_key": group}),
    )
    .await;
    assert_eq!(g["list"].as_array().unwrap().len(), 1, "{g}");
    assert_clean("hub.transfer_result_group", &g);
    let api_tran_id = g["list"][0]["api_tran_id"].as_str().unwrap().to_string();
    let one = hub_call(
        &server,
        "/transfer/result",
        &json!({"api_tran_id": api_tran_id}),
    )
    .await;
    assert_eq!(one["result"], "A0000", "{one}");
    assert_clean("hub.transfer_result_inquiry", &one);
    let day = hub_call(
        &server,
        "/transfer/result/date",
        &json!({"bank_tran_date": kst_today(std::time::SystemTime::now())}),
    )
    .await;
    assert_eq!(day["list"].as_array().unwrap().len(), 1, "{day}");
    assert_clean("hub.transfer_result_daily", &day);
    // A second payout, cancelled before execution.
    let req2 = hub_call(
        &server,
        "/transfer/request",
        &json!({"billing_tran_id": billing, "tran_amt": "500"}),
    )
    .await;
    let group2 = req2["group_key"].as_str().unwrap();
    let c = hub_call(
        &server,
        "/transfer/execute",
        &json!({"group_key": group2, "billing_tran_id": billing, "execute_type": "CANCEL"}),
    )
    .await;
    assert_eq!(c["result"], "A0000", "{c}");
    assert_eq!(
        server.request_log().last().unwrap().endpoint,
        "hub.transfer_cancel"
    );
    let unknown = hub_call(
        &server,
        "/transfer/result",
        &json!({"api_tran_id": "nosuchtransfer"}),
    )
    .await;
    assert_eq!(unknown["result"], "A0009", "{unknown}");
    let unknown = hub_call(
        &server,
        "/transfer/request",
        &json!({"billing_tran_id": "nosuchaccount", "tran_amt": "1000"}),
    )
    .await;
    assert_eq!(unknown["result"], "A0009", "{unknown}");
    server.shutdown().await;
}

#[tokio::test]
async fn global_billing_key_payment_cancel_and_inquiry() {
    let server = start(Clock::system()).await;
    let w = window(
        &server,
        "global",
        &json!({"totalAmount": "10.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(w["result"], "A0000", "{w}");
    let key = w["billing_key"].as_str().unwrap().to_string();
    let pay = global_call(
        &server,
        "/gpay/billingKey",
        &json!({"service_id": "demo", "service_oid": "gorder0001", "comments": "mock", "billing_key": key,
                "securityCode": "123", "totalAmount": "5.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(pay["result"], "A0000", "{pay}");
    assert_eq!(pay["info"]["service_oid"], "gorder0001", "{pay}");
    assert_clean("global.billing_key_payment", &pay);
    // The card of the window's payment, masked; the kind and times in the spec's example
    // forms (Korean time at the top, UTC in the details).
    let card = w["card_number"].as_str().unwrap();
    assert!(card.contains("****"), "{w}");
    assert_eq!(pay["info"]["card_number"], card, "{pay}");
    assert_eq!(pay["info"]["pay_type"], w["pay_type"], "{pay}");
    assert_eq!(pay["type"], "PAYMENT", "{pay}");
    let kst = pay["api_date"].as_str().unwrap();
    let utc = pay["info"]["submitTimeUtc"].as_str().unwrap();
    assert_eq!((kst.len(), &kst[10..11]), (19, " "), "{pay}");
    assert_eq!(
        (utc.len(), &utc[10..11], &utc[19..]),
        (20, "T", "Z"),
        "{pay}"
    );
    let pay_id = pay["api_id"].as_str().unwrap().to_string();
    let q = global_call(
        &server,
        "/gpay/result",
        &json!({"service_id": "demo", "service_oid": "gorder0001"}),
    )
    .await;
    assert_eq!(q["result"], "A0000", "{q}");
    assert_eq!(q["card_number"], card, "{q}");
    assert_eq!(q["api_date"], pay["api_date"], "{q}");
    let cancel = |amount: &'static str| {
        let server = &server;
        let pay_id = pay_id.clone();
        async move {
            global_call(
                server,
                "/gpay/cancel",
                &json!({"service_id": "demo", "comments": "refund", "service_oid": "gorder0001",
                        "pay_id": pay_id, "totalAmount": amount, "currency": "USD"}),
            )
            .await
        }
    };
    let c = cancel("2.00").await;
    assert_eq!(c["result"], "A0000", "{c}");
    assert_clean("global.cancel", &c);
    assert_eq!(c["type"], "CANCEL", "{c}");
    assert_eq!(c["info"]["totalAmount"], "2.00", "{c}");
    assert!(
        c["info"]["submitTimeUtc"].as_str().unwrap().ends_with('Z'),
        "{c}"
    );
    let c = cancel("4.00").await;
    assert_eq!(c["result"], "A0009", "{c}");
    let c = cancel("3.00").await;
    assert_eq!(c["result"], "A0000", "{c}");
    let other = global_call(
        &server,
        "/gpay/billingKey",
        &json!({"service_id": "demo", "comments": "mock", "billing_key": "NoSuchBillingKey0000",
                "securityCode": "123", "totalAmount": "5.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(other["result"], "A0009", "{other}");
    let mismatch = global_call(
        &server,
        "/gpay/billingKey",
        &json!({"service_id": "someoneelse", "comments": "mock", "billing_key": key,
                "securityCode": "123", "totalAmount": "5.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(mismatch["result"], "T0320", "{mismatch}");
    server.shutdown().await;
}

/// A transfer paid in the window with `PCD_TAXSAVE_FLAG` `Y` gets its cash receipt (in the
/// answer and the ledger, cancellable); without the flag the answer has no receipt number;
/// a CERT window issues it only with the confirmation.
#[tokio::test]
async fn transfer_window_payment_issues_the_requested_cash_receipt() {
    let server = start(Clock::system()).await;
    let w = json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "PAY", "PCD_PAY_GOODS": "티셔츠",
                   "PCD_PAY_TOTAL": "4000", "PCD_PAYER_NAME": "이체자", "PCD_TAXSAVE_FLAG": "Y",
                   "PCD_TAXSAVE_TRADE": "personal", "PCD_TAXSAVE_IDNUM": "01012345678"});
    let res = window(&server, "cpay", &w).await;
    assert_eq!(res["PCD_PAY_RST"], "success", "{res}");
    assert_eq!(res["PCD_TAXSAVE_RST"], "Y", "{res}");
    let mgtnum = res["PCD_TAXSAVE_MGTNUM"].as_str().unwrap().to_string();
    assert_clean("cpay.result_callback", &res);
    let c = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "TSCANCEL"}),
        &json!({"PCD_PAYER_ID": res["PCD_PAYER_ID"], "PCD_PAY_OID": res["PCD_PAY_OID"]}),
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert_eq!(c["PCD_TAXSAVE_MGTNUM"], mgtnum.as_str(), "{c}");
    assert_eq!(c["PCD_TAXSAVE_AMOUNT"], "4000", "{c}");

    let mut plain = w.clone();
    plain["PCD_TAXSAVE_FLAG"] = json!("N");
    let res = window(&server, "cpay", &plain).await;
    assert_eq!(res["PCD_PAY_RST"], "success", "{res}");
    assert!(res.get("PCD_TAXSAVE_MGTNUM").is_none(), "{res}");
    assert!(res.get("PCD_TAXSAVE_RST").is_none(), "{res}");
    assert_clean("cpay.result_callback", &res);

    let mut cert = w.clone();
    cert["PCD_PAY_WORK"] = json!("CERT");
    let res = window(&server, "cpay", &cert).await;
    assert_eq!(res["PCD_PAY_RST"], "success", "{res}");
    assert!(res.get("PCD_TAXSAVE_MGTNUM").is_none(), "{res}");
    let confirmed = post(
        res["PCD_PAY_COFURL"].as_str().unwrap(),
        &json!({"PCD_CST_ID": "test", "PCD_CUST_KEY": "abcd1234567890",
                "PCD_AUTH_KEY": res["PCD_AUTH_KEY"], "PCD_PAY_REQKEY": res["PCD_PAY_REQKEY"],
                "PCD_PAYER_ID": res["PCD_PAYER_ID"]}),
        &[],
    )
    .await;
    assert_eq!(confirmed["PCD_PAY_RST"], "success", "{confirmed}");
    assert_eq!(confirmed["PCD_TAXSAVE_RST"], "Y", "{confirmed}");
    assert_clean("cpay.confirm_cert", &confirmed);
    // The confirmed payment has the receipt (the confirm answer documents no receipt number;
    // its cancellation names it).
    let c = cpay_call(
        &server,
        json!({"PCD_PAY_WORK": "TSCANCEL"}),
        &json!({"PCD_PAYER_ID": res["PCD_PAYER_ID"], "PCD_PAY_OID": res["PCD_PAY_OID"]}),
    )
    .await;
    assert_eq!(c["PCD_PAY_RST"], "success", "{c}");
    assert!(
        !c["PCD_TAXSAVE_MGTNUM"].as_str().unwrap_or("").is_empty(),
        "{c}"
    );
    server.shutdown().await;
}
