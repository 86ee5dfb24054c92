//! The strict validator: every deviation of a body from the spec, as findings.
//!
//! It walks compiled tables (no YAML, no regular expressions at run time) and collects every
//! finding rather than stopping at the first.

use crate::runtime::*;

mod stream;
use serde::Serialize;
use serde::de::DeserializeSeed;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// The largest body the validator parses (bytes). Payple's bodies are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most findings of one kind for one field (all undocumented keys count as one group,
/// as do all duplicate keys) that a report lists. The rest are counted in one summary
/// finding at the end of the report ([`Finding::omitted`]): a hostile body with 100,000
/// undocumented keys gives a short report, and the verdict is that of the full list.
pub const MAX_FINDINGS_PER_GROUP: usize = 100;

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
    /// A form Payple accepts though its tables say otherwise (a JSON number where a digit
    /// string is documented); see `wire_leniency` in spec/payple.yaml.
    LenientForm,
    /// A value outside a documented list that Payple keeps extending (an open value set).
    UnknownValue,
    /// A date, time or digit string that does not have its documented format, or names a
    /// day or time the calendar does not have.
    InvalidFormat,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 13] = [
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
        Kind::LenientForm,
        Kind::UnknownValue,
        Kind::InvalidFormat,
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
            Kind::LenientForm => "lenient_form",
            Kind::UnknownValue => "unknown_value",
            Kind::InvalidFormat => "invalid_format",
        }
    }

    /// The severity of the kind when the rule behind it is a documented fact. A finding's
    /// own severity follows the evidence of its rule ([`Finding::evidence`]): rules that
    /// rest on our inference give warnings whatever the kind.
    pub fn severity(self) -> Severity {
        match self {
            Kind::MalformedBody
            | Kind::MissingRequired
            | Kind::TypeCodeViolation
            | Kind::InvalidValue
            | Kind::JsonTypeMismatch
            | Kind::InvalidFormat
            | Kind::SuccessCodeMismatch => Severity::Error,
            Kind::UndocumentedField
            | Kind::NotApplicable
            | Kind::UnknownResultCode
            | Kind::LenientForm
            | Kind::UnknownValue
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
///
/// The parts that come from the spec (field, type code, documentation URL and most
/// expectations) are borrowed from the compiled tables, and the message is rendered when
/// it is shown ([`Finding::message`], `Display`, serialization), as is the fingerprint
/// ([`Finding::fingerprint`]), so that collecting findings costs about one allocation each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Kind.
    pub kind: Kind,
    /// Severity.
    pub severity: Severity,
    /// JSON pointer of the value ("" for the whole body); borrowed from the spec for
    /// top-level fields ([`crate::FieldRules::top_pointers`]).
    pub pointer: Cow<'static, str>,
    /// The documented field name, if the finding concerns one.
    pub field: Option<Cow<'static, str>>,
    /// The documented (enforced) type code.
    pub type_code: Option<Cow<'static, str>>,
    /// What the spec expects.
    pub expected: Option<Cow<'static, str>>,
    /// What the body holds (redacted for sensitive fields).
    pub actual: Option<Cow<'static, str>>,
    /// Documentation URL.
    pub doc_url: Cow<'static, str>,
    /// The evidence tag of the rule the body breaks (`DOC`, `SAMPLE`, `INFERENCE`, ...);
    /// `None` for findings that rest on no spec rule (unreadable bodies, unknown keys).
    pub evidence: Option<&'static str>,
    /// The source URL of that rule.
    pub source: Option<&'static str>,
    /// The fingerprint hash of the endpoint id and part; [`Finding::fingerprint`] goes on
    /// with the kind and the pointer.
    origin: u64,
    /// The fingerprint taken before [`Finding::rewrite_text`] changed the pointer.
    frozen: Option<Fingerprint>,
    /// What the message is made of, beyond the fields above.
    detail: Detail,
}

/// The parts of a message that are not in the finding's public fields. Everything dynamic
/// that a message shows (keys, values, codes) is read from those fields when the message is
/// rendered, so redacting the fields redacts the message too.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    /// A message written out in full.
    Text(Cow<'static, str>),
    /// The body (`actual`: "a JSON array", ...) is not an object.
    NotAnObject,
    /// The key (last pointer token) is not documented for this endpoint part.
    Undocumented { endpoint: &'static str, part: Part },
    /// The key (last pointer token) appears twice.
    Duplicate,
    /// `actual` is the legacy name of `field`.
    Legacy,
    /// `field` applies to `applies` payments; `actual` is the body's method.
    NotApplicable { applies: Applies },
    /// `field` is missing, required because of `because` when given, in answers with
    /// outcome `on`, for payment method `method`.
    Missing {
        because: Option<&'static str>,
        on: Outcome,
        method: Applies,
    },
    /// The result code `actual` is not in the catalog.
    UnknownCode,
    /// The status says success (or not) and the code `actual` disagrees.
    SuccessMismatch {
        status_field: &'static str,
        success: &'static str,
        says_success: bool,
        method: Applies,
    },
    /// `actual` breaks the type code of `field`.
    TypeCode(Breach),
    /// `actual` is not one of `values`.
    InvalidValue { values: &'static [&'static str] },
    /// `actual` is not one of the values of an open list.
    UnknownValue { values: &'static [&'static str] },
    /// `actual` is a JSON number where a digit string is documented.
    Lenient,
    /// `actual` has none of the field's formats (`expected`).
    Format(crate::datefmt::FormatError),
    /// The method pairing says `expected` for `method`; the code is `actual`.
    MethodCode { method: Applies },
    /// `field` is documented as a JSON `expected` and is a `got`.
    JsonType { got: &'static str },
    /// An item of the list `field` is `actual` (a JSON type), not an object.
    ItemNotObject,
    /// Stands for `omitted` findings of its kind and field left out of the report, the
    /// first of them at the pointer (see [`MAX_FINDINGS_PER_GROUP`]).
    Omitted { omitted: usize },
}

/// How a value breaks its type code, without the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breach {
    /// Too many characters.
    TooLong { len: usize, max: u32 },
    /// A character outside the admitted classes (shown for values that are not sensitive).
    BadChar { ch: Option<char>, at: usize },
}

impl Finding {
    /// A finding with a message written out in full: for callers that report their own
    /// deviations in the same shape (the mock server, drift checks).
    pub fn with_message(
        kind: Kind,
        endpoint: &EndpointSpec,
        part: Part,
        pointer: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Finding {
        Finding {
            kind,
            severity: kind.severity(),
            origin: Fingerprint::origin(endpoint.id, part),
            frozen: None,
            pointer: pointer.into(),
            field: None,
            type_code: None,
            expected: None,
            actual: None,
            doc_url: Cow::Borrowed(endpoint.doc_url),
            evidence: None,
            source: None,
            detail: Detail::Text(message.into()),
        }
    }

    /// The same finding resting on `rule`: its evidence, source and severity.
    pub fn resting_on(mut self, rule: &RuleSource) -> Finding {
        self.evidence = Some(rule.evidence);
        self.source = Some(rule.source);
        self.severity = rule.severity();
        self
    }

    /// The same finding with `expected` and `actual` set.
    pub fn expecting(
        mut self,
        expected: Option<Cow<'static, str>>,
        actual: Option<Cow<'static, str>>,
    ) -> Finding {
        self.expected = expected;
        self.actual = actual;
        self
    }

    /// Stable across runs and machines: a hash of the endpoint id, the part, the kind and
    /// the pointer (the original one if [`Finding::rewrite_text`] changed it).
    pub fn fingerprint(&self) -> Fingerprint {
        self.frozen.unwrap_or_else(|| {
            Fingerprint::resume(self.origin, &[self.kind.as_str(), &self.pointer])
        })
    }

    /// Passes every text of the finding that may hold data from a body (pointer, field,
    /// type code, expected, actual and a message written out in full) through `rewrite`,
    /// which returns the new text or `None` to keep it: to redact secrets. Messages
    /// rendered from the fields follow them; the fingerprint stays that of the original
    /// pointer.
    pub fn rewrite_text(&mut self, mut rewrite: impl FnMut(&str) -> Option<String>) {
        if let Some(p) = rewrite(&self.pointer) {
            self.frozen = Some(self.fingerprint());
            self.pointer = p.into();
        }
        let texts = [
            &mut self.field,
            &mut self.type_code,
            &mut self.expected,
            &mut self.actual,
        ];
        for text in texts.into_iter().flatten() {
            if let Some(new) = rewrite(text) {
                *text = Cow::Owned(new);
            }
        }
        if let Detail::Text(text) = &mut self.detail
            && let Some(new) = rewrite(text)
        {
            *text = Cow::Owned(new);
        }
    }

    /// A sentence a person can act on.
    pub fn message(&self) -> Cow<'static, str> {
        match &self.detail {
            Detail::Text(text) => text.clone(),
            _ => Cow::Owned(self.to_string()),
        }
    }

    /// Replaces the message with `message` written out in full (used to redact text that
    /// came from outside the spec).
    pub fn set_message(&mut self, message: impl Into<Cow<'static, str>>) {
        self.detail = Detail::Text(message.into());
    }

    /// How many findings of this kind and field this one stands for beyond the
    /// [`MAX_FINDINGS_PER_GROUP`] listed: 0 for every finding but a report's summaries.
    pub fn omitted(&self) -> usize {
        match self.detail {
            Detail::Omitted { omitted } => omitted,
            _ => 0,
        }
    }

    /// The key the pointer ends in (unescaped).
    fn key(&self) -> Cow<'_, str> {
        pointer_key(self.pointer.rsplit('/').next().unwrap_or(""))
    }
}

/// Shows the message.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.as_deref().unwrap_or("");
        let actual = self.actual.as_deref().unwrap_or("");
        let expected = self.expected.as_deref().unwrap_or("");
        match &self.detail {
            Detail::Text(text) => f.write_str(text),
            Detail::NotAnObject => write!(f, "the body is {actual}, not an object"),
            Detail::Undocumented { endpoint, part } => write!(
                f,
                "`{}` is not a documented field of {endpoint} {part}",
                self.key()
            ),
            Detail::Duplicate => write!(
                f,
                "`{}` appears more than once in one object; JSON parsers disagree about which value counts",
                self.key()
            ),
            Detail::Legacy => write!(f, "`{actual}` is the legacy name of `{field}`"),
            Detail::NotApplicable { applies } => write!(
                f,
                "`{field}` applies to {} payments but the body is a {actual} payment",
                applies.as_str()
            ),
            Detail::Missing {
                because,
                on,
                method,
            } => {
                write!(f, "required field `{field}` is missing")?;
                let mut why = Vec::new();
                match on {
                    Outcome::Success => why.push("in a successful answer".to_string()),
                    Outcome::Error => why.push("in a failure answer".to_string()),
                    Outcome::Any => {}
                }
                if *method != Applies::Both {
                    why.push(format!("of a {} payment", method.as_str()));
                }
                if let Some(other) = because {
                    why.push(format!("because of `{other}`"));
                }
                if why.is_empty() {
                    Ok(())
                } else {
                    write!(f, " (required {})", why.join(" "))
                }
            }
            Detail::UnknownCode => write!(
                f,
                "result code `{actual}` is not in the response-code catalog"
            ),
            Detail::SuccessMismatch {
                status_field,
                success,
                says_success: true,
                method,
            } => write!(
                f,
                "`{status_field}` is `{success}` but `{actual}` is not a success code for {} (expected {})",
                if *method == Applies::Both {
                    "this endpoint"
                } else {
                    method.as_str()
                },
                expected.replace(" | ", " or ")
            ),
            Detail::SuccessMismatch {
                status_field,
                success,
                says_success: false,
                ..
            } => write!(
                f,
                "`{status_field}` does not say `{success}` but `{actual}` is a success code"
            ),
            Detail::TypeCode(breach) => {
                let code = self.type_code.as_deref().unwrap_or("");
                write!(f, "`{field}` is documented as {code}: ")?;
                match *breach {
                    Breach::TooLong { len, max } => {
                        write!(f, "{len} characters, more than the maximum {max}")
                    }
                    Breach::BadChar { ch: Some(ch), at } => write!(
                        f,
                        "character {ch:?} at position {at} is outside the admitted classes"
                    ),
                    Breach::BadChar { ch: None, .. } => {
                        f.write_str("a character is outside the admitted classes")
                    }
                }
            }
            Detail::InvalidValue { values } => write!(
                f,
                "`{field}` is not one of the documented values {}",
                values.join(", ")
            ),
            Detail::UnknownValue { values } => write!(
                f,
                "`{field}` is `{actual}`, not one of the documented values {} (an open list that Payple extends)",
                values.join(", ")
            ),
            Detail::Lenient => write!(
                f,
                "`{field}` is documented as a string of digits but is the JSON number {actual}; Payple and its official clients accept this"
            ),
            Detail::Format(e) => write!(
                f,
                "`{field}` is `{actual}`, which is not in the documented format {expected}: {e}"
            ),
            Detail::MethodCode { method } => write!(
                f,
                "`{actual}` is a success code, but the per-method table pairs {} with {expected} (a statement other documentation contradicts)",
                method.as_str()
            ),
            Detail::JsonType { got } => write!(
                f,
                "`{field}` is documented as a JSON {expected} but is a {got}"
            ),
            Detail::ItemNotObject => {
                write!(f, "items of `{field}` are objects, this one is a {actual}")
            }
            Detail::Omitted { omitted } => {
                write!(f, "{omitted} more `{}` findings", self.kind)?;
                if !field.is_empty() {
                    write!(f, " of `{field}`")?;
                }
                write!(
                    f,
                    ", from this pointer on, are not listed ({} in all; the first {MAX_FINDINGS_PER_GROUP} are)",
                    omitted + MAX_FINDINGS_PER_GROUP
                )
            }
        }
    }
}

/// The JSON contract: `kind`, `severity`, `pointer`, `field`, `type_code`, `expected`,
/// `actual`, `message`, `doc_url`, `evidence`, `source`, `fingerprint`, in that order.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Finding", 12)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("pointer", &self.pointer)?;
        st.serialize_field("field", &self.field)?;
        st.serialize_field("type_code", &self.type_code)?;
        st.serialize_field("expected", &self.expected)?;
        st.serialize_field("actual", &self.actual)?;
        st.serialize_field("message", &self.message())?;
        st.serialize_field("doc_url", &self.doc_url)?;
        st.serialize_field("evidence", &self.evidence)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("fingerprint", &self.fingerprint())?;
        st.end()
    }
}

/// A finding's identity across runs and machines: FNV-1a (64 bit) of endpoint id, part,
/// kind and pointer. Shown and serialized as 16 lower-case hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    /// The fingerprint of a finding of `kind` at `pointer` in `endpoint_id`'s `part`.
    pub fn of(endpoint_id: &str, part: Part, kind: Kind, pointer: &str) -> Fingerprint {
        Fingerprint::resume(
            Fingerprint::origin(endpoint_id, part),
            &[kind.as_str(), pointer],
        )
    }

    /// The hash state after the endpoint id and the part.
    fn origin(endpoint_id: &str, part: Part) -> u64 {
        Fingerprint::resume(0xcbf2_9ce4_8422_2325, &[endpoint_id, part.as_str()]).0
    }

    /// FNV-1a (64 bit) from state `h` over `parts`, each followed by a zero byte.
    fn resume(mut h: u64, parts: &[&str]) -> Fingerprint {
        for p in parts {
            for &b in p.as_bytes().iter().chain(&[0u8]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Fingerprint(h)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            u64::from_str_radix(s, 16)
                .map(Fingerprint)
                .map_err(|e| e.to_string())
        } else {
            Err(format!(
                "a fingerprint is 16 lower-case hexadecimal digits, not `{s}`"
            ))
        }
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Every finding for one body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// `request` or `response`.
    pub part: &'static str,
    /// Findings in body order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The letter of the docs: every warning promoted to an error (`--strict`).
    pub fn strict(mut self) -> Report {
        for f in &mut self.findings {
            if f.severity == Severity::Warning {
                f.severity = Severity::Error;
            }
        }
        self
    }

    /// No error-severity finding.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// (kind, pointer) pairs, sorted: the shape samples record as expected findings.
    pub fn kinds_and_pointers(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self
            .findings
            .iter()
            .map(|f| (f.kind.as_str().to_string(), f.pointer.to_string()))
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
    // The byte scanner decides the bodies it reads without doubt, checking UTF-8 on the
    // way (a body it accepts is UTF-8); anything else (a syntax error above all) goes to
    // serde's reader, which gives its exact message.
    if stream::scan_body(&mut cx, body).is_ok() {
        return cx.report();
    }
    // A body that is not UTF-8 never parses: serde_json checks every string it reads, and
    // bytes outside strings must be ASCII. One check of the whole body here lets the serde
    // reader borrow every string from it.
    let Ok(text) = std::str::from_utf8(body) else {
        let mut cx = Cx::new(ep, part);
        cx.malformed("the body is not valid UTF-8".into());
        return cx.report();
    };
    read_with_serde(ep, part, text)
}

/// The serde reader on a whole body (UTF-8, past [`precheck`]): for what the byte scanner
/// leaves to it, and for tests that compare the two.
fn read_with_serde(ep: &EndpointSpec, part: Part, text: &str) -> Report {
    let mut cx = Cx::new(ep, part);
    let mut de = serde_json::Deserializer::from_str(text);
    let outcome = stream::BodySeed { cx: &mut cx }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = outcome {
        let hint = if text.contains("=>") {
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

/// Cheap checks before parsing: size cap, BOM, empty, markup.
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
    Ok(())
}

struct Cx<'a> {
    ep: &'a EndpointSpec,
    part: Part,
    /// [`Fingerprint::origin`] of the endpoint and part, once a finding needs it.
    origin: Option<u64>,
    findings: Vec<Finding>,
    /// Findings made when an object closes, waiting to be placed in body order:
    /// (position in `findings`, order among those at one position, finding).
    pending: Vec<(usize, usize, Finding)>,
    /// Findings admitted so far (listed or waiting in `pending`).
    admitted: usize,
    /// Per (kind, field), once [`MAX_FINDINGS_PER_GROUP`] findings have been admitted: no
    /// group can be full before that, so bodies with fewer findings never build it.
    groups: Option<Groups>,
    /// Groups with findings left out so far.
    summaries: usize,
}

/// A kind and a field: the findings [`MAX_FINDINGS_PER_GROUP`] counts together.
type GroupKey = (Kind, Option<Cow<'static, str>>);

/// The groups of one report. Their keys are kinds and field names of the spec, never text
/// from a body, so a fast hash without a random key is safe here.
type Groups = HashMap<GroupKey, Group, BuildHasherDefault<Fnv>>;

/// FNV-1a (64 bit), for [`Groups`].
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The findings of one group: how many are listed, and those left out.
#[derive(Default)]
struct Group {
    listed: usize,
    /// The first finding left out, its order among the summaries, and how many in all.
    omitted: Option<(Finding, usize, usize)>,
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
    match v {
        Value::String(s) => shown_str(s, sensitive),
        other if sensitive => format!("<redacted {}>", json_type(other)),
        other => shown_str(&other.to_string(), false),
    }
}

/// A string value as shown in findings: redacted when sensitive, cut at 120 characters.
fn shown_str(s: &str, sensitive: bool) -> String {
    if sensitive {
        return format!("<redacted: {} characters>", s.chars().count());
    }
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s.to_string()
    }
}

/// An object key as one JSON-pointer token (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The object key one JSON-pointer token stands for: the inverse of [`pointer_token`].
///
/// ```
/// use payple_types::{pointer_key, pointer_token};
/// assert_eq!(pointer_token("a/b~c"), "a~1b~0c");
/// assert_eq!(pointer_key("a~1b~0c"), "a/b~c");
/// assert_eq!(pointer_key("~01"), "~1");
/// ```
pub fn pointer_key(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// A finding before its pointer and fingerprint are known.
struct Draft {
    kind: Kind,
    /// The rule broken; its evidence sets the severity (`None`: the kind's own).
    rule: Option<RuleSource>,
    /// Never more than a warning, whatever the rule's evidence (leniency, open lists).
    at_most_warning: bool,
    field: Option<&'static str>,
    type_code: Option<&'static str>,
    expected: Option<Cow<'static, str>>,
    actual: Option<Cow<'static, str>>,
    detail: Detail,
}

impl Draft {
    fn new(kind: Kind, detail: Detail) -> Draft {
        Draft {
            kind,
            rule: None,
            at_most_warning: false,
            field: None,
            type_code: None,
            expected: None,
            actual: None,
            detail,
        }
    }
}

impl<'a> Cx<'a> {
    fn new(ep: &'a EndpointSpec, part: Part) -> Self {
        Cx {
            ep,
            part,
            origin: None,
            findings: Vec::new(),
            pending: Vec::new(),
            admitted: 0,
            groups: None,
            summaries: 0,
        }
    }

    fn report(mut self) -> Report {
        self.place_pending();
        if let Some(groups) = self.groups {
            // One summary per group with findings left out, in the order of their first.
            let mut summaries: Vec<(usize, Finding)> = groups
                .into_values()
                .filter_map(|g| g.omitted)
                .map(|(mut first, order, omitted)| {
                    first.detail = Detail::Omitted { omitted };
                    first.expected = None;
                    first.actual = None;
                    (order, first)
                })
                .collect();
            summaries.sort_by_key(|(order, _)| *order);
            self.findings.extend(summaries.into_iter().map(|(_, f)| f));
        }
        Report {
            endpoint: self.ep.id,
            part: self.part.as_str(),
            findings: self.findings,
        }
    }

    /// The body cannot be read: exactly one finding, whatever was seen before.
    fn malformed(&mut self, message: String) {
        self.findings.clear();
        self.pending.clear();
        self.admitted = 0;
        self.groups = None;
        self.summaries = 0;
        let draft = Draft::new(Kind::MalformedBody, Detail::Text(message.into()));
        self.push(Cow::Borrowed(""), draft);
    }

    #[inline]
    fn push(&mut self, pointer: Cow<'static, str>, draft: Draft) {
        if self.groups.is_none() && self.admitted < MAX_FINDINGS_PER_GROUP {
            self.admitted += 1;
            let f = self.finding(pointer, draft);
            self.findings.push(f);
        } else {
            self.push_counted(pointer, draft);
        }
    }

    /// [`Cx::push`] once the groups may be full.
    #[cold]
    #[inline(never)]
    fn push_counted(&mut self, pointer: Cow<'static, str>, draft: Draft) {
        if let Some(f) = self.admit(pointer, draft) {
            self.findings.push(f);
        }
    }

    /// The finding, unless its group already lists [`MAX_FINDINGS_PER_GROUP`]: then it is
    /// counted in the group's summary instead.
    fn admit(&mut self, pointer: Cow<'static, str>, draft: Draft) -> Option<Finding> {
        if self.groups.is_none() && self.admitted < MAX_FINDINGS_PER_GROUP {
            self.admitted += 1;
            return Some(self.finding(pointer, draft));
        }
        self.admit_counted(pointer, draft)
    }

    /// [`Cx::admit`] once the groups are counted: only bodies with many findings come here.
    #[cold]
    #[inline(never)]
    fn admit_counted(&mut self, pointer: Cow<'static, str>, draft: Draft) -> Option<Finding> {
        let finding = self.finding(pointer, draft);
        let groups = self.groups.get_or_insert_with(|| {
            let mut groups = Groups::default();
            let admitted = self
                .findings
                .iter()
                .chain(self.pending.iter().map(|p| &p.2));
            for f in admitted {
                groups.entry((f.kind, f.field.clone())).or_default().listed += 1;
            }
            groups
        });
        let group = groups
            .entry((finding.kind, finding.field.clone()))
            .or_default();
        if group.listed < MAX_FINDINGS_PER_GROUP {
            group.listed += 1;
            self.admitted += 1;
            return Some(finding);
        }
        match &mut group.omitted {
            None => {
                group.omitted = Some((finding, self.summaries, 1));
                self.summaries += 1;
            }
            Some((first, _, count)) => {
                *count += 1;
                // The summary carries the worst severity of the findings it stands for.
                first.severity = first.severity.min(finding.severity);
            }
        }
        None
    }

    /// Counts a finding of `kind` for `field` in its group's summary if the group already
    /// lists [`MAX_FINDINGS_PER_GROUP`] and has its first left-out finding: then the caller
    /// need not build it (its pointer above all). Only for findings whose severity is
    /// their kind's (no rule behind them). True if counted.
    #[inline]
    fn count_if_full(&mut self, kind: Kind, field: Option<&'static str>) -> bool {
        let Some(groups) = &mut self.groups else {
            return false;
        };
        match groups.get_mut(&(kind, field.map(Cow::Borrowed))) {
            Some(Group {
                omitted: Some((first, _, count)),
                ..
            }) => {
                *count += 1;
                first.severity = first.severity.min(kind.severity());
                true
            }
            _ => false,
        }
    }

    /// Waits for [`Cx::place_pending`] to place `finding` at position `at` of the findings
    /// (before what is there now), after those waiting at `at` with a lower `order`.
    fn push_at(&mut self, at: usize, order: usize, pointer: Cow<'static, str>, draft: Draft) {
        if let Some(f) = self.admit(pointer, draft) {
            self.pending.push((at, order, f));
        }
    }

    /// Places the waiting findings, in one pass over the findings after the first place.
    #[inline]
    fn place_pending(&mut self) {
        if !self.pending.is_empty() {
            self.place_pending_now();
        }
    }

    fn place_pending_now(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by_key(|&(at, order, _)| (at, order));
        if pending.len() <= 4 {
            // A few: inserted one by one, the last place first.
            while let Some((at, _, f)) = pending.pop() {
                self.findings.insert(at.min(self.findings.len()), f);
            }
            self.pending = pending;
            return;
        }
        let first = pending[0].0.min(self.findings.len());
        let tail = self.findings.split_off(first);
        self.findings.reserve(tail.len() + pending.len());
        let mut tail = tail.into_iter().zip(first..).peekable();
        for (at, _, f) in pending {
            while let Some((g, _)) = tail.next_if(|&(_, i)| i < at) {
                self.findings.push(g);
            }
            self.findings.push(f);
        }
        self.findings.extend(tail.map(|(g, _)| g));
    }

    #[inline(always)]
    fn finding(&mut self, pointer: Cow<'static, str>, d: Draft) -> Finding {
        let origin = self.origin();
        Self::build(self.ep, origin, pointer, d)
    }

    /// [`Fingerprint::origin`] of the report's endpoint and part, computed once.
    #[inline]
    fn origin(&mut self) -> u64 {
        let (id, part) = (self.ep.id, self.part);
        *self
            .origin
            .get_or_insert_with(|| Fingerprint::origin(id, part))
    }

    #[inline(always)]
    fn build(ep: &EndpointSpec, origin: u64, pointer: Cow<'static, str>, d: Draft) -> Finding {
        let mut severity = d.rule.map_or(d.kind.severity(), |r| r.severity());
        if d.at_most_warning && severity == Severity::Error {
            severity = Severity::Warning;
        }
        Finding {
            kind: d.kind,
            severity,
            evidence: d.rule.map(|r| r.evidence),
            source: d.rule.map(|r| r.source),
            origin,
            frozen: None,
            pointer,
            field: d.field.map(Cow::Borrowed),
            type_code: d.type_code.map(Cow::Borrowed),
            expected: d.expected,
            actual: d.actual,
            doc_url: Cow::Borrowed(ep.doc_url),
            detail: d.detail,
        }
    }
}

#[cfg(test)]
mod scanner_tests {
    //! The byte scanner ([`stream::scan_body`]) against the serde reader
    //! ([`read_with_serde`]): the same report for every body, whichever decides it.

    use super::*;
    use proptest::prelude::*;

    /// The report of the serde reader alone, as [`validate_bytes`] would give it.
    fn by_serde(ep: &EndpointSpec, part: Part, body: &[u8]) -> Report {
        if precheck(body).is_err() {
            return validate_bytes(ep, part, body);
        }
        match std::str::from_utf8(body) {
            Ok(text) => read_with_serde(ep, part, text),
            Err(_) => validate_bytes(ep, part, body),
        }
    }

    /// Whether the scanner decides `body` itself (rather than leaving it to serde).
    fn scanner_decides(ep: &EndpointSpec, part: Part, body: &str) -> bool {
        let mut cx = Cx::new(ep, part);
        precheck(body.as_bytes()).is_ok() && stream::scan_body(&mut cx, body.as_bytes()).is_ok()
    }

    /// Asserts the same report either way; true if the scanner decided the body.
    fn agree(ep: &EndpointSpec, part: Part, body: &str) -> bool {
        let scanned = validate_bytes(ep, part, body.as_bytes());
        let serde = by_serde(ep, part, body.as_bytes());
        assert_eq!(
            scanned, serde,
            "{} {part}: the scanner and the serde reader disagree on {body:?}",
            ep.id
        );
        scanner_decides(ep, part, body)
    }

    /// Values that exercise every branch of the scanner: numbers it reads itself and those
    /// it leaves to serde_json, literals, escapes, nesting, and broken syntax.
    const VALUES: &[&str] = &[
        "\"\"",
        "\"x\"",
        "\"success\"",
        "\"card\"",
        "\"transfer\"",
        "\"PCHK0000\"",
        "\"2021-10-26 10:55:03\"",
        "\"20231345\"",
        "\"1000\"",
        "\"결제완료\"",
        "\"홍길동 😀\"",
        "\"a\\\"b\"",
        "\"a\\\\b\"",
        "\"http:\\/\\/x\"",
        "\"\\u00e9\"",
        "\"\\uD83D\\uDE00\"",
        "\"\\ud83d\"",
        "\"\\x\"",
        "\"a\u{1}b\"",
        "\"\\u12\"",
        "\"\\\"",
        "\"unterminated",
        "0",
        "-0",
        "7",
        "-7",
        "1.0",
        "-0.0",
        "1e3",
        "1E+3",
        "2.5e-3",
        "1e400",
        "-1e400",
        "12345678901234567890",
        "1234567890123456789",
        "99999999999999999999999",
        "-9223372036854775809",
        "00",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "0x10",
        "true",
        "false",
        "null",
        "nul",
        "tru",
        "[]",
        "[1,2]",
        "[{}]",
        "[{\"a\":1}]",
        "[1,]",
        "{}",
        "{\"a\":1}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "[[[[[[1]]]]]]",
        "[\"x\",{\"y\":[null,true]}]",
    ];

    /// A field of every shape in `fields`: (name, shape) for the first scalar, object and
    /// list.
    fn names_of(fields: &[FieldSpec]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = fields.iter().take(3).map(|f| f.name).collect();
        for f in fields {
            if !matches!(f.shape, FieldShape::Scalar) {
                out.push(f.name);
            }
            out.extend(f.legacy_names.iter().take(1));
        }
        out
    }

    /// A broken byte sequence anywhere in a documented body (in keys, in values of every
    /// kind of field, skipped or nested, between tokens) gives exactly the UTF-8 finding, and
    /// a well-formed multi-byte character in the same place never does: whatever reader
    /// decides the body, no string escapes the check.
    #[test]
    fn broken_utf8_anywhere_in_a_body_is_reported_as_such() {
        let cases = [
            ("cpay.result_inquiry", "card_response"),
            ("cpay.result_inquiry", "transfer_response"),
            ("hub.request_info_inquiry", "response"),
        ];
        let mut bodies = 0usize;
        for (id, sample) in cases {
            let ep = endpoint(id).expect("endpoint");
            let raw = ep
                .samples
                .iter()
                .find(|s| s.id == sample)
                .expect("sample")
                .raw
                .replace('…', "")
                .replace("...", "");
            let clean = raw.as_bytes();
            let is_utf8_finding = |r: &Report| {
                r.findings.len() == 1
                    && r.findings[0].kind == Kind::MalformedBody
                    && r.findings[0].message().contains("not valid UTF-8")
            };
            // Every place between two characters: a lone continuation byte, a truncated
            // three-byte sequence, an over-long encoding and a byte never found in UTF-8.
            for at in (0..=clean.len()).filter(|&i| raw.is_char_boundary(i)) {
                for bad in [&[0x80u8][..], &[0xEA, 0xB0], &[0xC0, 0xAF], &[0xFF]] {
                    let mut body = clean[..at].to_vec();
                    body.extend_from_slice(bad);
                    body.extend_from_slice(&clean[at..]);
                    let report = validate_bytes(ep, Part::Response, &body);
                    assert!(
                        is_utf8_finding(&report),
                        "{id} {sample}: {bad:x?} at byte {at} gave {:?}",
                        report.findings
                    );
                    bodies += 1;
                }
                // The same place with a whole character: never the UTF-8 finding.
                let mut body = clean[..at].to_vec();
                body.extend_from_slice("가".as_bytes());
                body.extend_from_slice(&clean[at..]);
                let report = validate_bytes(ep, Part::Response, &body);
                assert!(!is_utf8_finding(&report), "{id} {sample}: 가 at byte {at}");
            }
        }
        assert!(bodies > 4_000, "{bodies} bodies");
    }

    #[test]
    fn scanner_and_serde_reader_agree_on_edge_cases() {
        let (mut bodies, mut decided) = (0usize, 0usize);
        for ep in crate::endpoints() {
            for part in [Part::Request, Part::Response] {
                let fields = ep.fields(part);
                let names = names_of(fields);
                for value in VALUES {
                    for name in names.iter().copied().chain(["UNDOCUMENTED", "a~b/c"]) {
                        for body in [
                            format!("{{\"{name}\":{value}}}"),
                            format!(" {{ \"{name}\" : {value} , \"{name}\" :\t{value}\r\n}} "),
                            format!("{{\"{name}\":[{value}]}}"),
                            format!("{{\"{name}\":[{value},{{\"x\":{value}}}]}}"),
                            format!("{{\"{name}\":{{\"{name}\":{value}}}}}"),
                        ] {
                            decided += usize::from(agree(ep, part, &body));
                            bodies += 1;
                        }
                    }
                }
                // Keys with escapes, keys out of order, duplicates under two names.
                for body in [
                    "{}".to_string(),
                    " {\n} ".to_string(),
                    "{} x".to_string(),
                    "{},".to_string(),
                    "[]".to_string(),
                    "\"x\"".to_string(),
                    "{\"\\u0050CD_PAY_RST\":\"success\"}".to_string(),
                    format!(
                        "{{{}}}",
                        fields
                            .iter()
                            .rev()
                            .map(|f| format!("\"{}\":\"1\"", f.name))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    format!("{{\"a\":{}1{}}}", "[".repeat(99), "]".repeat(99)),
                    format!("{{\"a\":{}1{}}}", "[".repeat(140), "]".repeat(140)),
                    format!(
                        "{{\"a\":{}}}",
                        "{\"b\":".repeat(130) + "1" + &"}".repeat(130)
                    ),
                ] {
                    decided += usize::from(agree(ep, part, &body));
                    bodies += 1;
                }
                for sample in ep.samples.iter().filter(|s| s.part == part) {
                    decided += usize::from(agree(ep, part, sample.raw));
                    bodies += 1;
                }
            }
        }
        assert!(bodies > 10_000, "only {bodies} bodies");
        // Most of these bodies are JSON: the scanner must decide them, or this test only
        // compares the serde reader with itself.
        assert!(
            decided > bodies / 2 && decided < bodies,
            "the scanner decided {decided} of {bodies} bodies"
        );
    }

    /// Pieces that mangled samples are made of.
    const PIECES: &[&str] = &[
        "\\",
        "\\u",
        "\\u00e9",
        "\\ud83d",
        "\\n",
        "\\\"",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "0",
        "-",
        ".",
        "e",
        "1e999",
        "true",
        "null",
        "가",
        "😀",
        "\u{1}",
        "\"PCD_PAY_RST\"",
        "\"success\"",
        "\"card\"",
        "\"list\"",
        "{\"a\":[1,{}]}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

        /// Samples with pieces inserted and text cut out at random places.
        #[test]
        fn scanner_and_serde_reader_agree_on_mangled_samples(
            which in any::<prop::sample::Index>(),
            edits in proptest::collection::vec(
                (0.0f64..1.0, proptest::sample::select(PIECES), 0usize..4), 0..4),
        ) {
            let all: Vec<(&EndpointSpec, Part, &str)> = crate::endpoints()
                .iter()
                .flat_map(|ep| ep.samples.iter().map(move |s| (ep, s.part, s.raw)))
                .collect();
            let (ep, part, raw) = all[which.index(all.len())];
            let mut text = raw.to_string();
            for (place, piece, cut) in edits {
                let mut at = ((place * text.len() as f64) as usize).min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = text[at..].char_indices().nth(cut).map_or(text.len(), |(i, _)| at + i);
                text.replace_range(at..end, piece);
            }
            let scanned = validate_bytes(ep, part, text.as_bytes());
            let serde = by_serde(ep, part, text.as_bytes());
            prop_assert_eq!(scanned, serde, "{} {} {:?}", ep.id, part, text);
        }
    }
}
