//! Compiles the protocol facts the mock needs and `payple-types` does not carry into its
//! tables (documented legacy paths, the `[mock: ...]` situations of `limits`, environment
//! message prefixes) from the spec embedded in payple-codegen, into `OUT_DIR/protocol.rs`.
//! Nothing reads YAML at run time; a malformed marker fails the build with its endpoint.

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let spec = match payple_codegen::embedded_spec() {
        Ok(s) => s,
        Err(e) => fail(&e.to_string()),
    };
    let mut out = String::new();
    out.push_str("/// Documented legacy paths: (endpoint id, path with its query).\n");
    out.push_str("pub(crate) static LEGACY_PATHS: &[(&str, &str)] = &[\n");
    for ep in &spec.endpoints {
        for (path, _, _) in &ep.legacy_paths {
            let _ = writeln!(out, "    ({:?}, {:?}),", ep.id, path);
        }
    }
    out.push_str("];\n\n");
    out.push_str("/// `[mock: ...]` situations of the endpoints' `limits`.\n");
    out.push_str("pub(crate) static SITUATIONS: &[Situation] = &[\n");
    for ep in &spec.endpoints {
        for (rule, code) in &ep.limits {
            let Some(marker) = marker(rule) else { continue };
            let Some(code) = code else {
                fail(&format!(
                    "{}: a limit with a [mock: ...] marker needs a `code`: {rule}",
                    ep.file
                ));
            };
            let mut parts = marker.split(';').map(str::trim);
            let id = parts.next().unwrap_or("");
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                fail(&format!(
                    "{}: the situation id `{id}` must be snake_case: {rule}",
                    ep.file
                ));
            }
            let mut quals = String::new();
            for q in parts.filter(|q| !q.is_empty()) {
                let op = if q.contains('=') { '=' } else { '<' };
                let Some((k, v)) = q.split_once(op) else {
                    fail(&format!(
                        "{}: the qualifier `{q}` is neither KEY=VALUE nor KEY<NUMBER: {rule}",
                        ep.file
                    ));
                };
                if op == '<' && v.trim().parse::<u64>().is_err() {
                    fail(&format!(
                        "{}: the bound of `{q}` is not a number: {rule}",
                        ep.file
                    ));
                }
                let values: Vec<&str> = v.split('|').map(str::trim).collect();
                let _ = write!(quals, "({:?}, {op:?}, &{:?}), ", k.trim(), values);
            }
            let _ = writeln!(
                out,
                "    Situation {{ endpoint: {:?}, id: {:?}, qualifiers: &[{quals}], code: {:?} }},",
                ep.id, id, code
            );
        }
    }
    out.push_str("];\n");
    let dir = std::env::var_os("OUT_DIR").unwrap_or_else(|| fail("OUT_DIR is not set"));
    let path = std::path::Path::new(&dir).join("protocol.rs");
    if let Err(e) = std::fs::write(&path, out) {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
}

/// The text inside `[mock: ...]`.
fn marker(rule: &str) -> Option<&str> {
    let start = rule.find("[mock:")? + "[mock:".len();
    let end = rule[start..].find(']')? + start;
    Some(rule[start..end].trim())
}

fn fail(msg: &str) -> ! {
    println!("cargo:warning={msg}");
    eprintln!("{msg}");
    std::process::exit(1)
}
