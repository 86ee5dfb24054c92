//! Secrets, end to end: a distinct canary in every `PAYPLE_*` credential variable and in
//! every sensitive field of request and response bodies; then `validate`, `replay`, the
//! `mock` subcommand with `--log` (and requests carrying canary keys, card and account
//! numbers and tokens sent straight to it), `live` and `record` against that mock, in every
//! report format. No secret canary may appear in any output (standard output and error) or
//! in any file written, the mock's log included. Partner ids and the global check `code`
//! are identifiers, not secrets (conformance/README.md, "Secrets rule"): the mock's log
//! shows them.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, http, interrupt, start_mock, text};
use payple_types::{FieldShape, FieldSpec, Target, endpoints, service};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

const FORMATS: [&str; 4] = ["human", "json", "markdown", "junit"];

/// Every credential variable (`PAYPLE_<SERVICE>_<NAME>` of each test-account value of the
/// spec) with its canary, shaped as the field is documented (a partner id of at most 8
/// characters, a check code of 10 letters and digits), so that the mock reads each one and
/// refuses the account only for not knowing it.
fn credential_canaries() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for svc in ["cpay", "hub", "global"] {
        let s = service(svc).unwrap();
        for (name, _) in s.test_credentials {
            let var = payple_live::config::credential_variable(svc, name);
            let n = out.len();
            let canary = if var.ends_with("_CODE") {
                format!("Cnry{n:02}Code")
            } else if var.ends_with("_ID") {
                format!("cnry{n:02}id")
            } else {
                format!("CnryKey{n:02}{svc}")
            };
            out.push((var, canary));
        }
    }
    assert!(out.len() >= 7, "{out:?}");
    out
}

/// Whether a credential variable holds an identifier rather than a secret: the partner ids
/// (`cst_id`, `service_id`) and the global token request's check `code` (a billing key such
/// as `PAYPLE_CPAY_TRANSFER_PAYER_ID` is a secret).
fn is_identifier(var: &str) -> bool {
    var.ends_with("_CST_ID") || var.ends_with("_SERVICE_ID") || var == "PAYPLE_GLOBAL_CODE"
}

/// A body of `fields` with a canary (from `next`) in every sensitive scalar field, nested
/// objects and lists included, and an undocumented member holding one too.
fn body_with_canaries(fields: &[FieldSpec], next: &mut dyn FnMut() -> String) -> Value {
    let mut obj = Map::new();
    for f in fields {
        match f.shape {
            FieldShape::Scalar if f.sensitive => {
                obj.insert(f.name.into(), next().into());
            }
            FieldShape::Object(inner) => {
                obj.insert(f.name.into(), body_with_canaries(inner, next));
            }
            FieldShape::List(inner) => {
                obj.insert(f.name.into(), json!([body_with_canaries(inner, next)]));
            }
            FieldShape::Scalar => {}
        }
    }
    obj.insert("UNDOCUMENTED_SECRET".into(), next().into());
    Value::Object(obj)
}

/// Two canaries per call: one of letters (breaking numeric type codes, so that findings
/// are made about the value) and one of digits only.
struct Canaries {
    all: Vec<String>,
}

impl Canaries {
    fn letters(&mut self) -> String {
        let c = format!("CnryLtr{:04}Zq", self.all.len());
        self.all.push(c.clone());
        c
    }

    fn digits(&mut self) -> String {
        let c = format!("86753{:04}19", self.all.len());
        self.all.push(c.clone());
        c
    }
}

/// Every canary found in `haystack`, with where.
fn hits(canaries: &[String], haystack: &str, place: &str, out: &mut Vec<String>) {
    for c in canaries {
        if haystack.contains(c.as_str()) {
            out.push(format!("{place}: `{c}`"));
        }
    }
}

/// Every file below `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn run_with(env: &[(String, String)], args: &[&str]) -> Output {
    let mut c = bin();
    c.args(args).stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn no_canary_reaches_any_output_report_or_file() {
    let creds = credential_canaries();
    let (ids, keys): (Vec<_>, Vec<_>) = creds.iter().partition(|(var, _)| is_identifier(var));
    assert!(ids.len() >= 3 && keys.len() >= 3, "{creds:?}");
    let mut canaries = Canaries {
        all: keys.iter().map(|(_, v)| v.clone()).collect(),
    };
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let mut found = Vec::new();
    let mut runs = 0;

    // 1. Bodies: every endpoint part, canaries in every sensitive field.
    let bodies = dir.join("bodies");
    std::fs::create_dir_all(&bodies).unwrap();
    let recordings = dir.join("recordings-in");
    std::fs::create_dir_all(&recordings).unwrap();
    let mut requests = Vec::new();
    for ep in endpoints() {
        let request = body_with_canaries(ep.request, &mut || canaries.letters());
        requests.push((ep, request.clone()));
        let response = body_with_canaries(ep.response, &mut || canaries.digits());
        for (part, body) in [("request", &request), ("response", &response)] {
            let path = bodies.join(format!("{}.{part}.json", ep.id));
            std::fs::write(&path, body.to_string()).unwrap();
            for format in FORMATS {
                let out_file = dir.join(format!("validate-{}-{part}.{format}", ep.id));
                let o = run_with(
                    &creds,
                    &[
                        "validate",
                        "--endpoint",
                        ep.id,
                        "--part",
                        part,
                        "--format",
                        format,
                        path.to_str().unwrap(),
                    ],
                );
                hits(
                    &canaries.all,
                    &text(&o),
                    &format!("validate {} {part} {format}", ep.id),
                    &mut found,
                );
                let o = run_with(
                    &creds,
                    &[
                        "validate",
                        "--endpoint",
                        ep.id,
                        "--part",
                        part,
                        "--format",
                        format,
                        "--output",
                        out_file.to_str().unwrap(),
                        path.to_str().unwrap(),
                    ],
                );
                hits(&canaries.all, &text(&o), "validate --output", &mut found);
                runs += 2;
            }
        }
        // Recordings of the exchange, one per part, expecting nothing (so that every finding
        // is shown), with a canary bearer token in a header too.
        for part in ["request", "response"] {
            let rec = json!({
                "endpoint": ep.id,
                "environment": "test",
                "recorded_at": "2026-12-04T00:00:00Z",
                "source": { "kind": "synthetic" },
                "request": {
                    "method": "POST",
                    "url": "https://democpay.payple.kr/x",
                    "headers": { "Authorization": format!("Bearer {}", canaries.letters()) },
                    "body": request.to_string()
                },
                "response": { "status": 200, "headers": {}, "body": response.to_string() },
                "part": part,
                "expect": []
            });
            let name = format!("{}.{part}.json", ep.id.replace('.', "_"));
            std::fs::write(recordings.join(name), rec.to_string()).unwrap();
        }
    }

    // 2. Replay and coverage of those recordings, every format, to standard output and files.
    for format in FORMATS {
        let out_file = dir.join(format!("replay.{format}"));
        for args in [
            vec!["replay", "--format", format, recordings.to_str().unwrap()],
            vec![
                "replay",
                "--format",
                format,
                "--output",
                out_file.to_str().unwrap(),
                recordings.to_str().unwrap(),
            ],
        ] {
            let o = run_with(&creds, &args);
            hits(
                &canaries.all,
                &text(&o),
                &format!("replay {format}"),
                &mut found,
            );
            runs += 1;
        }
    }
    let o = run_with(
        &creds,
        &["coverage", "--format", "json", recordings.to_str().unwrap()],
    );
    hits(&canaries.all, &text(&o), "coverage", &mut found);

    // 3. The mock subcommand, and `live` and `record` against it: once with a canary in
    //    every credential (the mock refuses them: the error paths), once with the documented
    //    test account (accepted: tokens issued and used), whose key values must not show
    //    either.
    let mock_log = dir.join("mock-log.jsonl");
    let (mock, urls, mock_out) = start_mock(&creds, &["--log", mock_log.to_str().unwrap()]);
    // Straight to the mock: every endpoint's request with canaries in its sensitive fields
    // (keys, card and account numbers, tokens), a canary bearer token and a Referer with a
    // canary in its query; then as a form and as PHP `=>` text.
    let mut sent = 0;
    for (ep, body) in &requests {
        let base = match ep.service {
            "cpay" => &urls[0],
            "hub" => &urls[1],
            _ => &urls[2],
        };
        let path = match (ep.legacy_paths.first().copied(), ep.target) {
            (Some(p), _) | (None, Target::Path(p)) => p.to_string(),
            _ => format!("/__mock/return/{}", ep.id),
        };
        let bearer = format!("Bearer {}", canaries.letters());
        let referer = format!("https://partner.example/order?key={}", canaries.letters());
        let json = [
            ("Content-Type", "application/json"),
            ("Authorization", bearer.as_str()),
            ("Referer", referer.as_str()),
        ];
        let (status, _) = http("POST", base, &path, &json, body.to_string().as_bytes());
        assert!(status < 500, "{} {path}: {status}", ep.id);
        let flat: Vec<String> = body
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v)))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let form = [("Content-Type", "application/x-www-form-urlencoded")];
        http("POST", base, &path, &form, flat.join("&").as_bytes());
        let php = flat
            .iter()
            .map(|kv| kv.replacen('=', "' => '", 1))
            .collect::<Vec<_>>()
            .join("',\n  '");
        let php = format!("array(\n  '{php}'\n);");
        http("POST", base, &path, &json, php.as_bytes());
        sent += 3;
    }
    let conn = [
        "--cpay-url",
        urls[0].as_str(),
        "--hub-url",
        urls[1].as_str(),
        "--global-url",
        urls[2].as_str(),
        "--timeout",
        "10",
    ];
    let test_account: Vec<(String, String)> = ["cpay", "hub", "global"]
        .into_iter()
        .flat_map(|svc| {
            service(svc)
                .unwrap()
                .test_credentials
                .iter()
                .map(move |(name, value)| {
                    (
                        payple_live::config::credential_variable(svc, name),
                        (*value).to_string(),
                    )
                })
        })
        .collect();
    // The documented secrets: the keys. (The ids `test` and `demo` are words found
    // anywhere, and the check `code` of a token request is a nonce the answer echoes:
    // payple-live treats neither as secret, see `Credentials::secret_values`.)
    let test_secrets: Vec<String> = test_account
        .iter()
        .filter(|(var, _)| var.ends_with("_KEY"))
        .map(|(_, v)| v.clone())
        .collect();
    assert!(test_secrets.len() >= 3, "{test_secrets:?}");
    let mut all_secrets = canaries.all.clone();
    all_secrets.extend(test_secrets.iter().cloned());
    for (run, env) in [("canaries", &creds), ("test-account", &test_account)] {
        let reports = dir.join(format!("reports-{run}"));
        std::fs::create_dir_all(&reports).unwrap();
        for format in FORMATS {
            let mut args = vec!["live"];
            args.extend(conn);
            let output = reports.join(format!("live.{format}"));
            let extra: Vec<String> = FORMATS
                .iter()
                .map(|f| format!("{f}={}", reports.join(format!("live-also.{f}")).display()))
                .collect();
            let baselines = dir.join("no-baselines");
            args.extend([
                "--baselines",
                baselines.to_str().unwrap(),
                "--format",
                format,
            ]);
            let o = run_with(env, &args);
            hits(
                &all_secrets,
                &text(&o),
                &format!("live {run} {format}"),
                &mut found,
            );
            // The credentials reached the mock: with canaries it refuses the accounts.
            assert_eq!(
                text(&o).contains("refused"),
                run == "canaries",
                "live {run} {format}: {}",
                text(&o)
            );
            args.extend(["--output", output.to_str().unwrap()]);
            for e in &extra {
                args.extend(["--report", e.as_str()]);
            }
            let o = run_with(env, &args);
            hits(
                &all_secrets,
                &text(&o),
                &format!("live {run} --output {format}"),
                &mut found,
            );
            runs += 2;
        }
        let recorded = dir.join(format!("recorded-{run}"));
        let mut args = vec!["record"];
        args.extend(conn);
        args.extend(["--out", recorded.to_str().unwrap()]);
        let o = run_with(env, &args);
        hits(
            &all_secrets,
            &text(&o),
            &format!("record {run}"),
            &mut found,
        );
        if run == "test-account" {
            assert!(
                recorded.is_dir() && files_under(&recorded).len() > 10,
                "record wrote too little: {}",
                text(&o)
            );
            // What was recorded replays without showing them either.
            for format in FORMATS {
                let o = run_with(
                    env,
                    &["replay", "--format", format, recorded.to_str().unwrap()],
                );
                hits(
                    &all_secrets,
                    &text(&o),
                    &format!("replay of the recorded {format}"),
                    &mut found,
                );
            }
        }
    }
    // The mock's own output, after Ctrl-C, and its log file.
    let (status, rest, err) = interrupt(mock, mock_out);
    assert!(status.success(), "{status}: {err}");
    hits(&all_secrets, &format!("{rest}{err}"), "mock", &mut found);
    assert!(
        err.contains("stopped after"),
        "the mock served nothing? {err}"
    );
    let log = std::fs::read_to_string(&mock_log).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.len() >= sent,
        "{} lines for {sent} requests",
        lines.len()
    );
    assert!(
        lines
            .iter()
            .any(|l| l["authorization"] == "Bearer <redacted>"
                && l["referer"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("https://partner.example/order"))),
        "the log holds none of the requests sent straight to it"
    );
    hits(&all_secrets, &log, "mock --log", &mut found);
    // The identifiers are not secrets: the log shows the canary partner ids the live runs
    // sent (so the search above did read the canary runs' exchanges).
    let shown = ids.iter().filter(|(_, v)| log.contains(v.as_str())).count();
    assert!(shown >= 2, "{shown} of the ids {ids:?} in the log");

    // The search works: the inputs hold the canaries, hundreds of them.
    assert!(canaries.all.len() > 300, "{} canaries", canaries.all.len());
    let mut planted = Vec::new();
    for f in files_under(&recordings) {
        let text = std::fs::read_to_string(&f).unwrap();
        hits(&canaries.all, &text, "input", &mut planted);
    }
    assert!(planted.len() > 300, "{} canaries planted", planted.len());

    // 4. Every file written (reports, recordings, baselines).
    for f in files_under(dir) {
        // The inputs this test wrote hold the canaries on purpose.
        if f.starts_with(&bodies) || f.starts_with(&recordings) {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap();
        hits(
            &all_secrets,
            &String::from_utf8_lossy(&bytes),
            &f.display().to_string(),
            &mut found,
        );
    }
    if !found.is_empty() {
        // Keep the files for a look.
        let kept = work.keep();
        eprintln!("files kept in {}", kept.display());
    }
    assert!(runs > 200, "{runs} runs");
    assert!(
        found.is_empty(),
        "{} canary hit(s):\n{}",
        found.len(),
        found.join("\n")
    );
}
