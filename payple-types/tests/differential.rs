//! Differential test: for every documented sample (and a body built from each endpoint's
//! field examples) and at least 50 mutations of each, the embedded JSON Schema (checked with
//! the `jsonschema` crate) and the compiled validator must give the same valid / invalid
//! verdict.

use payple_types::{
    EndpointSpec, FieldShape, FieldSpec, Part, endpoints, validate_bytes, validate_value,
};
use serde_json::{Map, Value, json};

/// Characters to break a type code with: the first one outside the code's classes is used.
const FOREIGN: &[char] = &['#', 'a', 'A', '0', '가', 'é', '😀', ' '];

fn bad_char(f: &FieldSpec) -> Option<char> {
    let code = f.type_code?;
    FOREIGN.iter().copied().find(|c| {
        let s = c.to_string();
        code.check(&s).is_err()
    })
}

fn long_value(f: &FieldSpec) -> Option<String> {
    let code = f.type_code?;
    let max = code.max_len? as usize;
    let fill = ['0', 'a', 'A', '-', '가']
        .into_iter()
        .find(|c| code.check(&c.to_string()).is_ok())
        .unwrap_or('x');
    Some(std::iter::repeat_n(fill, max + 1).collect())
}

/// A body made of every field's example (for endpoints whose samples are not JSON).
fn example_body(fields: &[FieldSpec], ep: &EndpointSpec, part: Part) -> Map<String, Value> {
    let schema: Value = serde_json::from_str(ep.schema(part)).expect("schema is JSON");
    examples_of(fields, &schema)
}

/// A body of documented examples; nested objects and one-item lists are filled the same way.
fn examples_of(fields: &[FieldSpec], node: &Value) -> Map<String, Value> {
    let mut obj = Map::new();
    for f in fields {
        let prop = &node["properties"][f.name];
        match f.shape {
            FieldShape::Scalar => {
                let ex = prop["examples"][0].clone();
                if ex.is_string() {
                    obj.insert(f.name.to_string(), ex);
                }
            }
            FieldShape::Object(inner) => {
                let nested = examples_of(inner, prop);
                if !nested.is_empty() {
                    obj.insert(f.name.to_string(), Value::Object(nested));
                }
            }
            FieldShape::List(inner) => {
                let item = examples_of(inner, &prop["items"]);
                if !item.is_empty() {
                    obj.insert(f.name.to_string(), json!([item]));
                }
            }
        }
    }
    obj
}

fn mutations(fields: &[FieldSpec], body: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let base = Value::Object(body.clone());
    let with = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut b = body.clone();
        f(&mut b);
        Value::Object(b)
    };
    for key in body.keys() {
        out.push((
            format!("drop {key}"),
            with(&|b| {
                b.remove(key);
            }),
        ));
        out.push((
            format!("{key} as number"),
            with(&|b| {
                b.insert(key.clone(), json!(1000));
            }),
        ));
        out.push((
            format!("{key} as null"),
            with(&|b| {
                b.insert(key.clone(), Value::Null);
            }),
        ));
        out.push((
            format!("{key} empty"),
            with(&|b| {
                b.insert(key.clone(), json!(""));
            }),
        ));
        let text = body[key].as_str().unwrap_or("1").to_string();
        for (label, v) in [
            ("repeated 300 times", text.repeat(300)),
            ("with a newline", format!("{text}\n")),
            ("with an emoji", format!("{text}😀")),
            ("upper-cased", text.to_uppercase()),
        ]
        .into_iter()
        .chain(
            FOREIGN
                .iter()
                .map(|c| ("set to one character", c.to_string())),
        ) {
            out.push((
                format!("{key} {label}"),
                with(&|b| {
                    b.insert(key.clone(), json!(v));
                }),
            ));
        }
    }
    for f in fields {
        if let Some(v) = long_value(f) {
            out.push((
                format!("{} too long", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!(v));
                }),
            ));
        }
        if let Some(c) = bad_char(f) {
            out.push((
                format!("{} with {c:?}", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!(format!("1{c}")));
                }),
            ));
        }
        for v in f.values {
            out.push((
                format!("{} = {v}", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!(v));
                }),
            ));
        }
        if !f.values.is_empty() {
            out.push((
                format!("{} outside its set", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!("ZZ"));
                }),
            ));
        }
        for legacy in f.legacy_names {
            out.push((
                format!("{} renamed {legacy}", f.name),
                with(&|b| {
                    if let Some(v) = b.remove(f.name) {
                        b.insert(legacy.to_string(), v);
                    } else {
                        b.insert(legacy.to_string(), json!("Y"));
                    }
                }),
            ));
        }
        if !body.contains_key(f.name) {
            out.push((
                format!("add {}", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!("1"));
                }),
            ));
            out.push((
                format!("add {} as number", f.name),
                with(&|b| {
                    b.insert(f.name.to_string(), json!(1));
                }),
            ));
        }
    }
    // Nested members: mutate the first item of each documented list and each nested object.
    for f in fields {
        let (FieldShape::List(inner) | FieldShape::Object(inner)) = f.shape else {
            continue;
        };
        let (item, in_list) = match body.get(f.name) {
            Some(Value::Array(items)) => match items.first() {
                Some(Value::Object(o)) => (o.clone(), true),
                _ => continue,
            },
            Some(Value::Object(o)) => (o.clone(), false),
            _ => continue,
        };
        for (what, mutated) in mutations(inner, &item) {
            if what == "not an object" || what == "unchanged" {
                continue;
            }
            out.push((
                format!("{}: {what}", f.name),
                with(&|b| {
                    let nested = if in_list {
                        let mut items = b[f.name].as_array().cloned().unwrap_or_default();
                        items[0] = mutated.clone();
                        Value::Array(items)
                    } else {
                        mutated.clone()
                    };
                    b.insert(f.name.to_string(), nested);
                }),
            ));
        }
    }
    out.push((
        "add undocumented".into(),
        with(&|b| {
            b.insert("PCD_NOT_DOCUMENTED".into(), json!("x"));
        }),
    ));
    out.push(("not an object".into(), json!([base.clone()])));
    out.push(("unchanged".into(), base));
    // Pairs of drops, until there are enough.
    let keys: Vec<&String> = body.keys().collect();
    'outer: for (i, a) in keys.iter().enumerate() {
        for b in keys.iter().skip(i + 1) {
            if out.len() >= 80 {
                break 'outer;
            }
            out.push((
                format!("drop {a} and {b}"),
                with(&|m| {
                    m.remove(*a);
                    m.remove(*b);
                }),
            ));
        }
    }
    out
}

#[test]
fn schema_and_validator_agree() {
    let mut bodies_checked = 0;
    let mut invalid = 0;
    let mut disagreements = Vec::new();
    for ep in endpoints() {
        for part in [Part::Request, Part::Response] {
            let schema: Value = serde_json::from_str(ep.schema(part)).expect("schema is JSON");
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            let fields = ep.fields(part);
            let mut bases: Vec<(String, Map<String, Value>)> = ep
                .samples
                .iter()
                .filter(|s| s.part == part)
                .filter_map(|s| match serde_json::from_str::<Value>(s.raw) {
                    Ok(Value::Object(o)) => Some((s.id.to_string(), o)),
                    _ => None,
                })
                .collect();
            if !fields.is_empty() {
                bases.push(("examples".into(), example_body(fields, ep, part)));
            }
            for (sample, body) in bases {
                let muts = mutations(fields, &body);
                // Fifty mutations per body, fewer only where the part has few fields
                // (hub.remaining_limit's request has two).
                assert!(
                    muts.len() >= (fields.len() * 15).min(50),
                    "{} {part} {sample}: only {} mutations",
                    ep.id,
                    muts.len()
                );
                for (what, value) in muts {
                    bodies_checked += 1;
                    let by_schema = validator.is_valid(&value);
                    let report = validate_value(ep, part, &value);
                    // The one-pass reading of the bytes finds exactly what the tree walk finds.
                    let bytes = serde_json::to_vec(&value).expect("serializes");
                    let streamed = validate_bytes(ep, part, &bytes);
                    assert_eq!(
                        streamed.kinds_and_pointers(),
                        report.kinds_and_pointers(),
                        "{} {part} {sample} `{what}`: bytes and value readings differ",
                        ep.id
                    );
                    invalid += usize::from(!by_schema);
                    if by_schema != report.is_valid() {
                        let errors: Vec<String> = validator
                            .iter_errors(&value)
                            .map(|e| format!("{} at {}", e, e.instance_path()))
                            .collect();
                        disagreements.push(format!(
                            "{} {part} sample {sample}, mutation `{what}`: schema says {by_schema}, validator {} ({:?}); schema errors {errors:?}",
                            ep.id,
                            report.is_valid(),
                            report.kinds_and_pointers()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        bodies_checked > 1000,
        "only {bodies_checked} bodies checked"
    );
    // Both verdicts must be well represented, or the comparison proves little.
    assert!(
        invalid > bodies_checked / 4 && invalid < bodies_checked * 3 / 4,
        "{invalid} of {bodies_checked} bodies invalid"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
