//! Human and JSON renderings of reports and replays.

use crate::replay::{ItemSource, ReplayOutcome};
use payple_types::doc_sample::Repair;
use payple_types::{EndpointSpec, Finding, Report, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Text for people, grouped by endpoint.
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

fn pointer(p: &str) -> &str {
    if p.is_empty() { "(body)" } else { p }
}

fn severity_name(s: Severity) -> &'static str {
    s.as_str()
}

fn finding_line(out: &mut String, indent: &str, f: &Finding, style: Style) {
    let _ = writeln!(
        out,
        "{indent}{} {} {}: {}",
        style.severity(severity_name(f.severity)),
        f.kind,
        pointer(&f.pointer),
        f.message
    );
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
    } else {
        format!("{n} {word}s")
    }
}

/// Renders the report of `validate`.
pub fn validate(report: &Report, format: Format, style: Style) -> String {
    if format == Format::Json {
        return to_json(report);
    }
    let mut out = format!("{} {}\n", report.endpoint, report.part);
    for f in &report.findings {
        finding_line(&mut out, "  ", f, style);
    }
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let verdict = if errors == 0 {
        style.paint("32", "valid")
    } else {
        style.paint("31;1", "invalid")
    };
    let _ = writeln!(
        out,
        "{verdict}: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    out
}

/// One line per repair kind: `defect php_arrow x20 at 2:17, 3:17, 4:17, ...`.
fn repair_lines(out: &mut String, repairs: &[Repair], style: Style) {
    let mut by_kind: BTreeMap<&str, Vec<&Repair>> = BTreeMap::new();
    for r in repairs {
        by_kind.entry(r.kind.as_str()).or_default().push(r);
    }
    for (kind, list) in by_kind {
        let mut at: Vec<String> = list
            .iter()
            .take(3)
            .map(|r| format!("{}:{}", r.line, r.column))
            .collect();
        if list.len() > 3 {
            at.push("...".into());
        }
        let _ = writeln!(
            out,
            "    {} {kind} x{} at {} (documentation sample repaired)",
            style.paint("36", "defect"),
            list.len(),
            at.join(", ")
        );
    }
}

/// Renders the outcome of `replay`.
pub fn replay(outcome: &ReplayOutcome, format: Format, style: Style) -> String {
    if format == Format::Json {
        return to_json(outcome);
    }
    let mut groups: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for r in &outcome.results {
        groups
            .entry(r.endpoint.as_deref().unwrap_or("(unreadable recordings)"))
            .or_default()
            .push(r);
    }
    let mut out = String::new();
    for (endpoint, results) in groups {
        let _ = writeln!(out, "{endpoint}");
        for r in results {
            let verdict = if r.error.is_some() {
                style.paint("31;1", "ERROR")
            } else if r.passed {
                style.paint("32", "PASS ")
            } else {
                style.paint("31;1", "FAIL ")
            };
            let source = match r.source {
                ItemSource::Recording => "recording",
                ItemSource::Sample => "sample",
            };
            let part = r.part.map(|p| format!(" ({p})")).unwrap_or_default();
            let _ = writeln!(out, "  {verdict} {source} {}{part}", r.name);
            if let Some(e) = &r.error {
                let _ = writeln!(out, "    {} {e}", style.severity("error"));
            }
            for s in &r.secrets {
                let at = match &s.pointer {
                    Some(p) => format!("{}#{p}", s.location),
                    None => s.location.clone(),
                };
                let _ = writeln!(
                    out,
                    "    {} {} {at}: {}",
                    style.severity(s.severity),
                    s.kind,
                    s.message
                );
            }
            repair_lines(&mut out, &r.repairs, style);
            for f in &r.findings {
                finding_line(&mut out, "    ", f, style);
            }
            for u in &r.unexpected {
                let _ = writeln!(
                    out,
                    "    {} {} {}: reported but not in the expect list",
                    style.paint("31", "unexpected"),
                    u.kind,
                    pointer(&u.pointer)
                );
            }
            for m in &r.missing {
                let _ = writeln!(
                    out,
                    "    {} {} {}: expected but not reported",
                    style.paint("31", "missing"),
                    m.kind,
                    pointer(&m.pointer)
                );
            }
        }
    }
    let t = &outcome.totals;
    let _ = writeln!(
        out,
        "{} ({}, {}): {} passed, {} failed, {} unreadable; {}, {}",
        plural(t.recordings + t.samples, "item"),
        plural(t.recordings, "recording"),
        plural(t.samples, "sample"),
        t.passed,
        t.failed,
        t.unreadable,
        plural(t.errors, "error"),
        plural(t.warnings, "warning")
    );
    out
}

/// Renders the endpoint list.
pub fn endpoints(eps: &[EndpointSpec], format: Format) -> String {
    if format == Format::Json {
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
