//! JUnit XML for CI test reports: `<testsuites>` of `<testsuite>`s of `<testcase>`s, with
//! `<failure>` for a failed check, `<error>` for an unreadable recording and `<skipped>` for a
//! warning about the deviations file.

use super::{percent_text, pointer, severity_counts, why_expected, why_unexpected};
use crate::ValidateOutcome;
use crate::coverage::CoverageReport;
use crate::deviations::{CheckedFinding, DeviationSummary, FindingStatus};
use crate::replay::{ItemSource, ReplayOutcome, ReplayResult, SeverityCounts};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use payple_support::text::xml_escape;

enum Outcome {
    Passed,
    Failure {
        kind: String,
        message: String,
        text: String,
    },
    Error {
        kind: String,
        message: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
    system_out: String,
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.outcome)).count()
    }
}

fn is_failure(o: &Outcome) -> bool {
    matches!(o, Outcome::Failure { .. })
}
fn is_error(o: &Outcome) -> bool {
    matches!(o, Outcome::Error { .. })
}
fn is_skipped(o: &Outcome) -> bool {
    matches!(o, Outcome::Skipped { .. })
}

fn document(name: &str, suites: &[Suite]) -> String {
    let a = |s: &str| xml_escape(s, true);
    let total = |f: fn(&Outcome) -> bool| suites.iter().map(|s| s.count(f)).sum::<usize>();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
        a(name),
        total(is_failure),
        total(is_error),
        total(is_skipped)
    );
    for s in suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            a(&s.name),
            s.cases.len(),
            s.count(is_failure),
            s.count(is_error),
            s.count(is_skipped)
        );
        for c in &s.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                a(&c.classname),
                a(&c.name)
            );
            if matches!(c.outcome, Outcome::Passed) && c.system_out.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            match &c.outcome {
                Outcome::Passed => {}
                Outcome::Failure {
                    kind,
                    message,
                    text,
                } => {
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        a(kind),
                        a(message),
                        xml_escape(text, false)
                    );
                }
                Outcome::Error {
                    kind,
                    message,
                    text,
                } => {
                    let _ = writeln!(
                        out,
                        "      <error type=\"{}\" message=\"{}\">{}</error>",
                        a(kind),
                        a(message),
                        xml_escape(text, false)
                    );
                }
                Outcome::Skipped { message } => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", a(message));
                }
            }
            if !c.system_out.is_empty() {
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml_escape(&c.system_out, false)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn finding_text(f: &CheckedFinding) -> String {
    let d = &f.finding;
    let mut line = format!(
        "{}{} {} {}: {}",
        if f.accepted.is_some() {
            "accepted "
        } else {
            ""
        },
        d.severity.as_str(),
        d.kind,
        pointer(&d.pointer),
        d.message()
    );
    if let Some(a) = &f.accepted {
        let _ = write!(
            line,
            " (accepted until {}: {}; {})",
            a.expires, a.reason, a.link
        );
    } else if let Some(a) = &f.expired_deviation {
        let _ = write!(
            line,
            " (deviation expired on {}: {}; {})",
            a.expires, a.reason, a.link
        );
    }
    if !d.doc_url.is_empty() {
        let _ = write!(line, " <{}>", d.doc_url);
    }
    line
}

/// A finding of a replayed item with its status: `expected error invalid_value /X: message
/// — documented defect of the sample <doc url>`, `UNEXPECTED error ...`.
fn replay_finding_text(r: &ReplayResult, f: &CheckedFinding) -> String {
    let d = &f.finding;
    let status = f.status.unwrap_or(FindingStatus::Unexpected);
    let (label, why) = if status.fails() {
        (status.as_str().to_uppercase(), why_unexpected(f))
    } else {
        (status.as_str().to_string(), why_expected(r, f))
    };
    let mut line = format!(
        "{label} {} {} {}: {} — {why}",
        d.severity.as_str(),
        d.kind,
        pointer(&d.pointer),
        d.message()
    );
    if !d.doc_url.is_empty() {
        let _ = write!(line, " <{}>", d.doc_url);
    }
    line
}

fn deviation_suite(s: &DeviationSummary) -> Option<Suite> {
    if s.unused.is_empty() && s.expired.is_empty() {
        return None;
    }
    let cases = s
        .unused
        .iter()
        .map(|n| ("unused", n))
        .chain(s.expired.iter().map(|n| ("expired", n)))
        .map(|(what, n)| Case {
            classname: "deviations".into(),
            name: format!("{what} deviation {}", n.at),
            outcome: Outcome::Skipped {
                message: format!("warning: {}", n.message),
            },
            system_out: format!(
                "reason: {}\nlink: {}\nexpires: {}\nmatched: {}",
                n.reason, n.link, n.expires, n.matched
            ),
        })
        .collect();
    Some(Suite {
        name: "deviations".into(),
        cases,
    })
}

pub(super) fn validate(o: &ValidateOutcome) -> String {
    let errors: Vec<&CheckedFinding> = o.findings.iter().filter(|f| f.counts_as_error()).collect();
    let outcome = if errors.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failure {
            kind: "error_findings".into(),
            message: format!(
                "{} error finding{}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
            text: errors
                .iter()
                .map(|f| finding_text(f))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    };
    let mut suites = vec![Suite {
        name: o.endpoint.clone(),
        cases: vec![Case {
            classname: o.endpoint.clone(),
            name: format!("{} ({}): no error findings", o.input, o.part),
            outcome,
            system_out: o
                .findings
                .iter()
                .map(finding_text)
                .collect::<Vec<_>>()
                .join("\n"),
        }],
    }];
    suites.extend(deviation_suite(&o.deviations));
    document("payple-conformance validate", &suites)
}

pub(super) fn replay(outcome: &ReplayOutcome) -> String {
    let mut groups: BTreeMap<(bool, &str), Vec<Case>> = BTreeMap::new();
    for r in &outcome.results {
        let (key, classname) = match r.endpoint.as_deref() {
            Some(e) => ((false, e), e.to_string()),
            None => ((true, "(unreadable recordings)"), "unreadable".to_string()),
        };
        let cases = groups.entry(key).or_default();
        let part = r.part.map(|p| format!(" ({p})")).unwrap_or_default();
        if let Some(e) = &r.error {
            cases.push(Case {
                classname,
                name: format!("{}: readable recording", r.name),
                outcome: Outcome::Error {
                    kind: "unreadable_recording".into(),
                    message: e.clone(),
                    text: e.clone(),
                },
                system_out: String::new(),
            });
            continue;
        }
        let mut log: Vec<String> = Vec::new();
        let mut by_kind: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for rep in &r.repairs {
            by_kind.entry(rep.kind.as_str()).or_default().push(rep);
        }
        for (kind, list) in by_kind {
            log.push(format!(
                "defect {kind} x{} at {} (documentation sample repaired)",
                list.len(),
                super::markdown::repair_places(&list)
            ));
        }
        // Expected and accepted findings are logged, never failures.
        log.extend(
            r.findings
                .iter()
                .filter(|f| f.status.is_some_and(|s| !s.fails()))
                .map(|f| replay_finding_text(r, f)),
        );
        let expected = if r.unexpected.is_empty() && r.missing.is_empty() {
            Outcome::Passed
        } else {
            let failing: Vec<&CheckedFinding> = r
                .findings
                .iter()
                .filter(|f| f.status.is_none_or(FindingStatus::fails))
                .collect();
            let mut text: Vec<String> = failing.iter().map(|f| replay_finding_text(r, f)).collect();
            text.extend(r.missing.iter().map(|m| {
                format!(
                    "MISSING {} {}: in the expect list but not reported",
                    m.kind,
                    pointer(&m.pointer)
                )
            }));
            let mut by_severity = SeverityCounts::default();
            for f in &failing {
                by_severity.add(f.finding.severity);
            }
            let severities = if failing.is_empty() {
                String::new()
            } else {
                format!(" ({})", severity_counts(&by_severity))
            };
            Outcome::Failure {
                kind: "unexpected_findings".into(),
                message: format!(
                    "{} unexpected{severities}, {} missing",
                    failing.len(),
                    r.missing.len()
                ),
                text: text.join("\n"),
            }
        };
        cases.push(Case {
            classname: classname.clone(),
            name: format!("{}{part}: expected findings", r.name),
            outcome: expected,
            system_out: log.join("\n"),
        });
        if r.source == ItemSource::Recording {
            let secrets = if r.secrets.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failure {
                    kind: "secret_in_recording".into(),
                    message: format!(
                        "{} secret{} in the recording",
                        r.secrets.len(),
                        if r.secrets.len() == 1 { "" } else { "s" }
                    ),
                    text: r
                        .secrets
                        .iter()
                        .map(|s| {
                            let at = match &s.pointer {
                                Some(p) => format!("{}#{p}", s.location),
                                None => s.location.clone(),
                            };
                            format!("{} {} {at}: {}", s.severity, s.kind, s.message)
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                }
            };
            cases.push(Case {
                classname,
                name: format!("{}: no secrets", r.name),
                outcome: secrets,
                system_out: String::new(),
            });
        }
    }
    let mut suites: Vec<Suite> = groups
        .into_iter()
        .map(|((_, name), cases)| Suite {
            name: name.to_string(),
            cases,
        })
        .collect();
    suites.extend(deviation_suite(&outcome.deviations));
    document("payple-conformance replay", &suites)
}

pub(super) fn coverage(report: &CoverageReport) -> String {
    let mut cases = Vec::new();
    for e in &report.endpoints {
        let t = &e.totals;
        let mut log = vec![format!(
            "{}: {} covered, fields {}, result codes {}",
            e.endpoint,
            super::human::ratio(t.covered, t.total, t.percent),
            super::human::ratio(t.field_cells_covered, t.field_cells, t.field_percent),
            super::human::ratio(
                t.result_codes_covered,
                t.result_codes,
                t.result_code_percent
            ),
        )];
        for f in &e.fields {
            for m in f.counted.iter().filter(|m| !f.covered.contains(m)) {
                log.push(format!("not covered: {} {} ({m})", f.part, f.pointer));
            }
        }
        for c in e.result_codes.iter().filter(|c| !c.covered) {
            log.push(format!(
                "not covered: result code {} ({}; {})",
                c.code,
                c.class,
                c.listed_because.join(", ")
            ));
        }
        let outcome = match report.min_percent {
            Some(min) if !e.passed => Outcome::Failure {
                kind: "coverage_below_minimum".into(),
                message: format!(
                    "coverage {} is below the minimum {min:.1}%",
                    percent_text(t.percent)
                ),
                text: log.join("\n"),
            },
            _ => Outcome::Passed,
        };
        cases.push(Case {
            classname: "coverage".into(),
            name: e.endpoint.to_string(),
            outcome,
            system_out: log.join("\n"),
        });
    }
    let mut suites = vec![Suite {
        name: "coverage".into(),
        cases,
    }];
    if !report.unreadable.is_empty() {
        suites.push(Suite {
            name: "(unreadable recordings)".into(),
            cases: report
                .unreadable
                .iter()
                .map(|u| Case {
                    classname: "unreadable".into(),
                    name: format!("{}: readable recording", u.name),
                    outcome: Outcome::Error {
                        kind: "unreadable_recording".into(),
                        message: u.error.clone(),
                        text: u.error.clone(),
                    },
                    system_out: String::new(),
                })
                .collect(),
        });
    }
    document("payple-conformance coverage", &suites)
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c\"'\u{0}\u{1b}[31m\u{fffe}", false),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;[31m"
        );
        assert_eq!(xml_escape("x\ny\tz\r", true), "x&#10;y&#9;z&#13;");
        assert_eq!(xml_escape("x\ny\tz\r", false), "x\ny\tz&#13;");
        assert_eq!(xml_escape("한국어 ✓", false), "한국어 ✓");
    }
}
