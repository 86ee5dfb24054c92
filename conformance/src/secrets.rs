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
use payple_types::{FieldShape, FieldSpec, Finding, Part};
use serde::Serialize;
use serde_json::Value;

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

/// Whether a string counts as redacted.
pub fn is_redacted(s: &str) -> bool {
    s.is_empty() || s.chars().all(|c| c == '*') || s == "<redacted>" || s.starts_with("REDACTED")
}

/// Whether a sensitive value is redacted: `null`, a redacted string, or a list or object
/// whose values are all redacted. Numbers and booleans are not.
fn value_redacted(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => is_redacted(s),
        Value::Array(items) => items.iter().all(value_redacted),
        Value::Object(map) => map.values().all(value_redacted),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The Luhn check over ASCII digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn looks_like_card(digits: &[u8]) -> bool {
    (13..=19).contains(&digits.len()) && digits.iter().any(|d| *d != b'0') && luhn_valid(digits)
}

/// Byte ranges of `text` that look like card numbers: 13-19 digits passing the Luhn check,
/// either one unbroken run or groups separated by single spaces or hyphens.
pub fn card_numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        let mut runs = Vec::new();
        loop {
            let rs = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            runs.push((rs, j));
            if j + 1 < b.len() && (b[j] == b' ' || b[j] == b'-') && b[j + 1].is_ascii_digit() {
                j += 1;
                continue;
            }
            break;
        }
        for &(rs, re) in &runs {
            if looks_like_card(&b[rs..re]) {
                found.push((rs, re));
            }
        }
        if runs.len() > 1 {
            let digits: Vec<u8> = b[start..j]
                .iter()
                .copied()
                .filter(u8::is_ascii_digit)
                .collect();
            if looks_like_card(&digits) {
                found.push((start, j));
            }
        }
        i = j;
    }
    found
}

/// Byte ranges of the tokens of `Bearer <token>` credentials in `text` that are not
/// redacted. With `anywhere` false, `text` is a header value and must start with `Bearer`;
/// otherwise every `Authorization: Bearer <token>` in the text counts.
fn bearer_tokens(text: &str, anywhere: bool) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let needle = if anywhere { "authorization:" } else { "" };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(needle) {
        let mut i = from + at + needle.len();
        let rest = &lower[i..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        i += rest.len() - trimmed.len();
        let next = if trimmed.starts_with("bearer ") {
            let start = i + "bearer ".len();
            let tail = &text[start..];
            let skipped = tail.len() - tail.trim_start_matches(' ').len();
            let start = start + skipped;
            let len = text[start..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == ',' || c == ';')
                .unwrap_or(text.len() - start);
            if !is_redacted(&text[start..start + len]) {
                found.push((start, start + len));
            }
            start + len
        } else {
            i
        };
        if !anywhere {
            break;
        }
        // Step past at least one character so the search always advances.
        from = match text[next..].chars().next() {
            Some(c) if next == from + at + needle.len() => next + c.len_utf8(),
            Some(_) => next,
            None => break,
        };
    }
    found
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
            sensitive_fields(rec.endpoint.fields(part), &value, "", location, &mut scan);
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

fn sensitive_fields(
    fields: &'static [FieldSpec],
    value: &Value,
    prefix: &str,
    location: &str,
    scan: &mut Scan,
) {
    let Value::Object(obj) = value else { return };
    for (key, v) in obj {
        let Some(f) = fields.iter().find(|f| f.matches(key)) else {
            continue;
        };
        let pointer = format!("{prefix}/{}", payple_types::pointer_token(key));
        if f.sensitive {
            if !value_redacted(v) {
                scan.hits.push(SecretHit::new(
                    location,
                    Some(pointer.clone()),
                    format!(
                        "`{}` is marked sensitive and its value is not redacted (use \"\", \"****\", \"<redacted>\" or \"REDACTED...\")",
                        f.name
                    ),
                ));
                collect_strings(v, &mut scan.values);
            }
            continue;
        }
        match (f.shape, v) {
            (FieldShape::Object(sub), _) => sensitive_fields(sub, v, &pointer, location, scan),
            (FieldShape::List(sub), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    sensitive_fields(sub, item, &format!("{pointer}/{i}"), location, scan);
                }
            }
            _ => {}
        }
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Replaces every occurrence of a secret value (4 characters or longer, longest first) in
/// texts with `<redacted>`.
pub struct Scrubber<'a> {
    secrets: Vec<&'a str>,
}

impl<'a> Scrubber<'a> {
    /// A scrubber of `secrets` (values shorter than 4 characters are left alone).
    pub fn new(secrets: &'a [String]) -> Self {
        let mut secrets: Vec<&str> = secrets
            .iter()
            .map(String::as_str)
            .filter(|s| s.chars().count() >= 4)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Scrubber { secrets }
    }

    /// `text` with every secret replaced, or `None` when it holds none.
    pub fn scrub(&self, text: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for s in &self.secrets {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(s) {
                out = Some(current.replace(s, "<redacted>"));
            }
        }
        out
    }

    /// Scrubs `text` in place.
    pub fn scrub_in_place(&self, text: &mut String) {
        if let Some(clean) = self.scrub(text) {
            *text = clean;
        }
    }
}

/// Replaces every occurrence of a secret value (4 characters or longer) in the text of
/// `findings` with `<redacted>`.
pub fn scrub_findings(findings: &mut [Finding], secrets: &[String]) {
    let scrubber = Scrubber::new(secrets);
    if scrubber.secrets.is_empty() {
        return;
    }
    for f in findings {
        f.rewrite_text(|text| scrubber.scrub(text));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(luhn_valid(b"79927398713"));
    }

    #[test]
    fn card_numbers_in_text() {
        let t = "x 4111111111111111 y";
        assert_eq!(card_numbers(t), vec![(2, 18)]);
        assert_eq!(card_numbers("4111-1111-1111-1111").len(), 1);
        assert_eq!(card_numbers("4111 1111 1111 1111").len(), 1);
        assert!(card_numbers("2020-03-20 19:50:00").is_empty());
        assert!(card_numbers("0000000000000000").is_empty());
        assert!(card_numbers("1111-****-****-2222").is_empty());
    }

    #[test]
    fn bearer() {
        assert_eq!(bearer_tokens("Bearer abc.def", false), vec![(7, 14)]);
        assert!(bearer_tokens("Bearer <redacted>", false).is_empty());
        assert!(bearer_tokens("Bearer REDACTED", false).is_empty());
        assert!(bearer_tokens("Bearer ****", false).is_empty());
        assert!(bearer_tokens("Bearer", false).is_empty());
        assert!(bearer_tokens("Bearer ", false).is_empty());
        assert!(bearer_tokens("a Bearer token", true).is_empty());
        let log = "GET / \nAuthorization: Bearer eyJabc\nauthorization:bearer x9 ";
        assert_eq!(bearer_tokens(log, true).len(), 2);
        assert!(bearer_tokens("Authorization: Bearer <redacted>", true).is_empty());
        assert!(bearer_tokens("authorization:\u{3000}", true).is_empty());
        assert!(bearer_tokens("authorization:", true).is_empty());
    }

    #[test]
    fn redaction() {
        assert!(is_redacted(""));
        assert!(is_redacted("****"));
        assert!(is_redacted("<redacted>"));
        assert!(is_redacted("REDACTED-billing-key"));
        assert!(!is_redacted("1111-****-****-2222"));
        assert!(!is_redacted("홍길동"));
    }
}
