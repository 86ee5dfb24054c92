//! # payple-conformance
//!
//! Checks Payple traffic against the payple-spec contract, on top of the validator of
//! [`payple_types`]:
//!
//! * [`validate_input`] validates one body (raw bytes, never assumed to be UTF-8);
//! * [`replay`] validates recorded exchanges ([`recording::Recording`], one JSON file per
//!   exchange) and the documented samples of the spec against the findings each is expected to
//!   produce, and refuses recordings that still hold a secret ([`secrets`]);
//! * [`coverage`] measures which documented fields and result codes the recordings (and
//!   samples) exercise, per endpoint and payment method;
//! * [`deviations`] reads the accepted-deviations file and applies it to findings;
//! * [`render`] turns reports into human, JSON, Markdown or JUnit XML text;
//! * [`fsio`] reads with a size cap and writes files atomically.
//!
//! The `payple-conformance` binary is a thin command line over these functions.

#![forbid(unsafe_code)]

pub mod coverage;
pub mod deviations;
pub mod fsio;
pub mod recording;
pub mod render;
pub mod replay;
pub mod secrets;

use deviations::{CheckedFinding, DeviationSummary, Deviations, Matcher};
use payple_types::{Applies, EndpointSpec, Part, Report};
use serde::Serialize;
use serde_json::Value;

/// The payment method of a body: the value of its endpoint's `payment_method_field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// `card`.
    Card,
    /// `transfer`.
    Transfer,
    /// Any other value.
    Other,
    /// The endpoint has no payment-method field, the body lacks it, or the body is not a
    /// JSON object.
    Unspecified,
}

impl PaymentMethod {
    /// Every method, in report order.
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::Card,
        PaymentMethod::Transfer,
        PaymentMethod::Other,
        PaymentMethod::Unspecified,
    ];

    /// `card`, `transfer`, `other` or `unspecified`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Other => "other",
            PaymentMethod::Unspecified => "unspecified",
        }
    }

    /// The method of a parsed body of `ep`.
    pub fn of_value(ep: &EndpointSpec, body: &Value) -> PaymentMethod {
        match ep.payment_method_value(body) {
            None => PaymentMethod::Unspecified,
            Some(v) => match v.as_str().and_then(Applies::method_named) {
                Some(Applies::Card) => PaymentMethod::Card,
                Some(Applies::Transfer) => PaymentMethod::Transfer,
                _ => PaymentMethod::Other,
            },
        }
    }

    /// The method of a raw body of `ep` (`unspecified` when it is not a JSON object within
    /// the size cap).
    pub fn of_bytes(ep: &EndpointSpec, body: &[u8]) -> PaymentMethod {
        if ep.payment_method_field.is_none() || body.len() > payple_types::MAX_BODY_BYTES {
            return PaymentMethod::Unspecified;
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => PaymentMethod::of_value(ep, &v),
            Err(_) => PaymentMethod::Unspecified,
        }
    }
}

impl std::fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of `validate`: the validator's report with deviations applied.
#[derive(Debug, Clone, Serialize)]
pub struct ValidateOutcome {
    /// Endpoint id.
    pub endpoint: String,
    /// `request` or `response`.
    pub part: &'static str,
    /// The file validated (as given), or `-` for standard input.
    pub input: String,
    /// The body's payment method.
    pub payment_method: PaymentMethod,
    /// Every finding, in body order, with its accepted deviation if any.
    pub findings: Vec<CheckedFinding>,
    /// What the deviations file says about this run.
    pub deviations: DeviationSummary,
}

impl ValidateOutcome {
    /// Applies `deviations` to `report` of the body `input` of payment method `method`.
    pub fn new(
        report: Report,
        input: String,
        payment_method: PaymentMethod,
        deviations: &Deviations,
    ) -> Self {
        let mut findings: Vec<CheckedFinding> = report
            .findings
            .into_iter()
            .map(CheckedFinding::new)
            .collect();
        let mut matcher = Matcher::new(deviations);
        matcher.apply(report.endpoint, &mut findings);
        ValidateOutcome {
            endpoint: report.endpoint.to_string(),
            part: report.part,
            input,
            payment_method,
            findings,
            deviations: matcher.summary(),
        }
    }

    /// Error-severity findings that are not accepted.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.counts_as_error()).count()
    }

    /// Warning-severity findings that are not accepted.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.counts_as_warning())
            .count()
    }

    /// Accepted findings.
    pub fn accepted(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.accepted.is_some())
            .count()
    }

    /// 0 without an error-severity finding (accepted ones aside), else 1.
    pub fn exit_code(&self) -> u8 {
        if self.errors() == 0 { 0 } else { 1 }
    }
}

/// Validates `body` (bytes as received) against one part of `ep`, then removes from the
/// report's text any card number the body holds, so that no output repeats it.
pub fn validate_input(ep: &EndpointSpec, part: Part, body: &[u8]) -> Report {
    let mut report = payple_types::validate_bytes(ep, part, body);
    let text = String::from_utf8_lossy(body);
    let secrets: Vec<String> = secrets::card_numbers(&text)
        .into_iter()
        .map(|(start, end)| text[start..end].to_string())
        .collect();
    secrets::scrub_findings(&mut report.findings, &secrets);
    report
}

/// Looks an endpoint up, with an error message that says how to list the ids.
pub fn find_endpoint(id: &str) -> Result<&'static EndpointSpec, String> {
    payple_types::endpoint(id).ok_or_else(|| {
        let mut close: Vec<&str> = payple_types::endpoints()
            .iter()
            .map(|e| e.id)
            .filter(|known| {
                let tail = id.rsplit('.').next().unwrap_or(id);
                !tail.is_empty() && (known.contains(tail) || id.contains(known))
            })
            .collect();
        close.sort_unstable();
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", close.join(", "))
        };
        format!(
            "unknown endpoint `{id}`{hint}; run `payple-conformance endpoints` to list the endpoint ids"
        )
    })
}
