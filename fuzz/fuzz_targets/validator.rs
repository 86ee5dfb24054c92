//! Any bytes as the body of every endpoint part: `validate_bytes` must return a report
//! (never panic), the report must render (every finding's message, fingerprint and the
//! JSON), and it must be short: no kind and field listed more than the cap.

#![no_main]

use libfuzzer_sys::fuzz_target;
use payple_types::{MAX_FINDINGS_PER_GROUP, Part, endpoints, validate_bytes};
use std::collections::BTreeMap;

fuzz_target!(|body: &[u8]| {
    for ep in endpoints() {
        for part in [Part::Request, Part::Response] {
            let report = validate_bytes(ep, part, body);
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
