//! The mock and the live runner name no Payple wire fact of their own: field names, paths
//! and result codes reach them from the spec (payple-types' tables, field roles, limits).
//! This test reads their sources and fails on a string literal that is a Payple field name,
//! a documented path or a catalog code, unless the allow-list below says why it is there.
//!
//! Checked: literals starting with `PCD_`, literals equal to a field name of any endpoint
//! (at any depth, legacy names included) that is not a single lower-case word, literals
//! equal to a documented path, and literals equal to a catalog code containing a letter.
//! Single lower-case words (`type`, `message`, `total`) are left out: they are also the
//! ordinary keys of our own reports and admin answers. Test modules (`#[cfg(test)] mod`)
//! are skipped: tests state the wire on purpose.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payple_types::{FieldShape, FieldSpec, Target};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (file relative to the repository root, literal, why it may stay).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "live/src/scenario.rs",
        "PCD_",
        "scenario names are slugs of the auth flags: the common prefix of cpay field names is \
         dropped from the slug, whatever the field",
    ),
    (
        "live/src/client.rs",
        "Authorization",
        "the HTTP header; the global payment window's obj member of that name is another thing",
    ),
];

fn spec_facts() -> (
    BTreeSet<&'static str>,
    BTreeSet<&'static str>,
    BTreeSet<&'static str>,
) {
    fn walk(fields: &'static [FieldSpec], out: &mut BTreeSet<&'static str>) {
        for f in fields {
            out.insert(f.name);
            out.extend(f.legacy_names.iter().copied());
            if let FieldShape::Object(inner) | FieldShape::List(inner) = f.shape {
                walk(inner, out);
            }
        }
    }
    let mut names = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for ep in payple_types::endpoints() {
        walk(ep.request, &mut names);
        walk(ep.response, &mut names);
        if let Target::Path(p) | Target::Script(p) = ep.target {
            paths.insert(p);
        }
        for p in ep.legacy_paths {
            paths.insert(p.split('?').next().unwrap_or(p));
        }
    }
    let codes = payple_types::catalogs::ALL
        .iter()
        .flat_map(|(_, c)| c.iter())
        .map(|e| e.code)
        .filter(|c| c.chars().any(|ch| ch.is_ascii_alphabetic()))
        .collect();
    // Field names that are single lower-case words are ordinary English keys too.
    names.retain(|n| !n.chars().all(|c| c.is_ascii_lowercase()));
    (names, paths, codes)
}

/// The source without its test module (by convention the last item of a file).
fn without_tests(src: &str) -> &str {
    let mut at = 0;
    while let Some(i) = src[at..].find("#[cfg(test)]") {
        let start = at + i;
        let rest = src[start + "#[cfg(test)]".len()..].trim_start();
        // Skip further attributes (`#[allow(...)]`).
        let mut rest = rest;
        while rest.starts_with("#[") {
            rest = rest[rest.find(']').map_or(rest.len(), |e| e + 1)..].trim_start();
        }
        if rest.starts_with("mod ") {
            return &src[..start];
        }
        at = start + 1;
    }
    src
}

/// The string literals of Rust source with their line numbers (comments skipped; raw
/// strings and escapes handled well enough for this code base).
fn literals(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime: skip a quoted char.
                if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                    continue;
                }
                if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') {
                    i += 4;
                    continue;
                }
            }
            b'r' if b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"') => {
                let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if !ident_before && b.get(i + 1 + hashes) == Some(&b'"') {
                    let start = i + 2 + hashes;
                    let close: Vec<u8> = std::iter::once(b'"')
                        .chain(std::iter::repeat_n(b'#', hashes))
                        .collect();
                    let end = b[start..]
                        .windows(close.len())
                        .position(|w| w == close.as_slice())
                        .map_or(b.len(), |p| start + p);
                    let text = &src[start..end];
                    out.push((line, text.to_string()));
                    line += text.matches('\n').count();
                    i = end + close.len();
                    continue;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let text = &src[start..j.min(b.len())];
                out.push((line, text.to_string()));
                line += text.matches('\n').count();
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["mock/src", "live/src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files
}

fn relative(p: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    p.canonicalize()
        .unwrap()
        .strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn mock_and_live_hold_no_payple_wire_literal() {
    let (names, paths, codes) = spec_facts();
    assert!(names.contains("PCD_PAY_OID") && names.contains("cst_id"));
    assert!(paths.contains("/php/auth.php"));
    let mut hits = Vec::new();
    let mut used_allowances = BTreeSet::new();
    let files = sources();
    assert!(files.len() > 10, "sources not found: {files:?}");
    for file in files {
        let rel = relative(&file);
        let src = std::fs::read_to_string(&file).unwrap();
        for (line, lit) in literals(without_tests(&src)) {
            let path_part = lit.split('?').next().unwrap_or(&lit);
            let why = if lit.starts_with("PCD_") {
                "a cpay field name"
            } else if names.contains(lit.as_str()) {
                "a field name"
            } else if paths.contains(path_part) || path_part.ends_with(".php") {
                "a documented path"
            } else if codes.contains(lit.as_str()) {
                "a result code"
            } else {
                continue;
            };
            if let Some(a) = ALLOWED.iter().find(|(f, l, _)| *f == rel && *l == lit) {
                used_allowances.insert((a.0, a.1));
                continue;
            }
            hits.push(format!("{rel}:{line}: \"{lit}\" is {why}"));
        }
    }
    assert!(
        hits.is_empty(),
        "Payple wire literals in mock/ or live/ (take them from payple-types: Role, \
         EndpointSpec limits/paths/result, or add a reasoned entry to ALLOWED):\n{}",
        hits.join("\n")
    );
    for (f, l, _) in ALLOWED {
        assert!(
            used_allowances.contains(&(*f, *l)),
            "stale allow-list entry {f}: \"{l}\""
        );
    }
}

#[test]
fn the_literal_reader_sees_what_it_must() {
    let src = "let a = \"PCD_PAY_OID\"; // \"PCD_IN_COMMENT\"\n/* \"PCD_BLOCK\" */ let c = '\"'; let b = r#\"cst_id\"#;\n#[cfg(test)]\nmod tests { const X: &str = \"PCD_TEST\"; }";
    let found: Vec<String> = literals(without_tests(src))
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(found, ["PCD_PAY_OID", "cst_id"]);
    assert_eq!(literals("x\n\"a\"")[0].0, 2);
}
