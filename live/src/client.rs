//! The HTTP client: authentication with token reuse and refresh, the result-inquiry budget,
//! per-request timeouts, retries with exponential backoff for idempotent inquiries, a
//! concurrency limit, and redaction of every exchange it returns.

use crate::clock::Clock;
use crate::config::{Config, production_host};
use crate::redact::Redactor;
use payple_support::RateBudget;
use payple_types::{EndpointSpec, Part, Role, Target};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, Once};
use std::time::Duration;
use tokio::sync::Semaphore;

/// A token is refreshed this long before its documented lifetime ends.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5);

/// Why a call could not be made or answered. Every variant means "could not run" (exit 2),
/// never "Payple changed".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// Refused before sending: a production host without `allow_production`.
    Refused(String),
    /// No connection (closed port, DNS, TLS, reset).
    Transport(String),
    /// No answer within the per-request timeout.
    Timeout(String),
    /// An HTTP 5xx answer.
    Server(u16),
    /// The authentication step was refused (or answered without tokens).
    AuthRefused(String),
    /// The result-inquiry budget of the window is spent.
    Budget(String),
    /// A step of a happy-path flow that could not run because an earlier step failed.
    Skipped(String),
}

impl CallError {
    /// Stable kind: `refused`, `transport`, `timeout`, `server_error`, `auth_refused`, `budget`,
    /// `skipped`.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Refused(_) => "refused",
            CallError::Transport(_) => "transport",
            CallError::Timeout(_) => "timeout",
            CallError::Server(_) => "server_error",
            CallError::AuthRefused(_) => "auth_refused",
            CallError::Budget(_) => "budget",
            CallError::Skipped(_) => "skipped",
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Refused(m)
            | CallError::Transport(m)
            | CallError::Timeout(m)
            | CallError::AuthRefused(m)
            | CallError::Budget(m)
            | CallError::Skipped(m) => f.write_str(m),
            CallError::Server(s) => write!(f, "the server answered HTTP {s}"),
        }
    }
}

/// One request and its answer, redacted.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The endpoint.
    pub endpoint: &'static EndpointSpec,
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Request headers (Authorization redacted).
    pub request_headers: BTreeMap<String, String>,
    /// Request body, sensitive fields redacted.
    pub request_body: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers (cookies redacted).
    pub response_headers: BTreeMap<String, String>,
    /// Response body, sensitive fields redacted.
    pub response_body: String,
    /// The response as received; never leaves the crate.
    pub(crate) raw_response: Vec<u8>,
    /// Attempts made (1 without retries).
    pub attempts: u32,
}

impl Exchange {
    /// The response parsed as JSON, when it is JSON.
    pub fn response_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.raw_response).ok()
    }
}

#[derive(Debug, Clone)]
enum Token {
    Cpay {
        cst_id: String,
        cust_key: String,
        auth_key: String,
        return_url: String,
    },
    Bearer(String),
}

#[derive(Debug, Clone)]
struct Cached {
    token: Token,
    obtained: Duration,
    lifetime: Duration,
}

/// The live client. One per run.
pub struct Client {
    http: reqwest::Client,
    cfg: Config,
    tokens: Mutex<HashMap<String, Cached>>,
    auth_calls: Mutex<HashMap<String, u32>>,
    requests: Mutex<u64>,
    budget: RateBudget,
    sem: Semaphore,
    /// Knows every secret of the run.
    pub redactor: Redactor,
}

static PROVIDER: Once = Once::new();

impl Client {
    /// Builds a client; refuses production hosts unless allowed (see [`Config::check`]).
    pub fn new(cfg: Config) -> Result<Client, CallError> {
        cfg.check().map_err(CallError::Refused)?;
        PROVIDER.call_once(|| {
            // Another part of the process may have installed one already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CallError::Transport(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            budget: RateBudget::new(
                usize::try_from(cfg.inquiry_budget).unwrap_or(usize::MAX),
                cfg.inquiry_window,
            ),
            sem: Semaphore::new(cfg.concurrency.max(1)),
            redactor: Redactor::new(cfg.credentials.secret_values()),
            cfg,
            tokens: Mutex::new(HashMap::new()),
            auth_calls: Mutex::new(HashMap::new()),
            requests: Mutex::new(0),
        })
    }

    /// The run's configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The run's clock.
    pub fn clock(&self) -> &Clock {
        &self.cfg.clock
    }

    /// Authentication calls made for a flow (`cpay.partner_auth`, `hub.bearer_token`, ...).
    pub fn auth_calls(&self, flow: &str) -> u32 {
        self.auth_calls
            .lock()
            .map(|m| m.get(flow).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// HTTP requests sent (every attempt counts).
    pub fn requests_sent(&self) -> u64 {
        self.requests.lock().map(|n| *n).unwrap_or(0)
    }

    /// The result-inquiry budget (a sliding window on the run's clock).
    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    fn cached(&self, key: &str) -> Option<Token> {
        let now = self.cfg.clock.elapsed();
        let m = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let c = m.get(key)?;
        let margin = if c.lifetime > REFRESH_MARGIN * 2 {
            REFRESH_MARGIN
        } else {
            Duration::ZERO
        };
        (now.saturating_sub(c.obtained) + margin < c.lifetime).then(|| c.token.clone())
    }

    fn store(&self, key: &str, flow: &str, token: Token) {
        let lifetime = payple_types::auth_flow(flow)
            .and_then(|f| f.lifetime_seconds)
            .unwrap_or(60);
        let cached = Cached {
            token,
            obtained: self.cfg.clock.elapsed(),
            lifetime: Duration::from_secs(lifetime),
        };
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), cached);
        *self
            .auth_calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(flow.to_string())
            .or_insert(0) += 1;
    }

    fn path_url(&self, ep: &EndpointSpec) -> Result<String, CallError> {
        match ep.target {
            Target::Path(p) => Ok(format!(
                "{}{p}",
                self.cfg.base_url(ep.service).trim_end_matches('/')
            )),
            other => Err(CallError::Refused(format!(
                "{} is not called on a fixed path ({other:?})",
                ep.id
            ))),
        }
    }

    /// Runs the cpay partner authentication for a flag (`PCD_PAYCHK_FLAG`, `Y`), reusing a
    /// token of the same flag while it lives unless `force`. Returns the auth exchange when
    /// a call was made.
    pub async fn cpay_auth(
        &self,
        flag: (&str, &str),
        force: bool,
    ) -> Result<Option<Exchange>, CallError> {
        Ok(self.cpay_token(flag, force).await?.1)
    }

    async fn cpay_token(
        &self,
        flag: (&str, &str),
        force: bool,
    ) -> Result<(Token, Option<Exchange>), CallError> {
        let key = format!("cpay.partner_auth#{}={}", flag.0, flag.1);
        if !force && let Some(t) = self.cached(&key) {
            return Ok((t, None));
        }
        let ep = endpoint("cpay.auth")?;
        let mut body = self.cfg.credentials.account_fields(ep);
        body.insert(flag.0.into(), flag.1.into());
        let url = self.path_url(ep)?;
        let ex = self.send(ep, &url, &Value::Object(body), None).await?;
        let v = ex.response_json().unwrap_or(Value::Null);
        let s = |k: Option<&str>| text_at(&v, k);
        let answer = |role: Role| s(role.field(ep, Part::Response));
        let (auth_key, return_url) = (answer(Role::AuthKey), answer(Role::ReturnUrl));
        if !ep.answer_succeeded(&v, payple_types::Applies::Both)
            || auth_key.is_empty()
            || return_url.is_empty()
        {
            return Err(CallError::AuthRefused(self.redactor.scrub(&format!(
                "cpay partner authentication ({}={}) refused: HTTP {}, result `{}`, message `{}`",
                flag.0,
                flag.1,
                ex.status,
                s(ep.status_field().map(|(f, _)| f)),
                answer(Role::Message)
            ))));
        }
        if let Some(prod) = production_host(&return_url)
            && !self.cfg.allow_production
        {
            return Err(CallError::Refused(format!(
                "the auth answer sends the next call to the production host {prod}; refused without --allow-production"
            )));
        }
        let token = Token::Cpay {
            cst_id: answer(Role::PartnerId),
            cust_key: answer(Role::PartnerKey),
            auth_key,
            return_url,
        };
        self.store(&key, "cpay.partner_auth", token.clone());
        Ok((token, Some(ex)))
    }

    /// Gets a bearer token of `hub.bearer_token` or `global.token`, reusing it while it lives
    /// unless `force`. Returns the token exchange when a call was made.
    pub async fn bearer_auth(
        &self,
        flow: &str,
        force: bool,
    ) -> Result<Option<Exchange>, CallError> {
        Ok(self.bearer_token(flow, force).await?.1)
    }

    async fn bearer_token(
        &self,
        flow: &str,
        force: bool,
    ) -> Result<(String, Option<Exchange>), CallError> {
        if !force && let Some(Token::Bearer(t)) = self.cached(flow) {
            return Ok((t, None));
        }
        let ep_id = payple_types::auth_flow(flow)
            .filter(|f| f.kind == "bearer_token")
            .and_then(|f| f.endpoint)
            .ok_or_else(|| CallError::Refused(format!("unknown bearer flow `{flow}`")))?;
        let ep = endpoint(ep_id)?;
        let body = self.cfg.credentials.account_fields(ep);
        let url = self.path_url(ep)?;
        let ex = self.send(ep, &url, &Value::Object(body), None).await?;
        let v = ex.response_json().unwrap_or(Value::Null);
        let s = |k: Option<&str>| text_at(&v, k);
        let token = s(Role::AuthKey.field(ep, Part::Response));
        if !ep.answer_succeeded(&v, payple_types::Applies::Both) || token.is_empty() {
            return Err(CallError::AuthRefused(self.redactor.scrub(&format!(
                "{flow} refused: HTTP {}, result `{}`, message `{}`",
                ex.status,
                s(ep.result.map(|r| r.code_field)),
                s(Role::Message.field(ep, Part::Response))
            ))));
        }
        self.redactor.add(&token);
        self.store(flow, flow, Token::Bearer(token.clone()));
        Ok((token, Some(ex)))
    }

    /// Calls an endpoint with `body`, authenticating first as its flow requires (tokens are
    /// reused while they live). The flow's tokens are added to the body (cpay) or sent as
    /// `Authorization: Bearer` (hub, global).
    pub async fn call(
        &self,
        endpoint_id: &str,
        body: Map<String, Value>,
    ) -> Result<Exchange, CallError> {
        let ep = endpoint(endpoint_id)?;
        let mut body = body;
        let mut bearer = None;
        let url = match (ep.auth_flow, ep.target) {
            ("cpay.partner_auth", Target::AuthReturnUrl(_)) => {
                let flag = ep.auth_flag.ok_or_else(|| {
                    CallError::Refused(format!("{} has no auth flag in the spec", ep.id))
                })?;
                let (token, _) = self.cpay_token(flag, false).await?;
                let Token::Cpay {
                    cst_id,
                    cust_key,
                    auth_key,
                    return_url,
                } = token
                else {
                    return Err(CallError::AuthRefused("no cpay token".into()));
                };
                // The tokens go back in the fields the endpoint names for the roles.
                for (role, value) in [
                    (Role::PartnerId, cst_id),
                    (Role::PartnerKey, cust_key),
                    (Role::AuthKey, auth_key),
                ] {
                    if let Some(name) = role.field(ep, Part::Request) {
                        body.insert(name.into(), value.into());
                    }
                }
                if ep.request.iter().any(|f| f.name == flag.0) {
                    body.insert(flag.0.into(), flag.1.into());
                }
                return_url
            }
            (flow @ ("hub.bearer_token" | "global.token"), Target::Path(_)) => {
                bearer = Some(self.bearer_token(flow, false).await?.0);
                self.path_url(ep)?
            }
            ("none", Target::Path(_)) => self.path_url(ep)?,
            (flow, target) => {
                return Err(CallError::Refused(format!(
                    "{} ({flow}, {target:?}) cannot be called without a browser or a partner server",
                    ep.id
                )));
            }
        };
        self.send(ep, &url, &Value::Object(body), bearer.as_deref())
            .await
    }

    /// Sends one request (with retries for idempotent inquiries) and returns the redacted
    /// exchange. 5xx answers and network errors are errors; every other status is an answer.
    pub(crate) async fn send(
        &self,
        ep: &'static EndpointSpec,
        url: &str,
        body: &Value,
        bearer: Option<&str>,
    ) -> Result<Exchange, CallError> {
        if let Some(prod) = production_host(url)
            && !self.cfg.allow_production
        {
            return Err(CallError::Refused(format!(
                "{url} is on the production host {prod}; refused without --allow-production"
            )));
        }
        let body_bytes = serde_json::to_vec(body).unwrap_or_default();
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in ep.headers {
            let v = match (*name, value) {
                (n, _) if n.eq_ignore_ascii_case("authorization") => match bearer {
                    Some(t) => format!("Bearer {t}"),
                    None => continue,
                },
                (n, _) if n.eq_ignore_ascii_case("referer") => self.cfg.referer.clone(),
                (_, Some(v)) => v.to_string(),
                (_, None) => continue,
            };
            headers.insert(name.to_string(), v);
        }
        headers
            .entry("Content-Type".into())
            .or_insert_with(|| "application/json".into());
        if let Some(t) = bearer {
            headers
                .entry("Authorization".into())
                .or_insert_with(|| format!("Bearer {t}"));
        }
        // Only calls the spec marks idempotent are retried after a network error or a 5xx.
        let idempotent = ep.idempotent;
        let max_attempts = if idempotent { 1 + self.cfg.retries } else { 1 };
        let mut attempt = 0;
        let _permit = self
            .sem
            .acquire()
            .await
            .map_err(|_| CallError::Transport("the client is shutting down".into()))?;
        loop {
            attempt += 1;
            if ep.rate_limit().is_some() && !self.budget.try_take(self.cfg.clock.elapsed()) {
                return Err(CallError::Budget(format!(
                    "the budget of {} result inquiries per {} s is spent; not calling {}",
                    self.cfg.inquiry_budget,
                    self.cfg.inquiry_window.as_secs(),
                    ep.id
                )));
            }
            let outcome = self.attempt(ep, url, &headers, &body_bytes).await;
            let retry = match &outcome {
                Ok((status, ..)) => *status >= 500,
                Err(_) => true,
            };
            if retry && attempt < max_attempts {
                let delay = self.cfg.backoff.saturating_mul(1 << (attempt - 1).min(16));
                crate::clock::sleep(&self.cfg.clock, delay).await;
                continue;
            }
            let (status, resp_headers, raw) = outcome?;
            if status >= 500 {
                return Err(CallError::Server(status));
            }
            let r = &self.redactor;
            let mut resp_headers = resp_headers;
            // The recorded body is the redacted one; its length would not match.
            resp_headers.remove("content-length");
            let response_body = r.body(ep.response, &raw);
            let request_body = r.body(ep.request, &body_bytes);
            return Ok(Exchange {
                endpoint: ep,
                method: ep.method.to_string(),
                url: r.scrub(url),
                request_headers: r.headers(&headers),
                request_body,
                status,
                response_headers: r.headers(&resp_headers),
                response_body,
                raw_response: raw,
                attempts: attempt,
            });
        }
    }

    async fn attempt(
        &self,
        ep: &EndpointSpec,
        url: &str,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> Result<(u16, BTreeMap<String, String>, Vec<u8>), CallError> {
        *self.requests.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let method = reqwest::Method::from_bytes(ep.method.as_bytes())
            .map_err(|_| CallError::Refused(format!("bad HTTP method {}", ep.method)))?;
        let mut req = self.http.request(method, url).timeout(self.cfg.timeout);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let describe = |e: reqwest::Error| {
            let text = self.redactor.scrub(&format!("{}: {e}", ep.id));
            if e.is_timeout() {
                CallError::Timeout(text)
            } else {
                CallError::Transport(text)
            }
        };
        let mut resp = req.body(body.to_vec()).send().await.map_err(describe)?;
        let status = resp.status().as_u16();
        let mut h = BTreeMap::new();
        for (k, v) in resp.headers() {
            h.insert(
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            );
        }
        let cap = payple_types::MAX_BODY_BYTES + 1;
        let mut raw = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(describe)? {
            raw.extend_from_slice(&chunk);
            if raw.len() >= cap {
                raw.truncate(cap);
                break;
            }
        }
        Ok((status, h, raw))
    }
}

impl Client {
    /// Runs the payment window a local mock stands in for (`POST <base>/__mock/window`, see
    /// mock/README.md): the way a flow gets a billing key without a browser. Payple's own
    /// hosts have no such route; the call is refused for them.
    pub async fn mock_window(&self, service: &str, body: &Value) -> Result<Value, CallError> {
        let base = self.cfg.base_url(service).trim_end_matches('/');
        if self.cfg.environment(service) != "custom" {
            return Err(CallError::Refused(format!(
                "{base} is one of Payple's hosts; a billing key there comes from a real payment window"
            )));
        }
        let url = format!("{base}/__mock/window");
        let resp = self
            .http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .timeout(self.cfg.timeout)
            .send()
            .await
            .map_err(|e| CallError::Transport(self.redactor.scrub(&format!("{url}: {e}"))))?;
        let status = resp.status().as_u16();
        let v: Value = resp
            .json()
            .await
            .map_err(|e| CallError::Transport(format!("{url}: not JSON: {e}")))?;
        if status != 200 {
            return Err(CallError::Refused(format!(
                "{url} answered HTTP {status}: not a payple-mock"
            )));
        }
        // The window's secrets (billing keys, request keys) are secrets of the run.
        for ep in ["cpay.result_callback", "global.payment_window_result"] {
            for f in payple_types::endpoint(ep).map_or(&[][..], |e| e.response) {
                if f.sensitive
                    && let Some(s) = v.get(f.name).and_then(Value::as_str)
                {
                    self.redactor.add(s);
                }
            }
        }
        Ok(v)
    }
}

fn endpoint(id: &str) -> Result<&'static EndpointSpec, CallError> {
    payple_types::endpoint(id).ok_or_else(|| CallError::Refused(format!("unknown endpoint `{id}`")))
}

/// The string value of top-level `key` of an answer (empty when absent or not a string).
fn text_at(v: &Value, key: Option<&str>) -> String {
    key.and_then(|k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}
