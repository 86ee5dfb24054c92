//! Protocol facts compiled from the spec by build.rs: documented legacy paths and the
//! refusal situations (`[mock: ...]` markers of `limits`, spec/README.md), looked up here.

use payple_types::{Applies, EndpointSpec, endpoint};
use serde_json::Value;

/// One `[mock: ...]` limit: the answer to a situation on an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Situation {
    /// Endpoint id the limit belongs to.
    pub endpoint: &'static str,
    /// Situation id (`order_unknown`, `refund_exceeds_remaining` ...).
    pub id: &'static str,
    /// Qualifiers: (key, `=` one of / `<` below, values).
    pub qualifiers: &'static [(&'static str, char, &'static [&'static str])],
    /// The code answered.
    pub code: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/protocol.rs"));

/// What a situation's qualifiers are checked against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// The payment method of the call.
    pub method: Applies,
    /// The field the refusal is about.
    pub field: Option<&'a str>,
    /// The request (leniently read).
    pub request: &'a Value,
}

impl<'a> Facts<'a> {
    pub(crate) fn new(method: Applies, request: &'a Value) -> Facts<'a> {
        Facts {
            method,
            field: None,
            request,
        }
    }

    pub(crate) fn about(self, field: &'a str) -> Facts<'a> {
        Facts {
            field: Some(field),
            ..self
        }
    }

    fn holds(&self, (key, op, values): &(&str, char, &[&str])) -> bool {
        let actual: Option<&str> = match *key {
            "method" => match self.method {
                Applies::Card => Some("card"),
                Applies::Transfer => Some("transfer"),
                Applies::Both => None,
            },
            "field" => self.field,
            k => self.request.get(k).and_then(Value::as_str),
        };
        let Some(actual) = actual else { return false };
        match op {
            '<' => {
                let (Ok(a), Some(Ok(bound))) = (
                    actual.trim().parse::<u64>(),
                    values.first().map(|b| b.parse::<u64>()),
                ) else {
                    return false;
                };
                a < bound
            }
            _ => values.contains(&actual),
        }
    }
}

fn best_on(ep_id: &str, id: &str, facts: &Facts<'_>) -> Option<&'static Situation> {
    SITUATIONS
        .iter()
        .filter(|s| s.endpoint == ep_id && s.id == id)
        .filter(|s| s.qualifiers.iter().all(|q| facts.holds(q)))
        .max_by_key(|s| s.qualifiers.len())
}

/// The endpoint performing the authentication of `service` (`cpay.auth`, `hub.token`,
/// `global.token`), where the refusals of every follow-up call are recorded.
pub(crate) fn auth_endpoint(service: &str) -> Option<&'static EndpointSpec> {
    payple_types::AUTH_FLOWS
        .iter()
        .filter(|f| f.service == service)
        .find_map(|f| f.endpoint)
        .and_then(endpoint)
}

/// The situation `id` on `ep` whose qualifiers hold (most specific first), else on the
/// service's authentication endpoint.
pub(crate) fn situation(
    ep: &EndpointSpec,
    id: &str,
    facts: &Facts<'_>,
) -> Option<&'static Situation> {
    best_on(ep.id, id, facts).or_else(|| {
        let auth = auth_endpoint(ep.service)?;
        (auth.id != ep.id)
            .then(|| best_on(auth.id, id, facts))
            .flatten()
    })
}

/// Only the situations of `ep` itself (no fallback).
pub(crate) fn own_situation(
    ep: &EndpointSpec,
    id: &str,
    facts: &Facts<'_>,
) -> Option<&'static Situation> {
    best_on(ep.id, id, facts)
}

/// Whether a situation with these qualifiers exists on `ep` (for checks such as a minimum
/// amount, whose bound is a qualifier).
pub(crate) fn applies(ep: &EndpointSpec, id: &str, facts: &Facts<'_>) -> bool {
    own_situation(ep, id, facts).is_some()
}

/// The endpoints of `service` documented at `path` (query ignored) as a legacy path, with
/// the full legacy path (query included).
pub(crate) fn legacy_endpoints(
    service: &str,
    path: &str,
) -> Vec<(&'static EndpointSpec, &'static str)> {
    LEGACY_PATHS
        .iter()
        .filter(|(_, p)| p.split('?').next() == Some(path))
        .filter_map(|(id, p)| endpoint(id).map(|e| (e, *p)))
        .filter(|(e, _)| e.service == service)
        .collect()
}

/// The documented legacy paths of an endpoint, in spec order.
pub(crate) fn legacy_paths_of(id: &str) -> impl Iterator<Item = &'static str> + use<'_> {
    LEGACY_PATHS
        .iter()
        .filter(move |(e, _)| *e == id)
        .map(|(_, p)| *p)
}

/// Every situation id of the spec (for the README check and the admin listing).
#[cfg(test)]
pub(crate) fn all() -> &'static [Situation] {
    SITUATIONS
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_situation_code_is_in_a_catalog() {
        for s in all() {
            let found = payple_types::catalogs::ALL
                .iter()
                .flat_map(|(_, c)| c.iter())
                .any(|e| e.code == s.code);
            assert!(
                found,
                "{} {}: code {} in no catalog",
                s.endpoint, s.id, s.code
            );
        }
    }

    /// Every (endpoint, situation) the handlers answer exists in the spec, so that no
    /// refusal turns into the HTTP 500 that names a missing limit.
    #[test]
    fn every_situation_the_mock_answers_is_in_the_spec() {
        let needed: &[(&str, &[&str])] = &[
            (
                "cpay.auth",
                &[
                    "request_invalid",
                    "auth_partner_unknown",
                    "auth_cust_key_wrong",
                    "auth_referer_refused",
                ],
            ),
            (
                "cpay.result_inquiry",
                &[
                    "inquiry_rate_limited",
                    "order_unknown",
                    "order_date_mismatch",
                    "order_method_mismatch",
                    "call_invalid",
                    "auth_token_mismatch",
                    "auth_token_other_operation",
                ],
            ),
            (
                "cpay.cancel",
                &[
                    "order_unknown",
                    "order_date_mismatch",
                    "refund_exceeds_remaining",
                    "refund_already_full",
                    "call_invalid",
                ],
            ),
            (
                "cpay.billing_repay",
                &[
                    "billing_key_unknown",
                    "billing_key_method_mismatch",
                    "order_duplicate",
                    "call_invalid",
                ],
            ),
            ("cpay.registration_lookup", &["billing_key_unknown"]),
            ("cpay.registration_delete", &["billing_key_unknown"]),
            (
                "cpay.cash_receipt_issue",
                &[
                    "order_unknown",
                    "order_payer_mismatch",
                    "receipt_not_transfer",
                    "receipt_exists",
                    "receipt_exceeds_amount",
                ],
            ),
            (
                "cpay.cash_receipt_cancel",
                &["order_unknown", "order_payer_mismatch", "receipt_unknown"],
            ),
            (
                "cpay.confirm_cert",
                &[
                    "cert_request_unknown",
                    "cert_already_confirmed",
                    "auth_token_mismatch",
                    "call_invalid",
                ],
            ),
            ("cpay.link_payment", &["call_invalid"]),
            ("cpay.card_registration", &["call_invalid"]),
            (
                "hub.token",
                &[
                    "token_code_malformed",
                    "request_invalid",
                    "token_account_unknown",
                ],
            ),
            (
                "hub.transfer_request",
                &[
                    "token_invalid",
                    "call_invalid",
                    "key_unknown",
                    "request_duplicate",
                ],
            ),
            ("hub.transfer_execute", &["key_unknown"]),
            ("hub.transfer_cancel", &["key_unknown"]),
            ("hub.transfer_result_inquiry", &["key_unknown"]),
            ("hub.transfer_result_group", &["key_unknown"]),
            ("hub.request_info_inquiry", &["key_unknown"]),
            (
                "global.token",
                &[
                    "token_code_malformed",
                    "request_invalid",
                    "token_account_unknown",
                ],
            ),
            (
                "global.billing_key_payment",
                &[
                    "token_invalid",
                    "call_invalid",
                    "token_service_mismatch",
                    "billing_key_unknown",
                    "order_duplicate",
                ],
            ),
            (
                "global.cancel",
                &[
                    "token_service_mismatch",
                    "order_unknown",
                    "refund_exceeds_remaining",
                ],
            ),
            ("global.result_inquiry", &["order_unknown", "token_invalid"]),
        ];
        let req = serde_json::json!({});
        for (id, situations) in needed {
            let ep = endpoint(id).unwrap();
            for s in *situations {
                let found = [Applies::Both, Applies::Card, Applies::Transfer]
                    .iter()
                    .any(|m| {
                        situation(ep, s, &Facts::new(*m, &req)).is_some()
                            || all().iter().any(|x| x.endpoint == ep.id && x.id == *s)
                    });
                assert!(found, "{id}: no [mock: {s}] limit in the spec");
            }
        }
    }

    #[test]
    fn qualifiers_pick_the_most_specific() {
        let ep = endpoint("cpay.billing_repay").unwrap();
        let req = serde_json::json!({"PCD_REGULER_FLAG": "Y", "PCD_PAY_TOTAL": "50"});
        let card = Facts::new(Applies::Card, &req);
        let s = situation(ep, "billing_key_unknown", &card).map(|s| s.code);
        let plain = serde_json::json!({});
        let s2 = situation(
            ep,
            "billing_key_unknown",
            &Facts::new(Applies::Card, &plain),
        )
        .map(|s| s.code);
        assert_ne!(s, s2);
        assert!(applies(ep, "amount_below_minimum", &card));
        let big = serde_json::json!({"PCD_PAY_TOTAL": "1000"});
        assert!(!applies(
            ep,
            "amount_below_minimum",
            &Facts::new(Applies::Card, &big)
        ));
        // Follow-up refusals come from the auth endpoint.
        assert!(situation(ep, "auth_token_mismatch", &card).is_some());
    }
}

/// The wire names the ledger keys its entries on, in one place. They name documented
/// fields (the spec has no machine-readable role such as "order id" yet); issue 12 moves
/// them into the spec.
pub(crate) mod names {
    use std::time::Duration;

    pub(crate) const CST_ID: &str = "cst_id";
    pub(crate) const CUST_KEY: &str = "custKey";
    pub(crate) const CODE: &str = "code";
    pub(crate) const PCD_CST_ID: &str = "PCD_CST_ID";
    pub(crate) const PCD_CUST_KEY: &str = "PCD_CUST_KEY";
    pub(crate) const AUTH_KEY: &str = "PCD_AUTH_KEY";
    pub(crate) const PAY_TYPE: &str = "PCD_PAY_TYPE";
    pub(crate) const PAY_WORK: &str = "PCD_PAY_WORK";
    pub(crate) const CARD: &str = "card";
    pub(crate) const TRANSFER: &str = "transfer";
    pub(crate) const PAY_GOODS: &str = "PCD_PAY_GOODS";
    pub(crate) const REGULER_FLAG: &str = "PCD_REGULER_FLAG";
    pub(crate) const OID: &str = "PCD_PAY_OID";
    pub(crate) const PAY_DATE: &str = "PCD_PAY_DATE";
    pub(crate) const PAY_TIME: &str = "PCD_PAY_TIME";
    pub(crate) const PAY_TOTAL: &str = "PCD_PAY_TOTAL";
    pub(crate) const PAYER_ID: &str = "PCD_PAYER_ID";
    pub(crate) const REFUND_TOTAL: &str = "PCD_REFUND_TOTAL";
    pub(crate) const REFUND_TIME: &str = "PCD_REFUND_TIME";
    pub(crate) const TAXSAVE_AMOUNT: &str = "PCD_TAXSAVE_AMOUNT";
    pub(crate) const TAXSAVE_MGTNUM: &str = "PCD_TAXSAVE_MGTNUM";
    pub(crate) const REQKEY: &str = "PCD_PAY_REQKEY";
    pub(crate) const COFURL: &str = "PCD_PAY_COFURL";
    pub(crate) const RST_URL: &str = "PCD_RST_URL";
    pub(crate) const WEBHOOK_URL: &str = "webhook_url";
    pub(crate) const TYPE: &str = "type";
    pub(crate) const CARDNUM: &str = "PCD_PAY_CARDNUM";
    pub(crate) const BANKNUM: &str = "PCD_PAY_BANKNUM";
    pub(crate) const LINK_KEY: &str = "PCD_LINK_KEY";
    pub(crate) const LINK_URL: &str = "PCD_LINK_URL";
    pub(crate) const LINK_MEMO: &str = "PCD_LINK_MEMO";
    pub(crate) const CARDRECEIPT: &str = "PCD_PAY_CARDRECEIPT";
    pub(crate) const PAY_AMOUNT: &str = "PCD_PAY_AMOUNT";
    pub(crate) const PAY_DISCOUNT: &str = "PCD_PAY_DISCOUNT";
    pub(crate) const PAY_AMOUNT_REAL: &str = "PCD_PAY_AMOUNT_REAL";
    // hub
    pub(crate) const BILLING_TRAN_ID: &str = "billing_tran_id";
    pub(crate) const GROUP_KEY: &str = "group_key";
    pub(crate) const API_TRAN_ID: &str = "api_tran_id";
    pub(crate) const DISTINCT_KEY: &str = "distinct_key";
    pub(crate) const TRAN_AMT: &str = "tran_amt";
    pub(crate) const REMAIN_AMT: &str = "remain_amt";
    pub(crate) const BANK_TRAN_DATE: &str = "bank_tran_date";
    pub(crate) const LIST: &str = "list";
    pub(crate) const TOT_TRAN_AMT: &str = "tot_tran_amt";
    pub(crate) const REQUEST_DATE: &str = "request_date";
    pub(crate) const TOTAL: &str = "total";
    pub(crate) const COUNT: &str = "count";
    // global
    pub(crate) const SERVICE_ID: &str = "service_id";
    pub(crate) const SERVICE_OID: &str = "service_oid";
    pub(crate) const PAY_ID: &str = "pay_id";
    pub(crate) const API_ID: &str = "api_id";
    pub(crate) const BILLING_KEY: &str = "billing_key";
    pub(crate) const TOTAL_AMOUNT: &str = "totalAmount";
    pub(crate) const CURRENCY: &str = "currency";
    pub(crate) const INFO: &str = "info";

    /// Result inquiries admitted per window (cpay.result_inquiry's PCHK9997 limit).
    pub(crate) const INQUIRY_BUDGET: usize = 1000;
    /// The window of the inquiry budget.
    pub(crate) const INQUIRY_WINDOW: Duration = Duration::from_secs(600);
}
