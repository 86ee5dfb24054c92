//! Replaying recordings and documented samples against their expected findings.

use crate::PaymentMethod;
use crate::deviations::{CheckedFinding, DeviationSummary, Deviations, FindingStatus, Matcher};
use crate::recording::{self, ExpectedFinding};
use crate::secrets::{self, SecretHit};
use payple_types::doc_sample::{Repair, validate_sample};
use payple_types::{Report, Severity, endpoints};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Whether an item is a recording file or a documented sample of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// A recording file.
    Recording,
    /// A documented sample (`samples:` of an endpoint file).
    Sample,
}

/// The outcome of one recording or sample.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayResult {
    /// Recording or sample.
    pub source: ItemSource,
    /// The recording's path (relative, `/`-separated) or `<endpoint>#<sample id>`.
    pub name: String,
    /// Endpoint id (`null` when the recording could not be read).
    pub endpoint: Option<String>,
    /// `request` or `response` (`null` when the recording could not be read).
    pub part: Option<&'static str>,
    /// The payment method of the validated body: the value of the endpoint's payment-method
    /// field (`card`, `transfer`, `other` for any other value), or `unspecified`.
    pub payment_method: PaymentMethod,
    /// Exactly the expected findings (accepted deviations aside), and no secret.
    pub passed: bool,
    /// Every finding of the validator, with its accepted deviation if any and its `status`
    /// (`expected`, `accepted` or `unexpected`).
    pub findings: Vec<CheckedFinding>,
    /// Findings reported but neither expected nor accepted.
    pub unexpected: Vec<ExpectedFinding>,
    /// Findings expected but not reported.
    pub missing: Vec<ExpectedFinding>,
    /// Secrets the recording still holds (each one fails it).
    pub secrets: Vec<SecretHit>,
    /// Defects of a documented sample that the lenient reader repaired (PHP `=>`, curly
    /// quotes, comments, ...), each with line:column; always empty for recordings.
    pub repairs: Vec<Repair>,
    /// Why the recording could not be read (it then neither passes nor fails: exit 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    /// Error-severity findings.
    pub error: usize,
    /// Warning-severity findings.
    pub warning: usize,
    /// Info-severity findings.
    pub info: usize,
}

impl SeverityCounts {
    /// Counts one finding of `severity`.
    pub fn add(&mut self, severity: Severity) {
        match severity.as_str() {
            "error" => self.error += 1,
            "warning" => self.warning += 1,
            _ => self.info += 1,
        }
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        self.error + self.warning + self.info
    }

    /// The non-zero counts with their severity name, most severe first.
    pub fn nonzero(&self) -> Vec<(usize, &'static str)> {
        [
            (self.error, "error"),
            (self.warning, "warning"),
            (self.info, "info"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .collect()
    }
}

/// Counts over a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Recording files (read or not).
    pub recordings: usize,
    /// Documented samples.
    pub samples: usize,
    /// Items that produced exactly their expected findings and hold no secret.
    pub passed: usize,
    /// Items that did not.
    pub failed: usize,
    /// Error-severity findings (not accepted) and secrets over every item, expected ones
    /// included (see `expected_or_accepted` and `unexpected_by_severity` to tell them apart).
    pub errors: usize,
    /// Warning-severity findings (not accepted) over every item, expected ones included.
    pub warnings: usize,
    /// Findings accepted by the deviations file.
    pub accepted: usize,
    /// Recording files that could not be read.
    pub unreadable: usize,
    /// Passed items that produced at least one expected or accepted finding.
    pub passed_with_expected: usize,
    /// Findings that an item's expect list names (accepted ones aside), over every item.
    pub expected: usize,
    /// Expected and accepted findings over every item, by severity: none of them fails.
    pub expected_or_accepted: SeverityCounts,
    /// Findings neither expected nor accepted: each fails its item.
    pub unexpected: usize,
    /// The unexpected findings by severity.
    pub unexpected_by_severity: SeverityCounts,
    /// Expected findings that were not reported: each fails its item.
    pub missing: usize,
    /// Secrets left in recordings: each fails its item.
    pub secrets: usize,
}

/// Every result of a replay, with totals.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayOutcome {
    /// One result per recording or sample, recordings first (sorted by path).
    pub results: Vec<ReplayResult>,
    /// Counts.
    pub totals: Totals,
    /// Accepted findings, unused and expired entries of the deviations file.
    pub deviations: DeviationSummary,
}

impl ReplayResult {
    /// A recording that could not be read or parsed: failed, with the reason.
    fn unreadable(name: String, error: String) -> Self {
        ReplayResult {
            source: ItemSource::Recording,
            name,
            endpoint: None,
            part: None,
            payment_method: PaymentMethod::Unspecified,
            passed: false,
            findings: Vec::new(),
            unexpected: Vec::new(),
            missing: Vec::new(),
            secrets: Vec::new(),
            repairs: Vec::new(),
            error: Some(error),
        }
    }
}

impl ReplayResult {
    /// Marks accepted findings, drops them from `unexpected` and decides `passed`.
    fn accept(&mut self, matcher: &mut Matcher<'_>) {
        let Some(endpoint) = self.endpoint.clone() else {
            return;
        };
        matcher.apply(&endpoint, &mut self.findings);
        let mut accepted: BTreeMap<(String, String), usize> = BTreeMap::new();
        for f in self.findings.iter().filter(|f| f.accepted.is_some()) {
            *accepted
                .entry((f.finding.kind.to_string(), f.finding.pointer.to_string()))
                .or_default() += 1;
        }
        self.unexpected.retain(
            |u| match accepted.get_mut(&(u.kind.clone(), u.pointer.clone())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            },
        );
        self.mark_statuses();
        self.passed = self.error.is_none()
            && self.unexpected.is_empty()
            && self.missing.is_empty()
            && self.secrets.is_empty();
    }

    /// Gives every finding its status: accepted by a deviation; else unexpected when it is
    /// one of `unexpected` (the last findings of each (kind, pointer), as `compare` consumes
    /// the expect list in order); else expected.
    fn mark_statuses(&mut self) {
        let mut unexpected: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for u in &self.unexpected {
            *unexpected
                .entry((u.kind.as_str(), u.pointer.as_str()))
                .or_default() += 1;
        }
        for f in self.findings.iter_mut().rev() {
            f.status = Some(if f.accepted.is_some() {
                FindingStatus::Accepted
            } else {
                match unexpected.get_mut(&(f.finding.kind.as_str(), f.finding.pointer.as_ref())) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        FindingStatus::Unexpected
                    }
                    _ => FindingStatus::Expected,
                }
            });
        }
    }

    /// Whether a finding of the item was expected or accepted.
    pub fn has_expected(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.status.is_some_and(|s| !s.fails()))
    }
}

impl ReplayOutcome {
    /// Applies `deviations` to every result, then counts.
    pub fn new(mut results: Vec<ReplayResult>, deviations: &Deviations) -> Self {
        let mut matcher = Matcher::new(deviations);
        for r in &mut results {
            r.accept(&mut matcher);
        }
        let mut t = Totals::default();
        for r in &results {
            match r.source {
                ItemSource::Recording => t.recordings += 1,
                ItemSource::Sample => t.samples += 1,
            }
            if r.error.is_some() {
                t.unreadable += 1;
            } else if r.passed {
                t.passed += 1;
                if r.has_expected() {
                    t.passed_with_expected += 1;
                }
            } else {
                t.failed += 1;
            }
            for f in &r.findings {
                if f.accepted.is_some() {
                    t.accepted += 1;
                } else if f.counts_as_error() {
                    t.errors += 1;
                } else if f.counts_as_warning() {
                    t.warnings += 1;
                }
                match f.status {
                    Some(FindingStatus::Unexpected) => {
                        t.unexpected += 1;
                        t.unexpected_by_severity.add(f.finding.severity);
                    }
                    Some(status) => {
                        if status == FindingStatus::Expected {
                            t.expected += 1;
                        }
                        t.expected_or_accepted.add(f.finding.severity);
                    }
                    None => {}
                }
            }
            t.missing += r.missing.len();
            t.secrets += r.secrets.len();
            t.errors += r.secrets.len();
        }
        ReplayOutcome {
            results,
            totals: t,
            deviations: matcher.summary(),
        }
    }

    /// 0 when everything passed, 1 when an item failed, 2 when a recording could not be read.
    pub fn exit_code(&self) -> u8 {
        if self.totals.unreadable > 0 {
            2
        } else if self.totals.failed > 0 {
            1
        } else {
            0
        }
    }
}

/// Compares findings with the expected (kind, pointer) multiset, in both directions.
pub fn compare(
    report: &Report,
    expect: &[ExpectedFinding],
) -> (Vec<ExpectedFinding>, Vec<ExpectedFinding>) {
    let mut want: BTreeMap<ExpectedFinding, usize> = BTreeMap::new();
    for e in expect {
        *want.entry(e.clone()).or_default() += 1;
    }
    let mut unexpected = Vec::new();
    for (kind, pointer) in report.kinds_and_pointers() {
        let key = ExpectedFinding { kind, pointer };
        match want.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => unexpected.push(key),
        }
    }
    let missing = want
        .into_iter()
        .flat_map(|(k, n)| std::iter::repeat_n(k, n))
        .collect();
    (unexpected, missing)
}

/// Replays one recording file; `name` is how it is shown.
pub fn replay_file(path: &Path, name: String) -> ReplayResult {
    let loaded = match recording::load(path) {
        Ok(l) => l,
        Err(error) => {
            return ReplayResult::unreadable(name, error);
        }
    };
    let mut report = payple_types::validate_bytes(loaded.endpoint, loaded.part, &loaded.body);
    let (mut unexpected, mut missing) = compare(&report, &loaded.recording.expect);
    let scan = secrets::scan(&loaded);
    secrets::scrub_findings(&mut report.findings, &scan.values);
    // A pointer (a key of the body, or an entry of the expect list) may hold a secret too.
    let scrubber = payple_support::redact::Secrets::new(&scan.values);
    for e in unexpected.iter_mut().chain(missing.iter_mut()) {
        scrubber.scrub_in_place(&mut e.pointer);
    }
    ReplayResult {
        source: ItemSource::Recording,
        name,
        endpoint: Some(loaded.endpoint.id.to_string()),
        part: Some(loaded.part.as_str()),
        payment_method: PaymentMethod::of_bytes(loaded.endpoint, &loaded.body),
        passed: unexpected.is_empty() && missing.is_empty() && scan.hits.is_empty(),
        findings: report
            .findings
            .into_iter()
            .map(CheckedFinding::new)
            .collect(),
        unexpected,
        missing,
        secrets: scan.hits,
        repairs: Vec::new(),
        error: None,
    }
}

/// Replays every documented sample of every endpoint: each is read leniently (its repairs
/// reported as documentation defects) and what it means is validated.
pub fn replay_samples() -> Vec<ReplayResult> {
    let mut out = Vec::new();
    for ep in endpoints() {
        for s in ep.samples {
            let checked = validate_sample(ep, s.part, s.raw);
            let report = checked.report;
            let expect: Vec<ExpectedFinding> = s
                .expect
                .iter()
                .map(|(k, p)| ExpectedFinding {
                    kind: (*k).to_string(),
                    pointer: (*p).to_string(),
                })
                .collect();
            let (unexpected, missing) = compare(&report, &expect);
            out.push(ReplayResult {
                source: ItemSource::Sample,
                name: format!("{}#{}", ep.id, s.id),
                endpoint: Some(ep.id.to_string()),
                part: Some(s.part.as_str()),
                payment_method: checked
                    .value
                    .as_ref()
                    .map_or(PaymentMethod::Unspecified, |v| {
                        PaymentMethod::of_value(ep, v)
                    }),
                passed: unexpected.is_empty() && missing.is_empty(),
                findings: report
                    .findings
                    .into_iter()
                    .map(CheckedFinding::new)
                    .collect(),
                unexpected,
                missing,
                secrets: Vec::new(),
                repairs: checked.repairs,
                error: None,
            });
        }
    }
    out
}

/// Shows a path `/`-separated, relative to the current directory when it is below it.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = shown.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// The recording files at `paths` (files as given; directories searched recursively for
/// `*.json`, sorted, `baselines/` skipped), and the directories that could not be read, with
/// why. Symlinked folders below the given paths are never followed and no file is listed
/// twice ([`crate::fsio::json_files`]).
pub fn recording_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    // `baselines/` holds the drift baselines of payple-live, not recordings.
    crate::fsio::json_files(paths, |name| name == "baselines")
}

/// Replays recordings at `paths` (files, or directories searched recursively for `*.json`).
pub fn replay_paths(paths: &[PathBuf]) -> Vec<ReplayResult> {
    let (files, errors) = recording_files(paths);
    let mut results: Vec<ReplayResult> = errors
        .into_iter()
        .map(|(p, error)| ReplayResult::unreadable(display_path(&p), error))
        .collect();
    for f in files {
        let name = display_path(&f);
        results.push(replay_file(&f, name));
    }
    results
}

/// The repository's root: `.` when it holds `recordings/`, else the nearest ancestor of the
/// current directory holding both `recordings/` and `spec/`, else the parent of this crate.
pub fn find_repo_root() -> Option<PathBuf> {
    if let Ok(cwd) = std::env::current_dir() {
        if cwd.join("recordings").is_dir() {
            return Some(PathBuf::from("."));
        }
        for dir in cwd.ancestors().skip(1) {
            if dir.join("recordings").is_dir() && dir.join("spec").is_dir() {
                return Some(dir.to_path_buf());
            }
        }
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    fallback.join("recordings").is_dir().then_some(fallback)
}

/// The repository's `recordings/` directory: `./recordings`, else the nearest ancestor of the
/// current directory holding both `recordings/` and `spec/`, else the one next to this crate.
pub fn find_recordings_dir() -> Option<PathBuf> {
    find_repo_root().map(|root| {
        if root == Path::new(".") {
            PathBuf::from("recordings")
        } else {
            root.join("recordings")
        }
    })
}

/// Replays `paths`, or with none every recording of the repository plus every documented
/// sample; findings matched by `deviations` are accepted.
pub fn replay(paths: &[PathBuf], deviations: &Deviations) -> ReplayOutcome {
    if paths.is_empty() {
        let mut results = match find_recordings_dir() {
            Some(dir) => replay_paths(&[dir]),
            None => Vec::new(),
        };
        results.extend(replay_samples());
        ReplayOutcome::new(results, deviations)
    } else {
        ReplayOutcome::new(replay_paths(paths), deviations)
    }
}
