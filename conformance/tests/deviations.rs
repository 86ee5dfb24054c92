//! Accepted deviations: each rule of the deviations file, through the binary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{code, run, run_stdin, stdout, text};
use std::path::Path;

/// A complete card result whose success status carries a failure code (PCHK9997): one
/// error, `success_code_mismatch /PCD_PAY_CODE` (fingerprint 78dcced25b654a1f), and nothing
/// else.
const MISMATCH: &[u8] = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"card","PCD_PAY_OID":"o1","PCD_PAYER_ID":"k","PCD_PAY_GOODS":"g","PCD_PAY_TOTAL":"1000","PCD_PAY_CARDNAME":"BC","PCD_PAY_CARDNUM":"1111-****-****-2222","PCD_PAY_CARDTRADENUM":"2020031413203326920","PCD_PAY_TIME":"2020-03-20 19:50:00"}"#;

const ENTRY_TAIL: &str = "    reason: Payple sends PCHK0000 for cards too\n    link: https://github.com/payple-spec/payple-spec/issues/7\n";

fn write(dir: &Path, name: &str, yaml: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, yaml).unwrap();
    p.to_str().unwrap().to_string()
}

fn validate(file: &str, today: &str, format: &str) -> std::process::Output {
    run_stdin(
        &[
            "validate",
            "--endpoint",
            "cpay.result_inquiry",
            "--deviations",
            file,
            "--today",
            today,
            "--format",
            format,
        ],
        MISMATCH,
    )
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn without_deviations_the_mismatch_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.yaml", "deviations: []\n");
    let o = validate(&f, "2026-06-01", "json");
    assert_eq!(code(&o), 1, "{}", text(&o));
    let v = json(&o);
    assert!(v["findings"][0].get("accepted").is_none());
    assert_eq!(v["deviations"]["unused"], serde_json::json!([]));
}

#[test]
fn an_entry_accepts_by_pointer_field_or_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    for (i, selector) in [
        "  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_CODE\n",
        "  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    field: PCD_PAY_CODE\n",
        "  - fingerprint: 78dcced25b654a1f\n",
        "  - fingerprint: 78dcced25b654a1f\n    endpoint: cpay.result_inquiry\n",
    ]
    .iter()
    .enumerate()
    {
        let yaml = format!("deviations:\n{selector}{ENTRY_TAIL}    expires: 2026-12-31\n");
        let f = write(dir.path(), &format!("d{i}.yaml"), &yaml);
        let o = validate(&f, "2026-06-01", "json");
        assert_eq!(code(&o), 0, "{selector}: {}", text(&o));
        let v = json(&o);
        assert_eq!(
            v["findings"][0]["accepted"],
            serde_json::json!({
                "reason": "Payple sends PCHK0000 for cards too",
                "link": "https://github.com/payple-spec/payple-spec/issues/7",
                "expires": "2026-12-31"
            }),
            "{selector}"
        );
        assert_eq!(v["deviations"]["accepted"], 1);
        assert_eq!(v["deviations"]["unused"], serde_json::json!([]));
        // The finding is still reported, marked as accepted, in every other format.
        let human = stdout(&validate(&f, "2026-06-01", "human"));
        assert!(human.contains("accepted error success_code_mismatch /PCD_PAY_CODE"), "{human}");
        assert!(human.contains("valid: 0 errors, 0 warnings, 1 accepted"), "{human}");
        let md = stdout(&validate(&f, "2026-06-01", "markdown"));
        assert!(md.contains("| accepted | `success_code_mismatch` error |"), "{md}");
        let junit = stdout(&validate(&f, "2026-06-01", "junit"));
        assert!(!junit.contains("<failure"), "{junit}");
        assert!(junit.contains("accepted error success_code_mismatch"), "{junit}");
    }
}

#[test]
fn an_entry_for_another_pointer_kind_or_endpoint_accepts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for selector in [
        "  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_MSG\n",
        "  - endpoint: cpay.result_inquiry\n    kind: unknown_result_code\n    pointer: /PCD_PAY_CODE\n",
        "  - endpoint: cpay.cancel\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_CODE\n",
        "  - fingerprint: 0123456789abcdef\n",
    ] {
        let yaml = format!("deviations:\n{selector}{ENTRY_TAIL}    expires: 2026-12-31\n");
        let f = write(dir.path(), "d.yaml", &yaml);
        let o = validate(&f, "2026-06-01", "json");
        assert_eq!(code(&o), 1, "{selector}: {}", text(&o));
        assert!(json(&o)["findings"][0].get("accepted").is_none());
    }
}

#[test]
fn an_expired_entry_no_longer_accepts_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "deviations:\n  - fingerprint: 78dcced25b654a1f\n{ENTRY_TAIL}    expires: 2026-05-31\n"
    );
    let f = write(dir.path(), "d.yaml", &yaml);
    // The last day still accepts.
    let o = validate(&f, "2026-05-31", "json");
    assert_eq!(code(&o), 0, "{}", text(&o));
    // The day after, it does not.
    let o = validate(&f, "2026-06-01", "json");
    assert_eq!(code(&o), 1, "{}", text(&o));
    let v = json(&o);
    assert!(v["findings"][0].get("accepted").is_none());
    assert_eq!(
        v["findings"][0]["expired_deviation"]["expires"],
        "2026-05-31"
    );
    let expired = &v["deviations"]["expired"][0];
    assert_eq!(expired["at"], format!("{f}:2:5"));
    assert_eq!(expired["matched"], 1);
    assert_eq!(v["deviations"]["unused"], serde_json::json!([]));
    let human = stdout(&validate(&f, "2026-06-01", "human"));
    assert!(
        human.contains(&format!("{f}:2:5: warning: expired deviation")),
        "{human}"
    );
    assert!(human.contains("deviation expired on 2026-05-31"), "{human}");
    let md = stdout(&validate(&f, "2026-06-01", "markdown"));
    assert!(md.contains("deviation **expired** on 2026-05-31"), "{md}");
    assert!(md.contains("- **warning** "), "{md}");
    let junit = stdout(&validate(&f, "2026-06-01", "junit"));
    assert!(junit.contains("<failure"), "{junit}");
    assert!(
        junit.contains("<skipped message=\"warning: expired deviation"),
        "{junit}"
    );
}

#[test]
fn an_unmatched_entry_is_an_unused_warning_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "# header\ndeviations:\n  - endpoint: cpay.result_inquiry\n    kind: missing_required\n    field: PCD_PAY_OID\n{ENTRY_TAIL}    expires: 2026-12-31\n  - endpoint: hub.token\n    kind: invalid_value\n    field: token_type\n{ENTRY_TAIL}    expires: 2026-12-31\n"
    );
    let f = write(dir.path(), "d.yaml", &yaml);
    let o = validate(&f, "2026-06-01", "json");
    // A warning only: the exit code is that of the findings.
    assert_eq!(code(&o), 1, "{}", text(&o));
    let v = json(&o);
    // The hub.token entry is out of scope when validating cpay.result_inquiry.
    assert_eq!(v["deviations"]["unused"].as_array().unwrap().len(), 1);
    assert_eq!(v["deviations"]["unused"][0]["at"], format!("{f}:3:5"));
    assert!(
        v["deviations"]["unused"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(
                "unused deviation (cpay.result_inquiry missing_required field PCD_PAY_OID)"
            )
    );
    let human = stdout(&validate(&f, "2026-06-01", "human"));
    assert!(
        human.contains(&format!("{f}:3:5: warning: unused deviation")),
        "{human}"
    );
    assert!(human.contains("1 unused deviation"), "{human}");
    let md = stdout(&validate(&f, "2026-06-01", "markdown"));
    assert!(
        md.contains("### Deviations") && md.contains("unused deviation"),
        "{md}"
    );
    let junit = stdout(&validate(&f, "2026-06-01", "junit"));
    assert!(
        junit.contains("<skipped message=\"warning: unused deviation"),
        "{junit}"
    );

    // In replay, every entry whose endpoint was replayed counts.
    let o = run(&[
        "replay",
        "--deviations",
        &f,
        "--today",
        "2026-06-01",
        "--format",
        "json",
        "recordings/",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        json(&o)["deviations"]["unused"].as_array().unwrap().len(),
        2
    );
}

#[test]
fn replay_does_not_count_an_accepted_finding_as_unexpected() {
    let dir = tempfile::tempdir().unwrap();
    let recording = std::fs::read_to_string(
        common::repo_root().join("recordings/cpay/result_inquiry_card_pchk0000.json"),
    )
    .unwrap()
    .replace(
        r#"{ "kind": "success_code_mismatch", "pointer": "/PCD_PAY_CODE" }"#,
        "",
    );
    let path = dir.path().join("r.json");
    std::fs::write(&path, recording).unwrap();
    let path = path.to_str().unwrap();
    let yaml = format!(
        "deviations:\n  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_CODE\n{ENTRY_TAIL}    expires: 2026-12-31\n"
    );
    let f = write(dir.path(), "d.yaml", &yaml);
    let o = run(&[
        "replay",
        "--deviations",
        &f,
        "--today",
        "2026-06-01",
        "--format",
        "json",
        path,
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["results"][0]["passed"], true);
    assert_eq!(v["results"][0]["unexpected"], serde_json::json!([]));
    assert_eq!(v["totals"]["accepted"], 1);
    assert_eq!(v["totals"]["errors"], 0);
    // Expired: the finding is unexpected again and the item fails.
    let o = run(&[
        "replay",
        "--deviations",
        &f,
        "--today",
        "2027-01-01",
        "--format",
        "json",
        path,
    ]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert_eq!(
        json(&o)["results"][0]["unexpected"][0]["kind"],
        "success_code_mismatch"
    );
}

#[test]
fn an_accepted_finding_that_is_also_expected_still_passes() {
    let o = run(&[
        "replay",
        "--deviations",
        "conformance/tests/fixtures/deviations.yaml",
        "--today",
        "2026-06-01",
        "--format",
        "json",
        "recordings/cpay/result_inquiry_card_pchk0000.json",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["results"][0]["passed"], true);
    assert_eq!(v["results"][0]["missing"], serde_json::json!([]));
    assert!(v["results"][0]["findings"][0]["accepted"].is_object());
}

#[test]
fn malformed_files_exit_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let full = |extra: &str| {
        format!(
            "deviations:\n  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_CODE\n{ENTRY_TAIL}    expires: 2026-12-31\n{extra}"
        )
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (full("    owner: me\n"), ":8:", "unknown field `owner`"),
        (full("").replace("deviations:", "deviation:"), ":1:", "unknown field `deviation`"),
        (full("").replace("    expires: 2026-12-31\n", ""), ":2:5:", "`expires` is required"),
        (full("").replace("2026-12-31", "31.12.2026"), ":7:14:", "not a date written YYYY-MM-DD"),
        (full("").replace("2026-12-31", "2026-02-30"), ":7:14:", "not a day of the calendar"),
        (full("").replace("https://github.com", "github.com"), ":6:11:", "must be an http(s) URL"),
        (full("").replace("    reason: Payple sends PCHK0000 for cards too\n", "    reason: \" \"\n"), ":5:13:", "`reason` is empty"),
        (full("").replace("success_code_mismatch", "sucess_code_mismatch"), ":3:11:", "unknown finding kind `sucess_code_mismatch`"),
        (full("").replace("endpoint: cpay.result_inquiry", "endpoint: cpay.nope"), ":2:15:", "unknown endpoint `cpay.nope`"),
        (full("    field: PCD_PAY_CODE\n"), ":8:12:", "give `field` or `pointer`, not both"),
        (full("").replace("    pointer: /PCD_PAY_CODE\n", "    pointer: PCD_PAY_CODE\n"), ":4:14:", "must be a JSON pointer"),
        (full("").replace("    pointer: /PCD_PAY_CODE\n", ""), ":2:5:", "`field` or `pointer` is required"),
        (full("").replace("  - endpoint: cpay.result_inquiry\n", "  - fingerprint: 78dcced25b654a1f\n"), ":3:11:", "a `fingerprint` entry takes no `kind`"),
        (full("").replace("  - endpoint: cpay.result_inquiry\n    kind: success_code_mismatch\n    pointer: /PCD_PAY_CODE\n", "  - fingerprint: XYZ\n"), ":2:18:", "16 lower-case hexadecimal digits"),
        ("deviations:\n  - [unclosed\n".to_string(), ":", ""),
        ("deviations: 3\n".to_string(), ":1:", ""),
    ];
    for (yaml, at, message) in cases {
        let f = write(dir.path(), "bad.yaml", &yaml);
        for command in [
            vec![
                "validate",
                "--endpoint",
                "cpay.result_inquiry",
                "--deviations",
                &f,
                "-",
            ],
            vec!["replay", "--deviations", &f, "recordings/"],
        ] {
            let o = run_stdin(&command, MISMATCH);
            assert_eq!(code(&o), 2, "{yaml}\n{}", text(&o));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains(&format!("{f}{at}")),
                "{yaml}\nwant {at}\n{err}"
            );
            assert!(err.contains(message), "{yaml}\nwant {message}\n{err}");
            assert!(o.stdout.is_empty(), "{yaml}");
        }
    }
}

#[test]
fn a_missing_explicit_file_and_a_bad_today_exit_2() {
    let o = run(&[
        "replay",
        "--deviations",
        "/no/such/deviations.yaml",
        "recordings/",
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("/no/such/deviations.yaml"),
        "{}",
        text(&o)
    );
    for today in ["2026-13-01", "tomorrow", "2026-1-1"] {
        let o = run(&["replay", "--today", today, "recordings/"]);
        assert_eq!(code(&o), 2, "{today}: {}", text(&o));
    }
}

#[test]
fn the_shipped_file_is_used_by_default_and_accepts_nothing() {
    let o = run(&["replay", "--format", "json", "recordings/"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["deviations"]["file"], "conformance/deviations.yaml");
    assert_eq!(v["deviations"]["accepted"], 0);
    assert_eq!(v["deviations"]["unused"], serde_json::json!([]));
    assert_eq!(v["deviations"]["expired"], serde_json::json!([]));
}
