//! Redaction: sensitive fields (the spec's `sensitive` flag), Authorization and cookie header
//! values, and every secret value the run has seen (keys, tokens) wherever it appears.
//!
//! The rules live in `payple_support::redact` and `payple_types::sensitive_values`; this
//! module applies them to the run's bodies and headers.

use payple_support::redact::{Secrets, redacted_like, secret_texts};
use payple_types::FieldSpec;
use serde_json::Value;
use std::collections::BTreeMap;

pub use payple_support::redact::{REDACTED, redact_header};

/// Secret values seen in a run; [`Redactor::scrub`] removes them from any text.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: Secrets,
}

impl Redactor {
    /// A redactor that knows `secrets` from the start.
    pub fn new(secrets: Vec<String>) -> Redactor {
        Redactor {
            secrets: Secrets::new(secrets),
        }
    }

    /// Remembers a secret value (values shorter than 4 characters are too common to scrub;
    /// the structural redaction of sensitive fields still covers them).
    pub fn add(&self, secret: &str) {
        self.secrets.add(secret);
    }

    /// `text` with every known secret (and its JSON-escaped form) replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        self.secrets.scrub(text)
    }

    /// A body with sensitive fields redacted (see [`redact_body`]) and known secrets scrubbed.
    pub fn body(&self, fields: &'static [FieldSpec], bytes: &[u8]) -> String {
        let (text, found) = redact_body(fields, bytes);
        for s in &found {
            self.add(s);
        }
        self.scrub(&text)
    }

    /// Headers with Authorization and cookies redacted and known secrets scrubbed.
    pub fn headers(&self, headers: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        headers
            .iter()
            .map(|(k, v)| (k.clone(), self.scrub(&redact_header(k, v))))
            .collect()
    }
}

/// Redacts the values of sensitive fields in a JSON body. Returns the redacted text and the
/// secret values removed. The body's text is kept as received where possible (each secret's
/// JSON string is replaced in place); when that cannot be done safely, the redacted value
/// is serialized again. A body that is not JSON is returned as (lossy) text.
pub fn redact_body(fields: &'static [FieldSpec], bytes: &[u8]) -> (String, Vec<String>) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
        return (text, Vec::new());
    };
    let mut found = Vec::new();
    let replacements: Vec<(String, Value)> = payple_types::sensitive_values(fields, &value)
        .into_iter()
        .map(|s| {
            secret_texts(s.value, &mut found);
            (s.pointer, redacted_like(s.value))
        })
        .collect();
    for (pointer, redacted) in replacements {
        if let Some(v) = value.pointer_mut(&pointer) {
            *v = redacted;
        }
    }
    if found.is_empty() {
        return (text, found);
    }
    // In-place: replace each secret's JSON literal; keep it only if it yields the same tree.
    let mut in_place = text.clone();
    for s in &found {
        if let Ok(lit) = serde_json::to_string(s) {
            in_place = in_place.replace(&lit, &format!("\"{REDACTED}\""));
        }
    }
    let same = serde_json::from_str::<Value>(&in_place).is_ok_and(|v| v == value);
    let out = if same {
        in_place
    } else {
        serde_json::to_string(&value).unwrap_or_else(|_| REDACTED.to_string())
    };
    (out, found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sensitive_fields_and_headers() {
        let ep = payple_types::endpoint("cpay.auth").unwrap();
        let body = br#"{"result":"success","cst_id":"TOKENabc/def","AuthKey":"a688cc","return_url":"https://x/y"}"#;
        let (text, found) = redact_body(ep.response, body);
        assert!(!text.contains("TOKENabc"));
        assert!(!text.contains("a688cc"));
        assert!(text.contains("https://x/y"));
        assert_eq!(found.len(), 2);
        assert_eq!(
            redact_header("Authorization", "Bearer abc"),
            "Bearer <redacted>"
        );
        let r = Redactor::new(vec!["abcd1234567890".into()]);
        assert_eq!(r.scrub("key abcd1234567890!"), "key <redacted>!");
    }
}
