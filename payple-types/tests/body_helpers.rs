//! The spec-derived body helpers that the mock, the live runner and conformance share:
//! which payment method a body names, and which of its values are sensitive.

#![allow(clippy::unwrap_used, missing_docs)]

use payple_types::{Applies, FieldShape, FieldSpec, Part, endpoints, pointer_token};
use serde_json::{Map, Value, json};

#[test]
fn method_names() {
    assert_eq!(Applies::method_named("card"), Some(Applies::Card));
    assert_eq!(Applies::method_named("transfer"), Some(Applies::Transfer));
    assert_eq!(Applies::method_named("both"), None);
    assert_eq!(Applies::method_named("Card"), None);
    assert_eq!(Applies::method_named(""), None);
}

#[test]
fn the_payment_method_is_read_from_the_endpoints_field() {
    let mut with_field = 0;
    for ep in endpoints() {
        let empty = json!({});
        assert_eq!(ep.payment_method_value(&empty), None, "{}", ep.id);
        assert_eq!(ep.payment_method(&json!("card")), Applies::Both);
        let Some(field) = ep.payment_method_field else {
            assert_eq!(ep.payment_method(&json!({"x": "card"})), Applies::Both);
            continue;
        };
        with_field += 1;
        for (value, method) in [
            (json!("card"), Applies::Card),
            (json!("transfer"), Applies::Transfer),
            (json!("cash"), Applies::Both),
            (json!(1), Applies::Both),
        ] {
            let body = json!({ field: value.clone() });
            assert_eq!(ep.payment_method(&body), method, "{} {value}", ep.id);
            assert_eq!(ep.payment_method_value(&body), Some(&value));
        }
    }
    assert!(with_field > 0, "the spec names no payment-method field");
}

/// A body with every field of `fields` set: scalars to `"v"`, objects and lists (of one
/// item) filled the same way.
fn full_body(fields: &[FieldSpec]) -> Value {
    let mut m = Map::new();
    for f in fields {
        let v = match f.shape {
            FieldShape::Scalar => json!("v"),
            FieldShape::Object(sub) => full_body(sub),
            FieldShape::List(sub) => json!([full_body(sub)]),
        };
        m.insert(f.name.to_string(), v);
    }
    Value::Object(m)
}

/// The pointers of the sensitive fields in [`full_body`].
fn expected(fields: &[FieldSpec], prefix: &str, out: &mut Vec<String>) {
    for f in fields {
        let here = format!("{prefix}/{}", pointer_token(f.name));
        match f.shape {
            _ if f.sensitive => out.push(here),
            FieldShape::Scalar => {}
            FieldShape::Object(sub) => expected(sub, &here, out),
            FieldShape::List(sub) => expected(sub, &format!("{here}/0"), out),
        }
    }
}

#[test]
fn sensitive_values_are_found_at_every_depth() {
    let mut total = 0;
    for ep in endpoints() {
        for part in [Part::Request, Part::Response] {
            let fields = ep.fields(part);
            let body = full_body(fields);
            let mut want = Vec::new();
            expected(fields, "", &mut want);
            let found = payple_types::sensitive_values(fields, &body);
            let mut got: Vec<String> = found.iter().map(|s| s.pointer.clone()).collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{} {part:?}", ep.id);
            for s in &found {
                assert!(s.field.sensitive);
                assert_eq!(body.pointer(&s.pointer), Some(s.value));
            }
            total += found.len();
            // Undocumented keys and bodies that are not objects hold no sensitive value.
            assert!(
                payple_types::sensitive_values(fields, &json!({"zz_undocumented": "v"})).is_empty()
            );
            assert!(payple_types::sensitive_values(fields, &json!(["v"])).is_empty());
        }
    }
    assert!(total > 0, "the spec marks no field sensitive");
}

#[test]
fn legacy_names_count_as_the_field() {
    let Some((ep, part, f)) = endpoints().iter().find_map(|ep| {
        [Part::Request, Part::Response]
            .into_iter()
            .find_map(|part| {
                ep.fields(part)
                    .iter()
                    .find(|f| f.sensitive && !f.legacy_names.is_empty())
                    .map(|f| (ep, part, f))
            })
    }) else {
        return; // no sensitive field has a legacy name in this spec
    };
    let body = json!({ f.legacy_names[0]: "secret-value" });
    let found = payple_types::sensitive_values(ep.fields(part), &body);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].field.name, f.name);
    assert_eq!(found[0].value, &json!("secret-value"));
}
