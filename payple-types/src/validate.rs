//! The strict validator: every deviation of a body from the spec, as findings.
//!
//! It walks compiled tables (no YAML, no regular expressions at run time) and collects every
//! finding rather than stopping at the first.

use crate::runtime::*;
use serde::Serialize;
use serde_json::{Map, Value};
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
pub fn validate_bytes(ep: &EndpointSpec, part: Part, body: &[u8]) -> Report {
    let mut cx = Cx::new(ep, part);
    match parse_body(body) {
        Ok(value) => cx.check_body(&value),
        Err(why) => cx.push(Kind::MalformedBody, "", None, None, None, None, why),
    }
    cx.report()
}

/// Validates an already parsed body.
pub fn validate_value(ep: &EndpointSpec, part: Part, value: &Value) -> Report {
    let mut cx = Cx::new(ep, part);
    cx.check_body(value);
    cx.report()
}

fn parse_body(body: &[u8]) -> Result<Value, String> {
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
    if std::str::from_utf8(body).is_err() {
        return Err("the body is not valid UTF-8".into());
    }
    serde_json::from_slice::<Value>(body).map_err(|e| {
        let hint = if body.windows(2).any(|w| w == b"=>") {
            " (it uses PHP-style `=>`)"
        } else {
            ""
        };
        format!("the body is not valid JSON: {e}{hint}")
    })
}

struct Cx<'a> {
    ep: &'a EndpointSpec,
    part: Part,
    findings: Vec<Finding>,
}

fn json_type(v: &Value) -> &'static str {
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

fn escape_pointer(key: &str) -> String {
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
        self.findings.push(Finding {
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
        });
    }

    fn check_body(&mut self, value: &Value) {
        let Value::Object(obj) = value else {
            self.push(
                Kind::MalformedBody,
                "",
                None,
                None,
                Some("a JSON object".into()),
                Some(format!("a JSON {}", json_type(value))),
                format!("the body is a JSON {}, not an object", json_type(value)),
            );
            return;
        };
        let method = self.method(obj);
        let fields = self.ep.fields(self.part);
        self.check_object(fields, obj, "", Some(method));
        if self.part == Part::Response
            && let Some(r) = &self.ep.result
        {
            self.check_result(r, obj, method);
        }
    }

    /// The payment method a body declares (`Both` when unknown).
    fn method(&self, obj: &Map<String, Value>) -> Applies {
        match self
            .ep
            .payment_method_field
            .and_then(|f| obj.get(f))
            .and_then(Value::as_str)
        {
            Some("card") => Applies::Card,
            Some("transfer") => Applies::Transfer,
            _ => Applies::Both,
        }
    }

    /// `method` is `Some` at the top level of an endpoint with a payment-method field.
    fn check_object(
        &mut self,
        fields: &'static [FieldSpec],
        obj: &Map<String, Value>,
        prefix: &str,
        method: Option<Applies>,
    ) {
        let method = method.filter(|_| self.ep.payment_method_field.is_some());
        for (key, value) in obj {
            let pointer = format!("{prefix}/{}", escape_pointer(key));
            let Some(f) = fields.iter().find(|f| f.matches(key)) else {
                self.push(
                    Kind::UndocumentedField,
                    &pointer,
                    None,
                    None,
                    None,
                    None,
                    format!(
                        "`{key}` is not a documented field of {} {}",
                        self.ep.id, self.part
                    ),
                );
                continue;
            };
            if key != f.name {
                self.push(
                    Kind::LegacyFieldName,
                    &pointer,
                    Some(f.name),
                    None,
                    Some(f.name.to_string()),
                    Some(key.clone()),
                    format!("`{key}` is the legacy name of `{}`", f.name),
                );
            }
            if let Some(m) = method
                && m != Applies::Both
                && !f.applies.admits(m)
            {
                self.push(
                    Kind::NotApplicable,
                    &pointer,
                    Some(f.name),
                    None,
                    Some(format!("{} only", f.applies.as_str())),
                    Some(m.as_str().to_string()),
                    format!(
                        "`{}` applies to {} payments but the body is a {} payment",
                        f.name,
                        f.applies.as_str(),
                        m.as_str()
                    ),
                );
            }
            self.check_value(f, value, &pointer);
        }
        for f in fields {
            let present =
                obj.contains_key(f.name) || f.legacy_names.iter().any(|l| obj.contains_key(*l));
            if present {
                continue;
            }
            let method_ok = match (f.applies, method) {
                (Applies::Both, _) | (_, None) => true,
                (a, Some(m)) => a == m,
            };
            let condition_ok = match f.required {
                Requirement::Always => true,
                Requirement::Never => false,
                Requirement::When { field, values } => match (obj.get(field), values) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(v), Some(vals)) => v.as_str().is_some_and(|s| vals.contains(&s)),
                },
            };
            if method_ok && condition_ok {
                let why = match f.required {
                    Requirement::When { field, .. } => format!(" (required because of `{field}`)"),
                    _ => String::new(),
                };
                let pointer = format!("{prefix}/{}", escape_pointer(f.name));
                self.push(
                    Kind::MissingRequired,
                    &pointer,
                    Some(f.name),
                    f.type_code.as_ref(),
                    Some("present".into()),
                    Some("absent".into()),
                    format!("required field `{}` is missing{why}", f.name),
                );
            }
        }
    }

    fn check_value(&mut self, f: &'static FieldSpec, value: &Value, pointer: &str) {
        match (f.shape, value) {
            (FieldShape::Scalar, Value::String(s)) => {
                if let Some(code) = &f.type_code
                    && let Err(why) = code.check(s)
                {
                    let what = match why {
                        TypeCodeError::BadChar { .. } if f.sensitive => {
                            "a character is outside the admitted classes".to_string()
                        }
                        other => other.to_string(),
                    };
                    self.push(
                        Kind::TypeCodeViolation,
                        pointer,
                        Some(f.name),
                        Some(code),
                        Some(code.notation.to_string()),
                        Some(shown(value, f.sensitive)),
                        format!("`{}` is documented as {}: {what}", f.name, code.notation),
                    );
                }
                if !f.values.is_empty() && !f.values.contains(&s.as_str()) {
                    self.push(
                        Kind::InvalidValue,
                        pointer,
                        Some(f.name),
                        f.type_code.as_ref(),
                        Some(f.values.join(" | ")),
                        Some(shown(value, f.sensitive)),
                        format!(
                            "`{}` is not one of the documented values {}",
                            f.name,
                            f.values.join(", ")
                        ),
                    );
                }
            }
            (FieldShape::Object(fields), Value::Object(obj)) => {
                self.check_object(fields, obj, pointer, None);
            }
            (FieldShape::List(fields), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{pointer}/{i}");
                    match item {
                        Value::Object(obj) => self.check_object(fields, obj, &p, None),
                        other => self.push(
                            Kind::JsonTypeMismatch,
                            &p,
                            Some(f.name),
                            None,
                            Some("object".into()),
                            Some(json_type(other).into()),
                            format!(
                                "items of `{}` are objects, this one is a {}",
                                f.name,
                                json_type(other)
                            ),
                        ),
                    }
                }
            }
            (shape, other) => {
                let expected = match shape {
                    FieldShape::Scalar => "string",
                    FieldShape::Object(_) => "object",
                    FieldShape::List(_) => "array",
                };
                self.push(
                    Kind::JsonTypeMismatch,
                    pointer,
                    Some(f.name),
                    f.type_code.as_ref(),
                    Some(expected.into()),
                    Some(format!(
                        "{} {}",
                        json_type(other),
                        shown(other, f.sensitive)
                    )),
                    format!(
                        "`{}` is documented as a JSON {expected} but is a {}",
                        f.name,
                        json_type(other)
                    ),
                );
            }
        }
    }

    fn check_result(&mut self, r: &ResultSpec, obj: &Map<String, Value>, method: Applies) {
        let Some(code) = obj.get(r.code_field).and_then(Value::as_str) else {
            return;
        };
        let pointer = format!("/{}", escape_pointer(r.code_field));
        if !r.catalog.is_empty() && !r.catalog.iter().any(|e| e.code == code) {
            self.push(
                Kind::UnknownResultCode,
                &pointer,
                Some(r.code_field),
                None,
                None,
                Some(code.to_string()),
                format!("result code `{code}` is not in the response-code catalog"),
            );
        }
        let Some((status_field, success)) = r.status else {
            return;
        };
        let Some(status) = obj.get(status_field) else {
            return;
        };
        let says_success = status.as_str() == Some(success);
        let is_success_code = r.is_success_code(code, method);
        let expected: Vec<&str> = r
            .success_codes
            .iter()
            .filter(|(_, a)| a.admits(method))
            .map(|(c, _)| *c)
            .collect();
        if says_success != is_success_code {
            let message = if says_success {
                format!(
                    "`{status_field}` is `{success}` but `{code}` is not a success code for {} (expected {})",
                    if method == Applies::Both {
                        "this endpoint"
                    } else {
                        method.as_str()
                    },
                    expected.join(" or ")
                )
            } else {
                format!("`{status_field}` does not say `{success}` but `{code}` is a success code")
            };
            self.push(
                Kind::SuccessCodeMismatch,
                &pointer,
                Some(r.code_field),
                None,
                Some(if says_success {
                    expected.join(" | ")
                } else {
                    "a failure code".into()
                }),
                Some(code.to_string()),
                message,
            );
        }
    }
}
