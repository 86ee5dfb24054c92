//! Lists what changed for consumers between two versions of the spec, with stable rule ids
//! and levels (breaking, non-breaking, informational) in the style of oasdiff.
//!
//! `payple-spec-diff [--format text|json|markdown|junit] [--junit FILE] [--fail-on-breaking]
//! OLD_SPEC_DIR NEW_SPEC_DIR`
//!
//! The report in `--format` goes to stdout; `--junit FILE` also writes a JUnit XML report
//! (one testcase per change, a failure per breaking change) to FILE, atomically.
//! Exit 0 (also with breaking changes, unless `--fail-on-breaking`: then 1), 2 when a spec
//! cannot be read or has errors, or the JUnit file cannot be written. To compare with a git revision, extract its spec first:
//! `git archive REV spec | tar -x -C /tmp/old` and pass `/tmp/old/spec`.

use payple_codegen::diff;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: payple-spec-diff [--format text|json|markdown|junit] [--junit FILE] [--fail-on-breaking] OLD_SPEC_DIR NEW_SPEC_DIR";

fn main() -> ExitCode {
    let mut format = "text".to_string();
    let mut fail_on_breaking = false;
    let mut junit: Option<PathBuf> = None;
    let mut dirs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--format") => match args.next().and_then(|a| a.into_string().ok()) {
                Some(f) if matches!(f.as_str(), "text" | "json" | "markdown" | "junit") => {
                    format = f;
                }
                _ => return usage("--format takes text, json, markdown or junit"),
            },
            Some("--junit") => match args.next() {
                Some(file) if !file.is_empty() => junit = Some(PathBuf::from(file)),
                _ => return usage("--junit needs a file"),
            },
            Some("--fail-on-breaking") => fail_on_breaking = true,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                println!("\nRules (id, level, meaning):");
                for (id, level, meaning) in diff::RULES {
                    println!("  {id:<32} {:<13} {meaning}", level.as_str());
                }
                return ExitCode::SUCCESS;
            }
            Some(a) if a.starts_with("--") => return usage(&format!("unknown option {a}")),
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    let [old, new] = dirs.as_slice() else {
        return usage("two spec directories are needed");
    };
    let load = |dir: &PathBuf| {
        payple_codegen::load_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))
    };
    let (old, new) = match (load(old), load(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let changes = diff::diff(&old, &new);
    match format.as_str() {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&diff::to_json(&changes)).unwrap_or_default()
        ),
        "markdown" => print!("{}", diff::to_markdown(&changes)),
        "junit" => print!("{}", diff::to_junit(&changes)),
        _ => print!("{}", diff::to_text(&changes)),
    }
    if let Some(file) = &junit
        && let Err(e) = payple_codegen::write_atomic(file, diff::to_junit(&changes).as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", file.display());
        return ExitCode::from(2);
    }
    let (breaking, _, _) = diff::counts(&changes);
    if fail_on_breaking && breaking > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}
