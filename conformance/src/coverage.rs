//! Coverage: which documented fields and result codes the recordings (and, optionally, the
//! documented samples) exercise, per endpoint, field and payment method.
//!
//! A field is a cell per payment method it applies to: `card` and/or `transfer` for an
//! endpoint with a payment-method field, `unspecified` for one without. A cell is covered
//! when at least one body of that method holds the field (under its name or a legacy name).
//! Nested fields are cells of their own, with pointers such as `/LIST/*/NAME` (`*` for any
//! list item). Bodies of an `other` or `unspecified` method of an endpoint with a
//! payment-method field are counted and shown but cover no cell.
//!
//! The result codes of an endpoint are the entries of its catalog that are its success codes,
//! that are sourced from its documentation page, or that one of its documented samples
//! holds; one is covered when any response body holds it.

use crate::PaymentMethod;
use crate::recording;
use crate::replay::{display_path, find_recordings_dir, recording_files};
use payple_types::doc_sample::repair;
use payple_types::{Applies, CodeClass, EndpointSpec, FieldShape, FieldSpec, Part};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// What to measure.
#[derive(Debug, Clone, Default)]
pub struct CoverageOptions {
    /// Recording files or directories; empty: the repository's `recordings/`.
    pub paths: Vec<PathBuf>,
    /// Count the documented samples of the spec as well.
    pub include_samples: bool,
    /// Only these endpoint ids (empty: every endpoint).
    pub endpoints: Vec<String>,
    /// An endpoint below this percentage fails.
    pub min_percent: Option<f64>,
}

/// Bodies per payment method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MethodCounts {
    /// Card bodies.
    pub card: usize,
    /// Transfer bodies.
    pub transfer: usize,
    /// Bodies with another payment-method value.
    pub other: usize,
    /// Bodies without a payment method.
    pub unspecified: usize,
}

impl MethodCounts {
    /// The count for `m`.
    pub fn get(&self, m: PaymentMethod) -> usize {
        match m {
            PaymentMethod::Card => self.card,
            PaymentMethod::Transfer => self.transfer,
            PaymentMethod::Other => self.other,
            PaymentMethod::Unspecified => self.unspecified,
        }
    }

    fn add(&mut self, m: PaymentMethod) {
        match m {
            PaymentMethod::Card => self.card += 1,
            PaymentMethod::Transfer => self.transfer += 1,
            PaymentMethod::Other => self.other += 1,
            PaymentMethod::Unspecified => self.unspecified += 1,
        }
    }

    /// Over every method.
    pub fn total(&self) -> usize {
        self.card + self.transfer + self.other + self.unspecified
    }
}

/// One documented field of one part.
#[derive(Debug, Clone, Serialize)]
pub struct FieldCoverage {
    /// `request` or `response`.
    pub part: &'static str,
    /// JSON pointer; `*` stands for any item of a list.
    pub pointer: String,
    /// The documented name.
    pub name: &'static str,
    /// `both`, `card` or `transfer` (inherited from an enclosing field).
    pub applies: &'static str,
    /// The payment methods this field is a cell for.
    pub counted: Vec<PaymentMethod>,
    /// Bodies holding the field, per payment method.
    pub bodies: MethodCounts,
    /// The counted methods with at least one body.
    pub covered: Vec<PaymentMethod>,
}

/// One result code an endpoint is expected to answer.
#[derive(Debug, Clone, Serialize)]
pub struct CodeCoverage {
    /// The code.
    pub code: &'static str,
    /// `success` or `failure`.
    pub class: &'static str,
    /// Why the code belongs to the endpoint: `success code`, `endpoint page`, `sample`.
    pub listed_because: Vec<&'static str>,
    /// Response bodies holding the code, per payment method.
    pub bodies: MethodCounts,
    /// Whether any response body holds it.
    pub covered: bool,
}

/// A result code seen in a body but not listed for the endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct OtherCode {
    /// The code as received.
    pub code: String,
    /// Whether the endpoint's catalog documents it.
    pub in_catalog: bool,
    /// Response bodies holding it.
    pub bodies: MethodCounts,
}

/// Covered and total counts with percentages (`null` when there is nothing to cover).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Field cells (field x payment method).
    pub field_cells: usize,
    /// Field cells covered.
    pub field_cells_covered: usize,
    /// Percentage of field cells covered.
    pub field_percent: Option<f64>,
    /// Listed result codes.
    pub result_codes: usize,
    /// Listed result codes covered.
    pub result_codes_covered: usize,
    /// Percentage of result codes covered.
    pub result_code_percent: Option<f64>,
    /// Field cells and result codes.
    pub total: usize,
    /// Covered field cells and result codes.
    pub covered: usize,
    /// Percentage of both together.
    pub percent: Option<f64>,
}

/// A percentage rounded to one decimal, `None` for an empty whole.
pub fn percent(covered: usize, total: usize) -> Option<f64> {
    if total == 0 {
        return None;
    }
    let tenths = (covered as f64 * 1000.0 / total as f64).round();
    Some(tenths / 10.0)
}

impl Tally {
    fn finish(mut self) -> Self {
        self.total = self.field_cells + self.result_codes;
        self.covered = self.field_cells_covered + self.result_codes_covered;
        self.field_percent = percent(self.field_cells_covered, self.field_cells);
        self.result_code_percent = percent(self.result_codes_covered, self.result_codes);
        self.percent = percent(self.covered, self.total);
        self
    }

    fn add(&mut self, other: &Tally) {
        self.field_cells += other.field_cells;
        self.field_cells_covered += other.field_cells_covered;
        self.result_codes += other.result_codes;
        self.result_codes_covered += other.result_codes_covered;
    }
}

/// The coverage of one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointCoverage {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// Documentation URL.
    pub doc_url: &'static str,
    /// The field telling card from transfer, if the endpoint has one.
    pub payment_method_field: Option<&'static str>,
    /// The payment methods fields are cells for.
    pub methods: Vec<PaymentMethod>,
    /// Request bodies read, per payment method.
    pub request_bodies: MethodCounts,
    /// Response bodies read, per payment method.
    pub response_bodies: MethodCounts,
    /// Every documented field, request first, in spec order (nested fields after their
    /// parent).
    pub fields: Vec<FieldCoverage>,
    /// The endpoint's result codes.
    pub result_codes: Vec<CodeCoverage>,
    /// Result codes seen but not listed for the endpoint.
    pub other_result_codes: Vec<OtherCode>,
    /// Counts and percentages.
    pub totals: Tally,
    /// `false` when `--min` is given and the endpoint's percentage is below it.
    pub passed: bool,
}

/// A recording file that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    /// The file as shown.
    pub name: String,
    /// Why.
    pub error: String,
}

/// What was read.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sources {
    /// Recording files read (readable or not).
    pub recordings: usize,
    /// Documented samples read (with `--include-samples`).
    pub samples: usize,
    /// JSON-object bodies counted (a recording has up to two).
    pub bodies: usize,
    /// Recording files that could not be read.
    pub unreadable: usize,
}

/// The coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// What was read.
    pub sources: Sources,
    /// The `--min` percentage, if given.
    pub min_percent: Option<f64>,
    /// One entry per endpoint, in spec order.
    pub endpoints: Vec<EndpointCoverage>,
    /// Recording files that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Over every endpoint.
    pub totals: Tally,
}

impl CoverageReport {
    /// Endpoints below `--min`.
    pub fn below_min(&self) -> usize {
        self.endpoints.iter().filter(|e| !e.passed).count()
    }

    /// 2 when a recording could not be read, 1 when an endpoint is below `--min`, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.sources.unreadable > 0 {
            2
        } else if self.below_min() > 0 {
            1
        } else {
            0
        }
    }
}

struct Row {
    part: Part,
    pointer: String,
    spec: &'static FieldSpec,
    applies: Applies,
}

fn rows(
    fields: &'static [FieldSpec],
    part: Part,
    prefix: &str,
    inherited: Applies,
    out: &mut Vec<Row>,
) {
    for f in fields {
        let applies = if inherited == Applies::Both {
            f.applies
        } else {
            inherited
        };
        let pointer = format!("{prefix}/{}", payple_types::pointer_token(f.name));
        out.push(Row {
            part,
            pointer: pointer.clone(),
            spec: f,
            applies,
        });
        match f.shape {
            FieldShape::Scalar => {}
            FieldShape::Object(sub) => rows(sub, part, &pointer, applies, out),
            FieldShape::List(sub) => rows(sub, part, &format!("{pointer}/*"), applies, out),
        }
    }
}

/// Pointers of the documented fields `obj` holds.
fn present(
    fields: &'static [FieldSpec],
    obj: &Map<String, Value>,
    prefix: &str,
    out: &mut BTreeSet<String>,
) {
    for (key, value) in obj {
        let Some(f) = fields.iter().find(|f| f.matches(key)) else {
            continue;
        };
        let pointer = format!("{prefix}/{}", payple_types::pointer_token(f.name));
        match (f.shape, value) {
            (FieldShape::Object(sub), Value::Object(o)) => present(sub, o, &pointer, out),
            (FieldShape::List(sub), Value::Array(items)) => {
                let item_prefix = format!("{pointer}/*");
                for item in items {
                    if let Value::Object(o) = item {
                        present(sub, o, &item_prefix, out);
                    }
                }
            }
            _ => {}
        }
        out.insert(pointer);
    }
}

fn counted_methods(ep: &EndpointSpec, applies: Applies) -> Vec<PaymentMethod> {
    if ep.payment_method_field.is_none() {
        return vec![PaymentMethod::Unspecified];
    }
    match applies {
        Applies::Both => vec![PaymentMethod::Card, PaymentMethod::Transfer],
        Applies::Card => vec![PaymentMethod::Card],
        Applies::Transfer => vec![PaymentMethod::Transfer],
    }
}

/// One JSON-object body of an endpoint part.
struct Body {
    endpoint: &'static str,
    part: Part,
    value: Map<String, Value>,
}

fn body_of(ep: &EndpointSpec, part: Part, bytes: &[u8]) -> Option<Body> {
    if bytes.len() > payple_types::MAX_BODY_BYTES {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(value)) => Some(Body {
            endpoint: ep.id,
            part,
            value,
        }),
        _ => None,
    }
}

fn listed_codes(ep: &EndpointSpec) -> Vec<CodeCoverage> {
    let Some(r) = &ep.result else {
        return Vec::new();
    };
    let mut out: Vec<CodeCoverage> = Vec::new();
    let mut add = |code: &'static str, class: &'static str, why: &'static str| match out
        .iter_mut()
        .find(|c| c.code == code)
    {
        Some(c) => {
            if !c.listed_because.contains(&why) {
                c.listed_because.push(why);
            }
        }
        None => out.push(CodeCoverage {
            code,
            class,
            listed_because: vec![why],
            bodies: MethodCounts::default(),
            covered: false,
        }),
    };
    let class_of = |class: CodeClass| match class {
        CodeClass::Success => "success",
        CodeClass::Failure => "failure",
    };
    for (code, _) in r.success_codes {
        add(code, "success", "success code");
    }
    let sample_codes: Vec<String> = ep
        .samples
        .iter()
        .filter(|s| s.part == Part::Response)
        .filter_map(|s| repair(s.raw).ok())
        .filter_map(|rep| {
            rep.value
                .get(r.code_field)
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    for e in r.catalog {
        if e.source == ep.doc_url {
            add(e.code, class_of(e.class), "endpoint page");
        }
        if sample_codes.iter().any(|c| c == e.code) {
            add(e.code, class_of(e.class), "sample");
        }
    }
    out
}

/// Measures coverage.
pub fn coverage(options: &CoverageOptions) -> CoverageReport {
    let mut sources = Sources::default();
    let mut unreadable = Vec::new();
    let mut bodies: Vec<Body> = Vec::new();
    let paths = if options.paths.is_empty() {
        find_recordings_dir().into_iter().collect()
    } else {
        options.paths.clone()
    };
    let (files, errors) = recording_files(&paths);
    for (p, error) in errors {
        sources.unreadable += 1;
        unreadable.push(Unreadable {
            name: display_path(&p),
            error,
        });
    }
    for f in files {
        sources.recordings += 1;
        match recording::load(&f) {
            Ok(l) => {
                for (part, body) in [
                    (Part::Request, &l.request_body),
                    (Part::Response, &l.response_body),
                ] {
                    if let Some(b) = body.as_deref().and_then(|b| body_of(l.endpoint, part, b)) {
                        bodies.push(b);
                    }
                }
            }
            Err(error) => {
                sources.unreadable += 1;
                unreadable.push(Unreadable {
                    name: display_path(&f),
                    error,
                });
            }
        }
    }
    if options.include_samples {
        for ep in payple_types::endpoints() {
            for s in ep.samples {
                sources.samples += 1;
                if let Ok(Value::Object(value)) = repair(s.raw).map(|r| r.value) {
                    bodies.push(Body {
                        endpoint: ep.id,
                        part: s.part,
                        value,
                    });
                }
            }
        }
    }
    sources.bodies = bodies.len();

    let mut endpoints = Vec::new();
    let mut totals = Tally::default();
    for ep in payple_types::endpoints() {
        if !options.endpoints.is_empty() && !options.endpoints.iter().any(|e| e == ep.id) {
            continue;
        }
        let e = endpoint_coverage(ep, &bodies, options.min_percent);
        totals.add(&e.totals);
        endpoints.push(e);
    }
    CoverageReport {
        sources,
        min_percent: options.min_percent,
        endpoints,
        unreadable,
        totals: totals.finish(),
    }
}

fn endpoint_coverage(
    ep: &'static EndpointSpec,
    bodies: &[Body],
    min: Option<f64>,
) -> EndpointCoverage {
    let mut all_rows = Vec::new();
    rows(ep.request, Part::Request, "", Applies::Both, &mut all_rows);
    rows(
        ep.response,
        Part::Response,
        "",
        Applies::Both,
        &mut all_rows,
    );
    let mut fields: Vec<FieldCoverage> = all_rows
        .iter()
        .map(|r| FieldCoverage {
            part: r.part.as_str(),
            pointer: r.pointer.clone(),
            name: r.spec.name,
            applies: r.applies.as_str(),
            counted: counted_methods(ep, r.applies),
            bodies: MethodCounts::default(),
            covered: Vec::new(),
        })
        .collect();
    let mut result_codes = listed_codes(ep);
    let mut other_result_codes: Vec<OtherCode> = Vec::new();
    let mut request_bodies = MethodCounts::default();
    let mut response_bodies = MethodCounts::default();
    for b in bodies.iter().filter(|b| b.endpoint == ep.id) {
        let body = Value::Object(b.value.clone());
        let method = PaymentMethod::of_value(ep, &body);
        match b.part {
            Part::Request => request_bodies.add(method),
            Part::Response => response_bodies.add(method),
        }
        let mut seen = BTreeSet::new();
        present(ep.fields(b.part), &b.value, "", &mut seen);
        for f in fields.iter_mut().filter(|f| f.part == b.part.as_str()) {
            if seen.contains(&f.pointer) {
                f.bodies.add(method);
            }
        }
        if b.part == Part::Response
            && let Some(r) = &ep.result
            && let Some(code) = b.value.get(r.code_field).and_then(Value::as_str)
        {
            if let Some(c) = result_codes.iter_mut().find(|c| c.code == code) {
                c.bodies.add(method);
            } else if let Some(o) = other_result_codes.iter_mut().find(|o| o.code == code) {
                o.bodies.add(method);
            } else {
                let mut counts = MethodCounts::default();
                counts.add(method);
                other_result_codes.push(OtherCode {
                    code: code.to_string(),
                    in_catalog: r.catalog.iter().any(|e| e.code == code),
                    bodies: counts,
                });
            }
        }
    }
    let mut t = Tally::default();
    for f in &mut fields {
        f.covered = f
            .counted
            .iter()
            .copied()
            .filter(|m| f.bodies.get(*m) > 0)
            .collect();
        t.field_cells += f.counted.len();
        t.field_cells_covered += f.covered.len();
    }
    for c in &mut result_codes {
        c.covered = c.bodies.total() > 0;
        t.result_codes += 1;
        t.result_codes_covered += usize::from(c.covered);
    }
    other_result_codes.sort_by(|a, b| a.code.cmp(&b.code));
    let totals = t.finish();
    let passed = match (min, totals.percent) {
        (Some(min), Some(p)) => p >= min,
        _ => true,
    };
    EndpointCoverage {
        endpoint: ep.id,
        doc_url: ep.doc_url,
        payment_method_field: ep.payment_method_field,
        methods: if ep.payment_method_field.is_some() {
            vec![PaymentMethod::Card, PaymentMethod::Transfer]
        } else {
            vec![PaymentMethod::Unspecified]
        },
        request_bodies,
        response_bodies,
        fields,
        result_codes,
        other_result_codes,
        totals,
        passed,
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_round_to_one_decimal() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(5, 5), Some(100.0));
    }
}
