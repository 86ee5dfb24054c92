//! Building bodies from the spec: documented samples, synthesized fields, failure answers,
//! lenient reading of requests and redaction for the log.

use crate::clock::{kst_digits, utc_digits};
use crate::ledger::{Record, Val};
use payple_types::datefmt::Piece;
use payple_types::doc_sample::repair;
use payple_types::{
    Applies, CodeEntry, EndpointSpec, FieldShape, FieldSpec, Outcome, Part, Requirement, catalogs,
    validate_value,
};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
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

/// The message field of an endpoint's response.
fn message_field(ep: &EndpointSpec) -> Option<&'static str> {
    ep.result
        .and_then(|r| r.message_field)
        .or_else(|| payple_types::Role::Message.field(ep, payple_types::Part::Response))
}

/// Whether a response body counts as a success.
pub(crate) fn is_success(ep: &EndpointSpec, v: &Value, method: Applies) -> bool {
    ep.answer_succeeded(v, method)
}

/// The payment method a body names.
pub(crate) fn method_of(ep: &EndpointSpec, v: &Value) -> Applies {
    match ep.payment_method(v) {
        Applies::Both => {
            // Endpoints without a payment-method field of their own (auth, window calls)
            // name the method in the service's payment-method role.
            let role = payple_types::Role::PaymentMethod;
            let value = role
                .field(ep, payple_types::Part::Request)
                .or_else(|| role.field(ep, payple_types::Part::Response))
                .and_then(|f| v.get(f))
                .and_then(Value::as_str);
            value
                .and_then(Applies::method_named)
                .unwrap_or(Applies::Both)
        }
        m => m,
    }
}

/// The best documented response sample: an object without error findings that reads as a
/// success for `method`; fewer findings and strict JSON preferred. Computed once per
/// endpoint and method.
pub(crate) fn best_sample(ep: &'static EndpointSpec, method: Applies) -> Option<Value> {
    type Cache = Mutex<HashMap<(&'static str, u8), Option<Value>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (ep.id, method as u8);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return v.clone();
    }
    let v = compute_best_sample(ep, method);
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, v.clone());
    v
}

fn compute_best_sample(ep: &EndpointSpec, method: Applies) -> Option<Value> {
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

type Index = HashMap<(&'static str, String), Vec<(bool, String)>>;

/// Every string value the documentation's samples give a field name, per service:
/// (whether the sample reads without error findings, value).
fn documented_index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut idx: Index = HashMap::new();
        for ep in payple_types::endpoints() {
            for s in ep.samples {
                let Ok(r) = repair(s.raw) else { continue };
                let fields = ep.fields(s.part);
                let clean = validate_value(ep, s.part, &coerce(fields, &r.value)).is_valid();
                let mut add = |k: &str, v: &Value| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return,
                    };
                    // Program text standing in for a value (`$billing_key`, `get('x')`).
                    if v.contains(['$', '(', '\'', '{']) {
                        return;
                    }
                    let e = idx.entry((ep.service, k.to_string())).or_default();
                    if !e.iter().any(|(_, x)| *x == v) {
                        e.push((clean, v));
                    }
                };
                let Some(obj) = r.value.as_object() else {
                    continue;
                };
                for (k, v) in obj {
                    match v {
                        Value::Object(inner) => inner.iter().for_each(|(k, v)| add(k, v)),
                        Value::Array(items) => {
                            if let Some(Value::Object(inner)) = items.first() {
                                inner.iter().for_each(|(k, v)| add(k, v));
                            }
                        }
                        _ => add(k, v),
                    }
                }
            }
        }
        for values in idx.values_mut() {
            // Values of samples without error findings first.
            values.sort_by_key(|(clean, _)| !*clean);
        }
        idx
    })
}

/// A value the documentation gives this field somewhere in the service (samples without
/// error findings first; placeholders written in prose are skipped for ASCII-only
/// fields' lookalikes by the type-code check).
pub(crate) fn documented_value(service: &str, f: &FieldSpec) -> Option<String> {
    documented_index()
        .iter()
        .filter(|((svc, name), _)| *svc == service && name == f.name)
        .flat_map(|(_, values)| values.iter())
        .filter_map(|(clean, v)| first_alternative(f, v).map(|v| (*clean, v)))
        .find(|(clean, v)| fits(f, v) && (*clean || v.is_ascii()))
        .map(|(_, v)| v)
}

/// A documented value as a value: `성공|실패..` (alternatives written as one) becomes its
/// first alternative where the field has no closed set; ellipses mark an elided value.
fn first_alternative(f: &FieldSpec, v: &str) -> Option<String> {
    let v = if f.values.is_empty() && v.contains('|') {
        v.split('|').next().unwrap_or("").trim()
    } else {
        v
    };
    let elided = v.contains("...") || v.contains('…') || v.ends_with("..");
    (!v.is_empty() && !elided).then(|| v.to_string())
}

/// The value a successful documented sample of this endpoint gives a field, whether or not
/// the sample is otherwise clean (messages of answers without a documented code).
fn endpoint_sample_text(ep: &EndpointSpec, name: &str, method: Applies) -> Option<String> {
    let f = ep.response.iter().find(|f| f.name == name)?;
    ep.samples
        .iter()
        .filter(|s| s.part == Part::Response)
        .filter_map(|s| repair(s.raw).ok())
        .filter(|r| {
            ep.status_field().is_none_or(|(sf, ok)| {
                r.value
                    .get(sf)
                    .and_then(Value::as_str)
                    .and_then(|v| v.split('|').next())
                    .map(str::trim)
                    == Some(ok)
            })
        })
        .filter(|r| {
            let m = method_of(ep, &r.value);
            method == Applies::Both || m == Applies::Both || m == method
        })
        .find_map(|r| {
            r.value
                .get(name)
                .and_then(Value::as_str)
                .and_then(|v| first_alternative(f, v))
                .filter(|v| fits(f, v))
        })
}

/// A success message for an answer without a documented one: a clean sample's, else the
/// service's documented messages, else any sample's.
fn success_message(ep: &EndpointSpec, m: &str, method: Applies) -> Option<String> {
    let f = ep.response.iter().find(|f| f.name == m)?;
    let clean = payple_types::endpoint(ep.id)
        .and_then(|e| best_sample(e, method))
        .and_then(|s| s.get(m)?.as_str().map(str::to_string));
    clean
        .or_else(|| endpoint_sample_text(ep, m, method).filter(|v| !v.contains("메시지")))
        .or_else(|| documented_value(ep.service, f))
}

/// Whether `v` satisfies a scalar field's type code, values and formats.
pub(crate) fn fits(f: &FieldSpec, v: &str) -> bool {
    f.type_code.is_none_or(|c| c.check(v).is_ok())
        && (f.values.is_empty() || f.values.contains(&v))
        && (f.formats.is_empty() || f.formats.iter().any(|fm| fm.parse(v).is_ok()))
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

/// A fresh value for a field: the documented sample's value with its letters and digits
/// redrawn (ids, keys, trade numbers keep their documented shape), else one synthesized from
/// the type code.
pub(crate) fn fresh_value(
    ep: &'static EndpointSpec,
    method: Applies,
    name: &str,
    now: SystemTime,
) -> String {
    let Some(f) = ep.response.iter().find(|f| f.name == name) else {
        return random_string(ALNUM, 20);
    };
    let documented = best_sample(ep, method)
        .as_ref()
        .and_then(|s| s.get(name))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| documented_value(ep.service, f));
    if let Some(old) = documented {
        let new = same_shape_random(&old);
        if fits(f, &new) {
            return new;
        }
    }
    synth_scalar(f, now)
}

/// The `example` the spec gives the field at `path` (outer names first) of an endpoint part,
/// read from the JSON Schema payple-types embeds (the runtime tables carry no examples). For
/// fields no sample shows; the spec marks an example it chose itself (`example_evidence`).
fn spec_example(ep: &EndpointSpec, part: Part, path: &[&str]) -> Option<String> {
    type Cache = Mutex<HashMap<(&'static str, bool), Option<Value>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (ep.id, part == Part::Response);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    let schema = cache.entry(key).or_insert_with(|| {
        payple_types::schema(ep.id, part).and_then(|s| serde_json::from_str(s).ok())
    });
    let mut node = schema.as_ref()?;
    for name in path {
        node = node.get("properties")?.get(*name)?;
    }
    node.get("examples")?.get(0)?.as_str().map(str::to_string)
}

/// The scalar field at `path` (outer names first) of a field list.
fn field_at(fields: &'static [FieldSpec], path: &[&str]) -> Option<&'static FieldSpec> {
    let (last, outer) = path.split_last()?;
    let mut fields = fields;
    for name in outer {
        fields = match fields.iter().find(|f| f.name == *name)?.shape {
            FieldShape::Object(inner) | FieldShape::List(inner) => inner,
            FieldShape::Scalar => return None,
        };
    }
    fields
        .iter()
        .find(|f| f.name == *last && f.shape == FieldShape::Scalar)
}

/// A value for the response field at `path` of `ep` from the spec's example: times written
/// as `now` in the example's shape (UTC where the name says so), other volatile values
/// (keys) redrawn in it; `None` without an example, or when the result breaks the field's
/// rules.
pub(crate) fn example_value(
    ep: &'static EndpointSpec,
    path: &[&str],
    now: SystemTime,
) -> Option<String> {
    let f = field_at(ep.response, path)?;
    let example = spec_example(ep, Part::Response, path)?;
    let v = if f.volatile {
        refresh(f, &example, now)
    } else {
        example
    };
    fits(f, &v).then_some(v)
}

/// A masked number for the response field at `path` of `ep`: `digits` written in the shape
/// of the field's documented sample value, else of its spec example, where that is masked.
pub(crate) fn masked_value(
    ep: &'static EndpointSpec,
    path: &[&str],
    digits: &str,
) -> Option<String> {
    let f = field_at(ep.response, path)?;
    let template = documented_value(ep.service, f)
        .filter(|t| t.contains('*'))
        .or_else(|| spec_example(ep, Part::Response, path).filter(|t| t.contains('*')))?;
    let v = mask_like(&template, digits);
    fits(f, &v).then_some(v)
}

/// The documented sample's value of a field (for values that are not ids: a card company
/// name, a bank code, a masked number, a receipt URL), else a synthesized one.
pub(crate) fn sample_value(
    ep: &'static EndpointSpec,
    method: Applies,
    name: &str,
    now: SystemTime,
) -> Option<String> {
    let f = ep.response.iter().find(|f| f.name == name)?;
    let from_sample = best_sample(ep, method)
        .as_ref()
        .and_then(|s| s.get(name))
        .and_then(Value::as_str)
        .filter(|v| fits(f, v))
        .map(str::to_string)
        .or_else(|| endpoint_sample_text(ep, name, method))
        .or_else(|| documented_value(ep.service, f));
    Some(from_sample.unwrap_or_else(|| synth_scalar(f, now)))
}

/// `actual`'s digits written in the shape of a documented masked value: digits and `*` of
/// the template take the next digit (a `*` hides it), other characters stay.
pub(crate) fn mask_like(template: &str, actual: &str) -> String {
    let digits: Vec<char> = actual.chars().filter(char::is_ascii_digit).collect();
    let slots = template
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '*')
        .count();
    // Align on the end, so that the last digits of the number are the last ones shown.
    let mut i = digits.len().saturating_sub(slots);
    let mut skip = slots.saturating_sub(digits.len());
    template
        .chars()
        .map(|c| {
            if !(c.is_ascii_digit() || c == '*') {
                return c;
            }
            if skip > 0 {
                skip -= 1;
                return c;
            }
            let d = digits.get(i).copied().unwrap_or(c);
            i += 1;
            if c == '*' { '*' } else { d }
        })
        .collect()
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

/// Adds every field that is required but missing (twice, for conditions on added fields),
/// preferring the documented sample's value.
fn fill_required(
    service: &str,
    fields: &[FieldSpec],
    obj: &mut Map<String, Value>,
    sample: Option<&Map<String, Value>>,
    method: Applies,
    now: SystemTime,
) {
    for _ in 0..2 {
        for f in fields {
            if obj.keys().any(|k| f.matches(k)) || !required_now(f, obj, method) {
                continue;
            }
            let from_sample = sample.and_then(|s| s.get(f.name));
            let v = match f.shape {
                FieldShape::Scalar => {
                    let s = from_sample
                        .and_then(Value::as_str)
                        .filter(|v| fits(f, v))
                        .map(str::to_string)
                        .or_else(|| documented_value(service, f))
                        .map(|v| {
                            let v = if f.volatile { refresh(f, &v, now) } else { v };
                            if fits(f, &v) { v } else { synth_scalar(f, now) }
                        })
                        .unwrap_or_else(|| synth_scalar(f, now));
                    Value::String(s)
                }
                FieldShape::Object(inner) => {
                    let mut m = Map::new();
                    let inner_sample = from_sample.and_then(Value::as_object);
                    fill_required(service, inner, &mut m, inner_sample, method, now);
                    Value::Object(m)
                }
                FieldShape::List(_) => Value::Array(Vec::new()),
            };
            obj.insert(f.name.to_string(), v);
        }
    }
}

/// A volatile value redrawn: times set to `now` in the same format, ids redrawn in shape.
fn refresh(f: &FieldSpec, old: &str, now: SystemTime) -> String {
    if let Some(t) = fresh_time(f, Some(old), now) {
        return t;
    }
    let digits = old.chars().filter(char::is_ascii_digit).count();
    if time_like(f.name) && (8..=20).contains(&digits) {
        // `now` written into the digit positions of the documented value, separators kept
        // (`2022-08-08T09:02:03Z`, `20211022152040289`); UTC where the name says so.
        let source = if f.name.to_ascii_lowercase().contains("utc") {
            utc_digits(now)
        } else {
            kst_digits(now)
        };
        let mut src = source.chars();
        return old
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    src.next().unwrap_or('0')
                } else {
                    c
                }
            })
            .collect();
    }
    same_shape_random(old)
}

/// A ledger value as the field `f` shows it.
pub(crate) fn render(f: &FieldSpec, v: &Val) -> String {
    match v {
        Val::Text(t) => t.to_string(),
        Val::Time(t) => fresh_time(f, None, *t).unwrap_or_else(|| {
            let digits = kst_digits(*t);
            let max = f
                .type_code
                .and_then(|c| c.max_len)
                .map_or(14, |m| m as usize)
                .min(14);
            digits.chars().take(max.max(8)).collect()
        }),
    }
}

/// Whether a field is the endpoint's status, code or message field.
fn result_field(ep: &EndpointSpec, name: &str) -> bool {
    ep.status_field().is_some_and(|(f, _)| f == name)
        || ep.result.is_some_and(|r| r.code_field == name)
        || message_field(ep) == Some(name)
}

/// A success answer for `ep`: see [`fill`]; plus status, success code and message.
pub(crate) fn success(
    ep: &'static EndpointSpec,
    method: Applies,
    request: &Value,
    records: &[&Record],
    now: SystemTime,
) -> Value {
    let sample = best_sample(ep, method);
    let mut obj = Map::new();
    set_success_result(ep, method, &mut obj);
    let skip = |name: &str| result_field(ep, name);
    fill(
        ep.service,
        ep.response,
        &mut obj,
        sample.as_ref().and_then(Value::as_object),
        records,
        request,
        method,
        now,
        &skip,
    );
    echo_work_code(ep, method, &mut obj);
    Value::Object(obj)
}

/// The work code (`Role::PayWork`) an operation was authorised for, echoed where the
/// endpoint documents it in its answer: the second call does not repeat it, yet the
/// official samples read it back (payple-clients.md, payUserInfo.php, taxSaveReq.php).
fn echo_work_code(ep: &EndpointSpec, method: Applies, obj: &mut Map<String, Value>) {
    let Some((flag, value)) = ep.auth_flag else {
        return;
    };
    let documented = ep.response.iter().any(|f| {
        f.name == flag
            && f.shape == FieldShape::Scalar
            && f.applies.admits(method)
            && (f.values.is_empty() || f.values.contains(&value))
    });
    if documented && crate::protocol::names::cpay(payple_types::Role::PayWork) == flag {
        obj.entry(flag)
            .or_insert_with(|| Value::String(value.into()));
    }
}

/// Fills an answer object of `fields`:
///
/// 1. the fields of the ledger `records` (a payment, a billing key);
/// 2. the request's values for same-named fields (a masked shape where the documented
///    sample shows a masked value);
/// 3. without records, the documented sample's non-personal fields (sensitive sample values
///    are someone else's data), volatile ones redrawn;
/// 4. every field required on success for `method`, from the sample where it fits, else
///    synthesized from its type code and format.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fill(
    service: &str,
    fields: &'static [FieldSpec],
    obj: &mut Map<String, Value>,
    sample: Option<&Map<String, Value>>,
    records: &[&Record],
    request: &Value,
    method: Applies,
    now: SystemTime,
    skip: &dyn Fn(&str) -> bool,
) {
    for rec in records {
        for (name, val) in rec.iter() {
            let Some(f) = fields
                .iter()
                .find(|f| f.name == *name && f.shape == FieldShape::Scalar)
            else {
                continue;
            };
            if !f.applies.admits(method) || skip(f.name) {
                continue;
            }
            let s = render(f, val);
            if fits(f, &s) {
                obj.insert(f.name.to_string(), Value::String(s));
            }
        }
    }
    if let Some(req) = request.as_object() {
        for f in fields.iter().filter(|f| f.shape == FieldShape::Scalar) {
            if obj.contains_key(f.name) || !f.applies.admits(method) || skip(f.name) {
                continue;
            }
            let Some(v) = req.get(f.name).and_then(Value::as_str) else {
                continue;
            };
            let masked_template = sample
                .and_then(|s| s.get(f.name))
                .and_then(Value::as_str)
                .filter(|s| s.contains('*'));
            let v = match masked_template {
                Some(tpl) => mask_like(tpl, v),
                None => v.to_string(),
            };
            if !v.is_empty() && fits(f, &v) {
                obj.insert(f.name.into(), Value::String(v));
            }
        }
    }
    if records.is_empty()
        && let Some(s) = sample
    {
        for (k, v) in s {
            let Some(f) = field(fields, k) else {
                continue;
            };
            if obj.contains_key(f.name) || f.sensitive || !f.applies.admits(method) || skip(f.name)
            {
                continue;
            }
            let v = match (f.shape, v) {
                (FieldShape::Scalar, Value::String(old)) if f.volatile => {
                    Value::String(refresh(f, old, now))
                }
                _ => v.clone(),
            };
            obj.insert(f.name.to_string(), v);
        }
    }
    fill_required(service, fields, obj, sample, method, now);
}

/// The documented scalar fields of an answer as a ledger record (result fields left out;
/// fields with a date-and-time format kept as the moment `now`).
pub(crate) fn record_of(ep: &'static EndpointSpec, body: &Value, now: SystemTime) -> Record {
    let Some(obj) = body.as_object() else {
        return Vec::new();
    };
    let mut rec = Vec::new();
    for f in ep.response.iter().filter(|f| f.shape == FieldShape::Scalar) {
        if result_field(ep, f.name) {
            continue;
        }
        let Some(v) = obj.get(f.name).and_then(Value::as_str) else {
            continue;
        };
        let timed = f
            .formats
            .iter()
            .any(|fm| fm.pieces.contains(&Piece::Hour) && fm.parse(v).is_ok());
        rec.push((
            f.name,
            if timed {
                Val::Time(now)
            } else {
                Val::Text(v.into())
            },
        ));
    }
    rec
}

/// Whether a field is the endpoint's status, code or message field.
pub(crate) fn is_result_field(ep: &EndpointSpec, name: &str) -> bool {
    result_field(ep, name)
}

/// Status `success`, the documented success code for `method` and its message.
fn set_success_result(ep: &EndpointSpec, method: Applies, obj: &mut Map<String, Value>) {
    if let Some((f, ok)) = ep.status_field() {
        obj.insert(f.into(), Value::String(ok.into()));
    }
    let Some(r) = ep.result else {
        if let Some(m) = message_field(ep)
            && let Some(msg) = success_message(ep, m, method)
        {
            obj.insert(m.into(), Value::String(msg));
        }
        return;
    };
    // No documented success code for this payment method (transfer billing payment):
    // answer without a code rather than with a code the spec calls a mismatch.
    // The per-method pairing first (PCHK000 for cards, PCHK0000 for transfers), where the
    // spec records one; then any documented success code admitted for the method.
    let paired = r
        .method_codes
        .iter()
        .find(|(c, a)| *a == method && r.is_success_code(c, method));
    if let Some((c, _)) = paired.or_else(|| r.success_codes.iter().find(|(_, a)| a.admits(method)))
    {
        obj.insert(r.code_field.into(), Value::String((*c).into()));
        if let Some(m) = r.message_field.or_else(|| message_field(ep)) {
            let documented = r.lookup(c).and_then(|e| e.message).map(str::to_string);
            let msg = documented
                .or_else(|| success_message(ep, m, method))
                .unwrap_or_else(|| message_for(ep, c));
            obj.insert(m.into(), Value::String(msg));
        }
    } else if let Some(m) = r.message_field.or_else(|| message_field(ep))
        && let Some(msg) = success_message(ep, m, method)
    {
        obj.insert(m.into(), Value::String(msg));
    }
}

/// The field carrying the result code: the result rule's, else a documented `..._CODE`
/// field (answers without a result rule, such as the CERT confirmation).
pub(crate) fn code_field(ep: &EndpointSpec) -> Option<&'static str> {
    ep.result.map(|r| r.code_field).or_else(|| {
        ep.response
            .iter()
            .find(|f| f.shape == FieldShape::Scalar && f.name.ends_with("_CODE"))
            .map(|f| f.name)
    })
}

/// A failure answer carrying `code`: the status field set to `error`, the code in the code
/// field and Payple's message in the message field. Without a code field (cpay.auth) the
/// message field reads `[CODE] message`.
pub(crate) fn failure_body(ep: &EndpointSpec, code: &str) -> Value {
    let mut obj = Map::new();
    let message = message_for(ep, code);
    if let Some((f, ok)) = ep.status_field() {
        let fs = ep.response.iter().find(|x| x.name == f);
        let bad = fs
            .and_then(|x| x.values.iter().find(|v| **v != ok && **v == "error"))
            .copied()
            .unwrap_or("error");
        obj.insert(f.into(), Value::String(bad.into()));
    }
    match code_field(ep) {
        Some(cf) => {
            obj.insert(cf.into(), Value::String(code.into()));
            if let Some(m) = ep
                .result
                .and_then(|r| r.message_field)
                .or_else(|| message_field(ep))
            {
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
