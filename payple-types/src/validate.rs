//! The strict validator: every deviation of a body from the spec, as findings.
//!
//! It walks compiled tables (no YAML, no regular expressions at run time) and collects every
//! finding rather than stopping at the first.

use crate::runtime::*;

mod stream;
use serde::Serialize;
use serde::de::DeserializeSeed;
use serde_json::Value;
use std::fmt;

/// The largest body the validator parses (bytes). Payple's bodies are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What kind of deviation a finding is. The names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Not a JSON object (empty, HTML, truncated, too large, too deep, ...).
    MalformedBody,
    /// A required field is absent.
    MissingRequired,
    /// A key the spec does not document.
    UndocumentedField,
    /// A value breaks its type code (characters or length).
    TypeCodeViolation,
    /// A field of the other payment method (e.g. a card field in a transfer result).
    NotApplicable,
    /// A value outside the documented closed set.
    InvalidValue,
    /// A JSON type other than the documented one (e.g. a number where a string is documented).
    JsonTypeMismatch,
    /// A result code missing from the catalog.
    UnknownResultCode,
    /// The status and the result code disagree (e.g. PCHK0000 on a successful card result).
    SuccessCodeMismatch,
    /// A field sent under its legacy name.
    LegacyFieldName,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 10] = [
        Kind::MalformedBody,
        Kind::MissingRequired,
        Kind::UndocumentedField,
        Kind::TypeCodeViolation,
        Kind::NotApplicable,
        Kind::InvalidValue,
        Kind::JsonTypeMismatch,
        Kind::UnknownResultCode,
        Kind::SuccessCodeMismatch,
        Kind::LegacyFieldName,
    ];

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MalformedBody => "malformed_body",
            Kind::MissingRequired => "missing_required",
            Kind::UndocumentedField => "undocumented_field",
            Kind::TypeCodeViolation => "type_code_violation",
            Kind::NotApplicable => "not_applicable",
            Kind::InvalidValue => "invalid_value",
            Kind::JsonTypeMismatch => "json_type_mismatch",
            Kind::UnknownResultCode => "unknown_result_code",
            Kind::SuccessCodeMismatch => "success_code_mismatch",
            Kind::LegacyFieldName => "legacy_field_name",
        }
    }

    /// How serious the kind is.
    pub fn severity(self) -> Severity {
        match self {
            Kind::MalformedBody
            | Kind::MissingRequired
            | Kind::TypeCodeViolation
            | Kind::InvalidValue
            | Kind::JsonTypeMismatch
            | Kind::SuccessCodeMismatch => Severity::Error,
            Kind::UndocumentedField
            | Kind::NotApplicable
            | Kind::UnknownResultCode
            | Kind::LegacyFieldName => Severity::Warning,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown finding kind `{s}`"))
    }
}

/// Error, warning or info.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The body breaks the documented contract.
    Error,
    /// The body differs from the documentation in a way consumers tolerate.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One deviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Kind.
    pub kind: Kind,
    /// Severity.
    pub severity: Severity,
    /// JSON pointer of the value ("" for the whole body).
    pub pointer: String,
    /// The documented field name, if the finding concerns one.
    pub field: Option<String>,
    /// The documented (enforced) type code.
    pub type_code: Option<String>,
    /// What the spec expects.
    pub expected: Option<String>,
    /// What the body holds (redacted for sensitive fields).
    pub actual: Option<String>,
    /// A sentence a person can act on.
    pub message: String,
    /// Documentation URL.
    pub doc_url: String,
    /// Stable across runs and machines: endpoint, part, kind and pointer.
    pub fingerprint: String,
}

/// Every finding for one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Endpoint id.
    pub endpoint: String,
    /// `request` or `response`.
    pub part: &'static str,
    /// Findings in body order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// No error-severity finding.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// (kind, pointer) pairs, sorted: the shape samples record as expected findings.
    pub fn kinds_and_pointers(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .findings
            .iter()
            .map(|f| (f.kind.as_str().to_string(), f.pointer.clone()))
            .collect();
        v.sort();
        v
    }
}

/// The endpoint id is not in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEndpoint(pub String);

impl fmt::Display for UnknownEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown endpoint `{}`", self.0)
    }
}

impl std::error::Error for UnknownEndpoint {}

/// Looks an endpoint up by id.
pub fn endpoint(id: &str) -> Option<&'static EndpointSpec> {
    crate::generated::ENDPOINTS.iter().find(|e| e.id == id)
}

/// Validates a body (raw bytes as received) against an endpoint part.
///
/// ```
/// use payple_types::{Part, validate};
/// let body = br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"..."}"#;
/// let report = validate("cpay.result_inquiry", Part::Response, body).unwrap();
/// assert!(report.is_valid());
/// ```
pub fn validate(endpoint_id: &str, part: Part, body: &[u8]) -> Result<Report, UnknownEndpoint> {
    let ep = endpoint(endpoint_id).ok_or_else(|| UnknownEndpoint(endpoint_id.to_string()))?;
    Ok(validate_bytes(ep, part, body))
}

/// Validates raw bytes against a known endpoint.
///
/// The body is checked while it is parsed, in one pass, without building a tree: findings
/// come in body order, and a key that appears twice in one object (which JSON parsers
/// resolve differently) is reported as `malformed_body` at its pointer.
pub fn validate_bytes(ep: &EndpointSpec, part: Part, body: &[u8]) -> Report {
    let mut cx = Cx::new(ep, part);
    if let Err(why) = precheck(body) {
        cx.malformed(why);
        return cx.report();
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let outcome = stream::BodySeed { cx: &mut cx }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = outcome {
        let hint = if body.windows(2).any(|w| w == b"=>") {
            " (it uses PHP-style `=>`)"
        } else {
            ""
        };
        cx.malformed(format!("the body is not valid JSON: {e}{hint}"));
    }
    cx.report()
}

/// Validates an already parsed body (the same checks as [`validate_bytes`], in the map's
/// iteration order).
pub fn validate_value(ep: &EndpointSpec, part: Part, value: &Value) -> Report {
    let mut cx = Cx::new(ep, part);
    let seed = stream::BodySeed { cx: &mut cx };
    if let Err(e) = seed.deserialize(value) {
        cx.malformed(format!("the value cannot be read: {e}"));
    }
    cx.report()
}

/// Cheap checks before parsing: size cap, BOM, empty, markup, UTF-8.
fn precheck(body: &[u8]) -> Result<(), String> {
    if body.len() > MAX_BODY_BYTES {
        return Err(format!(
            "the body has {} bytes, more than the {MAX_BODY_BYTES}-byte cap; no Payple body is that large",
            body.len()
        ));
    }
    if body.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(
            "the body starts with a UTF-8 byte-order mark, which JSON does not allow".into(),
        );
    }
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err("the body is empty; a JSON object was expected".into());
    }
    if trimmed.starts_with(b"<") {
        return Err("the body is HTML or XML, not JSON (an error page?)".into());
    }
    // The parser checks UTF-8 only in the strings it decodes, not in values it skips.
    if std::str::from_utf8(body).is_err() {
        return Err("the body is not valid UTF-8".into());
    }
    Ok(())
}

struct Cx<'a> {
    ep: &'a EndpointSpec,
    part: Part,
    findings: Vec<Finding>,
}

/// The JSON type of a value as JSON Schema names it: `null`, `boolean`, `number`, `string`,
/// `array` or `object`.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as shown in findings: sensitive values are never shown.
fn shown(v: &Value, sensitive: bool) -> String {
    if sensitive {
        return match v {
            Value::String(s) => format!("<redacted: {} characters>", s.chars().count()),
            other => format!("<redacted {}>", json_type(other)),
        };
    }
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// An object key as one JSON-pointer token (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// FNV-1a, 64 bit: stable across runs, machines and Rust versions.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl<'a> Cx<'a> {
    fn new(ep: &'a EndpointSpec, part: Part) -> Self {
        Cx {
            ep,
            part,
            findings: Vec::new(),
        }
    }

    fn report(self) -> Report {
        Report {
            endpoint: self.ep.id.to_string(),
            part: self.part.as_str(),
            findings: self.findings,
        }
    }

    /// The body cannot be read: exactly one finding, whatever was seen before.
    fn malformed(&mut self, message: String) {
        self.findings.clear();
        self.push(Kind::MalformedBody, "", None, None, None, None, message);
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: Kind,
        pointer: &str,
        field: Option<&str>,
        type_code: Option<&TypeCode>,
        expected: Option<String>,
        actual: Option<String>,
        message: String,
    ) {
        let f = self.finding(kind, pointer, field, type_code, expected, actual, message);
        self.findings.push(f);
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        kind: Kind,
        pointer: &str,
        field: Option<&str>,
        type_code: Option<&TypeCode>,
        expected: Option<String>,
        actual: Option<String>,
        message: String,
    ) -> Finding {
        Finding {
            kind,
            severity: kind.severity(),
            pointer: pointer.to_string(),
            field: field.map(str::to_string),
            type_code: type_code.map(|t| t.notation.to_string()),
            expected,
            actual,
            message,
            doc_url: self.ep.doc_url.to_string(),
            fingerprint: fingerprint(&[self.ep.id, self.part.as_str(), kind.as_str(), pointer]),
        }
    }
}
