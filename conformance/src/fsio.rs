//! Reading with a size cap and writing files atomically.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most bytes read for one body: one more than [`payple_types::MAX_BODY_BYTES`], so that
/// the validator sees an oversized body as too large and reports `malformed_body`.
pub const BODY_READ_CAP: usize = payple_types::MAX_BODY_BYTES + 1;

/// The largest recording file read: room for two capped bodies, JSON escaping and headers.
pub const RECORDING_READ_CAP: usize = 3 * payple_types::MAX_BODY_BYTES;

/// Reads at most `cap` bytes from `reader`.
pub fn read_capped(reader: impl Read, cap: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX);
    reader.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads a body from a file, or from standard input when `path` is `None` or `-`, capped at
/// [`BODY_READ_CAP`] bytes.
pub fn read_body(path: Option<&Path>) -> Result<Vec<u8>, String> {
    match path {
        None => read_stdin(),
        Some(p) if p.as_os_str() == "-" => read_stdin(),
        Some(p) => {
            let file =
                fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            read_capped(file, BODY_READ_CAP)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))
        }
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    read_capped(io::stdin().lock(), BODY_READ_CAP)
        .map_err(|e| format!("cannot read standard input: {e}"))
}

/// Writes a file atomically (temporary sibling, flush, rename); see
/// [`payple_support::fsio::write_atomic`].
pub use payple_support::fsio::write_atomic;

/// How deep [`json_files`] descends below a folder it was given.
pub const MAX_WALK_DEPTH: usize = 64;

/// Identity of a file or folder on disk, so that one reached by two names counts once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    /// Device and inode.
    #[cfg(unix)]
    Inode(u64, u64),
    /// The canonical path, where inodes are not available.
    #[cfg(not(unix))]
    Canonical(PathBuf),
}

fn file_id(path: &Path, meta: &fs::Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Some(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        fs::canonicalize(path).ok().map(FileId::Canonical)
    }
}

/// The `*.json` files at `paths`, and the folders that could not be read, with why.
///
/// A path given is taken as it is, a link included (as `find -H` does): a file as named
/// (even if it is not `*.json` or cannot be read, so that the caller reports it), a folder
/// searched recursively, each folder's entries sorted by name. Below the given paths no
/// symlinked folder is ever followed (a `loop -> .` link is skipped, as is a link to a
/// folder elsewhere); links to files are read. A file or folder reached twice (named twice,
/// or through a link to a file) is listed once, where it was first reached, and a folder
/// `skip_dir` rejects by name is not entered.
pub fn json_files(
    paths: &[PathBuf],
    skip_dir: impl Fn(&std::ffi::OsStr) -> bool,
) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut walk = Walk {
        files: Vec::new(),
        errors: Vec::new(),
        seen: std::collections::HashSet::new(),
        skip_dir: &skip_dir,
    };
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                if walk.first_visit(path, &meta) {
                    walk.dir(path, 0);
                }
            }
            Ok(meta) => {
                if walk.first_visit(path, &meta) {
                    walk.files.push(path.clone());
                }
            }
            // Named but missing or unreadable: listed, and reported when it is read.
            Err(_) => walk.files.push(path.clone()),
        }
    }
    (walk.files, walk.errors)
}

struct Walk<'f> {
    files: Vec<PathBuf>,
    errors: Vec<(PathBuf, String)>,
    seen: std::collections::HashSet<FileId>,
    skip_dir: &'f dyn Fn(&std::ffi::OsStr) -> bool,
}

impl Walk<'_> {
    /// Whether `path` is reached for the first time (true when its identity is unknown).
    fn first_visit(&mut self, path: &Path, meta: &fs::Metadata) -> bool {
        file_id(path, meta).is_none_or(|id| self.seen.insert(id))
    }

    fn dir(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_WALK_DEPTH {
            self.errors.push((
                dir.to_path_buf(),
                format!(
                    "{} is more than {MAX_WALK_DEPTH} folders deep; not searched",
                    dir.display()
                ),
            ));
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.errors.push((
                    dir.to_path_buf(),
                    format!("cannot read {}: {e}", dir.display()),
                ));
                return;
            }
        };
        let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            // The entry itself, not what a link points to.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if (self.skip_dir)(&entry.file_name()) {
                    continue;
                }
                if let Ok(meta) = entry.metadata()
                    && self.first_visit(&path, &meta)
                {
                    self.dir(&path, depth + 1);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            match fs::metadata(&path) {
                // A link to a folder that happens to be named `*.json`: not followed.
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) => {
                    if self.first_visit(&path, &meta) {
                        self.files.push(path);
                    }
                }
                // A dangling link or an unreadable file: listed, reported when read.
                Err(_) => self.files.push(path),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(files: &[PathBuf], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn walks_no_symlinked_folder_and_lists_each_file_once() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::create_dir_all(root.join("baselines")).unwrap();
        for f in [
            "a.json",
            "z.txt",
            "d/b.json",
            "d/e/c.json",
            "baselines/x.json",
        ] {
            fs::write(root.join(f), "{}").unwrap();
        }
        symlink(".", root.join("loop")).unwrap();
        symlink("..", root.join("d/up")).unwrap();
        symlink("../..", root.join("d/e/up2")).unwrap();
        symlink("d", root.join("dir.json")).unwrap();
        symlink("../a.json", root.join("d/again.json")).unwrap();
        symlink("missing.json", root.join("d/dangling.json")).unwrap();
        let (files, errors) = json_files(&[root.to_path_buf()], |n| n == "baselines");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            names(&files, root),
            ["a.json", "d/b.json", "d/dangling.json", "d/e/c.json"]
        );
        // Named twice, or a file inside a folder named too: once.
        let (files, _) = json_files(
            &[
                root.join("d/b.json"),
                root.to_path_buf(),
                root.join("d"),
                root.join("d/again.json"),
            ],
            |_| false,
        );
        assert_eq!(
            names(&files, root),
            [
                "d/b.json",
                "a.json",
                "baselines/x.json",
                "d/dangling.json",
                "d/e/c.json"
            ]
        );
        // A link named on the command line is followed.
        let (files, _) = json_files(&[root.join("loop")], |_| true);
        assert_eq!(names(&files, root), ["loop/a.json"]);
    }

    #[test]
    fn a_folder_too_deep_is_an_error_not_a_crash() {
        let tmp = tempfile::tempdir().unwrap();
        let mut deep = tmp.path().to_path_buf();
        for _ in 0..=MAX_WALK_DEPTH + 1 {
            deep.push("d");
        }
        fs::create_dir_all(&deep).unwrap();
        let (files, errors) = json_files(&[tmp.path().to_path_buf()], |_| false);
        assert!(files.is_empty());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].1.contains("folders deep"), "{errors:?}");
    }
}
