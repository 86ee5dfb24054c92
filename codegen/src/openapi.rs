//! OpenAPI 3.1 documents of the Payple API, one per service (each has its own hosts).
//!
//! Everything comes from the checked spec model ([`crate::model::Spec`]): paths and methods,
//! hosts, auth flows, headers, result rules, limits, catalogs and samples. The request and
//! response bodies are the JSON Schemas of [`crate::schema`] (the files under `schemas/`),
//! embedded under `components/schemas` so that each document stands alone; what OpenAPI
//! cannot say is kept in `x-payple-*` extensions.
//!
//! How Payple's URLs map onto OpenAPI paths:
//!
//! * a fixed path is an operation with the endpoint id as `operationId`;
//! * a call posted to the `return_url` an auth call answers (cpay) gets a marked template
//!   path `/{return_url}/<name>` (it is not a Payple path: the whole URL is the returned
//!   value) with an `x-payple-url` explanation, and the auth operation links to it;
//! * a URL Payple hands to the partner at run time (`PCD_PAY_COFURL`) is a template path the
//!   same way; a URL the partner registers and Payple posts to is an OpenAPI `webhook`;
//! * a browser script is a `GET` of the script; the script's parameters are a schema under
//!   `x-payple-script-parameters`;
//! * paths of older documents are operations marked `deprecated`; a query string in them
//!   (`?ACT_=PAYM`) becomes a required query parameter with that one value;
//! * when several endpoints share a path and method (hub `/transfer/execute` serves execute
//!   and cancel; some legacy paths too), one operation serves them all: its bodies are
//!   `anyOf` the endpoints' schemas and `x-payple-endpoints` names each with its selector.

use crate::export::required_text;
use crate::model::{
    AuthFlow, Endpoint, Field, Part, ResultRule, Sample, Service, Shape, Spec, UrlRule,
};
use crate::schema;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The template parameter that stands for the URL an auth call answers.
pub const RETURN_URL_PARAM: &str = "return_url";

/// Where the document of a service is written, relative to the repository root.
pub fn document_path(service: &str) -> String {
    format!("openapi/{service}.openapi.json")
}

/// The `components/schemas` key of an endpoint part.
pub fn schema_name(endpoint: &str, part: Part) -> String {
    format!("{endpoint}.{}", part.as_str())
}

/// One OpenAPI document per service, in service order: (service id, document).
pub fn documents(spec: &Spec) -> Vec<(String, Value)> {
    spec.services
        .iter()
        .map(|s| (s.id.clone(), document(spec, s)))
        .collect()
}

fn short_name(ep: &Endpoint) -> &str {
    ep.id.split_once('.').map_or(ep.id.as_str(), |(_, n)| n)
}

/// How an operation's path relates to the endpoint's URL rule.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathKind {
    /// The documented fixed path.
    Current,
    /// A browser script.
    Script,
    /// A marked template standing for a URL known only at run time.
    Template { param: String, description: String },
    /// A path of older documents.
    Legacy {
        index: usize,
        evidence: String,
        source: String,
    },
}

/// One endpoint's claim on a path and method.
#[derive(Debug, Clone)]
struct Claim<'a> {
    ep: &'a Endpoint,
    /// The OpenAPI path key (no query string).
    path: String,
    /// The path as documented (query included), or the template.
    documented: String,
    /// Query parameters the documented path fixes.
    query: Vec<(String, String)>,
    kind: PathKind,
}

impl Claim<'_> {
    fn operation_id(&self) -> String {
        match &self.kind {
            PathKind::Legacy { index, .. } => format!("{}.legacy.{}", self.ep.id, index + 1),
            _ => self.ep.id.clone(),
        }
    }

    fn is_legacy(&self) -> bool {
        matches!(self.kind, PathKind::Legacy { .. })
    }
}

fn split_query(path: &str) -> (String, Vec<(String, String)>) {
    match path.split_once('?') {
        None => (path.to_string(), Vec::new()),
        Some((p, q)) => {
            let pairs = q
                .split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (kv.to_string(), String::new()),
                })
                .collect();
            (p.to_string(), pairs)
        }
    }
}

/// A URL the partner registers and Payple posts to: the posted body is the response part
/// and the request part is empty (the spec's convention for post-backs and webhooks).
fn is_webhook(ep: &Endpoint) -> bool {
    matches!(ep.url, UrlRule::PartnerUrl(_)) && ep.request.is_empty()
}

fn template_param(name: &str) -> String {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        name.to_string()
    } else {
        "partner_url".to_string()
    }
}

fn claims<'a>(spec: &'a Spec, ep: &'a Endpoint) -> Vec<Claim<'a>> {
    let mut out = Vec::new();
    let name = short_name(ep);
    match &ep.url {
        UrlRule::Path(p) | UrlRule::Script(p) => {
            let (path, query) = split_query(p);
            out.push(Claim {
                ep,
                path,
                documented: p.clone(),
                query,
                kind: if matches!(ep.url, UrlRule::Script(_)) {
                    PathKind::Script
                } else {
                    PathKind::Current
                },
            });
        }
        UrlRule::AuthReturnUrl(flow) => {
            let auth = spec
                .auth_flows
                .iter()
                .find(|f| f.id == *flow)
                .and_then(|f| f.endpoint.clone())
                .unwrap_or_else(|| flow.clone());
            let param = RETURN_URL_PARAM.to_string();
            let path = format!("/{{{param}}}/{name}");
            out.push(Claim {
                ep,
                documented: path.clone(),
                path,
                query: Vec::new(),
                kind: PathKind::Template {
                    description: format!(
                        "Stands for the whole URL: post to the `{param}` that `{auth}` answered \
                         (flow `{flow}`). This template path is not a Payple path; Payple chooses \
                         the URL per call and asks partners not to hard-code it."
                    ),
                    param,
                },
            });
        }
        UrlRule::PartnerUrl(field) if !is_webhook(ep) => {
            let param = template_param(field);
            let path = format!("/{{{param}}}/{name}");
            out.push(Claim {
                ep,
                documented: path.clone(),
                path,
                query: Vec::new(),
                kind: PathKind::Template {
                    description: format!(
                        "Stands for the whole URL: post to the URL handed over at run time as \
                         `{field}`. This template path is not a Payple path."
                    ),
                    param,
                },
            });
        }
        UrlRule::PartnerUrl(_) => {}
    }
    for (index, (p, evidence, source)) in ep.legacy_paths.iter().enumerate() {
        let (path, query) = split_query(p);
        out.push(Claim {
            ep,
            path,
            documented: p.clone(),
            query,
            kind: PathKind::Legacy {
                index,
                evidence: evidence.clone(),
                source: source.clone(),
            },
        });
    }
    out
}

/// The OpenAPI document of one service.
pub fn document(spec: &Spec, svc: &Service) -> Value {
    let endpoints: Vec<&Endpoint> = spec
        .endpoints
        .iter()
        .filter(|e| e.service == svc.id)
        .collect();

    // Paths: every claim, grouped by path and method.
    let mut groups: BTreeMap<(String, String), Vec<Claim<'_>>> = BTreeMap::new();
    for ep in &endpoints {
        for c in claims(spec, ep) {
            groups
                .entry((c.path.clone(), ep.method.to_ascii_lowercase()))
                .or_default()
                .push(c);
        }
    }
    let mut paths = Map::new();
    let mut any_legacy = false;
    for ((path, method), group) in &groups {
        any_legacy |= group.iter().all(Claim::is_legacy);
        let op = operation(spec, svc, &endpoints, group);
        let item = paths
            .entry(path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(method.clone(), op);
        }
    }

    let mut webhooks = Map::new();
    for ep in endpoints.iter().filter(|e| is_webhook(e)) {
        webhooks.insert(
            ep.id.clone(),
            json!({ ep.method.to_ascii_lowercase(): webhook_operation(spec, svc, ep) }),
        );
    }

    let mut schemas = Map::new();
    for ep in &endpoints {
        for part in [Part::Request, Part::Response] {
            if !ep.fields(part).is_empty() {
                schemas.insert(schema_name(&ep.id, part), embedded_schema(spec, ep, part));
            }
        }
    }

    let flows: Vec<&AuthFlow> = spec
        .auth_flows
        .iter()
        .filter(|f| f.service == svc.id)
        .collect();
    let mut security_schemes = Map::new();
    for f in flows.iter().filter(|f| f.kind == "bearer_token") {
        security_schemes.insert(f.id.clone(), bearer_scheme(f));
    }

    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    if !security_schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(security_schemes));
    }

    let mut tags = vec![json!({
        "name": svc.id,
        "description": format!("{} ({})", svc.title.en, svc.title.ko),
    })];
    if any_legacy {
        tags.push(json!({
            "name": "legacy",
            "description": "Paths of older Payple documents (deprecated): manuals, samples and \
                            return_url values that Payple has since replaced or no longer shows.",
        }));
    }

    let mut doc = Map::new();
    doc.insert("openapi".into(), json!(OPENAPI_VERSION));
    doc.insert(
        "jsonSchemaDialect".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    doc.insert("info".into(), info(spec, svc, &flows));
    if let Some(url) = svc.docs.first() {
        doc.insert(
            "externalDocs".into(),
            json!({ "url": url, "description": "Payple's documentation (Korean)" }),
        );
    }
    doc.insert("servers".into(), servers(svc));
    doc.insert("tags".into(), Value::Array(tags));
    doc.insert("paths".into(), Value::Object(paths));
    if !webhooks.is_empty() {
        doc.insert("webhooks".into(), Value::Object(webhooks));
    }
    doc.insert("components".into(), Value::Object(components));
    doc.insert("x-payple-service".into(), json!(svc.id));
    doc.insert(
        "x-payple-auth-flows".into(),
        Value::Array(flows.iter().map(|f| flow_facts(f)).collect()),
    );
    doc.insert("x-payple-catalogs".into(), catalogs(spec, &endpoints));
    doc.insert("x-payple-evidence-tags".into(), evidence_tags(spec));
    doc.insert("x-payple-type-codes".into(), type_codes(spec));
    doc.insert(
        "x-payple-formats".into(),
        Value::Array(
            spec.formats
                .iter()
                .map(|f| {
                    let mut o = Map::new();
                    o.insert("id".into(), json!(f.id));
                    o.insert("pattern".into(), json!(f.pattern));
                    o.insert("regex".into(), json!(schema::format_regex(&f.pieces)));
                    o.insert("evidence".into(), json!(f.rule.evidence));
                    o.insert("source".into(), json!(f.rule.source));
                    if let Some(n) = &f.note {
                        o.insert("note".into(), json!(n));
                    }
                    Value::Object(o)
                })
                .collect(),
        ),
    );
    doc.insert(
        "x-payple-wire-leniency".into(),
        Value::Array(
            spec.leniency
                .iter()
                .map(|l| {
                    json!({
                        "form": l.form.as_str(),
                        "evidence": l.rule.evidence,
                        "source": l.rule.source,
                        "summary": l.summary.trim(),
                    })
                })
                .collect(),
        ),
    );
    Value::Object(doc)
}

fn info(spec: &Spec, svc: &Service, flows: &[&AuthFlow]) -> Value {
    let mut d = String::new();
    d.push_str(&format!(
        "{} ({}): the Payple API as recorded by payple-spec. Generated from `spec/` by \
         `payple-spec-export`; do not edit.\n\n",
        svc.title.en, svc.title.ko
    ));
    d.push_str(
        "Payple publishes no OpenAPI document and documents its API only in Korean pages, old \
         manuals and samples that disagree. Every fact here comes from the payple-spec model \
         and carries its evidence tag and source in `x-payple-*` extensions \
         (`x-payple-evidence-tags` lists the tags; only rules resting on Payple's own \
         statements are schema keywords, the rest are annotations).\n\n",
    );
    d.push_str(
        "**Success is in the body, never the HTTP status.** Payple answers HTTP 200 to calls \
         that fail too; each operation's `x-payple-endpoints[].result` names the status and \
         code fields, the success codes with their sources and the response-code catalog \
         (`x-payple-catalogs`).\n\n",
    );
    if !flows.is_empty() {
        d.push_str("**Authentication.**\n\n");
        for f in flows {
            let life = f
                .lifetime_seconds
                .map(|s| format!(" Tokens live {s} seconds."))
                .unwrap_or_default();
            d.push_str(&format!(
                "* `{}` {} ({}): {}{life}\n",
                f.id,
                f.title.en,
                f.title.ko,
                f.summary.trim()
            ));
        }
        d.push('\n');
    }
    let has_template = spec
        .endpoints
        .iter()
        .filter(|e| e.service == svc.id)
        .any(|e| {
            matches!(e.url, UrlRule::AuthReturnUrl(_))
                || (matches!(e.url, UrlRule::PartnerUrl(_)) && !is_webhook(e))
        });
    if has_template {
        d.push_str(
            "**Template paths.** A path `/{return_url}/<name>` (or `/{PCD_PAY_COFURL}/<name>`) \
             is not a Payple path: it stands for a URL Payple hands over at run time, and the \
             whole URL is that value (`x-payple-url` says where it comes from; the auth \
             operation's response links to each follow-up).\n\n",
        );
    }
    d.push_str(
        "**Deprecated operations** are paths of older Payple documents (manuals, samples, \
         return_url values), kept so that traffic to them can be recognised; \
         `x-payple-endpoints[].path_evidence` says where each was seen.\n",
    );
    json!({
        "title": format!("Payple {}: {}", svc.id, svc.title.en),
        "summary": format!("{} ({}), from payple-spec", svc.title.en, svc.title.ko),
        "description": d,
        "version": env!("CARGO_PKG_VERSION"),
        "license": {
            "name": env!("CARGO_PKG_LICENSE"),
            "identifier": env!("CARGO_PKG_LICENSE"),
        },
        "x-payple-title-ko": svc.title.ko,
    })
}

fn servers(svc: &Service) -> Value {
    Value::Array(
        svc.environments
            .iter()
            .map(|env| {
                let what = if env.production {
                    "production, real money"
                } else {
                    "test"
                };
                json!({
                    "url": env.base_url.trim_end_matches('/'),
                    "description": format!("{} ({what}; evidence {})", env.name, env.evidence),
                    "x-payple-environment": env.name,
                    "x-payple-production": env.production,
                    "x-payple-evidence": env.evidence,
                })
            })
            .collect(),
    )
}

fn bearer_scheme(f: &AuthFlow) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), json!("http"));
    o.insert("scheme".into(), json!("bearer"));
    let life = f
        .lifetime_seconds
        .map(|s| format!(" Tokens live {s} seconds."))
        .unwrap_or_default();
    o.insert(
        "description".into(),
        json!(format!(
            "{} ({}): {}{life}",
            f.title.en,
            f.title.ko,
            f.summary.trim()
        )),
    );
    if let Some(ep) = &f.endpoint {
        o.insert("x-payple-token-endpoint".into(), json!(ep));
    }
    if let Some(s) = f.lifetime_seconds {
        o.insert("x-payple-lifetime-seconds".into(), json!(s));
    }
    o.insert("x-payple-evidence".into(), json!(f.evidence));
    o.insert("x-payple-source".into(), json!(f.source));
    Value::Object(o)
}

fn flow_facts(f: &AuthFlow) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(f.id));
    o.insert("kind".into(), json!(f.kind));
    o.insert(
        "title".into(),
        json!({ "en": f.title.en, "ko": f.title.ko }),
    );
    if let Some(ep) = &f.endpoint {
        o.insert("endpoint".into(), json!(ep));
    }
    if let Some(s) = f.lifetime_seconds {
        o.insert("lifetime_seconds".into(), json!(s));
    }
    o.insert("summary".into(), json!(f.summary.trim()));
    o.insert("evidence".into(), json!(f.evidence));
    o.insert("source".into(), json!(f.source));
    Value::Object(o)
}

fn catalogs(spec: &Spec, endpoints: &[&Endpoint]) -> Value {
    let used: BTreeSet<&str> = endpoints
        .iter()
        .filter_map(|e| e.result.as_ref())
        .map(|r| r.catalog.as_str())
        .collect();
    let mut out = Map::new();
    for cat in spec
        .catalogs
        .iter()
        .filter(|c| used.contains(c.id.as_str()))
    {
        let codes: Vec<Value> = cat
            .codes
            .iter()
            .map(|c| {
                let mut o = Map::new();
                o.insert("code".into(), json!(c.code));
                o.insert(
                    "class".into(),
                    json!(match c.class {
                        crate::model::CodeClass::Success => "success",
                        crate::model::CodeClass::Failure => "failure",
                    }),
                );
                if let Some(m) = &c.message {
                    o.insert("message".into(), json!(m));
                }
                o.insert("meaning".into(), json!(c.meaning));
                o.insert("evidence".into(), json!(c.evidence));
                o.insert("source".into(), json!(c.source));
                if !c.alternatives.is_empty() {
                    o.insert(
                        "alternatives".into(),
                        Value::Array(
                            c.alternatives
                                .iter()
                                .map(|(m, ev, src)| {
                                    json!({ "message": m, "evidence": ev, "source": src })
                                })
                                .collect(),
                        ),
                    );
                }
                Value::Object(o)
            })
            .collect();
        out.insert(
            cat.id.clone(),
            json!({
                "title": { "en": cat.title.en, "ko": cat.title.ko },
                "codes": codes,
            }),
        );
    }
    Value::Object(out)
}

fn evidence_tags(spec: &Spec) -> Value {
    let mut o = Map::new();
    for (tag, meaning) in &spec.evidence_tags {
        o.insert(tag.clone(), json!(meaning.trim()));
    }
    Value::Object(o)
}

fn type_codes(spec: &Spec) -> Value {
    let n = &spec.alphabet_notes;
    json!({
        "summary": n.summary.trim(),
        "evidence": n.evidence,
        "source": n.source,
        "length_unit": n.length_unit,
        "letters": spec.alphabet.letters.iter().map(|l| json!({
            "letter": l.letter.to_string(),
            "name": l.name,
            "regex_class": spec.alphabet.pattern(1 << spec.alphabet.letters.iter().position(|x| x.letter == l.letter).unwrap_or(0)),
            "basis": l.basis,
        })).collect::<Vec<_>>(),
        "words": spec.alphabet.words.iter().map(|w| json!({
            "word": w.word,
            "letters": w.mask.map(|m| spec.alphabet.letters.iter().enumerate()
                .filter(|(i, _)| m & (1 << i) != 0)
                .map(|(_, l)| l.letter.to_string()).collect::<String>()),
            "basis": w.basis,
        })).collect::<Vec<_>>(),
    })
}

/// The exported JSON Schema of an endpoint part, as a component: without `$schema` (the
/// document's `jsonSchemaDialect` says it) and `$id` (kept as `x-payple-schema-id`), and
/// with each field's source, required rule and legacy names added as annotations.
fn embedded_schema(spec: &Spec, ep: &Endpoint, part: Part) -> Value {
    let mut s = schema::endpoint_schema(spec, ep, part);
    if let Some(o) = s.as_object_mut() {
        o.remove("$schema");
        if let Some(id) = o.remove("$id") {
            o.insert("x-payple-schema-id".into(), id);
        }
        o.insert(
            "x-payple-json-schema".into(),
            json!(format!("schemas/{}.{}.schema.json", ep.id, part.as_str())),
        );
    }
    annotate(&mut s, ep.fields(part));
    s
}

fn annotate(schema: &mut Value, fields: &[Field]) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for f in fields {
        let Some(prop) = props.get_mut(&f.name) else {
            continue;
        };
        if let Some(p) = prop.as_object_mut() {
            if !f.source.is_empty() {
                p.insert("x-payple-source".into(), json!(f.source));
            }
            if f.type_evidence != f.evidence && f.documented_type.is_some() {
                p.insert("x-payple-type-evidence".into(), json!(f.type_evidence));
            }
            p.insert(
                "x-payple-required".into(),
                json!(required_text(&f.required)),
            );
            if let Some(why) = &f.required_contested {
                p.insert("x-payple-required-contested".into(), json!(why.trim()));
            }
            if let Some(why) = &f.enforce_reason {
                p.insert("x-payple-enforce-reason".into(), json!(why.trim()));
            }
            if let Some(why) = &f.values_open {
                p.insert("x-payple-values-open-reason".into(), json!(why.trim()));
            }
            if !f.values.is_empty() {
                let mut meanings = Map::new();
                for (v, m) in &f.values {
                    meanings.insert(v.clone(), json!(m));
                }
                p.insert("x-payple-value-meanings".into(), Value::Object(meanings));
            }
            if let Some(why) = &f.example_deviation {
                p.insert("x-payple-example-deviation".into(), json!(why.trim()));
            }
            if !f.legacy_names.is_empty() {
                p.insert(
                    "x-payple-legacy-names".into(),
                    Value::Array(
                        f.legacy_names
                            .iter()
                            .map(|l| {
                                let mut o = Map::new();
                                o.insert("name".into(), json!(l.name));
                                if let Some(u) = &l.until {
                                    o.insert("until".into(), json!(u));
                                }
                                o.insert("evidence".into(), json!(l.evidence));
                                o.insert("source".into(), json!(l.source));
                                if let Some(n) = &l.note {
                                    o.insert("note".into(), json!(n.trim()));
                                }
                                Value::Object(o)
                            })
                            .collect(),
                    ),
                );
            }
        }
        match f.shape {
            Shape::Object => annotate(prop, &f.fields),
            Shape::List => {
                if let Some(items) = prop.get_mut("items") {
                    annotate(items, &f.fields);
                }
            }
            Shape::Scalar => {}
        }
    }
}

fn schema_ref(endpoint: &str, part: Part) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", schema_name(endpoint, part)) })
}

/// The body schema of several endpoints: the one, or `anyOf` them.
fn body_schema(eps: &[&Endpoint], part: Part) -> Option<Value> {
    let refs: Vec<Value> = eps
        .iter()
        .filter(|e| !e.fields(part).is_empty())
        .map(|e| schema_ref(&e.id, part))
        .collect();
    match refs.len() {
        0 => None,
        1 => refs.into_iter().next(),
        _ => Some(json!({ "anyOf": refs })),
    }
}

/// The media type an endpoint's request is sent as: its documented `Content-Type` value,
/// else `*/*` (the spec records the media type only as a rule, or not at all).
fn request_media_type(ep: &Endpoint) -> String {
    ep.headers
        .iter()
        .find(|(n, v, _)| n.eq_ignore_ascii_case("content-type") && v.is_some())
        .and_then(|(_, v, _)| v.clone())
        .unwrap_or_else(|| "*/*".to_string())
}

/// The `Content-Type` rules of an endpoint, for a media type that is not a fixed value.
fn media_type_rules(ep: &Endpoint) -> Vec<String> {
    ep.headers
        .iter()
        .filter(|(n, _, _)| n.eq_ignore_ascii_case("content-type"))
        .filter_map(|(_, _, r)| r.as_ref().map(|r| r.trim().to_string()))
        .collect()
}

fn parsed_sample(s: &Sample) -> Option<Value> {
    serde_json::from_str::<Value>(&s.raw).ok()
}

fn sample_description(s: &Sample) -> String {
    let mut d = format!("Documented sample `{}`, evidence {}", s.id, s.evidence);
    if !s.source.is_empty() {
        d.push_str(&format!(", from {}", s.source));
    }
    d.push('.');
    if let Some(n) = &s.note {
        d.push(' ');
        d.push_str(n.trim());
    }
    if !s.expect.is_empty() {
        let list: Vec<String> = s
            .expect
            .iter()
            .map(|(k, p)| format!("{k} at {p}"))
            .collect();
        d.push_str(&format!(
            " Kept verbatim; the validator reports: {}.",
            list.join(", ")
        ));
    }
    d
}

fn expect_value(s: &Sample) -> Value {
    Value::Array(
        s.expect
            .iter()
            .map(|(k, p)| json!({ "kind": k, "pointer": p }))
            .collect(),
    )
}

/// A media type object: schema, the JSON samples as `examples` and the others verbatim
/// (samples only where asked: deprecated operations point to the current one for them).
fn media(eps: &[&Endpoint], part: Part, schema: Value, samples: bool) -> Value {
    let mut examples = Map::new();
    let mut verbatim = Vec::new();
    let prefix = eps.len() > 1;
    for ep in eps.iter().filter(|_| samples) {
        for s in ep.samples.iter().filter(|s| s.part == part) {
            let key = if prefix {
                format!("{}.{}", ep.id, s.id)
            } else {
                s.id.clone()
            };
            match parsed_sample(s) {
                Some(value) => {
                    let mut o = Map::new();
                    o.insert(
                        "summary".into(),
                        json!(format!("{} ({})", s.id, s.evidence)),
                    );
                    o.insert("description".into(), json!(sample_description(s)));
                    o.insert("value".into(), value);
                    o.insert("x-payple-endpoint".into(), json!(ep.id));
                    o.insert("x-payple-evidence".into(), json!(s.evidence));
                    o.insert("x-payple-source".into(), json!(s.source));
                    o.insert("x-payple-expect".into(), expect_value(s));
                    examples.insert(key, Value::Object(o));
                }
                None => {
                    let mut o = Map::new();
                    o.insert("id".into(), json!(s.id));
                    o.insert("endpoint".into(), json!(ep.id));
                    o.insert("evidence".into(), json!(s.evidence));
                    o.insert("source".into(), json!(s.source));
                    if let Some(n) = &s.note {
                        o.insert("note".into(), json!(n.trim()));
                    }
                    o.insert("text".into(), json!(s.raw));
                    o.insert("expect".into(), expect_value(s));
                    verbatim.push(Value::Object(o));
                }
            }
        }
    }
    let mut m = Map::new();
    m.insert("schema".into(), schema);
    if !examples.is_empty() {
        m.insert("examples".into(), Value::Object(examples));
    }
    if !verbatim.is_empty() {
        m.insert("x-payple-verbatim-samples".into(), Value::Array(verbatim));
    }
    Value::Object(m)
}

fn result_facts(r: &ResultRule) -> Value {
    let mut o = Map::new();
    if let Some((field, value)) = &r.status {
        o.insert("status".into(), json!({ "field": field, "success": value }));
    }
    o.insert("code_field".into(), json!(r.code_field));
    if let Some(m) = &r.message_field {
        o.insert("message_field".into(), json!(m));
    }
    o.insert("catalog".into(), json!(r.catalog));
    o.insert(
        "success_codes".into(),
        Value::Array(
            r.success_codes
                .iter()
                .map(|c| {
                    json!({
                        "code": c.code,
                        "applies": c.applies.as_str(),
                        "evidence": c.evidence,
                        "source": c.source,
                    })
                })
                .collect(),
        ),
    );
    if !r.method_codes.is_empty() {
        o.insert(
            "method_codes".into(),
            Value::Array(
                r.method_codes
                    .iter()
                    .map(|c| {
                        let mut m = Map::new();
                        m.insert("code".into(), json!(c.code));
                        m.insert("applies".into(), json!(c.applies.as_str()));
                        m.insert("evidence".into(), json!(c.rule.evidence));
                        m.insert("source".into(), json!(c.rule.source));
                        if let Some(d) = &c.conflict {
                            m.insert("conflict".into(), json!(d));
                        }
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
    }
    let rule = r.success_rule();
    o.insert(
        "rule".into(),
        json!(match &r.status {
            Some((f, v)) => format!(
                "Success when `{f}` is `{v}` and `{}` is one of the success codes (an entry with \
                 `applies` counts only for that payment method); anything else is a failure.",
                r.code_field
            ),
            None => format!(
                "Success when `{}` is one of the success codes; anything else is a failure.",
                r.code_field
            ),
        }),
    );
    o.insert("rule_evidence".into(), json!(rule.evidence));
    Value::Object(o)
}

fn url_facts(spec: &Spec, ep: &Endpoint) -> Value {
    match &ep.url {
        UrlRule::Path(p) => json!({ "kind": "path", "path": p }),
        UrlRule::Script(p) => json!({
            "kind": "script",
            "path": p,
            "description": "A browser loads this script; its parameters are the request part \
                            (x-payple-script-parameters), not an HTTP body.",
        }),
        UrlRule::AuthReturnUrl(flow) => {
            let f = spec.auth_flows.iter().find(|f| f.id == *flow);
            let auth = f.and_then(|f| f.endpoint.clone());
            let mut o = Map::new();
            o.insert("kind".into(), json!("auth_return_url"));
            o.insert("flow".into(), json!(flow));
            if let Some(a) = &auth {
                o.insert("auth_endpoint".into(), json!(a));
            }
            o.insert("field".into(), json!(RETURN_URL_PARAM));
            if let Some((field, value)) = &ep.auth_flag {
                o.insert("flag".into(), json!({ "field": field, "value": value }));
            }
            o.insert(
                "description".into(),
                json!(format!(
                    "The URL of this call is the `{RETURN_URL_PARAM}` answered by {} when it is \
                     asked with {}. The path of this operation is a template standing for that \
                     URL; deprecated operations list the paths older documents showed.",
                    auth.as_deref().unwrap_or(flow),
                    ep.auth_flag
                        .as_ref()
                        .map(|(f, v)| format!("`{f}` = `{v}`"))
                        .unwrap_or_else(|| "its flag".into())
                )),
            );
            Value::Object(o)
        }
        UrlRule::PartnerUrl(field) => json!({
            "kind": "partner_url",
            "field": field,
            "description": if is_webhook(ep) {
                format!("Payple posts this body to a URL of the partner: {field}.")
            } else {
                format!("The URL is handed over at run time: {field}.")
            },
        }),
    }
}

/// Everything the spec says about one endpoint that OpenAPI has no keyword for.
fn endpoint_facts(spec: &Spec, claim: Option<&Claim<'_>>, ep: &Endpoint) -> Value {
    let mut o = Map::new();
    o.insert("endpoint".into(), json!(ep.id));
    o.insert(
        "title".into(),
        json!({ "en": ep.title.en, "ko": ep.title.ko }),
    );
    if let Some(c) = claim {
        o.insert("path".into(), json!(c.documented));
        let kind = match &c.kind {
            PathKind::Current => "current",
            PathKind::Script => "script",
            PathKind::Template { .. } => "template",
            PathKind::Legacy { .. } => "legacy",
        };
        o.insert("path_kind".into(), json!(kind));
        if !c.query.is_empty() {
            let mut q = Map::new();
            for (k, v) in &c.query {
                q.insert(k.clone(), json!(v));
            }
            o.insert("query".into(), Value::Object(q));
        }
        if let PathKind::Legacy {
            evidence, source, ..
        } = &c.kind
        {
            o.insert("path_evidence".into(), json!(evidence));
            o.insert("path_source".into(), json!(source));
        }
    }
    o.insert("url".into(), url_facts(spec, ep));
    o.insert("evidence".into(), json!(ep.evidence));
    o.insert("docs".into(), json!(ep.docs));
    o.insert("spec_file".into(), json!(format!("spec/{}", ep.file)));
    let mut auth = Map::new();
    auth.insert("flow".into(), json!(ep.auth_flow));
    if let Some(f) = spec.auth_flows.iter().find(|f| f.id == ep.auth_flow) {
        auth.insert("kind".into(), json!(f.kind));
        if let Some(s) = f.lifetime_seconds {
            auth.insert("lifetime_seconds".into(), json!(s));
        }
    }
    if let Some((field, value)) = &ep.auth_flag {
        auth.insert("flag".into(), json!({ "field": field, "value": value }));
    }
    o.insert("auth".into(), Value::Object(auth));
    o.insert("idempotent".into(), json!(ep.idempotent));
    if !ep.headers.is_empty() {
        o.insert(
            "headers".into(),
            Value::Array(
                ep.headers
                    .iter()
                    .map(|(n, v, r)| {
                        let mut h = Map::new();
                        h.insert("name".into(), json!(n));
                        if let Some(v) = v {
                            h.insert("value".into(), json!(v));
                        }
                        if let Some(r) = r {
                            h.insert("rule".into(), json!(r.trim()));
                        }
                        Value::Object(h)
                    })
                    .collect(),
            ),
        );
    }
    if !ep.limits.is_empty() {
        o.insert(
            "limits".into(),
            Value::Array(
                ep.limits
                    .iter()
                    .zip(&ep.limit_details)
                    .map(|((rule, code), detail)| {
                        let mut l = Map::new();
                        l.insert("rule".into(), json!(rule.trim()));
                        if let Some(c) = code {
                            l.insert("code".into(), json!(c));
                        }
                        if let Some((max, window)) = detail.rate {
                            l.insert("rate".into(), json!({"max": max, "window_seconds": window}));
                        }
                        Value::Object(l)
                    })
                    .collect(),
            ),
        );
    }
    if let Some(m) = &ep.payment_method_field {
        o.insert("payment_method_field".into(), json!(m));
    }
    if let Some(r) = &ep.result {
        o.insert("result".into(), result_facts(r));
    }
    if !ep.discrepancies.is_empty() {
        o.insert(
            "discrepancies".into(),
            Value::Array(
                ep.discrepancies
                    .iter()
                    .map(|(id, text, source)| {
                        let mut d = Map::new();
                        d.insert("id".into(), json!(id));
                        d.insert("text".into(), json!(text.trim()));
                        if let Some(s) = source {
                            d.insert("source".into(), json!(s));
                        }
                        Value::Object(d)
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(o)
}

/// Header parameters: every documented header but those OpenAPI says elsewhere
/// (`Authorization`: security; `Content-Type`, `Accept`: media types), one per name.
fn header_parameters(eps: &[&Endpoint]) -> Vec<Value> {
    let mut by_name: BTreeMap<String, (String, Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for ep in eps {
        for (name, value, rule) in &ep.headers {
            let lower = name.to_ascii_lowercase();
            if matches!(lower.as_str(), "authorization" | "content-type" | "accept") {
                continue;
            }
            let entry = by_name
                .entry(lower)
                .or_insert_with(|| (name.clone(), Vec::new(), BTreeSet::new()));
            if let Some(r) = rule {
                let r = r.trim().to_string();
                if !entry.1.contains(&r) {
                    entry.1.push(r);
                }
            }
            if let Some(v) = value {
                entry.2.insert(v.clone());
            }
        }
    }
    by_name
        .into_values()
        .map(|(name, rules, values)| {
            let mut desc = match values.len() {
                0 => String::new(),
                _ => format!(
                    "Documented value: {}.",
                    values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            };
            for r in rules {
                if !desc.is_empty() {
                    desc.push(' ');
                }
                desc.push_str(&r);
            }
            let mut schema = Map::new();
            schema.insert("type".into(), json!("string"));
            if !values.is_empty() {
                schema.insert(
                    "examples".into(),
                    Value::Array(values.iter().map(|v| json!(v)).collect()),
                );
            }
            json!({
                "name": name,
                "in": "header",
                "required": false,
                "description": desc,
                "schema": Value::Object(schema),
            })
        })
        .collect()
}

fn security(spec: &Spec, eps: &[&Endpoint]) -> Value {
    let mut schemes = BTreeSet::new();
    for ep in eps {
        if let Some(f) = spec.auth_flows.iter().find(|f| f.id == ep.auth_flow)
            && f.kind == "bearer_token"
        {
            schemes.insert(f.id.clone());
        }
    }
    Value::Array(
        schemes
            .into_iter()
            .map(|s| json!({ s: Vec::<String>::new() }))
            .collect(),
    )
}

fn operation(spec: &Spec, svc: &Service, all: &[&Endpoint], group: &[Claim<'_>]) -> Value {
    let mut eps: Vec<&Endpoint> = Vec::new();
    for c in group {
        if !eps.iter().any(|e| e.id == c.ep.id) {
            eps.push(c.ep);
        }
    }
    let deprecated = group.iter().all(Claim::is_legacy);
    let op_id = group
        .iter()
        .map(Claim::operation_id)
        .collect::<Vec<_>>()
        .join("_or_");
    let mut op = Map::new();
    op.insert("operationId".into(), json!(op_id));
    let titles: Vec<String> = eps.iter().map(|e| e.title.en.clone()).collect();
    let mut summary = titles.join(" / ");
    if deprecated {
        summary.push_str(" (legacy path)");
    }
    op.insert("summary".into(), json!(summary));

    // Description.
    let mut d = String::new();
    for ep in &eps {
        if eps.len() > 1 {
            d.push_str(&format!("**`{}`** ({}): ", ep.id, ep.title.ko));
        } else {
            d.push_str(&format!("`{}` ({}). ", ep.id, ep.title.ko));
        }
        d.push_str(ep.summary.trim());
        d.push_str("\n\n");
    }
    if eps.len() > 1 {
        d.push_str(
            "Several endpoints share this path and method; the request body (or the query) \
             selects one. `x-payple-endpoints` lists them with their selectors, and the bodies \
             are `anyOf` their schemas.\n\n",
        );
    }
    for c in group {
        match &c.kind {
            PathKind::Template { .. } => {
                d.push_str(
                    url_facts(spec, c.ep)["description"]
                        .as_str()
                        .unwrap_or_default(),
                );
                d.push_str("\n\n");
            }
            PathKind::Legacy {
                evidence, source, ..
            } => {
                d.push_str(&format!(
                    "Legacy path of `{}`: `{}` ({evidence}, {source}).\n\n",
                    c.ep.id, c.documented
                ));
            }
            PathKind::Script => {
                d.push_str(
                    "A browser loads this script; the parameters of the call it makes are the \
                     schema under `x-payple-script-parameters` (with the documented samples), not an HTTP body.\n\n",
                );
            }
            PathKind::Current => {}
        }
    }
    op.insert("description".into(), json!(d.trim_end()));
    let mut tags = vec![json!(svc.id)];
    if deprecated {
        tags.push(json!("legacy"));
    }
    op.insert("tags".into(), Value::Array(tags));
    if let Some(url) = eps.first().map(|e| e.doc_url()).filter(|u| !u.is_empty()) {
        op.insert(
            "externalDocs".into(),
            json!({ "url": url, "description": "Payple's documentation (Korean)" }),
        );
    }
    if deprecated {
        op.insert("deprecated".into(), json!(true));
    }

    // Parameters: template, query, headers.
    let mut params = Vec::new();
    let mut seen_templates = BTreeSet::new();
    for c in group {
        if let PathKind::Template { param, description } = &c.kind
            && seen_templates.insert(param.clone())
        {
            params.push(json!({
                "name": param,
                "in": "path",
                "required": true,
                "description": description,
                "schema": { "type": "string" },
            }));
        }
    }
    let mut query: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in group {
        for (k, v) in &c.query {
            query.entry(k.clone()).or_default().insert(v.clone());
        }
    }
    for (k, values) in &query {
        let required = group.iter().all(|c| c.query.iter().any(|(q, _)| q == k));
        let selectors: Vec<String> = group
            .iter()
            .filter_map(|c| {
                c.query
                    .iter()
                    .find(|(q, _)| q == k)
                    .map(|(_, v)| format!("`{v}`: {}", c.ep.id))
            })
            .collect();
        params.push(json!({
            "name": k,
            "in": "query",
            "required": required,
            "description": format!("Fixed by the documented path; selects the endpoint ({}).", selectors.join(", ")),
            "schema": { "type": "string", "enum": values.iter().collect::<Vec<_>>() },
        }));
    }
    params.extend(header_parameters(&eps));
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }

    // A script's legacy paths are scripts too (a GET of the script, not a body).
    let script = eps.iter().any(|e| matches!(e.url, UrlRule::Script(_)));
    if script {
        // Shaped like a media type object: the schema, and the documented samples.
        if let Some(s) = body_schema(&eps, Part::Request) {
            op.insert(
                "x-payple-script-parameters".into(),
                media(&eps, Part::Request, s, !deprecated),
            );
        }
    } else if let Some(s) = body_schema(&eps, Part::Request) {
        let media_type = request_media_type(eps[0]);
        let mut content = Map::new();
        content.insert(media_type, media(&eps, Part::Request, s, !deprecated));
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": Value::Object(content) }),
        );
    }

    // Responses.
    let mut ok = Map::new();
    if script {
        ok.insert("description".into(), json!("The script."));
        ok.insert(
            "content".into(),
            json!({ "text/javascript": { "schema": { "type": "string" } } }),
        );
    } else {
        ok.insert(
            "description".into(),
            json!(
                "Payple's answer. HTTP 200 for failures too: success or failure is in the body \
                 (`x-payple-endpoints[].result`)."
            ),
        );
        if let Some(s) = body_schema(&eps, Part::Response) {
            let mut content = Map::new();
            content.insert(
                "application/json".to_string(),
                media(&eps, Part::Response, s, !deprecated),
            );
            ok.insert("content".into(), Value::Object(content));
        }
        // Links from an auth call to the calls posted to its return_url.
        if group.iter().any(|c| c.kind == PathKind::Current) {
            let links = return_url_links(spec, all, &eps);
            if !links.is_empty() {
                ok.insert("links".into(), Value::Object(links));
            }
        }
    }
    op.insert("responses".into(), json!({ "200": Value::Object(ok) }));
    op.insert("security".into(), security(spec, &eps));
    op.insert(
        "x-payple-endpoints".into(),
        Value::Array(
            group
                .iter()
                .map(|c| endpoint_facts(spec, Some(c), c.ep))
                .collect(),
        ),
    );
    if let Some(c) = group
        .iter()
        .find(|c| matches!(c.kind, PathKind::Template { .. }))
    {
        op.insert("x-payple-url".into(), url_facts(spec, c.ep));
    }
    Value::Object(op)
}

/// `links` of an auth endpoint's answer: one per endpoint posted to the auth's return_url.
fn return_url_links(spec: &Spec, all: &[&Endpoint], eps: &[&Endpoint]) -> Map<String, Value> {
    let mut links = Map::new();
    for auth in eps {
        let flows: Vec<&AuthFlow> = spec
            .auth_flows
            .iter()
            .filter(|f| f.endpoint.as_deref() == Some(auth.id.as_str()))
            .collect();
        let has_return_url = auth.response.iter().any(|f| f.name == RETURN_URL_PARAM);
        for flow in flows {
            for target in all {
                if target.url != UrlRule::AuthReturnUrl(flow.id.clone()) {
                    continue;
                }
                let flag = target
                    .auth_flag
                    .as_ref()
                    .map(|(f, v)| format!("with `{f}` = `{v}`"))
                    .unwrap_or_else(|| "with its flag".into());
                let mut l = Map::new();
                l.insert("operationId".into(), json!(target.id));
                if has_return_url {
                    l.insert(
                        "parameters".into(),
                        json!({
                            format!("path.{RETURN_URL_PARAM}"):
                                format!("$response.body#/{RETURN_URL_PARAM}")
                        }),
                    );
                }
                l.insert(
                    "description".into(),
                    json!(format!(
                        "Asked {flag}, this call answers the `{RETURN_URL_PARAM}` of `{}` and \
                         the tokens for it. {}",
                        target.id,
                        flow.summary.trim()
                    )),
                );
                if let Some((f, v)) = &target.auth_flag {
                    l.insert("x-payple-flag".into(), json!({ "field": f, "value": v }));
                }
                links.insert(target.id.clone(), Value::Object(l));
            }
        }
    }
    links
}

fn webhook_operation(spec: &Spec, svc: &Service, ep: &Endpoint) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(ep.id));
    op.insert("summary".into(), json!(ep.title.en));
    let mut d = format!("`{}` ({}). {}", ep.id, ep.title.ko, ep.summary.trim());
    if let UrlRule::PartnerUrl(field) = &ep.url {
        d.push_str(&format!(
            "\n\nPayple (or the buyer's browser) posts the body below to the partner: {field}. \
             The body is the endpoint's response part."
        ));
    }
    let rules = media_type_rules(ep);
    let media_type = request_media_type(ep);
    if media_type == "*/*" && !rules.is_empty() {
        d.push_str(&format!(
            "\n\nMedia type: not documented as a value. {}",
            rules.join(" ")
        ));
    }
    op.insert("description".into(), json!(d));
    op.insert("tags".into(), json!([svc.id]));
    if !ep.doc_url().is_empty() {
        op.insert(
            "externalDocs".into(),
            json!({ "url": ep.doc_url(), "description": "Payple's documentation (Korean)" }),
        );
    }
    let params = header_parameters(&[ep]);
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if let Some(s) = body_schema(&[ep], Part::Response) {
        let mut content = Map::new();
        content.insert(media_type, media(&[ep], Part::Response, s, true));
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": Value::Object(content) }),
        );
    }
    op.insert(
        "responses".into(),
        json!({ "200": {
            "description": "The partner's receiver acknowledges the post (see \
                            `x-payple-endpoints[].limits` for what Payple expects)."
        } }),
    );
    op.insert("security".into(), json!([]));
    op.insert(
        "x-payple-endpoints".into(),
        json!([endpoint_facts(spec, None, ep)]),
    );
    Value::Object(op)
}
