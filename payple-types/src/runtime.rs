//! Types the generated code is built from: validator tables, type codes, result codes,
//! and the tolerant value types of the models.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// Request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// What the partner sends.
    Request,
    /// What Payple answers (or posts back).
    Response,
}

impl Part {
    /// `request` or `response`.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Response => "response",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Part {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "request" => Ok(Part::Request),
            "response" => Ok(Part::Response),
            other => Err(format!("`{other}` is not a part; use request or response")),
        }
    }
}

/// Card, transfer or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applies {
    /// Both payment methods.
    Both,
    /// Card only.
    Card,
    /// Bank transfer only.
    Transfer,
}

impl Applies {
    /// `both`, `card` or `transfer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Both => "both",
            Applies::Card => "card",
            Applies::Transfer => "transfer",
        }
    }

    /// Whether a field of this applicability belongs in a body of payment method `method`.
    pub fn admits(self, method: Applies) -> bool {
        self == Applies::Both || method == Applies::Both || self == method
    }

    /// The payment method a body's value names: `card` or `transfer`; `None` for any other
    /// text (`both` included, which is no payment method).
    pub fn method_named(value: &str) -> Option<Applies> {
        [Applies::Card, Applies::Transfer]
            .into_iter()
            .find(|m| m.as_str() == value)
    }
}

/// One letter of the type-code alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Letter {
    /// The letter (`N`, `a`, `A`, `S`, `H`).
    pub letter: char,
    /// What it admits, in words.
    pub name: &'static str,
    /// Inclusive character ranges.
    pub ranges: &'static [(char, char)],
}

/// A Payple type code such as `aN(255)`: admitted character classes and a maximum length.
///
/// `Display` shows the code as documented:
///
/// ```
/// let code = payple_types::TypeCode::parse("N(8)").unwrap();
/// assert_eq!(code.to_string(), "N(8)");
/// assert!(code.check("20200320").is_ok());
/// assert!(code.check("2020-03-20").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeCode {
    /// The code as written.
    pub notation: &'static str,
    /// Admitted classes, one bit per alphabet letter; `None` admits any character.
    pub mask: Option<u8>,
    /// Maximum length in characters.
    pub max_len: Option<u32>,
}

/// Why a value does not fit its type code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeCodeError {
    /// Longer than the maximum.
    TooLong {
        /// Characters in the value.
        len: usize,
        /// The maximum.
        max: u32,
    },
    /// A character outside the admitted classes.
    BadChar {
        /// The character.
        ch: char,
        /// Its position in characters.
        at: usize,
    },
    /// The code itself is not valid.
    BadCode(String),
}

impl fmt::Display for TypeCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeCodeError::TooLong { len, max } => {
                write!(f, "{len} characters, more than the maximum {max}")
            }
            TypeCodeError::BadChar { ch, at } => write!(
                f,
                "character {ch:?} at position {at} is outside the admitted classes"
            ),
            TypeCodeError::BadCode(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for TypeCodeError {}

impl TypeCode {
    /// Parses a compact code (`aN(255)`) or word notation (`String(20)`) against the
    /// alphabet compiled from the spec.
    ///
    /// The notation of a valid code is kept once per distinct code for the life of the
    /// process (so that `TypeCode` stays `Copy` with a `&'static str`, like the compiled
    /// codes): parsing the same code again allocates nothing, and invalid codes keep
    /// nothing. Memory grows with the number of distinct codes parsed, not with calls.
    pub fn parse(code: &str) -> Result<TypeCode, TypeCodeError> {
        let bad = |why: String| TypeCodeError::BadCode(format!("`{code}`: {why}"));
        let (head, max_len) = match code.find('(') {
            None => (code, None),
            Some(i) => {
                let inner = code[i + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| bad("missing `)`".into()))?;
                let n: u32 = inner
                    .parse()
                    .map_err(|_| bad(format!("length `{inner}` is not a whole number")))?;
                if n == 0 {
                    return Err(bad("length must be at least 1".into()));
                }
                (&code[..i], Some(n))
            }
        };
        let mask = if let Some((_, m)) = crate::generated::WORDS.iter().find(|(w, _)| *w == head) {
            *m
        } else {
            let mut mask = 0u8;
            for ch in head.chars() {
                let i = crate::generated::ALPHABET
                    .iter()
                    .position(|l| l.letter == ch)
                    .ok_or_else(|| bad(format!("unknown letter `{ch}`")))?;
                mask |= 1 << i;
            }
            if mask == 0 || max_len.is_none() {
                return Err(bad("expected letters and a length such as aN(255)".into()));
            }
            Some(mask)
        };
        Ok(TypeCode {
            notation: intern(code),
            mask,
            max_len,
        })
    }

    /// Checks a value: every character in an admitted class, length within the maximum.
    #[inline]
    pub fn check(&self, value: &str) -> Result<(), TypeCodeError> {
        let Some(mask) = self.mask else {
            // Any character: only the length counts, and no more characters than bytes.
            return match self.max_len {
                Some(max) if value.len() > max as usize => {
                    let len = value.chars().count();
                    if len > max as usize {
                        Err(TypeCodeError::TooLong { len, max })
                    } else {
                        Ok(())
                    }
                }
                _ => Ok(()),
            };
        };
        // ASCII prefix (most values are all ASCII): one table lookup per byte, and the
        // character count equals the byte count.
        let bytes = value.as_bytes();
        let mut at = 0;
        while let Some(&b) = bytes.get(at)
            && b.is_ascii()
        {
            if crate::generated::ASCII_MASKS[usize::from(b)] & mask == 0 {
                return Err(TypeCodeError::BadChar {
                    ch: char::from(b),
                    at,
                });
            }
            at += 1;
        }
        let mut len = at;
        for ch in value[at..].chars() {
            if crate::generated::char_mask(ch) & mask == 0 {
                return Err(TypeCodeError::BadChar { ch, at: len });
            }
            len += 1;
        }
        if let Some(max) = self.max_len
            && len > max as usize
        {
            return Err(TypeCodeError::TooLong { len, max });
        }
        Ok(())
    }
}

/// The one copy of `code` kept for the life of the process (see [`TypeCode::parse`]).
fn intern(code: &str) -> &'static str {
    static INTERNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    // The set is valid whatever a panicking holder did: it only ever grows by whole entries.
    let mut set = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&kept) = set.get(code) {
        return kept;
    }
    let kept: &'static str = Box::leak(Box::from(code));
    set.insert(kept);
    kept
}

impl fmt::Display for TypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.notation)
    }
}

/// Where a rule of the spec comes from, and so what breaking it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleSource {
    /// Evidence tag (`DOC`, `SAMPLE`, `INFERENCE`, ...).
    pub evidence: &'static str,
    /// Source URL.
    pub source: &'static str,
    /// The tag is one of Payple's own statements: breaking the rule is an error, otherwise
    /// a warning.
    pub documented: bool,
}

impl RuleSource {
    /// Error for documented facts, warning for everything else.
    pub fn severity(&self) -> crate::Severity {
        if self.documented {
            crate::Severity::Error
        } else {
            crate::Severity::Warning
        }
    }
}

/// The wire forms Payple demonstrably accepts beyond the letter of its tables, each with
/// the evidence that shows it (`None`: the spec does not declare the form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireLeniency {
    /// A JSON number where a digit string is documented: a `lenient_form` warning.
    pub number_for_numeric_string: Option<RuleSource>,
    /// `""` in a field that is not required at that point reads as absent.
    pub empty_string_is_absent: Option<RuleSource>,
    /// `null` in a field that is not required at that point reads as absent.
    pub null_is_absent: Option<RuleSource>,
}

/// When a field must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Always.
    Always,
    /// Optional.
    Never,
    /// When every part of the condition holds.
    When(Condition),
}

/// A conditional requirement: every part given must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    /// A test on a sibling field.
    pub sibling: Option<Sibling>,
    /// Only in answers with this outcome.
    pub on: Outcome,
    /// Only for this payment method (`Both`: any).
    pub method: Applies,
}

/// "Sibling `field` is present and (if `values` is given) one of `values`."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sibling {
    /// The sibling field.
    pub field: &'static str,
    /// The sibling's position in the same field list.
    pub index: usize,
    /// The values that make this field required.
    pub values: Option<&'static [&'static str]>,
    /// The test is inverted: the field is required while the sibling is absent.
    pub absent: bool,
}

/// Success or failure of an answer, as the endpoint's result rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Any answer.
    Any,
    /// Successful answers.
    Success,
    /// Failed answers.
    Error,
}

/// A named date, time or digit-string format of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSpec {
    /// Id (`date8`, `datetime_dashed`, ...).
    pub id: &'static str,
    /// The pattern as written (`YYYY-MM-DD hh:mm:ss`).
    pub pattern: &'static str,
    /// The compiled pattern.
    pub pieces: &'static [crate::datefmt::Piece],
}

impl FormatSpec {
    /// Reads `value` with this format.
    pub fn parse(
        &self,
        value: &str,
    ) -> Result<crate::datefmt::DateTime, crate::datefmt::FormatError> {
        crate::datefmt::parse(self.pieces, value)
    }
}

/// Scalar, nested object or list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// A string value.
    Scalar,
    /// An object with these fields.
    Object(&'static [FieldSpec]),
    /// A list of objects with these fields.
    List(&'static [FieldSpec]),
}

/// A field as the validator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// JSON key.
    pub name: &'static str,
    /// Older names still accepted (reported as `legacy_field_name`).
    pub legacy_names: &'static [&'static str],
    /// The enforced type code (for scalars).
    pub type_code: Option<TypeCode>,
    /// Required rule.
    pub required: Requirement,
    /// Payment methods.
    pub applies: Applies,
    /// Documented value set (empty: any value).
    pub values: &'static [&'static str],
    /// Payple keeps extending the set: other values are `unknown_value` warnings.
    pub values_open: bool,
    /// Formats, any of which the value must have (empty: no format).
    pub formats: &'static [FormatSpec],
    /// The value is a digit string: a JSON number is a lenient form of it.
    pub numeric: bool,
    /// Other documentation or real traffic omits the field and Payple accepts it: a
    /// missing field is a warning at most.
    pub required_contested: bool,
    /// What only a finding on the field reads: where each rule comes from, and the
    /// field's pointers.
    pub rules: &'static FieldRules,
    /// Secret or personal: values are redacted in findings.
    pub sensitive: bool,
    /// Changes between calls.
    pub volatile: bool,
    /// A rule reads this field's value once the object is complete: a sibling's
    /// requirement depends on it, or it is the top-level payment-method, status or
    /// result-code field.
    pub captured: bool,
    /// Shape.
    pub shape: FieldShape,
}

/// What only a finding on one field reads (kept out of [`FieldSpec`], which every value
/// reads): where the field's rules come from, and its pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRules {
    /// The type code (length, JSON string type).
    pub type_rule: RuleSource,
    /// The required rule (`None` when the field is optional).
    pub required_rule: Option<RuleSource>,
    /// The value set.
    pub values_rule: RuleSource,
    /// The formats.
    pub format_rule: RuleSource,
    /// The JSON pointer of the field at the top level of a body: under [`FieldSpec::name`]
    /// first, then under each legacy name in order (`"/PCD_PAY_OID"`). Findings on
    /// top-level fields borrow their pointer from here instead of allocating one.
    pub top_pointers: &'static [&'static str],
}

impl FieldSpec {
    /// Whether `key` is this field's name or one of its legacy names.
    pub fn matches(&self, key: &str) -> bool {
        self.name == key || self.legacy_names.contains(&key)
    }

    /// The JSON pointer of this field at the top level of a body when it is sent under
    /// `key` (its name or a legacy name); `None` for any other key.
    pub fn top_pointer(&self, key: &str) -> Option<&'static str> {
        // The validator passes the spec's own strings: the same address settles most.
        let is = |name: &str| {
            name.len() == key.len() && (std::ptr::eq(name.as_ptr(), key.as_ptr()) || name == key)
        };
        let at = if is(self.name) {
            0
        } else {
            1 + self.legacy_names.iter().position(|l| is(l))?
        };
        self.rules.top_pointers.get(at).copied()
    }

    /// Reads a date or time value with the first of the field's formats that fits
    /// (`None` when the field has no date format or the value fits none).
    pub fn parse_datetime(&self, value: &str) -> Option<crate::datefmt::DateTime> {
        self.formats.iter().find_map(|f| f.parse(value).ok())
    }
}

/// Success or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeClass {
    /// The call succeeded.
    Success,
    /// The call failed.
    Failure,
}

/// One entry of a response-code catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeEntry {
    /// Catalog id.
    pub catalog: &'static str,
    /// The code.
    pub code: &'static str,
    /// Payple's message (Korean), when documented.
    pub message: Option<&'static str>,
    /// Meaning in English.
    pub meaning: &'static str,
    /// Success or failure.
    pub class: CodeClass,
    /// Evidence tag.
    pub evidence: &'static str,
    /// Source URL.
    pub source: &'static str,
}

/// A result code as received, with its catalog entry when the spec knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultCode {
    /// The code as received.
    pub code: String,
    /// The catalog entry, if documented.
    pub entry: Option<&'static CodeEntry>,
}

impl ResultCode {
    /// Looks `code` up in a catalog (a test-environment prefix such as `[test]` removed).
    pub fn lookup(catalog: &'static [CodeEntry], code: &str) -> ResultCode {
        ResultCode {
            code: code.to_string(),
            entry: {
                let bare = strip_test_prefix(code);
                catalog.iter().find(|e| e.code == bare)
            },
        }
    }

    /// The documented meaning, in English.
    pub fn meaning(&self) -> Option<&'static str> {
        self.entry.map(|e| e.meaning)
    }

    /// Payple's message for the code.
    pub fn message(&self) -> Option<&'static str> {
        self.entry.and_then(|e| e.message)
    }

    /// The documented class, if the code is in the catalog.
    pub fn class(&self) -> Option<CodeClass> {
        self.entry.map(|e| e.class)
    }

    /// Whether the catalog documents this code.
    pub fn is_documented(&self) -> bool {
        self.entry.is_some()
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning() {
            Some(m) => write!(f, "{} ({m})", self.code),
            None => write!(f, "{} (undocumented)", self.code),
        }
    }
}

/// Success semantics of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultSpec {
    /// Status field and the value meaning success.
    pub status: Option<(&'static str, &'static str)>,
    /// The field holding the result code.
    pub code_field: &'static str,
    /// Documented success codes and the payment method each applies to.
    pub success_codes: &'static [(&'static str, Applies)],
    /// Where the success codes come from.
    pub success_rule: RuleSource,
    /// A weaker statement, contradicted by another documented one, of which success code
    /// each payment method gives; breaking it is a warning.
    pub method_codes: &'static [(&'static str, Applies)],
    /// Where the method pairing comes from.
    pub method_rule: Option<RuleSource>,
    /// The field holding the message.
    pub message_field: Option<&'static str>,
    /// The catalog codes are looked up in.
    pub catalog: &'static [CodeEntry],
}

impl ResultSpec {
    /// Whether `code` is a success code for payment method `method`
    /// (`Both` when the method is unknown: any documented success code counts).
    pub fn is_success_code(&self, code: &str, method: Applies) -> bool {
        let code = strip_test_prefix(code);
        self.success_codes
            .iter()
            .any(|(c, a)| *c == code && a.admits(method))
    }

    /// Whether a body with this status value and result code is a success or a failure
    /// answer (which of the `on: success` / `on: error` requirements apply): the status
    /// field decides when the endpoint has one, else the code; `None` when the body lacks
    /// what decides it.
    pub fn outcome(
        &self,
        status: Option<&str>,
        code: Option<&str>,
        method: Applies,
    ) -> Option<Outcome> {
        let success = match (self.status, status) {
            (Some((_, success)), Some(s)) => s == success,
            (Some(_), None) => return None,
            (None, _) => self.is_success_code(code?, method),
        };
        Some(if success {
            Outcome::Success
        } else {
            Outcome::Error
        })
    }

    /// The catalog entry of a code (a test-environment prefix such as `[test]` removed).
    pub fn lookup(&self, code: &str) -> Option<&'static CodeEntry> {
        let code = strip_test_prefix(code);
        self.catalog.iter().find(|e| e.code == code)
    }
}

/// A result code or message without the prefix a test environment puts in front of it
/// (`[test]`, see `message_prefix` in spec/payple.yaml).
pub fn strip_test_prefix(text: &str) -> &str {
    crate::generated::MESSAGE_PREFIXES
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .map_or(text, str::trim_start)
}

/// A documented sample, kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleSpec {
    /// Id, unique in its endpoint.
    pub id: &'static str,
    /// Request or response.
    pub part: Part,
    /// The text as documented (not always JSON).
    pub raw: &'static str,
    /// Source URL.
    pub source: &'static str,
    /// Evidence tag.
    pub evidence: &'static str,
    /// The findings the validator must report: (kind, JSON pointer).
    pub expect: &'static [(&'static str, &'static str)],
}

/// An endpoint as the validator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointSpec {
    /// `service.snake_name`.
    pub id: &'static str,
    /// Service id.
    pub service: &'static str,
    /// English title.
    pub title_en: &'static str,
    /// Korean title.
    pub title_ko: &'static str,
    /// Documentation URL.
    pub doc_url: &'static str,
    /// Request fields.
    pub request: &'static [FieldSpec],
    /// Response fields.
    pub response: &'static [FieldSpec],
    /// Field telling card from transfer.
    pub payment_method_field: Option<&'static str>,
    /// Success semantics.
    pub result: Option<ResultSpec>,
    /// Documented samples.
    pub samples: &'static [SampleSpec],
    /// HTTP method (`POST`, `GET`).
    pub method: &'static str,
    /// Where the call goes.
    pub target: Target,
    /// Authentication flow id (`cpay.partner_auth`, `hub.bearer_token`, ...) or `none`.
    pub auth_flow: &'static str,
    /// The flag the auth flow must be called with: (field, value), e.g. `PCD_PAYCHK_FLAG`, `Y`.
    pub auth_flag: Option<(&'static str, &'static str)>,
    /// Documented request headers: name and fixed value (`None` when the value varies).
    pub headers: &'static [(&'static str, Option<&'static str>)],
    /// Older paths Payple documented for the same call (query included), spec order.
    pub legacy_paths: &'static [&'static str],
    /// Repeating the call is safe: a retry after a network error cannot act twice.
    pub idempotent: bool,
    /// Documented limits and refusals, machine-readable.
    pub limits: &'static [LimitSpec],
}

/// A documented limit or refusal of an endpoint (`limits:` in the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSpec {
    /// The result code answered.
    pub code: Option<&'static str>,
    /// The refusal situation it answers (`order_unknown`, `inquiry_rate_limited`), when
    /// the rule names one with a `[mock: ...]` marker.
    pub situation: Option<&'static str>,
    /// Conditions under which this answer applies (all must hold).
    pub qualifiers: &'static [Qualifier],
    /// A rate limit.
    pub rate: Option<RateLimit>,
}

/// A condition of a [`LimitSpec`]: `key` is a request field, `method` or `field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qualifier {
    /// What is compared.
    pub key: &'static str,
    /// How.
    pub op: QualifierOp,
    /// One of these values, or the single bound of [`QualifierOp::Below`].
    pub values: &'static [&'static str],
}

/// How a [`Qualifier`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualifierOp {
    /// The value is one of the values.
    OneOf,
    /// The value is a number below the bound.
    Below,
}

/// At most `max` calls per `window_seconds`; more are answered with the limit's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls admitted per window.
    pub max: u32,
    /// The window, in seconds.
    pub window_seconds: u64,
}

/// A field role: what a field means across endpoints, and its names per service
/// (`payple.yaml` `roles:`). Read it through the generated `Role` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSpec {
    /// Snake-case id (`order_id`).
    pub id: &'static str,
    /// Korean term.
    pub ko: &'static str,
    /// What the field means.
    pub description: &'static str,
    /// Per service, the wire names carrying the role, most common first.
    pub names: &'static [(&'static str, &'static [&'static str])],
}

impl RoleSpec {
    /// The names carrying the role in `service` (empty when the service has none).
    pub fn names(&self, service: &str) -> &'static [&'static str] {
        self.names
            .iter()
            .find(|(s, _)| *s == service)
            .map_or(&[], |(_, n)| n)
    }
}

/// Where an endpoint's call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A fixed path on the service's host.
    Path(&'static str),
    /// The `return_url` that the named auth flow answers with.
    AuthReturnUrl(&'static str),
    /// Payple calls the partner at the URL given in this request field (post-backs, webhooks).
    PartnerUrl(&'static str),
    /// A browser script on the service's host.
    Script(&'static str),
}

/// A host of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvironmentSpec {
    /// `test`, `live`, ...
    pub name: &'static str,
    /// Base URL, e.g. `https://democpay.payple.kr`.
    pub base_url: &'static str,
    /// Real money.
    pub production: bool,
}

/// A Payple product (`cpay`, `hub`, `global`) with its hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSpec {
    /// Service id.
    pub id: &'static str,
    /// English title.
    pub title_en: &'static str,
    /// Hosts.
    pub environments: &'static [EnvironmentSpec],
    /// The public test account of the documentation: (name, value).
    pub test_credentials: &'static [(&'static str, &'static str)],
}

/// An authentication flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthFlowSpec {
    /// Flow id, e.g. `hub.bearer_token`.
    pub id: &'static str,
    /// Service id.
    pub service: &'static str,
    /// The endpoint that performs it.
    pub endpoint: Option<&'static str>,
    /// `flag_tokens` or `bearer_token`.
    pub kind: &'static str,
    /// How long its token lives, in seconds.
    pub lifetime_seconds: Option<u64>,
}

impl EndpointSpec {
    /// The fields of a part.
    pub fn fields(&self, part: Part) -> &'static [FieldSpec] {
        match part {
            Part::Request => self.request,
            Part::Response => self.response,
        }
    }

    /// The JSON Schema of a part.
    pub fn schema(&self, part: Part) -> &'static str {
        crate::schema(self.id, part).unwrap_or("{}")
    }

    /// The top-level field of `part` that carries `role`: the first of the role's names
    /// for this service that the part has (by current or legacy name); its current name.
    pub fn role_field(&self, role: &RoleSpec, part: Part) -> Option<&'static str> {
        let fields = self.fields(part);
        role.names(self.service).iter().find_map(|n| {
            fields
                .iter()
                .find(|f| f.name == *n || f.legacy_names.contains(n))
                .map(|f| f.name)
        })
    }

    /// The payment method a body names in the endpoint's payment-method field (`card`,
    /// `transfer`); [`Applies::Both`] when the body names none or the endpoint has no such
    /// field.
    pub fn payment_method(&self, body: &serde_json::Value) -> Applies {
        self.payment_method_value(body)
            .and_then(serde_json::Value::as_str)
            .and_then(Applies::method_named)
            .unwrap_or(Applies::Both)
    }

    /// The value of the endpoint's payment-method field in `body`, whatever it is; `None`
    /// when the endpoint has no such field or the body (an object) lacks it.
    pub fn payment_method_value<'a>(
        &self,
        body: &'a serde_json::Value,
    ) -> Option<&'a serde_json::Value> {
        self.payment_method_field.and_then(|f| body.get(f))
    }

    /// The status field of the response and its success value: the result rule's, else a
    /// response field whose documented values are a success/error pair (cpay auth's
    /// `result`).
    pub fn status_field(&self) -> Option<(&'static str, &'static str)> {
        if let Some(s) = self.result.and_then(|r| r.status) {
            return Some(s);
        }
        self.response
            .iter()
            .find(|f| f.values.contains(&"success") && f.values.contains(&"error"))
            .map(|f| (f.name, "success"))
    }

    /// Whether a response body reads as a success for `method`: the status field (if any)
    /// has its success value and the result code (if the endpoint has a result rule) is a
    /// success code.
    pub fn answer_succeeded(&self, body: &serde_json::Value, method: Applies) -> bool {
        let text = |k: &str| body.get(k).and_then(serde_json::Value::as_str);
        if let Some((field, ok)) = self.status_field()
            && text(field) != Some(ok)
        {
            return false;
        }
        match self.result {
            Some(r) => text(r.code_field).is_some_and(|c| r.is_success_code(c, method)),
            None => true,
        }
    }

    /// The rate limit of the call, with the code answered past it.
    pub fn rate_limit(&self) -> Option<(RateLimit, &'static str)> {
        self.limits.iter().find_map(|l| Some((l.rate?, l.code?)))
    }
}

/// A value of a field the spec marks sensitive (keys, tokens, card and account numbers),
/// found by [`sensitive_values`].
#[derive(Debug, Clone, PartialEq)]
pub struct SensitiveValue<'a> {
    /// JSON pointer of the value inside the body.
    pub pointer: String,
    /// The field (by current or legacy name).
    pub field: &'static FieldSpec,
    /// The value, whole (a sensitive object or list is not searched inside).
    pub value: &'a serde_json::Value,
}

/// The values of the fields of `body` that the spec marks sensitive, nested objects and
/// lists of objects included, in body order. `fields` are the fields of the body's part
/// ([`EndpointSpec::fields`]); keys that are not documented are not reported.
pub fn sensitive_values<'a>(
    fields: &'static [FieldSpec],
    body: &'a serde_json::Value,
) -> Vec<SensitiveValue<'a>> {
    let mut out = Vec::new();
    collect_sensitive(fields, body, "", &mut out);
    out
}

fn collect_sensitive<'a>(
    fields: &'static [FieldSpec],
    value: &'a serde_json::Value,
    prefix: &str,
    out: &mut Vec<SensitiveValue<'a>>,
) {
    let serde_json::Value::Object(obj) = value else {
        return;
    };
    for (key, v) in obj {
        let Some(field) = fields.iter().find(|f| f.matches(key)) else {
            continue;
        };
        let pointer = format!("{prefix}/{}", crate::pointer_token(key));
        if field.sensitive {
            out.push(SensitiveValue {
                pointer,
                field,
                value: v,
            });
            continue;
        }
        match (field.shape, v) {
            (FieldShape::Object(sub), _) => collect_sensitive(sub, v, &pointer, out),
            (FieldShape::List(sub), serde_json::Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    collect_sensitive(sub, item, &format!("{pointer}/{i}"), out);
                }
            }
            _ => {}
        }
    }
}
