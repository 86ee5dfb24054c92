//! JSON Schema (draft 2020-12) for each endpoint part.
//!
//! The schema states the same rules as the generated validator, so that both give the same
//! valid / invalid verdict (a test checks this): errors in the validator are schema
//! violations, warnings (undocumented or legacy fields, fields of the other payment method,
//! codes missing from the catalog) are not.

use crate::datefmt::Piece;
use crate::model::*;
use crate::typecode::Alphabet;
use serde_json::{Map, Value, json};

/// The `$id` of a schema.
pub fn schema_id(endpoint: &str, part: Part) -> String {
    format!(
        "https://payple-spec.github.io/schemas/{endpoint}.{}.json",
        part.as_str()
    )
}

/// The schema of one endpoint part.
pub fn endpoint_schema(spec: &Spec, ep: &Endpoint, part: Part) -> Value {
    let fields = ep.fields(part);
    let place = Place {
        spec,
        result: match part {
            Part::Response => ep.result.as_ref(),
            Part::Request => None,
        },
        method_field: ep.payment_method_field.as_deref(),
    };
    let mut schema = object_schema(place, fields);
    let obj = schema.as_object_mut().expect("object schema");
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    head.insert("$id".into(), json!(schema_id(&ep.id, part)));
    head.insert(
        "title".into(),
        json!(format!(
            "{} ({}) {}",
            ep.title.en,
            ep.title.ko,
            part.as_str()
        )),
    );
    head.insert(
        "description".into(),
        json!(format!("{} Documentation: {}", ep.summary, ep.doc_url())),
    );
    if part == Part::Response
        && let Some(r) = &ep.result
    {
        let mut all_of = obj
            .remove("allOf")
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        all_of.extend(result_rules(spec, ep, r));
        if !all_of.is_empty() {
            obj.insert("allOf".into(), Value::Array(all_of));
        }
    }
    head.append(obj);
    Value::Object(head)
}

/// What one object's rules need to know about where the object sits.
#[derive(Clone, Copy)]
struct Place<'a> {
    spec: &'a Spec,
    /// The endpoint's result rule, for `on: success` / `on: error` (top level only).
    result: Option<&'a ResultRule>,
    /// The payment-method field (top level only).
    method_field: Option<&'a str>,
}

fn object_schema(place: Place<'_>, fields: &[Field]) -> Value {
    let spec = place.spec;
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut all_of = Vec::new();
    for f in fields {
        // `null` reads as absent everywhere (a required field sent as `null` is missing),
        // `""` where the field is not required at that point.
        let strict = with_absent_forms(spec, field_schema(spec, f), false);
        let prop = match f.required {
            Required::Always => strict.clone(),
            _ => with_absent_forms(spec, field_schema(spec, f), true),
        };
        for l in &f.legacy_names {
            let mut legacy = prop.clone();
            if let Some(o) = legacy.as_object_mut() {
                o.insert("deprecated".into(), json!(true));
                o.insert(
                    "description".into(),
                    json!(format!("Legacy name of {}.", f.name)),
                );
            }
            props.insert(l.name.clone(), legacy);
        }
        props.insert(f.name.clone(), prop);
        let binding = f.required_rule.as_ref().is_some_and(|r| r.documented)
            && f.required_contested.is_none();
        // Required rules. A field may also be supplied under a legacy name.
        let presence = presence_of(spec, f);
        let method_guard = match (f.applies, place.method_field) {
            (Applies::Both, _) | (_, None) => None,
            (m, Some(mf)) => Some(condition_schema(mf, &[m.as_str().to_string()])),
        };
        let cond = match &f.required {
            Required::Never => continue,
            Required::Always => None,
            Required::When(c) => match condition_of(place, c) {
                Some(c) => Some(c),
                // A condition that can never hold here (e.g. `on:` inside a list item).
                None => continue,
            },
        };
        let guard = match (method_guard, cond) {
            (None, None) => None,
            (Some(g), None) | (None, Some(g)) => Some(g),
            (Some(a), Some(b)) => Some(json!({ "allOf": [a, b] })),
        };
        match guard {
            None if !binding => {}
            None if f.legacy_names.is_empty()
                && spec.leniency(LenientForm::NullIsAbsent).is_none() =>
            {
                required.push(json!(f.name))
            }
            None => all_of.push(presence),
            Some(g) => {
                // When the field is required, `""` and `null` are values, checked as such.
                let mut then = Map::new();
                let mut checked = Map::new();
                checked.insert(f.name.clone(), strict.clone());
                for l in &f.legacy_names {
                    checked.insert(l.name.clone(), strict.clone());
                }
                then.insert("properties".into(), Value::Object(checked));
                let mut then = Value::Object(then);
                if binding {
                    then = json!({ "allOf": [then, presence] });
                }
                all_of.push(json!({ "if": g, "then": then }));
            }
        }
    }
    let mut o = Map::new();
    o.insert("type".into(), json!("object"));
    o.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        o.insert("required".into(), Value::Array(required));
    }
    if !all_of.is_empty() {
        o.insert("allOf".into(), Value::Array(all_of));
    }
    Value::Object(o)
}

/// `schema`, or `null` (and `""` when `empty`) where the spec declares that they read as
/// absent.
fn with_absent_forms(spec: &Spec, schema: Value, empty: bool) -> Value {
    let mut any = Vec::new();
    if empty && spec.leniency(LenientForm::EmptyStringIsAbsent).is_some() {
        any.push(json!({ "const": "" }));
    }
    if spec.leniency(LenientForm::NullIsAbsent).is_some() {
        any.push(json!({ "type": "null" }));
    }
    if any.is_empty() {
        return schema;
    }
    // Keep the annotations at the top, the alternatives below.
    let mut o = match schema {
        Value::Object(o) => o,
        other => return other,
    };
    let mut checks = Map::new();
    // Keywords that would refuse `""` or `null`; the others (maxLength, properties,
    // items, required, ...) pass them anyway and stay where readers expect them.
    for key in ["type", "enum", "anyOf", "allOf", "if", "then"] {
        if let Some(v) = o.remove(key) {
            checks.insert(key.into(), v);
        }
    }
    any.push(Value::Object(checks));
    o.insert("anyOf".into(), Value::Array(any));
    Value::Object(o)
}

/// The JSON-Schema test of a requirement's condition, `None` when it cannot hold here.
fn condition_of(place: Place<'_>, c: &Condition) -> Option<Value> {
    let mut parts = Vec::new();
    if let Some(s) = &c.sibling {
        parts.push(match (&s.test, s.test.values()) {
            (_, Some(vals)) => condition_schema(&s.field, &vals),
            (ConditionTest::Absent, None) => json!({ "not": present_schema(place.spec, &s.field) }),
            (_, None) => present_schema(place.spec, &s.field),
        });
    }
    if c.method != Applies::Both {
        let mf = place.method_field?;
        parts.push(condition_schema(mf, &[c.method.as_str().to_string()]));
    }
    match c.on {
        Outcome::Any => {}
        Outcome::Success => parts.push(outcome_schema(place.spec, place.result?, true)),
        Outcome::Error => parts.push(outcome_schema(place.spec, place.result?, false)),
    }
    Some(match parts.len() {
        0 => json!(true),
        1 => parts.remove(0),
        _ => json!({ "allOf": parts }),
    })
}

/// "The answer is a success" (or a failure): the status field decides when there is one,
/// else the result code (`ResultSpec::outcome` in payple-types).
fn outcome_schema(spec: &Spec, r: &ResultRule, success: bool) -> Value {
    if let Some((status, value)) = &r.status {
        let test = if success {
            json!({ "const": value })
        } else {
            json!({ "not": { "const": value } })
        };
        return json!({ "properties": { status: test }, "required": [status] });
    }
    let codes = Value::Array(
        success_code_spellings(spec, r.success_codes.iter().map(|c| c.code.as_str()))
            .into_iter()
            .map(Value::String)
            .collect(),
    );
    let test = if success {
        json!({ "enum": codes })
    } else {
        json!({ "not": { "enum": codes } })
    };
    json!({ "properties": { r.code_field.clone(): test }, "required": [r.code_field] })
}

/// Each code as sent, and with every test-environment prefix (`[test]PCHK0000`,
/// `[test] PCHK0000`): the validator removes the prefix before comparing.
fn success_code_spellings<'a>(spec: &Spec, codes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for c in codes {
        out.push(c.to_string());
        for (p, _) in &spec.message_prefixes {
            out.push(format!("{p}{c}"));
            out.push(format!("{p} {c}"));
        }
    }
    out.dedup();
    out
}

/// "The field is present, under its name or a legacy one."
fn presence_of(spec: &Spec, f: &Field) -> Value {
    if f.legacy_names.is_empty() {
        present_schema(spec, &f.name)
    } else {
        let mut any = vec![present_schema(spec, &f.name)];
        any.extend(f.legacy_names.iter().map(|l| present_schema(spec, &l.name)));
        json!({ "anyOf": any })
    }
}

/// "Key `name` is present": with a value other than `null` where the spec declares that
/// `null` reads as absent.
fn present_schema(spec: &Spec, name: &str) -> Value {
    if spec.leniency(LenientForm::NullIsAbsent).is_some() {
        json!({ "required": [name], "properties": { name: { "not": { "type": "null" } } } })
    } else {
        json!({ "required": [name] })
    }
}

/// "`field` is present and one of `values`."
fn condition_schema(field: &str, values: &[String]) -> Value {
    json!({
        "properties": { field: { "enum": values } },
        "required": [field]
    })
}

/// A JSON-Schema regular expression of a format, calendar included (leap years too).
pub fn format_regex(pieces: &[Piece]) -> String {
    const MONTH: &str = "(?:0[1-9]|1[0-2])";
    const DAY: &str = "(?:0[1-9]|[12][0-9]|3[01])";
    let mut out = String::from("^");
    let mut i = 0;
    while i < pieces.len() {
        let p = pieces[i];
        // A year, month and day in a row (literals between): one exact alternation.
        if p == Piece::Year
            && let Some(m) = pieces[i..]
                .iter()
                .position(|x| *x == Piece::Month)
                .map(|m| m + i)
            && let Some(d) = pieces[m..]
                .iter()
                .position(|x| *x == Piece::Day)
                .map(|d| d + m)
        {
            let lit = |a: usize, b: usize| -> String {
                pieces[a + 1..b]
                    .iter()
                    .map(|x| match x {
                        Piece::Literal(c) => regex_escape(*c),
                        _ => String::new(),
                    })
                    .collect()
            };
            let (s1, s2) = (lit(i, m), lit(m, d));
            out.push_str(&format!(
                "(?:[0-9]{{4}}{s1}(?:(?:0[13578]|1[02]){s2}(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11){s2}(?:0[1-9]|[12][0-9]|30)|02{s2}(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{{2}}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00){s1}02{s2}29)"
            ));
            i = d + 1;
            continue;
        }
        // A month and day without a year: February may have 29 days.
        if p == Piece::Month
            && let Some(d) = pieces[i..]
                .iter()
                .position(|x| *x == Piece::Day)
                .map(|d| d + i)
        {
            let s: String = pieces[i + 1..d]
                .iter()
                .map(|x| match x {
                    Piece::Literal(c) => regex_escape(*c),
                    _ => String::new(),
                })
                .collect();
            out.push_str(&format!(
                "(?:(?:0[13578]|1[02]){s}(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11){s}(?:0[1-9]|[12][0-9]|30)|02{s}(?:0[1-9]|[12][0-9]))"
            ));
            i = d + 1;
            continue;
        }
        out.push_str(&match p {
            Piece::Digits => "[0-9]+".to_string(),
            Piece::Year => "[0-9]{4}".to_string(),
            Piece::Month => MONTH.to_string(),
            Piece::Day => DAY.to_string(),
            Piece::Hour => "(?:[01][0-9]|2[0-3])".to_string(),
            Piece::Minute | Piece::Second => "[0-5][0-9]".to_string(),
            Piece::Milli => "[0-9]{3}".to_string(),
            Piece::Literal(c) => regex_escape(c),
        });
        i += 1;
    }
    out.push('$');
    out
}

fn regex_escape(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\u{:04X}", u32::from(c))
    }
}

fn field_schema(spec: &Spec, f: &Field) -> Value {
    let alphabet: &Alphabet = &spec.alphabet;
    let mut o = Map::new();
    let mut desc = f.description.clone();
    if let Some(ko) = &f.ko {
        desc = format!("{desc} ({ko})");
    }
    let typed = f.type_rule.documented;
    match f.shape {
        Shape::Scalar => {
            // The checks a string value must pass (errors only: rules resting on our own
            // inference give warnings and appear as x-payple annotations instead).
            let mut text = Map::new();
            if typed {
                text.insert("type".into(), json!("string"));
            }
            if let Some(code) = &f.enforced_type {
                if let Some(max) = code.max_len
                    && typed
                {
                    text.insert("maxLength".into(), json!(max));
                }
                if let Some(mask) = code.mask {
                    let key = if spec.alphabet_rule.documented {
                        "pattern"
                    } else {
                        "x-payple-pattern"
                    };
                    o.insert(key.into(), json!(alphabet.pattern(mask)));
                }
                o.insert("x-payple-type".into(), json!(code.notation));
            }
            if let Some(doc) = &f.documented_type
                && Some(doc) != f.enforced_type.as_ref()
            {
                o.insert("x-payple-documented-type".into(), json!(doc.notation));
            }
            let mut string_only = Vec::new();
            if !f.values.is_empty() {
                let list = Value::Array(f.values.iter().map(|(v, _)| json!(v)).collect());
                if f.values_open.is_none() && f.values_rule.documented {
                    string_only.push(json!({ "enum": list }));
                } else {
                    o.insert("x-payple-values".into(), list);
                    if f.values_open.is_some() {
                        o.insert("x-payple-values-open".into(), json!(true));
                    }
                }
            }
            if !f.formats.is_empty() {
                let regexes: Vec<Value> = f
                    .formats
                    .iter()
                    .filter_map(|id| spec.format(id))
                    .map(|d| json!({ "pattern": format_regex(&d.pieces) }))
                    .collect();
                o.insert("x-payple-format".into(), json!(f.formats));
                if f.format_rule.documented {
                    string_only.push(if regexes.len() == 1 {
                        regexes.into_iter().next().unwrap_or(json!(true))
                    } else {
                        json!({ "anyOf": regexes })
                    });
                }
            }
            if !string_only.is_empty() {
                if typed {
                    text.insert("allOf".into(), Value::Array(string_only));
                } else {
                    // Without a binding string type, only strings are checked.
                    text.insert("if".into(), json!({ "type": "string" }));
                    text.insert("then".into(), json!({ "allOf": string_only }));
                }
            }
            let number_ok =
                typed && f.numeric && spec.leniency(LenientForm::NumberForNumericString).is_some();
            if number_ok {
                o.insert(
                    "anyOf".into(),
                    json!([Value::Object(text), { "type": "integer", "minimum": 0 }]),
                );
            } else {
                o.append(&mut text);
            }
            if let Some(ex) = &f.example {
                o.insert("examples".into(), json!([ex]));
            }
        }
        Shape::Object => {
            let place = Place {
                spec,
                result: None,
                method_field: None,
            };
            o = object_schema(place, &f.fields)
                .as_object()
                .cloned()
                .unwrap_or_default();
            if !typed {
                o.remove("type");
            }
        }
        Shape::List => {
            let place = Place {
                spec,
                result: None,
                method_field: None,
            };
            if typed {
                o.insert("type".into(), json!("array"));
            }
            let mut item = object_schema(place, &f.fields);
            if !typed && let Some(i) = item.as_object_mut() {
                i.remove("type");
            }
            o.insert("items".into(), item);
        }
    }
    o.insert("description".into(), json!(desc));
    if f.sensitive {
        o.insert("x-payple-sensitive".into(), json!(true));
    }
    if f.volatile {
        o.insert("x-payple-volatile".into(), json!(true));
    }
    if f.applies != Applies::Both {
        o.insert("x-payple-applies".into(), json!(f.applies.as_str()));
    }
    o.insert("x-payple-evidence".into(), json!(f.evidence));
    if let Some(r) = &f.required_rule {
        o.insert("x-payple-required-evidence".into(), json!(r.evidence));
    }
    Value::Object(o)
}

/// Success-code rules: when the status says success the code must be a success code of the
/// payment method; when it says otherwise the code must not be one.
fn result_rules(spec: &Spec, ep: &Endpoint, r: &ResultRule) -> Vec<Value> {
    let Some((status_field, success)) = &r.status else {
        return Vec::new();
    };
    if !r.success_rule().documented {
        return Vec::new();
    }
    let code = &r.code_field;
    let codes_for = |m: Option<Applies>| -> Vec<String> {
        let mut v: Vec<&str> = r
            .success_codes
            .iter()
            .filter(|sc| match m {
                None => true,
                Some(m) => sc.applies == Applies::Both || sc.applies == m,
            })
            .map(|sc| sc.code.as_str())
            .collect();
        v.dedup();
        success_code_spellings(spec, v.into_iter())
    };
    // The rule reads string codes only (other JSON types are the field's own type rule),
    // and `""` in an optional code field reads as absent.
    let code_blank_ok = spec.leniency(LenientForm::EmptyStringIsAbsent).is_some()
        && ep
            .response
            .iter()
            .find(|f| f.name == *code)
            .is_some_and(|f| f.required != Required::Always);
    let only_strings = |test: Value| -> Value {
        let mut any = vec![json!({ "not": { "type": "string" } }), test];
        if code_blank_ok {
            any.push(json!({ "const": "" }));
        }
        json!({ "anyOf": any })
    };
    let mut rules = Vec::new();
    let methods: Vec<Applies> = match &ep.payment_method_field {
        Some(_) if r.success_codes.iter().any(|s| s.applies != Applies::Both) => {
            vec![Applies::Card, Applies::Transfer]
        }
        _ => Vec::new(),
    };
    let status_is_success = json!({
        "properties": { status_field: { "const": success } },
        "required": [status_field]
    });
    if let (false, Some(mf)) = (methods.is_empty(), &ep.payment_method_field) {
        for m in &methods {
            rules.push(json!({
                "if": { "allOf": [status_is_success, condition_schema(mf, &[m.as_str().to_string()])] },
                "then": { "properties": { code: only_strings(json!({ "enum": codes_for(Some(*m)) })) } }
            }));
        }
        rules.push(json!({
            "if": { "allOf": [
                status_is_success,
                { "not": condition_schema(mf, &["card".to_string(), "transfer".to_string()]) }
            ] },
            "then": { "properties": { code: only_strings(json!({ "enum": codes_for(None) })) } }
        }));
        for m in &methods {
            rules.push(json!({
                "if": { "allOf": [
                    { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
                    condition_schema(mf, &[m.as_str().to_string()])
                ] },
                "then": { "properties": { code: only_strings(json!({ "not": { "enum": codes_for(Some(*m)) } })) } }
            }));
        }
        rules.push(json!({
            "if": { "allOf": [
                { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
                { "not": condition_schema(mf, &["card".to_string(), "transfer".to_string()]) }
            ] },
            "then": { "properties": { code: only_strings(json!({ "not": { "enum": codes_for(None) } })) } }
        }));
    } else {
        rules.push(json!({
            "if": status_is_success,
            "then": { "properties": { code: only_strings(json!({ "enum": codes_for(None) })) } }
        }));
        rules.push(json!({
            "if": { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
            "then": { "properties": { code: only_strings(json!({ "not": { "enum": codes_for(None) } })) } }
        }));
    }
    rules
}
