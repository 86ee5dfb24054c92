//! Admin routes under `/__mock` on every port, for tests and people: ledger state, the
//! request log, faults at run time, and the payment window the mock stands in for.

use crate::fault::{Fault, FaultKind, FaultTarget};
use crate::journal::json_line;
use crate::ledger::rec_text;
use crate::server::{Service, Shared, lock};
use serde_json::{Value, json};

/// The prefix of every admin route.
pub(crate) const PREFIX: &str = "/__mock";

/// Whether `path` is one of the admin routes (the CERT return paths under the prefix are
/// Payple's, not admin routes).
pub(crate) fn is_admin_path(path: &str) -> bool {
    path == PREFIX
        || (path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
            && !path.starts_with(crate::server::RETURN_PREFIX))
}

fn routes(svc: Service) -> Value {
    let mut r = vec![
        "GET /__mock/ledger",
        "GET /__mock/log?n=N",
        "GET /__mock/faults",
        "POST /__mock/faults",
        "DELETE /__mock/faults",
        "GET /__mock/webhooks",
        "POST /__mock/webhooks",
    ];
    match svc {
        Service::Cpay => {
            r.push("POST /__mock/window");
            r.push("GET /__mock/link/KEY");
            r.push("GET /__mock/receipt/ORDER");
        }
        Service::Global => r.push("POST /__mock/window"),
        Service::Hub => {}
    }
    json!({ "service": svc.id(), "routes": r })
}

/// Reads fault specifications from a body: `{"faults": [..]}`, a JSON array or string, or
/// plain text with one specification per line.
fn fault_specs(body: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => match o.get("faults") {
            Some(Value::Array(a)) => Ok(a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            _ => Err("expected {\"faults\": [\"SPEC\", ...]}".into()),
        },
        Ok(Value::Array(a)) => Ok(a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()),
        Ok(Value::String(s)) => Ok(vec![s]),
        _ => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()),
    }
}

/// Adds a fault; token expiry happens at once.
pub(crate) fn add_fault(shared: &Shared, f: Fault) {
    if f.kind == FaultKind::TokenExpiry {
        let service = match &f.target {
            FaultTarget::Service(s) => Some(s.as_str()),
            _ => None,
        };
        shared.expire_tokens(service);
        return;
    }
    lock(&shared.faults).add(f);
}

pub(crate) fn handle(
    shared: &Shared,
    svc: Service,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let rest = path.trim_start_matches(PREFIX);
    match (method, rest) {
        ("GET", "" | "/") => (200, routes(svc)),
        ("GET", "/ledger") => (200, lock(&shared.ledger).snapshot()),
        ("GET", "/log") => {
            let n = query
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("n=")))
                .and_then(|n| n.parse().ok())
                .unwrap_or(100usize);
            let (total, evicted) = shared.journal.counts();
            let entries: Vec<Value> = shared.journal.tail(n).iter().map(json_line).collect();
            (
                200,
                json!({"total": total, "evicted": evicted, "entries": entries}),
            )
        }
        ("GET", "/faults") => (200, json!({"faults": lock(&shared.faults).list()})),
        ("GET", "/webhooks") => {
            let sent: Vec<Value> = lock(&shared.deliveries)
                .0
                .iter()
                .map(crate::webhook::Delivery::to_json)
                .collect();
            (
                200,
                json!({"global": *lock(&shared.global_webhook), "deliveries": sent}),
            )
        }
        ("POST", "/webhooks") => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            match v.get("global") {
                Some(Value::String(u)) if u.starts_with("http://") => {
                    *lock(&shared.global_webhook) = Some(u.clone());
                }
                Some(Value::Null) => *lock(&shared.global_webhook) = None,
                _ => {
                    return (
                        400,
                        json!({"error": "expected {\"global\": \"http://...\"} (or null to unset)"}),
                    );
                }
            }
            (200, json!({"global": *lock(&shared.global_webhook)}))
        }
        ("POST", "/faults") => {
            let specs = match fault_specs(body) {
                Ok(s) => s,
                Err(e) => return (400, json!({"error": e})),
            };
            let mut parsed = Vec::new();
            for s in &specs {
                match s.parse::<Fault>() {
                    Ok(f) => parsed.push(f),
                    Err(e) => return (400, json!({"error": e.to_string()})),
                }
            }
            for f in parsed {
                add_fault(shared, f);
            }
            (200, json!({"faults": lock(&shared.faults).list()}))
        }
        ("DELETE", "/faults") => {
            lock(&shared.faults).clear();
            (200, json!({"faults": []}))
        }
        ("POST", "/window") => {
            let req: Value = if body.iter().all(u8::is_ascii_whitespace) {
                json!({})
            } else {
                match serde_json::from_slice(body) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => return (400, json!({"error": "the body must be a JSON object"})),
                }
            };
            let out = match svc {
                Service::Cpay => shared.cpay_window(&req),
                Service::Global => shared.global_window(&req),
                Service::Hub => Err("the hub has no payment window".into()),
            };
            match out {
                Ok(v) => (200, v),
                Err(e) => (400, json!({"error": e})),
            }
        }
        ("GET", r) if r.starts_with("/link/") && svc == Service::Cpay => {
            let key = &r["/link/".len()..];
            let l = lock(&shared.ledger);
            match l.links.get(key) {
                Some(link) => {
                    let fields: serde_json::Map<String, Value> = link
                        .fields
                        .iter()
                        .filter_map(|(k, _)| {
                            rec_text(&link.fields, k).map(|v| ((*k).to_string(), v.into()))
                        })
                        .collect();
                    (200, Value::Object(fields))
                }
                None => (404, json!({"error": "no such link"})),
            }
        }
        ("GET", r) if r.starts_with("/receipt/") && svc == Service::Cpay => {
            let oid = &r["/receipt/".len()..];
            let l = lock(&shared.ledger);
            match l.payments.get(oid) {
                Some(p) => (
                    200,
                    json!({"order_id": oid, "total": p.total, "refunded": p.refunded,
                           "date": p.date, "sales_slip": "payple-mock"}),
                ),
                None => (404, json!({"error": "no such payment"})),
            }
        }
        _ => (
            404,
            json!({"error": format!("no admin route {method} {path}"), "routes": routes(svc)["routes"]}),
        ),
    }
}
