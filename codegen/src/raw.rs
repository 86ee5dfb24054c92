//! The spec files as written: serde structures that mirror the YAML one to one.
//!
//! Every struct denies unknown keys, and every value a later check may complain about is
//! wrapped in [`Spanned`] so the complaint can point at its line and column. The resolved,
//! checked form of the spec lives in [`crate::model`].

#![allow(missing_docs)] // Each struct mirrors a YAML mapping documented in spec/README.md.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// A value together with where it was written.
pub type S<T> = Spanned<T>;

/// `spec/payple.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootFile {
    pub evidence_tags: Vec<EvidenceTag>,
    pub type_codes: TypeCodes,
    #[serde(default)]
    pub formats: Vec<Format>,
    #[serde(default)]
    pub wire_leniency: Vec<Leniency>,
    pub services: Vec<Service>,
    pub auth_flows: Vec<AuthFlow>,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A field role: what a field means across endpoints (`order_id` is `PCD_PAY_OID` in cpay).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: S<String>,
    #[serde(default)]
    pub ko: Option<String>,
    pub description: String,
    /// Per service, the field names carrying the role, most common first.
    pub names: BTreeMap<String, Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceTag {
    pub tag: S<String>,
    pub meaning: String,
    /// Payple's own statement: rules resting on it give errors.
    #[serde(default)]
    pub documented: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    pub id: S<String>,
    pub pattern: S<String>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leniency {
    pub form: S<String>,
    pub evidence: S<String>,
    pub source: String,
    pub summary: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagePrefix {
    pub text: String,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeCodes {
    pub summary: String,
    pub evidence: S<String>,
    pub source: String,
    pub length_unit: S<String>,
    pub length_note: String,
    pub letters: Vec<Letter>,
    pub words: Vec<Word>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub letter: S<String>,
    pub name: String,
    pub ranges: Vec<S<String>>,
    pub basis: String,
    /// Overrides the alphabet's evidence for this letter.
    #[serde(default)]
    pub evidence: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Word {
    pub word: S<String>,
    /// `any`, or the compact letters the word admits.
    pub letters: S<String>,
    pub basis: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    pub ko: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: S<String>,
    pub title: Title,
    pub docs: Vec<String>,
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub test_credentials: Option<TestCredentials>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: S<String>,
    pub base_url: String,
    pub evidence: S<String>,
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub message_prefix: Option<MessagePrefix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCredentials {
    pub evidence: S<String>,
    pub source: String,
    pub values: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFlow {
    pub id: S<String>,
    pub service: S<String>,
    pub title: Title,
    #[serde(default)]
    pub endpoint: Option<S<String>>,
    pub kind: S<String>,
    #[serde(default)]
    pub lifetime_seconds: Option<u64>,
    pub summary: String,
    pub evidence: S<String>,
    pub source: String,
}

/// A rate limit: at most `max` calls per `window_seconds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub max: u32,
    pub window_seconds: u64,
}

/// `spec/codes/<catalog>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub catalog: S<String>,
    pub title: Title,
    pub codes: Vec<Code>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub code: S<String>,
    #[serde(default)]
    pub message: Option<String>,
    pub meaning: String,
    pub class: S<String>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub alternatives: Vec<CodeAlternative>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeAlternative {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub meaning: Option<String>,
    pub evidence: S<String>,
    pub source: String,
}

/// `spec/endpoints/<service>/<name>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    pub id: S<String>,
    pub service: S<String>,
    pub title: Title,
    pub summary: String,
    pub docs: Vec<String>,
    pub evidence: S<String>,
    pub http: Http,
    pub auth: Auth,
    #[serde(default)]
    pub limits: Vec<Limit>,
    #[serde(default)]
    pub payment_method_field: Option<S<String>>,
    #[serde(default)]
    pub request: Vec<Field>,
    #[serde(default)]
    pub response: Vec<Field>,
    #[serde(default)]
    pub result: Option<ResultRule>,
    #[serde(default)]
    pub discrepancies: Vec<Discrepancy>,
    #[serde(default)]
    pub samples: Vec<Sample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    pub method: S<String>,
    pub url: Url,
    #[serde(default)]
    pub legacy_paths: Vec<LegacyPath>,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub idempotent: Option<Idempotent>,
}

/// Whether repeating the call is safe (a retry after a network error cannot act twice).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Idempotent {
    pub value: bool,
    pub evidence: S<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Url {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub auth_return_url: Option<S<String>>,
    #[serde(default)]
    pub partner_url: Option<String>,
    #[serde(default)]
    pub script: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyPath {
    pub path: String,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub rule: Option<String>,
    pub evidence: S<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub flow: S<String>,
    #[serde(default)]
    pub flag: Option<AuthFlag>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFlag {
    pub field: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub rule: S<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub rate: Option<S<Rate>>,
    pub evidence: S<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: S<String>,
    #[serde(default)]
    pub ko: Option<String>,
    pub description: String,
    #[serde(default, rename = "type")]
    pub type_code: Option<S<String>>,
    #[serde(default)]
    pub enforce: Option<Enforce>,
    #[serde(default)]
    pub required: Option<S<Required>>,
    #[serde(default)]
    pub applies: Option<S<String>>,
    #[serde(default)]
    pub values: Vec<Value>,
    #[serde(default)]
    pub values_open: Option<String>,
    #[serde(default)]
    pub values_evidence: Option<S<String>>,
    #[serde(default)]
    pub values_source: Option<String>,
    #[serde(default)]
    pub format: Option<S<OneOrMany>>,
    #[serde(default)]
    pub format_evidence: Option<S<String>>,
    #[serde(default)]
    pub format_source: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub volatile: bool,
    #[serde(default)]
    pub example: Option<S<String>>,
    #[serde(default)]
    pub example_deviation: Option<String>,
    #[serde(default)]
    pub example_evidence: Option<S<String>>,
    #[serde(default)]
    pub example_source: Option<String>,
    #[serde(default)]
    pub legacy_names: Vec<LegacyName>,
    #[serde(default)]
    pub evidence: Option<S<String>>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub type_evidence: Option<S<String>>,
    #[serde(default)]
    pub required_evidence: Option<S<String>>,
    #[serde(default)]
    pub required_source: Option<String>,
    #[serde(default)]
    pub required_contested: Option<String>,
    #[serde(default)]
    pub shape: Option<S<String>>,
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enforce {
    #[serde(rename = "type")]
    pub type_code: S<String>,
    pub reason: String,
}

/// `yes`, `no` or a condition.
#[derive(Debug)]
pub enum Required {
    Flag(bool),
    Word(String),
    Condition(ConditionWrap),
}

/// By hand rather than `untagged`: buffering would read the key `on` as the YAML 1.1
/// boolean `true`; asking for strings keeps it a key.
impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Required;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("yes, no or a condition { when: ..., on: ..., method: ... }")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Required, E> {
                Ok(Required::Flag(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Required, E> {
                Ok(Required::Word(v.to_string()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<Required, M::Error> {
                ConditionWrap::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(Required::Condition)
            }
        }
        d.deserialize_any(V)
    }
}

/// One format id or several (any of them).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionWrap {
    #[serde(default)]
    pub when: Option<Condition>,
    /// `success` or `error`.
    #[serde(default)]
    pub on: Option<String>,
    /// `card` or `transfer`.
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    #[serde(default)]
    pub equals: Option<String>,
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
    #[serde(default)]
    pub present: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    pub value: S<String>,
    pub meaning: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyName {
    pub name: S<String>,
    #[serde(default)]
    pub until: Option<String>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRule {
    #[serde(default)]
    pub status: Option<Status>,
    pub code_field: S<String>,
    #[serde(default)]
    pub message_field: Option<S<String>>,
    pub catalog: S<String>,
    pub success_codes: Vec<SuccessCode>,
    #[serde(default)]
    pub method_codes: Vec<MethodCode>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodCode {
    pub code: S<String>,
    pub applies: S<String>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub conflict: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub field: S<String>,
    pub success: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessCode {
    pub code: S<String>,
    #[serde(default)]
    pub applies: Option<S<String>>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discrepancy {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub id: S<String>,
    pub part: S<String>,
    pub evidence: S<String>,
    pub source: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub raw: String,
    #[serde(default)]
    pub expect: Vec<S<ExpectedFinding>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    pub kind: String,
    pub pointer: String,
}
