//! GitHub-flavoured Markdown, ready to paste into an issue: grouped by endpoint, then by
//! payment method, with one table per group.

use super::human::ratio;
use super::{percent_text, plural, pointer, replay_summary, why_expected};
use crate::coverage::{CoverageReport, EndpointCoverage};
use crate::deviations::{CheckedFinding, DeviationSummary, FindingStatus};
use crate::replay::{ItemSource, ReplayOutcome, ReplayResult};
use crate::{PaymentMethod, ValidateOutcome};
use payple_types::doc_sample::Repair;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Escapes text for a Markdown table cell. Text between single backticks stays a code span
/// (only `|` is escaped there, and line breaks become spaces); elsewhere Markdown and HTML
/// punctuation is escaped and line breaks become `<br>`.
pub fn md_text(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let n = parts.len();
    // With an odd number of backticks, the last one has no partner.
    let unmatched = n.is_multiple_of(2);
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        // An odd index is inside backticks, unless its closing backtick is missing.
        let code = i % 2 == 1 && !(unmatched && i == n - 1);
        if code {
            out.push('`');
            for c in part.chars() {
                match c {
                    '|' => out.push_str("\\|"),
                    '\n' | '\r' => out.push(' '),
                    c => out.push(c),
                }
            }
            out.push('`');
        } else {
            if unmatched && i == n - 1 {
                // The unmatched last backtick.
                out.push_str("\\`");
            }
            escape_plain(&mut out, part);
        }
    }
    out
}

fn escape_plain(out: &mut String, s: &str) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// A code span for a table cell that holds `s` literally, whatever backticks it holds.
pub fn md_code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 || clean.starts_with(' ') || clean.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", clean.replace('|', "\\|"))
}

/// A URL usable as a Markdown link target inside a table cell.
fn md_url(url: &str) -> String {
    let mut out = String::new();
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '|' => out.push_str("%7C"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '`' => out.push_str("%60"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn link(text: &str, url: &str) -> String {
    format!("[{}]({})", md_text(text), md_url(url))
}

/// `2:17, 3:17, 4:17, ...`: where the first three repairs of one kind are.
pub(super) fn repair_places(list: &[&Repair]) -> String {
    let mut at: Vec<String> = list
        .iter()
        .take(3)
        .map(|r| format!("{}:{}", r.line, r.column))
        .collect();
    if list.len() > 3 {
        at.push("...".into());
    }
    at.join(", ")
}

const FINDINGS_HEADER: &str =
    "| Item | Verdict | Kind | Pointer | Message |\n| --- | --- | --- | --- | --- |\n";

/// One finding; `note` (Markdown) follows the message on a line of its own.
fn finding_row(out: &mut String, item: &str, verdict: &str, f: &CheckedFinding, note: &str) {
    let d = &f.finding;
    let mut message = md_text(&d.message());
    if !note.is_empty() {
        let _ = write!(message, "<br>{note}");
    }
    if let Some(a) = &f.accepted {
        let _ = write!(
            message,
            "<br>**accepted** until {}: {} ({})",
            a.expires,
            md_text(&a.reason),
            link("link", &a.link)
        );
    } else if let Some(a) = &f.expired_deviation {
        let _ = write!(
            message,
            "<br>deviation **expired** on {}: {} ({})",
            a.expires,
            md_text(&a.reason),
            link("link", &a.link)
        );
    }
    if !d.doc_url.is_empty() {
        let _ = write!(message, " ({})", link("docs", &d.doc_url));
    }
    let _ = writeln!(
        out,
        "| {item} | {verdict} | {} {} | {} | {message} |",
        md_code(d.kind.as_str()),
        d.severity.as_str(),
        md_code(pointer(&d.pointer)),
    );
}

fn deviation_section(out: &mut String, s: &DeviationSummary, heading: &str) {
    if s.unused.is_empty() && s.expired.is_empty() {
        return;
    }
    let _ = writeln!(out, "{heading} Deviations\n");
    for n in s.unused.iter().chain(&s.expired) {
        let _ = writeln!(
            out,
            "- **warning** {}: {}. Reason: {} ({}); expires {}.",
            md_code(&n.at),
            md_text(&n.message),
            md_text(&n.reason),
            link("link", &n.link),
            n.expires
        );
    }
    out.push('\n');
}

fn deviation_totals(s: &DeviationSummary) -> String {
    let mut out = String::new();
    if s.accepted > 0 {
        let _ = write!(out, ", {} accepted", s.accepted);
    }
    if !s.unused.is_empty() {
        let _ = write!(out, ", {}", plural(s.unused.len(), "unused deviation"));
    }
    if !s.expired.is_empty() {
        let _ = write!(out, ", {}", plural(s.expired.len(), "expired deviation"));
    }
    out
}

pub(super) fn validate(o: &ValidateOutcome) -> String {
    let mut out = String::from("## payple-conformance validate\n\n");
    let verdict = if o.errors() == 0 {
        "**valid**"
    } else {
        "**invalid**"
    };
    let _ = writeln!(
        out,
        "{verdict}: {}, {}{} in {} ({})\n",
        plural(o.errors(), "error"),
        plural(o.warnings(), "warning"),
        deviation_totals(&o.deviations),
        md_code(&o.input),
        o.part
    );
    let _ = writeln!(out, "### {}\n", md_code(&o.endpoint));
    let _ = writeln!(out, "#### {}\n", o.payment_method);
    out.push_str(FINDINGS_HEADER);
    let item = format!("{} ({})", md_code(&o.input), o.part);
    if o.findings.is_empty() {
        let _ = writeln!(out, "| {item} | valid | — | — | no findings |");
    }
    for f in &o.findings {
        let verdict = if f.accepted.is_some() {
            "accepted"
        } else {
            f.finding.severity.as_str()
        };
        finding_row(&mut out, &item, verdict, f, "");
    }
    out.push('\n');
    deviation_section(&mut out, &o.deviations, "###");
    out
}

fn item_rows(out: &mut String, r: &ReplayResult) {
    let source = match r.source {
        ItemSource::Recording => "recording",
        ItemSource::Sample => "sample",
    };
    let part = r.part.map(|p| format!(" ({p})")).unwrap_or_default();
    let item = format!("{source} {}{part}", md_code(&r.name));
    let verdict = if r.error.is_some() {
        "**ERROR**"
    } else if r.passed {
        "PASS"
    } else {
        "**FAIL**"
    };
    let mut rows = 0;
    // Failures first, then documentation defects, then what the item expected.
    if let Some(e) = &r.error {
        let _ = writeln!(
            out,
            "| {item} | {verdict}: **unreadable** | — | — | {} |",
            md_text(e)
        );
        rows += 1;
    }
    for s in &r.secrets {
        let at = match &s.pointer {
            Some(p) => format!("{}#{p}", s.location),
            None => s.location.clone(),
        };
        let _ = writeln!(
            out,
            "| {item} | {verdict}: **secret** | {} {} | {} | {} |",
            md_code(s.kind),
            s.severity,
            md_code(&at),
            md_text(&s.message)
        );
        rows += 1;
    }
    for f in &r.findings {
        if f.status.is_none_or(FindingStatus::fails) {
            // The expired deviation, if any, is added by `finding_row`.
            finding_row(
                out,
                &item,
                &format!("{verdict}: **unexpected**"),
                f,
                "**unexpected**: not in the expect list",
            );
            rows += 1;
        }
    }
    for m in &r.missing {
        let _ = writeln!(
            out,
            "| {item} | {verdict}: **missing** | {} | {} | in the expect list but not reported |",
            md_code(&m.kind),
            md_code(pointer(&m.pointer))
        );
        rows += 1;
    }
    let mut by_kind: BTreeMap<&str, Vec<&Repair>> = BTreeMap::new();
    for rep in &r.repairs {
        by_kind.entry(rep.kind.as_str()).or_default().push(rep);
    }
    for (kind, list) in by_kind {
        let _ = writeln!(
            out,
            "| {item} | {verdict}: doc defect | {} | {} | defect of the documentation sample, repaired before checking ({} times) |",
            md_code(kind),
            md_text(&repair_places(&list)),
            list.len()
        );
        rows += 1;
    }
    for f in &r.findings {
        match f.status {
            Some(FindingStatus::Expected) => {
                let note = format!("*expected*: {}", md_text(&why_expected(r, f)));
                finding_row(out, &item, &format!("{verdict}: expected"), f, &note);
            }
            // The acceptance is added by `finding_row`.
            Some(FindingStatus::Accepted) => {
                finding_row(out, &item, &format!("{verdict}: accepted"), f, "");
            }
            _ => continue,
        }
        rows += 1;
    }
    if rows == 0 {
        let _ = writeln!(out, "| {item} | {verdict} | — | — | no findings |");
    }
}

/// Groups by endpoint (unreadable recordings last), then by payment method.
fn grouped(
    outcome: &ReplayOutcome,
) -> BTreeMap<(bool, &str), BTreeMap<PaymentMethod, Vec<&ReplayResult>>> {
    let mut groups: BTreeMap<(bool, &str), BTreeMap<PaymentMethod, Vec<&ReplayResult>>> =
        BTreeMap::new();
    for r in &outcome.results {
        let key = match r.endpoint.as_deref() {
            Some(e) => (false, e),
            None => (true, "(unreadable recordings)"),
        };
        groups
            .entry(key)
            .or_default()
            .entry(r.payment_method)
            .or_default()
            .push(r);
    }
    groups
}

pub(super) fn replay(outcome: &ReplayOutcome) -> String {
    let mut out = String::from("## payple-conformance replay\n\n");
    // The summary holds numbers and fixed words only: nothing to escape.
    let summary = replay_summary(outcome, &|text, bad| {
        if bad {
            format!("**{text}**")
        } else {
            text.to_string()
        }
    });
    let _ = writeln!(out, "**Result:** {summary}\n");
    out.push_str(
        "Each item must give exactly the findings it expects. *expected* and *accepted* rows \
         are known defects (documented in the sample, in the recording's expect list, or \
         accepted in the deviations file), not failures; **unexpected**, **missing** and \
         **secret** rows are failures.\n\n",
    );
    for ((unreadable, endpoint), methods) in grouped(outcome) {
        if unreadable {
            let _ = writeln!(out, "### {endpoint}\n");
        } else {
            let docs = payple_types::endpoint(endpoint)
                .map(|e| format!(" ({})", link("docs", e.doc_url)))
                .unwrap_or_default();
            let _ = writeln!(out, "### {}{docs}\n", md_code(endpoint));
        }
        for (method, results) in methods {
            if !unreadable {
                let passed = results.iter().filter(|r| r.passed).count();
                let _ = writeln!(out, "#### {method} ({passed}/{} passed)\n", results.len());
            }
            out.push_str(FINDINGS_HEADER);
            for r in results {
                item_rows(&mut out, r);
            }
            out.push('\n');
        }
    }
    deviation_section(&mut out, &outcome.deviations, "###");
    out
}

fn coverage_endpoint(out: &mut String, e: &EndpointCoverage, min: Option<f64>) {
    let t = &e.totals;
    let _ = writeln!(
        out,
        "### {} — {} ({})\n",
        md_code(e.endpoint),
        percent_text(t.percent),
        link("docs", e.doc_url)
    );
    let below = match min {
        Some(m) if !e.passed => format!(" **Below the minimum {m:.1}%.**"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} covered: fields {}, result codes {}. Bodies: {} request, {} response.{below}\n",
        ratio(t.covered, t.total, t.percent),
        ratio(t.field_cells_covered, t.field_cells, t.field_percent),
        ratio(
            t.result_codes_covered,
            t.result_codes,
            t.result_code_percent
        ),
        e.request_bodies.total(),
        e.response_bodies.total()
    );
    if e.request_bodies.total() + e.response_bodies.total() == 0 {
        out.push_str("No bodies of this endpoint were read: nothing is covered.\n\n");
        return;
    }
    for m in PaymentMethod::ALL {
        let counted: Vec<_> = e.fields.iter().filter(|f| f.counted.contains(&m)).collect();
        let seen: Vec<_> = e
            .fields
            .iter()
            .filter(|f| !f.counted.contains(&m) && f.bodies.get(m) > 0)
            .collect();
        if counted.is_empty() && seen.is_empty() {
            continue;
        }
        let covered = counted.iter().filter(|f| f.bodies.get(m) > 0).count();
        if counted.is_empty() {
            let _ = writeln!(out, "#### {m} (not counted)\n");
        } else {
            let _ = writeln!(out, "#### {m} ({covered}/{} fields)\n", counted.len());
        }
        out.push_str(
            "| Field | Verdict | Part | Pointer | Bodies |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in counted {
            let n = f.bodies.get(m);
            let verdict = if n > 0 { "covered" } else { "**not covered**" };
            let _ = writeln!(
                out,
                "| {} | {verdict} | {} | {} | {n} |",
                md_code(f.name),
                f.part,
                md_code(&f.pointer)
            );
        }
        for f in seen {
            let _ = writeln!(
                out,
                "| {} | seen (not counted) | {} | {} | {} |",
                md_code(f.name),
                f.part,
                md_code(&f.pointer),
                f.bodies.get(m)
            );
        }
        out.push('\n');
    }
    if !e.result_codes.is_empty() || !e.other_result_codes.is_empty() {
        let _ = writeln!(
            out,
            "#### result codes ({}/{})\n",
            t.result_codes_covered, t.result_codes
        );
        out.push_str("| Code | Verdict | Class | Listed because | Bodies (card / transfer / other / unspecified) |\n| --- | --- | --- | --- | --- |\n");
        for c in &e.result_codes {
            let b = &c.bodies;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} / {} / {} / {} |",
                md_code(c.code),
                if c.covered {
                    "covered"
                } else {
                    "**not covered**"
                },
                c.class,
                c.listed_because.join(", "),
                b.card,
                b.transfer,
                b.other,
                b.unspecified
            );
        }
        for c in &e.other_result_codes {
            let b = &c.bodies;
            let _ = writeln!(
                out,
                "| {} | seen, not listed | {} | — | {} / {} / {} / {} |",
                md_code(&c.code),
                if c.in_catalog {
                    "in the catalog"
                } else {
                    "not in the catalog"
                },
                b.card,
                b.transfer,
                b.other,
                b.unspecified
            );
        }
        out.push('\n');
    }
}

pub(super) fn coverage(report: &CoverageReport) -> String {
    let t = &report.totals;
    let s = &report.sources;
    let mut out = String::from("## payple-conformance coverage\n\n");
    let min = match report.min_percent {
        Some(m) => format!(
            "; **{} below the minimum {m:.1}%**",
            plural(report.below_min(), "endpoint")
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "**{}**: {} covered, fields {}, result codes {}; {}, {}, {} bodies, {} unreadable{min}\n",
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
        s.bodies,
        s.unreadable
    );
    for e in &report.endpoints {
        coverage_endpoint(&mut out, e, report.min_percent);
    }
    if !report.unreadable.is_empty() {
        out.push_str(
            "### Unreadable recordings\n\n| Item | Verdict | Message |\n| --- | --- | --- |\n",
        );
        for u in &report.unreadable {
            let _ = writeln!(
                out,
                "| {} | **ERROR** | {} |",
                md_code(&u.name),
                md_text(&u.error)
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{md_code, md_text};

    #[test]
    fn cells_escape_pipes_newlines_and_html() {
        assert_eq!(md_text("a|b\nc"), "a\\|b<br>c");
        assert_eq!(md_text("x\r\ny"), "x<br>y");
        assert_eq!(
            md_text("`a|b` is <redacted>"),
            "`a\\|b` is &lt;redacted&gt;"
        );
        assert_eq!(md_text("1111-****"), "1111-\\*\\*\\*\\*");
        assert_eq!(md_text("odd ` tick"), "odd \\` tick");
        assert_eq!(md_text("`k` and `v"), "`k` and \\`v");
        assert_eq!(md_code("/a|b"), "`/a\\|b`");
        assert_eq!(md_code("a`b"), "`` a`b ``");
        assert_eq!(md_code("x\ny"), "`x y`");
    }
}
