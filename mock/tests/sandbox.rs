//! The socket-free entry point the fuzz target drives (`payple_mock::Sandbox`, see
//! fuzz/fuzz_targets/mock_request.rs) answers and logs the same as the served mock: the same
//! requests, in the same order, to a fresh sandbox and to a fresh server give the same
//! statuses and the same log entries (endpoint, status, result code, findings, redacted
//! request).

#![allow(clippy::unwrap_used)]

mod common;

use common::{REFERER, client, request_samples};
use payple_mock::{MockConfig, MockLimits, MockServer, Sandbox};
use payple_types::{Target, endpoints};
use serde_json::Value;

struct Req {
    service: &'static str,
    method: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn json_post(service: &'static str, target: String, body: Vec<u8>) -> Req {
    Req {
        service,
        method: "POST",
        target,
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("Referer", format!("{REFERER}/order?PCD_AUTH_KEY=secret1")),
            ("Authorization", "Bearer secret2".into()),
        ],
        body,
    }
}

/// Every documented request sample at its endpoint's path, then hostile and wrong requests.
fn requests() -> Vec<Req> {
    let mut out = Vec::new();
    for ep in endpoints() {
        let path = match (ep.legacy_paths.first().copied(), ep.target) {
            (Some(p), _) | (None, Target::Path(p)) => p.to_string(),
            (None, Target::AuthReturnUrl(_)) => format!("/__mock/return/{}", ep.id),
            _ => continue,
        };
        for sample in request_samples(ep.id) {
            out.push(json_post(
                ep.service,
                path.clone(),
                sample.to_string().into_bytes(),
            ));
        }
    }
    assert!(out.len() > 20, "{} samples", out.len());
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes();
    for (svc, path) in [("cpay", "/php/auth.php"), ("hub", "/oauth/token")] {
        out.push(json_post(svc, path.into(), deep.clone()));
        out.push(json_post(
            svc,
            path.into(),
            b"{\"cst_id\": \"te\xffst\"}".to_vec(),
        ));
        out.push(json_post(
            svc,
            path.into(),
            b"array('cst_id' => 'test')".to_vec(),
        ));
        let mut form = json_post(svc, path.into(), b"cst_id=test&custKey=x".to_vec());
        form.headers[0].1 = "application/x-www-form-urlencoded".into();
        out.push(form);
        out.push(Req {
            method: "GET",
            ..json_post(svc, path.into(), Vec::new())
        });
        out.push(json_post(
            svc,
            format!("{path}/nothing?x=1"),
            b"{}".to_vec(),
        ));
    }
    out.push(Req {
        method: "GET",
        ..json_post("cpay", "/__mock/ledger".into(), Vec::new())
    });
    out
}

fn base(server: &MockServer, service: &str) -> String {
    match service {
        "cpay" => server.cpay_url(),
        "hub" => server.hub_url(),
        _ => server.global_url(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_answers_and_logs_as_the_server_does() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let sandbox = Sandbox::new(MockLimits::default()).unwrap();
    let mut logged = Vec::new();
    for r in requests() {
        let mut rb = client().request(
            r.method.parse().unwrap(),
            format!("{}{}", base(&server, r.service), r.target),
        );
        for (k, v) in &r.headers {
            rb = rb.header(*k, v);
        }
        let served = rb
            .body(r.body.clone())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let headers: Vec<(&str, &[u8])> =
            r.headers.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
        let out = sandbox.handle(r.service, r.method.as_bytes(), &r.target, &headers, &r.body);
        assert_eq!(
            out.status,
            served,
            "{} {} {}: {}",
            r.service,
            r.method,
            r.target,
            String::from_utf8_lossy(&out.body)
        );
        if !out.log_json.is_empty() {
            assert!(!out.log_json.contains("secret"), "{}", out.log_json);
            logged.push(serde_json::from_str::<Value>(&out.log_json).unwrap());
        }
    }
    let log = server.request_log();
    assert_eq!(log.len(), logged.len());
    for (s, l) in log.iter().zip(&logged) {
        assert_eq!(s.endpoint, l["endpoint"], "{l}");
        assert_eq!(s.status, l["status"], "{l}");
        assert_eq!(s.result_code.as_deref(), l["result_code"].as_str(), "{l}");
        assert_eq!(s.findings, l["findings"].as_u64().unwrap() as usize, "{l}");
        assert_eq!(s.errors, l["errors"].as_u64().unwrap() as usize, "{l}");
        assert_eq!(s.body, l["request"], "{l}");
        assert_eq!(s.authorization.as_deref(), l["authorization"].as_str());
        assert_eq!(s.referer.as_deref(), l["referer"].as_str());
    }
    // Some of them were answered as documented, some refused.
    assert!(
        log.iter()
            .any(|e| e.status == 200 && !e.endpoint.is_empty())
    );
    assert!(log.iter().any(|e| e.status >= 400));
    server.shutdown().await;
}
