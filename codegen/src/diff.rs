//! What changed for consumers between two versions of the spec, in the style of oasdiff:
//! each change has a stable rule id, a level (breaking, non-breaking, informational), the
//! endpoint and location it concerns, and the old and new values. Reports: plain text,
//! JSON, Markdown and JUnit XML ([`to_junit`], for CI test-report views).
//!
//! The comparison is on the checked model ([`crate::model::Spec`]), so it sees what the
//! generated models, schemas, OpenAPI documents, validator and mock see. Who is the consumer:
//! a partner's client, which sends requests and reads answers. So a request field that
//! becomes required, a response field that disappears or may now be absent, a type that
//! admits more in an answer or less in a request, and a new success code (a client that
//! does not know it reads a success as a failure) are breaking.

use crate::model::{CodeClass, Endpoint, Field, Part, Required, Shape, Spec, UrlRule};
use crate::typecode::{Alphabet, TypeCode};
use payple_support::text::xml_escape;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How a change affects consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Existing clients may fail or misread answers.
    Breaking,
    /// Existing clients keep working.
    NonBreaking,
    /// Documentation, provenance or samples only.
    Info,
}

impl Level {
    /// `breaking`, `non-breaking` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::NonBreaking => "non-breaking",
            Level::Info => "info",
        }
    }

    /// The label of the text report.
    fn short(self) -> &'static str {
        match self {
            Level::Breaking => "BREAKING",
            Level::NonBreaking => "NON-BREAKING",
            Level::Info => "INFO",
        }
    }
}

/// One consumer-visible change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Level.
    pub level: Level,
    /// Endpoint id, service id or catalog id the change concerns.
    pub subject: String,
    /// Where inside it (`request/PCD_PAY_OID`, `result`, ...), empty for the whole subject.
    pub location: String,
    /// Stable rule id, e.g. `response-field-removed`.
    pub rule: &'static str,
    /// What it was (empty when added).
    pub old: String,
    /// What it is (empty when removed).
    pub new: String,
}

impl Change {
    /// A one-line description: where, what the rule means, old and new values.
    pub fn message(&self) -> String {
        let at = if self.location.is_empty() {
            self.subject.clone()
        } else {
            format!("{} {}", self.subject, self.location)
        };
        let meaning = RULES
            .iter()
            .find(|(id, _, _)| *id == self.rule)
            .map_or(self.rule, |(_, _, m)| m);
        match (self.old.is_empty(), self.new.is_empty()) {
            (true, true) => format!("{at}: {meaning}"),
            (true, false) => format!("{at}: {meaning}: {}", self.new),
            (false, true) => format!("{at}: {meaning} (was {})", self.old),
            (false, false) => format!("{at}: {meaning}: {} -> {}", self.old, self.new),
        }
    }
}

/// Every rule id with its level and meaning (the documented list).
#[rustfmt::skip]
pub const RULES: &[(&str, Level, &str)] = &[
    ("endpoint-added", Level::NonBreaking, "a new endpoint"),
    ("endpoint-removed", Level::Breaking, "an endpoint is gone"),
    ("endpoint-method-changed", Level::Breaking, "the HTTP method changed"),
    ("endpoint-url-changed", Level::Breaking, "the path or URL rule changed"),
    ("legacy-path-added", Level::Info, "an older path was documented"),
    ("legacy-path-removed", Level::Info, "an older path is no longer listed"),
    ("auth-flow-changed", Level::Breaking, "the endpoint needs another auth flow"),
    ("auth-flag-changed", Level::Breaking, "the auth call needs another flag"),
    ("auth-lifetime-decreased", Level::Breaking, "tokens expire sooner"),
    ("auth-lifetime-increased", Level::NonBreaking, "tokens live longer"),
    ("server-added", Level::NonBreaking, "a new environment"),
    ("server-removed", Level::Breaking, "an environment is gone"),
    ("server-url-changed", Level::Breaking, "an environment's base URL changed"),
    ("request-field-added", Level::NonBreaking, "a new optional request field"),
    ("request-required-field-added", Level::Breaking, "a new request field, required always or under a condition"),
    ("request-field-removed", Level::Breaking, "a request field clients send is no longer documented"),
    ("request-field-became-required", Level::Breaking, "a request field is required in more cases"),
    ("request-field-became-optional", Level::NonBreaking, "a request field is required in fewer cases"),
    ("request-field-required-changed", Level::Breaking, "the condition that requires a request field changed"),
    ("request-type-narrowed", Level::Breaking, "a request field admits fewer characters or a shorter value"),
    ("request-type-widened", Level::NonBreaking, "a request field admits more"),
    ("request-type-changed", Level::Breaking, "a request field's type code changed otherwise"),
    ("request-value-removed", Level::Breaking, "a value of a closed request value set is gone"),
    ("request-value-added", Level::NonBreaking, "a closed request value set admits a new value"),
    ("request-format-added", Level::Breaking, "a request field must now follow a date / digit format"),
    ("request-format-removed", Level::NonBreaking, "a request field no longer needs a format"),
    ("response-field-added", Level::NonBreaking, "a new response field"),
    ("response-field-removed", Level::Breaking, "a response field clients read is gone"),
    ("response-field-became-optional", Level::Breaking, "a response field may be absent in more cases"),
    ("response-field-became-required", Level::NonBreaking, "a response field is present in more cases"),
    ("response-field-required-changed", Level::Breaking, "the condition under which a response field is present changed"),
    ("response-type-widened", Level::Breaking, "a response field may hold longer values or more characters"),
    ("response-type-narrowed", Level::NonBreaking, "a response field admits less"),
    ("response-type-changed", Level::Breaking, "a response field's type code changed otherwise"),
    ("response-value-added", Level::Breaking, "a closed response value set has a new value"),
    ("response-value-removed", Level::NonBreaking, "a response value is no longer documented"),
    ("response-format-added", Level::NonBreaking, "a response field now follows a date / digit format"),
    ("response-format-removed", Level::Breaking, "a response field no longer follows its format"),
    ("field-format-changed", Level::Breaking, "the date / digit format of a field changed"),
    ("field-applies-changed", Level::Breaking, "the payment methods a field applies to changed"),
    ("field-shape-changed", Level::Breaking, "scalar, object or list changed"),
    ("field-renamed", Level::Breaking, "a field has a new name; the old one is kept as a legacy name"),
    ("field-legacy-name-added", Level::NonBreaking, "an old name of a field is recognised"),
    ("field-legacy-name-removed", Level::Breaking, "an old name of a field is no longer recognised"),
    ("field-sensitive-changed", Level::Info, "redaction of a field changed"),
    ("field-evidence-changed", Level::Info, "the evidence tag of a field changed"),
    ("result-success-code-added", Level::Breaking, "a new success code (clients may read it as a failure)"),
    ("result-success-code-removed", Level::Breaking, "a success code is gone"),
    ("result-rule-changed", Level::Breaking, "the status, code or message field of the result changed"),
    ("catalog-code-added", Level::NonBreaking, "a new response code"),
    ("catalog-code-removed", Level::Info, "a response code is no longer listed"),
    ("catalog-code-class-changed", Level::Breaking, "a code changed between success and failure"),
    ("limit-added", Level::Info, "a new documented limit"),
    ("limit-removed", Level::Info, "a documented limit is gone"),
    ("sample-added", Level::Info, "a new documented sample"),
    ("sample-removed", Level::Info, "a documented sample is gone"),
    ("discrepancy-added", Level::Info, "a new documented discrepancy"),
    ("discrepancy-removed", Level::Info, "a documented discrepancy is resolved or gone"),
];

/// The level of a rule id.
pub fn level_of(rule: &str) -> Level {
    RULES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(Level::Info, |(_, l, _)| *l)
}

struct Out(Vec<Change>);

impl Out {
    fn push(
        &mut self,
        rule: &'static str,
        subject: &str,
        location: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
    ) {
        debug_assert!(RULES.iter().any(|(id, _, _)| *id == rule), "{rule}");
        self.0.push(Change {
            level: level_of(rule),
            subject: subject.to_string(),
            location: location.into(),
            rule,
            old: old.into(),
            new: new.into(),
        });
    }
}

/// Every consumer-visible change from `old` to `new`, sorted by level, subject, location.
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut out = Out(Vec::new());
    services(old, new, &mut out);
    flows(old, new, &mut out);
    let olds: BTreeMap<&str, &Endpoint> =
        old.endpoints.iter().map(|e| (e.id.as_str(), e)).collect();
    let news: BTreeMap<&str, &Endpoint> =
        new.endpoints.iter().map(|e| (e.id.as_str(), e)).collect();
    for (id, o) in &olds {
        match news.get(id) {
            None => out.push("endpoint-removed", id, "", o.title.en.clone(), ""),
            Some(n) => endpoint(old, new, o, n, &mut out),
        }
    }
    for (id, n) in &news {
        if !olds.contains_key(id) {
            out.push("endpoint-added", id, "", "", n.title.en.clone());
        }
    }
    catalogs(old, new, &mut out);
    out.0.sort();
    out.0.dedup();
    out.0
}

fn services(old: &Spec, new: &Spec, out: &mut Out) {
    for os in &old.services {
        let Some(ns) = new.services.iter().find(|s| s.id == os.id) else {
            for e in &os.environments {
                out.push("server-removed", &os.id, &e.name, &e.base_url, "");
            }
            continue;
        };
        for oe in &os.environments {
            match ns.environments.iter().find(|e| e.name == oe.name) {
                None => out.push("server-removed", &os.id, &oe.name, &oe.base_url, ""),
                Some(ne) if ne.base_url != oe.base_url => out.push(
                    "server-url-changed",
                    &os.id,
                    &oe.name,
                    &oe.base_url,
                    &ne.base_url,
                ),
                Some(_) => {}
            }
        }
        for ne in &ns.environments {
            if !os.environments.iter().any(|e| e.name == ne.name) {
                out.push("server-added", &ns.id, &ne.name, "", &ne.base_url);
            }
        }
    }
    for ns in &new.services {
        if !old.services.iter().any(|s| s.id == ns.id) {
            for e in &ns.environments {
                out.push("server-added", &ns.id, &e.name, "", &e.base_url);
            }
        }
    }
}

fn flows(old: &Spec, new: &Spec, out: &mut Out) {
    for of in &old.auth_flows {
        let Some(nf) = new.auth_flows.iter().find(|f| f.id == of.id) else {
            continue;
        };
        if let (Some(a), Some(b)) = (of.lifetime_seconds, nf.lifetime_seconds) {
            let rule = if b < a {
                "auth-lifetime-decreased"
            } else if b > a {
                "auth-lifetime-increased"
            } else {
                continue;
            };
            out.push(rule, &of.id, "lifetime", format!("{a} s"), format!("{b} s"));
        }
    }
}

fn url_text(u: &UrlRule) -> String {
    match u {
        UrlRule::Path(p) => format!("path {p}"),
        UrlRule::AuthReturnUrl(f) => format!("return_url of {f}"),
        UrlRule::PartnerUrl(f) => format!("partner URL {f}"),
        UrlRule::Script(p) => format!("script {p}"),
    }
}

fn endpoint(old: &Spec, new: &Spec, o: &Endpoint, n: &Endpoint, out: &mut Out) {
    let id = o.id.as_str();
    if o.method != n.method {
        out.push("endpoint-method-changed", id, "", &o.method, &n.method);
    }
    if o.url != n.url {
        out.push(
            "endpoint-url-changed",
            id,
            "",
            url_text(&o.url),
            url_text(&n.url),
        );
    }
    let op: BTreeSet<&str> = o.legacy_paths.iter().map(|p| p.0.as_str()).collect();
    let np: BTreeSet<&str> = n.legacy_paths.iter().map(|p| p.0.as_str()).collect();
    for p in op.difference(&np) {
        out.push("legacy-path-removed", id, "", *p, "");
    }
    for p in np.difference(&op) {
        out.push("legacy-path-added", id, "", "", *p);
    }
    if o.auth_flow != n.auth_flow {
        out.push("auth-flow-changed", id, "auth", &o.auth_flow, &n.auth_flow);
    }
    if o.auth_flag != n.auth_flag {
        let f = |x: &Option<(String, String)>| {
            x.as_ref()
                .map(|(f, v)| format!("{f}={v}"))
                .unwrap_or_default()
        };
        out.push(
            "auth-flag-changed",
            id,
            "auth",
            f(&o.auth_flag),
            f(&n.auth_flag),
        );
    }
    for part in [Part::Request, Part::Response] {
        fields(
            (old, new),
            id,
            part,
            "",
            o.fields(part),
            n.fields(part),
            out,
        );
    }
    match (&o.result, &n.result) {
        (Some(a), Some(b)) => {
            let codes = |r: &crate::model::ResultRule| -> BTreeSet<(String, &'static str)> {
                r.success_codes
                    .iter()
                    .map(|c| (c.code.clone(), c.applies.as_str()))
                    .collect()
            };
            let (ca, cb) = (codes(a), codes(b));
            for (c, m) in ca.difference(&cb) {
                out.push(
                    "result-success-code-removed",
                    id,
                    format!("result ({m})"),
                    c,
                    "",
                );
            }
            for (c, m) in cb.difference(&ca) {
                out.push(
                    "result-success-code-added",
                    id,
                    format!("result ({m})"),
                    "",
                    c,
                );
            }
            let shape = |r: &crate::model::ResultRule| {
                format!(
                    "status {} code {} message {}",
                    r.status
                        .as_ref()
                        .map(|(f, v)| format!("{f}={v}"))
                        .unwrap_or_else(|| "-".into()),
                    r.code_field,
                    r.message_field.as_deref().unwrap_or("-")
                )
            };
            if shape(a) != shape(b) {
                out.push("result-rule-changed", id, "result", shape(a), shape(b));
            }
        }
        (None, Some(b)) => out.push(
            "result-rule-changed",
            id,
            "result",
            "none",
            format!("code {}", b.code_field),
        ),
        (Some(a), None) => out.push(
            "result-rule-changed",
            id,
            "result",
            format!("code {}", a.code_field),
            "none",
        ),
        (None, None) => {}
    }
    let ol: BTreeSet<&str> = o.limits.iter().map(|l| l.0.trim()).collect();
    let nl: BTreeSet<&str> = n.limits.iter().map(|l| l.0.trim()).collect();
    for l in ol.difference(&nl) {
        out.push("limit-removed", id, "limits", *l, "");
    }
    for l in nl.difference(&ol) {
        out.push("limit-added", id, "limits", "", *l);
    }
    let os: BTreeSet<&str> = o.samples.iter().map(|s| s.id.as_str()).collect();
    let ns: BTreeSet<&str> = n.samples.iter().map(|s| s.id.as_str()).collect();
    for s in os.difference(&ns) {
        out.push("sample-removed", id, "samples", *s, "");
    }
    for s in ns.difference(&os) {
        out.push("sample-added", id, "samples", "", *s);
    }
    let od: BTreeSet<&str> = o.discrepancies.iter().map(|d| d.0.as_str()).collect();
    let nd: BTreeSet<&str> = n.discrepancies.iter().map(|d| d.0.as_str()).collect();
    for d in od.difference(&nd) {
        out.push("discrepancy-removed", id, "discrepancies", *d, "");
    }
    for d in nd.difference(&od) {
        out.push("discrepancy-added", id, "discrepancies", "", *d);
    }
}

fn required_text(r: &Required) -> String {
    crate::export::required_text(r).replace('`', "")
}

/// The letters a type code admits (`None`: any character) and its maximum length.
fn reading(alphabet: &Alphabet, t: &TypeCode) -> (Option<BTreeSet<char>>, Option<u32>) {
    let letters = t.mask.map(|m| {
        alphabet
            .letters
            .iter()
            .enumerate()
            .filter(|(i, _)| m & (1 << i) != 0)
            .map(|(_, l)| l.letter)
            .collect()
    });
    (letters, t.max_len)
}

/// `Some(true)`: `b` admits at least what `a` does; `Some(false)`: at most; `None`: neither.
fn wider(
    a: &(Option<BTreeSet<char>>, Option<u32>),
    b: &(Option<BTreeSet<char>>, Option<u32>),
) -> Option<bool> {
    let letters_wider = match (&a.0, &b.0) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => x.is_subset(y),
    };
    let letters_narrower = match (&a.0, &b.0) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(x), Some(y)) => y.is_subset(x),
    };
    let len_wider = match (a.1, b.1) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => y >= x,
    };
    let len_narrower = match (a.1, b.1) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(x), Some(y)) => y <= x,
    };
    if letters_wider && len_wider {
        Some(true)
    } else if letters_narrower && len_narrower {
        Some(false)
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
fn fields(
    specs: (&Spec, &Spec),
    id: &str,
    part: Part,
    prefix: &str,
    old: &[Field],
    new: &[Field],
    out: &mut Out,
) {
    let p = part.as_str();
    let loc = |f: &Field| format!("{p}/{prefix}{}", f.name);
    for o in old {
        let Some(n) = new.iter().find(|f| f.name == o.name) else {
            // Renamed: the new field keeps the old name as a legacy name.
            if let Some(n) = new
                .iter()
                .find(|f| f.legacy_names.iter().any(|l| l.name == o.name))
            {
                out.push("field-renamed", id, loc(o), &o.name, &n.name);
            } else {
                let rule = match part {
                    Part::Request => "request-field-removed",
                    Part::Response => "response-field-removed",
                };
                out.push(rule, id, loc(o), required_text(&o.required), "");
            }
            continue;
        };
        let at = loc(o);
        // Required rules.
        if o.required != n.required {
            let (was, is) = (required_text(&o.required), required_text(&n.required));
            let strictness = |r: &Required| match r {
                Required::Never => 0,
                Required::When(_) => 1,
                Required::Always => 2,
            };
            let (a, b) = (strictness(&o.required), strictness(&n.required));
            let rule = match (part, a.cmp(&b)) {
                (Part::Request, std::cmp::Ordering::Less) => "request-field-became-required",
                (Part::Request, std::cmp::Ordering::Greater) => "request-field-became-optional",
                (Part::Request, std::cmp::Ordering::Equal) => "request-field-required-changed",
                (Part::Response, std::cmp::Ordering::Less) => "response-field-became-required",
                (Part::Response, std::cmp::Ordering::Greater) => "response-field-became-optional",
                (Part::Response, std::cmp::Ordering::Equal) => "response-field-required-changed",
            };
            out.push(rule, id, &at, was, is);
        }
        // Type codes.
        if let (Some(a), Some(b)) = (&o.documented_type, &n.documented_type)
            && a.notation != b.notation
        {
            let (ra, rb) = (reading(&specs.0.alphabet, a), reading(&specs.1.alphabet, b));
            // The same reading under another spelling is not a change a consumer sees.
            if ra != rb {
                let rule = match (part, wider(&ra, &rb)) {
                    (Part::Request, Some(true)) => "request-type-widened",
                    (Part::Request, Some(false)) => "request-type-narrowed",
                    (Part::Request, None) => "request-type-changed",
                    (Part::Response, Some(true)) => "response-type-widened",
                    (Part::Response, Some(false)) => "response-type-narrowed",
                    (Part::Response, None) => "response-type-changed",
                };
                out.push(rule, id, &at, &a.notation, &b.notation);
            }
        }
        // Closed value sets.
        if o.values_open.is_none() && n.values_open.is_none() {
            let va: BTreeSet<&str> = o.values.iter().map(|(v, _)| v.as_str()).collect();
            let vb: BTreeSet<&str> = n.values.iter().map(|(v, _)| v.as_str()).collect();
            if !va.is_empty() && !vb.is_empty() {
                for v in va.difference(&vb) {
                    let rule = match part {
                        Part::Request => "request-value-removed",
                        Part::Response => "response-value-removed",
                    };
                    out.push(rule, id, &at, *v, "");
                }
                for v in vb.difference(&va) {
                    let rule = match part {
                        Part::Request => "request-value-added",
                        Part::Response => "response-value-added",
                    };
                    out.push(rule, id, &at, "", *v);
                }
            }
        }
        if o.applies != n.applies {
            out.push(
                "field-applies-changed",
                id,
                &at,
                o.applies.as_str(),
                n.applies.as_str(),
            );
        }
        if o.shape != n.shape {
            out.push(
                "field-shape-changed",
                id,
                &at,
                format!("{:?}", o.shape).to_lowercase(),
                format!("{:?}", n.shape).to_lowercase(),
            );
        }
        if o.formats != n.formats {
            let rule = match (part, o.formats.is_empty(), n.formats.is_empty()) {
                (Part::Request, true, false) => "request-format-added",
                (Part::Request, false, true) => "request-format-removed",
                (Part::Response, true, false) => "response-format-added",
                (Part::Response, false, true) => "response-format-removed",
                _ => "field-format-changed",
            };
            out.push(rule, id, &at, o.formats.join("|"), n.formats.join("|"));
        }
        let la: BTreeSet<&str> = o.legacy_names.iter().map(|l| l.name.as_str()).collect();
        let lb: BTreeSet<&str> = n.legacy_names.iter().map(|l| l.name.as_str()).collect();
        for l in la.difference(&lb) {
            out.push("field-legacy-name-removed", id, &at, *l, "");
        }
        for l in lb.difference(&la) {
            out.push("field-legacy-name-added", id, &at, "", *l);
        }
        if o.sensitive != n.sensitive {
            out.push(
                "field-sensitive-changed",
                id,
                &at,
                o.sensitive.to_string(),
                n.sensitive.to_string(),
            );
        }
        if o.evidence != n.evidence {
            out.push("field-evidence-changed", id, &at, &o.evidence, &n.evidence);
        }
        if o.shape != Shape::Scalar && n.shape != Shape::Scalar {
            let nested = match n.shape {
                Shape::List => format!("{prefix}{}[].", n.name),
                _ => format!("{prefix}{}.", n.name),
            };
            fields(specs, id, part, &nested, &o.fields, &n.fields, out);
        }
    }
    for n in new {
        if old.iter().any(|f| f.name == n.name) {
            continue;
        }
        if n.legacy_names
            .iter()
            .any(|l| old.iter().any(|f| f.name == l.name))
        {
            continue; // reported as field-renamed
        }
        let rule = match (part, &n.required) {
            (Part::Request, Required::Never) => "request-field-added",
            (Part::Request, _) => "request-required-field-added",
            (Part::Response, _) => "response-field-added",
        };
        out.push(rule, id, loc(n), "", required_text(&n.required));
    }
}

fn catalogs(old: &Spec, new: &Spec, out: &mut Out) {
    for oc in &old.catalogs {
        let Some(nc) = new.catalog(&oc.id) else {
            for c in &oc.codes {
                out.push("catalog-code-removed", &oc.id, "", &c.code, "");
            }
            continue;
        };
        let class = |c: CodeClass| match c {
            CodeClass::Success => "success",
            CodeClass::Failure => "failure",
        };
        for c in &oc.codes {
            match nc.codes.iter().find(|x| x.code == c.code) {
                None => out.push("catalog-code-removed", &oc.id, "", &c.code, ""),
                Some(x) if x.class != c.class => out.push(
                    "catalog-code-class-changed",
                    &oc.id,
                    &c.code,
                    class(c.class),
                    class(x.class),
                ),
                Some(_) => {}
            }
        }
        for c in &nc.codes {
            if !oc.codes.iter().any(|x| x.code == c.code) {
                out.push("catalog-code-added", &oc.id, "", "", &c.code);
            }
        }
    }
    for nc in &new.catalogs {
        if old.catalog(&nc.id).is_none() {
            for c in &nc.codes {
                out.push("catalog-code-added", &nc.id, "", "", &c.code);
            }
        }
    }
}

/// Counts per level: (breaking, non-breaking, info).
pub fn counts(changes: &[Change]) -> (usize, usize, usize) {
    let n = |l: Level| changes.iter().filter(|c| c.level == l).count();
    (n(Level::Breaking), n(Level::NonBreaking), n(Level::Info))
}

/// Plain text, one change per line, oasdiff-like.
pub fn to_text(changes: &[Change]) -> String {
    let (b, nb, i) = counts(changes);
    let mut out = format!(
        "{} changes: {b} breaking, {nb} non-breaking, {i} informational\n",
        changes.len()
    );
    for c in changes {
        let _ = writeln!(
            out,
            "{:<12} {:<32} {}",
            c.level.short(),
            c.rule,
            c.message()
        );
    }
    out
}

/// A JSON report: `{ "summary": {...}, "changes": [...] }`.
pub fn to_json(changes: &[Change]) -> Value {
    let (b, nb, i) = counts(changes);
    json!({
        "summary": { "breaking": b, "non_breaking": nb, "info": i },
        "changes": changes.iter().map(|c| json!({
            "id": c.rule,
            "level": c.level.as_str(),
            "subject": c.subject,
            "location": c.location,
            "old": c.old,
            "new": c.new,
            "text": c.message(),
        })).collect::<Vec<_>>(),
    })
}

/// A Markdown report: a summary line and one table.
pub fn to_markdown(changes: &[Change]) -> String {
    let (b, nb, i) = counts(changes);
    let mut out =
        format!("## Spec changes\n\n{b} breaking, {nb} non-breaking, {i} informational.\n\n");
    if changes.is_empty() {
        return out;
    }
    out.push_str("| Level | Rule | Subject | Location | Old | New |\n|---|---|---|---|---|---|\n");
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for c in changes {
        let _ = writeln!(
            out,
            "| {} | `{}` | `{}` | {} | {} | {} |",
            c.level.as_str(),
            c.rule,
            cell(&c.subject),
            cell(&c.location),
            cell(&c.old),
            cell(&c.new)
        );
    }
    out
}

/// A JUnit XML report for CI test-report views: `<testsuites name="payple-spec-diff">` with
/// one `<testsuite>` per level (`breaking`, `non-breaking`, `info`, each present even when
/// empty) and one `<testcase>` per change: `classname` is the rule id, `name` the subject and
/// location. A breaking change is a `<failure type="breaking">` whose message is the
/// one-line description; other changes pass and carry it in `<system-out>`. No timestamps,
/// so the same changes give the same bytes.
pub fn to_junit(changes: &[Change]) -> String {
    let a = |s: &str| xml_escape(s, true);
    let t = |s: &str| xml_escape(s, false);
    let (b, _, _) = counts(changes);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"payple-spec-diff\" tests=\"{}\" failures=\"{b}\" errors=\"0\" skipped=\"0\" time=\"0\">",
        changes.len()
    );
    for level in [Level::Breaking, Level::NonBreaking, Level::Info] {
        let cases: Vec<&Change> = changes.iter().filter(|c| c.level == level).collect();
        let failures = if level == Level::Breaking {
            cases.len()
        } else {
            0
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"payple-spec-diff.{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">",
            level.as_str(),
            cases.len()
        );
        for c in cases {
            let name = if c.location.is_empty() {
                c.subject.clone()
            } else {
                format!("{} {}", c.subject, c.location)
            };
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
                a(c.rule),
                a(&name)
            );
            let message = c.message();
            let mut detail = format!(
                "rule: {}\nlevel: {}\nsubject: {}\n",
                c.rule,
                c.level.as_str(),
                c.subject
            );
            for (key, value) in [("location", &c.location), ("old", &c.old), ("new", &c.new)] {
                if !value.is_empty() {
                    let _ = writeln!(detail, "{key}: {value}");
                }
            }
            if level == Level::Breaking {
                let _ = writeln!(
                    out,
                    "      <failure type=\"breaking\" message=\"{}\">{}</failure>",
                    a(&message),
                    t(&detail)
                );
            } else {
                let _ = writeln!(
                    out,
                    "      <system-out>{}\n{}</system-out>",
                    t(&message),
                    t(&detail)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
