//! The scenarios: every endpoint that can be called without a browser and without moving
//! money, with unknown order ids and keys so that nothing real is touched.

use crate::client::{CallError, Client, Exchange};
use serde_json::{Map, Value};
use std::sync::Arc;

/// An order id no real payment has (letters and digits only, as the type codes want).
pub const UNKNOWN_ORDER: &str = "paypledriftprobe0000";
/// A billing key / payer id that is not registered.
pub const UNKNOWN_PAYER: &str = "paypledriftprobeunknownpayer";
/// A hub transfer or group key that does not exist.
pub const UNKNOWN_KEY: &str = "paypledriftprobe00000000000000000000";

/// What a scenario does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// cpay partner authentication with one flag: (field, value).
    CpayAuth(&'static str, &'static str),
    /// A bearer-token request of a flow (`hub.bearer_token`, `global.token`).
    Bearer(&'static str),
    /// A call of the endpoint with a body built from unknown ids (its auth step first).
    Call,
}

/// One scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Stable name; names the baseline file.
    pub name: String,
    /// The endpoint whose answer is checked.
    pub endpoint: &'static str,
    /// What it does.
    pub step: Step,
}

impl Scenario {
    /// The service (`cpay`, `hub`, `global`).
    pub fn service(&self) -> &'static str {
        self.endpoint.split('.').next().unwrap_or("")
    }
}

/// The calls made with unknown ids. None moves money: inquiries, lookups, and cancels or
/// deletes of things that do not exist.
pub const CALLS: [(&str, &str); 13] = [
    ("cpay.result_inquiry.unknown_order", "cpay.result_inquiry"),
    (
        "cpay.registration_lookup.unknown_key",
        "cpay.registration_lookup",
    ),
    (
        "cpay.registration_delete.unknown_key",
        "cpay.registration_delete",
    ),
    ("cpay.cancel.unknown_order", "cpay.cancel"),
    (
        "cpay.cash_receipt_cancel.unknown_order",
        "cpay.cash_receipt_cancel",
    ),
    ("hub.remaining_limit", "hub.remaining_limit"),
    (
        "hub.transfer_result_inquiry.unknown_key",
        "hub.transfer_result_inquiry",
    ),
    (
        "hub.transfer_result_group.unknown_key",
        "hub.transfer_result_group",
    ),
    (
        "hub.request_info_inquiry.unknown_key",
        "hub.request_info_inquiry",
    ),
    (
        "hub.transfer_result_daily.today",
        "hub.transfer_result_daily",
    ),
    (
        "global.result_inquiry.unknown_order",
        "global.result_inquiry",
    ),
    ("global.cancel.unknown_order", "global.cancel"),
    (
        "hub.transfer_result_inquiry.empty_key",
        "hub.transfer_result_inquiry",
    ),
];

/// The cpay partner-auth flags: every (field, value) the auth request documents, except the
/// payment method.
pub fn cpay_flags() -> Vec<(&'static str, &'static str)> {
    payple_types::endpoint("cpay.auth")
        .map(|ep| {
            ep.request
                .iter()
                .filter(|f| f.name != "PCD_PAY_TYPE" && !f.values.is_empty())
                .flat_map(|f| f.values.iter().map(move |v| (f.name, *v)))
                .collect()
        })
        .unwrap_or_default()
}

fn slug(field: &str, value: &str) -> String {
    let f = field
        .trim_start_matches("PCD_")
        .trim_end_matches("_FLAG")
        .to_ascii_lowercase();
    if value == "Y" {
        f
    } else {
        format!("{f}_{}", value.to_ascii_lowercase())
    }
}

/// Every scenario, in run order: authentications first (they warm the token cache).
pub fn scenarios() -> Vec<Scenario> {
    let mut v: Vec<Scenario> = cpay_flags()
        .into_iter()
        .map(|(f, val)| Scenario {
            name: format!("cpay.auth.{}", slug(f, val)),
            endpoint: "cpay.auth",
            step: Step::CpayAuth(f, val),
        })
        .collect();
    v.push(Scenario {
        name: "hub.token".into(),
        endpoint: "hub.token",
        step: Step::Bearer("hub.bearer_token"),
    });
    v.push(Scenario {
        name: "global.token".into(),
        endpoint: "global.token",
        step: Step::Bearer("global.token"),
    });
    v.extend(CALLS.iter().map(|(name, ep)| Scenario {
        name: (*name).into(),
        endpoint: ep,
        step: Step::Call,
    }));
    v
}

/// The request body of a [`Step::Call`] scenario (auth tokens are added by the client).
pub fn body(client: &Client, s: &Scenario) -> Map<String, Value> {
    let c = &client.config().credentials;
    let today = client.clock().kst_date();
    let mut m = Map::new();
    let mut put = |k: &str, v: &str| {
        m.insert(k.to_string(), Value::String(v.to_string()));
    };
    match s.endpoint {
        "cpay.result_inquiry" => {
            put("PCD_PAY_TYPE", "transfer");
            put("PCD_PAY_OID", UNKNOWN_ORDER);
            put("PCD_PAY_DATE", &today);
        }
        "cpay.registration_lookup" | "cpay.registration_delete" => {
            put("PCD_PAYER_ID", UNKNOWN_PAYER);
        }
        "cpay.cancel" => {
            put("PCD_REFUND_KEY", c.get("cpay", "refund_key"));
            put("PCD_PAY_OID", UNKNOWN_ORDER);
            put("PCD_PAY_DATE", &today);
            put("PCD_REFUND_TOTAL", "1000");
        }
        "cpay.cash_receipt_cancel" => {
            put("PCD_PAYER_ID", UNKNOWN_PAYER);
            put("PCD_PAY_OID", UNKNOWN_ORDER);
        }
        ep if ep.starts_with("hub.") => {
            put("cst_id", c.get("hub", "cst_id"));
            put("custKey", c.get("hub", "custKey"));
            let key = if s.name.ends_with("empty_key") {
                ""
            } else {
                UNKNOWN_KEY
            };
            match ep {
                "hub.transfer_result_inquiry" => put("api_tran_id", key),
                "hub.transfer_result_group" | "hub.request_info_inquiry" => put("group_key", key),
                "hub.transfer_result_daily" => put("bank_tran_date", &today),
                _ => {}
            }
        }
        "global.result_inquiry" => {
            put("service_id", c.get("global", "service_id"));
            put("service_oid", UNKNOWN_ORDER);
        }
        "global.cancel" => {
            put("service_id", c.get("global", "service_id"));
            put("comments", "payple-spec drift probe (unknown order)");
            put("service_oid", UNKNOWN_ORDER);
            put("pay_id", UNKNOWN_ORDER);
            put("totalAmount", "1.00");
            put("currency", "USD");
        }
        _ => {}
    }
    m
}

/// Runs one scenario: the exchange whose response is checked.
pub async fn run_one(client: &Client, s: &Scenario) -> Result<Exchange, CallError> {
    match &s.step {
        Step::CpayAuth(f, v) => client
            .cpay_auth((f, v), true)
            .await?
            .ok_or_else(|| CallError::AuthRefused("no auth exchange".into())),
        Step::Bearer(flow) => client
            .bearer_auth(flow, true)
            .await?
            .ok_or_else(|| CallError::AuthRefused("no token exchange".into())),
        Step::Call => client.call(s.endpoint, body(client, s)).await,
    }
}

/// Runs scenarios: authentications one after the other, then the calls concurrently (the
/// client's concurrency limit applies). Results come back in scenario order.
pub async fn run_all(
    client: Arc<Client>,
    list: &[Scenario],
) -> Vec<(Scenario, Result<Exchange, CallError>)> {
    let mut out: Vec<Option<Result<Exchange, CallError>>> = vec![None; list.len()];
    let mut set = tokio::task::JoinSet::new();
    for (i, s) in list.iter().enumerate() {
        if s.step == Step::Call {
            let c = Arc::clone(&client);
            let s = s.clone();
            set.spawn(async move { (i, run_one(&c, &s).await) });
        } else {
            out[i] = Some(run_one(&client, s).await);
        }
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((i, r)) = joined
            && let Some(slot) = out.get_mut(i)
        {
            *slot = Some(r);
        }
    }
    list.iter()
        .cloned()
        .zip(out)
        .map(|(s, r)| {
            let r = r.unwrap_or_else(|| Err(CallError::Transport("the task failed".into())));
            (s, r)
        })
        .collect()
}
