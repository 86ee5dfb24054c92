//! Building bodies from the spec: documented samples, synthesized fields, failure answers,
//! lenient reading of requests and redaction for the log.

use crate::clock::kst_digits;
use payple_types::datefmt::Piece;
use payple_types::doc_sample::repair;
use payple_types::{
    Applies, CodeEntry, EndpointSpec, FieldShape, FieldSpec, Outcome, Part, Requirement, catalogs,
    validate_value,
};
use serde_json::{Map, Value};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// Random-enough identifiers for a test server (not for cryptography).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish()
}

/// `len` characters drawn from `alphabet`.
pub(crate) fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bits = random_u64();
    for i in 0..len {
        if i % 8 == 7 {
            bits = random_u64();
        }
        let idx = (bits % alphabet.len() as u64) as usize;
        bits = bits.rotate_right(8) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        out.push(alphabet[idx] as char);
    }
    out
}

pub(crate) const HEX: &[u8] = b"0123456789abcdef";
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS: &[u8] = b"0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Replaces every letter and digit with a random one of the same class, keeping the shape
/// (and therefore the type code) of a documented value.
fn same_shape_random(v: &str) -> String {
    v.chars()
        .map(|c| {
            let class = if c.is_ascii_digit() {
                DIGITS
            } else if c.is_ascii_lowercase() {
                LOWER
            } else if c.is_ascii_uppercase() {
                UPPER
            } else {
                return c;
            };
            random_string(class, 1).chars().next().unwrap_or(c)
        })
        .collect()
}

/// `now` (Korean time) written in a date or time format of the spec.
fn formatted_now(pieces: &[Piece], now: SystemTime) -> Option<String> {
    let digits = kst_digits(now); // YYYYMMDDhhmmssSSS
    let mut out = String::new();
    for p in pieces {
        match *p {
            Piece::Year => out.push_str(&digits[0..4]),
            Piece::Month => out.push_str(&digits[4..6]),
            Piece::Day => out.push_str(&digits[6..8]),
            Piece::Hour => out.push_str(&digits[8..10]),
            Piece::Minute => out.push_str(&digits[10..12]),
            Piece::Second => out.push_str(&digits[12..14]),
            Piece::Milli => out.push_str(&digits[14..17]),
            Piece::Literal(c) => out.push(c),
            Piece::Digits => return None,
        }
    }
    Some(out)
}

/// A fresh value for a field with a date or time format: `now` in the format `old` has (or
/// the field's first date format).
fn fresh_time(f: &FieldSpec, old: Option<&str>, now: SystemTime) -> Option<String> {
    let dated = || f.formats.iter().filter(|fm| fm.pieces != [Piece::Digits]);
    let fm = old
        .and_then(|o| dated().find(|fm| fm.parse(o).is_ok()))
        .or_else(|| dated().next())?;
    formatted_now(fm.pieces, now)
}

fn time_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("time") || n.contains("date") || n.contains("dtm")
}

/// The catalog of an endpoint (its result catalog, else the service's).
pub(crate) fn catalog_of(ep: &EndpointSpec) -> &'static [CodeEntry] {
    if let Some(r) = ep.result {
        return r.catalog;
    }
    catalogs::ALL
        .iter()
        .find(|(id, _)| *id == ep.service)
        .map(|(_, c)| *c)
        .unwrap_or(&[])
}

/// Payple's message for a code, looked up in every catalog (the endpoint's first).
pub(crate) fn message_for(ep: &EndpointSpec, code: &str) -> String {
    let own = catalog_of(ep).iter().find(|e| e.code == code);
    let any = || {
        catalogs::ALL
            .iter()
            .flat_map(|(_, c)| c.iter())
            .find(|e| e.code == code)
    };
    own.or_else(any)
        .map(|e| e.message.unwrap_or(e.meaning).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Whether a scalar field of the request or response is documented.
fn field<'a>(fields: &'a [FieldSpec], key: &str) -> Option<&'a FieldSpec> {
    fields.iter().find(|f| f.matches(key))
}

/// The status field of an endpoint and its success value.
fn status_field(ep: &EndpointSpec) -> Option<(&'static str, &'static str)> {
    if let Some(s) = ep.result.and_then(|r| r.status) {
        return Some(s);
    }
    ep.response
        .iter()
        .find(|f| f.values.contains(&"success") && f.values.contains(&"error"))
        .map(|f| (f.name, "success"))
}

/// The message field of an endpoint's response.
fn message_field(ep: &EndpointSpec) -> Option<&'static str> {
    ["PCD_PAY_MSG", "message", "result_msg", "PCD_LINK_MSG"]
        .into_iter()
        .find(|n| ep.response.iter().any(|f| f.name == *n))
        .or_else(|| {
            ep.response
                .iter()
                .find(|f| f.name.ends_with("_MSG"))
                .map(|f| f.name)
        })
}

/// Whether a response body counts as a success.
pub(crate) fn is_success(ep: &EndpointSpec, v: &Value, method: Applies) -> bool {
    if let Some((f, ok)) = status_field(ep)
        && v.get(f).and_then(Value::as_str) != Some(ok)
    {
        return false;
    }
    if let Some(r) = ep.result {
        return v
            .get(r.code_field)
            .and_then(Value::as_str)
            .is_some_and(|c| r.is_success_code(c, method));
    }
    true
}

/// The payment method a body names.
pub(crate) fn method_of(ep: &EndpointSpec, v: &Value) -> Applies {
    let name = ep.payment_method_field.unwrap_or("PCD_PAY_TYPE");
    match v.get(name).and_then(Value::as_str) {
        Some("card") => Applies::Card,
        Some("transfer") => Applies::Transfer,
        _ => Applies::Both,
    }
}

/// The best documented response sample: an object without error findings that reads as a
/// success for `method`; fewer findings and strict JSON preferred.
pub(crate) fn best_sample(ep: &EndpointSpec, method: Applies) -> Option<Value> {
    let mut best: Option<(usize, Value)> = None;
    for s in ep.samples.iter().filter(|s| s.part == Part::Response) {
        let Ok(r) = repair(s.raw) else { continue };
        if !r.value.is_object() {
            continue;
        }
        // Numbers in digit-string fields become strings: the mock answers to the letter.
        let value = coerce(ep.response, &r.value);
        let report = validate_value(ep, Part::Response, &value);
        if !report.is_valid() || !is_success(ep, &value, method) {
            continue;
        }
        let sample_method = method_of(ep, &value);
        let method_penalty = usize::from(
            method != Applies::Both && sample_method != Applies::Both && sample_method != method,
        ) * 1000;
        let score =
            method_penalty + report.findings.len() * 10 + usize::from(!r.repairs.is_empty());
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, value));
        }
    }
    best.map(|(_, v)| v)
}

/// A value that satisfies a scalar field's documented values and type code.
fn synth_scalar(f: &FieldSpec, now: SystemTime) -> String {
    if let Some(v) = f.values.first() {
        return (*v).to_string();
    }
    if let Some(t) = fresh_time(f, None, now) {
        return t;
    }
    if f.formats.iter().any(|fm| fm.pieces == [Piece::Digits]) {
        return "1000".into();
    }
    let Some(code) = f.type_code else {
        return "mock".into();
    };
    let max = code.max_len.map(|m| m as usize).unwrap_or(16);
    let digits_ok = code.check("0").is_ok();
    if time_like(f.name) && digits_ok {
        let t = kst_digits(now);
        let n = if max >= 14 { 14 } else { max.min(8) };
        return t.chars().take(n).collect();
    }
    let len = max.min(10);
    for alphabet in [DIGITS, LOWER, UPPER] {
        let probe = (alphabet[0] as char).to_string();
        if code.check(&probe).is_ok() {
            return random_string(alphabet, len);
        }
    }
    if code.check("가").is_ok() {
        return "가".repeat(len.min(2));
    }
    "x".repeat(len.max(1))
}

fn required_now(f: &FieldSpec, obj: &Map<String, Value>, method: Applies) -> bool {
    if !f.applies.admits(method) {
        return false;
    }
    match f.required {
        Requirement::Always => true,
        Requirement::Never => false,
        // The mock fills success answers: `on: success` holds, `on: error` does not.
        Requirement::When(c) => {
            let on_ok = c.on != Outcome::Error;
            let method_ok = c.method == Applies::Both || c.method == method;
            let sibling_ok = match c.sibling {
                None => true,
                Some(s) if s.absent => matches!(obj.get(s.field), None | Some(Value::Null)),
                Some(s) => match obj.get(s.field) {
                    None | Some(Value::Null) => false,
                    Some(v) => match s.values {
                        None => true,
                        Some(vals) => v.as_str().is_some_and(|x| vals.contains(&x)),
                    },
                },
            };
            on_ok && method_ok && sibling_ok
        }
    }
}

/// Adds every field that is required but missing (twice, for conditions on added fields).
fn fill_required(
    fields: &[FieldSpec],
    obj: &mut Map<String, Value>,
    method: Applies,
    now: SystemTime,
) {
    for _ in 0..2 {
        for f in fields {
            if obj.keys().any(|k| f.matches(k)) || !required_now(f, obj, method) {
                continue;
            }
            let v = match f.shape {
                FieldShape::Scalar => Value::String(synth_scalar(f, now)),
                FieldShape::Object(inner) => {
                    let mut m = Map::new();
                    fill_required(inner, &mut m, method, now);
                    Value::Object(m)
                }
                FieldShape::List(_) => Value::Array(Vec::new()),
            };
            obj.insert(f.name.to_string(), v);
        }
    }
}

/// A success answer for `ep`: a documented sample (or a body synthesized from the field
/// table), with the request's values echoed where the response documents the same field,
/// volatile values refreshed and required fields filled in.
pub(crate) fn success_body(
    ep: &EndpointSpec,
    method: Applies,
    request: &Value,
    now: SystemTime,
) -> Value {
    let mut body = best_sample(ep, method).unwrap_or_else(|| Value::Object(Map::new()));
    let Some(obj) = body.as_object_mut() else {
        return body;
    };
    let mut fixed: Vec<String> = Vec::new();
    if let Some(r) = ep.result {
        fixed.push(r.code_field.to_string());
        let has_code = obj
            .get(r.code_field)
            .and_then(Value::as_str)
            .is_some_and(|c| r.is_success_code(c, method));
        // No documented success code for this payment method (transfer billing payment):
        // answer without a code rather than with a code the spec calls a mismatch.
        if !has_code {
            obj.remove(r.code_field);
        }
        if !has_code && let Some((c, _)) = r.success_codes.iter().find(|(_, a)| a.admits(method)) {
            obj.insert(r.code_field.into(), Value::String((*c).into()));
            if let Some(m) = message_field(ep) {
                obj.insert(m.into(), Value::String(message_for(ep, c)));
            }
        }
    }
    if let Some((f, ok)) = status_field(ep) {
        obj.insert(f.into(), Value::String(ok.into()));
        fixed.push(f.into());
    }
    // Echo request values into same-named response fields.
    let mut echoed: Vec<String> = Vec::new();
    if let Some(req) = request.as_object() {
        for f in ep.response.iter().filter(|f| f.shape == FieldShape::Scalar) {
            if fixed.iter().any(|x| x == f.name) || !f.applies.admits(method) {
                continue;
            }
            let Some(v) = req.get(f.name).and_then(Value::as_str) else {
                continue;
            };
            let fits = f.type_code.is_none_or(|c| c.check(v).is_ok())
                && (f.values.is_empty() || f.values.contains(&v));
            if fits {
                obj.insert(f.name.into(), Value::String(v.into()));
                echoed.push(f.name.into());
            }
        }
    }
    // Refresh volatile values the request did not set.
    for f in ep.response.iter().filter(|f| f.volatile) {
        if echoed.iter().any(|e| e == f.name) || fixed.iter().any(|e| e == f.name) {
            continue;
        }
        let Some(Value::String(old)) = obj.get(f.name) else {
            continue;
        };
        let new = if let Some(t) = fresh_time(f, Some(old), now) {
            t
        } else if time_like(f.name) && old.chars().all(|c| c.is_ascii_digit()) {
            let t = kst_digits(now);
            if old.len() <= t.len() {
                t[..old.len()].to_string()
            } else {
                same_shape_random(old)
            }
        } else {
            same_shape_random(old)
        };
        obj.insert(f.name.into(), Value::String(new));
    }
    fill_required(ep.response, obj, method, now);
    body
}

/// A failure answer carrying `code`: the status field set to `error`, the code in the code
/// field and Payple's message in the message field. Without a code field (cpay.auth) the
/// message field reads `[CODE] message`.
pub(crate) fn failure_body(ep: &EndpointSpec, code: &str) -> Value {
    let mut obj = Map::new();
    let message = message_for(ep, code);
    if let Some((f, ok)) = status_field(ep) {
        let fs = ep.response.iter().find(|x| x.name == f);
        let bad = fs
            .and_then(|x| x.values.iter().find(|v| **v != ok && **v == "error"))
            .copied()
            .unwrap_or("error");
        obj.insert(f.into(), Value::String(bad.into()));
    }
    match ep.result {
        Some(r) => {
            obj.insert(r.code_field.into(), Value::String(code.into()));
            if let Some(m) = message_field(ep) {
                obj.insert(m.into(), Value::String(message));
            }
        }
        None => {
            if let Some(m) = message_field(ep) {
                obj.insert(m.into(), Value::String(format!("[{code}] {message}")));
            }
        }
    }
    Value::Object(obj)
}

/// What the official sample clients send, read the way the tolerant models read it: JSON
/// numbers and booleans in documented string fields become strings, `null` fields are
/// dropped. Undocumented keys are kept as they are.
pub(crate) fn coerce(fields: &[FieldSpec], value: &Value) -> Value {
    let Some(obj) = value.as_object() else {
        return value.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        let Some(f) = field(fields, k) else {
            out.insert(k.clone(), v.clone());
            continue;
        };
        let nv = match (f.shape, v) {
            (_, Value::Null) => continue,
            (FieldShape::Scalar, Value::Number(n)) => Value::String(n.to_string()),
            (FieldShape::Scalar, Value::Bool(b)) => Value::String(b.to_string()),
            (FieldShape::Object(inner), Value::Object(_)) => coerce(inner, v),
            (FieldShape::List(inner), Value::Array(items)) => {
                Value::Array(items.iter().map(|i| coerce(inner, i)).collect())
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), nv);
    }
    Value::Object(out)
}

/// The body with every sensitive or undocumented value replaced, for the request log.
pub(crate) fn redact(fields: &[FieldSpec], value: &Value) -> Value {
    match value {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj {
                let nv = match field(fields, k) {
                    None => Value::String("<undocumented: redacted>".into()),
                    Some(f) if f.sensitive => Value::String("<redacted>".into()),
                    Some(f) => match f.shape {
                        FieldShape::Object(inner) | FieldShape::List(inner) => match v {
                            Value::Array(items) => {
                                Value::Array(items.iter().map(|i| redact(inner, i)).collect())
                            }
                            other => redact(inner, other),
                        },
                        FieldShape::Scalar => v.clone(),
                    },
                };
                out.insert(k.clone(), nv);
            }
            Value::Object(out)
        }
        Value::Null => Value::Null,
        _ => Value::String("<not an object: redacted>".into()),
    }
}
