//! Renderings of reports: human text, JSON, Markdown (for GitHub issues) and JUnit XML.

mod human;
mod junit;
mod markdown;

pub use junit::xml_escape;
pub use markdown::{md_code, md_text};

use crate::ValidateOutcome;
use crate::coverage::CoverageReport;
use crate::deviations::{CheckedFinding, FindingStatus};
use crate::replay::{ItemSource, ReplayOutcome, ReplayResult, SeverityCounts};
use payple_types::EndpointSpec;
use std::fmt::Write as _;

/// Output format of `validate`, `replay` and `coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Text for people, grouped by endpoint.
    #[default]
    Human,
    /// One JSON document.
    Json,
    /// GitHub-flavoured Markdown, ready to paste into an issue.
    Markdown,
    /// JUnit XML for CI test reports.
    Junit,
}

/// Output format of `endpoints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ListFormat {
    /// One line per endpoint.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether to emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, s: &str) -> String {
        self.severity_padded(s, s)
    }

    /// `text` (the severity `s`, perhaps padded) in the colour of `s`.
    fn severity_padded(self, s: &str, text: &str) -> String {
        match s {
            "error" => self.paint("31;1", text),
            "warning" => self.paint("33", text),
            _ => self.paint("36", text),
        }
    }
}

/// The whole body's pointer `""` is shown as `(body)`.
fn pointer(p: &str) -> &str {
    if p.is_empty() { "(body)" } else { p }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serializing these plain structs cannot fail; keep the output well-formed anyway.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if let Some(stem) = word.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {word}s")
    }
}

fn percent_text(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "n/a".to_string(),
    }
}

/// Why a finding that does not fail its item was expected, in words.
fn why_expected(r: &ReplayResult, f: &CheckedFinding) -> String {
    if let Some(a) = &f.accepted {
        return format!(
            "accepted deviation until {}: {}; {}",
            a.expires, a.reason, a.link
        );
    }
    match r.source {
        ItemSource::Sample => "documented defect of the sample".to_string(),
        ItemSource::Recording => "in the recording's expect list".to_string(),
    }
}

/// Why a finding fails its item, in words.
fn why_unexpected(f: &CheckedFinding) -> String {
    let mut out = String::from("not in the expect list");
    if let Some(a) = &f.expired_deviation {
        let _ = write!(
            out,
            " (deviation expired on {}: {}; {})",
            a.expires, a.reason, a.link
        );
    }
    out
}

/// `78 errors, 20 warnings` (zero counts left out).
fn severity_counts(c: &SeverityCounts) -> String {
    c.nonzero()
        .into_iter()
        .map(|(n, s)| {
            if s == "info" {
                format!("{n} info")
            } else {
                plural(n, s)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an item failed: `2 unexpected findings (1 error, 1 warning), 1 expected finding not
/// reported`.
fn failure_reasons(r: &ReplayResult) -> String {
    let mut unexpected = SeverityCounts::default();
    for f in r
        .findings
        .iter()
        .filter(|f| f.status.is_some_and(FindingStatus::fails))
    {
        unexpected.add(f.finding.severity);
    }
    let mut parts = Vec::new();
    if unexpected.total() > 0 {
        parts.push(format!(
            "{} ({})",
            plural(unexpected.total(), "unexpected finding"),
            severity_counts(&unexpected)
        ));
    }
    if !r.missing.is_empty() {
        parts.push(format!(
            "{} not reported",
            plural(r.missing.len(), "expected finding")
        ));
    }
    if !r.secrets.is_empty() {
        parts.push(format!(
            "{} in the recording",
            plural(r.secrets.len(), "secret")
        ));
    }
    parts.join(", ")
}

/// The two lines that open a replay report: what is replayed, and how to read it.
fn replay_legend(o: &ReplayOutcome) -> String {
    format!(
        "Replaying {} and {}: each must give exactly the findings it expects.\n\
         expected, accepted: a known defect (documented in the sample, in the recording's \
         expect list, or accepted in the deviations file), not a failure; UNEXPECTED, \
         MISSING, SECRET: a failure.",
        plural(o.totals.recordings, "recording"),
        plural(o.totals.samples, "documented sample")
    )
}

/// The summary of a replay: what passed, what was expected, what failed. `emph(text, bad)`
/// highlights the counts of passed and failed items.
fn replay_summary(o: &ReplayOutcome, emph: &dyn Fn(&str, bool) -> String) -> String {
    let t = &o.totals;
    let mut out = emph(&format!("{} passed", t.passed), false);
    if t.passed_with_expected > 0 {
        let _ = write!(out, " ({} with expected findings)", t.passed_with_expected);
    }
    let _ = write!(
        out,
        ", {}",
        emph(&format!("{} failed", t.failed), t.failed > 0)
    );
    let mut why = Vec::new();
    if t.unexpected > 0 {
        why.push(format!(
            "{}: {}",
            plural(t.unexpected, "unexpected finding"),
            severity_counts(&t.unexpected_by_severity)
        ));
    }
    if t.missing > 0 {
        why.push(format!(
            "{} not reported",
            plural(t.missing, "expected finding")
        ));
    }
    if t.secrets > 0 {
        why.push(format!(
            "{} left in recordings",
            plural(t.secrets, "secret")
        ));
    }
    if !why.is_empty() {
        let _ = write!(out, " ({})", why.join("; "));
    }
    if t.unreadable > 0 {
        let _ = write!(
            out,
            ", {}",
            emph(&format!("{} unreadable", t.unreadable), true)
        );
    }
    let expected = &t.expected_or_accepted;
    if expected.total() > 0 {
        let accepted = if t.accepted > 0 {
            format!(
                "; {} accepted by the deviations file",
                if t.accepted == expected.total() {
                    "all".to_string()
                } else {
                    format!("{} of them", t.accepted)
                }
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "; {} expected ({}{accepted})",
            plural(expected.total(), "finding"),
            severity_counts(expected)
        );
    }
    let _ = write!(
        out,
        "; {} + {}",
        plural(t.recordings, "recording"),
        plural(t.samples, "sample")
    );
    let d = &o.deviations;
    let mut notes = Vec::new();
    if !d.unused.is_empty() {
        notes.push(plural(d.unused.len(), "unused entry"));
    }
    if !d.expired.is_empty() {
        notes.push(plural(d.expired.len(), "expired entry"));
    }
    if !notes.is_empty() {
        let _ = write!(out, "; deviations file: {}", notes.join(", "));
    }
    out
}

/// Renders the outcome of `validate`.
pub fn validate(outcome: &ValidateOutcome, format: Format, style: Style) -> String {
    match format {
        Format::Json => to_json(outcome),
        Format::Human => human::validate(outcome, style),
        Format::Markdown => markdown::validate(outcome),
        Format::Junit => junit::validate(outcome),
    }
}

/// Renders the outcome of `replay`.
pub fn replay(outcome: &ReplayOutcome, format: Format, style: Style) -> String {
    match format {
        Format::Json => to_json(outcome),
        Format::Human => human::replay(outcome, style),
        Format::Markdown => markdown::replay(outcome),
        Format::Junit => junit::replay(outcome),
    }
}

/// Renders the report of `coverage`.
pub fn coverage(report: &CoverageReport, format: Format, style: Style) -> String {
    match format {
        Format::Json => to_json(report),
        Format::Human => human::coverage(report, style),
        Format::Markdown => markdown::coverage(report),
        Format::Junit => junit::coverage(report),
    }
}

/// Renders the endpoint list.
pub fn endpoints(eps: &[EndpointSpec], format: ListFormat) -> String {
    if format == ListFormat::Json {
        let list: Vec<_> = eps
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.id,
                    "service": e.service,
                    "title_en": e.title_en,
                    "title_ko": e.title_ko,
                    "doc_url": e.doc_url,
                })
            })
            .collect();
        return to_json(&list);
    }
    let width = eps.iter().map(|e| e.id.len()).max().unwrap_or(0);
    let swidth = eps.iter().map(|e| e.service.len()).max().unwrap_or(0);
    let mut out = String::new();
    for e in eps {
        let _ = writeln!(
            out,
            "{:<width$}  {:<swidth$}  {} / {}",
            e.id, e.service, e.title_en, e.title_ko
        );
    }
    out
}
