//! Any text as a documentation sample: the lenient reader returns a value or an error,
//! and validating what it read gives a report (never a panic). The first byte picks the
//! endpoint and part.

#![no_main]

use libfuzzer_sys::fuzz_target;
use payple_types::doc_sample::{repair, validate_sample};
use payple_types::{Part, endpoints};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let _ = repair(text);
    let all = endpoints();
    let ep = &all[usize::from(pick >> 1) % all.len()];
    let part = if pick & 1 == 0 {
        Part::Response
    } else {
        Part::Request
    };
    let checked = validate_sample(ep, part, text);
    for r in &checked.repairs {
        let _ = r.to_string();
    }
    let _ = serde_json::to_string(&checked).expect("a sample report serializes");
});
