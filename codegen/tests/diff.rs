//! `payple-spec-diff`: consumer-visible changes between two specs, classified breaking,
//! non-breaking or informational with stable rule ids.

use payple_codegen::diff::{self, Change, Level, RULES};
use payple_codegen::model::{Field, Required};
use payple_codegen::typecode::TypeCode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn spec() -> payple_codegen::Spec {
    payple_codegen::load_dir(&spec_dir()).expect("the spec loads")
}

fn only(changes: &[Change]) -> &Change {
    assert_eq!(changes.len(), 1, "{changes:#?}");
    &changes[0]
}

fn field_mut<'a>(spec: &'a mut payple_codegen::Spec, ep: &str, name: &str) -> &'a mut Field {
    let ep = spec
        .endpoints
        .iter_mut()
        .find(|e| e.id == ep)
        .expect("endpoint");
    ep.request
        .iter_mut()
        .chain(ep.response.iter_mut())
        .find(|f| f.name == name)
        .expect("field")
}

#[test]
fn the_same_spec_has_no_changes() {
    let s = spec();
    assert!(diff::diff(&s, &s).is_empty());
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let mut seen = BTreeSet::new();
    for (id, _, meaning) in RULES {
        assert!(seen.insert(*id), "duplicate rule {id}");
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id}"
        );
        assert!(!meaning.is_empty());
    }
}

/// Breaking: a response field a client reads disappears.
#[test]
fn a_removed_response_field_is_breaking() {
    let old = spec();
    let mut new = old.clone();
    let ep = new
        .endpoints
        .iter_mut()
        .find(|e| e.id == "hub.token")
        .expect("hub.token");
    ep.response.retain(|f| f.name != "access_token");
    let changes = diff::diff(&old, &new);
    let c = only(&changes);
    assert_eq!(c.rule, "response-field-removed");
    assert_eq!(c.level, Level::Breaking);
    assert_eq!(c.subject, "hub.token");
    assert_eq!(c.location, "response/access_token");
    assert!(diff::to_text(&changes).contains("1 breaking"));
}

/// Non-breaking: a new optional request field.
#[test]
fn a_new_optional_request_field_is_not_breaking() {
    let old = spec();
    let mut new = old.clone();
    let ep = new
        .endpoints
        .iter_mut()
        .find(|e| e.id == "hub.token")
        .expect("hub.token");
    let mut extra = ep.request[0].clone();
    extra.name = "partner_note".into();
    extra.required = Required::Never;
    extra.required_rule = None;
    extra.legacy_names.clear();
    ep.request.push(extra);
    let changes = diff::diff(&old, &new);
    let c = only(&changes);
    assert_eq!(c.rule, "request-field-added");
    assert_eq!(c.level, Level::NonBreaking);
    assert_eq!(c.location, "request/partner_note");
    let json = diff::to_json(&changes);
    assert_eq!(json["summary"]["breaking"], 0);
    assert_eq!(json["summary"]["non_breaking"], 1);
    assert_eq!(json["changes"][0]["id"], "request-field-added");
}

#[test]
fn requirement_changes_depend_on_the_direction_and_the_part() {
    let old = spec();
    // A request field required in fewer cases: fine for clients.
    let mut new = old.clone();
    field_mut(&mut new, "hub.token", "code").required = Required::Never;
    let c = diff::diff(&old, &new);
    assert_eq!(only(&c).rule, "request-field-became-optional");
    assert_eq!(only(&c).level, Level::NonBreaking);
    // A response field present in fewer cases: clients may miss it.
    let mut new = old.clone();
    field_mut(&mut new, "hub.token", "result").required = Required::Never;
    // `result` is also a request field name nowhere in hub.token, so one change.
    let c = diff::diff(&old, &new);
    assert_eq!(only(&c).rule, "response-field-became-optional");
    assert_eq!(only(&c).level, Level::Breaking);
}

#[test]
fn type_codes_compare_by_what_they_admit() {
    let old = spec();
    let parse = |s: &payple_codegen::Spec, code: &str| -> TypeCode {
        s.alphabet.parse(code).expect("type code")
    };
    // hub.token request `code` is aN(10): aN(20) admits more (non-breaking in a request),
    // N(10) admits less (breaking), a longer response field is breaking for readers.
    let mut wider = old.clone();
    field_mut(&mut wider, "hub.token", "code").documented_type = Some(parse(&old, "aN(20)"));
    assert_eq!(only(&diff::diff(&old, &wider)).rule, "request-type-widened");
    let mut narrower = old.clone();
    field_mut(&mut narrower, "hub.token", "code").documented_type = Some(parse(&old, "N(10)"));
    let c = diff::diff(&old, &narrower);
    assert_eq!(only(&c).rule, "request-type-narrowed");
    assert_eq!(only(&c).level, Level::Breaking);
    let mut longer = old.clone();
    let ep = longer
        .endpoints
        .iter_mut()
        .find(|e| e.id == "hub.token")
        .expect("hub.token");
    let custkey = ep
        .response
        .iter_mut()
        .find(|f| f.name == "custKey")
        .expect("custKey");
    custkey.documented_type = Some(parse(&old, "aNS(255)"));
    let c = diff::diff(&old, &longer);
    assert_eq!(only(&c).rule, "response-type-widened");
    assert_eq!(only(&c).level, Level::Breaking);
}

#[test]
fn a_field_renamed_with_its_old_name_kept_is_one_change() {
    let old = spec();
    let mut new = old.clone();
    let f = field_mut(&mut new, "hub.token", "expires_in");
    let legacy = payple_codegen::model::LegacyName {
        name: f.name.clone(),
        until: None,
        evidence: "INFERENCE".into(),
        source: String::new(),
        note: None,
    };
    f.name = "expires_in_seconds".into();
    f.legacy_names.push(legacy);
    let c = diff::diff(&old, &new);
    assert_eq!(only(&c).rule, "field-renamed");
    assert_eq!(only(&c).new, "expires_in_seconds");
}

#[test]
fn a_new_success_code_and_a_new_endpoint() {
    let old = spec();
    let mut new = old.clone();
    let ep = new
        .endpoints
        .iter_mut()
        .find(|e| e.id == "cpay.result_inquiry")
        .expect("endpoint");
    let r = ep.result.as_mut().expect("result rule");
    let mut code = r.success_codes[0].clone();
    code.code = "PCHK0001".into();
    r.success_codes.push(code);
    let mut added = new.endpoints[0].clone();
    added.id = "cpay.zz_new".into();
    new.endpoints.push(added);
    let changes = diff::diff(&old, &new);
    let rules: Vec<&str> = changes.iter().map(|c| c.rule).collect();
    assert_eq!(
        rules,
        vec!["result-success-code-added", "endpoint-added"],
        "{changes:#?}"
    );
    // Sorted by level: breaking first.
    assert_eq!(changes[0].level, Level::Breaking);
    let md = diff::to_markdown(&changes);
    assert!(
        md.contains("| breaking | `result-success-code-added` |"),
        "{md}"
    );
}

/// The binary on two spec directories: a longer hub token lifetime (non-breaking) and a
/// moved hub test host (breaking), with the exit codes of `--fail-on-breaking`.
#[test]
fn the_binary_compares_two_spec_directories() {
    let old = spec_dir();
    let tmp = tempfile::tempdir().expect("tempdir");
    let new = tmp.path().join("spec");
    copy_dir(&old, &new);
    let yaml = std::fs::read_to_string(new.join("payple.yaml")).expect("payple.yaml");
    let edited = yaml.replacen("lifetime_seconds: 60\n", "lifetime_seconds: 120\n", 1);
    assert_ne!(edited, yaml);
    std::fs::write(new.join("payple.yaml"), &edited).expect("write");
    let bin = env!("CARGO_BIN_EXE_payple-spec-diff");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .arg(&old)
            .arg(&new)
            .output()
            .expect("runs")
    };
    let out = run(&["--fail-on-breaking"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("auth-lifetime-increased"), "{text}");
    assert!(text.contains("0 breaking, 1 non-breaking"), "{text}");

    let moved = edited.replacen("https://demohub.payple.kr", "https://demohub2.payple.kr", 1);
    std::fs::write(new.join("payple.yaml"), moved).expect("write");
    let out = run(&["--format", "json", "--fail-on-breaking"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["breaking"], 1);
    assert!(
        report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["id"] == "server-url-changed" && c["level"] == "breaking")
    );
    // Without the flag, breaking changes are reported and the exit is 0.
    assert_eq!(run(&[]).status.code(), Some(0));
    // A directory that is not a spec is an error (2).
    let out = Command::new(bin)
        .arg(&old)
        .arg(tmp.path().join("nowhere"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// One parsed `<testcase>` of a JUnit report.
#[derive(Debug, Default)]
struct Case {
    suite: String,
    classname: String,
    name: String,
    /// `(type, message, text)` of the `<failure>`, if any.
    failure: Option<(String, String, String)>,
    system_out: String,
}

/// Parses a JUnit report with quick-xml (attribute values normalised as XML 1.0 requires,
/// references resolved) and checks the declared counts against the testcases.
fn parse_junit(xml: &str) -> Vec<Case> {
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let mut reader = Reader::from_str(xml);
    let attrs = |e: &quick_xml::events::BytesStart<'_>| -> Vec<(String, String)> {
        e.attributes()
            .map(|a| {
                let a = a.expect("attribute");
                let key = a.key.as_ref().to_string();
                let value = a
                    .normalized_value(XmlVersion::Implicit1_0)
                    .expect("value")
                    .into_owned();
                (key, value)
            })
            .collect()
    };
    let get = |a: &[(String, String)], k: &str| -> String {
        a.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("attribute {k} missing"))
    };
    let mut cases: Vec<Case> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut suite = String::new();
    let mut declared = Vec::new(); // (tests, failures) per suite, then of the root
    let mut root = (0usize, 0usize);
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}\n{xml}")) {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                let a = attrs(&e);
                let count = |k: &str| get(&a, k).parse::<usize>().expect("count");
                match (stack.last().map(String::as_str), name.as_str()) {
                    (None, "testsuites") => root = (count("tests"), count("failures")),
                    (Some("testsuites"), "testsuite") => {
                        suite = get(&a, "name");
                        declared.push((suite.clone(), count("tests"), count("failures")));
                    }
                    (Some("testsuite"), "testcase") => cases.push(Case {
                        suite: suite.clone(),
                        classname: get(&a, "classname"),
                        name: get(&a, "name"),
                        ..Case::default()
                    }),
                    (Some("testcase"), "failure") => {
                        cases.last_mut().expect("case").failure =
                            Some((get(&a, "type"), get(&a, "message"), String::new()));
                    }
                    (Some("testcase"), "system-out") => {}
                    (parent, other) => panic!("<{other}> in {parent:?}\n{xml}"),
                }
                text.clear();
                stack.push(name);
            }
            Event::Empty(e) => panic!("unexpected empty element {e:?}"),
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("char ref") {
                Some(c) => text.push(c),
                None => text.push_str(
                    quick_xml::escape::resolve_predefined_entity(&r).expect("predefined entity"),
                ),
            },
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                let case = cases.last_mut();
                match (name.as_str(), case) {
                    ("failure", Some(c)) => {
                        if let Some(f) = c.failure.as_mut() {
                            f.2 = text.clone();
                        }
                    }
                    ("system-out", Some(c)) => c.system_out = text.clone(),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    for (name, tests, failures) in &declared {
        let mine: Vec<&Case> = cases.iter().filter(|c| &c.suite == name).collect();
        assert_eq!(mine.len(), *tests, "{name}");
        assert_eq!(
            mine.iter().filter(|c| c.failure.is_some()).count(),
            *failures,
            "{name}"
        );
    }
    assert_eq!(root.0, cases.len());
    assert_eq!(root.1, cases.iter().filter(|c| c.failure.is_some()).count());
    cases
}

/// Removes what XML 1.0 cannot carry, as the report does.
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r')
                || !(c.is_control() && u32::from(*c) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}'))
        })
        .collect()
}

#[test]
fn junit_has_one_testcase_per_change_and_fails_the_breaking_ones() {
    let old = spec();
    let mut new = old.clone();
    // Breaking: a response field removed; non-breaking: a new optional request field.
    let ep = new
        .endpoints
        .iter_mut()
        .find(|e| e.id == "hub.token")
        .expect("hub.token");
    ep.response.retain(|f| f.name != "access_token");
    let mut extra = ep.request[0].clone();
    extra.name = "partner_note".into();
    extra.required = Required::Never;
    extra.required_rule = None;
    extra.legacy_names.clear();
    ep.request.push(extra);
    let mut changes = diff::diff(&old, &new);
    // What a spec might hold: markup characters, quotes, tabs, line breaks, a control
    // character XML 1.0 cannot carry, non-ASCII text.
    changes.push(Change {
        level: Level::Breaking,
        subject: "cpay.<odd>&\"quoted\"".into(),
        location: "request/a'b\tc".into(),
        rule: "request-type-changed",
        old: "aN(10) <&>\u{1}\r\nline".into(),
        new: "결제 ]]> \u{fffe}end".into(),
    });
    changes.push(Change {
        level: Level::Info,
        subject: "cpay".into(),
        location: String::new(),
        rule: "sample-added",
        old: String::new(),
        new: "card_response".into(),
    });
    let xml = diff::to_junit(&changes);
    let cases = parse_junit(&xml);
    assert_eq!(cases.len(), changes.len(), "{xml}");
    assert_eq!(cases.iter().filter(|c| c.failure.is_some()).count(), 2);
    for change in &changes {
        let name = if change.location.is_empty() {
            change.subject.clone()
        } else {
            format!("{} {}", change.subject, change.location)
        };
        let case = cases
            .iter()
            .find(|c| c.classname == change.rule && c.name == xml_chars(&name))
            .unwrap_or_else(|| panic!("no testcase for {change:?}\n{xml}"));
        assert_eq!(
            case.suite,
            format!("payple-spec-diff.{}", change.level.as_str())
        );
        let message = xml_chars(&change.message());
        match (&case.failure, change.level) {
            (Some((kind, msg, text)), Level::Breaking) => {
                assert_eq!(kind, "breaking");
                assert_eq!(msg, &message);
                assert!(text.contains(&format!("rule: {}", change.rule)), "{text}");
                if !change.old.is_empty() {
                    assert!(text.contains(&xml_chars(&change.old)), "{text:?}");
                }
            }
            (None, Level::NonBreaking | Level::Info) => {
                assert!(case.system_out.starts_with(&message), "{case:?}");
            }
            (f, l) => panic!("{l:?} change with failure {f:?}"),
        }
    }
    // No changes: a valid report with empty suites.
    let empty = diff::to_junit(&[]);
    assert!(parse_junit(&empty).is_empty());
    assert_eq!(empty.matches("<testsuite ").count(), 3);
}

/// `--junit FILE` writes the report next to the stdout format; `--format junit` prints it.
#[test]
fn the_binary_writes_junit() {
    let old = spec_dir();
    let tmp = tempfile::tempdir().expect("tempdir");
    let new = tmp.path().join("spec");
    copy_dir(&old, &new);
    let yaml = std::fs::read_to_string(new.join("payple.yaml")).expect("payple.yaml");
    let moved = yaml.replacen("https://demohub.payple.kr", "https://demohub2.payple.kr", 1);
    assert_ne!(moved, yaml);
    std::fs::write(new.join("payple.yaml"), moved).expect("write");
    let bin = env!("CARGO_BIN_EXE_payple-spec-diff");
    let report = tmp.path().join("reports/diff.xml");
    let out = Command::new(bin)
        .arg("--junit")
        .arg(&report)
        .arg(&old)
        .arg(&new)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("server-url-changed"), "{text}");
    let xml = std::fs::read_to_string(&report).expect("report written");
    let cases = parse_junit(&xml);
    let case = only_case(&cases);
    assert_eq!(case.classname, "server-url-changed");
    assert!(case.failure.is_some());
    // Nothing but the report is left in its folder (no temporary file).
    let files: Vec<_> = std::fs::read_dir(report.parent().expect("parent"))
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");

    let out = Command::new(bin)
        .args(["--format", "junit", "--fail-on-breaking"])
        .arg(&old)
        .arg(&new)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), xml);
    // A report that cannot be written is an error (2), not a silent success.
    let out = Command::new(bin)
        .arg("--junit")
        .arg(new.join("payple.yaml").join("x.xml"))
        .arg(&old)
        .arg(&new)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

fn only_case(cases: &[Case]) -> &Case {
    assert_eq!(cases.len(), 1, "{cases:#?}");
    &cases[0]
}

/// Two git revisions (or a revision and a folder) compare like two folders; a name that is
/// neither is an error (2) that says so, and a spec error names the revision, not a
/// temporary folder.
#[test]
fn git_revisions_compare_like_folders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(repo)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    copy_dir(&spec_dir(), &repo.join("spec"));
    git(&["add", "spec"]);
    git(&["commit", "-q", "-m", "old"]);
    let yaml = std::fs::read_to_string(repo.join("spec/payple.yaml")).expect("payple.yaml");
    let moved = yaml.replacen("https://demohub.payple.kr", "https://demohub2.payple.kr", 1);
    assert_ne!(moved, yaml);
    std::fs::write(repo.join("spec/payple.yaml"), moved).expect("write");
    git(&["commit", "-q", "-a", "-m", "new"]);
    let bin = env!("CARGO_BIN_EXE_payple-spec-diff");
    let run = |old: &str, new: &str| {
        Command::new(bin)
            .args(["--format", "json", old, new])
            .current_dir(repo)
            .output()
            .expect("runs")
    };
    let by_revisions = run("HEAD~1", "HEAD");
    assert_eq!(
        by_revisions.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&by_revisions.stderr)
    );
    let text = String::from_utf8_lossy(&by_revisions.stdout).to_string();
    assert!(text.contains("server-url-changed"), "{text}");
    // The revision against the working folder, and REV:PATH: the same report.
    assert_eq!(String::from_utf8_lossy(&run("HEAD~1", "spec").stdout), text);
    assert_eq!(
        String::from_utf8_lossy(&run("HEAD~1:spec", "HEAD:spec").stdout),
        text
    );
    // No temporary checkout is left behind.
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("payple-spec-diff-{}-", std::process::id()))
        })
        .count();
    assert_eq!(leftovers, 0);

    let bad = run("no-such-revision", "spec");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("neither a folder nor a git revision"), "{err}");

    // A revision whose spec is broken: the error names the revision and the file.
    std::fs::write(repo.join("spec/payple.yaml"), "services: [\n").expect("write");
    git(&["commit", "-q", "-a", "-m", "broken"]);
    let broken = run("HEAD", "spec");
    assert_eq!(broken.status.code(), Some(2));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("HEAD: spec/payple.yaml:1:"), "{err}");
    assert!(!err.contains("payple-spec-diff-"), "{err}");
}
