//! Any text in place of one endpoint file of the spec (`endpoints/cpay/result_inquiry.yaml`,
//! beside the real `payple.yaml`, code catalogs and auth endpoints): the loader and linter
//! must return the spec or errors with positions, never panic.
//!
//! Loading every code catalog takes most of a load; the base keeps only the codes the files
//! name (when the real file then still loads without errors), so that the fuzzer tries
//! several times as many inputs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use payple_codegen::load::{SpecFile, load};
use std::path::Path;
use std::sync::OnceLock;

/// The path the fuzzed text takes.
const FUZZED: &str = "endpoints/cpay/result_inquiry.yaml";

/// `catalog` with its first code and those `keep` mentions (entries start at `\n  - code:`).
fn trimmed(catalog: &str, keep: &str) -> String {
    let mut parts = catalog.split("\n  - code: ");
    let mut out = parts.next().unwrap_or_default().to_string();
    for (i, entry) in parts.enumerate() {
        let code = entry
            .split('\n')
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"');
        if i == 0 || keep.contains(code) {
            out.push_str("\n  - code: ");
            out.push_str(entry);
        }
    }
    out
}

/// The rest of a spec for the fuzzed file: the root, the code catalogs (trimmed to the codes
/// the real file and the auth endpoints name, when that still loads without errors) and the
/// endpoints the root's auth flows name. Read once.
fn base() -> &'static [SpecFile] {
    static BASE: OnceLock<Vec<SpecFile>> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let files = payple_codegen::load::read_dir(&dir).expect("the spec is readable");
        let auth = [
            "endpoints/cpay/auth.yaml",
            "endpoints/hub/token.yaml",
            "endpoints/global/token.yaml",
        ];
        let real = files
            .iter()
            .find(|f| f.path == FUZZED)
            .expect("the fuzzed file exists")
            .clone();
        let full: Vec<SpecFile> = files
            .into_iter()
            .filter(|f| {
                f.path == "payple.yaml"
                    || f.path.starts_with("codes/")
                    || auth.contains(&f.path.as_str())
            })
            .collect();
        let mentioned: String = full
            .iter()
            .filter(|f| f.path.starts_with("endpoints/"))
            .map(|f| f.text.as_str())
            .chain([real.text.as_str()])
            .collect();
        let small: Vec<SpecFile> = full
            .iter()
            .map(|f| SpecFile {
                path: f.path.clone(),
                text: if f.path.starts_with("codes/") {
                    trimmed(&f.text, &mentioned)
                } else {
                    f.text.clone()
                },
            })
            .collect();
        let mut check = small.clone();
        check.push(real.clone());
        if load(&check).is_ok() {
            return small;
        }
        let mut check = full.clone();
        check.push(real);
        if let Err(e) = load(&check) {
            // The fuzzer still runs; it only cannot reach the end of a successful load.
            eprintln!("warning: the spec does not load around {FUZZED}: {e}");
        }
        full
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut files = base().to_vec();
    files.push(SpecFile {
        path: FUZZED.to_string(),
        text,
    });
    match load(&files) {
        Ok(_) => {}
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error result names its errors");
            let _ = errors.to_string();
        }
    }
});
