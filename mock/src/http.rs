//! The HTTP side: one accept loop per service with a shared connection cap, header-read and
//! idle timeouts (hyper's header timer also runs while a kept-alive connection waits for
//! its next request), a body size limit and body timeout with clear JSON errors, faults,
//! the admin routes, and request handling off the async workers (`spawn_blocking`).

use crate::LoggedRequest;
use crate::admin;
use crate::body::{coerce, redact};
use crate::clock::utc_rfc3339;
use crate::fault::FaultKind;
use crate::server::{Incoming, Service, Shared};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

type Body = Full<Bytes>;

/// Serves one listener until `stop` turns true.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    svc: Service,
    stop: watch::Receiver<bool>,
    conns: Arc<Semaphore>,
) {
    loop {
        // At the connection cap, new connections wait in the listen backlog until a slot
        // frees (slow clients lose theirs to the header timeout).
        let permit = tokio::select! {
            p = Arc::clone(&conns).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stopped(stop.clone()) => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => {
                    // Out of descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(stop.clone()) => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let stop = stop.clone();
        tokio::spawn(async move {
            let limits = shared.limits.clone();
            let io = TokioIo::new(stream);
            let svc_stop = stop.clone();
            let service = service_fn(move |req| {
                let shared = Arc::clone(&shared);
                let stop = svc_stop.clone();
                async move { handle(shared, svc, req, stop).await }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(limits.max_header_bytes.max(8192))
                .keep_alive(true);
            let conn = builder.serve_connection(io, service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), conn).await;
                }
            }
            drop(permit);
        });
    }
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let text = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = Response::new(Full::new(Bytes::from(text)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn html_response(status: u16) -> Response<Body> {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n<body><h1>{status} {reason}</h1><p>payple-mock: injected fault</p></body></html>\n"
    );
    let mut r = Response::new(Full::new(Bytes::from(page)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn header_string(req: &hyper::http::request::Parts, name: header::HeaderName) -> Option<String> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The connection is closed without an answer (a dropped connection, or a hang that ended).
fn dropped() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "payple-mock: fault: connection dropped",
    )
}

async fn handle(
    shared: Arc<Shared>,
    svc: Service,
    req: Request<hyper::body::Incoming>,
    stop: watch::Receiver<bool>,
) -> Result<Response<Body>, std::io::Error> {
    let started = Instant::now();
    let time = utc_rfc3339(shared.clock.now());
    let (parts, body) = req.into_parts();
    let limits = shared.limits.clone();
    let collected = tokio::time::timeout(
        limits.body_timeout,
        Limited::new(body, limits.max_body_bytes).collect(),
    )
    .await;
    let bytes = match collected {
        Err(_) => {
            return Ok(json_response(
                408,
                &json!({"error": format!("the request body did not arrive within {} s", limits.body_timeout.as_secs_f32())}),
            ));
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(json_response(
                413,
                &json!({"error": format!("the request body is larger than {} bytes", limits.max_body_bytes)}),
            ));
        }
        Ok(Err(e)) => {
            return Ok(json_response(
                400,
                &json!({"error": format!("the request body could not be read: {e}")}),
            ));
        }
        Ok(Ok(c)) => c.to_bytes(),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let method = parts.method.as_str().to_string();
    let content_type = header_string(&parts, header::CONTENT_TYPE);
    let referer = header_string(&parts, header::REFERER);
    let authorization = header_string(&parts, header::AUTHORIZATION);

    // The payment-window scripts and pages (window.rs).
    if crate::window::is_window_path(svc, &path) {
        let sh = Arc::clone(&shared);
        let (m, p) = (method.clone(), path.clone());
        let out =
            tokio::task::spawn_blocking(move || crate::window::handle(&sh, svc, &m, &p, &bytes))
                .await
                .unwrap_or_else(|_| crate::window::Answer::error(500, "the window handler failed"));
        let mut r = Response::new(Full::new(Bytes::from(out.body)));
        *r.status_mut() = StatusCode::from_u16(out.status).unwrap_or(StatusCode::OK);
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(out.content_type),
        );
        // Partner pages on other origins call the check route from the script.
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(r);
    }

    if admin::is_admin_path(&path) {
        let sh = Arc::clone(&shared);
        let (m, p, q) = (method.clone(), path.clone(), query.clone());
        let out = tokio::task::spawn_blocking(move || {
            admin::handle(&sh, svc, &m, &p, q.as_deref(), &bytes)
        })
        .await
        .unwrap_or_else(|_| (500, json!({"error": "the admin handler failed"})));
        return Ok(json_response(out.0, &out.1));
    }

    let sh = Arc::clone(&shared);
    let (p2, q2, m2) = (path.clone(), query.clone(), method.clone());
    let (ct2, ref2, auth2) = (content_type.clone(), referer.clone(), authorization.clone());
    let work = tokio::task::spawn_blocking(move || {
        let inc = Incoming {
            method: &m2,
            path: &p2,
            query: q2.as_deref(),
            content_type: ct2.as_deref(),
            referer: ref2.as_deref(),
            authorization: auth2.as_deref(),
            body: &bytes,
        };
        let (ep, plan, handled) = sh.serve(svc, &inc);
        let request_redacted = match (&handled, ep) {
            (Some(h), _) => h.request.clone(),
            (None, Some(e)) => {
                let raw: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                redact(e.request, &coerce(e.request, &raw))
            }
            (None, None) => Value::Null,
        };
        (ep, plan, handled, request_redacted)
    })
    .await;
    let Ok((ep, plan, handled, request_redacted)) = work else {
        return Ok(json_response(
            500,
            &json!({"error": "the request handler failed"}),
        ));
    };
    if !plan.latency.is_zero() {
        tokio::select! {
            _ = tokio::time::sleep(plan.latency) => {}
            _ = stopped(stop.clone()) => {}
        }
    }
    let fault = (!plan.applied.is_empty()).then(|| plan.applied.join(","));
    let mut entry = LoggedRequest {
        service: svc.id().to_string(),
        endpoint: ep.map(|e| e.id).unwrap_or("").to_string(),
        method,
        path,
        findings: 0,
        errors: 0,
        status: 0,
        result_code: None,
        body: request_redacted,
        response: Value::Null,
        // Scrubbed when recorded (journal::scrub_headers).
        referer,
        authorization,
        time,
        elapsed_ms: 0.0,
        fault,
    };
    let outcome: Result<Response<Body>, std::io::Error> = match (handled, &plan.terminal) {
        (Some(h), _) => {
            crate::journal::answered(&mut entry, &h);
            Ok(json_response(h.status, &h.body))
        }
        (None, Some(FaultKind::Http(code))) => {
            entry.status = *code;
            Ok(html_response(*code))
        }
        (None, Some(FaultKind::Html)) => {
            entry.status = 200;
            Ok(html_response(200))
        }
        (None, Some(FaultKind::Timeout)) => {
            tokio::select! {
                _ = tokio::time::sleep(limits.hang) => {}
                _ = stopped(stop.clone()) => {}
            }
            Err(dropped())
        }
        (None, _) => Err(dropped()),
    };
    entry.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    shared.journal.record(entry);
    outcome
}
