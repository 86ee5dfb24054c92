//! Hosts, credentials and limits of a live run.

use crate::clock::Clock;
use std::time::Duration;

/// The three Payple services a run talks to.
pub const SERVICES: [&str; 3] = ["cpay", "hub", "global"];

/// The documented test host of a service (`environments` entry named `test`).
pub fn test_base_url(service: &str) -> Option<&'static str> {
    payple_types::service(service)?
        .environments
        .iter()
        .find(|e| e.name == "test")
        .map(|e| e.base_url)
}

/// Lower-cased host of a URL, when it has one.
pub fn host_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

/// The production environment (`production: true` in the spec) whose host `url` points at.
pub fn production_host(url: &str) -> Option<&'static str> {
    let host = host_of(url)?;
    SERVICES
        .iter()
        .filter_map(|s| payple_types::service(s))
        .flat_map(|s| s.environments.iter())
        .filter(|e| e.production)
        .find(|e| host_of(e.base_url).as_deref() == Some(host.as_str()))
        .map(|e| e.base_url)
}

/// The name of the environment variable holding a credential: `PAYPLE_<SERVICE>_<NAME>`, the
/// name in upper snake case (`custKey` -> `PAYPLE_CPAY_CUST_KEY`).
pub fn credential_variable(service: &str, name: &str) -> String {
    let mut out = format!("PAYPLE_{}_", service.to_ascii_uppercase());
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// Credentials of one run. Values come from environment variables and default to the public
/// test account of the documentation (`test_credentials` in the spec).
#[derive(Clone, Default)]
pub struct Credentials {
    values: Vec<(String, String, String)>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.values
                    .iter()
                    .map(|(s, n, _)| format!("{s}.{n}=<redacted>")),
            )
            .finish()
    }
}

/// Credential names read per service, beyond the spec's `test_credentials`.
const EXTRA: [(&str, &str, &str); 2] = [
    // The refund key of a cancel; unknown orders are cancelled, so any value will do.
    ("cpay", "refund_key", "REFUNDKEYOFTHETESTACCOUNT"),
    // A transfer billing key registered on the test account, for the happy-path flow that
    // is safe on Payple's test hosts (`--flows`); empty: that flow needs a local mock.
    ("cpay", "transfer_payer_id", ""),
];

impl Credentials {
    /// Reads every credential from the process environment.
    pub fn from_env() -> Credentials {
        Credentials::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads every credential through `lookup` (an environment variable name to its value).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Credentials {
        let mut values = Vec::new();
        for service in SERVICES {
            let documented = payple_types::service(service)
                .map(|s| s.test_credentials)
                .unwrap_or(&[]);
            let extra = EXTRA.iter().filter(|(s, ..)| *s == service);
            // The random code of a token request, where the service has one and its test
            // account does not name it.
            let code = payple_types::Role::TokenCode
                .name(service)
                .filter(|n| !documented.iter().any(|(d, _)| d == n))
                .map(|n| (n, "drift00001"));
            for (name, default) in documented
                .iter()
                .copied()
                .chain(extra.map(|(_, n, d)| (*n, *d)))
                .chain(code)
            {
                let value =
                    lookup(&credential_variable(service, name)).unwrap_or_else(|| default.into());
                values.push((service.to_string(), name.to_string(), value));
            }
        }
        Credentials { values }
    }

    /// Sets one credential.
    pub fn set(&mut self, service: &str, name: &str, value: &str) {
        match self
            .values
            .iter_mut()
            .find(|(s, n, _)| s == service && n == name)
        {
            Some(slot) => slot.2 = value.to_string(),
            None => self
                .values
                .push((service.into(), name.into(), value.to_string())),
        }
    }

    /// The account fields of an authentication request: every top-level request field of
    /// `ep` that names a credential of its service (cst_id / custKey, service_id /
    /// service_key, code), with the credential's value.
    pub fn account_fields(
        &self,
        ep: &payple_types::EndpointSpec,
    ) -> serde_json::Map<String, serde_json::Value> {
        ep.request
            .iter()
            .filter_map(|f| {
                let v = self.get(ep.service, f.name);
                (!v.is_empty()).then(|| (f.name.to_string(), v.into()))
            })
            .collect()
    }

    /// A credential's value (empty when unknown).
    pub fn get(&self, service: &str, name: &str) -> &str {
        self.values
            .iter()
            .find(|(s, n, _)| s == service && n == name)
            .map(|(_, _, v)| v.as_str())
            .unwrap_or("")
    }

    /// The `(variable, service, name)` of every credential read.
    pub fn variables(&self) -> Vec<(String, String, String)> {
        self.values
            .iter()
            .map(|(s, n, _)| (credential_variable(s, n), s.clone(), n.clone()))
            .collect()
    }

    /// Values that must never appear in any output: keys and refund keys (ids such as the
    /// public `test` partner id are redacted where the spec marks them sensitive).
    pub fn secret_values(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(_, n, _)| {
                let n = n.to_ascii_lowercase();
                n.contains("key") || n.contains("secret") || n.contains("payer_id")
            })
            .map(|(_, _, v)| v.clone())
            .filter(|v| v.chars().count() >= 4)
            .collect()
    }
}

/// Everything a live run needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL of cpay (default: the spec's test host).
    pub cpay_url: String,
    /// Base URL of hub.
    pub hub_url: String,
    /// Base URL of global.
    pub global_url: String,
    /// Allow production hosts (real money). Off by default.
    pub allow_production: bool,
    /// Credentials.
    pub credentials: Credentials,
    /// Time limit of one HTTP request.
    pub timeout: Duration,
    /// Retries of an idempotent inquiry after a network error or a 5xx answer.
    pub retries: u32,
    /// First backoff delay; doubled on each retry.
    pub backoff: Duration,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Referer header sent where the spec lists one (cpay auth checks it).
    pub referer: String,
    /// Result inquiries allowed per [`Config::inquiry_window`]; by default the documented
    /// rate limit of the spec (cpay.result_inquiry's `rate`, PCHK9997 past it).
    pub inquiry_budget: u32,
    /// The window of the inquiry budget.
    pub inquiry_window: Duration,
    /// The clock for token lifetimes, the budget and backoff.
    pub clock: Clock,
    /// Also run the happy-path flows (payments made and undone; see
    /// [`crate::scenario::FLOWS`]). On Payple's hosts only the flows marked safe there run,
    /// and only when their billing key is configured.
    pub flows: bool,
}

impl Config {
    /// Test hosts of the spec, credentials from the environment (`PAYPLE_*`), the system clock.
    /// `PAYPLE_REFERER` overrides the Referer.
    pub fn from_env() -> Config {
        let mut c = Config::with_credentials(Credentials::from_env());
        if let Ok(r) = std::env::var("PAYPLE_REFERER")
            && !r.is_empty()
        {
            c.referer = r;
        }
        c
    }

    /// Test hosts of the spec and the given credentials.
    pub fn with_credentials(credentials: Credentials) -> Config {
        let url = |s| test_base_url(s).unwrap_or_default().to_string();
        // The documented rate limit of the budgeted call; without one, no budget.
        let (inquiry_budget, inquiry_window) = payple_types::endpoints()
            .iter()
            .find_map(|e| e.rate_limit())
            .map_or((u32::MAX, 1), |(r, _)| (r.max, r.window_seconds));
        Config {
            cpay_url: url("cpay"),
            hub_url: url("hub"),
            global_url: url("global"),
            allow_production: false,
            credentials,
            timeout: Duration::from_secs(15),
            retries: 2,
            backoff: Duration::from_millis(500),
            concurrency: 4,
            referer: "http://localhost".into(),
            inquiry_budget,
            inquiry_window: Duration::from_secs(inquiry_window),
            clock: Clock::system(),
            flows: false,
        }
    }

    /// Every service's base URL pointing at `base` (a local server in tests).
    pub fn all_at(mut self, cpay: &str, hub: &str, global: &str) -> Config {
        self.cpay_url = cpay.trim_end_matches('/').to_string();
        self.hub_url = hub.trim_end_matches('/').to_string();
        self.global_url = global.trim_end_matches('/').to_string();
        self
    }

    /// The base URL of a service.
    pub fn base_url(&self, service: &str) -> &str {
        match service {
            "cpay" => &self.cpay_url,
            "hub" => &self.hub_url,
            _ => &self.global_url,
        }
    }

    /// The environment name recorded for a service: the spec's environment whose host the
    /// base URL points at, else `custom`.
    pub fn environment(&self, service: &str) -> &'static str {
        let host = host_of(self.base_url(service));
        payple_types::service(service)
            .and_then(|s| {
                s.environments
                    .iter()
                    .find(|e| host.is_some() && host_of(e.base_url) == host)
            })
            .map(|e| e.name)
            .unwrap_or("custom")
    }

    /// Refuses unusable URLs, and production hosts unless `allow_production` is set.
    pub fn check(&self) -> Result<(), String> {
        for service in SERVICES {
            let url = self.base_url(service);
            if host_of(url).is_none() {
                return Err(format!("the {service} URL `{url}` is not an http(s) URL"));
            }
            if let Some(prod) = production_host(url)
                && !self.allow_production
            {
                return Err(format!(
                    "the {service} URL `{url}` is the production host {prod} (real money); \
                     pass --allow-production to use it"
                ));
            }
        }
        if self.concurrency == 0 {
            return Err("the concurrency limit must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names() {
        assert_eq!(credential_variable("cpay", "cst_id"), "PAYPLE_CPAY_CST_ID");
        assert_eq!(
            credential_variable("cpay", "custKey"),
            "PAYPLE_CPAY_CUST_KEY"
        );
        assert_eq!(
            credential_variable("global", "service_key"),
            "PAYPLE_GLOBAL_SERVICE_KEY"
        );
    }

    #[test]
    fn defaults_and_production() {
        let c = Config::with_credentials(Credentials::from_lookup(|_| None));
        assert_eq!(c.cpay_url, "https://democpay.payple.kr");
        assert_eq!(c.hub_url, "https://demohub.payple.kr");
        assert_eq!(c.global_url, "https://demo-api.payple.kr");
        assert_eq!(c.credentials.get("cpay", "custKey"), "abcd1234567890");
        assert_eq!(c.credentials.get("global", "service_id"), "demo");
        assert!(c.check().is_ok());
        assert_eq!(c.environment("cpay"), "test");
        let mut p = c.clone();
        p.hub_url = "https://HUB.payple.kr/".into();
        assert!(p.check().unwrap_err().contains("production"));
        p.allow_production = true;
        assert!(p.check().is_ok());
        let env = Credentials::from_lookup(|k| (k == "PAYPLE_HUB_CUST_KEY").then(|| "zz99".into()));
        assert_eq!(env.get("hub", "custKey"), "zz99");
        assert!(!format!("{env:?}").contains("zz99"));
    }
}
