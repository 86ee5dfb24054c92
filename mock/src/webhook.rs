//! Post-backs and webhooks: Payple calling the partner when the ledger changes. The cpay
//! window result goes to `PCD_RST_URL` as form fields (cpay.result_callback), the hub payout
//! result to the `webhook_url` of the execution (hub.webhook), global payment and cancel
//! results to the URL registered for the partner (global.webhook; `MockConfig::
//! global_webhook` or `POST /__mock/webhooks`). Plain `http://` only; one attempt each
//! (the spec finds no retry policy for any of them); every delivery is listed.

use crate::clock::utc_rfc3339;
use crate::server::{Shared, lock};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Deliveries kept for the admin listing.
const KEPT: usize = 1000;

/// One delivery and how it went.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub endpoint: &'static str,
    pub url: String,
    pub time: SystemTime,
    /// HTTP status answered, or why there was none.
    pub outcome: Result<u16, String>,
}

impl Delivery {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "url": self.url,
            "time": utc_rfc3339(self.time),
            "status": self.outcome.as_ref().ok(),
            "error": self.outcome.as_ref().err(),
        })
    }
}

/// The deliveries made, newest last.
#[derive(Debug, Default)]
pub(crate) struct Deliveries(pub VecDeque<Delivery>);

/// `application/x-www-form-urlencoded` of a flat object's string values.
fn form(body: &Value) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    body.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{}={}", enc(k), enc(v))))
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default()
}

/// POSTs `body` to an `http://host[:port]/path` URL; the status answered.
async fn post(url: &str, content_type: &str, body: &[u8]) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are called")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err("no host".into());
    }
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let io = async {
        let mut s = TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nUser-Agent: payple-mock\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        s.write_all(body).await.map_err(|e| format!("write: {e}"))?;
        let mut buf = vec![0u8; 256];
        let mut got = 0;
        while got < 12 {
            let n = s
                .read(&mut buf[got..])
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                break;
            }
            got += n;
        }
        let line = String::from_utf8_lossy(&buf[..got]).to_string();
        line.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("no HTTP status in `{}`", line.trim()))
    };
    tokio::time::timeout(Duration::from_secs(10), io)
        .await
        .map_err(|_| "no answer within 10 s".to_string())?
}

/// Sends a post-back in the background (when a runtime is there) and records it.
pub(crate) fn send(
    shared: &Arc<Shared>,
    endpoint: &'static str,
    url: &str,
    body: Value,
    as_form: bool,
) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let shared = Arc::clone(shared);
    let url = url.to_string();
    handle.spawn(async move {
        let (ct, bytes) = if as_form {
            (
                "application/x-www-form-urlencoded",
                form(&body).into_bytes(),
            )
        } else {
            (
                "application/json; charset=utf-8",
                serde_json::to_vec(&body).unwrap_or_default(),
            )
        };
        let outcome = post(&url, ct, &bytes).await;
        let d = Delivery {
            endpoint,
            url,
            time: shared.clock.now(),
            outcome,
        };
        let mut list = lock(&shared.deliveries);
        list.0.push_back(d);
        while list.0.len() > KEPT {
            list.0.pop_front();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        let b = json!({"PCD_PAY_RST": "success", "PCD_PAY_MSG": "결제 완료", "n": 1});
        assert_eq!(
            form(&b),
            "PCD_PAY_MSG=%EA%B2%B0%EC%A0%9C+%EC%99%84%EB%A3%8C&PCD_PAY_RST=success"
        );
    }
}
