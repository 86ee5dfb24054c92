//! End-to-end tests of the `payple-conformance` binary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, code, http, interrupt, repo_root, run, run_stdin, start_mock, stdout, text};
use std::process::{Output, Stdio};

const CARD_RECORDING: &str = "recordings/cpay/result_inquiry_card_pchk0000.json";

fn shipped(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap()
}

#[test]
fn replay_without_arguments_passes() {
    let o = run(&["replay"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("recordings/hub/token_success.json"), "{out}");
    assert!(
        out.contains("sample cpay.result_inquiry#card_response"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("replay: "), "{out}");
    assert!(last.contains(" 0 failed"), "{out}");
    assert!(!last.contains("unreadable"), "{out}");
}

#[test]
fn replay_of_a_recording_broken_against_the_spec_fails() {
    let dir = tempfile::tempdir().unwrap();
    // PCD_PAY_ISTAX is a closed set (Y / N): another value is an unexpected invalid_value.
    let broken = shipped(CARD_RECORDING).replace(
        r#"\"PCD_PAY_ISTAX\":\"Y\""#,
        r#"\"PCD_PAY_ISTAX\":\"maybe\""#,
    );
    assert_ne!(broken, shipped(CARD_RECORDING));
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken).unwrap();
    let o = run(&["replay", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains(" invalid_value /PCD_PAY_ISTAX: "),
        "{}",
        text(&o)
    );
    let line = text(&o)
        .lines()
        .find(|l| l.contains(" invalid_value /PCD_PAY_ISTAX: "))
        .unwrap()
        .to_string();
    assert!(line.starts_with("    UNEXPECTED "), "{line}");
}

#[test]
fn replay_of_a_recording_with_a_changed_expect_list_fails() {
    let dir = tempfile::tempdir().unwrap();
    let changed = shipped(CARD_RECORDING).replace(
        r#"{ "kind": "success_code_mismatch", "pointer": "/PCD_PAY_CODE" }"#,
        r#"{ "kind": "unknown_result_code", "pointer": "/PCD_PAY_CODE" }"#,
    );
    let path = dir.path().join("changed.json");
    std::fs::write(&path, changed).unwrap();
    let o = run(&["replay", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["passed"], false);
    assert_eq!(r["unexpected"][0]["kind"], "success_code_mismatch");
    assert_eq!(r["missing"][0]["kind"], "unknown_result_code");
    assert_eq!(v["totals"]["failed"], 1);
}

#[test]
fn replay_refuses_an_unredacted_card_number_without_printing_it() {
    let dir = tempfile::tempdir().unwrap();
    let leaky = shipped(CARD_RECORDING)
        .replace(
            r#"\"PCD_PAY_CARDNUM\":\"****\""#,
            r#"\"PCD_PAY_CARDNUM\":\"4111111111111111\""#,
        )
        .replace(
            r#"\"PCD_PAY_GOODS\":\"상품1\""#,
            r#"\"PCD_PAY_GOODS\":\"4111 1111 1111 1111\""#,
        );
    assert!(leaky.contains("4111111111111111"));
    let path = dir.path().join("leaky.json");
    std::fs::write(&path, leaky).unwrap();
    for format in ["human", "json"] {
        let o = run(&["replay", "--format", format, path.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{}", text(&o));
        let all = text(&o);
        assert!(all.contains("secret_in_recording"), "{all}");
        assert!(!all.contains("4111111111111111"), "{all}");
        assert!(!all.contains("4111 1111 1111 1111"), "{all}");
    }
}

#[test]
fn replay_refuses_a_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let leaky = shipped("recordings/hub/token_success.json").replace(
        r#""Cache-Control": "no-cache""#,
        r#""Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0""#,
    );
    let path = dir.path().join("bearer.json");
    std::fs::write(&path, leaky).unwrap();
    let o = run(&["replay", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(!text(&o).contains("eyJhbGciOiJIUzI1NiJ9"), "{}", text(&o));
}

#[test]
fn a_malformed_recording_exits_2_but_others_are_still_replayed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a_bad.json"), "{\"endpoint\": 1}").unwrap();
    std::fs::write(
        dir.path().join("b_good.json"),
        shipped("recordings/hub/token_success.json"),
    )
    .unwrap();
    let o = run(&["replay", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["totals"]["unreadable"], 1);
    assert_eq!(v["totals"]["passed"], 1);
}

#[test]
fn validate_exit_codes() {
    let valid = br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"..."}"#;
    let o = run_stdin(&["validate", "--endpoint", "cpay.result_inquiry"], valid);
    assert_eq!(code(&o), 0, "{}", text(&o));

    // A thin card success: the fields every documented answer carries are missing.
    let invalid = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"card"}"#;
    let o = run_stdin(
        &["validate", "--endpoint", "cpay.result_inquiry", "-"],
        invalid,
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("error missing_required /PCD_PAY_TIME"));
    assert!(text(&o).contains("warning success_code_mismatch /PCD_PAY_CODE"));

    // An upper-case order number breaks only our inferred reading of `a`: a warning, exit
    // 0; --strict holds to the letter of the docs.
    let upper = br#"{"PCD_CST_ID":"test","PCD_CUST_KEY":"abcd1234567890","PCD_AUTH_KEY":"a688","PCD_PAYCHK_FLAG":"Y","PCD_PAY_TYPE":"card","PCD_PAY_OID":"ORDER_17027809","PCD_PAY_DATE":"20231211"}"#;
    let args = [
        "validate",
        "--endpoint",
        "cpay.result_inquiry",
        "--part",
        "request",
    ];
    let o = run_stdin(&args, upper);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("warning type_code_violation /PCD_PAY_OID"));
    let o = run_stdin(&[&args[..], &["--strict"]].concat(), upper);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("error type_code_violation /PCD_PAY_OID"));

    let o = run_stdin(&["validate", "--endpoint", "cpay.nope"], valid);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o).contains("payple-conformance endpoints"),
        "{}",
        text(&o)
    );

    let o = run(&[
        "validate",
        "--endpoint",
        "cpay.result_inquiry",
        "/no/such/file.json",
    ]);
    assert_eq!(code(&o), 2);
    assert!(text(&o).contains("cannot read"), "{}", text(&o));

    let o = run(&[
        "validate",
        "--endpoint",
        "cpay.result_inquiry",
        "--part",
        "sideways",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn validate_from_a_file_with_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(
        &body,
        br#"{"result":"T0000","message":"ok","token_type":"Basic"}"#,
    )
    .unwrap();
    let out = dir.path().join("report.json");
    let o = run(&[
        "validate",
        "--endpoint",
        "hub.token",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
        body.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["endpoint"], "hub.token");
    assert_eq!(v["part"], "response");
    assert_eq!(v["findings"][0]["kind"], "invalid_value");
    assert_eq!(v["findings"][0]["pointer"], "/token_type");
    for key in [
        "kind",
        "severity",
        "pointer",
        "field",
        "type_code",
        "expected",
        "actual",
        "message",
        "doc_url",
        "fingerprint",
    ] {
        assert!(v["findings"][0].get(key).is_some(), "{key}");
    }
}

#[test]
fn bad_input_never_panics() {
    let huge = vec![b' '; payple_types::MAX_BODY_BYTES + 10];
    let cases: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\xfd",
        b"<html><body>502</body></html>",
        b"[1,2,3]",
        b"{\"a\":",
        &huge,
    ];
    for input in cases {
        let o = run_stdin(&["validate", "--endpoint", "cpay.result_inquiry"], input);
        assert_eq!(code(&o), 1, "{}", text(&o));
        assert!(text(&o).contains("malformed_body"), "{}", text(&o));
    }
}

#[test]
fn endpoints_lists_ids_and_titles() {
    let o = run(&["endpoints"]);
    assert_eq!(code(&o), 0);
    let out = String::from_utf8_lossy(&o.stdout);
    for ep in payple_types::endpoints() {
        assert!(out.contains(ep.id) && out.contains(ep.title_ko), "{out}");
    }
}

#[test]
fn schemas_are_written_for_every_endpoint_part() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schemas");
    let o = run(&["schemas", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        payple_types::endpoints().len() * 2,
        "{names:?}"
    );
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("cpay.result_inquiry.response.schema.json")).unwrap(),
    )
    .unwrap();
    assert!(schema.is_object());
}

#[test]
fn default_replay_with_samples_in_markdown_and_junit() {
    let o = run(&["replay", "--format", "markdown"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with("## payple-conformance replay\n"), "{md}");
    assert!(
        md.contains("sample `cpay.result_inquiry#card_response`"),
        "{md}"
    );
    assert!(md.contains(": doc defect | `missing_comma` |"), "{md}");
    let o = run(&["replay", "--format", "junit"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let xml = String::from_utf8(o.stdout).unwrap();
    common::check_junit(&xml);
    assert!(
        xml.contains("name=\"cpay.result_inquiry#card_response (response): expected findings\"")
    );
    assert!(!xml.contains("<failure"));
}

/// The shipped hub token recording with `extra` keys added to its response body and `expect`
/// entries (kind, pointer) added to its expect list, written to `dir/name`.
fn token_recording_with(
    dir: &std::path::Path,
    name: &str,
    extra: &[&str],
    expect: &[(&str, &str)],
) -> String {
    let mut rec: serde_json::Value =
        serde_json::from_str(&shipped("recordings/hub/token_success.json")).unwrap();
    let mut body: serde_json::Value =
        serde_json::from_str(rec["response"]["body"].as_str().unwrap()).unwrap();
    for key in extra {
        body[*key] = serde_json::json!("x");
    }
    rec["response"]["body"] = serde_json::Value::String(body.to_string());
    for (kind, pointer) in expect {
        rec["expect"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({ "kind": kind, "pointer": pointer }));
    }
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&rec).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// The severity of the finding of `kind` at `pointer` in a replay's JSON, and its status.
fn severity_and_status(v: &serde_json::Value, kind: &str, pointer: &str) -> (String, String) {
    let f = v["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["pointer"] == pointer)
        .unwrap_or_else(|| panic!("no {kind} {pointer} in {v}"));
    (
        f["severity"].as_str().unwrap().to_string(),
        f["status"].as_str().unwrap().to_string(),
    )
}

/// No finding is printed as a bare `error ...` / `warning ...` line: each carries its status.
fn assert_no_bare_severity_lines(out: &str) {
    for line in out.lines() {
        let t = line.trim_start();
        assert!(
            !(t.starts_with("error ") || t.starts_with("warning ") || t.starts_with("info ")),
            "bare severity line `{line}` in\n{out}"
        );
    }
}

#[test]
fn replay_shows_expected_findings_as_expected_and_summarises_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = token_recording_with(
        dir.path(),
        "expected.json",
        &["EXTRA_FIELD"],
        &[("undocumented_field", "/EXTRA_FIELD")],
    );
    let o = run(&["replay", "--format", "json", &path]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (severity, status) = severity_and_status(&v, "undocumented_field", "/EXTRA_FIELD");
    assert_eq!(status, "expected");
    let t = &v["totals"];
    assert_eq!(t["passed"], 1);
    assert_eq!(t["passed_with_expected"], 1);
    assert_eq!(t["unexpected"], 0);
    assert_eq!(t["missing"], 0);
    let expected = t["expected"].as_u64().unwrap();
    assert!(expected >= 1, "{t}");
    assert_eq!(
        t["expected_or_accepted"][severity.as_str()].as_u64(),
        Some(expected)
    );

    let o = run(&["replay", &path]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = stdout(&o);
    assert_no_bare_severity_lines(&out);
    assert!(out.contains("  PASS  recording "), "{out}");
    let line = format!("    expected   {severity:<7} undocumented_field /EXTRA_FIELD: ");
    let shown = out
        .lines()
        .find(|l| l.starts_with(&line))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        shown.ends_with(" — in the recording's expect list"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("replay: 1 passed (1 with expected findings), 0 failed; "),
        "{out}"
    );
    assert!(
        last.contains(&format!(" expected ({expected} {severity}")),
        "{out}"
    );
    assert!(last.ends_with("; 1 recording + 0 samples"), "{out}");
}

#[test]
fn replay_labels_unexpected_and_missing_findings_apart_from_expected_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = token_recording_with(
        dir.path(),
        "failing.json",
        &["EXTRA_FIELD", "SURPRISE"],
        &[
            ("undocumented_field", "/EXTRA_FIELD"),
            ("undocumented_field", "/ABSENT"),
        ],
    );
    let o = run(&["replay", "--format", "json", &path]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (sev_expected, status) = severity_and_status(&v, "undocumented_field", "/EXTRA_FIELD");
    assert_eq!(status, "expected");
    let (sev_surprise, status) = severity_and_status(&v, "undocumented_field", "/SURPRISE");
    assert_eq!(status, "unexpected");
    let t = &v["totals"];
    assert_eq!(t["failed"], 1);
    assert_eq!(t["unexpected"], 1);
    assert_eq!(t["unexpected_by_severity"][sev_surprise.as_str()], 1);
    assert_eq!(t["missing"], 1);
    // Backward compatible: the old lists are still there.
    assert_eq!(v["results"][0]["unexpected"][0]["pointer"], "/SURPRISE");
    assert_eq!(v["results"][0]["missing"][0]["pointer"], "/ABSENT");

    let o = run(&["replay", &path]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let out = stdout(&o);
    assert_no_bare_severity_lines(&out);
    let item = out.lines().find(|l| l.starts_with("  FAIL  ")).unwrap();
    assert!(
        item.ends_with(&format!(
            ": 1 unexpected finding (1 {sev_surprise}), 1 expected finding not reported"
        )),
        "{out}"
    );
    let position = |prefix: &str| {
        out.lines()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting with `{prefix}` in\n{out}"))
    };
    let unexpected = position(&format!(
        "    UNEXPECTED {sev_surprise:<7} undocumented_field /SURPRISE: "
    ));
    let missing =
        position("    MISSING    undocumented_field /ABSENT — in the expect list but not reported");
    let expected = position(&format!(
        "    expected   {sev_expected:<7} undocumented_field /EXTRA_FIELD: "
    ));
    // Failures first, apart from what was expected.
    assert!(unexpected < expected && missing < expected, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.contains(&format!(
            "0 passed, 1 failed (1 unexpected finding: 1 {sev_surprise}; 1 expected finding not reported)"
        )),
        "{out}"
    );

    let o = run(&["replay", "--format", "junit", &path]);
    let xml = stdout(&o);
    common::check_junit(&xml);
    let failure = &xml[xml.find("<failure").unwrap()..xml.find("</failure>").unwrap()];
    assert!(failure.contains("UNEXPECTED"), "{xml}");
    assert!(
        failure.contains("/SURPRISE") && failure.contains("MISSING"),
        "{xml}"
    );
    assert!(!failure.contains("/EXTRA_FIELD"), "{xml}");
    assert!(
        xml.contains(&format!(
            "expected {sev_expected} undocumented_field /EXTRA_FIELD"
        )),
        "{xml}"
    );

    let o = run(&["replay", "--format", "markdown", &path]);
    let md = stdout(&o);
    assert!(
        md.contains("| **FAIL**: **unexpected** | `undocumented_field` "),
        "{md}"
    );
    assert!(
        md.contains("| **FAIL**: expected | `undocumented_field` "),
        "{md}"
    );
    assert!(
        md.contains("| **FAIL**: **missing** | `undocumented_field` | `/ABSENT` |"),
        "{md}"
    );
    assert!(md.contains("**Result:** 0 passed, **1 failed** ("), "{md}");
}

#[test]
fn replay_never_prints_a_card_number_held_in_a_key_or_in_the_expect_list() {
    let dir = tempfile::tempdir().unwrap();
    // The key is a card number: its finding's pointer, the unexpected entry (it is not
    // expected as written) and the missing entry would all show it.
    let path = token_recording_with(
        dir.path(),
        "key.json",
        &["4111111111111111"],
        &[("undocumented_field", "/4111 1111 1111 1111")],
    );
    for format in ["human", "json", "markdown", "junit"] {
        let o = run(&["replay", "--format", format, &path]);
        assert_eq!(code(&o), 1, "{}", text(&o));
        let all = text(&o);
        assert!(all.contains("secret_in_recording"), "{all}");
        assert!(!all.contains("4111111111111111"), "{all}");
        assert!(!all.contains("4111 1111 1111 1111"), "{all}");
    }
}

#[test]
fn default_replay_shows_no_bare_severity_line_and_its_totals_add_up() {
    let o = run(&["replay"]);
    let out = stdout(&o);
    assert_no_bare_severity_lines(&out);
    assert!(
        out.lines().next().unwrap().starts_with("Replaying "),
        "{out}"
    );
    let o = run(&["replay", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = &v["totals"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(
        n("passed") + n("failed") + n("unreadable"),
        n("recordings") + n("samples")
    );
    let sum = |k: &str| {
        ["error", "warning", "info"]
            .iter()
            .map(|s| t[k][s].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(sum("expected_or_accepted"), n("expected") + n("accepted"));
    assert_eq!(sum("unexpected_by_severity"), n("unexpected"));
    let mut statuses = std::collections::BTreeMap::<String, u64>::new();
    for r in v["results"].as_array().unwrap() {
        for f in r["findings"].as_array().unwrap() {
            *statuses
                .entry(f["status"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    let count = |s: &str| statuses.get(s).copied().unwrap_or(0);
    assert_eq!(count("expected"), n("expected"));
    assert_eq!(count("accepted"), n("accepted"));
    assert_eq!(count("unexpected"), n("unexpected"));
}

/// `live` or `record` (`cmd`) against the mock at `urls` (cpay, hub, global) with `args`,
/// without any `PAYPLE_*` variable of this environment (the documented test account).
fn against_mock(cmd: &str, urls: &[String; 3], args: &[&str]) -> Output {
    let mut c = bin();
    c.arg(cmd)
        .args([
            "--cpay-url",
            &urls[0],
            "--hub-url",
            &urls[1],
            "--global-url",
            &urls[2],
        ])
        .args(["--timeout", "10"])
        .args(args)
        .stdin(Stdio::null());
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PAYPLE_")) {
        c.env_remove(k);
    }
    c.output().unwrap()
}

/// Stops a mock started by `start_mock` with Ctrl-C: it must exit 0 and say so.
fn stop_mock(mock: (std::process::Child, impl std::io::Read)) -> String {
    let (status, _, err) = interrupt(mock.0, mock.1);
    assert!(status.success(), "{status}: {err}");
    assert!(err.contains("payple-mock: stopped after "), "{err}");
    err
}

#[test]
fn live_against_a_local_mock_exits_by_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("no-baselines");
    let json_args = ["--baselines", none.to_str().unwrap(), "--format", "json"];

    // A faithful mock: every scenario runs; the exit code is the report's (1 for any ERR or
    // WARN item, else 0) and the report names the mock's hosts.
    let (mock, urls, out) = start_mock(&[], &["--quiet"]);
    let o = against_mock("live", &urls, &json_args);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let totals = &report["totals"];
    assert_eq!(totals["failed"], 0, "{}", text(&o));
    assert!(totals["ran"].as_u64().unwrap() > 10, "{totals}");
    assert_eq!(totals["ran"], totals["scenarios"]);
    let drift = totals["err"].as_u64().unwrap() + totals["warn"].as_u64().unwrap();
    assert_eq!(code(&o), i32::from(drift > 0), "{}", text(&o));
    assert_eq!(report["exit_code"], code(&o));
    for (svc, url) in ["cpay", "hub", "global"].iter().zip(&urls) {
        assert_eq!(report["hosts"][svc], url.as_str());
    }
    let markdown = dir.path().join("live.md");
    let o = against_mock(
        "live",
        &urls,
        &[
            "--baselines",
            none.to_str().unwrap(),
            "--output",
            dir.path().join("live.txt").to_str().unwrap(),
            "--report",
            &format!("markdown={}", markdown.display()),
        ],
    );
    assert_eq!(code(&o), i32::from(drift > 0), "{}", text(&o));
    assert!(std::fs::read_to_string(&markdown).unwrap().starts_with('#'));
    let err = stop_mock((mock, out));
    assert!(err.contains("stopped after"), "{err}");

    // Drift: a renamed response field is an ERR, exit 1.
    let (mock, urls, out) = start_mock(
        &[],
        &[
            "--quiet",
            "--drift",
            "rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_RENAMED",
        ],
    );
    let o = against_mock("live", &urls, &json_args);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errs: Vec<&serde_json::Value> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["drift"].as_array().unwrap())
        .filter(|d| d["level"] == "ERR")
        .collect();
    assert!(
        errs.iter().any(|d| d["pointer"] == "/PCD_PAY_MSG"),
        "{errs:?}"
    );
    stop_mock((mock, out));

    // An outage: hub answers 503, its scenarios could not run, exit 2.
    let (mock, urls, out) = start_mock(&[], &["--quiet", "--fault", "http:503@hub"]);
    let o = against_mock("live", &urls, &json_args);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for s in report["scenarios"].as_array().unwrap() {
        assert_eq!(s["outcome"] == "failed", s["service"] == "hub", "{s}");
    }
    assert!(text(&o).contains("could-not-run (exit 2)"), "{}", text(&o));
    stop_mock((mock, out));
}

#[test]
fn record_writes_recordings_that_replay_and_baselines_that_live_uses() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let (mock, urls, out) = start_mock(&[], &["--quiet"]);
    let o = against_mock("record", &urls, &["--out", rec.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let count = |sub: &str| {
        std::fs::read_dir(rec.join(sub))
            .map(|d| d.flatten().count())
            .unwrap_or(0)
    };
    let recordings = count("cpay") + count("hub") + count("global");
    assert!(recordings > 10, "{recordings} recordings: {}", text(&o));
    assert_eq!(count("baselines"), recordings);
    assert!(
        text(&o).contains(&format!(
            "wrote {recordings} recordings and {recordings} baselines"
        )),
        "{}",
        text(&o)
    );
    // The recordings replay as recorded.
    let r = run(&["replay", rec.to_str().unwrap()]);
    assert_eq!(code(&r), 0, "{}", text(&r));
    let last = stdout(&r).lines().last().unwrap().to_string();
    assert!(
        last.starts_with(&format!("replay: {recordings} passed")),
        "{last}"
    );
    // Against the baselines just written, the same mock shows no drift at all.
    let baselines = rec.join("baselines");
    let o = against_mock(
        "live",
        &urls,
        &[
            "--baselines",
            baselines.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        !o.stdout.windows(16).any(|w| w == b"baseline-missing"),
        "{report}"
    );
    stop_mock((mock, out));
}

#[test]
fn mock_serves_a_request_and_stops_on_ctrl_c() {
    let (mock, urls, out) = start_mock(&[], &[]);
    for url in &urls {
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    }
    let token = documented_request("hub.token");
    let (status, body) = http(
        "POST",
        &urls[1],
        "/oauth/token",
        &[("Content-Type", "application/json")],
        token.as_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        answer["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{answer}"
    );
    let err = stop_mock((mock, out));
    assert!(
        err.contains(" hub POST /oauth/token hub.token 200 "),
        "{err}"
    );
    assert!(err.contains("stopped after 1 requests"), "{err}");
    // Nothing listens any more.
    let addr = urls[1].trim_start_matches("http://");
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn mock_refuses_bad_options_without_starting() {
    for args in [
        vec!["mock", "--fault", "no-such-fault"],
        vec!["mock", "--drift", "rename:no.such_endpoint:A:B"],
        vec!["mock", "--port", "70000"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", text(&o));
        assert!(!stdout(&o).contains("Ctrl-C stops the mock"), "{args:?}");
    }
}

/// The first documented request sample of `endpoint` that is JSON and expects no finding.
fn documented_request(endpoint: &str) -> String {
    let ep = payple_types::endpoint(endpoint).unwrap();
    ep.samples
        .iter()
        .filter(|s| s.part == payple_types::Part::Request && s.expect.is_empty())
        .find(|s| serde_json::from_str::<serde_json::Value>(s.raw).is_ok())
        .unwrap_or_else(|| panic!("{endpoint} has no clean JSON request sample"))
        .raw
        .to_string()
}
