//! Redaction: sensitive fields (the spec's `sensitive` flag), Authorization and cookie header
//! values, and every secret value the run has seen (keys, tokens) wherever it appears.

use payple_types::{FieldShape, FieldSpec};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The text that replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Secret values seen in a run; [`Redactor::scrub`] removes them from any text.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: Mutex<Vec<String>>,
}

impl Redactor {
    /// A redactor that knows `secrets` from the start.
    pub fn new(secrets: Vec<String>) -> Redactor {
        let r = Redactor::default();
        for s in secrets {
            r.add(&s);
        }
        r
    }

    /// Remembers a secret value (values shorter than 4 characters are too common to scrub;
    /// the structural redaction of sensitive fields still covers them).
    pub fn add(&self, secret: &str) {
        if secret.chars().count() < 4 || crate::redact::is_placeholder(secret) {
            return;
        }
        let mut s = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        if !s.iter().any(|x| x == secret) {
            s.push(secret.to_string());
            s.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    /// `text` with every known secret replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let s = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in s.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
            // The JSON-escaped form, for secrets holding `/` or `"`.
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let inner = escaped.trim_matches('"');
            if inner != secret && out.contains(inner) {
                out = out.replace(inner, REDACTED);
            }
        }
        out
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

/// Whether a value already is a redaction placeholder.
pub fn is_placeholder(s: &str) -> bool {
    s.is_empty() || s.chars().all(|c| c == '*') || s == REDACTED || s.starts_with("REDACTED")
}

/// A header value as recorded: `Authorization` keeps its scheme only, cookies are redacted.
pub fn redact_header(name: &str, value: &str) -> String {
    let n = name.to_ascii_lowercase();
    if n == "authorization" || n == "proxy-authorization" {
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {REDACTED}"),
            None => REDACTED.to_string(),
        }
    } else if n == "cookie" || n == "set-cookie" {
        REDACTED.to_string()
    } else {
        value.to_string()
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
    redact_value(fields, &mut value, &mut found);
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

fn redact_value(fields: &'static [FieldSpec], value: &mut Value, found: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    for (key, v) in map.iter_mut() {
        let Some(f) = fields.iter().find(|f| f.matches(key)) else {
            continue;
        };
        if f.sensitive {
            collect(v, found);
            *v = redacted_like(v);
            continue;
        }
        match (f.shape, v) {
            (FieldShape::Object(sub), v) => redact_value(sub, v, found),
            (FieldShape::List(sub), Value::Array(items)) => {
                for item in items {
                    redact_value(sub, item, found);
                }
            }
            _ => {}
        }
    }
}

fn redacted_like(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) if is_placeholder(s) => v.clone(),
        Value::Array(items) => Value::Array(items.iter().map(redacted_like).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), redacted_like(v)))
                .collect(),
        ),
        _ => Value::String(REDACTED.into()),
    }
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !is_placeholder(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Object(m) => m.values().for_each(|i| collect(i, out)),
        _ => {}
    }
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
