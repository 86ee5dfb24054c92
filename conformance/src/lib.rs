//! # payple-conformance
//!
//! Checks Payple traffic against the payple-spec contract, on top of the validator of
//! [`payple_types`]:
//!
//! * [`validate_input`] validates one body (raw bytes, never assumed to be UTF-8);
//! * [`replay`] validates recorded exchanges ([`recording::Recording`], one JSON file per
//!   exchange) and the documented samples of the spec against the findings each is expected to
//!   produce, and refuses recordings that still hold a secret ([`secrets`]);
//! * [`render`] turns reports into human or JSON text;
//! * [`fsio`] reads with a size cap and writes files atomically.
//!
//! The `payple-conformance` binary is a thin command line over these functions.

#![forbid(unsafe_code)]

pub mod fsio;
pub mod recording;
pub mod render;
pub mod replay;
pub mod secrets;

use payple_types::{EndpointSpec, Part, Report};

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
