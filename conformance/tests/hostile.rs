//! Hostile input at the command line: bodies (from a file and from standard input) and
//! recordings that are empty, HTML, truncated, BOM-prefixed, not UTF-8, oversized, deeply
//! nested, arrays or full of duplicate keys. Every one must end in a finding or a clear
//! error, never in a panic (exit 101) or a crash (a signal).

#![allow(clippy::unwrap_used)]

mod common;

use common::{code, run, run_stdin_counted, text};
use payple_types::MAX_BODY_BYTES;
use std::path::Path;

const ENDPOINT: [&str; 3] = ["validate", "--endpoint", "cpay.result_inquiry"];

/// Name, body, and what the malformed_body message must say.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut oversized = b"{\"PCD_PAY_MSG\":\"".to_vec();
    oversized.resize(MAX_BODY_BYTES + 100, b'x');
    oversized.extend_from_slice(b"\"}");
    vec![
        ("empty", Vec::new(), "the body is empty"),
        ("blank", b" \r\n\t ".to_vec(), "the body is empty"),
        (
            "html error page",
            b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n".to_vec(),
            "HTML or XML",
        ),
        (
            "truncated json",
            br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCH"#.to_vec(),
            "not valid JSON",
        ),
        (
            "utf-8 bom",
            b"\xEF\xBB\xBF{\"PCD_PAY_RST\":\"error\",\"PCD_PAY_CODE\":\"PCHK9997\",\"PCD_PAY_MSG\":\"x\"}".to_vec(),
            "byte-order mark",
        ),
        (
            "invalid utf-8",
            b"{\"PCD_PAY_RST\":\"\xff\xfe\",\"PCD_PAY_CODE\":\"PCHK9997\"}".to_vec(),
            "not valid UTF-8",
        ),
        ("over the cap", oversized, "more than the 4194304-byte cap"),
        (
            "10000-deep arrays",
            [vec![b'['; 10_000], vec![b']'; 10_000]].concat(),
            "not valid JSON",
        ),
        (
            "10000-deep objects",
            [b"{\"a\":".repeat(10_000), b"1".to_vec(), vec![b'}'; 10_000]].concat(),
            "not valid JSON",
        ),
        ("top-level array", br#"[{"PCD_PAY_RST":"error"}]"#.to_vec(), "not an object"),
        ("top-level string", br#""PCD_PAY_RST""#.to_vec(), "not an object"),
        ("nul bytes", b"\0\0\0\0".to_vec(), "not valid JSON"),
    ]
}

fn assert_malformed(o: &std::process::Output, name: &str, says: &str) {
    let all = text(o);
    assert_ne!(code(o), 101, "{name}: panic\n{all}");
    assert_eq!(code(o), 1, "{name}\n{all}");
    assert!(
        all.contains("error malformed_body (body): "),
        "{name}\n{all}"
    );
    assert!(all.contains(says), "{name}: want `{says}`\n{all}");
}

#[test]
fn hostile_bodies_from_a_file_and_from_stdin_are_malformed_bodies() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, body, says)) in hostile_bodies().into_iter().enumerate() {
        let path = dir.path().join(format!("body{i}"));
        std::fs::write(&path, &body).unwrap();
        let mut args = ENDPOINT.to_vec();
        args.push(path.to_str().unwrap());
        assert_malformed(&run(&args), name, says);
        let (o, _) = run_stdin_counted(&ENDPOINT, body.clone());
        assert_malformed(&o, name, says);
        // Every format survives the same input.
        for format in ["json", "markdown", "junit"] {
            let mut args = ENDPOINT.to_vec();
            args.extend(["--format", format, path.to_str().unwrap()]);
            let o = run(&args);
            assert_eq!(code(&o), 1, "{name} {format}: {}", text(&o));
            assert!(text(&o).contains("malformed_body"), "{name} {format}");
        }
    }
}

#[test]
fn duplicate_keys_are_malformed_at_their_pointer() {
    // Parsers disagree about which of two equal keys counts, so the one-pass validator
    // reports the second occurrence as malformed_body at its pointer, whichever value is bad.
    for body in [
        br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_ISTAX":"maybe","PCD_PAY_ISTAX":"Y"}"#.as_slice(),
        br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_ISTAX":"Y","PCD_PAY_ISTAX":"maybe"}"#.as_slice(),
    ] {
        let (o, _) = run_stdin_counted(
            &[&ENDPOINT[..], &["--format", "json"]].concat(),
            body.to_vec(),
        );
        assert_eq!(code(&o), 1, "{}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        let kinds: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f["kind"].as_str().unwrap(), f["pointer"].as_str().unwrap()))
            .collect();
        assert!(kinds.contains(&("malformed_body", "/PCD_PAY_ISTAX")), "{kinds:?}");
        assert!(kinds.contains(&("invalid_value", "/PCD_PAY_ISTAX")), "{kinds:?}");
        assert_eq!(kinds.len(), 2, "{kinds:?}");
    }
}

const FIFTY_MB: usize = 50 * 1024 * 1024;

fn fifty_mb_body() -> Vec<u8> {
    let mut body = b"{\"PCD_PAY_MSG\":\"".to_vec();
    body.resize(FIFTY_MB, b'a');
    body
}

#[test]
fn a_50_mb_body_on_stdin_is_not_read_whole() {
    let (o, written) = run_stdin_counted(&ENDPOINT, fifty_mb_body());
    assert_malformed(&o, "50 MB on stdin", "more than the 4194304-byte cap");
    // The binary stopped reading after MAX_BODY_BYTES + 1 bytes and closed the pipe: the
    // writer could not hand over more than that plus the pipe's buffer.
    assert!(
        written < MAX_BODY_BYTES + 4 * 1024 * 1024,
        "{written} bytes were accepted: the body was read whole"
    );
}

#[test]
fn a_50_mb_body_in_a_file_is_a_malformed_body() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    std::fs::write(&path, fifty_mb_body()).unwrap();
    let mut args = ENDPOINT.to_vec();
    args.push(path.to_str().unwrap());
    assert_malformed(&run(&args), "50 MB file", "more than the 4194304-byte cap");
}

#[cfg(unix)]
#[test]
fn a_50_mb_body_behind_a_file_path_is_not_read_whole() {
    use std::io::Write;
    // A named pipe stands in for the file so that the bytes read can be counted.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("body.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .unwrap();
        let body = fifty_mb_body();
        let mut written = 0usize;
        for chunk in body.chunks(64 * 1024) {
            match f.write_all(chunk) {
                Ok(()) => written += chunk.len(),
                Err(_) => break,
            }
        }
        written
    });
    let mut args = ENDPOINT.to_vec();
    args.push(fifo.to_str().unwrap());
    let o = run(&args);
    if !writer.is_finished() {
        // Unblock a writer still waiting (the binary must have closed the pipe by now).
        drop(std::fs::File::open(&fifo));
    }
    let written = writer.join().unwrap();
    assert_malformed(
        &o,
        "50 MB through a file path",
        "more than the 4194304-byte cap",
    );
    assert!(
        written < MAX_BODY_BYTES + 4 * 1024 * 1024,
        "{written} bytes were accepted: the file was read whole"
    );
}

fn recording(body_key: &str, body: serde_json::Value, expect: serde_json::Value) -> String {
    serde_json::json!({
        "endpoint": "cpay.result_inquiry",
        "environment": "test",
        "recorded_at": "2026-11-23T00:00:00Z",
        "source": { "kind": "synthetic" },
        "response": { "status": 200, "headers": {}, body_key: body },
        "expect": expect
    })
    .to_string()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn recordings_with_hostile_bodies_fail_or_pass_on_malformed_body() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(MAX_BODY_BYTES + 10);
    let bodies: Vec<(&str, &str, serde_json::Value)> = vec![
        ("empty", "body", "".into()),
        (
            "html",
            "body",
            "<html><body>502 Bad Gateway</body></html>".into(),
        ),
        ("truncated", "body", "{\"PCD_PAY_RST\":\"succ".into()),
        ("bom", "body", "\u{feff}{\"PCD_PAY_RST\":\"error\"}".into()),
        ("not utf-8", "body_base64", "//79".into()),
        ("over the cap", "body", big.into()),
        ("deep", "body", "[".repeat(10_000).into()),
        ("array", "body", "[1,2,3]".into()),
    ];
    for (name, key, body) in bodies {
        let unexpected = write(
            dir.path(),
            "unexpected.json",
            recording(key, body.clone(), serde_json::json!([])).as_bytes(),
        );
        let o = run(&["replay", "--format", "json", &unexpected]);
        assert_eq!(code(&o), 1, "{name}: {}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["results"][0]["unexpected"][0]["kind"], "malformed_body",
            "{name}"
        );
        assert_eq!(v["results"][0]["payment_method"], "unspecified", "{name}");
        let expected = write(
            dir.path(),
            "expected.json",
            recording(
                key,
                body,
                serde_json::json!([{ "kind": "malformed_body", "pointer": "" }]),
            )
            .as_bytes(),
        );
        for format in ["human", "markdown", "junit"] {
            let o = run(&["replay", "--format", format, &expected]);
            assert_eq!(code(&o), 0, "{name} {format}: {}", text(&o));
        }
        let o = run(&["coverage", "--format", "json", &expected]);
        assert_eq!(code(&o), 0, "{name} coverage: {}", text(&o));
    }
}

#[test]
fn recording_files_that_are_hostile_are_unreadable_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let valid = recording("body", "{}".into(), serde_json::json!([]));
    let huge_note = {
        let mut v: serde_json::Value = serde_json::from_str(&valid).unwrap();
        v["note"] = "n".repeat(3 * MAX_BODY_BYTES + 1).into();
        v.to_string()
    };
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "not JSON"),
        (
            "bom",
            [b"\xEF\xBB\xBF".as_slice(), valid.as_bytes()].concat(),
            "not JSON",
        ),
        ("not utf-8", b"{\"endpoint\":\"\xff\"}".to_vec(), "not JSON"),
        ("html", b"<html></html>".to_vec(), "not JSON"),
        (
            "truncated",
            valid.as_bytes()[..valid.len() / 2].to_vec(),
            "not JSON",
        ),
        ("array", b"[]".to_vec(), "not a valid recording"),
        (
            "deep",
            [
                b"{\"note\":".as_slice(),
                &b"[".repeat(10_000),
                &b"]".repeat(10_000),
                b"}",
            ]
            .concat(),
            "recursion limit",
        ),
        (
            "duplicate keys",
            valid
                .replacen("{", "{\"endpoint\":\"hub.token\",", 1)
                .into_bytes(),
            "duplicate field `endpoint`",
        ),
        ("larger than the cap", huge_note.into_bytes(), "larger than"),
    ];
    for (name, bytes, says) in files {
        let path = write(dir.path(), "r.json", &bytes);
        for command in ["replay", "coverage"] {
            let o = run(&[command, &path]);
            assert_eq!(code(&o), 2, "{name} {command}: {}", text(&o));
            assert!(
                text(&o).contains(says),
                "{name} {command}: want `{says}`\n{}",
                text(&o)
            );
        }
    }
}

/// Names of the items a `replay --format json` run reports.
#[cfg(unix)]
fn replayed_names(args: &[&str]) -> Vec<String> {
    let o = run(args);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", text(&o)));
    v["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{args:?}: no results\n{}", text(&o)))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// A recordings folder with a `loop -> .` link, a link to its parent, a second link to a
/// file and a link to another folder: each recording is replayed once, no symlinked folder
/// is followed, and naming the same file twice on the command line counts it once.
#[cfg(unix)]
#[test]
fn replay_follows_no_symlinked_folder_and_counts_each_file_once() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    let recs = root.path().join("recs");
    let sub = recs.join("sub");
    let other = root.path().join("other");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    let body = recording(
        "body",
        r#"{"PCD_PAY_RST":"error"}"#.into(),
        serde_json::json!([]),
    );
    let a = write(&recs, "a.json", body.as_bytes());
    write(&sub, "b.json", body.as_bytes());
    write(&other, "c.json", body.as_bytes());
    symlink(".", recs.join("loop")).unwrap();
    symlink("..", sub.join("up")).unwrap();
    symlink(&other, recs.join("elsewhere")).unwrap();
    symlink(recs.join("a.json"), sub.join("same-as-a.json")).unwrap();
    let recs_arg = recs.to_str().unwrap();

    let names = replayed_names(&["replay", "--format", "json", recs_arg]);
    assert_eq!(names.len(), 2, "{names:#?}");
    assert!(names[0].ends_with("recs/a.json"), "{names:#?}");
    assert!(names[1].ends_with("recs/sub/b.json"), "{names:#?}");

    // The same folder twice, a file inside it, and the file through its link.
    let linked = sub.join("same-as-a.json");
    let names = replayed_names(&[
        "replay",
        "--format",
        "json",
        recs_arg,
        &a,
        recs_arg,
        linked.to_str().unwrap(),
    ]);
    assert_eq!(names.len(), 2, "{names:#?}");

    // A folder named on the command line is read even when it is a link (as `find -H`).
    let names = replayed_names(&[
        "replay",
        "--format",
        "json",
        recs.join("elsewhere").to_str().unwrap(),
    ]);
    assert_eq!(names.len(), 1, "{names:#?}");
    assert!(names[0].ends_with("c.json"), "{names:#?}");

    // Coverage reads the same files.
    let o = run(&["coverage", "--format", "json", recs_arg]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"]["recordings"], 2, "{v:#}");
}
