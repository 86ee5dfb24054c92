//! Lists what changed for consumers between two versions of the spec, with stable rule ids
//! and levels (breaking, non-breaking, informational) in the style of oasdiff.
//!
//! `payple-spec-diff [--format text|json|markdown|junit] [--junit FILE] [--fail-on-breaking]
//! OLD NEW`
//!
//! OLD and NEW are each a spec folder or a git revision of the repository around the current
//! directory: `REV` (its `spec/` folder) or `REV:PATH` (another folder of that revision), e.g.
//! `payple-spec-diff HEAD~1 spec` or `payple-spec-diff v0.1.0 main`. A folder that exists wins
//! over a revision of the same name.
//!
//! The report in `--format` goes to stdout; `--junit FILE` also writes a JUnit XML report
//! (one testcase per change, a failure per breaking change) to FILE, atomically.
//! Exit 0 (also with breaking changes, unless `--fail-on-breaking`: then 1), 2 when a spec
//! cannot be read or has errors, or the JUnit file cannot be written.

use payple_codegen::diff;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: payple-spec-diff [--format text|json|markdown|junit] [--junit FILE] [--fail-on-breaking] OLD NEW
  OLD, NEW: a spec folder, or a git revision REV (its spec/ folder) or REV:PATH";

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
        return usage("two specs (folders or git revisions) are needed");
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

/// Loads a spec named on the command line: a folder, or a git revision (`REV` or
/// `REV:PATH`) checked out into a temporary folder that is removed afterwards.
fn load(arg: &Path) -> Result<payple_codegen::Spec, String> {
    if arg.is_dir() {
        return payple_codegen::load_dir(arg).map_err(|e| format!("{}: {e}", arg.display()));
    }
    let Some(name) = arg.to_str() else {
        return Err(format!("{}: no such folder", arg.display()));
    };
    let (rev, path) = name.split_once(':').unwrap_or((name, "spec"));
    let path = path.trim_matches('/');
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .ok()
    .and_then(|out| String::from_utf8(out).ok())
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .ok_or_else(|| format!("{name}: neither a folder nor a git revision of this repository"))?;
    let checkout = TempDir::new()?;
    let listing = git(&["ls-tree", "-r", "-z", "--name-only", &commit, "--", path])?;
    let mut files = 0;
    for file in listing.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let file =
            std::str::from_utf8(file).map_err(|_| format!("{name}: a file name is not UTF-8"))?;
        let bytes = git(&["show", &format!("{commit}:{file}")])?;
        let target = checkout.0.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))?;
        files += 1;
    }
    if files == 0 {
        return Err(format!("{name}: revision {rev} has no files under {path}/"));
    }
    let dir = checkout.0.join(path);
    payple_codegen::load_dir(&dir).map_err(|e| {
        // Name the revision, not the temporary folder, in file:line:column messages.
        let temp = format!("{}/", checkout.0.display());
        format!(
            "{name}: {}",
            e.to_string().replace(&temp, &format!("{rev}:"))
        )
    })
}

/// Runs git in the current directory; its standard output, or its error message.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {}: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A fresh temporary folder, removed with everything in it when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let dir = base.join(format!("payple-spec-diff-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(TempDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("{}: {e}", dir.display())),
            }
        }
        Err(format!("no free temporary folder in {}", base.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
