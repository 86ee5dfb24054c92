//! The committed generated files (`schemas/`, `docs/`, the README statistics) match the spec,
//! and the export functions behave on their own.

use payple_codegen::export::{self, GENERATED_DIRS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec() -> payple_codegen::Spec {
    payple_codegen::load_dir(&repo_root().join("spec")).expect("the spec loads")
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, root, out);
        } else {
            let rel = p.strip_prefix(root).expect("below root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn committed_schemas_docs_and_statistics_are_current() {
    let root = repo_root();
    let spec = spec();
    let mut wanted = export::artifacts(&spec);
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    wanted.push(export::Artifact {
        path: "README.md".into(),
        contents: export::readme_with_statistics(&readme, &spec)
            .expect("README.md has the statistics markers"),
    });
    let mut problems = Vec::new();
    for a in &wanted {
        match std::fs::read_to_string(root.join(&a.path)) {
            Ok(text) if text == a.contents => {}
            Ok(_) => problems.push(format!("stale: {}", a.path)),
            Err(_) => problems.push(format!("missing: {}", a.path)),
        }
    }
    let generated: BTreeSet<&str> = wanted.iter().map(|a| a.path.as_str()).collect();
    for dir in GENERATED_DIRS {
        let mut found = Vec::new();
        files_under(&root.join(dir), &root, &mut found);
        for f in found {
            if !generated.contains(f.as_str()) && !export::is_export_ignored(&f) {
                problems.push(format!("extra: {f}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "generated files are out of date; run `cargo run -p payple-codegen --bin payple-spec-export`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_endpoint_has_two_schemas_and_a_page() {
    let spec = spec();
    let paths: BTreeSet<String> = export::artifacts(&spec)
        .into_iter()
        .map(|a| a.path)
        .collect();
    for ep in &spec.endpoints {
        for part in ["request", "response"] {
            assert!(paths.contains(&format!("schemas/{}.{part}.schema.json", ep.id)));
        }
        let (service, name) = ep.id.split_once('.').expect("service.name");
        assert!(
            paths.contains(&format!("docs/{service}/{name}.md")),
            "{}",
            ep.id
        );
    }
    for cat in &spec.catalogs {
        assert!(paths.contains(&format!("docs/codes/{}.md", cat.id)));
    }
}

#[test]
fn exported_schemas_equal_the_embedded_ones() {
    let spec = spec();
    let generated = payple_codegen::Builder::new()
        .spec_dir(repo_root().join("spec"))
        .generate()
        .expect("generates");
    let artifacts = export::artifacts(&spec);
    for (id, part, text) in &generated.schemas {
        let path = format!("schemas/{id}.{part}.schema.json");
        let file = artifacts
            .iter()
            .find(|a| a.path == path)
            .unwrap_or_else(|| panic!("{path} exported"));
        let a: serde_json::Value = serde_json::from_str(&file.contents).expect("json");
        let b: serde_json::Value = serde_json::from_str(text).expect("json");
        assert_eq!(a, b, "{path}");
    }
}

#[test]
fn statistics_count_what_the_spec_holds() {
    let spec = spec();
    let s = export::statistics(&spec);
    let endpoints: usize = s.endpoints_per_service.iter().map(|(_, n)| n).sum();
    assert_eq!(endpoints, spec.endpoints.len());
    let samples: usize = spec.endpoints.iter().map(|e| e.samples.len()).sum();
    assert_eq!(s.samples, samples);
    assert!(s.samples_not_json > 0 && s.samples_not_json < s.samples);
    let top_level: usize = spec
        .endpoints
        .iter()
        .map(|e| e.request.len() + e.response.len())
        .sum();
    assert!(s.fields >= top_level);
    assert!(s.fields_with_documented_type <= s.fields);
    let md = s.to_markdown();
    assert!(md.contains(&format!("| {} |", s.fields)), "{md}");
}

#[test]
fn statistics_block_needs_its_markers() {
    let spec = spec();
    assert!(export::readme_with_statistics("# no markers\n", &spec).is_none());
    let swapped = format!("{}\n{}\n", export::STATS_END, export::STATS_BEGIN);
    assert!(export::readme_with_statistics(&swapped, &spec).is_none());
    let text = format!(
        "a\n{}\nold\n{}\nb\n",
        export::STATS_BEGIN,
        export::STATS_END
    );
    let new = export::readme_with_statistics(&text, &spec).expect("markers");
    assert!(!new.contains("old"));
    assert!(new.starts_with("a\n") && new.ends_with(&format!("{}\nb\n", export::STATS_END)));
    // Idempotent.
    assert_eq!(
        export::readme_with_statistics(&new, &spec).as_deref(),
        Some(new.as_str())
    );
}

#[test]
fn table_rows_have_as_many_cells_as_their_header() {
    fn cells(line: &str) -> usize {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        n
    }
    let spec = spec();
    let mut rows = 0;
    for a in export::artifacts(&spec) {
        if !a.path.ends_with(".md") {
            continue;
        }
        let mut header: Option<usize> = None;
        for line in a.contents.lines() {
            if !line.starts_with('|') {
                header = None;
                continue;
            }
            let n = cells(line);
            match header {
                None => header = Some(n),
                Some(h) => {
                    rows += 1;
                    assert_eq!(
                        n, h,
                        "{}: row has {n} separators, header {h}: {line}",
                        a.path
                    );
                }
            }
        }
    }
    assert!(rows > 500, "only {rows} table rows checked");
}

#[test]
fn export_ignored_dirs_are_matched_by_folder() {
    assert!(export::is_export_ignored("docs/html/cpay.html"));
    assert!(export::is_export_ignored("docs/html/sub/x.html"));
    assert!(!export::is_export_ignored("docs/html"));
    assert!(!export::is_export_ignored("docs/htmlx/cpay.html"));
    assert!(!export::is_export_ignored("docs/cpay/auth.md"));
    // Hand-written guides and their screenshots stay.
    assert!(export::is_export_ignored("docs/guides/local-checkout.md"));
    assert!(export::is_export_ignored(
        "docs/guides/img/window-card-cert.png"
    ));
    assert!(!export::is_export_ignored("docs/guides"));
    // The export generates nothing where it does not look.
    for a in export::artifacts(&spec()) {
        assert!(!export::is_export_ignored(&a.path), "{}", a.path);
    }
}

/// The export binary keeps files under the ignored folders (the rendered HTML reference)
/// while it still reports and removes other extra files.
#[test]
fn the_export_binary_leaves_ignored_folders_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    copy_dir(&repo_root().join("spec"), &root.join("spec"));
    std::fs::write(
        root.join("README.md"),
        format!("# x\n{}\n{}\n", export::STATS_BEGIN, export::STATS_END),
    )
    .expect("README");
    let bin = env!("CARGO_BIN_EXE_payple-spec-export");
    let run = |check: bool| {
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("--root").arg(root);
        if check {
            cmd.arg("--check");
        }
        let out = cmd.output().expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // Writing exits 1 when it changed files (0 when all were current), 2 on errors.
    assert_ne!(run(false).0, Some(2));
    let kept = root.join(export::EXPORT_IGNORED_DIRS[0]).join("cpay.html");
    std::fs::create_dir_all(kept.parent().expect("parent")).expect("mkdir");
    std::fs::write(&kept, "<html></html>\n").expect("write");
    std::fs::write(root.join("docs/stray.md"), "stray\n").expect("write");
    let (code, text) = run(true);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("extra: docs/stray.md"), "{text}");
    assert!(!text.contains("html"), "{text}");
    let (code, text) = run(false);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("removed docs/stray.md"), "{text}");
    assert!(!root.join("docs/stray.md").exists());
    assert!(kept.exists());
    let (code, text) = run(true);
    assert_eq!(code, Some(0), "{text}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}
