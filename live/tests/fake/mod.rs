//! A small fake Payple on 127.0.0.1 that answers the live scenarios like Payple's test
//! hosts do, with drift that a test can switch on. It stands in for `payple-mock` until that
//! crate is wired in; tests reach it only through [`start`] and [`FakeServer`].

#![allow(dead_code, clippy::unwrap_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The secrets the fake hands out or expects; no output may contain any of them.
pub const SECRETS: [&str; 7] = [
    "abcd1234567890",
    "FAKECSTTOKEN",
    "FAKEKEYTOKEN",
    "fakeauthkey",
    "FAKEHUBBEARER",
    "FAKEGLOBALBEARER",
    "probe.payer@example.com",
];

/// Drift the fake can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeDrift {
    /// Answers as documented.
    None,
    /// Result inquiry: PCD_PAY_MSG renamed to PCD_PAY_MESSAGE.
    RenameField,
    /// Result inquiry: PCD_PAY_TYPE dropped.
    DropField,
    /// Result inquiry: an undocumented result code.
    NewResultCode,
    /// Hub token: `code` one character longer than its type code aN(10) allows.
    LongValue,
}

/// Settings of the fake.
#[derive(Debug, Clone, Copy)]
pub struct FakeConfig {
    /// Drift to show.
    pub drift: FakeDrift,
}

#[derive(Default)]
pub struct FakeState {
    drift: Mutex<Option<FakeDrift>>,
    /// Requests per path.
    pub hits: Mutex<HashMap<String, u32>>,
    /// 5xx answers still to give per path.
    pub fail_next: Mutex<HashMap<String, u32>>,
    issued: Mutex<u32>,
    /// Request headers seen per path (last request).
    pub headers: Mutex<HashMap<String, HeaderMap>>,
}

/// A running fake.
pub struct FakeServer {
    base: String,
    /// Shared state (hit counters, failure injection).
    pub state: Arc<FakeState>,
}

impl FakeServer {
    /// Base URL of cpay.
    pub fn cpay_url(&self) -> String {
        self.base.clone()
    }
    /// Base URL of hub.
    pub fn hub_url(&self) -> String {
        self.base.clone()
    }
    /// Base URL of global.
    pub fn global_url(&self) -> String {
        self.base.clone()
    }
    /// Requests received on a path.
    pub fn hits(&self, path: &str) -> u32 {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }
    /// Answer the next `n` requests on `path` with HTTP 503.
    pub fn fail_next(&self, path: &str, n: u32) {
        self.state.fail_next.lock().unwrap().insert(path.into(), n);
    }
    /// Switch the drift shown.
    pub fn set_drift(&self, d: FakeDrift) {
        *self.state.drift.lock().unwrap() = Some(d);
    }
}

/// Starts the fake on 127.0.0.1 (a free port).
pub async fn start(cfg: FakeConfig) -> FakeServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(FakeState::default());
    *state.drift.lock().unwrap() = Some(cfg.drift);
    let app = Router::new()
        .fallback(handle)
        .with_state((Arc::clone(&state), format!("http://{addr}")));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FakeServer {
        base: format!("http://{addr}"),
        state,
    }
}

/// A port nothing listens on.
pub async fn closed_port_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

async fn handle(
    State((state, base)): State<(Arc<FakeState>, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    *state.hits.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
    state
        .headers
        .lock()
        .unwrap()
        .insert(path.clone(), headers.clone());
    {
        let mut f = state.fail_next.lock().unwrap();
        if let Some(n) = f.get_mut(&path)
            && *n > 0
        {
            *n -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "<html>503</html>").into_response();
        }
    }
    let drift = state.drift.lock().unwrap().unwrap_or(FakeDrift::None);
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let s = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let n = {
        let mut i = state.issued.lock().unwrap();
        *i += 1;
        *i
    };
    let bearer_ok = |prefix: &str| {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(&format!("Bearer {prefix}")))
    };
    let answer = match path.as_str() {
        "/php/auth.php" => {
            if s("cst_id") != "test" || s("custKey") != "abcd1234567890" {
                json!({"result": "error", "result_msg": "AUTH0001 partner unknown"})
            } else if !headers.contains_key("referer") {
                json!({"result": "error", "result_msg": "AUTH0007 referer missing"})
            } else {
                let work = [
                    "PCD_PAYCHK_FLAG",
                    "PCD_PAYCANCEL_FLAG",
                    "PCD_SIMPLE_FLAG",
                    "PCD_REGULER_FLAG",
                ]
                .iter()
                .find(|f| s(f) == "Y")
                .map(|f| f.to_string())
                .unwrap_or_else(|| s("PCD_PAY_WORK"));
                json!({
                    "server_name": "democpay.payple.kr",
                    "result": "success",
                    "result_msg": "사용자 인증 완료!!",
                    "cst_id": format!("FAKECSTTOKEN{n:04}"),
                    "custKey": format!("FAKEKEYTOKEN{n:04}"),
                    "AuthKey": format!("fakeauthkey{n:04}"),
                    "PCD_PAY_HOST": base,
                    "PCD_PAY_URL": format!("/php/next/{work}"),
                    "return_url": format!("{base}/php/next/{work}"),
                })
            }
        }
        p if p.starts_with("/php/next/") => {
            if !s("PCD_AUTH_KEY").starts_with("fakeauthkey") {
                json!({"PCD_PAY_RST": "error", "PCD_PAY_CODE": "AUTH0003", "PCD_PAY_MSG": "bad token"})
            } else {
                match &p["/php/next/".len()..] {
                    "PCD_PAYCHK_FLAG" => {
                        let mut v = json!({
                            "PCD_PAY_RST": "error",
                            "PCD_PAY_CODE": "CPAY0202",
                            "PCD_PAY_MSG": "조회된 결제건이 없습니다.",
                            "PCD_PAY_OID": s("PCD_PAY_OID"),
                            "PCD_PAY_TYPE": "transfer",
                            "PCD_PAYER_EMAIL": "probe.payer@example.com",
                        });
                        let m = v.as_object_mut().unwrap();
                        match drift {
                            FakeDrift::RenameField => {
                                let msg = m.remove("PCD_PAY_MSG").unwrap();
                                m.insert("PCD_PAY_MESSAGE".into(), msg);
                            }
                            FakeDrift::DropField => {
                                m.remove("PCD_PAY_TYPE");
                            }
                            FakeDrift::NewResultCode => {
                                m.insert("PCD_PAY_CODE".into(), "PCHK4242".into());
                            }
                            _ => {}
                        }
                        v
                    }
                    "PUSERDEL" => {
                        json!({"PCD_PAY_RST": "error", "PCD_PAY_MSG": "등록된 정보가 없습니다.", "PCD_PAY_WORK": "PUSERDEL"})
                    }
                    "TSCANCEL" => {
                        json!({"PCD_PAY_RST": "error", "PCD_PAY_MSG": "현금영수증 취소 대상이 없습니다.", "PCD_PAY_WORK": "TSCANCEL"})
                    }
                    _ => {
                        json!({"PCD_PAY_RST": "error", "PCD_PAY_CODE": "CPAY0202", "PCD_PAY_MSG": "요청 대상이 없습니다."})
                    }
                }
            }
        }
        "/oauth/token" => {
            let mut code = s("code");
            if drift == FakeDrift::LongValue {
                code.push('x');
            }
            json!({"result": "T0000", "message": "토큰 발급 완료", "code": code,
                   "access_token": format!("FAKEHUBBEARER{n:04}"), "token_type": "Bearer", "expires_in": "60"})
        }
        "/gpay/oauth/1.0/token" => json!({
            "result": "T0000", "message": "토큰 발급 완료", "code": s("code"),
            "access_token": format!("FAKEGLOBALBEARER{n:04}"), "token_type": "Bearer",
            "payCls": "demo", "expires_in": "600"
        }),
        p if p.starts_with("/gpay/") => {
            if bearer_ok("FAKEGLOBALBEARER") {
                json!({"result": "T0300", "message": "요청 대상이 없습니다."})
            } else {
                json!({"result": "T0400", "message": "token"})
            }
        }
        _ => {
            if bearer_ok("FAKEHUBBEARER") {
                json!({"result": "A0009", "message": "API 세부업무 처리실패"})
            } else {
                return (StatusCode::UNAUTHORIZED, "{\"result\":\"T0401\"}").into_response();
            }
        }
    };
    (
        StatusCode::OK,
        [
            ("content-type", "application/json; charset=utf-8"),
            ("set-cookie", "PHPSESSID=fakecookie"),
        ],
        answer.to_string(),
    )
        .into_response()
}

/// A server on 127.0.0.1 that accepts connections and never answers.
pub async fn silent_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = l.accept().await {
            held.push(sock);
        }
    });
    format!("http://{addr}")
}
