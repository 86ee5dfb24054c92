//! The checked model of the spec: every reference resolved, every type code parsed.
//!
//! This is what the Rust and JSON Schema generators consume; it is built by
//! [`crate::load`] from the YAML files and holds no YAML types.

use crate::typecode::{Alphabet, TypeCode};

/// The whole spec.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// Evidence tags (`DOC`, `DOC-OLD`, ...).
    pub evidence_tags: Vec<(String, String)>,
    /// The type-code alphabet.
    pub alphabet: Alphabet,
    /// The alphabet's own provenance and notes.
    pub alphabet_notes: AlphabetNotes,
    /// Services with their environments.
    pub services: Vec<Service>,
    /// Authentication flows.
    pub auth_flows: Vec<AuthFlow>,
    /// Response-code catalogs.
    pub catalogs: Vec<Catalog>,
    /// Endpoints, sorted by id.
    pub endpoints: Vec<Endpoint>,
    /// Date, time and digit-string formats.
    pub formats: Vec<FormatDef>,
    /// What Payple and its clients put on the wire beyond the letter of the tables.
    pub leniency: Vec<LeniencyForm>,
    /// The evidence of the type-code letters (the alphabet is inferred).
    pub alphabet_rule: Rule,
    /// Prefixes that test environments put in front of result codes and messages.
    pub message_prefixes: Vec<(String, Rule)>,
    /// Field roles: what a field means across endpoints, with its names per service.
    pub roles: Vec<RoleDef>,
}

/// A field role of `payple.yaml` (`order_id`, `amount`, ...).
#[derive(Debug, Clone)]
pub struct RoleDef {
    /// Snake-case id.
    pub id: String,
    /// Korean term.
    pub ko: Option<String>,
    /// What the field means.
    pub description: String,
    /// Per service, the names carrying the role (most common first).
    pub names: Vec<(String, Vec<String>)>,
}

/// A refusal situation named by a limit's `[mock: id; key=value ...]` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation {
    /// Snake-case id (`order_unknown`, `refund_exceeds_remaining`).
    pub id: String,
    /// Qualifiers that must hold: key, operator (`=` one of the values, `<` below the
    /// number), values.
    pub qualifiers: Vec<(String, char, Vec<String>)>,
}

/// A limit in machine-readable form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitDetail {
    /// The code answered.
    pub code: Option<String>,
    /// The situation it answers, when the rule names one.
    pub situation: Option<Situation>,
    /// A rate limit: (max calls, window in seconds).
    pub rate: Option<(u32, u64)>,
}

/// Where a rule comes from, and whether breaking it is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// The tag is one of Payple's own statements (`documented: true` in payple.yaml): a
    /// body breaking the rule is an error; otherwise a warning.
    pub documented: bool,
}

/// A named format of `payple.yaml`.
#[derive(Debug, Clone)]
pub struct FormatDef {
    /// Id fields refer to.
    pub id: String,
    /// The pattern as written.
    pub pattern: String,
    /// The compiled pattern.
    pub pieces: Vec<crate::datefmt::Piece>,
    /// Provenance.
    pub rule: Rule,
    /// Note.
    pub note: Option<String>,
}

/// The wire forms Payple demonstrably accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LenientForm {
    /// A JSON number where a digit string is documented.
    NumberForNumericString,
    /// `""` in a field that is not required reads as absent.
    EmptyStringIsAbsent,
    /// `null` in a field that is not required reads as absent.
    NullIsAbsent,
}

impl LenientForm {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LenientForm::NumberForNumericString => "number_for_numeric_string",
            LenientForm::EmptyStringIsAbsent => "empty_string_is_absent",
            LenientForm::NullIsAbsent => "null_is_absent",
        }
    }
}

/// One declared leniency with its provenance.
#[derive(Debug, Clone)]
pub struct LeniencyForm {
    /// Which form.
    pub form: LenientForm,
    /// Provenance.
    pub rule: Rule,
    /// What was seen.
    pub summary: String,
}

impl Spec {
    /// The rule of a declared leniency, if the spec declares it.
    pub fn leniency(&self, form: LenientForm) -> Option<&Rule> {
        self.leniency
            .iter()
            .find(|l| l.form == form)
            .map(|l| &l.rule)
    }

    /// A format by id.
    pub fn format(&self, id: &str) -> Option<&FormatDef> {
        self.formats.iter().find(|f| f.id == id)
    }
}

/// Provenance of the alphabet.
#[derive(Debug, Clone, Default)]
pub struct AlphabetNotes {
    /// What the alphabet is.
    pub summary: String,
    /// Evidence tag (INFERENCE).
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// How lengths are counted.
    pub length_unit: String,
}

/// Korean and English titles.
#[derive(Debug, Clone, Default)]
pub struct Title {
    /// Korean.
    pub ko: String,
    /// English.
    pub en: String,
}

/// A Payple product with its own hosts.
#[derive(Debug, Clone)]
pub struct Service {
    /// `cpay`, `hub`, `global`.
    pub id: String,
    /// Titles.
    pub title: Title,
    /// Documentation URLs.
    pub docs: Vec<String>,
    /// Hosts.
    pub environments: Vec<Environment>,
    /// Public test credentials, if documented.
    pub test_credentials: Vec<(String, String)>,
}

/// A host of a service.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `test`, `live` ...
    pub name: String,
    /// Base URL.
    pub base_url: String,
    /// Evidence tag.
    pub evidence: String,
    /// A production host (real money).
    pub production: bool,
}

/// An authentication flow.
#[derive(Debug, Clone)]
pub struct AuthFlow {
    /// Stable id, e.g. `cpay.partner_auth`.
    pub id: String,
    /// Service id.
    pub service: String,
    /// Titles.
    pub title: Title,
    /// The endpoint that performs it.
    pub endpoint: Option<String>,
    /// `flag_tokens` or `bearer_token`.
    pub kind: String,
    /// Token lifetime.
    pub lifetime_seconds: Option<u64>,
    /// Description.
    pub summary: String,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
}

/// Success or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeClass {
    /// The call succeeded.
    Success,
    /// The call failed.
    Failure,
}

/// A response-code catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Catalog id (`cpay`, `hub`, `card_company`).
    pub id: String,
    /// Titles.
    pub title: Title,
    /// Codes, in file order.
    pub codes: Vec<Code>,
}

/// One response code.
#[derive(Debug, Clone)]
pub struct Code {
    /// The code.
    pub code: String,
    /// Payple's (Korean) message, if documented.
    pub message: Option<String>,
    /// Meaning in English.
    pub meaning: String,
    /// Class.
    pub class: CodeClass,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// Other documented messages for the same code.
    pub alternatives: Vec<(Option<String>, String, String)>,
}

/// Card, transfer or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Card and transfer.
    Both,
    /// Card only.
    Card,
    /// Transfer only.
    Transfer,
}

impl Applies {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Both => "both",
            Applies::Card => "card",
            Applies::Transfer => "transfer",
        }
    }
}

/// When a field must be present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    /// Always.
    Always,
    /// Never required.
    Never,
    /// When a condition on a sibling field holds.
    When(Condition),
}

/// When a conditional requirement holds: every part given must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// A test on a sibling field.
    pub sibling: Option<Sibling>,
    /// Only in answers with this outcome.
    pub on: Outcome,
    /// Only for this payment method (`Both`: any).
    pub method: Applies,
}

/// A test on a sibling field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sibling {
    /// The sibling field.
    pub field: String,
    /// The test.
    pub test: ConditionTest,
}

/// Success or failure of an answer, as the endpoint's result rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Any answer.
    Any,
    /// Successful answers only.
    Success,
    /// Failed answers only.
    Error,
}

impl Outcome {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Any => "any",
            Outcome::Success => "success",
            Outcome::Error => "error",
        }
    }
}

/// What a condition tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionTest {
    /// The sibling is this string.
    Equals(String),
    /// The sibling is one of these strings.
    OneOf(Vec<String>),
    /// The sibling is present.
    Present,
    /// The sibling is absent (`present: false`).
    Absent,
}

impl ConditionTest {
    /// The values the condition accepts, `None` for `Present`.
    pub fn values(&self) -> Option<Vec<String>> {
        match self {
            ConditionTest::Equals(v) => Some(vec![v.clone()]),
            ConditionTest::OneOf(v) => Some(v.clone()),
            ConditionTest::Present | ConditionTest::Absent => None,
        }
    }
}

/// Scalar, object or list of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string value.
    Scalar,
    /// A nested object.
    Object,
    /// A list of objects.
    List,
}

/// A renamed field's old name.
#[derive(Debug, Clone)]
pub struct LegacyName {
    /// The old name.
    pub name: String,
    /// When it stopped being documented.
    pub until: Option<String>,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// Note.
    pub note: Option<String>,
}

/// A request or response field.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON key.
    pub name: String,
    /// Korean term.
    pub ko: Option<String>,
    /// English description.
    pub description: String,
    /// The documented type code (`None` for objects and lists).
    pub documented_type: Option<TypeCode>,
    /// The code the validator enforces (the documented one unless `enforce` says otherwise).
    pub enforced_type: Option<TypeCode>,
    /// Why the enforced code differs.
    pub enforce_reason: Option<String>,
    /// Required rule.
    pub required: Required,
    /// Payment methods.
    pub applies: Applies,
    /// Documented value set with meanings.
    pub values: Vec<(String, String)>,
    /// Why the value set is open (Payple keeps extending it), if it is.
    pub values_open: Option<String>,
    /// Where the value set comes from.
    pub values_rule: Rule,
    /// An amount: models accept strings and numbers.
    pub amount: bool,
    /// Format ids (any of them), from `payple.yaml`.
    pub formats: Vec<String>,
    /// Where the format comes from.
    pub format_rule: Rule,
    /// The value is a digit string (type admits only digits, or a digits / date format):
    /// a JSON number is a lenient form of it.
    pub numeric: bool,
    /// Where the type code (its length and the JSON string type) comes from.
    pub type_rule: Rule,
    /// Where the required rule comes from (`None` for optional fields).
    pub required_rule: Option<Rule>,
    /// Why the required rule is contested (other documentation or real traffic omits the
    /// field and Payple accepts it): a missing field is then a warning at most.
    pub required_contested: Option<String>,
    /// Where the example comes from.
    pub example_rule: Rule,
    /// Secret or personal data.
    pub sensitive: bool,
    /// Changes between calls (times, ids).
    pub volatile: bool,
    /// Example value.
    pub example: Option<String>,
    /// Why the example breaks the type code.
    pub example_deviation: Option<String>,
    /// Old names.
    pub legacy_names: Vec<LegacyName>,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL (the endpoint's first doc URL unless given).
    pub source: String,
    /// Where the type code comes from.
    pub type_evidence: String,
    /// Where the required rule comes from.
    pub required_evidence: String,
    /// Shape.
    pub shape: Shape,
    /// Members of an object or list item.
    pub fields: Vec<Field>,
}

/// Request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// Success semantics of an endpoint.
#[derive(Debug, Clone)]
pub struct ResultRule {
    /// Status field and its success value.
    pub status: Option<(String, String)>,
    /// The field holding the result code.
    pub code_field: String,
    /// The field holding the message.
    pub message_field: Option<String>,
    /// Catalog id.
    pub catalog: String,
    /// Documented success codes.
    pub success_codes: Vec<SuccessCode>,
    /// A weaker, contradicted statement of which success code each method gives.
    pub method_codes: Vec<MethodCode>,
}

impl ResultRule {
    /// The rule behind the success codes: the strongest evidence among them.
    pub fn success_rule(&self) -> Rule {
        self.success_codes
            .iter()
            .map(|c| c.rule.clone())
            .max_by_key(|r| r.documented)
            .unwrap_or_default()
    }
}

/// A per-method success code that another documented statement contradicts.
#[derive(Debug, Clone)]
pub struct MethodCode {
    /// The code.
    pub code: String,
    /// The method it is said to belong to.
    pub applies: Applies,
    /// Provenance.
    pub rule: Rule,
    /// The discrepancy id that records the contradiction.
    pub conflict: Option<String>,
}

/// A documented success code.
#[derive(Debug, Clone)]
pub struct SuccessCode {
    /// The code.
    pub code: String,
    /// Payment method it applies to.
    pub applies: Applies,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// Provenance as a rule.
    pub rule: Rule,
}

/// Where the call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRule {
    /// A fixed path on the service host.
    Path(String),
    /// The `return_url` answered by an auth flow.
    AuthReturnUrl(String),
    /// A URL the partner chose (post-back).
    PartnerUrl(String),
    /// A browser script.
    Script(String),
}

/// A documented sample.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Id, unique in its endpoint.
    pub id: String,
    /// Part.
    pub part: Part,
    /// Evidence tag.
    pub evidence: String,
    /// Source URL.
    pub source: String,
    /// Note.
    pub note: Option<String>,
    /// The text as documented.
    pub raw: String,
    /// Expected findings: (kind, pointer).
    pub expect: Vec<(String, String)>,
}

/// An endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `service.snake_name`.
    pub id: String,
    /// Service id.
    pub service: String,
    /// Titles.
    pub title: Title,
    /// Summary.
    pub summary: String,
    /// Documentation URLs.
    pub docs: Vec<String>,
    /// Default evidence.
    pub evidence: String,
    /// HTTP method.
    pub method: String,
    /// URL rule.
    pub url: UrlRule,
    /// Older paths.
    pub legacy_paths: Vec<(String, String, String)>,
    /// Headers: name, fixed value, rule.
    pub headers: Vec<(String, Option<String>, Option<String>)>,
    /// Auth flow id or `none`, and the flag (field, value).
    pub auth_flow: String,
    /// Auth flag.
    pub auth_flag: Option<(String, String)>,
    /// Rate limits and similar rules.
    pub limits: Vec<(String, Option<String>)>,
    /// The same limits in machine-readable form (situation, rate), in the same order.
    pub limit_details: Vec<LimitDetail>,
    /// Repeating the call is safe (documented or inferred; `http.idempotent`).
    pub idempotent: bool,
    /// Field that tells card from transfer.
    pub payment_method_field: Option<String>,
    /// Request fields.
    pub request: Vec<Field>,
    /// Response fields.
    pub response: Vec<Field>,
    /// Result semantics.
    pub result: Option<ResultRule>,
    /// Documented discrepancies: id, text, source.
    pub discrepancies: Vec<(String, String, Option<String>)>,
    /// Samples.
    pub samples: Vec<Sample>,
    /// The spec file, relative to the spec root.
    pub file: String,
}

impl Endpoint {
    /// The fields of a part.
    pub fn fields(&self, part: Part) -> &[Field] {
        match part {
            Part::Request => &self.request,
            Part::Response => &self.response,
        }
    }

    /// The first documentation URL.
    pub fn doc_url(&self) -> &str {
        self.docs.first().map(String::as_str).unwrap_or("")
    }
}

impl Spec {
    /// Looks an endpoint up by id.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == id)
    }

    /// Looks a catalog up by id.
    pub fn catalog(&self, id: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.id == id)
    }

    /// Keeps only the named endpoints (and every catalog and service).
    pub fn retain_endpoints(&mut self, ids: &[String]) {
        self.endpoints.retain(|e| ids.contains(&e.id));
    }
}
