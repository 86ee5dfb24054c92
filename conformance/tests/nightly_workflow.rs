//! The nightly workflow's issue filing (scripts/file-drift-issue.sh, called by
//! .github/workflows/nightly.yml), run with a stand-in for the GitHub CLI first on PATH that
//! records every call: exit code 0 files nothing, 1 opens ONE `api-drift` issue or updates
//! the open one, 2 (an outage) files nothing and says so in the job summary.

#![allow(clippy::unwrap_used)]

mod common;

use common::{code, repo_root, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The stand-in `gh`: appends its arguments (one call a line, arguments separated by ` | `)
/// to `$FAKE_GH_LOG`, copies a `--body-file` to `$FAKE_GH_LOG.body`, prints
/// `$FAKE_GH_OPEN_ISSUE` for `issue list`, fails `label create` when `$FAKE_GH_LABEL_EXISTS`
/// is set and any call whose first two arguments equal `$FAKE_GH_FAIL`.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -u
line=""
for a in "$@"; do line="$line${line:+ | }$a"; done
printf '%s\n' "$line" >>"$FAKE_GH_LOG"
prev=""
for a in "$@"; do
  if [ "$prev" = "--body-file" ]; then cp "$a" "$FAKE_GH_LOG.body"; fi
  prev="$a"
done
if [ "${FAKE_GH_FAIL:-}" = "$1 ${2:-}" ]; then echo "gh: failed" >&2; exit 1; fi
case "$1 ${2:-}" in
  "label create") if [ -n "${FAKE_GH_LABEL_EXISTS:-}" ]; then echo "already exists" >&2; exit 1; fi ;;
  "issue list") if [ -n "${FAKE_GH_OPEN_ISSUE:-}" ]; then echo "$FAKE_GH_OPEN_ISSUE"; fi ;;
esac
exit 0
"#;

const RUN_URL: &str = "https://github.com/o/r/actions/runs/42";

struct Run {
    out: Output,
    calls: Vec<String>,
    body: Option<String>,
    summary: String,
}

/// Runs the script for `exit_code` with `report` as live.md and the stand-in `gh` (set up by
/// `env`) first on PATH.
fn file_issue(exit_code: &str, report: Option<&str>, env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let gh = bin.join("gh");
    std::fs::write(&gh, FAKE_GH).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = dir.path().join("gh.log");
    let summary = dir.path().join("summary.md");
    let live_md = dir.path().join("live.md");
    if let Some(r) = report {
        std::fs::write(&live_md, r).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut c = Command::new("bash");
    c.arg(repo_root().join("scripts/file-drift-issue.sh"))
        .arg(exit_code)
        .arg(&live_md)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .env("PATH", path)
        .env("FAKE_GH_LOG", &log)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUN_URL", RUN_URL)
        .env_remove("DRIFT_LABEL")
        .env_remove("FAKE_GH_OPEN_ISSUE")
        .env_remove("FAKE_GH_LABEL_EXISTS")
        .env_remove("FAKE_GH_FAIL");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let body_file: PathBuf = format!("{}.body", log.display()).into();
    Run {
        calls: read(&log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
        body: read(&body_file),
        summary: read(&summary).unwrap_or_default(),
        out,
    }
}

const REPORT: &str = "# Payple live check\n\nERR cpay.auth: field `PCD_PAY_MSG` renamed\n";

#[test]
fn no_drift_files_nothing() {
    let r = file_issue("0", Some(REPORT), &[]);
    assert_eq!(code(&r.out), 0, "{}", text(&r.out));
    assert!(r.calls.is_empty(), "{:?}", r.calls);
    assert!(r.summary.is_empty());
}

#[test]
fn drift_opens_one_labelled_issue_with_the_report() {
    let r = file_issue("1", Some(REPORT), &[]);
    assert_eq!(code(&r.out), 0, "{}", text(&r.out));
    assert_eq!(r.calls.len(), 3, "{:?}", r.calls);
    assert_eq!(
        r.calls[0],
        "label | create | api-drift | --color | D93F0B | --description | Payple API drift found by the nightly live check"
    );
    assert_eq!(
        r.calls[1],
        "issue | list | --label | api-drift | --state | open | --limit | 1 | --json | number | --jq | .[0].number // empty"
    );
    assert!(
        r.calls[2].starts_with(
            "issue | create | --title | Payple API drift detected | --label | api-drift | --body-file | "
        ),
        "{}",
        r.calls[2]
    );
    let body = r.body.unwrap();
    assert!(body.starts_with(REPORT), "{body}");
    assert!(
        body.ends_with(&format!("Reports of this run: {RUN_URL}\n")),
        "{body}"
    );
    assert!(text(&r.out).contains("opened an issue"));
}

#[test]
fn drift_updates_the_open_issue_instead_of_opening_another() {
    // The label exists already: `gh label create` fails, which is fine.
    let r = file_issue(
        "1",
        Some(REPORT),
        &[
            ("FAKE_GH_OPEN_ISSUE", "17"),
            ("FAKE_GH_LABEL_EXISTS", "1"),
            ("DRIFT_LABEL", "payple-drift"),
        ],
    );
    assert_eq!(code(&r.out), 0, "{}", text(&r.out));
    assert_eq!(r.calls.len(), 4, "{:?}", r.calls);
    assert!(r.calls[0].starts_with("label | create | payple-drift | "));
    assert!(r.calls[1].starts_with("issue | list | --label | payple-drift | --state | open"));
    assert!(r.calls[2].starts_with("issue | edit | 17 | --body-file | "));
    assert_eq!(
        r.calls[3],
        format!("issue | comment | 17 | --body | Drift still present: {RUN_URL}")
    );
    assert!(!r.calls.iter().any(|c| c.starts_with("issue | create")));
    assert!(r.body.unwrap().starts_with(REPORT));
    assert!(text(&r.out).contains("updated issue #17"));
}

#[test]
fn a_long_report_is_cut_to_fit_an_issue_body() {
    let report = format!("# Payple live check\n{}", "ERR x\n".repeat(20_000));
    let r = file_issue("1", Some(&report), &[]);
    assert_eq!(code(&r.out), 0, "{}", text(&r.out));
    let body = r.body.unwrap();
    assert!(body.len() <= 65_536, "{} bytes", body.len());
    assert!(body.starts_with(&report[..1000]));
    assert!(body.contains(RUN_URL));
}

#[test]
fn an_outage_files_no_issue_and_says_so() {
    let r = file_issue("2", Some(REPORT), &[("FAKE_GH_OPEN_ISSUE", "17")]);
    assert_eq!(code(&r.out), 0, "{}", text(&r.out));
    assert!(r.calls.is_empty(), "{:?}", r.calls);
    assert!(text(&r.out).contains("::warning title=Payple could not be checked::"));
    assert!(r.summary.contains("Outage, not drift"), "{}", r.summary);
}

#[test]
fn a_failing_gh_call_or_an_unexpected_code_fails_the_step() {
    let r = file_issue("1", Some(REPORT), &[("FAKE_GH_FAIL", "issue create")]);
    assert_eq!(code(&r.out), 1, "{}", text(&r.out));
    let r = file_issue("1", None, &[]);
    assert_eq!(code(&r.out), 1, "{}", text(&r.out));
    assert!(r.calls.is_empty(), "{:?}", r.calls);
    for bad in ["3", "", "1; rm -rf /"] {
        let r = file_issue(bad, Some(REPORT), &[]);
        assert_eq!(code(&r.out), 1, "`{bad}`: {}", text(&r.out));
        assert!(r.calls.is_empty(), "{:?}", r.calls);
    }
}

#[test]
fn the_workflow_files_issues_through_the_script() {
    let wf = std::fs::read_to_string(repo_root().join(".github/workflows/nightly.yml")).unwrap();
    assert!(
        wf.contains("run: bash scripts/file-drift-issue.sh \"$LIVE_EXIT_CODE\" live.md"),
        "{wf}"
    );
    assert!(wf.contains("LIVE_EXIT_CODE: ${{ steps.live.outputs.exit_code }}"));
    // No other step calls gh on its own.
    assert_eq!(wf.matches("gh ").count(), 0, "{wf}");
}
