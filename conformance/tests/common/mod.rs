//! Helpers shared by the integration tests: run the binary from the repository root.

#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_payple-conformance"));
    c.current_dir(repo_root()).env("NO_COLOR", "1");
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).stdin(Stdio::null()).output().unwrap()
}

/// Runs with `input` on standard input; returns the output and how many bytes of the input
/// the binary accepted before it closed its standard input (or exited).
pub fn run_stdin_counted(args: &[&str], input: Vec<u8>) -> (Output, usize) {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut written = 0usize;
        for chunk in input.chunks(64 * 1024) {
            match stdin.write_all(chunk) {
                Ok(()) => written += chunk.len(),
                Err(_) => break,
            }
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    (out, written)
}

pub fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    run_stdin_counted(args, input.to_vec()).0
}

/// Sends one HTTP/1.1 request to `base` (`http://127.0.0.1:PORT`) over a plain socket and
/// returns the status and the body (`Connection: close`; a 10 s time limit).
pub fn http(
    method: &str,
    base: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").unwrap().trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let limit = Some(std::time::Duration::from_secs(10));
    s.set_read_timeout(limit).unwrap();
    s.set_write_timeout(limit).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The `mock` subcommand on three random ports with `args` added and `env` set, and its URLs
/// (cpay, hub, global) as it printed them, once it handles Ctrl-C; its standard output stays
/// open (the rest of it is read after it stopped), its standard error is piped.
pub fn start_mock(
    env: &[(String, String)],
    args: &[&str],
) -> (
    std::process::Child,
    [String; 3],
    std::io::BufReader<std::process::ChildStdout>,
) {
    use std::io::BufRead;
    let mut c = bin();
    c.arg("mock")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut urls: [String; 3] = Default::default();
    let mut line = String::new();
    // Up to the last line, printed once Ctrl-C is handled.
    while !line.starts_with("Ctrl-C stops the mock") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the mock stopped");
        let mut words = line.split_whitespace();
        let slot = match words.next() {
            Some("cpay") => 0,
            Some("hub") => 1,
            Some("global") => 2,
            _ => continue,
        };
        urls[slot] = words.next().unwrap().to_string();
    }
    assert!(urls.iter().all(|u| !u.is_empty()), "{urls:?}");
    (child, urls, stdout)
}

/// Sends SIGINT (Ctrl-C) to `child` and waits for it: its exit status, the rest of its
/// standard output (`rest`) and its standard error.
pub fn interrupt(
    mut child: std::process::Child,
    mut rest: impl std::io::Read,
) -> (std::process::ExitStatus, String, String) {
    use std::io::Read;
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let mut out = String::new();
    let _ = rest.read_to_string(&mut out);
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    (child.wait().unwrap(), out, err)
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Parses `xml` completely and checks the JUnit structure: a `<testsuites>` root of
/// `<testsuite>`s of `<testcase>`s, whose `tests`/`failures`/`errors`/`skipped` counts match,
/// only the five predefined entities or character references, and no character XML 1.0
/// forbids.
pub fn check_junit(xml: &str) {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}';
        assert!(ok, "character {c:?} is not allowed in XML 1.0");
    }
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut suites = 0;
    // Declared and counted (tests, failures, errors, skipped) of the open testsuite.
    let mut declared = [0usize; 4];
    let mut counted = [0usize; 4];
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                if name == "testsuite" {
                    assert_eq!(declared, counted, "testsuite counts\n{xml}");
                    declared = [0; 4];
                    counted = [0; 4];
                }
                continue;
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    assert!(r.resolve_char_ref().unwrap().is_some());
                    continue;
                }
                let name: &str = r.as_ref();
                assert!(
                    ["amp", "lt", "gt", "quot", "apos"].contains(&name),
                    "entity &{name};"
                );
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = e.name().as_ref().to_string();
        let parent = stack.last().map(String::as_str);
        for a in e.attributes() {
            a.unwrap();
        }
        match name.as_str() {
            "testsuites" => assert_eq!(parent, None),
            "testsuite" => {
                assert_eq!(parent, Some("testsuites"));
                suites += 1;
                for a in e.attributes() {
                    let a = a.unwrap();
                    let Ok(v) = a.value.parse::<usize>() else {
                        continue;
                    };
                    match a.key.as_ref() {
                        "tests" => declared[0] = v,
                        "failures" => declared[1] = v,
                        "errors" => declared[2] = v,
                        "skipped" => declared[3] = v,
                        _ => {}
                    }
                }
            }
            "testcase" => {
                assert_eq!(parent, Some("testsuite"));
                counted[0] += 1;
                assert!(e.try_get_attribute("name").unwrap().is_some());
                assert!(e.try_get_attribute("classname").unwrap().is_some());
            }
            "failure" | "error" | "skipped" | "system-out" => {
                assert_eq!(parent, Some("testcase"), "<{name}> outside a testcase");
                match name.as_str() {
                    "failure" => counted[1] += 1,
                    "error" => counted[2] += 1,
                    "skipped" => counted[3] += 1,
                    _ => {}
                }
            }
            other => panic!("unexpected element <{other}>\n{xml}"),
        }
        if empty {
            if name == "testsuite" {
                assert_eq!(declared, counted, "testsuite counts\n{xml}");
                declared = [0; 4];
                counted = [0; 4];
            }
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    assert!(suites > 0, "no testsuite\n{xml}");
}
