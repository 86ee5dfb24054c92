//! End-to-end tests of the `payple-conformance` binary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{code, repo_root, run, run_stdin, text};

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
    assert!(out.contains(" 0 failed, 0 unreadable"), "{out}");
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
        text(&o).contains("unexpected invalid_value /PCD_PAY_ISTAX"),
        "{}",
        text(&o)
    );
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

    let invalid = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"card"}"#;
    let o = run_stdin(
        &["validate", "--endpoint", "cpay.result_inquiry", "-"],
        invalid,
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("error success_code_mismatch /PCD_PAY_CODE"));

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
