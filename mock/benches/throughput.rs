//! Throughput of the mock: requests per second and latency percentiles (p50, p90, p99) at
//! a fixed number of concurrent keep-alive HTTP/1.1 connections (32 by default), for two
//! calls:
//!
//! * `auth`: cpay partner auth (`cpay.auth`, flag `PCD_PAYCHK_FLAG`), every request a new
//!   grant in the ledger;
//! * `inquiry`: a ledger-backed result inquiry (`cpay.result_inquiry`) of an order paid
//!   before the run (a card billing key from the admin window, then a billing re-payment
//!   through partner auth). Each connection authenticates once per 32 inquiries, and again
//!   when its tokens reach half their documented lifetime (those auth calls are not
//!   counted); the mock's manual clock moves on by twice the documented inquiry budget's
//!   interval (spec rate limit: window / max) after each inquiry, so the rate limit never
//!   answers instead of the ledger.
//!
//! The mock runs in this process on its own 2-thread tokio runtime; the load generator runs
//! on one more thread (a current-thread runtime, hyper's HTTP/1.1 client). Every answer is
//! parsed and must be a success; others are counted as errors and make the run fail.
//!
//! ```sh
//! cargo bench -p payple-mock --bench throughput                 # the in-process mock
//! cargo bench -p payple-mock --bench throughput -- --target http://127.0.0.1:4010 \
//!     --inquiry-path /bench/result_inquiry                     # another server (Prism)
//! ```
//!
//! Options: `--connections N` (32), `--seconds S` (10, measured), `--warmup S` (2), `--only
//! auth|inquiry`, `--target URL` (measure a server serving the cpay OpenAPI document instead:
//! the same requests at the documented auth path, and the inquiry at `--inquiry-path`, since
//! the `return_url` such a server answers is Payple's). `scripts/bench-mock.sh` runs both.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use payple_mock::{Clock, MockConfig, MockServer};
use payple_types::{Target, auth_flow, endpoint};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};
use tokio::net::TcpStream;

/// The partner site a browser-facing cpay call comes from (Referer, checked by cpay.auth).
const REFERER: &str = "http://localhost:3000";
/// Inquiries per connection between two partner auths.
const INQUIRIES_PER_AUTH: usize = 32;

#[derive(Debug, Clone)]
struct Options {
    connections: usize,
    seconds: f64,
    warmup: f64,
    only: Option<String>,
    target: Option<String>,
    inquiry_path: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        connections: 32,
        seconds: 10.0,
        warmup: 2.0,
        only: None,
        target: None,
        inquiry_path: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--connections" => {
                o.connections = value("--connections")?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?;
            }
            "--seconds" => {
                o.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?;
            }
            "--warmup" => {
                o.warmup = value("--warmup")?
                    .parse()
                    .map_err(|e| format!("--warmup: {e}"))?;
            }
            "--only" => o.only = Some(value("--only")?),
            "--target" => o.target = Some(value("--target")?),
            "--inquiry-path" => o.inquiry_path = Some(value("--inquiry-path")?),
            // cargo bench passes --bench; a name filter may follow.
            "--bench" => {}
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            _ => {}
        }
    }
    let seconds_ok = Duration::try_from_secs_f64(o.seconds).is_ok_and(|d| !d.is_zero());
    let warmup_ok = Duration::try_from_secs_f64(o.warmup).is_ok();
    if o.connections == 0 || !seconds_ok || !warmup_ok {
        return Err("--connections and --seconds must be positive, --warmup not negative".into());
    }
    if matches!(&o.only, Some(s) if s != "auth" && s != "inquiry") {
        return Err("--only takes auth or inquiry".into());
    }
    Ok(o)
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    host: String,
    send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl Conn {
    async fn open(base: &str) -> Result<Conn, String> {
        let host = base
            .strip_prefix("http://")
            .ok_or_else(|| format!("{base}: only http:// URLs"))?
            .trim_end_matches('/')
            .to_string();
        let stream = TcpStream::connect(&host)
            .await
            .map_err(|e| format!("connect {host}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (send, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake {host}: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn { host, send })
    }

    /// Posts a JSON body; returns the status and the parsed answer.
    async fn post(&mut self, path: &str, body: &Value) -> Result<(u16, Value), String> {
        let req = hyper::Request::post(path)
            .header("host", &self.host)
            .header("content-type", "application/json")
            .header("referer", REFERER)
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        self.send.ready().await.map_err(|e| e.to_string())?;
        let resp = self
            .send
            .send_request(req)
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{path}: {e}"))?
            .to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }
}

/// The path of a URL (`http://host:port/a/b?c` -> `/a/b?c`).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/".into(), |i| rest[i..].to_string())
}

fn auth_path() -> Result<&'static str, String> {
    match endpoint("cpay.auth").map(|e| e.target) {
        Some(Target::Path(p)) => Ok(p),
        other => Err(format!("cpay.auth has no fixed path ({other:?})")),
    }
}

fn auth_body(flag: Value) -> Value {
    let mut body = json!({ "cst_id": "test", "custKey": "abcd1234567890" });
    if let (Some(b), Some(f)) = (body.as_object_mut(), flag.as_object()) {
        b.extend(f.clone());
    }
    body
}

/// The token fields of an auth answer, as the follow-up call sends them.
fn with_tokens(auth: &Value, body: &Value) -> Value {
    let mut out = json!({
        "PCD_CST_ID": auth["cst_id"],
        "PCD_CUST_KEY": auth["custKey"],
        "PCD_AUTH_KEY": auth["AuthKey"],
    });
    if let (Some(o), Some(b)) = (out.as_object_mut(), body.as_object()) {
        o.extend(b.clone());
    }
    out
}

/// The result fields of an answer, for an error line (never its tokens or keys).
fn outcome(v: &Value) -> String {
    [
        "result",
        "result_msg",
        "PCD_PAY_RST",
        "PCD_PAY_CODE",
        "PCD_PAY_MSG",
    ]
    .iter()
    .filter(|k| !v[**k].is_null())
    .map(|k| format!("{k}={}", v[*k]))
    .collect::<Vec<_>>()
    .join(" ")
}

fn is_success(v: &Value) -> bool {
    v["result"] == "success" || v["PCD_PAY_RST"] == "success"
}

/// Pays one card order in the in-process mock; returns (order id, payment date).
async fn pay_order(server: &MockServer) -> Result<(String, String), String> {
    let window = server.open_window(
        "cpay",
        &json!({"PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "AUTH", "PCD_PAYER_NAME": "김테스트"}),
    )?;
    let key = window["PCD_PAYER_ID"]
        .as_str()
        .ok_or(format!("no billing key from the window: {window}"))?;
    let mut conn = Conn::open(&server.cpay_url()).await?;
    let (_, auth) = conn
        .post(
            auth_path()?,
            &auth_body(json!({"PCD_SIMPLE_FLAG": "Y", "PCD_PAY_TYPE": "card"})),
        )
        .await?;
    let url = auth["return_url"]
        .as_str()
        .ok_or(format!("auth failed: {}", outcome(&auth)))?;
    let oid = "bench0000000001";
    let (_, paid) = conn
        .post(
            &path_of(url),
            &with_tokens(
                &auth,
                &json!({
                    "PCD_PAY_TYPE": "card", "PCD_PAYER_ID": key, "PCD_PAY_GOODS": "bench",
                    "PCD_PAY_TOTAL": "1000", "PCD_PAY_OID": oid, "PCD_SIMPLE_FLAG": "Y",
                }),
            ),
        )
        .await?;
    if !is_success(&paid) {
        return Err(format!("the re-payment failed: {}", outcome(&paid)));
    }
    let ledger = server.ledger();
    let date = ledger["payments"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["order_id"] == oid))
        .and_then(|p| p["date"].as_str())
        .ok_or("the order is not in the ledger")?;
    Ok((oid.to_string(), date.to_string()))
}

#[derive(Clone)]
enum Scenario {
    Auth,
    Inquiry {
        oid: String,
        date: String,
        /// Where inquiries go; `None`: the path of the auth answer's `return_url`.
        path: Option<String>,
        /// The mock's clock, the step it moves after each inquiry, and the age (on that
        /// clock) at which a connection authenticates again: half the token lifetime.
        clock: Option<(Clock, Duration, Duration)>,
    },
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: usize,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

/// One connection's loop: requests until `end`; those started at or after `start` and
/// finished by `end` are counted.
async fn worker(
    base: String,
    scenario: Scenario,
    start: Instant,
    end: Instant,
) -> Result<Tally, String> {
    let mut conn = Conn::open(&base).await?;
    let mut tally = Tally::default();
    let auth_path = auth_path()?;
    // The auth answer, the inquiry path, and when (on the mock's clock) it was issued.
    let mut session: Option<(Value, String, Option<SystemTime>)> = None;
    let mut since_auth = 0usize;
    let ledger_order = match &scenario {
        Scenario::Inquiry {
            oid,
            clock: Some(_),
            ..
        } => Some(oid.as_str()),
        _ => None,
    };
    loop {
        if Instant::now() >= end {
            break;
        }
        let t0;
        let result = match &scenario {
            Scenario::Auth => {
                t0 = Instant::now();
                conn.post(auth_path, &auth_body(json!({"PCD_PAYCHK_FLAG": "Y"})))
                    .await
            }
            Scenario::Inquiry {
                oid,
                date,
                path,
                clock,
            } => {
                let old = match (&session, clock) {
                    (Some((_, _, Some(at))), Some((clock, _, renew))) => {
                        clock.now().duration_since(*at).unwrap_or_default() >= *renew
                    }
                    _ => false,
                };
                if session.is_none() || since_auth >= INQUIRIES_PER_AUTH || old {
                    let issued = clock.as_ref().map(|(c, _, _)| c.now());
                    let (status, auth) = conn
                        .post(auth_path, &auth_body(json!({"PCD_PAYCHK_FLAG": "Y"})))
                        .await?;
                    let url = auth["return_url"].as_str().filter(|_| status == 200);
                    let Some(url) = url else {
                        return Err(format!("auth failed ({status}): {}", outcome(&auth)));
                    };
                    let path = path.clone().unwrap_or_else(|| path_of(url));
                    session = Some((auth, path, issued));
                    since_auth = 0;
                }
                let Some((auth, path, _)) = &session else {
                    continue;
                };
                let body = with_tokens(
                    auth,
                    &json!({"PCD_PAYCHK_FLAG": "Y", "PCD_PAY_TYPE": "card",
                            "PCD_PAY_OID": oid, "PCD_PAY_DATE": date}),
                );
                since_auth += 1;
                t0 = Instant::now();
                let r = conn.post(path, &body).await;
                if let Some((clock, step, _)) = clock {
                    clock.advance(*step);
                }
                r
            }
        };
        let done = Instant::now();
        if t0 < start || done > end {
            continue;
        }
        match result {
            // The in-process mock must answer the order from its ledger.
            Ok((200, v))
                if is_success(&v) && ledger_order.is_none_or(|o| v["PCD_PAY_OID"] == o) =>
            {
                let us = done.duration_since(t0).as_micros();
                tally
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Ok((status, v)) => tally.error(format!("HTTP {status}: {}", outcome(&v))),
            Err(e) => {
                tally.error(e);
                conn = Conn::open(&base).await?;
                session = None;
            }
        }
    }
    Ok(tally)
}

struct Figures {
    requests: usize,
    rps: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: usize,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

async fn measure(
    base: &str,
    scenario: &Scenario,
    o: &Options,
) -> Result<(Figures, Option<String>), String> {
    let start = Instant::now() + Duration::from_secs_f64(o.warmup);
    let end = start + Duration::from_secs_f64(o.seconds);
    let mut handles = Vec::new();
    for _ in 0..o.connections {
        handles.push(tokio::spawn(worker(
            base.to_string(),
            scenario.clone(),
            start,
            end,
        )));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for h in handles {
        let t = h.await.map_err(|e| e.to_string())??;
        all.extend(t.latencies_us);
        errors += t.errors;
        first_error = first_error.or(t.first_error);
    }
    all.sort_unstable();
    Ok((
        Figures {
            requests: all.len(),
            rps: all.len() as f64 / o.seconds,
            p50_ms: percentile(&all, 50.0),
            p90_ms: percentile(&all, 90.0),
            p99_ms: percentile(&all, 99.0),
            max_ms: percentile(&all, 100.0),
            errors,
        },
        first_error,
    ))
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the selected scenarios; false when any answer was not a success.
fn run(o: &Options) -> Result<bool, String> {
    // The mock, when measured, on its own runtime (2 worker threads, as on the 2-CPU machine
    // the figures come from); the load generator on this thread.
    let mock_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let clock = Clock::manual(SystemTime::now());
    let server = match &o.target {
        Some(_) => None,
        None => Some(
            mock_rt
                .block_on(MockServer::start(MockConfig {
                    clock: clock.clone(),
                    ..MockConfig::default()
                }))
                .map_err(|e| format!("the mock does not start: {e}"))?,
        ),
    };
    let base = match (&o.target, &server) {
        (Some(t), _) => t.trim_end_matches('/').to_string(),
        (None, Some(s)) => s.cpay_url(),
        (None, None) => return Err("no server".into()),
    };
    let label = o.target.as_deref().unwrap_or("payple-mock (in-process)");
    println!(
        "target: {label}; {} connections, {} s warm-up, {} s measured",
        o.connections, o.warmup, o.seconds
    );
    println!(
        "| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut clean = true;
    for name in ["auth", "inquiry"] {
        if o.only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let scenario = if name == "auth" {
            Scenario::Auth
        } else {
            let (oid, date, clock) = match &server {
                Some(s) => {
                    let (oid, date) = client_rt.block_on(pay_order(s))?;
                    let (limit, _) = endpoint("cpay.result_inquiry")
                        .and_then(|e| e.rate_limit())
                        .ok_or("cpay.result_inquiry has no rate limit in the spec")?;
                    let step = Duration::from_secs(limit.window_seconds) * 2 / limit.max.max(1);
                    let lifetime = auth_flow("cpay.partner_auth")
                        .and_then(|f| f.lifetime_seconds)
                        .ok_or("cpay.partner_auth has no token lifetime in the spec")?;
                    let renew = Duration::from_secs(lifetime) / 2;
                    (oid, date, Some((clock.clone(), step, renew)))
                }
                // Any documented-looking order: a server without a ledger answers its example.
                None => ("bench0000000001".into(), "20250101".into(), None),
            };
            Scenario::Inquiry {
                oid,
                date,
                path: o.inquiry_path.clone(),
                clock,
            }
        };
        let (f, first_error) = client_rt.block_on(measure(&base, &scenario, o))?;
        println!(
            "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            f.requests, f.rps, f.p50_ms, f.p90_ms, f.p99_ms, f.max_ms, f.errors
        );
        if let Some(e) = first_error {
            eprintln!("{name}: first failed answer: {e}");
            clean = false;
        }
    }
    if let Some(s) = server {
        mock_rt.block_on(s.shutdown());
    }
    Ok(clean)
}
