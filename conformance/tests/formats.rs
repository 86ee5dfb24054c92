//! Snapshots of every output format (human, json, markdown, junit) of `validate`, `replay`
//! and `coverage`, on the shipped recordings and the fixture corpus under tests/fixtures/.
//! Deviations come from tests/fixtures/deviations.yaml judged on a fixed date.

#![allow(clippy::unwrap_used)]

mod common;

use common::{check_junit, code, run, stdout, text};

const FORMATS: [&str; 4] = ["human", "json", "markdown", "junit"];
const FIXTURE_DEVIATIONS: [&str; 4] = [
    "--deviations",
    "conformance/tests/fixtures/deviations.yaml",
    "--today",
    "2026-06-01",
];

/// Runs `args` in every format, checks the exit code and the output's well-formedness, and
/// snapshots each as `<name>_<format>`.
fn snapshot_every_format(name: &str, args: &[&str], exit: i32) {
    for format in FORMATS {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", format]);
        let o = run(&all);
        assert_eq!(code(&o), exit, "{format}: {}", text(&o));
        let out = stdout(&o);
        match format {
            "json" => {
                serde_json::from_str::<serde_json::Value>(&out).unwrap();
            }
            "junit" => check_junit(&out),
            _ => {}
        }
        insta::assert_snapshot!(format!("{name}_{format}"), out);
    }
}

#[test]
fn validate_fixture_body_in_every_format() {
    let mut args = vec!["validate", "--endpoint", "cpay.result_inquiry"];
    args.extend(FIXTURE_DEVIATIONS);
    args.push("conformance/tests/fixtures/bodies/card_pchk0000.json");
    // PCHK0000 on a card is a warning (the per-method pairing is the weaker statement);
    // the deviations file accepts it by fingerprint.
    snapshot_every_format("validate_fixture_body", &args, 0);
}

#[test]
fn validate_fixture_body_without_deviations_in_every_format() {
    snapshot_every_format(
        "validate_fixture_body_no_deviations",
        &[
            "validate",
            "--endpoint",
            "cpay.result_inquiry",
            "conformance/tests/fixtures/bodies/card_pchk0000.json",
        ],
        0,
    );
}

#[test]
fn replay_shipped_recordings_in_every_format() {
    snapshot_every_format("replay_shipped_recordings", &["replay", "recordings/"], 0);
}

#[test]
fn replay_fixture_recordings_in_every_format() {
    let mut args = vec!["replay"];
    args.extend(FIXTURE_DEVIATIONS);
    args.push("conformance/tests/fixtures/recordings");
    snapshot_every_format("replay_fixture_recordings", &args, 1);
}

#[test]
fn coverage_shipped_recordings_in_every_format() {
    snapshot_every_format(
        "coverage_shipped_recordings",
        &[
            "coverage",
            "--endpoint",
            "cpay.result_inquiry",
            "--endpoint",
            "hub.token",
            "--endpoint",
            "cpay.auth",
            "recordings/",
        ],
        0,
    );
}

#[test]
fn coverage_fixture_recordings_below_minimum_in_every_format() {
    snapshot_every_format(
        "coverage_fixture_recordings_min",
        &[
            "coverage",
            "--min",
            "60",
            "--endpoint",
            "cpay.result_inquiry",
            "--endpoint",
            "hub.token",
            "conformance/tests/fixtures/recordings",
        ],
        1,
    );
}
