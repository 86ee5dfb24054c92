//! # payple-mock
//!
//! A local Payple sandbox driven by the payple-spec: cpay (partner auth, then the flagged
//! call at the returned `return_url`, and CERT confirmation), hub and global (bearer
//! tokens), each service on its own `127.0.0.1` port, with an order ledger behind the
//! answers. Requests are checked with the validator; answers carry every field the spec
//! requires on success, values from the ledger and the documented samples; refusals use
//! the codes the spec's `[mock: ...]` limits name. Tokens and budgets run on a [`Clock`]
//! tests can move by hand; [`Fault`]s (latency, hangs, dropped connections, 5xx and HTML
//! pages, rate limits, token expiry, [`Drift`]) are switched on by configuration or at run
//! time. See the crate README.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = payple_mock::MockServer::start(payple_mock::MockConfig::default()).await?;
//! println!("cpay at {}", server.cpay_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod admin;
mod body;
mod clock;
mod cpay;
mod drift;
mod fault;
mod global;
mod http;
mod hub;
mod journal;
mod ledger;
mod protocol;
mod server;
mod webhook;
mod window;

pub use clock::Clock;
pub use drift::{Drift, DriftParseError};
pub use fault::{Fault, FaultKind, FaultParseError, FaultTarget};

use journal::Journal;
use serde_json::Value;
use server::{Service, Shared, lock};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

/// Bounds that keep the mock small and polite under abuse. Beyond `ledger_entries` (per
/// collection: payments, billing keys, tokens, ...) and `log_entries`, the oldest entries
/// are evicted first, and the first eviction prints a warning line on stderr.
#[derive(Debug, Clone)]
pub struct MockLimits {
    /// Entries kept per ledger collection (default 10,000).
    pub ledger_entries: usize,
    /// Exchanges kept in the in-memory request log (default 10,000).
    pub log_entries: usize,
    /// Size of the `--log` file before it is rotated to `FILE.1` (default 64 MiB).
    pub log_file_bytes: u64,
    /// Connections served at once over the three ports; more wait in the listen backlog
    /// (default 256).
    pub max_connections: usize,
    /// Time a client has to send a request's headers, and that a kept-alive connection may
    /// stay idle (default 10 s); then the connection is closed.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body (default 10 s); then HTTP 408.
    pub body_timeout: Duration,
    /// Largest request body (default 1 MiB); larger bodies get HTTP 413.
    pub max_body_bytes: usize,
    /// Largest request head (start line and headers; default 64 KiB, at least 8 KiB).
    pub max_header_bytes: usize,
    /// How long a `timeout` fault holds a request before dropping it (default 60 s).
    pub hang: Duration,
    /// The hub partner's payout limit when the mock starts, in won (default 10,000,000; a
    /// sandbox setting, as the spec documents no value).
    pub hub_payout_limit: u64,
}

impl Default for MockLimits {
    fn default() -> Self {
        MockLimits {
            ledger_entries: 10_000,
            log_entries: 10_000,
            log_file_bytes: 64 * 1024 * 1024,
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            max_header_bytes: 64 * 1024,
            hang: Duration::from_secs(60),
            hub_payout_limit: 10_000_000,
        }
    }
}

/// How to run the mock.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// Response mutations, applied in order to the answers of their endpoint (the same as
    /// `drift:` faults).
    pub drift: Vec<Drift>,
    /// Faults in force from the start (see [`Fault`]); more can be added at run time.
    pub faults: Vec<Fault>,
    /// The clock tokens and the inquiry budget are measured on.
    pub clock: Clock,
    /// Base port: cpay listens on it, hub on +1, global on +2. `None`: three random ports.
    pub port: Option<u16>,
    /// Caps and timeouts.
    pub limits: MockLimits,
    /// Write one line per exchange on stderr.
    pub log_stderr: bool,
    /// Append every exchange as redacted JSON Lines to this file.
    pub log_file: Option<PathBuf>,
    /// The partner's global webhook URL (`http://` only): payment and cancel results are
    /// posted there (also settable at run time: `POST /__mock/webhooks`).
    pub global_webhook: Option<String>,
}

/// One exchange the mock served. Secrets never appear: bodies keep only documented,
/// non-sensitive values, `authorization` only its scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// `cpay`, `hub` or `global`.
    pub service: String,
    /// The endpoint id the request was taken for; empty when no endpoint matched.
    pub endpoint: String,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Every finding of the request body as sent (all severities).
    pub findings: usize,
    /// The error-severity findings among them.
    pub errors: usize,
    /// HTTP status of the answer (0 when the connection was dropped by a fault).
    pub status: u16,
    /// The result code answered (or `result_msg` for cpay.auth), after drift.
    pub result_code: Option<String>,
    /// The request body, redacted (sensitive and undocumented values replaced).
    pub body: Value,
    /// The answer, redacted the same way (`null` when none was sent).
    pub response: Value,
    /// The Referer header as sent.
    pub referer: Option<String>,
    /// The Authorization header's scheme (`Bearer <redacted>`).
    pub authorization: Option<String>,
    /// When it arrived (the mock's clock, RFC 3339 UTC).
    pub time: String,
    /// Time spent serving it, in milliseconds.
    pub elapsed_ms: f64,
    /// The faults that shaped the answer, if any.
    pub fault: Option<String>,
}

/// A running mock: three listeners and their shared state.
pub struct MockServer {
    shared: Arc<Shared>,
    cpay: SocketAddr,
    hub: SocketAddr,
    global: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("cpay", &self.cpay)
            .field("hub", &self.hub)
            .field("global", &self.global)
            .finish_non_exhaustive()
    }
}

async fn bind(port: Option<u16>, offset: u16) -> std::io::Result<TcpListener> {
    let port = match port {
        Some(p) => p.checked_add(offset).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "base port too high")
        })?,
        None => 0,
    };
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await
}

impl MockServer {
    /// Binds the three services on 127.0.0.1 and starts serving.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let cpay_l = bind(config.port, 0).await?;
        let hub_l = bind(config.port, 1).await?;
        let global_l = bind(config.port, 2).await?;
        let (cpay, hub, global) = (
            cpay_l.local_addr()?,
            hub_l.local_addr()?,
            global_l.local_addr()?,
        );
        let journal = Journal::new(
            config.limits.log_entries,
            config.log_stderr,
            config.log_file.as_deref(),
            config.limits.log_file_bytes,
        )?;
        let mut faults = fault::Faults::default();
        for d in config.drift {
            faults.add(Fault {
                target: FaultTarget::Endpoint(d.endpoint().to_string()),
                kind: FaultKind::Drift(d),
                remaining: None,
            });
        }
        let conns = Arc::new(Semaphore::new(config.limits.max_connections.max(1)));
        let shared = Arc::new(Shared::new(config.clock, config.limits, journal, faults));
        let _ = shared.cpay_url.set(format!("http://{cpay}"));
        let _ = shared.me.set(Arc::downgrade(&shared));
        *lock(&shared.global_webhook) = config.global_webhook.clone();
        for f in config.faults {
            admin::add_fault(&shared, f);
        }
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for (listener, svc) in [
            (cpay_l, Service::Cpay),
            (hub_l, Service::Hub),
            (global_l, Service::Global),
        ] {
            tasks.push(tokio::spawn(http::serve(
                listener,
                Arc::clone(&shared),
                svc,
                stop_rx.clone(),
                Arc::clone(&conns),
            )));
        }
        Ok(MockServer {
            shared,
            cpay,
            hub,
            global,
            stop,
            tasks,
        })
    }

    /// Base URL of cpay, e.g. `http://127.0.0.1:41234` (auth at `/php/auth.php`).
    pub fn cpay_url(&self) -> String {
        format!("http://{}", self.cpay)
    }

    /// Base URL of hub (token at `/oauth/token`).
    pub fn hub_url(&self) -> String {
        format!("http://{}", self.hub)
    }

    /// Base URL of global (token at `/gpay/oauth/1.0/token`).
    pub fn global_url(&self) -> String {
        format!("http://{}", self.global)
    }

    /// The exchanges still in the request log, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.journal.entries()
    }

    /// The ledger as the admin route `GET /__mock/ledger` shows it (amounts, states, order
    /// ids; no billing key, token or personal value).
    pub fn ledger(&self) -> Value {
        lock(&self.shared.ledger).snapshot()
    }

    /// Adds a fault at run time (`token-expiry` acts at once).
    pub fn add_fault(&self, fault: Fault) {
        admin::add_fault(&self.shared, fault);
    }

    /// Removes every fault and drift.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// The faults in force, as specifications.
    pub fn faults(&self) -> Vec<String> {
        lock(&self.shared.faults).list()
    }

    /// Runs the payment window the admin route `POST /__mock/window` stands in for, on
    /// `service` (`cpay` or `global`), and returns the result it posts to the partner.
    pub fn open_window(&self, service: &str, request: &Value) -> Result<Value, String> {
        match service {
            "cpay" => self.shared.cpay_window(request),
            "global" => self.shared.global_window(request),
            other => Err(format!("{other} has no payment window")),
        }
    }

    /// The post-backs and webhooks sent (endpoint, URL, time, status or error), oldest
    /// first.
    pub fn webhooks(&self) -> Vec<Value> {
        lock(&self.shared.deliveries)
            .0
            .iter()
            .map(webhook::Delivery::to_json)
            .collect()
    }

    /// Every token the mock issued and still remembers (AuthKeys, encoded cst_id /
    /// custKey, bearer tokens), so that a test can check that none leaks into its own
    /// outputs. The mock never logs them.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.issued_tokens()
    }

    /// Stops the listeners and waits for open connections to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// One request handled without a socket, the way a listener handles it after reading the
/// body: the payment-window routes, the admin routes, then endpoint resolution, faults (their
/// answers; latency and hangs are not waited for), the handler and the request log. For the
/// fuzz target (`fuzz/fuzz_targets/mock_request.rs`) and regression tests; not a stable API.
#[doc(hidden)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

/// What [`Sandbox::handle`] answered and logged.
#[doc(hidden)]
#[derive(Debug)]
pub struct SandboxExchange {
    /// HTTP status (0: the connection would be dropped).
    pub status: u16,
    /// The answer's body.
    pub body: Vec<u8>,
    /// The stderr line the exchange logs.
    pub log_line: String,
    /// The JSON line `--log` writes for it.
    pub log_json: String,
}

impl Sandbox {
    /// A fresh mock state (system clock, no fault, `limits`), logging nowhere but its
    /// in-memory request log.
    pub fn new(limits: MockLimits) -> std::io::Result<Sandbox> {
        let journal = Journal::new(limits.log_entries, false, None, limits.log_file_bytes)?;
        let shared = Arc::new(Shared::new(
            Clock::default(),
            limits,
            journal,
            fault::Faults::default(),
        ));
        let _ = shared.cpay_url.set("http://127.0.0.1:9".into());
        let _ = shared.me.set(Arc::downgrade(&shared));
        Ok(Sandbox { shared })
    }

    /// Handles one request to `service` (`cpay`, `hub` or `global`; others answer 404):
    /// `target` is the request line's path and query, `headers` any header bytes (invalid
    /// ones are ignored as a listener ignores them).
    pub fn handle(
        &self,
        service: &str,
        method: &[u8],
        target: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> SandboxExchange {
        let shared = &self.shared;
        let svc = match service {
            "cpay" => Service::Cpay,
            "hub" => Service::Hub,
            "global" => Service::Global,
            _ => return SandboxExchange::plain(404, b"unknown service".to_vec()),
        };
        // What hyper refuses before a handler runs.
        let (Ok(method), Ok(uri)) = (
            hyper::Method::from_bytes(method),
            target.parse::<hyper::Uri>(),
        ) else {
            return SandboxExchange::plain(400, b"bad request line".to_vec());
        };
        let header = |name: &str| {
            headers
                .iter()
                .rev()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| hyper::header::HeaderValue::from_bytes(v).ok())
                .and_then(|v| v.to_str().ok().map(str::to_string))
        };
        let (path, query, method) = (uri.path(), uri.query(), method.as_str());
        if window::is_window_path(svc, path) {
            let a = window::handle(shared, svc, method, path, body);
            return SandboxExchange::plain(a.status, a.body);
        }
        if admin::is_admin_path(path) {
            let (status, v) = admin::handle(shared, svc, method, path, query, body);
            return SandboxExchange::plain(status, v.to_string().into_bytes());
        }
        let (content_type, referer, authorization) = (
            header("content-type"),
            header("referer"),
            header("authorization"),
        );
        let inc = server::Incoming {
            method,
            path,
            query,
            content_type: content_type.as_deref(),
            referer: referer.as_deref(),
            authorization: authorization.as_deref(),
            body,
        };
        let (ep, plan, handled) = shared.serve(svc, &inc);
        let mut entry = LoggedRequest {
            service: svc.id().into(),
            endpoint: ep.map(|e| e.id).unwrap_or("").into(),
            method: method.into(),
            path: path.into(),
            findings: 0,
            errors: 0,
            status: 0,
            result_code: None,
            body: Value::Null,
            response: Value::Null,
            referer,
            authorization,
            time: clock::utc_rfc3339(shared.clock.now()),
            elapsed_ms: 0.0,
            fault: None,
        };
        let mut answer = Vec::new();
        match (handled, plan.terminal) {
            (Some(h), _) => {
                journal::answered(&mut entry, &h);
                entry.body = h.request;
                answer = h.body.to_string().into_bytes();
            }
            (None, Some(FaultKind::Http(code))) => entry.status = code,
            (None, Some(FaultKind::Html)) => entry.status = 200,
            (None, _) => {}
        }
        journal::scrub_headers(&mut entry);
        let log_line = journal::line(&entry);
        let log_json = journal::json_line(&entry).to_string();
        let status = entry.status;
        shared.journal.record(entry);
        SandboxExchange {
            status,
            body: answer,
            log_line,
            log_json,
        }
    }
}

impl SandboxExchange {
    fn plain(status: u16, body: Vec<u8>) -> SandboxExchange {
        SandboxExchange {
            status,
            body,
            log_line: String::new(),
            log_json: String::new(),
        }
    }
}
