//! The secrets rule: a recording must not hold a secret.
//!
//! A recording holds a secret when
//!
//! * a field the spec marks sensitive has a value that is not redacted, in the request or
//!   response body (when the body is JSON), or
//! * any string of the recording holds a 13-19 digit run that passes the Luhn check (a card
//!   number; groups of digits separated by single spaces or hyphens count as one run), or
//! * any string holds `Bearer <token>` with a token that is not redacted (an
//!   `Authorization: Bearer ...` header).
//!
//! Redacted means: empty, only `*`, `<redacted>`, or starting with `REDACTED`.
//! The secret values themselves are never part of a [`SecretHit`]'s text.

use crate::recording::LoadedRecording;
use payple_support::redact::{
    Secrets, bearer_tokens, looks_like_card, secret_texts, value_redacted,
};
use payple_types::{FieldSpec, Finding, Part};
use serde::Serialize;
use serde_json::Value;

pub use payple_support::redact::{card_numbers, is_redacted, luhn_valid};

/// One secret found in a recording. It says where, never what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretHit {
    /// Always `secret_in_recording`.
    pub kind: &'static str,
    /// Always `error`.
    pub severity: &'static str,
    /// JSON pointer into the recording file (e.g. `/response/body`).
    pub location: String,
    /// JSON pointer inside the body, for a sensitive field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What was found, without the value.
    pub message: String,
}

impl SecretHit {
    fn new(location: &str, pointer: Option<String>, message: String) -> Self {
        SecretHit {
            kind: "secret_in_recording",
            severity: "error",
            location: location.to_string(),
            pointer,
            message,
        }
    }
}

/// Secrets of one recording: the hits to report, and the secret strings themselves (for
/// [`scrub_findings`] only; never print them).
#[derive(Debug, Default)]
pub struct Scan {
    /// Where the secrets are.
    pub hits: Vec<SecretHit>,
    /// The secret values, to remove from any output.
    pub values: Vec<String>,
}

/// Applies the secrets rule to a recording.
pub fn scan(rec: &LoadedRecording) -> Scan {
    let mut scan = Scan::default();
    walk_strings(&rec.raw, "", &mut scan);
    for (part, location, body) in [
        (Part::Request, "/request/body", &rec.request_body),
        (Part::Response, "/response/body", &rec.response_body),
    ] {
        let Some(body) = body else { continue };
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            sensitive_fields(rec.endpoint.fields(part), &value, location, &mut scan);
        }
    }
    let b64 = [
        rec.recording
            .request
            .as_ref()
            .and_then(|r| r.body_base64.as_ref())
            .map(|_| ("/request/body_base64", &rec.request_body)),
        rec.recording
            .response
            .as_ref()
            .and_then(|r| r.body_base64.as_ref())
            .map(|_| ("/response/body_base64", &rec.response_body)),
    ];
    for (location, body) in b64.into_iter().flatten() {
        if let Some(body) = body {
            scan_text(&String::from_utf8_lossy(body), location, &mut scan);
        }
    }
    scan
}

fn walk_strings(v: &Value, location: &str, scan: &mut Scan) {
    match v {
        Value::String(s) => scan_text(s, location, scan),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_strings(item, &format!("{location}/{i}"), scan);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let here = format!("{location}/{}", payple_types::pointer_token(k));
                scan_text(k, &here, scan);
                if k.eq_ignore_ascii_case("authorization")
                    && let Value::String(header) = item
                {
                    for (start, end) in bearer_tokens(header, false) {
                        scan.hits.push(SecretHit::new(
                            &here,
                            None,
                            "an Authorization header with a Bearer token that is not redacted"
                                .into(),
                        ));
                        scan.values.push(header[start..end].to_string());
                    }
                }
                walk_strings(item, &here, scan);
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            if looks_like_card(text.as_bytes()) {
                scan.hits.push(SecretHit::new(
                    location,
                    None,
                    "a number that passes the Luhn check (a card number?)".into(),
                ));
                scan.values.push(text);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

fn scan_text(s: &str, location: &str, scan: &mut Scan) {
    for (start, end) in card_numbers(s) {
        scan.hits.push(SecretHit::new(
            location,
            None,
            format!(
                "a {}-digit run that passes the Luhn check (a card number?)",
                s[start..end].bytes().filter(u8::is_ascii_digit).count()
            ),
        ));
        scan.values.push(s[start..end].to_string());
    }
    for (start, end) in bearer_tokens(s, true) {
        scan.hits.push(SecretHit::new(
            location,
            None,
            "an `Authorization: Bearer` token that is not redacted".into(),
        ));
        scan.values.push(s[start..end].to_string());
    }
}

fn sensitive_fields(fields: &'static [FieldSpec], value: &Value, location: &str, scan: &mut Scan) {
    for found in payple_types::sensitive_values(fields, value) {
        if value_redacted(found.value) {
            continue;
        }
        scan.hits.push(SecretHit::new(
            location,
            Some(found.pointer),
            format!(
                "`{}` is marked sensitive and its value is not redacted (use \"\", \"****\", \"<redacted>\" or \"REDACTED...\")",
                found.field.name
            ),
        ));
        secret_texts(found.value, &mut scan.values);
    }
}

/// Replaces every occurrence of a secret value (4 characters or longer) in the text of
/// `findings` with `<redacted>`.
pub fn scrub_findings(findings: &mut [Finding], secrets: &[String]) {
    let secrets = Secrets::new(secrets);
    if secrets.is_empty() {
        return;
    }
    for f in findings {
        f.rewrite_text(|text| secrets.scrub_changed(text));
    }
}
