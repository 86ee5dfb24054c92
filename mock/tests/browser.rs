//! The payment window in a real headless Chromium, driven over WebDriver (chromedriver):
//! a partner page served here loads the mock's window script, the tester's clicks happen
//! in the mock's window, and the result arrives at the partner's result URL (or callback).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian packages `chromium`,
//! `chromium-driver`; paths overridable with `PAYPLE_CHROMIUM` / `PAYPLE_CHROMEDRIVER`).
//! Without them the test is skipped, unless `PAYPLE_BROWSER_TESTS=required` (set by
//! .ci/run), which makes their absence a failure. `PAYPLE_WINDOW_SCREENSHOTS=DIR` saves
//! the window screenshots used by the guide (scripts/window-screenshots.sh).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use payple_mock::{Clock, MockServer};
use payple_types::{Part, Severity, validate_value};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const WAIT: Duration = Duration::from_secs(15);

// ---- a minimal W3C WebDriver client ---------------------------------------------------

struct Browser {
    base: String,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
    http: reqwest::Client,
}

fn tool(var: &str, default: &str) -> Option<PathBuf> {
    let p = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    p.is_file().then_some(p)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; None (skip) when they are not
    /// installed and the browser tests are not required.
    async fn start() -> Option<Browser> {
        let required = std::env::var("PAYPLE_BROWSER_TESTS").as_deref() == Ok("required");
        let (Some(chromium), Some(driver)) = (
            tool("PAYPLE_CHROMIUM", "/usr/bin/chromium"),
            tool("PAYPLE_CHROMEDRIVER", "/usr/bin/chromedriver"),
        ) else {
            assert!(
                !required,
                "PAYPLE_BROWSER_TESTS=required but chromium / chromedriver are not installed (apt-get install chromium chromium-driver)"
            );
            eprintln!("skipped: chromium or chromedriver not installed");
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = client();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1000,760".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let mut b = Browser {
            base,
            session: String::new(),
            driver: child,
            _profile: profile,
            http,
        };
        let v = b.call("POST", "/session", Some(caps)).await;
        b.session = v["sessionId"].as_str().expect("a session").to_string();
        Some(b)
    }

    async fn raw(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let rb = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self
                .http
                .post(url)
                .header("Content-Type", "application/json")
                .body(body.unwrap_or(json!({})).to_string()),
        };
        let r = rb.send().await.expect("chromedriver answers");
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        (status, v["value"].clone())
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.raw(method, path, body).await;
        assert!(status < 300, "WebDriver {method} {path}: {status} {v}");
        v
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    async fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({ "url": url })))
            .await;
    }

    async fn find(&self, css: &str) -> Option<String> {
        let (status, v) = self
            .raw(
                "POST",
                &self.s("/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        (status < 300).then(|| v[ELEMENT].as_str().unwrap_or("").to_string())
    }

    async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(e) = self.find(css).await {
                return e;
            }
            assert!(Instant::now() < deadline, "no element {css} appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        let e = self.wait_for(css).await;
        self.call("POST", &self.s(&format!("/element/{e}/click")), None)
            .await;
    }

    async fn exec(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits until `script` returns a truthy value and returns it.
    async fn until(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, v) = self
                .raw(
                    "POST",
                    &self.s("/execute/sync"),
                    Some(json!({"script": script, "args": []})),
                )
                .await;
            if status < 300 && !(v.is_null() || v == json!(false)) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn enter_frame(&self, css: &str) {
        let e = self.wait_for(css).await;
        self.call("POST", &self.s("/frame"), Some(json!({"id": {ELEMENT: e}})))
            .await;
    }

    async fn leave_frame(&self) {
        self.call("POST", &self.s("/frame"), Some(json!({"id": null})))
            .await;
    }

    async fn alert_text(&self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, v) = self.raw("GET", &self.s("/alert/text"), None).await;
            if status < 300 {
                self.call("POST", &self.s("/alert/accept"), None).await;
                return v.as_str().unwrap_or("").to_string();
            }
            assert!(Instant::now() < deadline, "no alert appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A PNG of the viewport; saved as NAME.png under PAYPLE_WINDOW_SCREENSHOTS if set.
    async fn screenshot(&self, name: &str) {
        let v = self.call("GET", &self.s("/screenshot"), None).await;
        let png = base64_decode(v.as_str().unwrap_or(""));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{name}: not a PNG screenshot"
        );
        if let Some(dir) = std::env::var_os("PAYPLE_WINDOW_SCREENSHOTS") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            let tmp = dir.join(format!(".{name}.png.tmp"));
            std::fs::write(&tmp, &png).unwrap();
            std::fs::rename(&tmp, dir.join(format!("{name}.png"))).unwrap();
        }
    }

    async fn close(self) {
        let _ = self.raw("DELETE", &self.s(""), None).await;
        // Drop stops chromedriver.
    }
}

impl Drop for Browser {
    /// Also after a failed assertion: chromedriver's browser first (killing chromedriver
    /// alone would orphan it), then chromedriver.
    fn drop(&mut self) {
        let children = Command::new("pgrep")
            .arg("-P")
            .arg(self.driver.id().to_string())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for pid in children.split_whitespace() {
            let _ = Command::new("kill").arg(pid).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = s.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (d << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

// ---- the partner's site ----------------------------------------------------------------

#[derive(Default)]
struct Partner {
    pages: HashMap<String, String>,
    /// Form posts received at /result, in order.
    results: Vec<Map<String, Value>>,
    cpay: String,
}

type State = Arc<Mutex<Partner>>;

fn form_fields(body: &[u8]) -> Map<String, Value> {
    let text = String::from_utf8_lossy(body);
    let url = reqwest::Url::parse(&format!("http://x/?{text}")).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

async fn partner_route(state: State, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let method = req.method().as_str().to_string();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let html = |s: String| {
        let mut r = Response::new(Full::new(Bytes::from(s)));
        r.headers_mut().insert(
            "content-type",
            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r
    };
    match (method.as_str(), path.as_str()) {
        ("POST", "/result") => {
            state.lock().unwrap().results.push(form_fields(&body));
            html("<!DOCTYPE html><title>Result</title><p id=\"received\">received</p>".into())
        }
        ("POST", "/auth-file") => {
            // The oldest generation's partner file: partner auth for the window, answered as is.
            let cpay = state.lock().unwrap().cpay.clone();
            let answer = post(
                &format!("{cpay}/php/auth.php"),
                &json!({"cst_id": "test", "custKey": "abcd1234567890"}),
                &[("Referer", REFERER)],
            )
            .await;
            let mut r = Response::new(Full::new(Bytes::from(answer.to_string())));
            r.headers_mut().insert(
                "content-type",
                hyper::header::HeaderValue::from_static("application/json"),
            );
            r
        }
        ("GET", p) => match state.lock().unwrap().pages.get(p) {
            Some(page) => html(page.clone()),
            None => {
                let mut r = html("not found".into());
                *r.status_mut() = hyper::StatusCode::NOT_FOUND;
                r
            }
        },
        _ => html("no route".into()),
    }
}

async fn start_partner(state: State) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                break;
            };
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let state = Arc::clone(&state);
                    async move { Ok::<_, std::convert::Infallible>(partner_route(state, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

/// A partner page that loads `script` and calls `call(obj)` when #pay is clicked; with
/// `callback`, obj.callbackFunction stores the result in `window.__result`.
fn partner_page(script: &str, call: &str, obj: &Value, callback: bool) -> String {
    let cb = if callback {
        "obj.callbackFunction = function getResult(res) { window.__result = res; };"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Partner shop</title>\
         <script src=\"{script}\"></script></head><body style=\"font-family:sans-serif\">\
         <h1>Partner shop</h1><p>T-shirt, 1,000 won</p><button id=\"pay\" type=\"button\">Pay</button>\
         <script>var obj = {obj}; window.__result = null; {cb}\
         document.getElementById('pay').addEventListener('click', function () {{ {call}(obj); }});\
         </script></body></html>"
    )
}

struct Site {
    server: MockServer,
    state: State,
    base: String,
}

impl Site {
    fn page(&self, path: &str, html: String) -> String {
        self.state
            .lock()
            .unwrap()
            .pages
            .insert(path.to_string(), html);
        format!("{}{path}", self.base)
    }

    fn results(&self) -> usize {
        self.state.lock().unwrap().results.len()
    }

    async fn next_result(&self, before: usize) -> Map<String, Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(r) = self.state.lock().unwrap().results.get(before) {
                return r.clone();
            }
            assert!(Instant::now() < deadline, "the partner received no result");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn window_obj(extra: Value) -> Value {
    let mut obj = json!({
        "clientKey": "test_DF55F29DA654A8CBC0F0A9DD4B556486",
        "PCD_PAY_TYPE": "card",
        "PCD_PAY_WORK": "CERT",
        "PCD_CARD_VER": "01",
        "PCD_PAY_GOODS": "T-shirt",
        "PCD_PAY_TOTAL": 1000,
        "PCD_PAYER_NO": "2335",
        "PCD_RST_URL": "/result",
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            obj.as_object_mut().unwrap().remove(k);
        } else {
            obj[k] = v.clone();
        }
    }
    obj
}

fn assert_result_clean(id: &str, r: &Map<String, Value>) -> Value {
    let v = Value::Object(r.clone());
    let report = validate_value(ep(id), Part::Response, &v);
    assert!(
        report.findings.is_empty(),
        "{id}: the posted result has findings: {:#?}",
        report
            .findings
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
    );
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_window_in_a_real_browser() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let server = start(Clock::system()).await;
    let state: State = Arc::new(Mutex::new(Partner {
        cpay: server.cpay_url(),
        ..Partner::default()
    }));
    let base = start_partner(Arc::clone(&state)).await;
    let site = Site {
        server,
        state,
        base,
    };
    let cpay = site.server.cpay_url();
    let script = format!("{cpay}/js/v1/payment.js");

    // 1. CERT card payment in the layer window: approve, the partner receives the
    //    result, confirms it server-side, and the inquiry shows the payment.
    let url = site.page(
        "/cert",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    b.wait_for("#approve").await;
    let options = b
        .exec("return document.querySelectorAll('input[name=option]').length")
        .await;
    assert!(
        options.as_u64().unwrap() > 1,
        "every card method is offered"
    );
    b.leave_frame().await;
    b.screenshot("window-card-cert").await;
    b.enter_frame("#payple-mock-window").await;
    let before = site.results();
    b.click("#approve").await;
    b.leave_frame().await;
    let r = site.next_result(before).await;
    let result = assert_result_clean("cpay.result_callback", &r);
    assert_eq!(result["PCD_PAY_RST"], "success", "{result}");
    assert_eq!(result["PCD_PAY_TOTAL"], "1000");
    let cofurl = result["PCD_PAY_COFURL"].as_str().unwrap();
    assert!(cofurl.starts_with(&cpay), "{cofurl}");
    b.until(
        "the result page",
        "return document.getElementById('received') !== null",
    )
    .await;
    let confirm = post(
        cofurl,
        &json!({"PCD_CST_ID": "test", "PCD_CUST_KEY": "abcd1234567890",
                "PCD_AUTH_KEY": result["PCD_AUTH_KEY"], "PCD_PAY_REQKEY": result["PCD_PAY_REQKEY"]}),
        &[],
    )
    .await;
    assert_eq!(confirm["PCD_PAY_RST"], "success", "{confirm}");
    assert_eq!(confirm["PCD_PAY_OID"], result["PCD_PAY_OID"]);
    let date = confirm["PCD_PAY_TIME"].as_str().unwrap()[..8].to_string();
    let inquiry = cpay_call(
        &site.server,
        json!({"PCD_PAYCHK_FLAG": "Y"}),
        &json!({"PCD_PAYCHK_FLAG": "Y", "PCD_PAY_TYPE": "card",
                "PCD_PAY_OID": result["PCD_PAY_OID"], "PCD_PAY_DATE": date}),
    )
    .await;
    assert_eq!(inquiry["PCD_PAY_RST"], "success", "{inquiry}");
    assert_eq!(inquiry["PCD_PAY_TOTAL"], "1000");
    assert_clean("cpay.result_inquiry", &inquiry);

    // 2. Decline (transfer, direct window: an absolute result URL): an error result with
    //    the spec's code; nothing is paid.
    let payments_before = site.server.ledger()["counts"]["payments"].clone();
    let url = site.page(
        "/decline",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_TYPE": "transfer", "PCD_PAY_WORK": "PAY",
                               "PCD_CARD_VER": null,
                               "PCD_RST_URL": format!("{}/result", site.base)})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.wait_for("#decline").await;
    b.screenshot("window-transfer-direct").await;
    let before = site.results();
    b.click("#decline").await;
    let r = site.next_result(before).await;
    let declined = assert_result_clean("cpay.result_callback", &r);
    assert_eq!(declined["PCD_PAY_RST"], "error", "{declined}");
    assert!(!declined["PCD_PAY_CODE"].as_str().unwrap_or("").is_empty());
    assert_eq!(
        site.server.ledger()["counts"]["payments"],
        payments_before,
        "a declined window pays nothing"
    );

    // 3. Close: the layer goes away, nothing is posted, the partner page stays.
    let url = site.page(
        "/close",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    let before = site.results();
    b.click("#close").await;
    b.leave_frame().await;
    b.until(
        "the layer to close",
        "return document.getElementById('payple-mock-layer') === null",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(site.results(), before, "closing posts nothing");
    assert!(b.find("#pay").await.is_some(), "still on the partner page");

    // 4. AUTH (billing key only) with a callback, then a re-payment with that key in the
    //    window (non-interactive: ?mock_auto=approve), then a server-side re-payment.
    let url = site.page(
        "/auth",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_WORK": "AUTH", "PCD_PAY_GOODS": null,
                               "PCD_PAY_TOTAL": null, "PCD_RST_URL": null})),
            true,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    b.click("#approve").await;
    b.leave_frame().await;
    let res = b.until("the callback", "return window.__result").await;
    let registered = assert_result_clean("cpay.result_callback", res.as_object().unwrap());
    assert_eq!(registered["PCD_PAY_RST"], "success");
    let key = registered["PCD_PAYER_ID"].as_str().unwrap().to_string();
    let url = site.page(
        "/repay",
        partner_page(
            &format!("{script}?mock_auto=approve"),
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_WORK": "PAY", "PCD_SIMPLE_FLAG": "Y",
                               "PCD_PAYER_ID": key, "PCD_PAY_TOTAL": "2000"})),
            false,
        ),
    );
    let before = site.results();
    b.goto(&url).await;
    b.click("#pay").await;
    let r = site.next_result(before).await;
    let repaid = assert_result_clean("cpay.result_callback", &r);
    assert_eq!(repaid["PCD_PAY_RST"], "success");
    assert_eq!(repaid["PCD_PAYER_ID"], json!(key));
    assert_eq!(repaid["PCD_PAY_TOTAL"], "2000");
    let server_repay = cpay_call(
        &site.server,
        json!({"PCD_PAY_TYPE": "card", "PCD_SIMPLE_FLAG": "Y"}),
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAYER_ID": key, "PCD_PAY_GOODS": "T-shirt",
                "PCD_PAY_TOTAL": "3000", "PCD_SIMPLE_FLAG": "Y", "PCD_PAYER_NO": "2335"}),
    )
    .await;
    assert_eq!(server_repay["PCD_PAY_RST"], "success", "{server_repay}");

    // 5. An invalid obj (no PCD_PAY_TOTAL): the alert names the field; with a callback the
    //    error result arrives there.
    let url = site.page(
        "/invalid",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_WORK": "PAY", "PCD_PAY_TOTAL": null})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    let alert = b.alert_text().await;
    assert!(alert.contains("PCD_PAY_TOTAL"), "{alert}");
    let url = site.page(
        "/invalid-callback",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_WORK": "PAY", "PCD_PAY_TOTAL": null, "PCD_RST_URL": null})),
            true,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    let res = b
        .until("the error callback", "return window.__result")
        .await;
    assert_eq!(res["PCD_PAY_RST"], "error", "{res}");
    assert!(
        res["PCD_PAY_MSG"]
            .as_str()
            .unwrap()
            .contains("PCD_PAY_TOTAL")
    );

    // 6. PCD_PAY_METHOD restricts the card window to one method, which the result names.
    let url = site.page(
        "/kakao",
        partner_page(
            &script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"PCD_PAY_WORK": "PAY", "PCD_PAY_METHOD": "kakaoPay"})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    b.wait_for("#approve").await;
    let labels = b
        .exec("return Array.from(document.querySelectorAll('input[name=option]')).map(function (i) { return i.value; })")
        .await;
    assert_eq!(labels, json!(["kakaoPay"]));
    let before = site.results();
    b.click("#approve").await;
    b.leave_frame().await;
    let r = site.next_result(before).await;
    let paid = assert_result_clean("cpay.result_callback", &r);
    assert_eq!(paid["PCD_PAY_METHOD"], "kakaoPay", "{paid}");

    // 7. The 2018-2021 generation: cpay.payple.1.0.1.js with payple_auth_file (the script
    //    calls the partner's auth file), and the 2021-2023 one with PCD_AUTH_KEY +
    //    PCD_PAY_URL; both auto-approved by the admin setting.
    let set = post(
        &format!("{cpay}/__mock/window/auto"),
        &json!({"mode": "approve"}),
        &[],
    )
    .await;
    assert_eq!(set["mode"], "approve");
    let old_script = format!("{cpay}/js/cpay.payple.1.0.1.js");
    let url = site.page(
        "/oldest",
        partner_page(
            &old_script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"clientKey": null, "payple_auth_file": "/auth-file",
                               "PCD_PAY_WORK": "PAY", "PCD_CPAY_VER": "1.0.1"})),
            false,
        ),
    );
    let before = site.results();
    b.goto(&url).await;
    b.click("#pay").await;
    let r = site.next_result(before).await;
    assert_eq!(
        assert_result_clean("cpay.result_callback", &r)["PCD_PAY_RST"],
        "success"
    );
    let a = auth(&site.server, json!({})).await;
    let url = site.page(
        "/v101",
        partner_page(
            &old_script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"clientKey": null, "PCD_PAY_WORK": "PAY",
                               "PCD_AUTH_KEY": a["AuthKey"], "PCD_PAY_URL": a["return_url"]})),
            false,
        ),
    );
    let before = site.results();
    b.goto(&url).await;
    b.click("#pay").await;
    let r = site.next_result(before).await;
    assert_eq!(
        assert_result_clean("cpay.result_callback", &r)["PCD_PAY_RST"],
        "success"
    );
    // A made-up AuthKey is refused before any window opens.
    let url = site.page(
        "/v101-bad",
        partner_page(
            &old_script,
            "PaypleCpayAuthCheck",
            &window_obj(json!({"clientKey": null, "PCD_PAY_WORK": "PAY",
                               "PCD_AUTH_KEY": "made-up", "PCD_PAY_URL": a["return_url"]})),
            false,
        ),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    assert!(b.alert_text().await.contains("PCD_AUTH_KEY"));
    let cleared = client()
        .delete(format!("{cpay}/__mock/window/auto"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 200);

    // 8. The global window: token, gpay-1.0.1.js, approve, the result at resultUrl.
    let token = global_token(&site.server).await;
    let gscript = format!("{}/common/js/gpay-1.0.1.js", site.server.global_url());
    let gobj = json!({
        "Authorization": token["access_token"], "service_id": "demo",
        "comments": "Payple global payments", "totalAmount": "1.00", "currency": "USD",
        "firstName": "Gil-dong", "lastName": "Hong", "email": "dev@example.com",
        "resultUrl": format!("{}/result", site.base), "payCls": "demo",
    });
    let url = site.page(
        "/global",
        partner_page(&gscript, "paypleGpayPaymentRequest", &gobj, false),
    );
    b.goto(&url).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    b.wait_for("#approve").await;
    b.leave_frame().await;
    b.screenshot("window-global").await;
    b.enter_frame("#payple-mock-window").await;
    let before = site.results();
    b.click("#approve").await;
    b.leave_frame().await;
    let r = site.next_result(before).await;
    let g = Value::Object(r);
    let report = validate_value(ep("global.payment_window_result"), Part::Response, &g);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.severity != Severity::Error),
        "{g}: {:#?}",
        report
            .findings
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(g["totalAmount"], "1.00", "{g}");
    assert!(!g["billing_key"].as_str().unwrap_or("").is_empty());

    // 9. By hand, as the README tells a person to: the mock's own demo page, Pay, Approve;
    //    the page's callback shows the success and the ledger has one more payment.
    let paid_before = ledger_payments(&cpay).await;
    b.goto(&format!("{cpay}/__mock/window/demo")).await;
    b.click("#pay").await;
    b.enter_frame("#payple-mock-window").await;
    b.click("#approve").await;
    b.leave_frame().await;
    let status = b
        .until(
            "the demo page's result",
            "var s = document.getElementById('status').textContent; \
             return s === 'Window open.' ? null : s;",
        )
        .await;
    assert_eq!(status, json!("Success."));
    let shown = b
        .exec("return JSON.parse(document.getElementById('result').textContent);")
        .await;
    let shown = assert_result_clean("cpay.result_callback", shown.as_object().unwrap());
    assert_eq!(shown["PCD_PAY_RST"], "success");
    assert_eq!(ledger_payments(&cpay).await, paid_before + 1);

    b.close().await;
    site.server.shutdown().await;
}

/// How many payments the mock's ledger lists.
async fn ledger_payments(base: &str) -> usize {
    let ledger: Value = client()
        .get(format!("{base}/__mock/ledger"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ledger["payments"].as_array().map_or(0, Vec::len)
}

/// The window routes without a browser (runs everywhere): every script path of the spec,
/// the check of obj, and a completed window whose result is clean.
#[tokio::test]
async fn window_routes_without_a_browser() {
    let server = start(Clock::system()).await;
    let http = client();
    for (svc, id, function) in [
        ("cpay", "cpay.payment_window", "PaypleCpayAuthCheck"),
        (
            "global",
            "global.payment_window",
            "paypleGpayPaymentRequest",
        ),
    ] {
        let base = if svc == "cpay" {
            server.cpay_url()
        } else {
            server.global_url()
        };
        let spec = ep(id);
        let mut paths: Vec<&str> = spec.legacy_paths.to_vec();
        if let payple_types::Target::Script(p) = spec.target {
            paths.push(p);
        }
        assert!(!paths.is_empty());
        for p in paths {
            let r = http.get(format!("{base}{p}")).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200, "{p}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("application/javascript"), "{p}: {ct}");
            assert!(r.text().await.unwrap().contains(function), "{p}");
        }
    }
    // The hub serves no window.
    let r = http
        .get(format!("{}/js/v1/payment.js", server.hub_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // The demo page (cpay only): one obj per documented payment method, each of which the
    // spec accepts without an error once the page adds its callback.
    let r = http
        .get(format!("{}/__mock/window/demo", server.cpay_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("src=\"/js/v1/payment.js\""), "{html}");
    let data = html
        .split("var D = ")
        .nth(1)
        .and_then(|rest| rest.split(";\n</script>").next())
        .expect("the page embeds its data");
    let data: Value = serde_json::from_str(data).unwrap();
    let objs = data["objs"].as_object().unwrap();
    assert_eq!(objs.len(), 2, "{data}");
    let callback = data["callback"].as_str().unwrap();
    for (method, obj) in objs {
        let mut obj = obj.clone();
        obj[data["work_field"].as_str().unwrap()] = data["work"].clone();
        obj[callback] = json!("showResult");
        let report = validate_value(ep("cpay.payment_window"), Part::Request, &obj);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.severity != Severity::Error),
            "{method}: {obj}: {:#?}",
            report
                .findings
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
        );
    }
    let r = http
        .get(format!("{}/__mock/window/demo", server.global_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let check = |obj: Value| {
        let url = format!("{}/__mock/window/check", server.cpay_url());
        let http = http.clone();
        async move {
            let body = json!({"generation": "current", "obj": obj, "origin": "http://shop.test"});
            let r = http.post(url).body(body.to_string()).send().await.unwrap();
            assert_eq!(
                r.headers()["access-control-allow-origin"],
                "*",
                "partner pages on other origins read the answer"
            );
            r.json::<Value>().await.unwrap()
        }
    };
    let bad = check(window_obj(
        json!({"PCD_PAY_WORK": "PAY", "PCD_PAY_TOTAL": null}),
    ))
    .await;
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["result"]["PCD_PAY_RST"], "error");
    assert!(
        bad["result"]["PCD_PAY_MSG"]
            .as_str()
            .unwrap()
            .contains("PCD_PAY_TOTAL")
    );
    let wrong_key = check(window_obj(json!({"clientKey": "test_wrong"}))).await;
    assert_eq!(wrong_key["ok"], false, "{wrong_key}");
    let unknown_billing_key = check(window_obj(
        json!({"PCD_SIMPLE_FLAG": "Y", "PCD_PAYER_ID": "NoSuchKey0000000000000000000000"}),
    ))
    .await;
    assert_eq!(unknown_billing_key["ok"], false, "{unknown_billing_key}");
    // A warning (an undocumented member) does not block the window.
    let ok = check(window_obj(json!({"PCD_SOMETHING_NEW": "x"}))).await;
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["layer"], true, "a relative PCD_RST_URL opens a layer");
    let page = http
        .get(format!(
            "{}{}",
            server.cpay_url(),
            ok["page"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"approve\""));
    let complete = page
        .split("\"complete\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let done: Value = http
        .post(format!("{}{complete}", server.cpay_url()))
        .body(json!({"action": "approve"}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["action"], "post");
    assert_eq!(done["url"], "/result");
    assert_result_clean("cpay.result_callback", done["fields"].as_object().unwrap());
    // One window, one result.
    let again = http
        .post(format!("{}{complete}", server.cpay_url()))
        .body(json!({"action": "approve"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 404);
    server.shutdown().await;
}
