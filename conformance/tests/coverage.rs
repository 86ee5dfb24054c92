//! The `coverage` subcommand: cells per field and payment method, nested pointers, legacy
//! names, result codes, samples, `--min` and exit codes.

#![allow(clippy::unwrap_used)]

mod common;

use common::{code, run, text};
use serde_json::{Value, json};
use std::path::Path;

fn coverage(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["coverage", "--format", "json"];
    all.extend(args);
    let o = run(&all);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (code(&o), v)
}

fn endpoint<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == id)
        .unwrap()
}

fn field<'a>(e: &'a Value, part: &str, pointer: &str) -> &'a Value {
    e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == part && f["pointer"] == pointer)
        .unwrap_or_else(|| panic!("no field {part} {pointer}"))
}

fn recording(dir: &Path, name: &str, endpoint: &str, response: Value) -> String {
    let r = json!({
        "endpoint": endpoint,
        "environment": "test",
        "recorded_at": "2026-11-23T00:00:00Z",
        "source": { "kind": "synthetic" },
        "response": { "status": 200, "body": response.to_string() },
        "expect": []
    });
    let p = dir.join(name);
    std::fs::write(&p, r.to_string()).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn cells_are_per_payment_method_and_only_card_and_transfer_bodies_cover_them() {
    let (c, v) = coverage(&["--endpoint", "cpay.result_inquiry", "recordings/"]);
    assert_eq!(c, 0);
    let e = endpoint(&v, "cpay.result_inquiry");
    assert_eq!(e["methods"], json!(["card", "transfer"]));
    let rst = field(e, "response", "/PCD_PAY_RST");
    assert_eq!(rst["counted"], json!(["card", "transfer"]));
    assert_eq!(rst["covered"], json!(["card", "transfer"]));
    // The rate-limit answer has no PCD_PAY_TYPE: seen as unspecified, covering nothing.
    assert_eq!(rst["bodies"]["unspecified"], 1);
    // A card-only field is one cell.
    let cardname = field(e, "response", "/PCD_PAY_CARDNAME");
    assert_eq!(cardname["applies"], "card");
    assert_eq!(cardname["counted"], json!(["card"]));
    // The legacy name PCD_PAYCHECK_FLAG covers PCD_PAYCHK_FLAG.
    let (_, legacy) = coverage(&[
        "--endpoint",
        "cpay.result_inquiry",
        "recordings/cpay/result_inquiry_request_legacy_flag.json",
    ]);
    let flag = field(
        endpoint(&legacy, "cpay.result_inquiry"),
        "request",
        "/PCD_PAYCHK_FLAG",
    );
    assert_eq!(flag["covered"], json!(["card"]), "{flag}");
    // Totals add up.
    let t = &e["totals"];
    let cells: u64 = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["counted"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(t["field_cells"], cells);
    assert_eq!(
        t["total"].as_u64().unwrap(),
        cells + t["result_codes"].as_u64().unwrap()
    );
}

#[test]
fn result_codes_are_the_success_codes_and_those_documented_for_the_endpoint() {
    let (_, v) = coverage(&["--endpoint", "cpay.result_inquiry", "recordings/"]);
    let e = endpoint(&v, "cpay.result_inquiry");
    let codes: Vec<&str> = e["result_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PCHK000", "PCHK0000", "PCHK9997"]);
    let pchk000 = &e["result_codes"][0];
    // Only the transfer code and the rate limit are recorded; PCHK0000 on a card result
    // counts for the code seen, not for the card success code.
    assert_eq!(pchk000["covered"], false);
    assert_eq!(e["result_codes"][1]["bodies"]["card"], 1);
    assert_eq!(e["result_codes"][1]["bodies"]["transfer"], 1);
    assert_eq!(e["result_codes"][2]["bodies"]["unspecified"], 1);
}

#[test]
fn nested_list_fields_have_their_own_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let r = recording(
        dir.path(),
        "list.json",
        "hub.request_info_inquiry",
        json!({ "result": "A0000", "list": [{ "cst_id": "x" }, { "sub_id": "y", "cst_id": "z" }] }),
    );
    let (c, v) = coverage(&["--endpoint", "hub.request_info_inquiry", &r]);
    assert_eq!(c, 0);
    let e = endpoint(&v, "hub.request_info_inquiry");
    assert_eq!(e["methods"], json!(["unspecified"]));
    let cst = field(e, "response", "/list/*/cst_id");
    assert_eq!(
        cst["bodies"]["unspecified"], 1,
        "one body, however many items"
    );
    assert_eq!(cst["covered"], json!(["unspecified"]));
    assert_eq!(
        field(e, "response", "/list/*/sub_id")["covered"],
        json!(["unspecified"])
    );
    assert_eq!(
        field(e, "response", "/list/*/tran_amt")["covered"],
        json!([])
    );
    assert_eq!(
        field(e, "response", "/list")["covered"],
        json!(["unspecified"])
    );
}

#[test]
fn unlisted_result_codes_are_reported_separately() {
    let dir = tempfile::tempdir().unwrap();
    let r = recording(
        dir.path(),
        "odd.json",
        "cpay.result_inquiry",
        json!({ "PCD_PAY_RST": "error", "PCD_PAY_CODE": "PCHK1234", "PCD_PAY_TYPE": "card" }),
    );
    let (_, v) = coverage(&["--endpoint", "cpay.result_inquiry", &r]);
    let e = endpoint(&v, "cpay.result_inquiry");
    assert_eq!(
        e["other_result_codes"],
        json!([{ "code": "PCHK1234", "in_catalog": false,
                 "bodies": { "card": 1, "transfer": 0, "other": 0, "unspecified": 0 } }])
    );
}

#[test]
fn samples_are_counted_only_when_asked() {
    let (_, without) = coverage(&["recordings/"]);
    let (c, with) = coverage(&["--include-samples", "recordings/"]);
    assert_eq!(c, 0);
    let samples: usize = payple_types::endpoints()
        .iter()
        .map(|e| e.samples.len())
        .sum();
    assert_eq!(without["sources"]["samples"], 0);
    assert_eq!(with["sources"]["samples"], samples);
    assert!(with["totals"]["covered"].as_u64() > without["totals"]["covered"].as_u64());
}

#[test]
fn default_corpus_is_the_repository_recordings() {
    let (c, v) = coverage(&[]);
    assert_eq!(c, 0);
    let files = std::fs::read_dir(common::repo_root().join("recordings/cpay"))
        .unwrap()
        .count()
        + std::fs::read_dir(common::repo_root().join("recordings/hub"))
            .unwrap()
            .count();
    assert_eq!(v["sources"]["recordings"], files);
    assert_eq!(
        v["endpoints"].as_array().unwrap().len(),
        payple_types::endpoints().len()
    );
}

#[test]
fn min_sets_the_exit_code_and_fails_junit_testcases() {
    let args = [
        "--endpoint",
        "hub.token",
        "--endpoint",
        "cpay.result_inquiry",
        "recordings/",
    ];
    let (c, v) = coverage(&[&["--min", "0"][..], &args].concat());
    assert_eq!(c, 0);
    let hub = endpoint(&v, "hub.token")["totals"]["percent"]
        .as_f64()
        .unwrap();
    let ri = endpoint(&v, "cpay.result_inquiry")["totals"]["percent"]
        .as_f64()
        .unwrap();
    assert!(ri < hub, "{ri} {hub}");
    let between = format!("{}", (ri + hub) / 2.0);
    let (c, v) = coverage(&[&["--min", &between][..], &args].concat());
    assert_eq!(c, 1);
    assert_eq!(endpoint(&v, "cpay.result_inquiry")["passed"], false);
    assert_eq!(endpoint(&v, "hub.token")["passed"], true);
    let o = run(&[
        &["coverage", "--format", "junit", "--min", &between][..],
        &args,
    ]
    .concat());
    assert_eq!(code(&o), 1);
    let xml = String::from_utf8(o.stdout.clone()).unwrap();
    common::check_junit(&xml);
    assert!(xml.contains("<testcase classname=\"coverage\" name=\"cpay.result_inquiry\""));
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    let (c, _) = coverage(&[&["--min", "100%"][..], &args].concat());
    assert_eq!(c, 1);
    for bad in ["101", "-1", "lots"] {
        let o = run(&["coverage", "--min", bad]);
        assert_eq!(code(&o), 2, "{bad}: {}", text(&o));
    }
}

#[test]
fn unknown_endpoints_and_unreadable_recordings_exit_2() {
    let o = run(&["coverage", "--endpoint", "cpay.nope"]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o).contains("payple-conformance endpoints"),
        "{}",
        text(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{").unwrap();
    let (c, v) = coverage(&[dir.path().to_str().unwrap()]);
    assert_eq!(c, 2);
    assert_eq!(v["sources"]["unreadable"], 1);
    assert!(
        v["unreadable"][0]["error"]
            .as_str()
            .unwrap()
            .contains("not JSON")
    );
}

#[test]
fn output_is_written_atomically_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for (i, command) in [
        vec!["coverage", "recordings/"],
        vec!["replay", "recordings/"],
        vec![
            "validate",
            "--endpoint",
            "hub.token",
            "recordings/hub/token_success.json",
        ],
    ]
    .into_iter()
    .enumerate()
    {
        for format in ["human", "json", "markdown", "junit"] {
            let out = dir.path().join(format!("{i}.{format}"));
            let mut args = command.clone();
            args.extend(["--format", format, "--output", out.to_str().unwrap()]);
            let o = run(&args);
            assert!(o.stdout.is_empty(), "{args:?}");
            assert!(code(&o) < 2, "{args:?}: {}", text(&o));
            let written = std::fs::read_to_string(&out).unwrap();
            assert!(!written.is_empty());
            assert!(!written.contains('\u{1b}'), "no colour in files");
        }
    }
    // Only the outputs are left: no temporary file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}
