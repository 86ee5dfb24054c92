//! Any bytes as the body of every endpoint part: `validate_bytes` must return a report
//! (never panic), the report must render (every finding's message, fingerprint and the
//! JSON), and it must be short: no kind and field listed more than the cap. The UTF-8
//! check, made string by string while the body is read, must agree with std's: a body that
//! is not UTF-8 has exactly one finding (`malformed_body`), and a body that is never gets
//! the UTF-8 finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use payple_types::{Kind, MAX_FINDINGS_PER_GROUP, Part, endpoints, validate_bytes};
use std::collections::BTreeMap;

fuzz_target!(|body: &[u8]| {
    let utf8 = std::str::from_utf8(body).is_ok();
    for ep in endpoints() {
        for part in [Part::Request, Part::Response] {
            let report = validate_bytes(ep, part, body);
            if utf8 {
                assert!(
                    !report
                        .findings
                        .iter()
                        .any(|f| f.message().contains("not valid UTF-8")),
                    "a UTF-8 body reported as not UTF-8"
                );
            } else {
                assert!(
                    report.findings.len() == 1 && report.findings[0].kind == Kind::MalformedBody,
                    "a body that is not UTF-8 gave {:?}",
                    report.findings
                );
            }
            let mut listed: BTreeMap<_, usize> = BTreeMap::new();
            for f in &report.findings {
                let _ = f.message();
                let _ = f.fingerprint();
                if f.omitted() == 0 {
                    *listed.entry((f.kind, f.field.clone())).or_default() += 1;
                }
            }
            assert!(listed.values().all(|&n| n <= MAX_FINDINGS_PER_GROUP));
            let json = serde_json::to_string(&report).expect("a report serializes");
            assert!(json.starts_with('{'));
        }
    }
});
