//! # payple-types
//!
//! Typed models of the Payple payment API (payple.kr), generated at build time from the
//! payple-spec YAML, plus the pieces that make them useful:
//!
//! * per endpoint, `Request` and `Response` models in a module named after the endpoint id
//!   (`cpay.result_inquiry` -> [`cpay::result_inquiry`]), and per service one enum per field
//!   that has documented values ([`cpay::PayType`], shared by every endpoint): tolerant by
//!   design, so drift in
//!   Payple's answers never breaks deserialization (unknown fields kept in `extra`, unknown
//!   enum values kept in `Other`, amounts as strings or numbers, secrets redacted in `Debug`);
//! * `is_success()` and a typed [`ResultCode`] with its documented meaning;
//! * [`TypeCode`] and [`Coded`] for Payple's `aN(255)`-style type codes;
//! * the JSON Schemas by endpoint id ([`schema`]);
//! * the strict validator [`validate`], compiled from the spec: every deviation as a
//!   [`Finding`] with kind, severity, JSON pointer, type code and documentation URL.
//!
//! ```
//! use payple_types::cpay::result_inquiry::Response;
//! let body = r#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"전송완료",
//!               "PCD_PAY_TYPE":"transfer","PCD_PAY_TOTAL":1000,"NEW_FIELD":"kept"}"#;
//! let r: Response = serde_json::from_str(body).unwrap();
//! assert!(r.is_success());
//! assert_eq!(r.pcd_pay_total.as_ref().and_then(|a| a.won()), Some(1000));
//! assert!(r.extra.contains_key("NEW_FIELD"));
//! ```

#![forbid(unsafe_code)]

/// Dates, times and digit strings in the formats the spec declares (`formats:` in
/// spec/payple.yaml): shape and calendar checks, and the parsed [`datefmt::DateTime`].
pub mod datefmt {
    include!(concat!(env!("OUT_DIR"), "/datefmt.rs"));
}
pub mod doc_sample;
mod runtime;
mod validate;
mod values;

pub use runtime::*;
pub use validate::{
    Finding, Fingerprint, Kind, MAX_BODY_BYTES, MAX_FINDINGS_PER_GROUP, Report, Severity,
    UnknownEndpoint, endpoint, json_type, pointer_key, pointer_token, validate, validate_bytes,
    validate_value,
};
pub use values::{Amount, Coded, Secret, lenient};

#[doc(hidden)]
pub use serde;
#[doc(hidden)]
pub use serde_json;

/// Everything generated from the spec.
#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/payple_generated.rs"));
}

pub use generated::*;

/// The JSON Schema (draft 2020-12) of an endpoint part.
pub fn schema(endpoint_id: &str, part: Part) -> Option<&'static str> {
    generated::SCHEMAS
        .iter()
        .find(|(id, p, _)| *id == endpoint_id && *p == part)
        .map(|(_, _, s)| *s)
}

/// Every endpoint of the spec.
pub fn endpoints() -> &'static [EndpointSpec] {
    generated::ENDPOINTS
}

/// A service (`cpay`, `hub`, `global`) by id: hosts and the documented test account.
pub fn service(id: &str) -> Option<&'static ServiceSpec> {
    generated::SERVICES.iter().find(|s| s.id == id)
}

/// An authentication flow by id (`cpay.partner_auth`, `hub.bearer_token`, `global.token`).
pub fn auth_flow(id: &str) -> Option<&'static AuthFlowSpec> {
    generated::AUTH_FLOWS.iter().find(|f| f.id == id)
}
