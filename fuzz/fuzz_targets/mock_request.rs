//! Any bytes as a sequence of requests to one fresh mock, handled without a socket
//! (`payple_mock::Sandbox`): every answer has a valid status, and what the log would show
//! is one line, valid JSON, with the Authorization header reduced to its scheme and the
//! Referer to its path.
//!
//! Input: requests separated by a line `=====`; each is a request line `SERVICE METHOD
//! TARGET` (service `cpay`, `hub` or `global`, or the first byte picks one), header lines
//! `Name: value` up to an empty line, then the body (any bytes). Seeds: fuzz/seeds/mock_request/.

#![no_main]

use libfuzzer_sys::fuzz_target;
use payple_mock::{MockLimits, Sandbox};

const SERVICES: [&str; 3] = ["cpay", "hub", "global"];

fn split_once<'a>(data: &'a [u8], sep: &[u8]) -> (&'a [u8], Option<&'a [u8]>) {
    match data.windows(sep.len()).position(|w| w == sep) {
        Some(i) => (&data[..i], Some(&data[i + sep.len()..])),
        None => (data, None),
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = MockLimits {
        ledger_entries: 64,
        log_entries: 16,
        ..MockLimits::default()
    };
    let Ok(mock) = Sandbox::new(limits) else {
        return;
    };
    let mut rest = Some(data);
    let mut served = 0;
    while let Some(input) = rest {
        if served == 8 {
            break;
        }
        served += 1;
        let (request, next) = split_once(input, b"\n=====\n");
        rest = next;
        let (head, body) = split_once(request, b"\n\n");
        let body = body.unwrap_or(b"");
        let mut lines = head.split(|&b| b == b'\n');
        let start = lines.next().unwrap_or(b"");
        let mut words = start.splitn(3, |&b| b == b' ');
        let svc_word = String::from_utf8_lossy(words.next().unwrap_or(b""));
        let service = if SERVICES.contains(&svc_word.as_ref()) {
            svc_word.to_string()
        } else {
            let pick = start.first().copied().unwrap_or(0);
            SERVICES[usize::from(pick) % 3].to_string()
        };
        let method = words.next().unwrap_or(b"POST");
        let target = String::from_utf8_lossy(words.next().unwrap_or(b"/"));
        let headers: Vec<(String, &[u8])> = lines
            .filter_map(|l| {
                let (name, value) = split_once(l, b":");
                let value = value?;
                let value = value.strip_prefix(b" ").unwrap_or(value);
                Some((String::from_utf8_lossy(name).into_owned(), value))
            })
            .collect();
        let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let out = mock.handle(&service, method, &target, &headers, body);
        assert!(
            out.status == 0 || (100..=599).contains(&out.status),
            "status {}",
            out.status
        );
        if out.log_json.is_empty() {
            continue;
        }
        assert!(!out.log_line.contains('\n'), "{}", out.log_line);
        let logged: serde_json::Value =
            serde_json::from_str(&out.log_json).expect("the log line is JSON");
        if let Some(a) = logged["authorization"].as_str() {
            assert!(a.ends_with("<redacted>"), "authorization logged as {a}");
        }
        if let Some(r) = logged["referer"].as_str() {
            let q = r.find(['?', '#']);
            assert!(
                q.is_none_or(|i| &r[i..] == "?<redacted>"),
                "referer logged as {r}"
            );
        }
    }
});
