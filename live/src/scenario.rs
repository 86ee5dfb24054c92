//! The scenarios: every endpoint that can be called without a browser and without moving
//! money, with unknown order ids and keys so that nothing real is touched.

use crate::client::{CallError, Client, Exchange};
use payple_types::{Applies, EndpointSpec, Part, Role};
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
    /// Step `.1` of the happy-path flow `.0` of [`FLOWS`].
    Flow(usize, usize),
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
                .filter(|f| {
                    Some(f.name) != Role::PaymentMethod.field(ep, Part::Request)
                        && !f.values.is_empty()
                })
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

/// A happy-path flow: money moved and undone (or a key registered and deleted, a payout
/// requested and executed), each step an exchange checked like any scenario. Flows run only
/// with `Config::flows`; on Payple's hosts only the ones marked safe, when what they need
/// is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Stable name (scenario names are `flow.<name>.<n>.<endpoint>`).
    pub name: &'static str,
    /// Safe on Payple's test hosts: the test account, no real money.
    pub safe_on_test_hosts: bool,
    /// What it needs on Payple's hosts (a local mock provides everything).
    pub needs: &'static str,
    /// The endpoints called, in order.
    pub steps: &'static [&'static str],
}

/// The happy-path flows.
pub const FLOWS: [Flow; 5] = [
    Flow {
        name: "transfer_repay_receipt_refund",
        safe_on_test_hosts: true,
        needs: "PAYPLE_CPAY_TRANSFER_PAYER_ID, a transfer billing key of the test account (test transfers withdraw nothing)",
        steps: &[
            "cpay.billing_repay",
            "cpay.result_inquiry",
            "cpay.cash_receipt_issue",
            "cpay.cash_receipt_cancel",
            "cpay.cancel",
            "cpay.cancel",
            "cpay.result_inquiry",
        ],
    },
    Flow {
        name: "card_repay_refund",
        safe_on_test_hosts: false,
        needs: "a card billing key; the card test account cannot cancel partially",
        steps: &[
            "cpay.billing_repay",
            "cpay.result_inquiry",
            "cpay.cancel",
            "cpay.cancel",
            "cpay.result_inquiry",
        ],
    },
    Flow {
        name: "card_key_register_delete",
        safe_on_test_hosts: false,
        needs: "a real card (registration approves and cancels 100 won on it)",
        steps: &[
            "cpay.card_registration",
            "cpay.registration_lookup",
            "cpay.registration_delete",
        ],
    },
    Flow {
        name: "hub_payout",
        safe_on_test_hosts: false,
        needs: "a real payee account (not verified to be safe on demohub)",
        steps: &[
            "hub.account_verification",
            "hub.transfer_request",
            "hub.request_info_inquiry",
            "hub.transfer_execute",
            "hub.transfer_result_group",
            "hub.transfer_result_inquiry",
            "hub.transfer_result_daily",
        ],
    },
    Flow {
        name: "global_billing_key",
        safe_on_test_hosts: false,
        needs: "a billing key from a global payment window (a browser)",
        steps: &[
            "global.billing_key_payment",
            "global.result_inquiry",
            "global.cancel",
        ],
    },
];

/// Whether a flow runs with this configuration.
pub fn flow_runs(cfg: &crate::Config, flow: &Flow) -> bool {
    if !cfg.flows {
        return false;
    }
    let services: Vec<&str> = flow
        .steps
        .iter()
        .map(|s| s.split('.').next().unwrap_or(""))
        .collect();
    let local = services.iter().all(|s| cfg.environment(s) == "custom");
    local
        || (flow.safe_on_test_hosts && !cfg.credentials.get("cpay", "transfer_payer_id").is_empty())
}

/// Every scenario for a configuration: [`scenarios`] plus the flows that run.
pub fn scenarios_for(cfg: &crate::Config) -> Vec<Scenario> {
    let mut v = scenarios();
    for (fi, flow) in FLOWS.iter().enumerate() {
        if !flow_runs(cfg, flow) {
            continue;
        }
        for (si, ep) in flow.steps.iter().enumerate() {
            v.push(Scenario {
                name: format!(
                    "flow.{}.{}.{}",
                    flow.name,
                    si + 1,
                    ep.split('.').nth(1).unwrap_or(ep)
                ),
                endpoint: ep,
                step: Step::Flow(fi, si),
            });
        }
    }
    v
}

/// A fresh order number for a flow (letters and digits, unique per run).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("pspecflow{:012}", h.finish() % 1_000_000_000_000)
}

/// What the steps of a flow pass on to each other.
type FlowState = std::collections::HashMap<&'static str, String>;

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The billing key (or account) a flow starts from.
async fn flow_setup(client: &Client, flow: &Flow, st: &mut FlowState) -> Result<(), CallError> {
    st.insert("oid", nonce());
    let window = |method: Applies| {
        let mut m = Map::new();
        m.insert(cpay(Role::PaymentMethod).into(), method.as_str().into());
        m.insert(cpay(Role::PayWork).into(), "AUTH".into());
        Value::Object(m)
    };
    match flow.name {
        "transfer_repay_receipt_refund" => {
            let configured = client.config().credentials.get("cpay", "transfer_payer_id");
            let key = if configured.is_empty() {
                let w = client
                    .mock_window("cpay", &window(Applies::Transfer))
                    .await?;
                s(&w, cpay(Role::BillingKey))
            } else {
                configured.to_string()
            };
            st.insert("payer", key);
        }
        "card_repay_refund" => {
            let w = client.mock_window("cpay", &window(Applies::Card)).await?;
            st.insert("payer", s(&w, cpay(Role::BillingKey)));
        }
        "global_billing_key" => {
            let w = client.mock_window("global", &serde_json::json!({})).await?;
            st.insert("global_key", s(&w, global(Role::BillingKey)));
        }
        _ => {}
    }
    Ok(())
}

/// A request body under construction: fields named by role, resolved against the
/// endpoint's request (else the service's most common name).
struct Body {
    ep: Option<&'static EndpointSpec>,
    map: Map<String, Value>,
}

impl Body {
    fn new(endpoint: &str) -> Body {
        Body {
            ep: payple_types::endpoint(endpoint),
            map: Map::new(),
        }
    }

    fn put(&mut self, role: Role, value: impl Into<String>) {
        let Some(ep) = self.ep else { return };
        if let Some(name) = role
            .field(ep, Part::Request)
            .or_else(|| role.name(ep.service))
        {
            self.map.insert(name.into(), Value::String(value.into()));
        }
    }

    /// The partner's account fields of a hub or global call, from the credentials.
    fn account(&mut self, client: &Client, service: &str, roles: &[Role]) {
        let c = &client.config().credentials;
        for role in roles {
            if let Some(name) = role.name(service) {
                self.put(*role, c.get(service, name));
            }
        }
    }
}

/// The body of step `si` of a flow.
fn flow_body(client: &Client, flow: &Flow, si: usize, st: &FlowState) -> Map<String, Value> {
    let c = &client.config().credentials;
    let get = |k: &str| st.get(k).cloned().unwrap_or_default();
    let method = if flow.name.starts_with("card") {
        Applies::Card
    } else {
        Applies::Transfer
    };
    let ep = flow.steps.get(si).copied().unwrap_or("");
    let mut b = Body::new(ep);
    // Refund halves: 400 won, then the rest.
    let refunds_before = flow.steps[..si]
        .iter()
        .filter(|e| **e == "cpay.cancel")
        .count();
    match ep {
        "cpay.billing_repay" => {
            b.put(Role::PaymentMethod, method.as_str());
            b.put(Role::BillingKey, get("payer"));
            b.put(Role::GoodsName, "payple-spec live flow");
            b.put(Role::Amount, "1000");
            b.put(Role::OrderId, get("oid"));
        }
        "cpay.result_inquiry" => {
            b.put(Role::PaymentMethod, method.as_str());
            b.put(Role::OrderId, get("oid"));
            b.put(Role::PaymentDate, get("date"));
        }
        "cpay.cancel" => {
            b.put(Role::RefundKey, c.get("cpay", "refund_key"));
            b.put(Role::OrderId, get("oid"));
            b.put(Role::PaymentDate, get("date"));
            b.put(
                Role::RefundAmount,
                if refunds_before == 0 { "400" } else { "600" },
            );
        }
        "cpay.cash_receipt_issue" => {
            b.put(Role::BillingKey, get("payer"));
            b.put(Role::OrderId, get("oid"));
            b.put(Role::ReceiptAmount, "1000");
            b.put(Role::ReceiptUsage, "personal");
            b.put(Role::ReceiptIdentity, "01000000000");
        }
        "cpay.cash_receipt_cancel" => {
            b.put(Role::BillingKey, get("payer"));
            b.put(Role::OrderId, get("oid"));
        }
        "cpay.card_registration" => {
            b.put(Role::PayWork, "AUTHREG");
            b.put(Role::PaymentMethod, Applies::Card.as_str());
            b.put(Role::PayerBirth, "900101");
            b.put(Role::CardNumber, "9410000000000001");
            b.put(Role::CardExpiryYear, "30");
            b.put(Role::CardExpiryMonth, "12");
            b.put(Role::CardPassword, "00");
        }
        "cpay.registration_lookup" | "cpay.registration_delete" => {
            b.put(Role::BillingKey, get("payer"));
        }
        ep if ep.starts_with("hub.") => {
            b.account(client, "hub", &[Role::PartnerId, Role::PartnerKey]);
            match ep {
                "hub.account_verification" => {
                    b.put(Role::BankCode, "020");
                    b.put(Role::AccountNumber, "1002000000001");
                    b.put(Role::AccountHolderType, "0");
                    b.put(Role::AccountHolderInfo, "900101");
                }
                "hub.transfer_request" => {
                    b.put(Role::BillingKey, get("payout_key"));
                    b.put(Role::Amount, "1000");
                    b.put(Role::PrintContent, "payple-spec");
                }
                "hub.transfer_execute" => {
                    b.put(Role::GroupKey, get("group"));
                    b.put(Role::BillingKey, get("payout_key"));
                    b.put(Role::ExecuteType, "NOW");
                }
                "hub.request_info_inquiry" | "hub.transfer_result_group" => {
                    b.put(Role::GroupKey, get("group"));
                }
                "hub.transfer_result_inquiry" => b.put(Role::TransactionId, get("transfer")),
                "hub.transfer_result_daily" => {
                    b.put(Role::BankTransferDate, get("transfer_day"));
                }
                _ => {}
            }
        }
        ep if ep.starts_with("global.") => {
            b.account(client, "global", &[Role::PartnerId]);
            b.put(Role::OrderId, get("oid"));
            match ep {
                "global.billing_key_payment" => {
                    b.put(Role::Comments, "payple-spec live flow");
                    b.put(Role::BillingKey, get("global_key"));
                    b.put(Role::SecurityCode, "000");
                    b.put(Role::Amount, "1.00");
                    b.put(Role::Currency, "USD");
                }
                "global.cancel" => {
                    b.put(Role::Comments, "payple-spec live flow (undo)");
                    b.put(Role::PaymentId, get("payment"));
                    b.put(Role::Amount, "1.00");
                    b.put(Role::Currency, "USD");
                }
                _ => {}
            }
        }
        _ => {}
    }
    b.map
}

/// What a step's answer passes on.
fn flow_capture(client: &Client, ep: &str, v: &Value, st: &mut FlowState) {
    let mut keep = |k: &'static str, val: String, secret: bool| {
        if !val.is_empty() {
            if secret {
                client.redactor.add(&val);
            }
            st.insert(k, val);
        }
    };
    match ep {
        "cpay.billing_repay" => {
            let date: String = s(v, cpay(Role::PaymentTime))
                .chars()
                .filter(char::is_ascii_digit)
                .take(8)
                .collect();
            keep("date", date, false);
        }
        "cpay.card_registration" => keep("payer", s(v, cpay(Role::BillingKey)), true),
        "hub.account_verification" => {
            keep("payout_key", s(v, hub(Role::BillingKey)), true);
        }
        "hub.transfer_request" => keep("group", s(v, hub(Role::GroupKey)), false),
        "hub.transfer_result_group" => {
            let item = v
                .get(hub(Role::Items))
                .and_then(|l| l.get(0))
                .cloned()
                .unwrap_or_default();
            keep("transfer", s(&item, hub(Role::TransactionId)), false);
            keep("transfer_day", s(&item, hub(Role::BankTransferDate)), false);
        }
        "global.billing_key_payment" => keep("payment", s(v, global(Role::ApiId)), false),
        _ => {}
    }
}

/// The most common cpay name of a role.
fn cpay(role: Role) -> &'static str {
    role.name("cpay").unwrap_or_default()
}

/// The most common hub name of a role.
fn hub(role: Role) -> &'static str {
    role.name("hub").unwrap_or_default()
}

/// The most common global name of a role.
fn global(role: Role) -> &'static str {
    role.name("global").unwrap_or_default()
}

/// Whether an answer reads as a success (the endpoint's status and success codes).
fn succeeded(ex: &Exchange) -> bool {
    let Some(v) = ex.response_json() else {
        return false;
    };
    let ep = ex.endpoint;
    let Some(r) = ep.result else {
        return true;
    };
    if let Some((f, ok)) = r.status
        && v.get(f).and_then(Value::as_str) != Some(ok)
    {
        return false;
    }
    let code = v.get(r.code_field).and_then(Value::as_str);
    match code {
        Some(c) => r.is_success_code(c, payple_types::Applies::Both),
        // A success without a documented code (transfer re-payment).
        None => r.status.is_some(),
    }
}

/// Runs one flow's steps in order; a step after one that failed is skipped.
async fn run_flow(
    client: &Client,
    flow: &Flow,
    steps: &[(usize, Scenario)],
) -> Vec<(usize, Result<Exchange, CallError>)> {
    let mut st = FlowState::new();
    let mut out = Vec::new();
    let mut failed: Option<String> = match flow_setup(client, flow, &mut st).await {
        Ok(()) => None,
        Err(e) => {
            return steps.iter().map(|(i, _)| (*i, Err(e.clone()))).collect();
        }
    };
    for (i, sc) in steps {
        let Step::Flow(_, si) = sc.step else { continue };
        if let Some(why) = &failed {
            out.push((*i, Err(CallError::Skipped(why.clone()))));
            continue;
        }
        let r = client
            .call(sc.endpoint, flow_body(client, flow, si, &st))
            .await;
        match &r {
            Ok(ex) if succeeded(ex) => {
                if let Some(v) = ex.response_json() {
                    flow_capture(client, sc.endpoint, &v, &mut st);
                }
            }
            Ok(_) => {
                failed = Some(format!(
                    "flow {}: step {} ({}) was not answered with a success",
                    flow.name,
                    si + 1,
                    sc.endpoint
                ));
            }
            Err(e) => {
                failed = Some(format!(
                    "flow {}: step {} ({}) could not run: {e}",
                    flow.name,
                    si + 1,
                    sc.endpoint
                ));
            }
        }
        out.push((*i, r));
    }
    out
}

/// The request body of a [`Step::Call`] scenario (auth tokens are added by the client).
pub fn body(client: &Client, s: &Scenario) -> Map<String, Value> {
    let c = &client.config().credentials;
    let today = client.clock().kst_date();
    let mut b = Body::new(s.endpoint);
    match s.endpoint {
        "cpay.result_inquiry" => {
            b.put(Role::PaymentMethod, Applies::Transfer.as_str());
            b.put(Role::OrderId, UNKNOWN_ORDER);
            b.put(Role::PaymentDate, &*today);
        }
        "cpay.registration_lookup" | "cpay.registration_delete" => {
            b.put(Role::BillingKey, UNKNOWN_PAYER);
        }
        "cpay.cancel" => {
            b.put(Role::RefundKey, c.get("cpay", "refund_key"));
            b.put(Role::OrderId, UNKNOWN_ORDER);
            b.put(Role::PaymentDate, &*today);
            b.put(Role::RefundAmount, "1000");
        }
        "cpay.cash_receipt_cancel" => {
            b.put(Role::BillingKey, UNKNOWN_PAYER);
            b.put(Role::OrderId, UNKNOWN_ORDER);
        }
        ep if ep.starts_with("hub.") => {
            b.account(client, "hub", &[Role::PartnerId, Role::PartnerKey]);
            let key = if s.name.ends_with("empty_key") {
                ""
            } else {
                UNKNOWN_KEY
            };
            match ep {
                "hub.transfer_result_inquiry" => b.put(Role::TransactionId, key),
                "hub.transfer_result_group" | "hub.request_info_inquiry" => {
                    b.put(Role::GroupKey, key);
                }
                "hub.transfer_result_daily" => b.put(Role::BankTransferDate, &*today),
                _ => {}
            }
        }
        "global.result_inquiry" => {
            b.account(client, "global", &[Role::PartnerId]);
            b.put(Role::OrderId, UNKNOWN_ORDER);
        }
        "global.cancel" => {
            b.account(client, "global", &[Role::PartnerId]);
            b.put(Role::Comments, "payple-spec drift probe (unknown order)");
            b.put(Role::OrderId, UNKNOWN_ORDER);
            b.put(Role::PaymentId, UNKNOWN_ORDER);
            b.put(Role::Amount, "1.00");
            b.put(Role::Currency, "USD");
        }
        _ => {}
    }
    b.map
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
        Step::Flow(fi, _) => {
            let flow = FLOWS
                .get(*fi)
                .ok_or_else(|| CallError::Refused("unknown flow".into()))?;
            run_flow(client, flow, &[(0, s.clone())])
                .await
                .pop()
                .map(|(_, r)| r)
                .unwrap_or_else(|| Err(CallError::Skipped("empty flow".into())))
        }
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
    let mut flows: std::collections::BTreeMap<usize, Vec<(usize, Scenario)>> =
        std::collections::BTreeMap::new();
    for (i, s) in list.iter().enumerate() {
        match s.step {
            Step::Call => {
                let c = Arc::clone(&client);
                let s = s.clone();
                set.spawn(async move { (i, run_one(&c, &s).await) });
            }
            Step::Flow(fi, _) => flows.entry(fi).or_default().push((i, s.clone())),
            _ => out[i] = Some(run_one(&client, s).await),
        }
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((i, r)) = joined
            && let Some(slot) = out.get_mut(i)
        {
            *slot = Some(r);
        }
    }
    // Flows one after the other, each step in order.
    for (fi, steps) in flows {
        let Some(flow) = FLOWS.get(fi) else { continue };
        for (i, r) in run_flow(&client, flow, &steps).await {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(r);
            }
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
