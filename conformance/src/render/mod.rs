//! Renderings of reports: human text, JSON, Markdown (for GitHub issues) and JUnit XML.

mod human;
mod junit;
mod markdown;

pub use junit::xml_escape;
pub use markdown::{md_code, md_text};

use crate::ValidateOutcome;
use crate::coverage::CoverageReport;
use crate::deviations::CheckedFinding;
use crate::replay::{ReplayOutcome, ReplayResult};
use payple_types::EndpointSpec;
use std::collections::BTreeMap;
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
        match s {
            "error" => self.paint("31;1", s),
            "warning" => self.paint("33", s),
            _ => self.paint("36", s),
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

/// How a finding stands in a replay item: expected, unexpected or accepted.
fn finding_statuses(r: &ReplayResult) -> Vec<&'static str> {
    let mut unexpected: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for u in &r.unexpected {
        *unexpected
            .entry((u.kind.as_str(), u.pointer.as_str()))
            .or_default() += 1;
    }
    r.findings
        .iter()
        .map(|f: &CheckedFinding| {
            if f.accepted.is_some() {
                return "accepted";
            }
            match unexpected.get_mut(&(f.finding.kind.as_str(), f.finding.pointer.as_str())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    "unexpected"
                }
                _ => "expected",
            }
        })
        .collect()
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
