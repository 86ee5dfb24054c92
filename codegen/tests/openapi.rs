//! The OpenAPI documents (`openapi/*.openapi.json`) say what the spec says: every endpoint is
//! an operation or a webhook, legacy paths are deprecated operations, return_url calls are
//! linked from the auth call, bearer flows are security schemes, every sample is there once,
//! and every example validates against its schema unless the spec records why it does not.
//!
//! That the committed files are current is `tests/export.rs`; the external validators
//! (openapi-spec-validator, Redocly) run from `scripts/check-openapi.sh`, called by `.ci/run`.

use payple_codegen::model::{Part, UrlRule};
use payple_codegen::openapi;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn spec() -> payple_codegen::Spec {
    payple_codegen::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"))
        .expect("the spec loads")
}

/// Every operation of a document: (location, operation), paths and webhooks.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (key, kind) in [("paths", "path"), ("webhooks", "webhook")] {
        if let Some(items) = doc[key].as_object() {
            for (path, item) in items {
                for (method, op) in item.as_object().expect("path item") {
                    out.push((format!("{kind} {method} {path}"), op));
                }
            }
        }
    }
    out
}

fn endpoints_of(op: &Value) -> Vec<String> {
    op["x-payple-endpoints"]
        .as_array()
        .expect("x-payple-endpoints")
        .iter()
        .map(|e| e["endpoint"].as_str().expect("endpoint").to_string())
        .collect()
}

#[test]
fn documents_are_deterministic_and_one_per_service() {
    let spec = spec();
    let a = openapi::documents(&spec);
    let b = openapi::documents(&spec);
    assert_eq!(a, b);
    let services: Vec<&str> = a.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        services,
        spec.services
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
    );
    for (svc, doc) in &a {
        assert_eq!(doc["openapi"], json!("3.1.0"), "{svc}");
        let servers: Vec<&str> = doc["servers"]
            .as_array()
            .expect("servers")
            .iter()
            .map(|s| s["url"].as_str().expect("url"))
            .collect();
        let want: Vec<&str> = spec
            .services
            .iter()
            .find(|s| s.id == *svc)
            .expect("service")
            .environments
            .iter()
            .map(|e| e.base_url.trim_end_matches('/'))
            .collect();
        assert_eq!(servers, want, "{svc}");
        assert!(
            doc["servers"]
                .as_array()
                .expect("servers")
                .iter()
                .any(|s| s["x-payple-production"] == json!(true)),
            "{svc}: a production server"
        );
    }
}

#[test]
fn every_endpoint_is_an_operation_with_its_id() {
    let spec = spec();
    for (svc, doc) in openapi::documents(&spec) {
        let ops = operations(&doc);
        let mut ids = BTreeSet::new();
        for (at, op) in &ops {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(
                ids.insert(id.to_string()),
                "{at}: duplicate operationId {id}"
            );
            assert!(op["summary"].is_string(), "{at}");
            assert!(op["responses"]["200"].is_object(), "{at}");
            assert!(op["security"].is_array(), "{at}");
        }
        for ep in spec.endpoints.iter().filter(|e| e.service == svc) {
            let op = ops
                .iter()
                .find(|(_, op)| op["operationId"] == json!(ep.id))
                .map(|(_, op)| *op)
                .unwrap_or_else(|| {
                    // Only endpoints sharing their path and method with another are merged.
                    ops.iter()
                        .find(|(_, op)| {
                            op["deprecated"] != json!(true) && endpoints_of(op).contains(&ep.id)
                        })
                        .map(|(_, op)| *op)
                        .unwrap_or_else(|| panic!("{}: no operation", ep.id))
                });
            assert_ne!(op["deprecated"], json!(true), "{}", ep.id);
            // Bodies are the endpoint's schemas.
            for part in [Part::Request, Part::Response] {
                let name = openapi::schema_name(&ep.id, part);
                let has = doc["components"]["schemas"].get(&name).is_some();
                assert_eq!(has, !ep.fields(part).is_empty(), "{name}");
                if has {
                    let text = serde_json::to_string(op).expect("json");
                    assert!(
                        text.contains(&format!("\"#/components/schemas/{name}\"")),
                        "{}: does not refer to {name}",
                        ep.id
                    );
                }
            }
            // Facts OpenAPI has no keyword for.
            let facts = op["x-payple-endpoints"]
                .as_array()
                .expect("facts")
                .iter()
                .find(|f| f["endpoint"] == json!(ep.id))
                .expect("facts of the endpoint");
            assert_eq!(facts["evidence"], json!(ep.evidence));
            assert_eq!(facts["spec_file"], json!(format!("spec/{}", ep.file)));
            if let Some(r) = &ep.result {
                let codes: Vec<&str> = facts["result"]["success_codes"]
                    .as_array()
                    .expect("success codes")
                    .iter()
                    .map(|c| c["code"].as_str().expect("code"))
                    .collect();
                let want: Vec<&str> = r.success_codes.iter().map(|c| c.code.as_str()).collect();
                assert_eq!(codes, want, "{}", ep.id);
                assert!(doc["x-payple-catalogs"][&r.catalog]["codes"].is_array());
            }
            assert_eq!(
                facts["limits"].as_array().map_or(0, Vec::len),
                ep.limits.len(),
                "{}",
                ep.id
            );
        }
    }
}

#[test]
fn legacy_paths_are_deprecated_operations() {
    let spec = spec();
    let docs: BTreeMap<String, Value> = openapi::documents(&spec).into_iter().collect();
    let mut checked = 0;
    for ep in &spec.endpoints {
        let doc = &docs[&ep.service];
        for (path, evidence, _) in &ep.legacy_paths {
            let bare = path.split('?').next().expect("path");
            let op = &doc["paths"][bare][ep.method.to_ascii_lowercase()];
            assert_eq!(op["deprecated"], json!(true), "{}: {path}", ep.id);
            let facts = op["x-payple-endpoints"]
                .as_array()
                .expect("facts")
                .iter()
                .find(|f| f["endpoint"] == json!(ep.id) && f["path"] == json!(path))
                .unwrap_or_else(|| panic!("{}: {path} not listed", ep.id));
            assert_eq!(facts["path_kind"], json!("legacy"));
            assert_eq!(facts["path_evidence"], json!(evidence));
            if let Some((_, query)) = path.split_once('?') {
                let (name, value) = query.split_once('=').expect("k=v");
                let param = op["parameters"]
                    .as_array()
                    .expect("parameters")
                    .iter()
                    .find(|p| p["in"] == json!("query") && p["name"] == json!(name))
                    .expect("query parameter");
                assert!(
                    param["schema"]["enum"]
                        .as_array()
                        .expect("enum")
                        .contains(&json!(value))
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} legacy paths");
}

#[test]
fn return_url_calls_are_templates_linked_from_the_auth_call() {
    let spec = spec();
    let docs: BTreeMap<String, Value> = openapi::documents(&spec).into_iter().collect();
    let mut linked = 0;
    for ep in &spec.endpoints {
        let UrlRule::AuthReturnUrl(flow) = &ep.url else {
            continue;
        };
        let doc = &docs[&ep.service];
        let name = ep.id.split_once('.').expect("service.name").1;
        let path = format!("/{{{}}}/{name}", openapi::RETURN_URL_PARAM);
        let op = &doc["paths"][&path][ep.method.to_ascii_lowercase()];
        assert_eq!(op["operationId"], json!(ep.id), "{path}");
        assert_eq!(op["x-payple-url"]["kind"], json!("auth_return_url"));
        assert_eq!(op["x-payple-url"]["flow"], json!(flow));
        let auth_id = spec
            .auth_flows
            .iter()
            .find(|f| f.id == *flow)
            .and_then(|f| f.endpoint.clone())
            .expect("the flow has an endpoint");
        let auth = spec.endpoint(&auth_id).expect("auth endpoint");
        let UrlRule::Path(auth_path) = &auth.url else {
            panic!("auth has a path")
        };
        let link = &doc["paths"][auth_path][auth.method.to_ascii_lowercase()]["responses"]["200"]["links"]
            [&ep.id];
        assert_eq!(link["operationId"], json!(ep.id), "{}", ep.id);
        assert_eq!(
            link["parameters"][format!("path.{}", openapi::RETURN_URL_PARAM)],
            json!(format!("$response.body#/{}", openapi::RETURN_URL_PARAM))
        );
        linked += 1;
    }
    assert!(linked >= 5, "only {linked} links");
}

#[test]
fn bearer_flows_are_security_schemes() {
    let spec = spec();
    let docs: BTreeMap<String, Value> = openapi::documents(&spec).into_iter().collect();
    for ep in &spec.endpoints {
        let flow = spec.auth_flows.iter().find(|f| f.id == ep.auth_flow);
        let doc = &docs[&ep.service];
        let op = operations(doc)
            .into_iter()
            .find(|(_, op)| op["operationId"] == json!(ep.id))
            .map(|(_, op)| op.clone());
        let Some(op) = op else { continue };
        match flow {
            Some(f) if f.kind == "bearer_token" => {
                assert_eq!(op["security"], json!([{ f.id.clone(): [] }]), "{}", ep.id);
                let scheme = &doc["components"]["securitySchemes"][&f.id];
                assert_eq!(scheme["scheme"], json!("bearer"));
                assert_eq!(
                    scheme["x-payple-lifetime-seconds"],
                    json!(f.lifetime_seconds)
                );
            }
            _ => assert_eq!(op["security"], json!([]), "{}", ep.id),
        }
    }
}

/// Every documented sample appears once in its document: as an example (strict JSON) or
/// verbatim.
#[test]
fn every_sample_is_in_its_document_once() {
    let spec = spec();
    let docs: BTreeMap<String, Value> = openapi::documents(&spec).into_iter().collect();
    fn collect(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(ex)) = o.get("examples") {
                    for e in ex.values() {
                        if let (Some(ep), Some(id)) =
                            (e["x-payple-endpoint"].as_str(), e["summary"].as_str())
                        {
                            let id = id.split(' ').next().unwrap_or(id);
                            out.push((ep.to_string(), id.to_string()));
                        }
                    }
                }
                if let Some(Value::Array(vs)) = o.get("x-payple-verbatim-samples") {
                    for s in vs {
                        out.push((
                            s["endpoint"].as_str().unwrap_or("").to_string(),
                            s["id"].as_str().unwrap_or("").to_string(),
                        ));
                    }
                }
                for (k, x) in o {
                    if k != "examples" && k != "x-payple-verbatim-samples" {
                        collect(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    for (svc, doc) in &docs {
        let mut found = Vec::new();
        collect(&doc["paths"], &mut found);
        collect(&doc["webhooks"], &mut found);
        let mut want: Vec<(String, String)> = spec
            .endpoints
            .iter()
            .filter(|e| e.service == *svc)
            .flat_map(|e| e.samples.iter().map(|s| (e.id.clone(), s.id.clone())))
            .collect();
        found.sort();
        want.sort();
        assert_eq!(found, want, "{svc}");
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("a component reference");
            &doc["components"]["schemas"][name]
        }
        None => v,
    }
}

/// Every `$ref` of a document points at something.
#[test]
fn every_reference_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    out.push(r);
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    for (svc, doc) in openapi::documents(&spec()) {
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let pointer = r.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "{svc}: dangling {r}");
        }
    }
}

/// An example is valid against its media type's schema, unless its `x-payple-expect` lists
/// the findings that make Payple's own sample deviate. (Redocly's
/// `no-invalid-media-type-examples` is off in `redocly.yaml` for that reason; this test
/// does the exact check instead.)
#[test]
fn examples_validate_unless_the_spec_records_their_deviations() {
    fn media_types<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(o) => {
                if o.contains_key("schema") && o.contains_key("examples") {
                    out.push(v);
                }
                o.values().for_each(|x| media_types(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| media_types(x, out)),
            _ => {}
        }
    }
    let mut valid = 0;
    let mut deviating = 0;
    for (svc, doc) in openapi::documents(&spec()) {
        let mut found = Vec::new();
        media_types(&doc["paths"], &mut found);
        media_types(&doc["webhooks"], &mut found);
        for m in found {
            let schema = &m["schema"];
            let alternatives: Vec<Value> = match schema["anyOf"].as_array() {
                Some(list) if schema.get("$ref").is_none() => {
                    list.iter().map(|s| resolve(&doc, s).clone()).collect()
                }
                _ => vec![resolve(&doc, schema).clone()],
            };
            let validators: Vec<jsonschema::Validator> = alternatives
                .iter()
                .map(|s| jsonschema::validator_for(s).expect("schema compiles"))
                .collect();
            for (key, ex) in m["examples"].as_object().expect("examples") {
                let ok = validators.iter().any(|v| v.is_valid(&ex["value"]));
                let expected = ex["x-payple-expect"].as_array().map_or(0, Vec::len);
                if ok {
                    valid += 1;
                } else {
                    deviating += 1;
                    assert!(
                        expected > 0,
                        "{svc}: example {key} breaks its schema but x-payple-expect is empty"
                    );
                }
            }
        }
    }
    assert!(valid >= 30, "only {valid} valid examples");
    assert!(deviating >= 1, "the deviating samples are checked too");
}
