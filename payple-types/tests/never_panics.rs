//! Property tests: the lenient documentation-sample reader and the validator give a value,
//! an error or findings for any text, never a panic. Inputs are generated three ways:
//! arbitrary Unicode text, a "soup" of the tokens the reader treats specially (escapes,
//! every quote, brackets, PHP arrows, comments, ellipses, multi-byte characters), and the
//! documented samples with such tokens inserted and text cut out at random places.

use payple_types::doc_sample::{repair, validate_sample};
use payple_types::{Part, endpoints, validate_bytes};
use proptest::prelude::*;
use proptest::sample::Index;

/// Tokens the reader treats specially, and characters of every UTF-8 length.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "\\", "\\u", "\\u0", "\\u00", "\\u00e9", "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\n",
    "\\\"", "u", "0", "00", "9", "a", "F", "\"", "'", "“", "”", "‘", "’", "„", "{", "}",
    "[", "]", "(", ")", ",", ":", "=>", "=", ">", "/", "*", "//", "/*", "*/", "#", ".",
    "...", "…", "-", "\n", "\r", "\t", " ", "가", "é", "😀", "\u{feff}", "array", "array (",
    "true", "false", "null", "04", "-007", "1e999", "RES.cst_id", ";", "$", "_", "PCD_PAY_RST",
    "\"PCD_PAY_RST\"", "\"success\"", "<", "\u{0}",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// A string of special tokens.
fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..48).prop_map(|v| v.concat())
}

/// Every documented sample of the spec: (endpoint index, part, text).
fn samples() -> Vec<(usize, Part, &'static str)> {
    endpoints()
        .iter()
        .enumerate()
        .flat_map(|(i, ep)| ep.samples.iter().map(move |s| (i, s.part, s.raw)))
        .collect()
}

/// The largest character boundary of `s` at or before `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Applies edits to `raw`: at each place, cut up to `cut` characters and insert `text`.
/// `place` is a fraction of the text's length.
fn mangle(raw: &str, edits: &[(f64, String, usize)]) -> String {
    let mut s = raw.to_string();
    for (place, text, cut) in edits {
        let at = floor_boundary(&s, (place * s.len() as f64) as usize);
        let end = s[at..]
            .char_indices()
            .nth(*cut)
            .map_or(s.len(), |(i, _)| at + i);
        s.replace_range(at..end, text);
    }
    s
}

/// Reads `text` leniently and validates it against every part of endpoint `ep`.
fn exercise(ep: usize, part: Part, text: &str) {
    let _ = repair(text);
    let ep = &endpoints()[ep % endpoints().len()];
    let _ = validate_sample(ep, part, text);
    let _ = validate_bytes(ep, part, text.as_bytes());
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn reader_never_panics_on_token_soup(text in soup(), ep in 0usize..64) {
        exercise(ep, Part::Response, &text);
        // The same soup inside an object and inside a string, where escapes are read.
        exercise(ep, Part::Request, &format!("{{\"a\": \"{text}\", b: {text}}}"));
        exercise(ep, Part::Response, &format!("array('k' => {text})"));
    }

    #[test]
    fn reader_never_panics_on_arbitrary_text(text in any::<String>(), ep in 0usize..64) {
        exercise(ep, Part::Response, &text);
        exercise(ep, Part::Response, &format!("{{\"a\": \"{text}"));
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn reader_never_panics_on_mangled_samples(
        which in any::<Index>(),
        edits in proptest::collection::vec((0.0f64..=1.0, piece(), 0usize..4), 1..6),
    ) {
        let all = samples();
        let (ep, part, raw) = all[which.index(all.len())];
        exercise(ep, part, &mangle(raw, &edits));
    }
}

#[test]
fn mangling_keeps_character_boundaries() {
    // The middle of `ab가cd` is inside `가`: the edit starts before it.
    let edits = [(0.5, "\\u".to_string(), 1)];
    assert_eq!(mangle("ab가cd", &edits), "ab\\ucd");
    let edits = [(1.0, "x".to_string(), 9)];
    assert_eq!(floor_boundary("가", 2), 0);
    assert!(mangle("가나", &edits).ends_with('x'));
}
