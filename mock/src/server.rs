//! The request handling of the three services.

use crate::body::{
    ALNUM, HEX, coerce, failure_body, method_of, random_string, redact, success_body,
};
use crate::{Clock, Drift, LoggedRequest};
use payple_types::doc_sample::repair;
use payple_types::{
    Applies, EndpointSpec, Part, Report, Severity, Target, auth_flow, endpoint, endpoints, service,
    validate_bytes, validate_value,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

/// Result inquiries admitted per window.
pub(crate) const INQUIRY_BUDGET: usize = 1000;
/// The window of the inquiry budget.
pub(crate) const INQUIRY_WINDOW: Duration = Duration::from_secs(600);

/// Where each cpay flagged call is answered (paths as Payple's samples show them).
const RETURN_PATHS: &[(&str, &str)] = &[
    ("cpay.result_inquiry", "/php/PayChkAct.php"),
    ("cpay.cancel", "/php/account/api/cPayCAct.php"),
    (
        "cpay.registration_lookup",
        "/php/cPayUser/api/cPayUserAct.php?ACT_=PUSERINFO",
    ),
    (
        "cpay.registration_delete",
        "/php/cPayUser/api/cPayUserAct.php?ACT_=PUSERDEL",
    ),
    (
        "cpay.cash_receipt_issue",
        "/php/taxsave/api/tsAct.php?ACT_=TSREG",
    ),
    (
        "cpay.cash_receipt_cancel",
        "/php/taxsave/api/tsAct.php?ACT_=TSCANCEL",
    ),
    (
        "cpay.link_payment",
        "/php/link/api/LinkRegAct.php?ACT_=LINKREG",
    ),
    ("cpay.billing_repay", "/php/SimplePayAct.php?ACT_=PAYM"),
    (
        "cpay.card_registration",
        "/php/auth/api/AuthRegAct.php?ACT_=AUTHREG",
    ),
];
/// Card billing re-payment and the monthly-once variants share cpay.billing_repay.
const REPAY_PATHS: &[&str] = &[
    "/php/SimplePayCardAct.php?ACT_=PAYM",
    "/php/RePayAct.php?ACT_=PAYM",
    "/php/RePayCardAct.php?ACT_=PAYM",
];
/// The flag-less (payment-window) auth.
const WINDOW_PATH: &str = "/index.php?ACT_=PAYM";

/// Which service a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Cpay,
    Hub,
    Global,
}

impl Service {
    fn id(self) -> &'static str {
        match self {
            Service::Cpay => "cpay",
            Service::Hub => "hub",
            Service::Global => "global",
        }
    }
}

/// Tokens issued by cpay partner auth.
#[derive(Debug, Clone)]
struct Grant {
    endpoint: Option<&'static str>,
    cst_token: String,
    key_token: String,
    expires: SystemTime,
}

/// A bearer token of hub or global.
#[derive(Debug, Clone)]
struct Bearer {
    service: Service,
    expires: SystemTime,
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
    pub drift: Vec<Drift>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub cpay_url: OnceLock<String>,
    grants: Mutex<HashMap<String, Grant>>,
    bearers: Mutex<HashMap<String, Bearer>>,
    inquiries: Mutex<VecDeque<SystemTime>>,
    orders: Mutex<HashMap<String, Map<String, Value>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The answer: HTTP status and JSON body.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Value,
}

/// What the request turned out to be, for the log and the answer.
struct Outcome {
    endpoint: Option<&'static EndpointSpec>,
    status: u16,
    body: Value,
    findings: usize,
    errors: usize,
    request: Value,
}

impl Shared {
    pub(crate) fn new(clock: Clock, drift: Vec<Drift>) -> Shared {
        let s = Shared {
            clock,
            drift,
            log: Mutex::new(Vec::new()),
            cpay_url: OnceLock::new(),
            grants: Mutex::new(HashMap::new()),
            bearers: Mutex::new(HashMap::new()),
            inquiries: Mutex::new(VecDeque::new()),
            orders: Mutex::new(HashMap::new()),
        };
        s.seed_orders();
        s
    }

    /// Orders the mock knows from the start: every order number in a documented cpay
    /// response sample.
    fn seed_orders(&self) {
        let mut orders = lock(&self.orders);
        for ep in endpoints().iter().filter(|e| e.service == "cpay") {
            for s in ep.samples.iter().filter(|s| s.part == Part::Response) {
                let Ok(r) = repair(s.raw) else { continue };
                if let Some(obj) = r.value.as_object()
                    && let Some(oid) = obj.get("PCD_PAY_OID").and_then(Value::as_str)
                {
                    orders.entry(oid.to_string()).or_insert_with(|| obj.clone());
                }
            }
        }
    }

    /// Handles one request of `svc` and logs it.
    pub(crate) fn handle(&self, svc: Service, req: &Incoming<'_>) -> Answer {
        let out = self.dispatch(svc, req);
        let mut body = out.body;
        if let Some(ep) = out.endpoint {
            for d in &self.drift {
                d.apply(ep.id, &mut body);
            }
        }
        let result_code = out.endpoint.and_then(|ep| {
            let field = ep.result.map(|r| r.code_field).unwrap_or("result_msg");
            body.get(field).and_then(Value::as_str).map(str::to_string)
        });
        let logged = LoggedRequest {
            service: svc.id().to_string(),
            endpoint: out.endpoint.map(|e| e.id).unwrap_or("").to_string(),
            method: req.method.to_string(),
            path: req.path.to_string(),
            findings: out.findings,
            errors: out.errors,
            status: out.status,
            result_code,
            body: out
                .endpoint
                .map(|ep| redact(ep.request, &out.request))
                .unwrap_or(Value::Null),
        };
        lock(&self.log).push(logged);
        Answer {
            status: out.status,
            body,
        }
    }

    fn dispatch(&self, svc: Service, req: &Incoming<'_>) -> Outcome {
        let Some(ep) = self.resolve(svc, req) else {
            return Outcome {
                endpoint: None,
                status: 404,
                body: serde_json::json!({ "error": "no Payple endpoint at this path" }),
                findings: 0,
                errors: 0,
                request: Value::Null,
            };
        };
        if !req.method.eq_ignore_ascii_case(ep.method) {
            return Outcome {
                endpoint: Some(ep),
                status: 405,
                body: serde_json::json!({ "error": format!("use {}", ep.method) }),
                findings: 0,
                errors: 0,
                request: Value::Null,
            };
        }
        // The findings of the body as sent; the decision uses the leniently read body.
        let report = validate_bytes(ep, Part::Request, req.body);
        let findings = report.findings.len();
        let raw: Value = serde_json::from_slice(req.body).unwrap_or(Value::Null);
        let request = coerce(ep.request, &raw);
        let json_type = req.content_type.is_some_and(is_json_content_type);
        let lenient = if report.is_valid() || raw.is_null() {
            report.clone()
        } else {
            validate_value(ep, Part::Request, &request)
        };
        let errors: Vec<_> = if json_type {
            lenient
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .cloned()
                .collect()
        } else {
            vec![
                payple_types::Finding::with_message(
                    payple_types::Kind::MalformedBody,
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
        let (status, body) = match svc {
            Service::Cpay if ep.id == "cpay.auth" => self.cpay_auth(ep, req, &request, &errors),
            Service::Cpay => self.cpay_flagged(ep, &request, &errors),
            Service::Hub | Service::Global => self.bearer_service(svc, ep, req, &request, &errors),
        };
        Outcome {
            endpoint: Some(ep),
            status,
            body,
            findings,
            errors: report_errors(&report),
            request,
        }
    }

    /// The endpoint a request is meant for.
    fn resolve(&self, svc: Service, req: &Incoming<'_>) -> Option<&'static EndpointSpec> {
        let full = match req.query {
            Some(q) if !q.is_empty() => format!("{}?{q}", req.path),
            _ => req.path.to_string(),
        };
        let candidates: Vec<&'static EndpointSpec> = endpoints()
            .iter()
            .filter(|e| e.service == svc.id())
            .filter(|e| matches!(e.target, Target::Path(p) if p == req.path))
            .collect();
        match candidates.len() {
            0 => {}
            1 => return candidates.first().copied(),
            _ => {
                // Same path, several endpoints (hub execute / cancel): the body decides, by
                // its errors first and then by its warnings (the execute_type sets rest on
                // third-party code, so breaking them is only a warning).
                return candidates.into_iter().min_by_key(|e| {
                    let r = validate_bytes(e, Part::Request, req.body);
                    (report_errors(&r), r.findings.len())
                });
            }
        }
        if svc != Service::Cpay {
            return None;
        }
        let by_full = RETURN_PATHS
            .iter()
            .map(|(id, p)| (*id, *p))
            .chain(REPAY_PATHS.iter().map(|p| ("cpay.billing_repay", *p)))
            .find(|(_, p)| *p == full)
            .map(|(id, _)| id);
        if let Some(id) = by_full {
            return endpoint(id);
        }
        // Path without its query: unique match, else the endpoint the AuthKey was issued for.
        let by_path: Vec<&str> = RETURN_PATHS
            .iter()
            .filter(|(_, p)| p.split('?').next() == Some(req.path))
            .map(|(id, _)| *id)
            .collect();
        match by_path.as_slice() {
            [id] => endpoint(id),
            [] => None,
            _ => {
                let v: Value = serde_json::from_slice(req.body).ok()?;
                let key = v.get("PCD_AUTH_KEY")?.as_str()?;
                let grant = lock(&self.grants).get(key).cloned()?;
                grant
                    .endpoint
                    .filter(|id| by_path.contains(id))
                    .and_then(endpoint)
            }
        }
    }

    fn cpay_base(&self) -> String {
        self.cpay_url.get().cloned().unwrap_or_default()
    }

    /// POST /php/auth.php.
    fn cpay_auth(
        &self,
        ep: &'static EndpointSpec,
        req: &Incoming<'_>,
        request: &Value,
        errors: &[payple_types::Finding],
    ) -> (u16, Value) {
        let fail = |code: &str| (200, failure_body(ep, code));
        if let Some(e) = errors.first() {
            return match e.field.as_deref() {
                Some("custKey") => fail("AUTH0002"),
                Some("cst_id") | None => fail("AUTH0001"),
                Some(_) => fail("AUTH0005"),
            };
        }
        if !referer_ok(req.referer) {
            return fail("AUTH0004");
        }
        let creds = service("cpay").map(|s| s.test_credentials).unwrap_or(&[]);
        let expected = |name: &str| creds.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let got = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or("");
        if got("cst_id").is_empty() {
            return fail("AUTH0001");
        }
        if Some(got("cst_id")) != expected("cst_id") {
            return fail("AUTH0003");
        }
        if Some(got("custKey")) != expected("custKey") {
            return fail("AUTH0002");
        }
        let target = flagged_endpoint(ep, request);
        let card = got("PCD_PAY_TYPE") == "card";
        let path = match target {
            None => WINDOW_PATH.to_string(),
            Some("cpay.billing_repay") => {
                let reguler = request
                    .get("PCD_REGULER_FLAG")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v == "Y");
                match (reguler, card) {
                    (false, false) => "/php/SimplePayAct.php?ACT_=PAYM",
                    (false, true) => "/php/SimplePayCardAct.php?ACT_=PAYM",
                    (true, false) => "/php/RePayAct.php?ACT_=PAYM",
                    (true, true) => "/php/RePayCardAct.php?ACT_=PAYM",
                }
                .to_string()
            }
            Some(id) => RETURN_PATHS
                .iter()
                .find(|(e, _)| *e == id)
                .map(|(_, p)| (*p).to_string())
                .unwrap_or_else(|| format!("/mock/{id}")),
        };
        let lifetime = auth_flow("cpay.partner_auth")
            .and_then(|f| f.lifetime_seconds)
            .unwrap_or(1800);
        let grant = Grant {
            endpoint: target,
            cst_token: random_string(ALNUM, 32),
            key_token: random_string(ALNUM, 32),
            expires: self.clock.now() + Duration::from_secs(lifetime),
        };
        let auth_key = random_string(HEX, 64);
        let host = self.cpay_base();
        let mut body = success_body(ep, Applies::Both, &Value::Null, self.clock.now());
        if let Some(obj) = body.as_object_mut() {
            obj.remove("cPayHost");
            obj.remove("cPayUrl");
            obj.insert("result".into(), "success".into());
            obj.insert("result_msg".into(), "사용자 인증 완료!!".into());
            obj.insert("cst_id".into(), grant.cst_token.clone().into());
            obj.insert("custKey".into(), grant.key_token.clone().into());
            obj.insert("AuthKey".into(), auth_key.clone().into());
            obj.insert("PCD_PAY_HOST".into(), host.clone().into());
            obj.insert("PCD_PAY_URL".into(), path.clone().into());
            obj.insert("return_url".into(), format!("{host}{path}").into());
        }
        let mut grants = lock(&self.grants);
        let now = self.clock.now();
        grants.retain(|_, g| g.expires > now);
        grants.insert(auth_key, grant);
        (200, body)
    }

    /// A call posted to a return_url.
    fn cpay_flagged(
        &self,
        ep: &'static EndpointSpec,
        request: &Value,
        errors: &[payple_types::Finding],
    ) -> (u16, Value) {
        let fail = |code: &str| (200, failure_body(ep, code));
        let method = method_of(ep, request);
        if ep.id == "cpay.result_inquiry" && !self.take_inquiry() {
            return fail("PCHK9997");
        }
        if !errors.is_empty() {
            return fail("CBIL0001");
        }
        let get = |n: &str| request.get(n).and_then(Value::as_str).unwrap_or("");
        let now = self.clock.now();
        let grant = lock(&self.grants).get(get("PCD_AUTH_KEY")).cloned();
        let Some(grant) = grant.filter(|g| {
            g.expires > now
                && g.cst_token == get("PCD_CST_ID")
                && g.key_token == get("PCD_CUST_KEY")
        }) else {
            return fail("SPAY0001");
        };
        if grant.endpoint != Some(ep.id) {
            return fail("CBIL0001");
        }
        let oid = get("PCD_PAY_OID").to_string();
        if ep.id == "cpay.result_inquiry" {
            let order = lock(&self.orders).get(&oid).cloned();
            let Some(order) = order else {
                return fail("CBIL0003");
            };
            let stored_method = method_of(ep, &Value::Object(order.clone()));
            let m = if stored_method == Applies::Both {
                method
            } else {
                stored_method
            };
            let mut body = success_body(ep, m, request, now);
            if let Some(obj) = body.as_object_mut() {
                for (k, v) in &order {
                    let documented = ep
                        .response
                        .iter()
                        .any(|f| f.name == k && f.applies.admits(m));
                    let result_field = ep.result.is_some_and(|r| r.code_field == k)
                        || k == "PCD_PAY_RST"
                        || k == "PCD_PAY_MSG";
                    if documented && !result_field && v.is_string() {
                        obj.insert(k.clone(), v.clone());
                    }
                }
            }
            return (200, body);
        }
        let body = success_body(ep, method, request, now);
        if ep.id == "cpay.billing_repay"
            && !oid.is_empty()
            && let Some(obj) = body.as_object()
        {
            lock(&self.orders).insert(oid, obj.clone());
        }
        (200, body)
    }

    /// Counts one result inquiry; false when the budget of the window is spent.
    fn take_inquiry(&self) -> bool {
        let now = self.clock.now();
        let mut q = lock(&self.inquiries);
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t).unwrap_or_default() >= INQUIRY_WINDOW)
        {
            q.pop_front();
        }
        q.push_back(now);
        q.len() <= INQUIRY_BUDGET
    }

    /// hub and global: the token endpoint and the bearer-protected calls.
    fn bearer_service(
        &self,
        svc: Service,
        ep: &'static EndpointSpec,
        req: &Incoming<'_>,
        request: &Value,
        errors: &[payple_types::Finding],
    ) -> (u16, Value) {
        let fail = |code: &str| (200, failure_body(ep, code));
        let flow_id = match svc {
            Service::Hub => "hub.bearer_token",
            _ => "global.token",
        };
        let flow = auth_flow(flow_id);
        let now = self.clock.now();
        if flow.and_then(|f| f.endpoint) == Some(ep.id) {
            return self.issue_bearer(
                svc,
                ep,
                request,
                errors,
                flow.and_then(|f| f.lifetime_seconds),
            );
        }
        let token = req
            .authorization
            .and_then(|h| {
                let (scheme, rest) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .unwrap_or("");
        let valid = lock(&self.bearers)
            .get(token)
            .is_some_and(|b| b.service == svc && b.expires > now);
        if !valid {
            return fail("T0320");
        }
        if !errors.is_empty() {
            return fail("A0009");
        }
        (200, success_body(ep, method_of(ep, request), request, now))
    }

    fn issue_bearer(
        &self,
        svc: Service,
        ep: &'static EndpointSpec,
        request: &Value,
        errors: &[payple_types::Finding],
        lifetime: Option<u64>,
    ) -> (u16, Value) {
        let fail = |code: &str| (200, failure_body(ep, code));
        let (id_field, key_field) = match svc {
            Service::Hub => ("cst_id", "custKey"),
            _ => ("service_id", "service_key"),
        };
        let get = |n: &str| request.get(n).and_then(Value::as_str).unwrap_or("");
        let code_ok = {
            let c = get("code");
            c.len() == 10 && c.chars().all(|ch| ch.is_ascii_alphanumeric())
        };
        let missing = |n: &str| get(n).is_empty();
        if svc == Service::Global {
            if missing(id_field) {
                return fail("T0200");
            }
            if missing(key_field) {
                return fail("T0201");
            }
            if missing("code") {
                return fail("T0210");
            }
        }
        if !code_ok || errors.iter().any(|e| e.field.as_deref() == Some("code")) {
            return fail("T0211");
        }
        if !errors.is_empty() {
            return fail("T0300");
        }
        let creds = service(svc.id()).map(|s| s.test_credentials).unwrap_or(&[]);
        let expected = |name: &str, fallback: &'static str| {
            creds
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .unwrap_or(fallback)
        };
        // The global test account documents only service_id; its samples use this key.
        if get(id_field) != expected(id_field, "test")
            || get(key_field) != expected(key_field, "abcd1234567890")
        {
            return fail("T0300");
        }
        let lifetime = lifetime.unwrap_or(60);
        let token = random_string(ALNUM, 48);
        let now = self.clock.now();
        {
            let mut b = lock(&self.bearers);
            b.retain(|_, t| t.expires > now);
            b.insert(
                token.clone(),
                Bearer {
                    service: svc,
                    expires: now + Duration::from_secs(lifetime),
                },
            );
        }
        let mut body = success_body(ep, Applies::Both, request, now);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("access_token".into(), token.into());
            obj.insert("token_type".into(), "Bearer".into());
            obj.insert("expires_in".into(), lifetime.to_string().into());
            obj.insert("code".into(), get("code").into());
        }
        (200, body)
    }
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
    if value_of("PCD_REGULER_FLAG") == Some("Y") {
        return Some("cpay.billing_repay");
    }
    endpoints()
        .iter()
        .filter(|e| matches!(e.target, Target::AuthReturnUrl("cpay.partner_auth")))
        .find(|e| e.auth_flag.is_some_and(|(f, v)| value_of(f) == Some(v)))
        .map(|e| e.id)
}

/// Unused helper kept private: the body module's sample picker, re-exported for tests.
#[cfg(test)]
pub(crate) fn sample_for(id: &str) -> Option<Value> {
    endpoint(id).and_then(|ep| crate::body::best_sample(ep, Applies::Both))
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
    fn auth_has_a_sample() {
        assert!(sample_for("cpay.auth").is_some());
    }
}
