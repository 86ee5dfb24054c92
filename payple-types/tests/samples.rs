//! Every documented sample: read leniently (each repair a documentation defect with
//! line:column), the validator reports exactly the findings the spec records for it, every
//! readable sample deserializes into its model, and repairs plus findings are snapshotted.

use payple_types::doc_sample::{repair, validate_sample};
use payple_types::{Part, endpoints};
use rstest::rstest;
use std::fmt::Write as _;

/// Every endpoint id; `case_list_covers_every_endpoint` keeps this table complete.
const IDS: &[&str] = &[
    "cpay.auth",
    "cpay.billing_repay",
    "cpay.cancel",
    "cpay.card_registration",
    "cpay.cash_receipt_cancel",
    "cpay.cash_receipt_issue",
    "cpay.confirm_cert",
    "cpay.link_payment",
    "cpay.payment_window",
    "cpay.registration_delete",
    "cpay.registration_lookup",
    "cpay.result_callback",
    "cpay.result_inquiry",
    "global.billing_key_payment",
    "global.cancel",
    "global.payment_window",
    "global.payment_window_result",
    "global.result_inquiry",
    "global.token",
    "global.webhook",
    "hub.account_verification",
    "hub.remaining_limit",
    "hub.request_info_inquiry",
    "hub.token",
    "hub.transfer_cancel",
    "hub.transfer_execute",
    "hub.transfer_request",
    "hub.transfer_result_daily",
    "hub.transfer_result_group",
    "hub.transfer_result_inquiry",
    "hub.webhook",
];

#[test]
fn case_list_covers_every_endpoint() {
    let mut ids: Vec<&str> = endpoints().iter().map(|e| e.id).collect();
    ids.sort();
    assert_eq!(ids, IDS, "update IDS and the rstest cases below");
}

fn check_samples(id: &str) {
    let ep = payple_types::endpoint(id).expect("endpoint exists");
    let mut failures = Vec::new();
    for s in ep.samples {
        let report = validate_sample(ep, s.part, s.raw).report;
        let got = report.kinds_and_pointers();
        let mut want: Vec<(String, String)> = s
            .expect
            .iter()
            .map(|(k, p)| (k.to_string(), p.to_string()))
            .collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "{id} sample `{}`:\n  expected {want:?}\n  got      {got:?}\n  messages: {:#?}",
                s.id,
                report
                    .findings
                    .iter()
                    .map(|f| f.message())
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn deserialize_into_model(id: &str, part: Part, raw: &str) -> Result<(), String> {
    macro_rules! models {
        ($($name:literal => $svc:ident :: $module:ident),* $(,)?) => {
            match (id, part) {
                $(
                    ($name, Part::Request) => serde_json::from_str::<payple_types::$svc::$module::Request>(raw).map(|_| ()).map_err(|e| e.to_string()),
                    ($name, Part::Response) => serde_json::from_str::<payple_types::$svc::$module::Response>(raw).map(|_| ()).map_err(|e| e.to_string()),
                )*
                _ => Err(format!("no model for {id}")),
            }
        };
    }
    models!(
        "cpay.auth" => cpay::auth,
        "cpay.billing_repay" => cpay::billing_repay,
        "cpay.cancel" => cpay::cancel,
        "cpay.card_registration" => cpay::card_registration,
        "cpay.cash_receipt_cancel" => cpay::cash_receipt_cancel,
        "cpay.cash_receipt_issue" => cpay::cash_receipt_issue,
        "cpay.confirm_cert" => cpay::confirm_cert,
        "cpay.link_payment" => cpay::link_payment,
        "cpay.payment_window" => cpay::payment_window,
        "cpay.registration_delete" => cpay::registration_delete,
        "cpay.registration_lookup" => cpay::registration_lookup,
        "cpay.result_callback" => cpay::result_callback,
        "cpay.result_inquiry" => cpay::result_inquiry,
        "global.billing_key_payment" => global::billing_key_payment,
        "global.cancel" => global::cancel,
        "global.payment_window" => global::payment_window,
        "global.payment_window_result" => global::payment_window_result,
        "global.result_inquiry" => global::result_inquiry,
        "global.token" => global::token,
        "global.webhook" => global::webhook,
        "hub.account_verification" => hub::account_verification,
        "hub.remaining_limit" => hub::remaining_limit,
        "hub.request_info_inquiry" => hub::request_info_inquiry,
        "hub.token" => hub::token,
        "hub.transfer_cancel" => hub::transfer_cancel,
        "hub.transfer_execute" => hub::transfer_execute,
        "hub.transfer_request" => hub::transfer_request,
        "hub.transfer_result_daily" => hub::transfer_result_daily,
        "hub.transfer_result_group" => hub::transfer_result_group,
        "hub.transfer_result_inquiry" => hub::transfer_result_inquiry,
        "hub.webhook" => hub::webhook,
    )
}

#[rstest]
#[case("cpay.auth")]
#[case("cpay.billing_repay")]
#[case("cpay.cancel")]
#[case("cpay.card_registration")]
#[case("cpay.cash_receipt_cancel")]
#[case("cpay.cash_receipt_issue")]
#[case("cpay.confirm_cert")]
#[case("cpay.link_payment")]
#[case("cpay.payment_window")]
#[case("cpay.registration_delete")]
#[case("cpay.registration_lookup")]
#[case("cpay.result_callback")]
#[case("cpay.result_inquiry")]
#[case("global.billing_key_payment")]
#[case("global.cancel")]
#[case("global.payment_window")]
#[case("global.payment_window_result")]
#[case("global.result_inquiry")]
#[case("global.token")]
#[case("global.webhook")]
#[case("hub.account_verification")]
#[case("hub.remaining_limit")]
#[case("hub.request_info_inquiry")]
#[case("hub.token")]
#[case("hub.transfer_cancel")]
#[case("hub.transfer_execute")]
#[case("hub.transfer_request")]
#[case("hub.transfer_result_daily")]
#[case("hub.transfer_result_group")]
#[case("hub.transfer_result_inquiry")]
#[case("hub.webhook")]
fn samples_match_their_findings_and_models(#[case] id: &str) {
    check_samples(id);
    let ep = payple_types::endpoint(id).expect("endpoint exists");
    let mut snapshot = String::new();
    for s in ep.samples {
        let checked = validate_sample(ep, s.part, s.raw);
        let _ = writeln!(snapshot, "{} ({})", s.id, s.part.as_str());
        for r in &checked.repairs {
            let _ = writeln!(snapshot, "  repair {r}");
        }
        for f in &checked.report.findings {
            let _ = writeln!(
                snapshot,
                "  {} {} {}",
                f.severity.as_str(),
                f.kind,
                f.pointer
            );
        }
        match repair(s.raw) {
            Ok(repaired) => {
                let text = repaired.value.to_string();
                let result = deserialize_into_model(id, s.part, &text);
                if repaired.value.is_object() {
                    assert!(result.is_ok(), "{id} sample {}: {result:?}", s.id);
                }
            }
            Err(e) => {
                let _ = writeln!(snapshot, "  unreadable {e}");
                assert!(
                    s.expect.iter().any(|(k, _)| *k == "malformed_body"),
                    "{id} sample {} cannot be read even leniently ({e}), so it must expect malformed_body",
                    s.id
                );
            }
        }
    }
    insta::assert_snapshot!(format!("samples_{}", id.replace('.', "_")), snapshot);
}

/// The lenient reader never panics: every prefix of every sample, and every sample with
/// each quote, bracket or comma character doubled or removed, gives a value or an error.
#[test]
fn lenient_reader_survives_truncated_and_mangled_samples() {
    let mut runs = 0usize;
    for ep in endpoints() {
        for s in ep.samples {
            let raw = s.raw;
            for (i, _) in raw.char_indices() {
                let _ = repair(&raw[..i]);
                runs += 1;
            }
            for (i, c) in raw.char_indices() {
                if !matches!(
                    c,
                    '"' | '\'' | '{' | '}' | '[' | ']' | ',' | ':' | '“' | '”' | '/'
                ) {
                    continue;
                }
                let removed = format!("{}{}", &raw[..i], &raw[i + c.len_utf8()..]);
                let doubled = format!("{}{c}{}", &raw[..i], &raw[i..]);
                let _ = repair(&removed);
                let _ = repair(&doubled);
                runs += 2;
            }
        }
    }
    assert!(runs > 10_000, "only {runs} inputs tried");
}
