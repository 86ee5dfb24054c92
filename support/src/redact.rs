//! Recognising and removing secrets: the redaction placeholder, header redaction, card
//! numbers (Luhn), `Authorization: Bearer` tokens, and scrubbing known secret values from
//! any text. Which JSON fields are secret is the spec's business (payple-types'
//! `sensitive_values`); this module works on values and text.

use serde_json::Value;
use std::sync::{Mutex, PoisonError};

/// The text that replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Secret values shorter than this many characters are not scrubbed from free text: they
/// are too common ("1", "card") to replace everywhere.
pub const MIN_SCRUB_CHARS: usize = 4;

/// Whether a string counts as redacted: empty, only `*`, `<redacted>`, or starting with
/// `REDACTED`.
pub fn is_redacted(s: &str) -> bool {
    s.is_empty() || s.chars().all(|c| c == '*') || s == REDACTED || s.starts_with("REDACTED")
}

/// Whether a JSON value counts as redacted: `null`, a redacted string, or a list or object
/// whose values are all redacted. Numbers and booleans are not.
pub fn value_redacted(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => is_redacted(s),
        Value::Array(items) => items.iter().all(value_redacted),
        Value::Object(map) => map.values().all(value_redacted),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `v` with every value replaced by [`REDACTED`], keeping its shape: `null` and redacted
/// strings stay, lists and objects are redacted item by item.
pub fn redacted_like(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) if is_redacted(s) => v.clone(),
        Value::Array(items) => Value::Array(items.iter().map(redacted_like).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), redacted_like(v)))
                .collect(),
        ),
        _ => Value::String(REDACTED.into()),
    }
}

/// Pushes the secret texts inside `v` onto `out`: strings that are not redacted, and numbers
/// (as written).
pub fn secret_texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !is_redacted(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| secret_texts(i, out)),
        Value::Object(m) => m.values().for_each(|i| secret_texts(i, out)),
        _ => {}
    }
}

/// A header value as it may be recorded: `Authorization` keeps its scheme only, cookies are
/// redacted, other headers are kept.
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

/// The Luhn check over ASCII digits (false for anything else).
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

/// Whether ASCII digits look like a card number: 13-19 digits, not all zero, passing Luhn.
pub fn looks_like_card(digits: &[u8]) -> bool {
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
pub fn bearer_tokens(text: &str, anywhere: bool) -> Vec<(usize, usize)> {
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

/// Known secret values (keys, tokens, card numbers), removed from any text by
/// [`Secrets::scrub`]. Shared between threads; values can be added while in use.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Longest first, so that a secret containing another is replaced whole.
    values: Mutex<Vec<String>>,
}

impl Secrets {
    /// A set holding `values` (see [`Secrets::add`] for which are kept).
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Secrets {
        let s = Secrets::default();
        for v in values {
            s.add(v.as_ref());
        }
        s
    }

    /// Remembers a secret value. Values shorter than [`MIN_SCRUB_CHARS`] characters and
    /// redaction placeholders are not kept.
    pub fn add(&self, secret: &str) {
        if secret.chars().count() < MIN_SCRUB_CHARS || is_redacted(secret) {
            return;
        }
        let mut v = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        if !v.iter().any(|x| x == secret) {
            v.push(secret.to_string());
            v.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }

    /// Whether no secret is known.
    pub fn is_empty(&self) -> bool {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// `text` with every known secret, and its JSON-escaped form (for secrets holding `"`,
    /// `\` or control characters), replaced by [`REDACTED`]; `None` when it holds none.
    pub fn scrub_changed(&self, text: &str) -> Option<String> {
        let values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out: Option<String> = None;
        for secret in values.iter() {
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let inner = escaped
                .strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .unwrap_or(secret);
            for form in [secret.as_str(), inner] {
                let current = out.as_deref().unwrap_or(text);
                if current.contains(form) {
                    out = Some(current.replace(form, REDACTED));
                }
            }
        }
        out
    }

    /// `text` with every known secret replaced (see [`Secrets::scrub_changed`]).
    pub fn scrub(&self, text: &str) -> String {
        self.scrub_changed(text).unwrap_or_else(|| text.to_string())
    }

    /// Scrubs `text` in place.
    pub fn scrub_in_place(&self, text: &mut String) {
        if let Some(clean) = self.scrub_changed(text) {
            *text = clean;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn luhn() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"4111-1111"));
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
    fn placeholders() {
        assert!(is_redacted(""));
        assert!(is_redacted("****"));
        assert!(is_redacted("<redacted>"));
        assert!(is_redacted("REDACTED-billing-key"));
        assert!(!is_redacted("1111-****-****-2222"));
        assert!(!is_redacted("홍길동"));
        assert!(value_redacted(
            &json!({"a": null, "b": ["***", "<redacted>"]})
        ));
        assert!(!value_redacted(&json!({"a": null, "b": ["***", "x"]})));
        assert!(!value_redacted(&json!(0)));
    }

    #[test]
    fn values_are_redacted_keeping_their_shape() {
        let v = json!({"key": "k1", "list": ["a", "****", 7], "none": null});
        assert_eq!(
            redacted_like(&v),
            json!({"key": REDACTED, "list": [REDACTED, "****", REDACTED], "none": null})
        );
        let mut texts = Vec::new();
        secret_texts(&v, &mut texts);
        texts.sort();
        assert_eq!(texts, ["7", "a", "k1"]);
    }

    #[test]
    fn headers() {
        assert_eq!(
            redact_header("Authorization", "Bearer abc"),
            "Bearer <redacted>"
        );
        assert_eq!(redact_header("authorization", "abc"), REDACTED);
        assert_eq!(redact_header("Set-Cookie", "s=1"), REDACTED);
        assert_eq!(redact_header("Content-Type", "a/b"), "a/b");
    }

    #[test]
    fn known_secrets_are_scrubbed_longest_first_and_escaped() {
        let s = Secrets::new(["abcd1234567890", "abcd", "abc", "****", "a/b/c\"d"]);
        assert_eq!(s.scrub("key abcd1234567890!"), "key <redacted>!");
        assert_eq!(s.scrub("abc stays"), "abc stays");
        assert_eq!(s.scrub_changed("nothing here"), None);
        assert_eq!(
            s.scrub(r#"{"k":"a/b/c\"d"} a/b/c"d"#),
            r#"{"k":"<redacted>"} <redacted>"#
        );
        let mut t = String::from("x abcd y");
        s.scrub_in_place(&mut t);
        assert_eq!(t, "x <redacted> y");
        assert!(Secrets::new(["ab"]).is_empty());
    }
}
