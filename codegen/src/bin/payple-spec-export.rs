//! Writes the files generated from the spec and committed to the repository: `schemas/`
//! (JSON Schemas), `docs/` (the English reference), `openapi/` (OpenAPI 3.1 documents, one
//! per service) and the statistics block of `README.md`.
//!
//! `payple-spec-export [--check] [--root DIR]` (root: the repository, default `.`; the spec is
//! read from `ROOT/spec`). With `--check` nothing is written: stale, missing and extra files
//! are listed and the exit code is 1 if there is any. Exit 2 on spec or I/O errors.

use payple_codegen::export::{self, GENERATED_DIRS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(".");
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--check") => check = true,
            Some("--root") => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return usage("--root needs a directory"),
            },
            Some("-h" | "--help") => {
                println!("usage: payple-spec-export [--check] [--root DIR]");
                return ExitCode::SUCCESS;
            }
            _ => return usage(&format!("unknown argument {}", arg.to_string_lossy())),
        }
    }
    match run(&root, check) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\nusage: payple-spec-export [--check] [--root DIR]");
    ExitCode::from(2)
}

/// Returns the number of files that differ (in check mode) or were written.
fn run(root: &Path, check: bool) -> Result<usize, String> {
    let spec_dir = root.join("spec");
    let files = payple_codegen::load::read_dir(&spec_dir)
        .map_err(|e| format!("cannot read {}: {e}", spec_dir.display()))?;
    let spec = payple_codegen::load::load(&files).map_err(|e| e.to_string())?;
    let mut wanted = export::artifacts(&spec);
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("cannot read {}: {e}", readme_path.display()))?;
    let readme = export::readme_with_statistics(&readme, &spec).ok_or_else(|| {
        format!(
            "{} lacks the statistics markers `{}` ... `{}`",
            readme_path.display(),
            export::STATS_BEGIN,
            export::STATS_END
        )
    })?;
    wanted.push(export::Artifact {
        path: "README.md".into(),
        contents: readme,
    });
    let mut differing = 0usize;
    let generated: BTreeSet<&str> = wanted.iter().map(|a| a.path.as_str()).collect();
    for a in &wanted {
        let path = root.join(&a.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(a.contents.as_str()) {
            continue;
        }
        differing += 1;
        if check {
            let what = if current.is_some() {
                "stale"
            } else {
                "missing"
            };
            println!("{what}: {}", a.path);
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            payple_codegen::write_atomic(&path, a.contents.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {}", a.path);
        }
    }
    for dir in GENERATED_DIRS {
        for rel in files_under(root, dir)? {
            if generated.contains(rel.as_str()) || export::is_export_ignored(&rel) {
                continue;
            }
            differing += 1;
            if check {
                println!("extra: {rel} (not generated from the spec)");
            } else {
                std::fs::remove_file(root.join(&rel))
                    .map_err(|e| format!("cannot remove {rel}: {e}"))?;
                println!("removed {rel}");
            }
        }
    }
    if check && differing > 0 {
        println!(
            "{differing} generated file(s) out of date; run `cargo run -p payple-codegen --bin payple-spec-export`"
        );
    }
    Ok(differing)
}

/// Every file under `root/dir`, as `/`-separated paths relative to `root`.
fn files_under(root: &Path, dir: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read {}: {e}", d.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", d.display()))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}
