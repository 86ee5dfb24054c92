//! What the mock tells about the exchanges it serves: the in-memory request log (capped,
//! oldest first evicted), one line per exchange on stderr, and redacted JSON Lines in a file
//! (rotated to `FILE.1` beyond its size cap).

use crate::LoggedRequest;
use crate::server::Handled;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The request log and its outputs.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: Mutex<Ring>,
    stderr: bool,
    file: Option<Mutex<LogFile>>,
}

#[derive(Debug)]
struct Ring {
    items: VecDeque<LoggedRequest>,
    cap: usize,
    evicted: u64,
    total: u64,
}

#[derive(Debug)]
struct LogFile {
    path: PathBuf,
    file: Option<File>,
    written: u64,
    cap: u64,
}

impl LogFile {
    fn open(path: &Path, cap: u64) -> std::io::Result<LogFile> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(LogFile {
            path: path.to_path_buf(),
            file: Some(file),
            written,
            cap,
        })
    }

    fn write_line(&mut self, line: &str) {
        if self.written + line.len() as u64 + 1 > self.cap && self.written > 0 {
            // Rotate: the current file becomes FILE.1 (replacing an older one).
            self.file = None;
            let mut old = self.path.clone().into_os_string();
            old.push(".1");
            let _ = std::fs::rename(&self.path, PathBuf::from(old));
            match OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(&self.path)
            {
                Ok(f) => self.file = Some(f),
                Err(e) => eprintln!(
                    "payple-mock: warning: cannot reopen the log {}: {e}",
                    self.path.display()
                ),
            }
            self.written = 0;
        }
        if let Some(f) = self.file.as_mut()
            && writeln!(f, "{line}").is_ok()
        {
            self.written += line.len() as u64 + 1;
        }
    }
}

impl Journal {
    pub(crate) fn new(
        cap: usize,
        stderr: bool,
        file: Option<&Path>,
        file_cap: u64,
    ) -> std::io::Result<Journal> {
        let file = match file {
            Some(p) => Some(Mutex::new(LogFile::open(p, file_cap.max(4096))?)),
            None => None,
        };
        Ok(Journal {
            entries: Mutex::new(Ring {
                items: VecDeque::new(),
                cap: cap.max(1),
                evicted: 0,
                total: 0,
            }),
            stderr,
            file,
        })
    }

    /// Records one exchange (headers scrubbed, see [`scrub_headers`]): the log, the stderr
    /// line, the JSON line.
    pub(crate) fn record(&self, mut entry: LoggedRequest) {
        scrub_headers(&mut entry);
        if self.stderr {
            eprintln!("{}", line(&entry));
        }
        if let Some(f) = &self.file {
            let text = serde_json::to_string(&json_line(&entry)).unwrap_or_default();
            f.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .write_line(&text);
        }
        let mut ring = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        ring.total += 1;
        ring.items.push_back(entry);
        while ring.items.len() > ring.cap {
            ring.items.pop_front();
            if ring.evicted == 0 {
                eprintln!(
                    "payple-mock: warning: the request log reached its cap of {} entries; evicting the oldest first from now on",
                    ring.cap
                );
            }
            ring.evicted += 1;
        }
    }

    /// The log, oldest first.
    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        let ring = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        ring.items.iter().cloned().collect()
    }

    /// The last `n` entries.
    pub(crate) fn tail(&self, n: usize) -> Vec<LoggedRequest> {
        let ring = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let skip = ring.items.len().saturating_sub(n);
        ring.items.iter().skip(skip).cloned().collect()
    }

    /// (exchanges served, entries evicted).
    pub(crate) fn counts(&self) -> (u64, u64) {
        let ring = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        (ring.total, ring.evicted)
    }
}

/// Copies a handled answer into its log entry: counts, status, result code, and the answer
/// redacted like the request (a refusal or an error page as it was sent).
pub(crate) fn answered(e: &mut LoggedRequest, h: &Handled) {
    e.findings = h.findings;
    e.errors = h.errors;
    e.status = h.status;
    e.result_code = h.result_code.clone();
    e.response = match h.endpoint {
        Some(ep) if h.status == 200 => crate::body::redact(ep.response, &h.body),
        _ => h.body.clone(),
    };
}

/// Keeps of the headers only what cannot carry a secret: the Referer without its query and
/// fragment (partner pages put order ids, keys and tokens there) and at most 200 characters
/// long, the Authorization header's scheme (`Bearer <redacted>`). Idempotent.
pub(crate) fn scrub_headers(e: &mut LoggedRequest) {
    if let Some(r) = e.referer.as_mut() {
        let end = r.find(['?', '#']).unwrap_or(r.len());
        let kept: String = r[..end].chars().take(200).collect();
        *r = if end < r.len() {
            format!("{kept}?<redacted>")
        } else {
            kept
        };
    }
    if let Some(a) = e.authorization.as_mut() {
        *a = match a.trim().split_once(' ') {
            Some((scheme, _)) => format!("{scheme} <redacted>"),
            None => "<redacted>".into(),
        };
    }
}

/// The stderr line: `payple-mock: <time> <service> <METHOD> <path> <endpoint> <status>
/// <result code> <ms>ms`.
pub(crate) fn line(e: &LoggedRequest) -> String {
    format!(
        "payple-mock: {} {} {} {} {} {} {} {:.1}ms{}",
        e.time,
        e.service,
        e.method,
        e.path,
        if e.endpoint.is_empty() {
            "-"
        } else {
            &e.endpoint
        },
        e.status,
        e.result_code.as_deref().unwrap_or("-"),
        e.elapsed_ms,
        e.fault
            .as_deref()
            .map(|f| format!(" fault={f}"))
            .unwrap_or_default()
    )
}

/// The JSON line of an exchange (every value already redacted).
pub(crate) fn json_line(e: &LoggedRequest) -> Value {
    json!({
        "time": e.time,
        "service": e.service,
        "method": e.method,
        "path": e.path,
        "endpoint": e.endpoint,
        "status": e.status,
        "result_code": e.result_code,
        "elapsed_ms": e.elapsed_ms,
        "findings": e.findings,
        "errors": e.errors,
        "referer": e.referer,
        "authorization": e.authorization,
        "fault": e.fault,
        "request": e.body,
        "response": e.response,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_exchange() {
        let e = LoggedRequest {
            service: "cpay".into(),
            endpoint: "cpay.result_inquiry".into(),
            method: "POST".into(),
            path: "/php/PayChkAct.php".into(),
            findings: 0,
            errors: 0,
            status: 200,
            result_code: Some("PCHK0000".into()),
            body: Value::Null,
            response: Value::Null,
            referer: None,
            authorization: None,
            time: "2026-12-04T07:40:25.861Z".into(),
            elapsed_ms: 1.25,
            fault: None,
        };
        assert_eq!(
            line(&e),
            "payple-mock: 2026-12-04T07:40:25.861Z cpay POST /php/PayChkAct.php cpay.result_inquiry 200 PCHK0000 1.2ms"
        );
        let j = json_line(&e);
        assert_eq!(j["endpoint"], "cpay.result_inquiry");
        let dir = std::env::temp_dir().join(format!("payple-mock-journal-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("log.jsonl");
        let _ = std::fs::remove_file(&path);
        let journal = Journal::new(2, false, Some(&path), 4096).unwrap();
        for _ in 0..3 {
            journal.record(e.clone());
        }
        assert_eq!(journal.entries().len(), 2);
        assert_eq!(journal.counts(), (3, 1));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn headers_are_scrubbed_before_they_are_kept_or_written() {
        let mut e = LoggedRequest {
            service: "cpay".into(),
            endpoint: String::new(),
            method: "POST".into(),
            path: "/php/auth.php".into(),
            findings: 0,
            errors: 0,
            status: 200,
            result_code: None,
            body: Value::Null,
            response: Value::Null,
            referer: Some("https://shop.example/pay?PCD_AUTH_KEY=Secret1#Secret2".into()),
            authorization: Some("Bearer Secret3".into()),
            time: String::new(),
            elapsed_ms: 0.0,
            fault: None,
        };
        let journal = Journal::new(4, false, None, 4096).unwrap();
        journal.record(e.clone());
        let kept = &journal.entries()[0];
        assert_eq!(
            kept.referer.as_deref(),
            Some("https://shop.example/pay?<redacted>")
        );
        assert_eq!(kept.authorization.as_deref(), Some("Bearer <redacted>"));
        // Idempotent, and a bare token or a long referer is cut too.
        let mut again = kept.clone();
        scrub_headers(&mut again);
        assert_eq!(&again, kept);
        e.authorization = Some("Secret4".into());
        e.referer = Some(format!("https://shop.example/{}", "a".repeat(500)));
        scrub_headers(&mut e);
        assert_eq!(e.authorization.as_deref(), Some("<redacted>"));
        assert_eq!(e.referer.as_ref().map(|r| r.chars().count()), Some(200));
    }
}
