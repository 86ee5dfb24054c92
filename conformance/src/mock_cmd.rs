//! `payple-conformance mock`: runs the payple-mock sandbox until Ctrl-C.

use payple_mock::{Drift, Fault, MockConfig, MockLimits, MockServer};
use std::path::PathBuf;

/// What `mock` was asked for.
pub struct Options {
    pub port: Option<u16>,
    pub drift: Vec<Drift>,
    pub faults: Vec<Fault>,
    pub log: Option<PathBuf>,
    pub quiet: bool,
    pub limits: MockLimits,
    pub global_webhook: Option<String>,
}

/// Starts the three services, prints their URLs and serves until Ctrl-C.
pub fn run(o: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let config = MockConfig {
            drift: o.drift,
            faults: o.faults,
            port: o.port,
            limits: o.limits,
            log_stderr: !o.quiet,
            log_file: o.log.clone(),
            global_webhook: o.global_webhook,
            ..MockConfig::default()
        };
        let server = MockServer::start(config)
            .await
            .map_err(|e| format!("cannot start the mock: {e}"))?;
        println!(
            "cpay   {}  (auth: {}/php/auth.php)",
            server.cpay_url(),
            server.cpay_url()
        );
        println!(
            "hub    {}  (token: {}/oauth/token)",
            server.hub_url(),
            server.hub_url()
        );
        println!(
            "global {}  (token: {}/gpay/oauth/1.0/token)",
            server.global_url(),
            server.global_url()
        );
        println!(
            "admin  GET {0}/__mock/ledger, GET {0}/__mock/log, POST {0}/__mock/faults, POST {0}/__mock/window",
            server.cpay_url()
        );
        if let Some(p) = &o.log {
            println!("log    {} (redacted JSON Lines)", p.display());
        }
        // The handler is installed on the first poll: do it before saying so, so that a
        // Ctrl-C sent as soon as this line is read stops the mock gracefully.
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        let early = tokio::select! {
            biased;
            s = &mut ctrl_c => Some(s),
            () = std::future::ready(()) => None,
        };
        println!("Ctrl-C stops the mock.");
        let signal = match early {
            Some(s) => s,
            None => ctrl_c.await,
        };
        let requests = server.request_log().len();
        server.shutdown().await;
        eprintln!("payple-mock: stopped after {requests} requests");
        signal.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))
    })
}
