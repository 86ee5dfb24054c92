//! Accepted deviations: findings the project knowingly tolerates, each with a reason, a link
//! and an expiry date (see the crate README, "Accepted deviations").
//!
//! The file is YAML, read strictly (unknown keys are errors) with `serde-saphyr`; every
//! problem is reported as `file:line:column: message`. An entry accepts a finding either by
//! its `fingerprint` or by `endpoint` + `kind` + (`field` or `pointer`). An accepted finding
//! does not count as an error; an entry past its `expires` date accepts nothing and is
//! reported as expired; an entry that matched nothing is reported as unused.

use payple_types::{Finding, Fingerprint, Kind, Severity};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= payple_support::civil::days_in_month(i64::from(year), month))
        .then_some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    pub fn from_unix_days(days: i64) -> Date {
        let (year, month, day) = payple_support::civil::civil_from_days(days);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month,
            day,
        }
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date written YYYY-MM-DD");
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(bad());
        }
        let year: i32 = s[0..4].parse().map_err(|_| bad())?;
        let month: u32 = s[5..7].parse().map_err(|_| bad())?;
        let day: u32 = s[8..10].parse().map_err(|_| bad())?;
        Date::new(year, month, day).ok_or_else(|| format!("`{s}` is not a day of the calendar"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    deviations: Vec<S<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    fingerprint: Option<S<String>>,
    endpoint: Option<S<String>>,
    kind: Option<S<String>>,
    field: Option<S<String>>,
    pointer: Option<S<String>>,
    reason: Option<S<String>>,
    link: Option<S<String>>,
    expires: Option<S<String>>,
}

/// What an entry matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A finding's fingerprint, optionally restricted to one endpoint.
    Fingerprint {
        /// The fingerprint (16 lower-case hexadecimal digits in the file).
        fingerprint: Fingerprint,
        /// The endpoint id, when given.
        endpoint: Option<String>,
    },
    /// Endpoint, kind and the documented field name.
    Field {
        /// Endpoint id.
        endpoint: String,
        /// Finding kind.
        kind: Kind,
        /// Documented field name (`Finding.field`).
        field: String,
    },
    /// Endpoint, kind and JSON pointer.
    Pointer {
        /// Endpoint id.
        endpoint: String,
        /// Finding kind.
        kind: Kind,
        /// JSON pointer (`""` for the whole body).
        pointer: String,
    },
}

impl Selector {
    /// Whether this selector picks `finding` of `endpoint`.
    pub fn matches(&self, endpoint: &str, finding: &Finding) -> bool {
        match self {
            Selector::Fingerprint {
                fingerprint,
                endpoint: ep,
            } => {
                *fingerprint == finding.fingerprint() && ep.as_deref().is_none_or(|e| e == endpoint)
            }
            Selector::Field {
                endpoint: ep,
                kind,
                field,
            } => ep == endpoint && *kind == finding.kind && finding.field.as_deref() == Some(field),
            Selector::Pointer {
                endpoint: ep,
                kind,
                pointer,
            } => ep == endpoint && *kind == finding.kind && *pointer == finding.pointer,
        }
    }

    /// The endpoint the selector is limited to, when it names one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Selector::Fingerprint { endpoint, .. } => endpoint.as_deref(),
            Selector::Field { endpoint, .. } | Selector::Pointer { endpoint, .. } => Some(endpoint),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Fingerprint {
                fingerprint,
                endpoint: None,
            } => write!(f, "fingerprint {fingerprint}"),
            Selector::Fingerprint {
                fingerprint,
                endpoint: Some(e),
            } => write!(f, "{e} fingerprint {fingerprint}"),
            Selector::Field {
                endpoint,
                kind,
                field,
            } => write!(f, "{endpoint} {kind} field {field}"),
            Selector::Pointer {
                endpoint,
                kind,
                pointer,
            } => write!(
                f,
                "{endpoint} {kind} {}",
                if pointer.is_empty() {
                    "(body)"
                } else {
                    pointer
                }
            ),
        }
    }
}

/// Why a deviation is accepted: the `"accepted"` (or `"expired_deviation"`) object of a
/// finding in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// Why the finding is tolerated.
    pub reason: String,
    /// Where it is discussed (issue, vendor ticket, ...).
    pub link: String,
    /// The last day the entry accepts findings.
    pub expires: Date,
}

/// One entry of the deviations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// `file:line:column` of the entry.
    pub at: String,
    /// What it matches.
    pub selector: Selector,
    /// Reason, link and expiry.
    pub acceptance: Acceptance,
}

/// The accepted deviations of a run, with the date they are judged against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviations {
    /// The file they were read from (as shown), `None` when there is none.
    pub file: Option<String>,
    /// Every entry, in file order.
    pub entries: Vec<Deviation>,
    /// Entries expiring before this date are expired.
    pub today: Date,
}

/// A finding with what the deviations file says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedFinding {
    /// The validator's finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The entry that accepts it: then it does not count as an error nor as unexpected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
    /// An expired entry that would have accepted it (it counts again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_deviation: Option<Acceptance>,
    /// In `replay` only: whether the item expected the finding, accepts it as a deviation,
    /// or did not expect it (then it fails the item). Absent in `validate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<FindingStatus>,
}

/// How a finding of a replayed item stands against what the item expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// In the item's expect list (a documented defect of a sample, or a finding a recording
    /// is meant to produce): it does not fail the item.
    Expected,
    /// Accepted by the deviations file: it does not fail the item.
    Accepted,
    /// Neither expected nor accepted: it fails the item.
    Unexpected,
}

impl FindingStatus {
    /// `expected`, `accepted` or `unexpected`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Expected => "expected",
            FindingStatus::Accepted => "accepted",
            FindingStatus::Unexpected => "unexpected",
        }
    }

    /// Whether the finding fails its item.
    pub fn fails(self) -> bool {
        self == FindingStatus::Unexpected
    }
}

impl CheckedFinding {
    /// A finding no deviation has looked at yet.
    pub fn new(finding: Finding) -> Self {
        CheckedFinding {
            finding,
            accepted: None,
            expired_deviation: None,
            status: None,
        }
    }

    /// An error-severity finding that is not accepted.
    pub fn counts_as_error(&self) -> bool {
        self.accepted.is_none() && self.finding.severity == Severity::Error
    }

    /// A warning-severity finding that is not accepted.
    pub fn counts_as_warning(&self) -> bool {
        self.accepted.is_none() && self.finding.severity == Severity::Warning
    }
}

/// A deviation worth a warning: unused or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviationNote {
    /// `file:line:column` of the entry.
    pub at: String,
    /// What the entry matches, in words (`cpay.x success_code_mismatch /PCD_PAY_CODE`).
    pub selects: String,
    /// The entry's reason.
    pub reason: String,
    /// The entry's link.
    pub link: String,
    /// The entry's expiry date.
    pub expires: Date,
    /// Findings it matched in this run (for an expired entry: no longer accepted).
    pub matched: usize,
    /// A sentence for people.
    pub message: String,
}

/// What the run says about the deviations file: the `"deviations"` object in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviationSummary {
    /// The file read, `null` when there was none.
    pub file: Option<String>,
    /// The date expiry was judged against (only when the file has entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub today: Option<Date>,
    /// Findings accepted in this run.
    pub accepted: usize,
    /// Entries that matched nothing (warnings).
    pub unused: Vec<DeviationNote>,
    /// Entries past their expiry date (warnings); their findings count again.
    pub expired: Vec<DeviationNote>,
}

impl DeviationSummary {
    /// Unused and expired entries.
    pub fn warnings(&self) -> usize {
        self.unused.len() + self.expired.len()
    }
}

/// Applies deviations to findings and remembers which entries matched.
#[derive(Debug)]
pub struct Matcher<'a> {
    deviations: &'a Deviations,
    matched: Vec<usize>,
    endpoints_seen: BTreeSet<String>,
    accepted: usize,
}

impl<'a> Matcher<'a> {
    /// A matcher that has seen nothing yet.
    pub fn new(deviations: &'a Deviations) -> Self {
        Matcher {
            deviations,
            matched: vec![0; deviations.entries.len()],
            endpoints_seen: BTreeSet::new(),
            accepted: 0,
        }
    }

    /// Marks the findings of one body of `endpoint` as accepted (first live entry that
    /// matches) or as matched by an expired entry.
    pub fn apply(&mut self, endpoint: &str, findings: &mut [CheckedFinding]) {
        self.endpoints_seen.insert(endpoint.to_string());
        for f in findings {
            let mut expired = None;
            for (i, d) in self.deviations.entries.iter().enumerate() {
                if !d.selector.matches(endpoint, &f.finding) {
                    continue;
                }
                self.matched[i] += 1;
                if d.acceptance.expires < self.deviations.today {
                    expired.get_or_insert_with(|| d.acceptance.clone());
                } else if f.accepted.is_none() {
                    f.accepted = Some(d.acceptance.clone());
                    self.accepted += 1;
                }
            }
            if f.accepted.is_none() {
                f.expired_deviation = expired;
            }
        }
    }

    /// Records that `endpoint` was checked even though it produced no finding.
    pub fn saw_endpoint(&mut self, endpoint: &str) {
        self.endpoints_seen.insert(endpoint.to_string());
    }

    /// Expired entries, and unused ones whose endpoint (if they name one) was checked.
    pub fn summary(&self) -> DeviationSummary {
        let mut s = DeviationSummary {
            file: self.deviations.file.clone(),
            today: (!self.deviations.entries.is_empty()).then_some(self.deviations.today),
            accepted: self.accepted,
            ..DeviationSummary::default()
        };
        for (d, &matched) in self.deviations.entries.iter().zip(&self.matched) {
            let a = &d.acceptance;
            let note = |message: String| DeviationNote {
                at: d.at.clone(),
                selects: d.selector.to_string(),
                reason: a.reason.clone(),
                link: a.link.clone(),
                expires: a.expires,
                matched,
                message,
            };
            if a.expires < self.deviations.today {
                s.expired.push(note(format!(
                    "expired deviation ({}): it expired on {} and accepts nothing; renew or remove it ({} matched in this run)",
                    d.selector,
                    a.expires,
                    if matched == 1 {
                        "1 finding".to_string()
                    } else {
                        format!("{matched} findings")
                    }
                )));
            } else if matched == 0
                && d.selector
                    .endpoint()
                    .is_none_or(|e| self.endpoints_seen.contains(e))
            {
                s.unused.push(note(format!(
                    "unused deviation ({}): it matched no finding; remove it or fix its selector",
                    d.selector
                )));
            }
        }
        s
    }
}

/// A deviations file that cannot be used: every problem as `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationsError(pub Vec<String>);

impl fmt::Display for DeviationsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for DeviationsError {}

impl Deviations {
    /// No deviations.
    pub fn none(today: Date) -> Self {
        Deviations {
            file: None,
            entries: Vec::new(),
            today,
        }
    }

    /// Reads a deviations file. A missing file is an error only when `required` (a file
    /// given with `--deviations`); otherwise it means no deviations.
    pub fn load(
        path: &Path,
        shown: &str,
        required: bool,
        today: Date,
    ) -> Result<Self, DeviationsError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Deviations::none(today));
            }
            Err(e) => return Err(DeviationsError(vec![format!("{shown}: cannot read: {e}")])),
        };
        let text = String::from_utf8(text)
            .map_err(|_| DeviationsError(vec![format!("{shown}:1:1: the file is not UTF-8")]))?;
        Deviations::parse(&text, shown, today)
    }

    /// Parses the text of a deviations file shown as `shown` in messages.
    pub fn parse(text: &str, shown: &str, today: Date) -> Result<Self, DeviationsError> {
        let raw: RawFile = if text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            RawFile {
                deviations: Vec::new(),
            }
        } else {
            serde_saphyr::from_str(text).map_err(|e| {
                let (line, column) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                let message =
                    payple_support::text::one_line_message(&e.without_snippet().to_string());
                DeviationsError(vec![format!("{shown}:{line}:{column}: {message}")])
            })?
        };
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for entry in raw.deviations {
            let at = format!(
                "{shown}:{}:{}",
                entry.referenced.line(),
                entry.referenced.column()
            );
            match check_entry(&entry.value, shown) {
                Ok((selector, acceptance)) => entries.push(Deviation {
                    at,
                    selector,
                    acceptance,
                }),
                Err(mut e) => {
                    if e.is_empty() {
                        e.push(format!("{at}: invalid entry"));
                    }
                    errors.extend(e.into_iter().map(|m| {
                        if m.starts_with(shown) {
                            m
                        } else {
                            format!("{at}: {m}")
                        }
                    }));
                }
            }
        }
        if errors.is_empty() {
            Ok(Deviations {
                file: Some(shown.to_string()),
                entries,
                today,
            })
        } else {
            Err(DeviationsError(errors))
        }
    }
}

fn check_entry(e: &RawEntry, shown: &str) -> Result<(Selector, Acceptance), Vec<String>> {
    let mut errors = Vec::new();
    let at = |s: &S<String>, message: String| {
        format!(
            "{shown}:{}:{}: {message}",
            s.referenced.line(),
            s.referenced.column()
        )
    };
    let required = |v: &Option<S<String>>, key: &str, errors: &mut Vec<String>| -> Option<String> {
        match v {
            None => {
                errors.push(format!("`{key}` is required"));
                None
            }
            Some(s) if s.value.trim().is_empty() => {
                errors.push(at(s, format!("`{key}` is empty")));
                None
            }
            Some(s) => Some(s.value.clone()),
        }
    };
    let reason = required(&e.reason, "reason", &mut errors);
    let link = required(&e.link, "link", &mut errors);
    if let (Some(l), Some(s)) = (&link, &e.link) {
        let ok = (l.starts_with("https://") || l.starts_with("http://"))
            && l.len() > "https://".len()
            && !l.chars().any(char::is_whitespace);
        if !ok {
            errors.push(at(s, format!("`link` must be an http(s) URL, not `{l}`")));
        }
    }
    let expires =
        required(&e.expires, "expires", &mut errors).and_then(|text| match text.parse::<Date>() {
            Ok(d) => Some(d),
            Err(why) => {
                if let Some(s) = &e.expires {
                    errors.push(at(s, format!("`expires`: {why}")));
                }
                None
            }
        });
    let endpoint = e
        .endpoint
        .as_ref()
        .and_then(|s| match crate::find_endpoint(&s.value) {
            Ok(ep) => Some(ep.id.to_string()),
            Err(why) => {
                errors.push(at(s, why));
                None
            }
        });
    let selector = if let Some(fp) = &e.fingerprint {
        for (key, v) in [
            ("kind", &e.kind),
            ("field", &e.field),
            ("pointer", &e.pointer),
        ] {
            if let Some(s) = v {
                errors.push(at(
                    s,
                    format!(
                        "a `fingerprint` entry takes no `{key}` (the fingerprint already says it)"
                    ),
                ));
            }
        }
        match fp.value.parse::<Fingerprint>() {
            Ok(fingerprint) => Some(Selector::Fingerprint {
                fingerprint,
                endpoint: endpoint.clone(),
            }),
            Err(_) => {
                errors.push(at(
                    fp,
                    format!(
                        "`fingerprint` must be 16 lower-case hexadecimal digits (as in the JSON report), not `{}`",
                        fp.value
                    ),
                ));
                None
            }
        }
    } else {
        if e.endpoint.is_none() {
            errors.push(
                "give either `fingerprint`, or `endpoint`, `kind` and `field` or `pointer`".into(),
            );
        }
        let kind = match &e.kind {
            None => {
                errors.push("`kind` is required without `fingerprint`".into());
                None
            }
            Some(s) => match s.value.parse::<Kind>() {
                Ok(k) => Some(k),
                Err(why) => {
                    errors.push(at(
                        s,
                        format!(
                            "{why} (kinds: {})",
                            Kind::ALL.map(|k| k.as_str()).join(", ")
                        ),
                    ));
                    None
                }
            },
        };
        let which = match (&e.field, &e.pointer) {
            (Some(f), Some(_)) => {
                errors.push(at(f, "give `field` or `pointer`, not both".into()));
                None
            }
            (None, None) => {
                errors.push("`field` or `pointer` is required without `fingerprint`".into());
                None
            }
            (Some(f), None) => Some((true, f)),
            (None, Some(p)) => {
                if !p.value.is_empty() && !p.value.starts_with('/') {
                    errors.push(at(
                        p,
                        format!(
                            "`pointer` must be a JSON pointer (`\"\"` or starting with `/`), not `{}`",
                            p.value
                        ),
                    ));
                }
                Some((false, p))
            }
        };
        match (endpoint, kind, which) {
            (Some(endpoint), Some(kind), Some((true, f))) => Some(Selector::Field {
                endpoint,
                kind,
                field: f.value.clone(),
            }),
            (Some(endpoint), Some(kind), Some((false, p))) => Some(Selector::Pointer {
                endpoint,
                kind,
                pointer: p.value.clone(),
            }),
            _ => None,
        }
    };
    match (selector, reason, link, expires) {
        (Some(selector), Some(reason), Some(link), Some(expires)) if errors.is_empty() => Ok((
            selector,
            Acceptance {
                reason,
                link,
                expires,
            },
        )),
        _ => Err(errors),
    }
}

/// The default deviations file: `conformance/deviations.yaml` of the repository (found like
/// the recordings directory), else the one next to this crate.
pub fn default_path() -> PathBuf {
    if let Some(root) = crate::replay::find_repo_root() {
        return root.join("conformance").join("deviations.yaml");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deviations.yaml")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_parse_strictly_and_order() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2024-2-29".parse::<Date>().is_err());
        assert!("2024-13-01".parse::<Date>().is_err());
        assert!("24-01-01xx".parse::<Date>().is_err());
        assert!("2024-01-01".parse::<Date>().unwrap() < d);
    }

    #[test]
    fn an_absent_default_file_or_a_comment_only_file_means_no_deviations() {
        let today: Date = "2026-06-01".parse().unwrap();
        let d = Deviations::load(Path::new("/no/such/file.yaml"), "x.yaml", false, today).unwrap();
        assert!(d.entries.is_empty() && d.file.is_none());
        let e = Deviations::load(Path::new("/no/such/file.yaml"), "x.yaml", true, today);
        assert!(
            e.unwrap_err()
                .to_string()
                .starts_with("x.yaml: cannot read")
        );
        let d = Deviations::parse("# only a comment\n\n", "c.yaml", today).unwrap();
        assert!(d.entries.is_empty());
        assert_eq!(d.file.as_deref(), Some("c.yaml"));
    }

    #[test]
    fn the_shipped_file_parses_and_has_no_entries() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deviations.yaml");
        let today: Date = "2026-06-01".parse().unwrap();
        let d = Deviations::load(&path, "deviations.yaml", true, today).unwrap();
        assert!(d.entries.is_empty());
    }

    #[test]
    fn unix_days_to_dates() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
        assert_eq!(Date::from_unix_days(20_415).to_string(), "2025-11-23");
    }
}
