//! The real-traffic corpus (issue 11, item 6): what Payple's official samples, third-party
//! clients and Payple's own pages really put on the wire, one case per file in
//! `tests/corpus/*.json`.
//!
//! A case file is one JSON object:
//!
//! ```json
//! {
//!   "id": "php_result_inquiry_request",          // = the file name without .json
//!   "endpoint": "cpay.result_inquiry",
//!   "part": "request",                            // request | response
//!   "source": "PAYPLECORP/sample_php@b0cbbab... cPayPayple/payInfo.php",
//!   "note": "what is special, and which values were filled in",
//!   "expect": "clean",                            // or a list, see below
//!   "exclusive": true,                            // optional, with a list only
//!   "body": { ... }                               // the body exactly as sent / received
//! }
//! ```
//!
//! The body is validated from its raw text in the file (numbers stay numbers, `""` stays
//! `""`, `null` stays `null`, key order kept); a form-encoded window result is written as the
//! JSON object its fields form.
//!
//! * `"expect": "clean"`: the body must give no error-severity finding (warnings allowed).
//! * `"expect": [{ "kind": K, "pointer": P, "severity": S }, ...]`: each listed finding must
//!   be reported (a blind spot, or a real client bug). `kind` is a finding kind, a list of
//!   acceptable kinds, or `"*"` for any kind at that pointer; `severity` is optional. With
//!   `"exclusive": true` every error-severity finding must be one of the listed ones.
//!
//! Every finding (warnings included) of every case is listed in one insta snapshot
//! (`snapshots/real_traffic__corpus_findings.snap`), so that a change of what the validator
//! says about real traffic is reviewed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payple_types::{Part, Report, Severity, validate};
use rstest::rstest;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One expected finding.
#[derive(Debug)]
struct Expected {
    /// Acceptable kinds; `None` = any kind.
    kinds: Option<Vec<String>>,
    pointer: String,
    severity: Option<String>,
}

impl Expected {
    fn matches(&self, kind: &str, pointer: &str, severity: &str) -> bool {
        self.pointer == pointer
            && self
                .kinds
                .as_ref()
                .is_none_or(|ks| ks.iter().any(|k| k == kind))
            && self.severity.as_deref().is_none_or(|s| s == severity)
    }

    fn describe(&self) -> String {
        let kind = match &self.kinds {
            None => "*".to_string(),
            Some(ks) => ks.join("|"),
        };
        match &self.severity {
            Some(s) => format!("{s} {kind} {}", self.pointer),
            None => format!("{kind} {}", self.pointer),
        }
    }
}

#[derive(Debug)]
enum Expect {
    Clean,
    Findings {
        list: Vec<Expected>,
        exclusive: bool,
    },
}

#[derive(Debug)]
struct Case {
    id: String,
    endpoint: String,
    part: Part,
    body: String,
    expect: Expect,
}

impl Case {
    fn expectation(&self) -> String {
        match &self.expect {
            Expect::Clean => "clean".to_string(),
            Expect::Findings { list, exclusive } => format!(
                "{}expects {}",
                if *exclusive { "exclusively " } else { "" },
                list.iter()
                    .map(Expected::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The raw text of the member `key` of the top-level object of `text` (which must be valid
/// JSON), so that the body is validated byte for byte as the case file writes it.
fn raw_member<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    // At depth 1, the next string is a key right after `{` or `,`.
    let mut want_key = false;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => {
                depth += 1;
                want_key = depth == 1 && b[i] == b'{';
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b',' => {
                want_key = depth == 1;
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i)?;
                if depth == 1 && want_key && &text[i + 1..end - 1] == key {
                    let mut j = end;
                    while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b':') {
                        j += 1;
                    }
                    let stop = value_end(b, j)?;
                    return Some(text[j..stop].trim_end());
                }
                want_key = false;
                i = end;
            }
            _ => i += 1,
        }
    }
    None
}

/// Index just past the closing quote of the string that starts at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Index just past the JSON value that starts at `start`.
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    match *b.get(start)? {
        b'"' => string_end(b, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = start;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']') {
                i += 1;
            }
            Some(i)
        }
    }
}

fn string_field(v: &Value, key: &str) -> Result<String, String> {
    match v.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(format!("`{key}` must be a non-empty string")),
    }
}

fn parse_expected(v: &Value) -> Result<Expected, String> {
    let kinds = match v.get("kind") {
        Some(Value::String(k)) if k == "*" => None,
        Some(Value::String(k)) => Some(vec![k.clone()]),
        Some(Value::Array(ks)) if !ks.is_empty() => Some(
            ks.iter()
                .map(|k| k.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("`kind` lists must hold strings")?,
        ),
        _ => {
            return Err(format!(
                "expected finding {v}: `kind` must be a string or a list of strings"
            ));
        }
    };
    let pointer = match v.get("pointer") {
        Some(Value::String(p)) => p.clone(),
        _ => return Err(format!("expected finding {v}: `pointer` must be a string")),
    };
    let severity = match v.get("severity") {
        None => None,
        Some(Value::String(s)) if ["error", "warning", "info"].contains(&s.as_str()) => {
            Some(s.clone())
        }
        Some(_) => return Err(format!("expected finding {v}: bad `severity`")),
    };
    Ok(Expected {
        kinds,
        pointer,
        severity,
    })
}

fn load(path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let id = string_field(&v, "id")?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if id != stem {
        return Err(format!("id `{id}` differs from the file name `{stem}`"));
    }
    let endpoint = string_field(&v, "endpoint")?;
    let part: Part = string_field(&v, "part")?.parse()?;
    string_field(&v, "source")?;
    string_field(&v, "note")?;
    let body = raw_member(&text, "body")
        .ok_or("no `body` member")?
        .to_string();
    // The raw slice must be exactly the parsed body (guards the scanner above).
    let reparsed: Value =
        serde_json::from_str(&body).map_err(|e| format!("raw body not JSON: {e}"))?;
    if Some(&reparsed) != v.get("body") {
        return Err("raw body text differs from the parsed `body`".into());
    }
    let exclusive = match v.get("exclusive") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("`exclusive` must be true or false".into()),
    };
    let expect = match v.get("expect") {
        Some(Value::String(s)) if s == "clean" => {
            if exclusive {
                return Err("`exclusive` needs a list of expected findings".into());
            }
            Expect::Clean
        }
        Some(Value::Array(list)) if !list.is_empty() => Expect::Findings {
            list: list.iter().map(parse_expected).collect::<Result<_, _>>()?,
            exclusive,
        },
        _ => return Err("`expect` must be \"clean\" or a non-empty list of findings".into()),
    };
    Ok(Case {
        id,
        endpoint,
        part,
        body,
        expect,
    })
}

fn run(case: &Case) -> Result<Report, String> {
    validate(&case.endpoint, case.part, case.body.as_bytes()).map_err(|e| e.to_string())
}

/// What is wrong with the case's report; empty when the expectation holds.
fn problems(case: &Case, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    match &case.expect {
        Expect::Clean => {
            for f in &errors {
                out.push(format!(
                    "unexpected error {} {}",
                    f.kind.as_str(),
                    f.pointer
                ));
            }
        }
        Expect::Findings { list, exclusive } => {
            for e in list {
                let found = report
                    .findings
                    .iter()
                    .any(|f| e.matches(f.kind.as_str(), &f.pointer, f.severity.as_str()));
                if !found {
                    out.push(format!("missing expected finding {}", e.describe()));
                }
            }
            if *exclusive {
                for f in &errors {
                    let listed = list.iter().any(|e| {
                        e.pointer == f.pointer
                            && e.kinds
                                .as_ref()
                                .is_none_or(|ks| ks.iter().any(|k| k == f.kind.as_str()))
                    });
                    if !listed {
                        out.push(format!(
                            "unexpected error {} {} (the expectation is exclusive)",
                            f.kind.as_str(),
                            f.pointer
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Every finding, one per line, sorted.
fn finding_lines(report: &Report) -> Vec<String> {
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.severity.as_str(), f.kind.as_str(), f.pointer))
        .collect();
    lines.sort();
    lines
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// One test per corpus file.
#[rstest]
fn real_traffic_case(#[files("tests/corpus/*.json")] path: PathBuf) {
    // The file list is taken when the test is compiled; every_corpus_case_holds reads the
    // directory when it runs.
    assert!(
        path.exists(),
        "{} was removed or renamed after this test was built: touch tests/real_traffic.rs",
        path.display()
    );
    let case = load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = run(&case).unwrap_or_else(|e| panic!("{}: {e}", case.id));
    let problems = problems(&case, &report);
    assert!(
        problems.is_empty(),
        "{} ({} {}, {}):\n  {}\nall findings:\n  {}",
        case.id,
        case.endpoint,
        case.part,
        case.expectation(),
        problems.join("\n  "),
        finding_lines(&report).join("\n  ")
    );
}

/// The whole directory at run time (so that a case added after the last build is checked
/// too), with every failing case reported together.
#[test]
fn every_corpus_case_holds() {
    let files = corpus_files();
    assert!(!files.is_empty(), "no case in {}", corpus_dir().display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let case = match load(path) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: bad case file: {e}"));
                continue;
            }
        };
        match run(&case) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(report) => {
                let p = problems(&case, &report);
                if !p.is_empty() {
                    failures.push(format!(
                        "{} ({} {}, {}):\n    {}",
                        case.id,
                        case.endpoint,
                        case.part,
                        case.expectation(),
                        p.join("\n    ")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} real-traffic cases fail:\n  {}",
        failures.len(),
        files.len(),
        failures.join("\n  ")
    );
}

/// Every finding of every case, for review (warnings are allowed, but their list is pinned).
#[test]
fn corpus_findings_snapshot() {
    let mut text = String::from(
        "# Real-traffic corpus: every finding per case (severity kind pointer), cases by id.\n",
    );
    for path in corpus_files() {
        let Ok(case) = load(&path) else {
            // Reported by every_corpus_case_holds.
            continue;
        };
        let Ok(report) = run(&case) else { continue };
        writeln!(
            text,
            "{} [{} {}; {}]",
            case.id,
            case.endpoint,
            case.part,
            case.expectation()
        )
        .unwrap();
        let lines = finding_lines(&report);
        if lines.is_empty() {
            text.push_str("  (no finding)\n");
        }
        for l in lines {
            writeln!(text, "  {l}").unwrap();
        }
    }
    insta::assert_snapshot!("corpus_findings", text);
}

#[test]
fn raw_member_keeps_the_body_text() {
    let t =
        r#"{"id": "x", "note": "a \"body\": here", "body": {"A": 1.00, "B": [1, {"c": "}"}]} }"#;
    assert_eq!(
        raw_member(t, "body"),
        Some(r#"{"A": 1.00, "B": [1, {"c": "}"}]}"#)
    );
    assert_eq!(
        raw_member(r#"{"body": 20180502, "x": 1}"#, "body"),
        Some("20180502")
    );
    assert_eq!(raw_member(r#"{"x": {"body": 1}}"#, "body"), None);
}
