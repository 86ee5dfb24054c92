//! `payple-conformance mock`: runs the payple-mock sandbox until Ctrl-C.

use payple_mock::{Drift, MockConfig, MockServer};

/// Starts the three services, prints their URLs and serves until Ctrl-C.
pub fn run(port: Option<u16>, drift: Vec<Drift>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let config = MockConfig {
            drift,
            port,
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
        println!("Ctrl-C stops the mock.");
        let signal = tokio::signal::ctrl_c().await;
        let requests = server.request_log().len();
        server.shutdown().await;
        eprintln!("payple-mock: stopped after {requests} requests");
        signal.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))
    })
}
