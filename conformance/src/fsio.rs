//! Reading with a size cap and writing files atomically.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically: into a temporary file in the same directory, flushed
/// to disk, then renamed over `path`. Readers see the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
