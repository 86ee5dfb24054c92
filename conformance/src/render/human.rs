//! Text for people.

use super::{
    Style, failure_reasons, percent_text, plural, pointer, replay_legend, replay_summary,
    why_expected, why_unexpected,
};
use crate::PaymentMethod;
use crate::ValidateOutcome;
use crate::coverage::{CoverageReport, EndpointCoverage, MethodCounts};
use crate::deviations::{CheckedFinding, DeviationSummary, FindingStatus};
use crate::replay::{ItemSource, ReplayOutcome, ReplayResult};
use payple_types::doc_sample::Repair;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Text from bodies and files with control characters written as escapes, so that no key or
/// message can move the cursor or colour the terminal.
pub(super) fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn finding_line(out: &mut String, indent: &str, f: &CheckedFinding, style: Style) {
    let d = &f.finding;
    let accepted = if f.accepted.is_some() {
        format!("{} ", style.paint("32", "accepted"))
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "{indent}{accepted}{} {} {}: {}",
        style.severity(d.severity.as_str()),
        d.kind,
        clean(pointer(&d.pointer)),
        clean(&d.message())
    );
    if let Some(a) = &f.accepted {
        let _ = write!(
            out,
            " (accepted until {}: {}; {})",
            a.expires,
            clean(&a.reason),
            clean(&a.link)
        );
    } else if let Some(a) = &f.expired_deviation {
        let _ = write!(
            out,
            " (deviation expired on {}: {}; {})",
            a.expires,
            clean(&a.reason),
            clean(&a.link)
        );
    }
    out.push('\n');
}

fn deviation_lines(out: &mut String, s: &DeviationSummary, style: Style) {
    for n in s.unused.iter().chain(&s.expired) {
        let _ = writeln!(
            out,
            "{}: {}: {}",
            clean(&n.at),
            style.severity("warning"),
            clean(&n.message)
        );
    }
}

fn accepted_suffix(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} accepted")
    }
}

fn deviation_suffix(s: &DeviationSummary) -> String {
    let mut out = String::new();
    if !s.unused.is_empty() {
        let _ = write!(out, ", {}", plural(s.unused.len(), "unused deviation"));
    }
    if !s.expired.is_empty() {
        let _ = write!(out, ", {}", plural(s.expired.len(), "expired deviation"));
    }
    out
}

pub(super) fn validate(o: &ValidateOutcome, style: Style) -> String {
    let mut out = format!("{} {}\n", o.endpoint, o.part);
    for f in &o.findings {
        finding_line(&mut out, "  ", f, style);
    }
    deviation_lines(&mut out, &o.deviations, style);
    let verdict = if o.errors() == 0 {
        style.paint("32", "valid")
    } else {
        style.paint("31;1", "invalid")
    };
    let _ = writeln!(
        out,
        "{verdict}: {}, {}{}{}",
        plural(o.errors(), "error"),
        plural(o.warnings(), "warning"),
        accepted_suffix(o.accepted()),
        deviation_suffix(&o.deviations)
    );
    out
}

/// One line per repair kind: `repaired   php_arrow x20 at 2:17, 3:17, 4:17, ...`.
fn repair_lines(out: &mut String, repairs: &[Repair], style: Style) {
    let mut by_kind: BTreeMap<&str, Vec<&Repair>> = BTreeMap::new();
    for r in repairs {
        by_kind.entry(r.kind.as_str()).or_default().push(r);
    }
    for (kind, list) in by_kind {
        let _ = writeln!(
            out,
            "    {} {kind} x{} at {} — defect of the documentation sample, repaired before checking",
            style.paint("36", &format!("{:<LABEL$}", "repaired")),
            list.len(),
            super::markdown::repair_places(&list)
        );
    }
}

/// Width of the label column of replay lines (`UNEXPECTED`, `expected`, ...).
const LABEL: usize = 10;
/// Width of the severity column.
const SEVERITY: usize = 7;

/// A label of a replay line: failures in capitals and red, the rest in lower case and green.
fn label(style: Style, text: &str, fails: bool) -> String {
    let padded = format!("{text:<LABEL$}");
    if fails {
        style.paint("31;1", &padded)
    } else {
        style.paint("32", &padded)
    }
}

/// A severity column; an expected finding's severity is not coloured (it alarms nobody).
fn severity_column(style: Style, severity: &str, fails: bool) -> String {
    let padded = format!("{severity:<SEVERITY$}");
    if fails {
        style.severity_padded(severity, &padded)
    } else {
        padded
    }
}

/// `UNEXPECTED error   invalid_value /X: message — not in the expect list`, or
/// `expected   error   invalid_value /X: message — documented defect of the sample`.
fn replay_finding_line(out: &mut String, r: &ReplayResult, f: &CheckedFinding, style: Style) {
    let d = &f.finding;
    let status = f.status.unwrap_or(FindingStatus::Unexpected);
    let fails = status.fails();
    let text = if fails {
        status.as_str().to_uppercase()
    } else {
        status.as_str().to_string()
    };
    let why = if fails {
        why_unexpected(f)
    } else {
        why_expected(r, f)
    };
    let _ = writeln!(
        out,
        "    {} {} {} {}: {} — {}",
        label(style, &text, fails),
        severity_column(style, d.severity.as_str(), fails),
        d.kind,
        clean(pointer(&d.pointer)),
        clean(&d.message()),
        clean(&why)
    );
}

pub(super) fn replay(outcome: &ReplayOutcome, style: Style) -> String {
    let mut groups: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for r in &outcome.results {
        groups
            .entry(r.endpoint.as_deref().unwrap_or("(unreadable recordings)"))
            .or_default()
            .push(r);
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}", replay_legend(outcome));
    for (endpoint, results) in groups {
        let _ = writeln!(out, "{endpoint}");
        for r in results {
            let (verdict, reasons) = if r.error.is_some() {
                (style.paint("31;1", "ERROR"), String::new())
            } else if r.passed {
                (style.paint("32", "PASS "), String::new())
            } else {
                (
                    style.paint("31;1", "FAIL "),
                    format!(": {}", failure_reasons(r)),
                )
            };
            let source = match r.source {
                ItemSource::Recording => "recording",
                ItemSource::Sample => "sample",
            };
            let part = r.part.map(|p| format!(" ({p})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {verdict} {source} {}{part}{reasons}",
                clean(&r.name)
            );
            // Failures first, then what the item expected.
            if let Some(e) = &r.error {
                let _ = writeln!(out, "    {} {}", label(style, "UNREADABLE", true), clean(e));
            }
            for s in &r.secrets {
                let at = match &s.pointer {
                    Some(p) => format!("{}#{p}", s.location),
                    None => s.location.clone(),
                };
                let _ = writeln!(
                    out,
                    "    {} {} {} {}: {}",
                    label(style, "SECRET", true),
                    severity_column(style, s.severity, true),
                    s.kind,
                    clean(&at),
                    clean(&s.message)
                );
            }
            for f in &r.findings {
                if f.status.is_none_or(FindingStatus::fails) {
                    replay_finding_line(&mut out, r, f, style);
                }
            }
            for m in &r.missing {
                let _ = writeln!(
                    out,
                    "    {} {} {} — in the expect list but not reported",
                    label(style, "MISSING", true),
                    m.kind,
                    clean(pointer(&m.pointer))
                );
            }
            repair_lines(&mut out, &r.repairs, style);
            for f in &r.findings {
                if f.status.is_some_and(|s| !s.fails()) {
                    replay_finding_line(&mut out, r, f, style);
                }
            }
        }
    }
    deviation_lines(&mut out, &outcome.deviations, style);
    let summary = replay_summary(outcome, &|text, bad| {
        if bad {
            style.paint("31;1", text)
        } else {
            style.paint("32", text)
        }
    });
    let _ = writeln!(out, "replay: {summary}");
    out
}

/// `12/40 (30.0%)`.
pub(super) fn ratio(covered: usize, total: usize, p: Option<f64>) -> String {
    format!("{covered}/{total} ({})", percent_text(p))
}

fn columns(e: &EndpointCoverage) -> Vec<PaymentMethod> {
    if e.payment_method_field.is_some() {
        PaymentMethod::ALL.to_vec()
    } else {
        vec![PaymentMethod::Unspecified]
    }
}

fn cell(counts: &MethodCounts, m: PaymentMethod, counted: bool) -> String {
    match (counts.get(m), counted) {
        (0, true) => "-".to_string(),
        (0, false) => ".".to_string(),
        (n, _) => n.to_string(),
    }
}

fn bodies_text(e: &EndpointCoverage, counts: &MethodCounts) -> String {
    if e.payment_method_field.is_none() {
        return counts.total().to_string();
    }
    let parts: Vec<String> = PaymentMethod::ALL
        .iter()
        .map(|m| format!("{} {m}", counts.get(*m)))
        .collect();
    format!("{} ({})", counts.total(), parts.join(", "))
}

pub(super) fn coverage(report: &CoverageReport, style: Style) -> String {
    let mut out = String::new();
    for e in &report.endpoints {
        let t = &e.totals;
        let verdict = if e.passed {
            String::new()
        } else {
            format!(" {}", style.paint("31;1", "BELOW MINIMUM"))
        };
        let _ = writeln!(
            out,
            "{}: {}, fields {}, result codes {}{verdict}",
            e.endpoint,
            ratio(t.covered, t.total, t.percent),
            ratio(t.field_cells_covered, t.field_cells, t.field_percent),
            ratio(
                t.result_codes_covered,
                t.result_codes,
                t.result_code_percent
            ),
        );
        let _ = writeln!(
            out,
            "  bodies: request {}; response {}",
            bodies_text(e, &e.request_bodies),
            bodies_text(e, &e.response_bodies)
        );
        if e.request_bodies.total() + e.response_bodies.total() == 0 {
            let _ = writeln!(out, "  no bodies: nothing is covered");
            continue;
        }
        let cols = columns(e);
        let width = e
            .fields
            .iter()
            .map(|f| f.pointer.chars().count() + 2)
            .chain(e.result_codes.iter().map(|c| c.code.len() + 2))
            .chain(
                e.other_result_codes
                    .iter()
                    .map(|c| c.code.chars().count() + 2),
            )
            .chain([14])
            .max()
            .unwrap_or(14);
        let header = |title: &str| {
            let mut h = format!("  {title:<width$}");
            for m in &cols {
                let name = if e.payment_method_field.is_some() {
                    m.as_str()
                } else {
                    "bodies"
                };
                let _ = write!(h, " {name:>11}");
            }
            h
        };
        for part in ["request", "response"] {
            let rows: Vec<_> = e.fields.iter().filter(|f| f.part == part).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{}", header(part).trim_end());
            for f in rows {
                let mut line = format!("    {:<w$}", f.pointer, w = width - 2);
                for m in &cols {
                    let _ = write!(line, " {:>11}", cell(&f.bodies, *m, f.counted.contains(m)));
                }
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
        if !e.result_codes.is_empty() || !e.other_result_codes.is_empty() {
            let _ = writeln!(out, "{}", header("result codes").trim_end());
            for c in &e.result_codes {
                let mut line = format!("    {:<w$}", c.code, w = width - 2);
                for m in &cols {
                    // An uncovered code shows `-` in every column.
                    let _ = write!(line, " {:>11}", cell(&c.bodies, *m, !c.covered));
                }
                let _ = write!(line, "  {} ({})", c.class, c.listed_because.join(", "));
                let _ = writeln!(out, "{line}");
            }
            for c in &e.other_result_codes {
                let mut line = format!("    {:<w$}", c.code, w = width - 2);
                for m in &cols {
                    let _ = write!(line, " {:>11}", cell(&c.bodies, *m, false));
                }
                let _ = write!(
                    line,
                    "  not listed for the endpoint{}",
                    if c.in_catalog {
                        ""
                    } else {
                        ", not in the catalog"
                    }
                );
                let _ = writeln!(out, "{line}");
            }
        }
    }
    for u in &report.unreadable {
        let _ = writeln!(
            out,
            "{}: {} {}",
            clean(&u.name),
            style.severity("error"),
            clean(&u.error)
        );
    }
    let t = &report.totals;
    let s = &report.sources;
    let min = match report.min_percent {
        Some(m) => format!(
            "; {} below the minimum {m:.1}%",
            plural(report.below_min(), "endpoint")
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "{}: {}, fields {}, result codes {}; {}, {}, {}, {} unreadable{min}",
        plural(report.endpoints.len(), "endpoint"),
        ratio(t.covered, t.total, t.percent),
        ratio(t.field_cells_covered, t.field_cells, t.field_percent),
        ratio(
            t.result_codes_covered,
            t.result_codes,
            t.result_code_percent
        ),
        plural(s.recordings, "recording"),
        plural(s.samples, "sample"),
        plural(s.bodies, "body"),
        s.unreadable
    );
    let _ = writeln!(
        out,
        "(a number: bodies holding the field or code; -: not covered; .: not counted)"
    );
    out
}
