//! Protocol facts read from the spec's tables in payple-types: documented legacy paths
//! and the refusal situations (`[mock: ...]` markers of `limits`, spec/README.md).

use payple_types::{Applies, EndpointSpec, LimitSpec, Qualifier, QualifierOp, endpoint};
use serde_json::Value;

/// One `[mock: ...]` limit: the answer to a situation on an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Situation {
    /// Endpoint id the limit belongs to.
    pub endpoint: &'static str,
    /// Situation id (`order_unknown`, `refund_exceeds_remaining` ...).
    pub id: &'static str,
    /// Conditions that must hold.
    pub qualifiers: &'static [Qualifier],
    /// The code answered.
    pub code: &'static str,
}

impl Situation {
    fn of(ep: &'static EndpointSpec, l: &'static LimitSpec) -> Option<Situation> {
        Some(Situation {
            endpoint: ep.id,
            id: l.situation?,
            qualifiers: l.qualifiers,
            code: l.code?,
        })
    }
}

/// Every situation of every endpoint, in spec order.
fn situations() -> impl Iterator<Item = Situation> {
    payple_types::endpoints()
        .iter()
        .flat_map(|ep| ep.limits.iter().filter_map(move |l| Situation::of(ep, l)))
}

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

    fn holds(&self, q: &Qualifier) -> bool {
        let actual: Option<&str> = match q.key {
            "method" => match self.method {
                Applies::Card => Some("card"),
                Applies::Transfer => Some("transfer"),
                Applies::Both => None,
            },
            "field" => self.field,
            k => self.request.get(k).and_then(Value::as_str),
        };
        let Some(actual) = actual else { return false };
        match q.op {
            QualifierOp::Below => {
                let (Ok(a), Some(Ok(bound))) = (
                    actual.trim().parse::<u64>(),
                    q.values.first().map(|b| b.parse::<u64>()),
                ) else {
                    return false;
                };
                a < bound
            }
            QualifierOp::OneOf => q.values.contains(&actual),
        }
    }
}

fn best_on(ep_id: &str, id: &str, facts: &Facts<'_>) -> Option<Situation> {
    situations()
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
pub(crate) fn situation(ep: &EndpointSpec, id: &str, facts: &Facts<'_>) -> Option<Situation> {
    best_on(ep.id, id, facts).or_else(|| {
        let auth = auth_endpoint(ep.service)?;
        (auth.id != ep.id)
            .then(|| best_on(auth.id, id, facts))
            .flatten()
    })
}

/// Only the situations of `ep` itself (no fallback).
pub(crate) fn own_situation(ep: &EndpointSpec, id: &str, facts: &Facts<'_>) -> Option<Situation> {
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
    payple_types::endpoints()
        .iter()
        .filter(|e| e.service == service)
        .flat_map(|e| e.legacy_paths.iter().map(move |p| (e, *p)))
        .filter(|(_, p)| p.split('?').next() == Some(path))
        .collect()
}

/// The documented legacy paths of an endpoint, in spec order.
pub(crate) fn legacy_paths_of(id: &str) -> impl Iterator<Item = &'static str> + use<> {
    endpoint(id)
        .map(|e| e.legacy_paths)
        .unwrap_or_default()
        .iter()
        .copied()
}

/// Every situation id of the spec (for the README check and the admin listing).
#[cfg(test)]
pub(crate) fn all() -> Vec<Situation> {
    situations().collect()
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

/// Wire names of the fields the mock reads and writes, by role (`roles:` in
/// spec/payple.yaml): the mock names no Payple field itself.
pub(crate) mod names {
    use payple_types::{EndpointSpec, Part, Role};
    use std::time::Duration;

    /// The most common cpay name of `role` (empty if the spec gives none; a test checks
    /// that every role the mock uses has one).
    pub(crate) fn cpay(role: Role) -> &'static str {
        role.name("cpay").unwrap_or_default()
    }

    /// The most common hub name of `role`.
    pub(crate) fn hub(role: Role) -> &'static str {
        role.name("hub").unwrap_or_default()
    }

    /// The most common global name of `role`.
    pub(crate) fn global(role: Role) -> &'static str {
        role.name("global").unwrap_or_default()
    }

    /// The request field of `ep` carrying `role`, else the service's most common name.
    pub(crate) fn request(ep: &EndpointSpec, role: Role) -> &'static str {
        role.field(ep, Part::Request)
            .or_else(|| role.name(ep.service))
            .unwrap_or_default()
    }

    /// The response field of `ep` carrying `role`, else the service's most common name.
    pub(crate) fn response(ep: &EndpointSpec, role: Role) -> &'static str {
        role.field(ep, Part::Response)
            .or_else(|| role.name(ep.service))
            .unwrap_or_default()
    }

    /// The documented result-inquiry rate limit: (calls admitted per window, the window).
    /// cpay.result_inquiry's `rate` in the spec (PCHK9997 past it).
    pub(crate) fn inquiry_budget() -> (usize, Duration) {
        payple_types::endpoint("cpay.result_inquiry")
            .and_then(|e| e.rate_limit())
            .map_or((usize::MAX, Duration::ZERO), |(r, _)| {
                (
                    usize::try_from(r.max).unwrap_or(usize::MAX),
                    Duration::from_secs(r.window_seconds),
                )
            })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Every (service, role) the mock's handlers name resolves to a wire name.
        #[test]
        fn every_role_the_mock_uses_has_a_name() {
            let sources = [
                ("cpay", include_str!("cpay.rs")),
                ("hub", include_str!("hub.rs")),
                ("global", include_str!("global.rs")),
                ("cpay", include_str!("server.rs")),
            ];
            let mut checked = 0;
            for (service, src) in sources {
                for role in Role::ALL {
                    let uses = |f: &str| src.contains(&format!("names::{f}(Role::{role:?})"));
                    if uses(service) {
                        assert!(
                            role.name(service).is_some(),
                            "{service} has no name for {role:?}"
                        );
                        checked += 1;
                    }
                    for s in ["cpay", "hub", "global"] {
                        if s != service && uses(s) {
                            assert!(role.name(s).is_some(), "{s} has no name for {role:?}");
                            checked += 1;
                        }
                    }
                }
            }
            assert!(checked > 30, "only {checked} role uses found");
        }

        #[test]
        fn the_inquiry_budget_comes_from_the_spec() {
            let (max, window) = inquiry_budget();
            assert_eq!((max, window.as_secs()), (1000, 600));
        }
    }
}
