//! The request handling shared by the three listeners: which endpoint a request is for,
//! what its body says, the authentication steps, and the refusals every call can get. The
//! ledger-backed operations live in `cpay.rs`, `hub.rs` and `global.rs`.

use crate::body::{ALNUM, HEX, coerce, failure_body, method_of, random_string, redact, success};
use crate::fault::{FaultKind, Faults, Plan};
use crate::journal::Journal;
use crate::ledger::{Bearer, Grant, Ledger};
use crate::protocol::{self, Facts, names};
use crate::{Clock, MockLimits};
use payple_types::Role;
use payple_types::{
    Applies, EndpointSpec, Finding, Kind, Part, Report, Severity, Target, auth_flow, endpoint,
    endpoints, service, validate_bytes, validate_value,
};
use serde_json::{Value, json};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

/// Which service a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Cpay,
    Hub,
    Global,
}

impl Service {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Service::Cpay => "cpay",
            Service::Hub => "hub",
            Service::Global => "global",
        }
    }
}

/// One HTTP request as the handler sees it.
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

/// Everything the three listeners share.
pub(crate) struct Shared {
    pub clock: Clock,
    pub limits: MockLimits,
    pub journal: Journal,
    pub faults: Mutex<Faults>,
    pub cpay_url: OnceLock<String>,
    pub ledger: Mutex<Ledger>,
    /// The result-inquiry budget (the spec's rate limit), on the mock's clock.
    inquiries: payple_support::RateBudget,
    /// Post-backs and webhooks sent.
    pub deliveries: Mutex<crate::webhook::Deliveries>,
    /// The global webhook URL registered for the partner.
    pub global_webhook: Mutex<Option<String>>,
    /// This state's own `Arc`, for work that outlives a request (webhooks).
    pub me: OnceLock<std::sync::Weak<Shared>>,
    /// Payment windows opened in a browser (`window.rs`).
    pub windows: crate::window::Windows,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a handler answers: HTTP status and body.
pub(crate) type Reply = (u16, Value);

/// The result of handling one request, for the answer and the log.
pub(crate) struct Handled {
    pub endpoint: Option<&'static EndpointSpec>,
    pub status: u16,
    pub body: Value,
    pub findings: usize,
    pub errors: usize,
    /// The request body, redacted.
    pub request: Value,
    pub result_code: Option<String>,
}

/// The request as the handlers read it.
pub(crate) struct Call<'a> {
    pub ep: &'static EndpointSpec,
    pub req: &'a Incoming<'a>,
    /// The body read leniently (numbers in string fields as strings, nulls dropped).
    pub request: Value,
    /// Error-severity findings of the lenient reading (or a non-JSON content type).
    pub errors: Vec<Finding>,
    pub now: SystemTime,
}

impl Call<'_> {
    /// A string field of the request (`""` when absent).
    pub(crate) fn get(&self, name: &str) -> &str {
        self.request.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// The payment method the request names.
    pub(crate) fn method(&self) -> Applies {
        method_of(self.ep, &self.request)
    }

    pub(crate) fn facts(&self, method: Applies) -> Facts<'_> {
        Facts::new(method, &self.request)
    }
}

/// The answer to a situation of the spec's `[mock: ...]` limits (HTTP 500 naming the
/// missing limit when the spec has none, which a test catches).
pub(crate) fn refuse(ep: &'static EndpointSpec, id: &str, facts: &Facts<'_>) -> Reply {
    match protocol::situation(ep, id, facts) {
        Some(s) => (200, failure_body(ep, s.code)),
        None => (
            500,
            json!({ "error": format!("the spec gives no [mock: {id}] limit for {} (spec/README.md)", ep.id) }),
        ),
    }
}

/// The refusal of a request whose body breaks a documented rule: the endpoint's own
/// `request_invalid` for the field at fault, else the service's `call_invalid`.
pub(crate) fn refuse_invalid(call: &Call<'_>, method: Applies) -> Reply {
    let facts = call.facts(method);
    for e in &call.errors {
        // A finding about no field (an unreadable body) is about every required field.
        let about: Vec<&str> = match e.field.as_deref() {
            Some(f) if !f.is_empty() => vec![f],
            _ => call
                .ep
                .request
                .iter()
                .filter(|f| f.required == payple_types::Requirement::Always)
                .map(|f| f.name)
                .collect(),
        };
        for f in about {
            if let Some(s) = protocol::own_situation(call.ep, "request_invalid", &facts.about(f)) {
                return (200, failure_body(call.ep, s.code));
            }
        }
    }
    if let Some(s) = protocol::own_situation(call.ep, "request_invalid", &facts) {
        return (200, failure_body(call.ep, s.code));
    }
    refuse(call.ep, "call_invalid", &facts)
}

impl Shared {
    pub(crate) fn new(
        clock: Clock,
        limits: MockLimits,
        journal: Journal,
        faults: Faults,
    ) -> Shared {
        let hub_remaining = crate::hub::initial_remaining(limits.hub_payout_limit);
        let s = Shared {
            clock,
            journal,
            faults: Mutex::new(faults),
            cpay_url: OnceLock::new(),
            ledger: Mutex::new(Ledger::new(limits.ledger_entries, hub_remaining)),
            inquiries: {
                let (budget, window) = names::inquiry_budget();
                payple_support::RateBudget::new(budget, window).counting_first_refusal()
            },
            deliveries: Mutex::new(crate::webhook::Deliveries::default()),
            global_webhook: Mutex::new(None),
            me: OnceLock::new(),
            windows: crate::window::Windows::default(),
            limits,
        };
        crate::cpay::seed(&mut lock(&s.ledger), s.clock.now());
        crate::global::seed(&mut lock(&s.ledger), s.clock.now());
        s
    }

    pub(crate) fn cpay_base(&self) -> String {
        self.cpay_url.get().cloned().unwrap_or_default()
    }

    /// Sends a post-back or webhook (see `webhook.rs`).
    pub(crate) fn notify(&self, endpoint: &'static str, url: &str, body: Value, as_form: bool) {
        if url.is_empty() {
            return;
        }
        if let Some(me) = self.me.get().and_then(std::sync::Weak::upgrade) {
            crate::webhook::send(&me, endpoint, url, body, as_form);
        }
    }

    /// Handles one request of `svc` for `ep` (already resolved).
    pub(crate) fn handle(
        &self,
        svc: Service,
        ep: Option<&'static EndpointSpec>,
        req: &Incoming<'_>,
        rate_limited: bool,
    ) -> Handled {
        let Some(ep) = ep else {
            return Handled {
                endpoint: None,
                status: 404,
                body: json!({ "error": "no Payple endpoint at this path" }),
                findings: 0,
                errors: 0,
                request: Value::Null,
                result_code: None,
            };
        };
        if !req.method.eq_ignore_ascii_case(ep.method) {
            return Handled {
                endpoint: Some(ep),
                status: 405,
                body: json!({ "error": format!("use {}", ep.method) }),
                findings: 0,
                errors: 0,
                request: Value::Null,
                result_code: None,
            };
        }
        // The findings of the body as sent; the decision uses the leniently read body.
        let report = validate_bytes(ep, Part::Request, req.body);
        let raw: Value = serde_json::from_slice(req.body).unwrap_or(Value::Null);
        let request = coerce(ep.request, &raw);
        let json_type = req.content_type.is_some_and(is_json_content_type);
        let lenient = if report.is_valid() || raw.is_null() {
            report.clone()
        } else {
            validate_value(ep, Part::Request, &request)
        };
        let errors: Vec<Finding> = if json_type {
            lenient
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .cloned()
                .collect()
        } else {
            vec![
                Finding::with_message(
                    Kind::MalformedBody,
                    ep,
                    Part::Request,
                    "",
                    "the body is not sent as application/json",
                )
                .expecting(
                    Some("application/json".into()),
                    req.content_type.map(|t| t.to_string().into()),
                ),
            ]
        };
        let call = Call {
            ep,
            req,
            request,
            errors,
            now: self.clock.now(),
        };
        let (status, mut body) = if rate_limited {
            match protocol::own_situation(ep, "inquiry_rate_limited", &call.facts(call.method())) {
                Some(s) => (200, failure_body(ep, s.code)),
                None => (
                    429,
                    json!({"error": "rate limited (fault injection); Payple documents no code for this endpoint"}),
                ),
            }
        } else {
            match svc {
                Service::Cpay => self.cpay(&call),
                Service::Hub | Service::Global => self.bearer_service(svc, &call),
            }
        };
        for d in lock(&self.faults).drifts() {
            d.apply(ep.id, &mut body);
        }
        let result_code = {
            let field = crate::body::code_field(ep)
                .or_else(|| Role::Message.field(ep, Part::Response))
                .unwrap_or_default();
            body.get(field).and_then(Value::as_str).map(str::to_string)
        };
        Handled {
            endpoint: Some(ep),
            status,
            body,
            findings: report.findings.len(),
            errors: report_errors(&report),
            request: redact(ep.request, &call.request),
            result_code,
        }
    }

    /// One request from resolution to answer: its endpoint, the faults planned for it, and
    /// the handled answer unless a fault ends the exchange first (a rate-limit fault is
    /// answered as the spec's rate limit).
    pub(crate) fn serve(
        &self,
        svc: Service,
        req: &Incoming<'_>,
    ) -> (Option<&'static EndpointSpec>, Plan, Option<Handled>) {
        let ep = self.resolve(svc, req);
        let plan = lock(&self.faults).plan(svc.id(), req.path, ep.map(|e| e.id));
        let handled = match plan.terminal {
            Some(FaultKind::RateLimit) => Some(self.handle(svc, ep, req, true)),
            None => Some(self.handle(svc, ep, req, false)),
            Some(_) => None,
        };
        (ep, plan, handled)
    }

    /// The endpoint a request is meant for.
    pub(crate) fn resolve(
        &self,
        svc: Service,
        req: &Incoming<'_>,
    ) -> Option<&'static EndpointSpec> {
        let candidates: Vec<&'static EndpointSpec> = endpoints()
            .iter()
            .filter(|e| e.service == svc.id())
            .filter(|e| matches!(e.target, Target::Path(p) if p == req.path))
            .collect();
        match candidates.len() {
            0 => {}
            1 => return candidates.first().copied(),
            _ => return best_by_body(candidates, req.body),
        }
        if let Some(id) = req.path.strip_prefix(RETURN_PREFIX) {
            return endpoint(id).filter(|e| e.service == svc.id());
        }
        let legacy = protocol::legacy_endpoints(svc.id(), req.path);
        match legacy.as_slice() {
            [] => None,
            [(e, _)] => Some(*e),
            _ => {
                let full = match req.query {
                    Some(q) if !q.is_empty() => format!("{}?{q}", req.path),
                    _ => req.path.to_string(),
                };
                let exact: Vec<&'static EndpointSpec> = legacy
                    .iter()
                    .filter(|(_, p)| *p == full)
                    .map(|(e, _)| *e)
                    .collect();
                if let [e] = exact.as_slice() {
                    return Some(*e);
                }
                let pool: Vec<&'static EndpointSpec> = if exact.is_empty() {
                    legacy.iter().map(|(e, _)| *e).collect()
                } else {
                    exact
                };
                // The endpoint the AuthKey was issued for, else the body's best reading.
                let granted = serde_json::from_slice::<Value>(req.body)
                    .ok()
                    .and_then(|v| {
                        let field = pool
                            .iter()
                            .find_map(|e| Role::AuthKey.field(e, Part::Request))?;
                        let key = v.get(field)?.as_str()?.to_string();
                        lock(&self.ledger).grants.get(&key).and_then(|g| g.endpoint)
                    })
                    .and_then(endpoint)
                    .filter(|e| pool.iter().any(|p| p.id == e.id));
                granted.or_else(|| best_by_body(pool, req.body))
            }
        }
    }

    // ---- cpay ---------------------------------------------------------------------------

    fn cpay(&self, call: &Call<'_>) -> Reply {
        if let Some(flow) = auth_flow("cpay.partner_auth")
            && flow.endpoint == Some(call.ep.id)
        {
            return self.cpay_auth(call);
        }
        match call.ep.target {
            Target::AuthReturnUrl(_) => self.cpay_flagged(call),
            _ if call.ep.id == "cpay.confirm_cert" => self.confirm_cert(call),
            _ => (
                404,
                json!({"error": format!("{} is not served (Payple calls the partner, or a browser loads it)", call.ep.id)}),
            ),
        }
    }

    /// POST /php/auth.php.
    fn cpay_auth(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(Applies::Both);
        if !call.errors.is_empty() {
            return refuse_invalid(call, Applies::Both);
        }
        if !referer_ok(call.req.referer) {
            return refuse(ep, "auth_referer_refused", &facts);
        }
        let creds = service("cpay").map(|s| s.test_credentials).unwrap_or(&[]);
        let expected = |name: &str| creds.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        if call.get(names::request(ep, Role::PartnerId)).is_empty() {
            return refuse(
                ep,
                "request_invalid",
                &facts.about(names::request(ep, Role::PartnerId)),
            );
        }
        if Some(call.get(names::request(ep, Role::PartnerId)))
            != expected(names::request(ep, Role::PartnerId))
        {
            return refuse(ep, "auth_partner_unknown", &facts);
        }
        if Some(call.get(names::request(ep, Role::PartnerKey)))
            != expected(names::request(ep, Role::PartnerKey))
        {
            return refuse(ep, "auth_cust_key_wrong", &facts);
        }
        let target = flagged_endpoint(ep, &call.request);
        let card = call.get(names::request(ep, Role::PaymentMethod)) == Applies::Card.as_str();
        let reguler = call.get(names::request(ep, Role::RecurringFlag)) == "Y";
        let path = match target {
            None => endpoint("cpay.payment_window")
                .and_then(|w| match w.target {
                    Target::Script(p) => Some(p.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| "/".into()),
            Some(id) => return_path(id, card, reguler),
        };
        let lifetime = auth_flow("cpay.partner_auth")
            .and_then(|f| f.lifetime_seconds)
            .unwrap_or(1800);
        let grant = Grant {
            endpoint: target,
            cst_token: random_string(ALNUM, 32).into(),
            key_token: random_string(ALNUM, 32).into(),
            expires: call.now + Duration::from_secs(lifetime),
        };
        let auth_key = random_string(HEX, 64);
        let host = self.cpay_base();
        let mut body = success(ep, Applies::Both, &Value::Null, &[], call.now);
        if let Some(obj) = body.as_object_mut() {
            // Tokens and URLs are this server's; no Payple host leaves the mock.
            let answer = [
                (Role::PartnerId, grant.cst_token.to_string()),
                (Role::PartnerKey, grant.key_token.to_string()),
                (Role::AuthKey, auth_key.clone()),
                (Role::AuthHost, host.clone()),
                (Role::AuthPath, path.clone()),
                (Role::ReturnUrl, format!("{host}{path}")),
            ];
            for (role, value) in answer {
                obj.insert(names::response(ep, role).into(), value.into());
            }
            let server = names::response(ep, Role::ServerName);
            if obj.contains_key(server) {
                obj.insert(server.into(), host_name(&host).into());
            }
        }
        lock(&self.ledger).grants.insert(&auth_key, grant);
        (200, body)
    }

    /// A call posted to a return_url: budget, body, tokens, then the operation.
    fn cpay_flagged(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let method = call.method();
        if ep.id == "cpay.result_inquiry" && !self.take_inquiry(call.now) {
            return refuse(ep, "inquiry_rate_limited", &call.facts(method));
        }
        if !call.errors.is_empty() {
            return refuse_invalid(call, method);
        }
        let grant = lock(&self.ledger)
            .grants
            .get(call.get(names::request(call.ep, Role::AuthKey)))
            .cloned();
        // The auth answer's tokens, or the partner's own cst_id / custKey: the old manuals'
        // follow-up samples send `PCD_CST_ID` `test` "or the encoded" token.
        let creds = service("cpay").map(|s| s.test_credentials).unwrap_or(&[]);
        let own = |role: Role| {
            let name = names::cpay(role);
            creds.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
                == Some(call.get(names::request(call.ep, role)))
        };
        let raw = own(Role::PartnerId) && own(Role::PartnerKey);
        let Some(grant) = grant.filter(|g| {
            g.expires > call.now
                && (raw
                    || (&*g.cst_token == call.get(names::request(call.ep, Role::PartnerId))
                        && &*g.key_token == call.get(names::request(call.ep, Role::PartnerKey))))
        }) else {
            return refuse(ep, "auth_token_mismatch", &call.facts(method));
        };
        if grant.endpoint != Some(ep.id) {
            return refuse(ep, "auth_token_other_operation", &call.facts(method));
        }
        self.cpay_operation(call)
    }

    /// Counts one result inquiry; false when the budget of the window is spent.
    fn take_inquiry(&self, now: SystemTime) -> bool {
        // Every inquiry beyond the budget is refused; the window keeps its size.
        let since_epoch = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        self.inquiries.try_take(since_epoch)
    }

    // ---- hub and global -------------------------------------------------------------------

    /// hub and global: the token endpoint and the bearer-protected calls.
    fn bearer_service(&self, svc: Service, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let flow = auth_flow(match svc {
            Service::Hub => "hub.bearer_token",
            _ => "global.token",
        });
        if flow.and_then(|f| f.endpoint) == Some(ep.id) {
            return self.issue_bearer(svc, call, flow.and_then(|f| f.lifetime_seconds));
        }
        let facts = call.facts(Applies::Both);
        let token = call
            .req
            .authorization
            .and_then(|h| {
                let (scheme, rest) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .unwrap_or("");
        let valid = lock(&self.ledger)
            .bearers
            .get(token)
            .is_some_and(|b| b.service == svc.id() && b.expires > call.now);
        if !valid {
            return refuse(ep, "token_invalid", &facts);
        }
        if !call.errors.is_empty() {
            return refuse_invalid(call, Applies::Both);
        }
        match svc {
            Service::Hub => self.hub_operation(call),
            _ => self.global_operation(call),
        }
    }

    fn issue_bearer(&self, svc: Service, call: &Call<'_>, lifetime: Option<u64>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(Applies::Both);
        let creds = service(svc.id()).map(|s| s.test_credentials).unwrap_or(&[]);
        // The account fields are the token request's documented required fields named in
        // the service's test account (cst_id / custKey, service_id / service_key).
        let account: Vec<(&str, &str)> = creds
            .iter()
            .filter(|(n, _)| {
                ep.request.iter().any(|f| f.name == *n) && *n != names::request(ep, Role::TokenCode)
            })
            .map(|(n, v)| (*n, *v))
            .collect();
        for (name, _) in &account {
            if call.get(name).is_empty()
                && let Some(s) =
                    protocol::own_situation(ep, "token_field_missing", &facts.about(name))
            {
                return (200, failure_body(ep, s.code));
            }
        }
        if call.get(names::request(ep, Role::TokenCode)).is_empty()
            && let Some(s) = protocol::own_situation(
                ep,
                "token_field_missing",
                &facts.about(names::request(ep, Role::TokenCode)),
            )
        {
            return (200, failure_body(ep, s.code));
        }
        let code = call.get(names::request(ep, Role::TokenCode));
        let code_ok = code.len() == 10 && code.chars().all(|c| c.is_ascii_alphanumeric());
        if !code_ok
            || call
                .errors
                .iter()
                .any(|e| e.field.as_deref() == Some(names::request(ep, Role::TokenCode)))
        {
            return refuse(ep, "token_code_malformed", &facts);
        }
        if !call.errors.is_empty() {
            return refuse(ep, "request_invalid", &facts);
        }
        if account.is_empty() || account.iter().any(|(n, v)| call.get(n) != *v) {
            return refuse(ep, "token_account_unknown", &facts);
        }
        let lifetime = lifetime.unwrap_or(60);
        let token = random_string(ALNUM, 48);
        lock(&self.ledger).bearers.insert(
            &token,
            Bearer {
                service: svc.id(),
                expires: call.now + Duration::from_secs(lifetime),
            },
        );
        let mut body = success(ep, Applies::Both, &call.request, &[], call.now);
        if let Some(obj) = body.as_object_mut() {
            obj.insert(names::response(ep, Role::AuthKey).into(), token.into());
            obj.insert(
                names::response(ep, Role::TokenLifetime).into(),
                lifetime.to_string().into(),
            );
            obj.insert(names::request(ep, Role::TokenCode).into(), code.into());
        }
        (200, body)
    }

    /// Expires every token issued so far (of one service, or all).
    pub(crate) fn expire_tokens(&self, service: Option<&str>) {
        let now = self.clock.now();
        let mut l = lock(&self.ledger);
        if service.is_none_or(|s| s == "cpay") {
            l.grants.for_each_mut(|g| g.expires = g.expires.min(now));
        }
        l.bearers.for_each_mut(|b| {
            if service.is_none_or(|s| s == b.service) {
                b.expires = b.expires.min(now);
            }
        });
    }

    /// Every token issued and still remembered (for leak tests; never logged).
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        let l = lock(&self.ledger);
        let mut out = Vec::new();
        for (k, g) in l.grants.iter() {
            out.push(k.to_string());
            out.push(g.cst_token.to_string());
            out.push(g.key_token.to_string());
        }
        for (k, _) in l.bearers.iter() {
            out.push(k.to_string());
        }
        out
    }
}

/// Paths of return_url endpoints that document none: `/__mock/return/<endpoint id>`.
pub(crate) const RETURN_PREFIX: &str = "/__mock/return/";

/// The path auth answers for the follow-up `id`: its first documented legacy path (the
/// card variant for card, the last one for monthly-once payments where several exist),
/// else the mock's own `/__mock/return/<id>`.
fn return_path(id: &str, card: bool, monthly: bool) -> String {
    let all: Vec<&str> = protocol::legacy_paths_of(id).collect();
    let by_method: Vec<&str> = all
        .iter()
        .copied()
        .filter(|p| p.to_ascii_lowercase().contains(Applies::Card.as_str()) == card)
        .collect();
    let pool = if by_method.is_empty() {
        &all
    } else {
        &by_method
    };
    let chosen = if monthly { pool.last() } else { pool.first() };
    chosen
        .map(|p| (*p).to_string())
        .unwrap_or_else(|| format!("{RETURN_PREFIX}{id}"))
}

/// The confirm path of a CERT payment of `method`: the confirm endpoint's legacy path for
/// that method.
pub(crate) fn confirm_path(method: Applies) -> String {
    return_path("cpay.confirm_cert", method == Applies::Card, false)
}

fn host_name(base: &str) -> String {
    base.trim_start_matches("http://")
        .trim_start_matches("https://")
        .to_string()
}

fn best_by_body(
    candidates: Vec<&'static EndpointSpec>,
    body: &[u8],
) -> Option<&'static EndpointSpec> {
    // Same path, several endpoints (hub execute / cancel): the body decides, by its errors
    // first and then by its warnings.
    candidates.into_iter().min_by_key(|e| {
        let r = validate_bytes(e, Part::Request, body);
        (report_errors(&r), r.findings.len())
    })
}

fn report_errors(r: &Report) -> usize {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

/// `application/json`, with or without parameters (`; charset=UTF-8`, a bare `;`).
pub(crate) fn is_json_content_type(ct: &str) -> bool {
    let essence = ct.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// A Referer naming a plausible domain: `http(s)://host[:port][/path]` or a bare host as the
/// official global PHP sample sends it. Missing, empty or placeholder values (spaces,
/// non-ASCII text such as the documentation's `https://파트너사 도메인`) are refused.
pub(crate) fn referer_ok(referer: Option<&str>) -> bool {
    let Some(r) = referer.map(str::trim) else {
        return false;
    };
    let rest = r
        .strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))
        .unwrap_or(r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && host.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The endpoint the auth request's flag names (None: the flag-less window auth).
fn flagged_endpoint(auth: &EndpointSpec, request: &Value) -> Option<&'static str> {
    let obj = request.as_object()?;
    let value_of = |field: &str| -> Option<&str> {
        let spec = auth.request.iter().find(|f| f.name == field);
        obj.iter()
            .find(|(k, _)| match spec {
                Some(s) => s.matches(k),
                None => k.as_str() == field,
            })
            .and_then(|(_, v)| v.as_str())
    };
    if value_of(names::cpay(Role::RecurringFlag)) == Some("Y") {
        return Some("cpay.billing_repay");
    }
    endpoints()
        .iter()
        .filter(|e| matches!(e.target, Target::AuthReturnUrl("cpay.partner_auth")))
        .find(|e| e.auth_flag.is_some_and(|(f, v)| value_of(f) == Some(v)))
        .map(|e| e.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for ok in [
            "application/json",
            "application/json;",
            "application/json; charset=UTF-8",
            "Application/JSON;charset=utf-8",
        ] {
            assert!(is_json_content_type(ok), "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", ""] {
            assert!(!is_json_content_type(bad), "{bad}");
        }
    }

    #[test]
    fn referers() {
        for ok in [
            "http://localhost:3000",
            "https://shop.example.com/path",
            "shop.example.com",
        ] {
            assert!(referer_ok(Some(ok)), "{ok}");
        }
        for bad in [
            None,
            Some(""),
            Some("https://파트너사 도메인"),
            Some("http://"),
        ] {
            assert!(!referer_ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn return_paths_come_from_the_spec() {
        // Every flagged cpay endpoint gets a path that resolves back to it.
        for ep in endpoints()
            .iter()
            .filter(|e| matches!(e.target, Target::AuthReturnUrl(_)))
        {
            for card in [false, true] {
                let p = return_path(ep.id, card, false);
                let path = p.split('?').next().unwrap_or("");
                let known = path.starts_with(RETURN_PREFIX)
                    || protocol::legacy_endpoints("cpay", path)
                        .iter()
                        .any(|(e, _)| e.id == ep.id);
                assert!(known, "{}: {p}", ep.id);
            }
        }
        assert_ne!(confirm_path(Applies::Card), confirm_path(Applies::Transfer));
    }
}
