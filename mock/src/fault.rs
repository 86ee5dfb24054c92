//! Faults on demand: latency, hanging requests, dropped connections, HTTP errors with HTML
//! pages, rate-limit answers, token expiry and response drift, each for every request or
//! only for a service, an endpoint or a path, optionally only the next N times.

use crate::Drift;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answers after an extra delay.
    Latency(Duration),
    /// Never answers: the request is held (up to `MockLimits::hang`) and the connection is
    /// then closed without an answer.
    Timeout,
    /// Closes the connection without an answer.
    Drop,
    /// Answers this HTTP status with an HTML error page, as a proxy in front of Payple would.
    Http(u16),
    /// Answers HTTP 200 with an HTML page instead of JSON (a PHP error page).
    Html,
    /// Answers the endpoint's documented rate-limit refusal (`[mock: inquiry_rate_limited]`,
    /// PCHK9997 on cpay.result_inquiry); HTTP 429 where none is documented.
    RateLimit,
    /// Expires every token issued so far (cpay AuthKeys, hub and global bearer tokens), once,
    /// when the fault is added.
    TokenExpiry,
    /// Applies a response drift (see [`Drift`]).
    Drift(Drift),
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultTarget {
    /// Every request.
    All,
    /// A service: `cpay`, `hub`, `global`.
    Service(String),
    /// An endpoint id, e.g. `cpay.result_inquiry`.
    Endpoint(String),
    /// A request path (without the query), e.g. `/php/auth.php`.
    Path(String),
}

/// One fault: what, where, and how many times (`None`: until cleared).
///
/// Syntax (CLI `--fault`, admin route `POST /__mock/faults`):
/// `KIND[:ARG][@TARGET][*COUNT]`, e.g. `latency:250`, `timeout@hub`,
/// `http:503@hub.transfer_result_daily*2`, `drop@/php/auth.php*1`, `html@cpay.cancel`,
/// `rate-limit@cpay.result_inquiry`, `token-expiry`, `token-expiry@hub`,
/// `drift:rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What it does.
    pub kind: FaultKind,
    /// Where.
    pub target: FaultTarget,
    /// How many more requests it applies to.
    pub remaining: Option<u32>,
}

/// A fault specification that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultParseError(pub String);

impl fmt::Display for FaultParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FaultParseError {}

impl FromStr for Fault {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| FaultParseError(format!("fault `{s}`: {why}"));
        let s = s.trim();
        if let Some(spec) = s.strip_prefix("drift:") {
            let d: Drift = spec
                .parse()
                .map_err(|e: crate::DriftParseError| err(&e.0))?;
            return Ok(Fault {
                target: FaultTarget::Endpoint(d.endpoint().to_string()),
                kind: FaultKind::Drift(d),
                remaining: None,
            });
        }
        let (rest, count) = match s.rsplit_once('*') {
            Some((r, n)) => {
                let n: u32 = n
                    .parse()
                    .map_err(|_| err("the count after `*` is not a number"))?;
                (r, Some(n))
            }
            None => (s, None),
        };
        let (what, target) = match rest.split_once('@') {
            Some((w, t)) => (w, parse_target(t).map_err(|e| err(&e))?),
            None => (rest, FaultTarget::All),
        };
        let (kind, arg) = match what.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (what, None),
        };
        let kind = match (kind, arg) {
            ("latency", Some(ms)) => FaultKind::Latency(Duration::from_millis(
                ms.parse()
                    .map_err(|_| err("latency takes milliseconds, e.g. latency:250"))?,
            )),
            ("timeout", None) => FaultKind::Timeout,
            ("drop", None) => FaultKind::Drop,
            ("http", Some(code)) => {
                let c: u16 = code
                    .parse()
                    .map_err(|_| err("http takes a status, e.g. http:503"))?;
                if !(400..=599).contains(&c) {
                    return Err(err("the status must be 400-599"));
                }
                FaultKind::Http(c)
            }
            ("html", None) => FaultKind::Html,
            ("rate-limit", None) => FaultKind::RateLimit,
            ("token-expiry", None) => FaultKind::TokenExpiry,
            _ => {
                return Err(err(
                    "kinds: latency:MS, timeout, drop, http:STATUS, html, rate-limit, token-expiry, drift:SPEC",
                ));
            }
        };
        Ok(Fault {
            kind,
            target,
            remaining: count,
        })
    }
}

fn parse_target(t: &str) -> Result<FaultTarget, String> {
    if t.starts_with('/') {
        return Ok(FaultTarget::Path(t.to_string()));
    }
    if ["cpay", "hub", "global"].contains(&t) {
        return Ok(FaultTarget::Service(t.to_string()));
    }
    if payple_types::endpoint(t).is_some() {
        return Ok(FaultTarget::Endpoint(t.to_string()));
    }
    Err(format!(
        "target `{t}` is neither a service, an endpoint id nor a path"
    ))
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FaultKind::Latency(d) => write!(f, "latency:{}", d.as_millis())?,
            FaultKind::Timeout => f.write_str("timeout")?,
            FaultKind::Drop => f.write_str("drop")?,
            FaultKind::Http(c) => write!(f, "http:{c}")?,
            FaultKind::Html => f.write_str("html")?,
            FaultKind::RateLimit => f.write_str("rate-limit")?,
            FaultKind::TokenExpiry => f.write_str("token-expiry")?,
            FaultKind::Drift(d) => return write!(f, "drift:{d}"),
        }
        match &self.target {
            FaultTarget::All => {}
            FaultTarget::Service(s) | FaultTarget::Endpoint(s) | FaultTarget::Path(s) => {
                write!(f, "@{s}")?
            }
        }
        if let Some(n) = self.remaining {
            write!(f, "*{n}")?;
        }
        Ok(())
    }
}

impl Fault {
    /// Whether the fault applies to a request of `service` at `path` taken for `endpoint`.
    pub(crate) fn matches(&self, service: &str, path: &str, endpoint: Option<&str>) -> bool {
        match &self.target {
            FaultTarget::All => true,
            FaultTarget::Service(s) => s == service,
            FaultTarget::Endpoint(e) => endpoint == Some(e.as_str()),
            FaultTarget::Path(p) => p == path,
        }
    }
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub latency: Duration,
    pub terminal: Option<FaultKind>,
    /// The faults applied, for the log.
    pub applied: Vec<String>,
}

/// The active faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    list: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, f: Fault) {
        self.list.push(f);
    }

    pub(crate) fn clear(&mut self) {
        self.list.clear();
    }

    pub(crate) fn list(&self) -> Vec<String> {
        self.list.iter().map(ToString::to_string).collect()
    }

    /// The drifts in force for an endpoint.
    pub(crate) fn drifts(&self) -> impl Iterator<Item = &Drift> {
        self.list.iter().filter_map(|f| match &f.kind {
            FaultKind::Drift(d) => Some(d),
            _ => None,
        })
    }

    /// Takes the faults that apply to a request (counts go down; spent faults go away).
    pub(crate) fn plan(&mut self, service: &str, path: &str, endpoint: Option<&str>) -> Plan {
        let mut plan = Plan::default();
        for f in &mut self.list {
            if matches!(f.kind, FaultKind::Drift(_) | FaultKind::TokenExpiry)
                || !f.matches(service, path, endpoint)
                || f.remaining == Some(0)
            {
                continue;
            }
            match &f.kind {
                FaultKind::Latency(d) => plan.latency += *d,
                k if plan.terminal.is_none() => plan.terminal = Some(k.clone()),
                _ => continue,
            }
            plan.applied.push(f.to_string());
            if let Some(n) = f.remaining.as_mut() {
                *n -= 1;
            }
        }
        self.list.retain(|f| f.remaining != Some(0));
        plan
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in [
            "latency:250",
            "timeout@hub",
            "http:503@hub.transfer_result_daily*2",
            "drop@/php/auth.php*1",
            "html@cpay.cancel",
            "rate-limit@cpay.result_inquiry",
            "token-expiry",
            "drift:rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE",
        ] {
            let f: Fault = s.parse().unwrap();
            assert_eq!(f.to_string(), s);
        }
        for bad in ["latency", "http:200", "nope", "timeout@nowhere", "drop*x"] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_run_out() {
        let mut fs = Faults::default();
        fs.add("http:503@hub*2".parse().unwrap());
        fs.add("latency:10".parse().unwrap());
        let p = fs.plan("hub", "/x", None);
        assert_eq!(p.terminal, Some(FaultKind::Http(503)));
        assert_eq!(p.latency, Duration::from_millis(10));
        assert!(fs.plan("cpay", "/x", None).terminal.is_none());
        assert!(fs.plan("hub", "/x", None).terminal.is_some());
        assert!(fs.plan("hub", "/x", None).terminal.is_none());
        assert_eq!(fs.list(), ["latency:10"]);
    }
}
