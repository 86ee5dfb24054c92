//! # payple-mock
//!
//! A local Payple sandbox driven by the payple-spec: cpay (partner auth, then the flagged
//! call at the returned `return_url`), hub and global (bearer tokens), each service on its
//! own `127.0.0.1` port. Requests are checked with the strict validator; answers are built
//! from the documented samples, with fresh tokens, ids and times; tokens and the
//! result-inquiry budget run on a [`Clock`] tests can move by hand; [`Drift`] mutations
//! make the answers deviate from the spec on purpose. See the crate README.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = payple_mock::MockServer::start(payple_mock::MockConfig::default()).await?;
//! println!("cpay at {}", server.cpay_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod body;
mod clock;
mod drift;
mod server;

pub use clock::Clock;
pub use drift::{Drift, DriftParseError};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use server::{Incoming, Service, Shared};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, PoisonError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Largest request body the mock reads (bytes).
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// How to run the mock.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// Response mutations, applied in order to the answers of their endpoint.
    pub drift: Vec<Drift>,
    /// The clock tokens and the inquiry budget are measured on.
    pub clock: Clock,
    /// Base port: cpay listens on it, hub on +1, global on +2. `None`: three random ports.
    pub port: Option<u16>,
}

/// One request the mock received. Secrets never appear: `body` keeps only documented,
/// non-sensitive values.
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
    /// HTTP status of the answer.
    pub status: u16,
    /// The result code answered (or `result_msg` for cpay.auth), after drift.
    pub result_code: Option<String>,
    /// The request body, redacted (sensitive and undocumented values replaced).
    pub body: Value,
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
        let shared = Arc::new(Shared::new(config.clock, config.drift));
        let _ = shared.cpay_url.set(format!("http://{cpay}"));
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for (listener, svc) in [
            (cpay_l, Service::Cpay),
            (hub_l, Service::Hub),
            (global_l, Service::Global),
        ] {
            let shared = shared.clone();
            let app = Router::new().fallback(move |req: Request| {
                let shared = shared.clone();
                async move { serve(shared, svc, req).await }
            });
            let mut rx = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.wait_for(|stop| *stop).await;
                    })
                    .await;
            }));
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

    /// Every request received so far, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops the listeners and waits for open connections to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

async fn serve(shared: Arc<Shared>, svc: Service, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
        }
    };
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        content_type: header_str(&parts.headers, header::CONTENT_TYPE),
        referer: header_str(&parts.headers, header::REFERER),
        authorization: header_str(&parts.headers, header::AUTHORIZATION),
        body: &bytes,
    };
    let answer = shared.handle(svc, &incoming);
    let text = serde_json::to_string(&answer.body).unwrap_or_else(|_| "{}".into());
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
