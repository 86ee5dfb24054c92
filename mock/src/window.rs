//! The payment window in a browser: the window scripts at their documented paths (every
//! cpay generation and the global script), the check of the page's `obj` against the spec
//! (run here, so no rule is written in JavaScript), the mock's window page where a tester
//! approves, declines or closes, and the result the page posts to the partner.
//!
//! Routes (on the cpay and global ports): the scripts (`Target::Script` and legacy paths of
//! cpay.payment_window and global.payment_window), and under `/__mock/window/`: `check`
//! (POST, the script's obj), `page/ID` (GET, the window), `complete/ID` (POST, the tester's
//! choice), `auto` (GET / POST / DELETE, non-interactive mode) and `demo` (GET, cpay: a
//! partner page for trying the window by hand).

use crate::body::{ALNUM, coerce, documented_value, failure_body, random_string};
use crate::protocol::{self, Facts, names};
use crate::server::{Service, Shared, lock};
use payple_types::{
    Applies, EndpointSpec, Kind, Part, Role, Severity, Target, endpoint, service, validate_value,
};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::sync::Mutex;

/// The prefix of the window's own routes.
pub(crate) const PREFIX: &str = "/__mock/window/";

/// Window sessions remembered at once (the oldest is dropped beyond it).
const MAX_SESSIONS: usize = 1000;

const COMMON_JS: &str = include_str!("../assets/window-common.js");
const CPAY_JS: &str = include_str!("../assets/cpay-window.js");
const GPAY_JS: &str = include_str!("../assets/gpay-window.js");
const PAGE_HTML: &str = include_str!("../assets/window.html");
const DEMO_HTML: &str = include_str!("../assets/demo.html");

/// An answer of a window route.
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, v: &Value) -> Answer {
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec()),
        }
    }

    /// A JSON error answer.
    pub(crate) fn error(status: u16, message: &str) -> Answer {
        Answer::json(status, &json!({ "error": message }))
    }
}

/// What the non-interactive mode does in place of the tester.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auto {
    Approve,
    Decline,
    Close,
}

impl Auto {
    fn parse(s: &str) -> Option<Auto> {
        match s {
            "approve" => Some(Auto::Approve),
            "decline" => Some(Auto::Decline),
            "close" => Some(Auto::Close),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Auto::Approve => "approve",
            Auto::Decline => "decline",
            Auto::Close => "close",
        }
    }
}

/// Which script opened the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// cpay since 2023-07: `clientKey`.
    Current,
    /// cpay 2018-2023: `PCD_AUTH_KEY` + `PCD_PAY_URL` from a partner auth (or the partner's
    /// auth file, which the script calls).
    Legacy,
    /// The global window script.
    Global,
}

impl Generation {
    fn as_str(self) -> &'static str {
        match self {
            Generation::Current => "current",
            Generation::Legacy => "legacy",
            Generation::Global => "global",
        }
    }
}

struct Session {
    id: String,
    service: Service,
    /// The obj, read leniently.
    request: Value,
    /// Layer (inside the partner's page) or direct (full page).
    layer: bool,
    /// The partner page's origin (postMessage target).
    origin: String,
    auto: Option<Auto>,
}

/// Open windows and the non-interactive setting.
#[derive(Default)]
pub(crate) struct Windows {
    sessions: Mutex<VecDeque<Session>>,
    auto: Mutex<Option<Auto>>,
}

fn window_spec(svc: Service) -> Option<&'static EndpointSpec> {
    match svc {
        Service::Cpay => endpoint("cpay.payment_window"),
        Service::Global => endpoint("global.payment_window"),
        Service::Hub => None,
    }
}

fn result_spec(svc: Service) -> Option<&'static EndpointSpec> {
    match svc {
        Service::Cpay => endpoint("cpay.result_callback"),
        Service::Global => endpoint("global.payment_window_result"),
        Service::Hub => None,
    }
}

/// The script generation served at `path` on `svc`, if it is a window script path.
fn script_at(svc: Service, path: &str) -> Option<Generation> {
    let ep = window_spec(svc)?;
    let current = matches!(ep.target, Target::Script(p) if p == path);
    let legacy = ep
        .legacy_paths
        .iter()
        .any(|p| p.split('?').next() == Some(path));
    match (svc, current, legacy) {
        (Service::Global, true, _) => Some(Generation::Global),
        (Service::Cpay, true, _) => Some(Generation::Current),
        (Service::Cpay, false, true) => Some(Generation::Legacy),
        _ => None,
    }
}

/// Whether a request is for the window routes.
pub(crate) fn is_window_path(svc: Service, path: &str) -> bool {
    svc != Service::Hub && (path.starts_with(PREFIX) || script_at(svc, path).is_some())
}

/// Handles a window route (called off the async workers).
pub(crate) fn handle(
    shared: &Shared,
    svc: Service,
    method: &str,
    path: &str,
    body: &[u8],
) -> Answer {
    if let Some(generation) = script_at(svc, path) {
        return match method {
            "GET" | "HEAD" => script(svc, generation),
            _ => Answer::error(405, "use GET"),
        };
    }
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    match (method, rest) {
        ("POST", "check") => check(shared, svc, body),
        ("GET", "auto") => Answer::json(200, &auto_json(*lock(&shared.windows.auto))),
        ("POST", "auto") => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            match v.get("mode") {
                Some(Value::Null) => *lock(&shared.windows.auto) = None,
                Some(Value::String(m)) if Auto::parse(m).is_some() => {
                    *lock(&shared.windows.auto) = Auto::parse(m);
                }
                _ => {
                    return Answer::error(
                        400,
                        "expected {\"mode\": \"approve\" | \"decline\" | \"close\" | null}",
                    );
                }
            }
            Answer::json(200, &auto_json(*lock(&shared.windows.auto)))
        }
        ("DELETE", "auto") => {
            *lock(&shared.windows.auto) = None;
            Answer::json(200, &auto_json(None))
        }
        ("GET", "demo") if svc == Service::Cpay => demo(),
        ("GET", r) if r.starts_with("page/") => page(shared, svc, &r["page/".len()..]),
        ("POST", r) if r.starts_with("complete/") => {
            complete(shared, svc, &r["complete/".len()..], body)
        }
        _ => Answer::error(404, &format!("no window route {method} {path}")),
    }
}

fn auto_json(a: Option<Auto>) -> Value {
    json!({ "mode": a.map(Auto::as_str) })
}

/// The wire names the scripts and the page use, from the spec's roles.
fn config(svc: Service, generation: Generation) -> Value {
    let auth = protocol::auth_endpoint("cpay");
    let result = result_spec(svc);
    let status = result.and_then(|r| r.status_field());
    let (status_field, error_value) = match (result, status) {
        (Some(r), Some((f, ok))) => {
            let bad = r
                .response
                .iter()
                .find(|x| x.name == f)
                .and_then(|x| x.values.iter().find(|v| **v != ok).copied())
                .unwrap_or("");
            (f, bad)
        }
        _ => ("", ""),
    };
    let message = result
        .and_then(|r| Role::Message.field(r, Part::Response))
        .unwrap_or("");
    let names = match svc {
        Service::Cpay => json!({
            "result_url": cpay_field(Role::ResultUrl),
            "callback": cpay_field(Role::WindowCallback),
            "auth_key": cpay_field(Role::AuthKey),
            "pay_url": cpay_field(Role::AuthPath),
            "auth_file": cpay_field(Role::WindowAuthFile),
            "auth_answer_key": auth.map(|a| names::response(a, Role::AuthKey)).unwrap_or(""),
            "auth_answer_url": auth.map(|a| names::response(a, Role::ReturnUrl)).unwrap_or(""),
            "status": status_field,
            "message": message,
        }),
        _ => json!({
            "result_url": names::global(Role::ResultUrl),
            "callback": "",
            "status": status_field,
            "message": message,
        }),
    };
    json!({
        "generation": generation.as_str(),
        "service": svc.id(),
        "check": format!("{PREFIX}check"),
        "error_value": error_value,
        "names": names,
    })
}

fn script(svc: Service, generation: Generation) -> Answer {
    let own = if svc == Service::Global {
        GPAY_JS
    } else {
        CPAY_JS
    };
    let text = format!(
        "/* payple-mock: the {} payment window script ({}); not Payple's code. */\n(function () {{\n\"use strict\";\nvar CFG = {};\n{COMMON_JS}\n{own}\n}})();\n",
        svc.id(),
        generation.as_str(),
        config(svc, generation),
    );
    Answer {
        status: 200,
        content_type: "application/javascript; charset=utf-8",
        body: text.into_bytes(),
    }
}

/// The window's error result, as Payple reports it to the page (callback or alert).
fn error_result(svc: Service, message: &str) -> Value {
    let cfg = config(svc, Generation::Current);
    let mut o = Map::new();
    let status = cfg["names"]["status"].as_str().unwrap_or("");
    if !status.is_empty() {
        o.insert(status.into(), cfg["error_value"].clone());
    }
    let m = cfg["names"]["message"].as_str().unwrap_or("");
    o.insert(
        if m.is_empty() { "message" } else { m }.into(),
        message.into(),
    );
    Value::Object(o)
}

fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).and_then(Value::as_str).unwrap_or("")
}

/// POST /__mock/window/check: `{"generation", "obj", "origin", "auto"}` from the script.
fn check(shared: &Shared, svc: Service, body: &[u8]) -> Answer {
    let Some(ep) = window_spec(svc) else {
        return Answer::error(404, "this service has no payment window");
    };
    let input: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Answer::error(400, "expected a JSON object"),
    };
    let generation = match (svc, text(&input, "generation")) {
        (Service::Global, _) => Generation::Global,
        (_, "legacy") => Generation::Legacy,
        _ => Generation::Current,
    };
    let obj = input.get("obj").cloned().unwrap_or(Value::Null);
    if !obj.is_object() {
        return refuse(svc, "the window object is not an object");
    }
    let request = coerce(ep.request, &obj);
    if let Err(message) = check_request(shared, svc, ep, generation, &request) {
        return refuse(svc, &message);
    }
    let layer = match svc {
        Service::Global => text(&request, names::global(Role::WindowDirect)) != "Y",
        _ => {
            let rst = text(&request, cpay_field(Role::ResultUrl));
            !text(&request, cpay_field(Role::WindowCallback)).is_empty()
                || !(rst.starts_with("http://") || rst.starts_with("https://"))
        }
    };
    let auto = Auto::parse(text(&input, "auto")).or(*lock(&shared.windows.auto));
    let id = random_string(ALNUM, 24);
    {
        let mut sessions = lock(&shared.windows.sessions);
        if sessions.len() >= MAX_SESSIONS {
            sessions.pop_front();
        }
        sessions.push_back(Session {
            id: id.clone(),
            service: svc,
            request,
            layer,
            origin: text(&input, "origin").chars().take(200).collect(),
            auto,
        });
    }
    Answer::json(
        200,
        &json!({"ok": true, "page": format!("{PREFIX}page/{id}"), "layer": layer}),
    )
}

fn refuse(svc: Service, message: &str) -> Answer {
    Answer::json(
        200,
        &json!({"ok": false, "result": error_result(svc, message)}),
    )
}

/// The spec's rules (error findings only: warnings do not block, as the validator reads
/// them) and the window's authentication of each generation.
fn check_request(
    shared: &Shared,
    svc: Service,
    ep: &'static EndpointSpec,
    generation: Generation,
    request: &Value,
) -> Result<(), String> {
    let key_field = cpay_field(Role::WindowKey);
    let report = validate_value(ep, Part::Request, request);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        // The window key belongs to the current script; older pages authenticate otherwise.
        .filter(|f| generation == Generation::Current || f.field.as_deref() != Some(key_field))
        .map(|f| f.message().into_owned())
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    let now = shared.clock.now();
    let creds = service(svc.id()).map(|s| s.test_credentials).unwrap_or(&[]);
    let own = |name: &str| creds.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    match generation {
        Generation::Current => {
            if Some(text(request, key_field)) != own(key_field) {
                return Err(format!(
                    "{key_field} is not the partner's window key (the mock knows the test key of the spec's test account)"
                ));
            }
        }
        Generation::Legacy => {
            let auth_key = text(request, cpay_field(Role::AuthKey));
            let l = lock(&shared.ledger);
            let ok = l
                .grants
                .get(auth_key)
                .is_some_and(|g| g.endpoint.is_none() && g.expires > now);
            if !ok || text(request, cpay_field(Role::AuthPath)).is_empty() {
                return Err(format!(
                    "{} / {} are not those of a partner auth for the window (flag-less auth), or it expired",
                    cpay_field(Role::AuthKey),
                    cpay_field(Role::AuthPath)
                ));
            }
        }
        Generation::Global => {
            let token = text(request, names::global(Role::WindowToken));
            let l = lock(&shared.ledger);
            let ok = l
                .bearers
                .get(token)
                .is_some_and(|b| b.service == svc.id() && b.expires > now);
            if !ok {
                return Err(format!(
                    "{} is not a valid access token of the token call",
                    names::global(Role::WindowToken)
                ));
            }
            let id_field = names::global(Role::PartnerId);
            if Some(text(request, id_field)) != own(id_field) {
                return Err(format!("{id_field} is not the partner's"));
            }
        }
    }
    if svc == Service::Cpay {
        let key = text(request, cpay_field(Role::BillingKey));
        if !key.is_empty() {
            let method = crate::body::method_of(ep, request);
            let l = lock(&shared.ledger);
            let usable = l.billing_keys.get(key).is_some_and(|k| {
                !k.deleted && (k.any_method || method == Applies::Both || k.method == method)
            });
            if !usable {
                return Err(format!(
                    "{} is not a registered billing key of this payment method",
                    cpay_field(Role::BillingKey)
                ));
            }
        }
    }
    Ok(())
}

fn find_session<T>(shared: &Shared, id: &str, f: impl FnOnce(&Session) -> T) -> Option<T> {
    lock(&shared.windows.sessions)
        .iter()
        .find(|s| s.id == id)
        .map(f)
}

/// What the tester may pick: the card methods the obj allows (all documented ones when it
/// names none), the registered billing key, or a test account.
fn options(svc: Service, request: &Value) -> Vec<Value> {
    let Some(ep) = window_spec(svc) else {
        return Vec::new();
    };
    if svc == Service::Global {
        return vec![json!({"id": "", "label": "Test card (international)"})];
    }
    if !text(request, cpay_field(Role::BillingKey)).is_empty() {
        return vec![json!({"id": "", "label": "Registered payment method (billing key)"})];
    }
    match crate::body::method_of(ep, request) {
        Applies::Transfer => vec![json!({"id": "", "label": "Test bank account"})],
        _ => {
            let field = cpay_field(Role::CardMethod);
            let restricted = text(request, field);
            let all = ep
                .request
                .iter()
                .find(|f| f.name == field)
                .map(|f| f.values)
                .unwrap_or(&[]);
            let mut out = Vec::new();
            if restricted.is_empty() {
                out.push(json!({"id": "", "label": "Test card"}));
                out.extend(all.iter().map(|v| json!({"id": v, "label": v})));
            } else {
                out.push(json!({"id": restricted, "label": restricted}));
            }
            out
        }
    }
}

/// What the window shows: (label, value) pairs read through the roles.
fn summary(svc: Service, request: &Value) -> Vec<Value> {
    let roles: &[(&str, Role)] = match svc {
        Service::Global => &[
            ("Goods", Role::Comments),
            ("Amount", Role::Amount),
            ("Currency", Role::Currency),
            ("Order", Role::OrderId),
        ],
        _ => &[
            ("Goods", Role::GoodsName),
            ("Amount", Role::Amount),
            ("Method", Role::PaymentMethod),
            ("Work", Role::PayWork),
            ("Order", Role::OrderId),
        ],
    };
    roles
        .iter()
        .filter_map(|(label, role)| {
            let name = role.name(svc.id())?;
            let v = text(request, name);
            (!v.is_empty()).then(|| json!({"label": label, "field": name, "value": v}))
        })
        .collect()
}

/// GET /__mock/window/demo: a partner page for trying the cpay window by hand. Per payment
/// method it offers an `obj` made from the spec: the test account's window key, the method,
/// the work (PAY when listed), the documented goods name and amount, then every member the
/// validator still finds missing, with a documented value (or the first of its value set). The page hands the result to its
/// own callback, so no partner server is needed.
fn demo() -> Answer {
    let Some(ep) = window_spec(Service::Cpay) else {
        return Answer::error(404, "the spec has no cpay payment window");
    };
    let values = |role: Role| {
        let name = cpay_field(role);
        ep.request
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.values)
            .unwrap_or(&[])
    };
    let works = values(Role::PayWork);
    let work = works
        .iter()
        .find(|w| w.eq_ignore_ascii_case("pay"))
        .or(works.first())
        .copied()
        .unwrap_or("");
    let key_field = cpay_field(Role::WindowKey);
    let key = service("cpay")
        .and_then(|s| s.test_credentials.iter().find(|(n, _)| *n == key_field))
        .map(|(_, v)| *v)
        .unwrap_or("");
    let callback = cpay_field(Role::WindowCallback);
    let documented = |name: &str| {
        ep.request.iter().find(|f| f.name == name).and_then(|f| {
            documented_value("cpay", f).or_else(|| f.values.first().map(|v| v.to_string()))
        })
    };
    let mut objs = Map::new();
    for method in values(Role::PaymentMethod) {
        let mut obj = Map::new();
        obj.insert(key_field.into(), key.into());
        obj.insert(cpay_field(Role::PaymentMethod).into(), (*method).into());
        obj.insert(cpay_field(Role::PayWork).into(), work.into());
        for role in [Role::GoodsName, Role::Amount] {
            if let Some(v) = documented(cpay_field(role)) {
                obj.insert(cpay_field(role).into(), v.into());
            }
        }
        // The page sets the callback; with it, the result URL is not required.
        obj.insert(callback.into(), "".into());
        for _ in 0..3 {
            let report = validate_value(ep, Part::Request, &Value::Object(obj.clone()));
            let missing: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.kind == Kind::MissingRequired && f.severity == Severity::Error)
                .filter_map(|f| f.field.as_deref().map(str::to_string))
                .collect();
            if missing.is_empty() {
                break;
            }
            for name in missing {
                if let Some(v) = documented(&name) {
                    obj.insert(name, v.into());
                }
            }
        }
        obj.remove(callback);
        objs.insert((*method).into(), Value::Object(obj));
    }
    let result = result_spec(Service::Cpay);
    let (status_field, success) = result.and_then(|r| r.status_field()).unwrap_or(("", ""));
    let data = json!({
        "objs": objs,
        "works": works,
        "work": work,
        "work_field": cpay_field(Role::PayWork),
        "callback": callback,
        "status_field": status_field,
        "success": success,
        "ledger": format!("{}/ledger", crate::admin::PREFIX),
    });
    // JSON inside <script>: no `<` may close the element.
    let embedded = data.to_string().replace('<', "\\u003c");
    let script = match ep.target {
        Target::Script(p) => p,
        _ => "",
    };
    Answer {
        status: 200,
        content_type: "text/html; charset=utf-8",
        body: DEMO_HTML
            .replace("{{DATA}}", &embedded)
            .replace("{{SCRIPT}}", script)
            .into_bytes(),
    }
}

/// GET /__mock/window/page/ID.
fn page(shared: &Shared, svc: Service, id: &str) -> Answer {
    let data = find_session(shared, id, |s| {
        (s.service == svc).then(|| {
            let decline = svc == Service::Cpay;
            json!({
                "id": s.id,
                "service": svc.id(),
                "complete": format!("{PREFIX}complete/{}", s.id),
                "layer": s.layer,
                "origin": s.origin,
                "auto": s.auto.map(Auto::as_str),
                "summary": summary(svc, &s.request),
                "options": options(svc, &s.request),
                "decline": decline,
                "stored_key": !text(&s.request, cpay_field(Role::BillingKey)).is_empty()
                    && svc == Service::Cpay,
            })
        })
    })
    .flatten();
    let Some(data) = data else {
        return Answer {
            status: 404,
            content_type: "text/html; charset=utf-8",
            body: b"<!DOCTYPE html><title>payple-mock</title><p>This payment window is closed or unknown.</p>".to_vec(),
        };
    };
    // JSON inside <script>: no `<` may close the element.
    let embedded = data.to_string().replace('<', "\\u003c");
    Answer {
        status: 200,
        content_type: "text/html; charset=utf-8",
        body: PAGE_HTML.replace("{{DATA}}", &embedded).into_bytes(),
    }
}

/// POST /__mock/window/complete/ID: `{"action": "approve" | "decline" | "close", "option"}`.
fn complete(shared: &Shared, svc: Service, id: &str, body: &[u8]) -> Answer {
    let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(action) = Auto::parse(text(&input, "action")) else {
        return Answer::error(
            400,
            "expected {\"action\": \"approve\" | \"decline\" | \"close\"}",
        );
    };
    // One window, one result: the session ends here whatever the action.
    let session = {
        let mut sessions = lock(&shared.windows.sessions);
        match sessions.iter().position(|s| s.id == id && s.service == svc) {
            Some(i) => sessions.remove(i),
            None => None,
        }
    };
    let Some(session) = session else {
        return Answer::error(404, "this payment window is closed or unknown");
    };
    let rst_field = match svc {
        Service::Global => names::global(Role::ResultUrl),
        _ => cpay_field(Role::ResultUrl),
    };
    let callback = svc == Service::Cpay
        && !text(&session.request, cpay_field(Role::WindowCallback)).is_empty();
    let mut answer = json!({
        "layer": session.layer,
        "origin": session.origin,
        "url": text(&session.request, rst_field),
    });
    let fields = match action {
        Auto::Close => {
            answer["action"] = "close".into();
            return Answer::json(200, &answer);
        }
        Auto::Approve => approve(shared, svc, &session.request, text(&input, "option")),
        Auto::Decline => decline(svc, &session.request),
    };
    match fields {
        Ok(f) => {
            answer["action"] = if callback { "callback" } else { "post" }.into();
            answer["fields"] = as_form(&f);
            Answer::json(200, &answer)
        }
        Err(e) => {
            answer["action"] = if callback { "callback" } else { "post" }.into();
            answer["fields"] = error_result(svc, &e);
            Answer::json(200, &answer)
        }
    }
}

/// Every value as the text a form carries.
fn as_form(v: &Value) -> Value {
    let Some(o) = v.as_object() else {
        return json!({});
    };
    let out: Map<String, Value> = o
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let t = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), Value::String(t))
        })
        .collect();
    Value::Object(out)
}

/// The approved window: the payment or billing key goes into the ledger (the same entry
/// point as `POST /__mock/window`) and its result is what the page posts.
fn approve(shared: &Shared, svc: Service, request: &Value, option: &str) -> Result<Value, String> {
    let mut req = request.clone();
    match svc {
        Service::Global => {
            if let Some(o) = req.as_object_mut() {
                o.remove(names::global(Role::WindowToken));
                o.remove(names::global(Role::WindowDirect));
            }
            shared.global_window(&req)
        }
        _ => {
            let card_method = cpay_field(Role::CardMethod);
            if let Some(o) = req.as_object_mut() {
                // The browser posts the result itself; the window's own credentials stay out.
                for role in [
                    Role::ResultUrl,
                    Role::WindowCallback,
                    Role::WindowKey,
                    Role::WindowAuthFile,
                    Role::AuthKey,
                    Role::AuthPath,
                ] {
                    o.remove(names::cpay(role));
                }
                if !option.is_empty() {
                    o.insert(card_method.into(), option.into());
                }
            }
            let mut body = shared.cpay_window(&req)?;
            let documented =
                result_spec(svc).is_some_and(|r| r.response.iter().any(|f| f.name == card_method));
            if documented
                && !option.is_empty()
                && let Some(o) = body.as_object_mut()
            {
                o.insert(card_method.into(), option.into());
            }
            Ok(body)
        }
    }
}

/// The declined window: the spec's `window_declined` answer for the payment method, with
/// the order's identifying fields; nothing is recorded.
fn decline(svc: Service, request: &Value) -> Result<Value, String> {
    let (Some(cb), Some(window)) = (result_spec(svc), window_spec(svc)) else {
        return Err("this service has no payment window".into());
    };
    let method = match crate::body::method_of(window, request) {
        Applies::Both => Applies::Card,
        m => m,
    };
    let Some(s) = protocol::own_situation(cb, "window_declined", &Facts::new(method, request))
    else {
        return Err(format!(
            "the spec gives no [mock: window_declined] limit for {}",
            cb.id
        ));
    };
    let mut body = failure_body(cb, s.code);
    if let Some(o) = body.as_object_mut() {
        for role in [
            Role::PaymentMethod,
            Role::PayWork,
            Role::OrderId,
            Role::GoodsName,
            Role::Amount,
        ] {
            let name = names::response(cb, role);
            let v = text(request, name);
            if !v.is_empty() && cb.response.iter().any(|f| f.name == name) {
                o.insert(name.into(), v.into());
            }
        }
    }
    Ok(body)
}

/// The name of the cpay window's `obj` member carrying `role`.
fn cpay_field(role: Role) -> &'static str {
    window_spec(Service::Cpay)
        .map(|w| names::request(w, role))
        .unwrap_or_default()
}
