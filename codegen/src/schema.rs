//! JSON Schema (draft 2020-12) for each endpoint part.
//!
//! The schema states the same rules as the generated validator, so that both give the same
//! valid / invalid verdict (a test checks this): errors in the validator are schema
//! violations, warnings (undocumented or legacy fields, fields of the other payment method,
//! codes missing from the catalog) are not.

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
    let mut schema = object_schema(&spec.alphabet, fields, ep.payment_method_field.as_deref());
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
        all_of.extend(result_rules(ep, r));
        if !all_of.is_empty() {
            obj.insert("allOf".into(), Value::Array(all_of));
        }
    }
    head.append(obj);
    Value::Object(head)
}

fn object_schema(alphabet: &Alphabet, fields: &[Field], method_field: Option<&str>) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut all_of = Vec::new();
    for f in fields {
        let prop = field_schema(alphabet, f);
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
        // Required rules. A field may also be supplied under a legacy name.
        let presence = presence_of(f);
        let method_guard = match (f.applies, method_field) {
            (Applies::Both, _) | (_, None) => None,
            (m, Some(mf)) => Some(condition_schema(mf, &[m.as_str().to_string()])),
        };
        let cond = match &f.required {
            Required::Never => continue,
            Required::Always => None,
            Required::When(c) => Some(match c.test.values() {
                Some(vals) => condition_schema(&c.field, &vals),
                None => json!({ "required": [c.field] }),
            }),
        };
        let guard = match (method_guard, cond) {
            (None, None) => None,
            (Some(g), None) | (None, Some(g)) => Some(g),
            (Some(a), Some(b)) => Some(json!({ "allOf": [a, b] })),
        };
        match guard {
            None if f.legacy_names.is_empty() => required.push(json!(f.name)),
            None => all_of.push(presence),
            Some(g) => all_of.push(json!({ "if": g, "then": presence })),
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

/// "The field is present, under its name or a legacy one."
fn presence_of(f: &Field) -> Value {
    if f.legacy_names.is_empty() {
        json!({ "required": [f.name] })
    } else {
        let mut any = vec![json!({ "required": [f.name] })];
        any.extend(
            f.legacy_names
                .iter()
                .map(|l| json!({ "required": [l.name] })),
        );
        json!({ "anyOf": any })
    }
}

/// "`field` is present and one of `values`."
fn condition_schema(field: &str, values: &[String]) -> Value {
    json!({
        "properties": { field: { "enum": values } },
        "required": [field]
    })
}

fn field_schema(alphabet: &Alphabet, f: &Field) -> Value {
    let mut o = Map::new();
    let mut desc = f.description.clone();
    if let Some(ko) = &f.ko {
        desc = format!("{desc} ({ko})");
    }
    match f.shape {
        Shape::Scalar => {
            o.insert("type".into(), json!("string"));
            if let Some(code) = &f.enforced_type {
                if let Some(max) = code.max_len {
                    o.insert("maxLength".into(), json!(max));
                }
                if let Some(mask) = code.mask {
                    o.insert("pattern".into(), json!(alphabet.pattern(mask)));
                }
                o.insert("x-payple-type".into(), json!(code.notation));
            }
            if let Some(doc) = &f.documented_type
                && Some(doc) != f.enforced_type.as_ref()
            {
                o.insert("x-payple-documented-type".into(), json!(doc.notation));
            }
            if !f.values.is_empty() {
                o.insert(
                    "enum".into(),
                    Value::Array(f.values.iter().map(|(v, _)| json!(v)).collect()),
                );
            }
            if let Some(ex) = &f.example {
                o.insert("examples".into(), json!([ex]));
            }
        }
        Shape::Object => {
            o = object_schema(alphabet, &f.fields, None)
                .as_object()
                .cloned()
                .unwrap_or_default();
        }
        Shape::List => {
            o.insert("type".into(), json!("array"));
            o.insert("items".into(), object_schema(alphabet, &f.fields, None));
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
    Value::Object(o)
}

/// Success-code rules: when the status says success the code must be a success code of the
/// payment method; when it says otherwise the code must not be one.
fn result_rules(ep: &Endpoint, r: &ResultRule) -> Vec<Value> {
    let Some((status_field, success)) = &r.status else {
        return Vec::new();
    };
    let code = &r.code_field;
    let codes_for = |m: Option<Applies>| -> Vec<String> {
        let mut v: Vec<String> = r
            .success_codes
            .iter()
            .filter(|sc| match m {
                None => true,
                Some(m) => sc.applies == Applies::Both || sc.applies == m,
            })
            .map(|sc| sc.code.clone())
            .collect();
        v.dedup();
        v
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
                "then": { "properties": { code: { "enum": codes_for(Some(*m)) } } }
            }));
        }
        rules.push(json!({
            "if": { "allOf": [
                status_is_success,
                { "not": condition_schema(mf, &["card".to_string(), "transfer".to_string()]) }
            ] },
            "then": { "properties": { code: { "enum": codes_for(None) } } }
        }));
        for m in &methods {
            rules.push(json!({
                "if": { "allOf": [
                    { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
                    condition_schema(mf, &[m.as_str().to_string()])
                ] },
                "then": { "properties": { code: { "not": { "enum": codes_for(Some(*m)) } } } }
            }));
        }
        rules.push(json!({
            "if": { "allOf": [
                { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
                { "not": condition_schema(mf, &["card".to_string(), "transfer".to_string()]) }
            ] },
            "then": { "properties": { code: { "not": { "enum": codes_for(None) } } } }
        }));
    } else {
        rules.push(json!({
            "if": status_is_success,
            "then": { "properties": { code: { "enum": codes_for(None) } } }
        }));
        rules.push(json!({
            "if": { "properties": { status_field: { "not": { "const": success } } }, "required": [status_field] },
            "then": { "properties": { code: { "not": { "enum": codes_for(None) } } } }
        }));
    }
    rules
}
