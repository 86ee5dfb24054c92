//! The lenient reader for Payple's documentation samples.
//!
//! Payple's published samples are often not JSON: PHP `=>` arrays, curly quotes, `//`
//! comments, missing or trailing commas, bare numbers such as `04`, `...` ellipses and
//! unquoted placeholders (`RES.cst_id`, `가맹점 아이디`). [`repair`] reads such text into a
//! JSON value and records every repair it made, with its line and column, as a
//! documentation defect ([`Repair`]). The strict validator never uses this reader: a live
//! body that needs repairing is `malformed_body`.

use crate::runtime::{EndpointSpec, Part};
use crate::validate::{MAX_BODY_BYTES, Report, validate_bytes, validate_value};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::fmt;

/// Deepest nesting the reader follows (documentation samples are two or three levels deep).
const MAX_DEPTH: usize = 64;

/// What was wrong with a documentation sample, one kind per repair. The names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// PHP `=>` used between a key and its value; read as `:`.
    PhpArrow,
    /// A PHP `array(...)` or `[ "k" => v ]` array; read as an object or a list.
    PhpArray,
    /// Typographic quotes (“ ” ‘ ’) used as string delimiters; read as `"`.
    CurlyQuote,
    /// A string delimited by `'`; read as a JSON string.
    SingleQuote,
    /// A `//`, `#` or `/* */` comment; dropped.
    Comment,
    /// A comma before `}` or `]`; dropped.
    TrailingComma,
    /// Two members or items with no comma between them; one is assumed.
    MissingComma,
    /// A number written with leading zeros (`04`); read as the number.
    LeadingZeroNumber,
    /// A `...` or `…` standing for omitted members; dropped.
    Ellipsis,
    /// An unquoted value that is a description or a variable (`RES.cst_id`, `가맹점 아이디`);
    /// read as that text.
    Placeholder,
    /// An object key without quotes (JavaScript object literal); read as a string.
    UnquotedKey,
    /// Text after the closing brace (`;`, a second block); dropped.
    TrailingText,
}

impl RepairKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RepairKind::PhpArrow => "php_arrow",
            RepairKind::PhpArray => "php_array",
            RepairKind::CurlyQuote => "curly_quote",
            RepairKind::SingleQuote => "single_quote",
            RepairKind::Comment => "comment",
            RepairKind::TrailingComma => "trailing_comma",
            RepairKind::MissingComma => "missing_comma",
            RepairKind::LeadingZeroNumber => "leading_zero_number",
            RepairKind::Ellipsis => "ellipsis",
            RepairKind::Placeholder => "placeholder",
            RepairKind::UnquotedKey => "unquoted_key",
            RepairKind::TrailingText => "trailing_text",
        }
    }
}

impl fmt::Display for RepairKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One repair: a defect of the documentation sample, where it is and what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// What was wrong.
    pub kind: RepairKind,
    /// 1-based line in the sample text.
    pub line: usize,
    /// 1-based column (in characters) in the sample text.
    pub column: usize,
    /// The text as written (shortened), e.g. `=>` or `RES.cst_id`.
    pub found: String,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} `{}`",
            self.line, self.column, self.kind, self.found
        )
    }
}

/// The sample could not be read even leniently (prose, markup, a URL, a header block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// Why.
    pub message: String,
}

impl fmt::Display for RepairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for RepairError {}

/// A documentation sample read leniently.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    /// The value the sample means.
    pub value: Value,
    /// Every repair, in text order; empty when the sample is strict JSON.
    pub repairs: Vec<Repair>,
}

/// Reads a documentation sample: strict JSON first, then the lenient reader.
///
/// ```
/// use payple_types::doc_sample::{repair, RepairKind};
/// let r = repair("{\n  \"PCD_PAY_RST\" => \"success\",\n}").unwrap();
/// assert_eq!(r.value["PCD_PAY_RST"], "success");
/// let kinds: Vec<_> = r.repairs.iter().map(|r| (r.kind, r.line, r.column)).collect();
/// assert_eq!(kinds, [(RepairKind::PhpArrow, 2, 17), (RepairKind::TrailingComma, 2, 29)]);
/// ```
pub fn repair(raw: &str) -> Result<Repaired, RepairError> {
    if raw.len() > MAX_BODY_BYTES {
        return Err(RepairError {
            line: 1,
            column: 1,
            message: format!("the sample is larger than {MAX_BODY_BYTES} bytes"),
        });
    }
    if let Ok(value) = serde_json::from_str::<Value>(raw) {
        return Ok(Repaired {
            value,
            repairs: Vec::new(),
        });
    }
    let mut reader = Reader {
        text: raw,
        pos: 0,
        repairs: Vec::new(),
        line_starts: std::iter::once(0)
            .chain(raw.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
    };
    reader.skip_trivia();
    let value = match reader.peek() {
        Some('{') => reader.object(0)?,
        Some('[') => reader.list_or_php_array(0)?,
        Some(_) if php_array_open(reader.rest()).is_some() => reader.list_or_php_array(0)?,
        Some(_) => return Err(reader.error("the sample does not start with `{`: it is not a body")),
        None => return Err(reader.error("the sample is empty")),
    };
    reader.skip_trivia();
    if reader.peek() == Some(';') {
        reader.note(RepairKind::TrailingText, reader.pos, ";");
        reader.pos += 1;
        reader.skip_trivia();
    }
    if reader.pos < raw.len() {
        let rest = reader.rest().trim_end();
        let shown: String = rest.chars().take(20).collect();
        reader.note(RepairKind::TrailingText, reader.pos, &shown);
    }
    Ok(Repaired {
        value,
        repairs: reader.repairs,
    })
}

/// A documentation sample validated against its endpoint part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleReport {
    /// The repairs the sample needed (documentation defects), in text order.
    pub repairs: Vec<Repair>,
    /// Findings of the repaired body; `malformed_body` when it could not be read at all.
    pub report: Report,
    /// What the sample means, as read (`None` when it could not be read at all).
    #[serde(skip)]
    pub value: Option<Value>,
}

/// Validates a documentation sample: repairs it leniently, then validates what it means.
pub fn validate_sample(ep: &EndpointSpec, part: Part, raw: &str) -> SampleReport {
    match repair(raw) {
        Ok(r) => SampleReport {
            report: validate_value(ep, part, &r.value),
            repairs: r.repairs,
            value: Some(r.value),
        },
        Err(e) => {
            // Whatever the lenient reader cannot read, the strict one cannot either: the
            // report is its `malformed_body`, with the lenient reader's position added.
            let mut report = validate_bytes(ep, part, raw.as_bytes());
            for f in &mut report.findings {
                let message = format!("{} (lenient reader: {e})", f.message());
                f.set_message(message);
            }
            SampleReport {
                repairs: Vec::new(),
                report,
                value: None,
            }
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    repairs: Vec<Repair>,
    line_starts: Vec<usize>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '„')
}

fn is_double(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn line_col(&self, at: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= at);
        let start = self.line_starts[line - 1];
        let column = self.text[start..at].chars().count() + 1;
        (line, column)
    }

    fn note(&mut self, kind: RepairKind, at: usize, found: &str) {
        let (line, column) = self.line_col(at);
        let found = if found.chars().count() > 40 {
            let mut s: String = found.chars().take(37).collect();
            s.push_str("...");
            s
        } else {
            found.to_string()
        };
        self.repairs.push(Repair {
            kind,
            line,
            column,
            found,
        });
    }

    fn error(&self, message: &str) -> RepairError {
        let (line, column) = self.line_col(self.pos.min(self.text.len()));
        RepairError {
            line,
            column,
            message: message.to_string(),
        }
    }

    /// Skips whitespace and comments, recording each comment.
    fn skip_trivia(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            let rest = self.rest();
            if rest.starts_with("//") || rest.starts_with('#') {
                let end = rest.find('\n').unwrap_or(rest.len());
                let found = if rest.starts_with('#') { "#" } else { "//" };
                self.note(RepairKind::Comment, self.pos, found);
                self.pos += end;
            } else if let Some(body) = rest.strip_prefix("/*") {
                self.note(RepairKind::Comment, self.pos, "/*");
                self.pos += body.find("*/").map_or(rest.len(), |i| i + 4);
            } else {
                return;
            }
        }
    }

    /// Skips `...` / `…` tokens standing for omitted members. True if one was skipped.
    fn skip_ellipsis(&mut self) -> bool {
        let rest = self.rest();
        let len = if rest.starts_with("...") {
            rest.len() - rest.trim_start_matches('.').len()
        } else if rest.starts_with('…') {
            rest.len() - rest.trim_start_matches(['…', '.']).len()
        } else {
            return false;
        };
        let found = rest[..len].to_string();
        self.note(RepairKind::Ellipsis, self.pos, &found);
        self.pos += len;
        true
    }

    fn object(&mut self, depth: usize) -> Result<Value, RepairError> {
        self.pos += 1; // `{`
        self.members(depth, '}')
    }

    /// Members up to `close`; the opening delimiter is consumed.
    fn members(&mut self, depth: usize, close: char) -> Result<Value, RepairError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("the sample nests deeper than 64 levels"));
        }
        let mut map = Map::new();
        let mut need_comma = false;
        loop {
            self.skip_trivia();
            if self.skip_ellipsis() {
                continue;
            }
            match self.peek() {
                None => return Err(self.error(&format!("the sample ends before `{close}`"))),
                Some(c) if c == close => {
                    self.pos += c.len_utf8();
                    return Ok(Value::Object(map));
                }
                Some(',') => {
                    let at = self.pos;
                    self.pos += 1;
                    self.skip_trivia();
                    while self.skip_ellipsis() {
                        self.skip_trivia();
                    }
                    if self.peek() == Some(close) {
                        self.note(RepairKind::TrailingComma, at, ",");
                    } else if !need_comma {
                        // A doubled or leading comma: drop it as a trailing one would be.
                        self.note(RepairKind::TrailingComma, at, ",");
                    }
                    need_comma = false;
                    continue;
                }
                Some(_) => {}
            }
            if need_comma {
                self.note(RepairKind::MissingComma, self.pos, "");
            }
            let key = self.key()?;
            self.skip_trivia();
            let rest = self.rest();
            if rest.starts_with("=>") {
                self.note(RepairKind::PhpArrow, self.pos, "=>");
                self.pos += 2;
            } else if rest.starts_with(':') {
                self.pos += 1;
            } else {
                return Err(self.error(&format!("expected `:` or `=>` after the key `{key}`")));
            }
            self.skip_trivia();
            let value = self.value(depth + 1, close)?;
            map.insert(key, value);
            need_comma = true;
        }
    }

    fn key(&mut self) -> Result<String, RepairError> {
        match self.peek() {
            Some(c) if is_quote(c) => self.string(),
            Some(c) if c.is_alphanumeric() || c == '_' || c == '$' => {
                let start = self.pos;
                let len = self
                    .rest()
                    .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '-' | '.')))
                    .unwrap_or(self.rest().len());
                let key = self.rest()[..len].to_string();
                self.pos += len;
                self.note(RepairKind::UnquotedKey, start, &key);
                Ok(key)
            }
            _ => Err(self.error("expected a key")),
        }
    }

    /// A string opened by any quote. Straight `"` strings follow JSON escapes; a string
    /// closes at the first quote of its family, and a curly-opened string also closes at
    /// a curly single quote (`“Y’` is a documented typo).
    fn string(&mut self) -> Result<String, RepairError> {
        let start = self.pos;
        let Some(open) = self.peek() else {
            return Err(self.error("expected a string"));
        };
        self.pos += open.len_utf8();
        let mut out = String::new();
        let mut curly = open != '"';
        let single = !is_double(open);
        loop {
            let Some(c) = self.peek() else {
                self.pos = start;
                return Err(self.error("a string is never closed"));
            };
            if c == '\n' {
                self.pos = start;
                return Err(self.error("a string runs past the end of its line"));
            }
            if c == '\\' && open == '"' {
                let rest = self.rest();
                let esc_len = escape_len(rest);
                match serde_json::from_str::<String>(&format!("\"{}\"", &rest[..esc_len])) {
                    Ok(s) => out.push_str(&s),
                    Err(_) => out.push_str(&rest[..esc_len]),
                }
                self.pos += esc_len;
                continue;
            }
            let closes = if single {
                is_quote(c)
            } else {
                is_double(c) || (open != '"' && matches!(c, '‘' | '’'))
            };
            if closes {
                if c != '"' {
                    curly = true;
                }
                self.pos += c.len_utf8();
                break;
            }
            out.push(c);
            self.pos += c.len_utf8();
        }
        let found: String = self.text[start..self.pos].to_string();
        if matches!(open, '\'') {
            self.note(RepairKind::SingleQuote, start, &found);
        } else if curly {
            self.note(RepairKind::CurlyQuote, start, &found);
        }
        Ok(out)
    }

    fn value(&mut self, depth: usize, close: char) -> Result<Value, RepairError> {
        let rest = self.rest();
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.list_or_php_array(depth),
            _ if php_array_open(rest).is_some() => self.list_or_php_array(depth),
            Some(c) if is_quote(c) => self.string().map(Value::String),
            Some(_) => self.bare(close),
            None => Err(self.error("the sample ends where a value was expected")),
        }
    }

    /// An unquoted value: a JSON literal, a number (leading zeros repaired) or a placeholder.
    fn bare(&mut self, close: char) -> Result<Value, RepairError> {
        let in_list = close != '}';
        let start = self.pos;
        let rest = self.rest();
        let mut end = rest.len();
        // Parentheses opened inside the value (`time()`, `date('Y')`) do not close it.
        let mut parens = 0usize;
        for (i, c) in rest.char_indices() {
            let after = &rest[i + c.len_utf8()..];
            let ends = match c {
                '\n' | '\r' => true,
                '(' => {
                    parens += 1;
                    false
                }
                ')' if parens > 0 => {
                    parens -= 1;
                    false
                }
                ',' if parens > 0 => false,
                '/' if after.starts_with('/') || after.starts_with('*') => {
                    i == 0 || rest[..i].ends_with([' ', '\t'])
                }
                // A `#` comment (PHP, Python) after the value, e.g. `x,  # [선택] ...`.
                '#' => i == 0 || rest[..i].ends_with([' ', '\t']),
                ',' => in_list || looks_like_member_start(after),
                '}' | ']' => true,
                c => c == close,
            };
            if ends {
                end = i;
                break;
            }
        }
        let token = rest[..end].trim_end();
        if token.is_empty() {
            // Nothing before the next delimiter (`"a": }`, `[1, }`): no value to read.
            return Err(self.error("a value is missing here"));
        }
        self.pos += token.len();
        match token {
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            "null" => return Ok(Value::Null),
            _ => {}
        }
        if let Ok(n) = serde_json::from_str::<Number>(token) {
            return Ok(Value::Number(n));
        }
        let digits = token.strip_prefix('-').unwrap_or(token);
        if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
        {
            let trimmed = digits.trim_start_matches('0');
            let canonical = format!(
                "{}{}",
                if token.starts_with('-') { "-" } else { "" },
                if trimmed.is_empty() { "0" } else { trimmed }
            );
            if let Ok(n) = serde_json::from_str::<Number>(&canonical) {
                self.note(RepairKind::LeadingZeroNumber, start, token);
                return Ok(Value::Number(n));
            }
        }
        self.note(RepairKind::Placeholder, start, token);
        Ok(Value::String(token.to_string()))
    }

    fn list_or_php_array(&mut self, depth: usize) -> Result<Value, RepairError> {
        let start = self.pos;
        let close = if let Some(len) = php_array_open(self.rest()) {
            let found = self.rest()[..len].to_string();
            self.pos += len;
            self.note(RepairKind::PhpArray, start, &found);
            ')'
        } else {
            self.pos += 1;
            ']'
        };
        if depth >= MAX_DEPTH {
            return Err(self.error("the sample nests deeper than 64 levels"));
        }
        // A PHP array with keys (`"k" => v`) is an object.
        let save = (self.pos, self.repairs.len());
        self.skip_trivia();
        let keyed = match self.peek() {
            Some(c) if is_quote(c) => {
                let ok = self.string().is_ok();
                self.skip_trivia();
                ok && self.rest().starts_with("=>")
            }
            _ => false,
        };
        self.pos = save.0;
        self.repairs.truncate(save.1);
        if keyed {
            if close == ']' {
                self.note(RepairKind::PhpArray, start, "[");
            }
            return self.members(depth, close);
        }
        let mut items = Vec::new();
        let mut need_comma = false;
        loop {
            self.skip_trivia();
            if self.skip_ellipsis() {
                continue;
            }
            match self.peek() {
                None => return Err(self.error(&format!("the sample ends before `{close}`"))),
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                Some(',') => {
                    let at = self.pos;
                    self.pos += 1;
                    self.skip_trivia();
                    while self.skip_ellipsis() {
                        self.skip_trivia();
                    }
                    if self.peek() == Some(close) || !need_comma {
                        self.note(RepairKind::TrailingComma, at, ",");
                    }
                    need_comma = false;
                    continue;
                }
                Some(_) => {}
            }
            if need_comma {
                self.note(RepairKind::MissingComma, self.pos, "");
            }
            items.push(self.value(depth + 1, close)?);
            need_comma = true;
        }
    }
}

/// The length of a PHP `array(` opener (`array (` with spaces too), if `text` starts with one.
fn php_array_open(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("array")?;
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[spaces..].starts_with('(').then_some(5 + spaces + 1)
}

/// Whether the text after a comma starts another member (so the comma ends a bare value)
/// rather than continuing a placeholder such as `결제요청 도메인, (예: https://...)`.
fn looks_like_member_start(after: &str) -> bool {
    let line_rest = after.split('\n').next().unwrap_or("");
    let t = line_rest.trim_start_matches([' ', '\t', '\r']);
    let Some(c) = t.chars().next() else {
        return true; // end of line or text
    };
    if is_quote(c) || matches!(c, '}' | ']' | ')' | '…') || t.starts_with("...") {
        return true;
    }
    if t.starts_with("//") || t.starts_with("/*") || t.starts_with('#') {
        return true;
    }
    let ident_len = t
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '$')))
        .unwrap_or(t.len());
    ident_len > 0 && {
        let tail = t[ident_len..].trim_start();
        tail.starts_with(':') || tail.starts_with("=>")
    }
}

/// Length in bytes of the escape sequence at the start of `rest` (which starts with a
/// backslash): `\u` with up to four hexadecimal digits (twelve bytes for a surrogate pair
/// `\uD83D\uDE00`), else the backslash and the character after it. Always ends on a
/// character boundary, whatever follows (a short `\u00` before `가`).
fn escape_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    match rest.get(1..).and_then(|r| r.chars().next()) {
        Some('u') => {
            let digits = |at: usize| {
                bytes
                    .get(at..)
                    .unwrap_or_default()
                    .iter()
                    .take(4)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count()
            };
            let unit = |at: usize| -> Option<u16> {
                let hex = rest.get(at..at + 4)?;
                u16::from_str_radix(hex, 16).ok()
            };
            let n = digits(2);
            let high = n == 4 && unit(2).is_some_and(|u| (0xD800..0xDC00).contains(&u));
            let low_follows = bytes.get(6..8) == Some(b"\\u")
                && digits(8) == 4
                && unit(8).is_some_and(|u| (0xDC00..0xE000).contains(&u));
            if high && low_follows { 12 } else { 2 + n }
        }
        Some(c) => 1 + c.len_utf8(),
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(raw: &str) -> Vec<(RepairKind, usize, usize)> {
        repair(raw)
            .expect("repairs")
            .repairs
            .iter()
            .map(|r| (r.kind, r.line, r.column))
            .collect()
    }

    #[test]
    fn strict_json_needs_no_repair() {
        let r = repair(r#"{"a": "b", "n": 1}"#).unwrap();
        assert!(r.repairs.is_empty());
        assert_eq!(r.value["n"], 1);
    }

    #[test]
    fn php_arrows_and_curly_quotes() {
        let raw = "{\n  \"A\" => \"x\",\n  “B” => “y’,\n  \"C” => 'z'\n}";
        let r = repair(raw).unwrap();
        assert_eq!(r.value, serde_json::json!({"A": "x", "B": "y", "C": "z"}));
        use RepairKind::*;
        assert_eq!(
            kinds(raw),
            [
                (PhpArrow, 2, 7),
                (CurlyQuote, 3, 3),
                (PhpArrow, 3, 7),
                (CurlyQuote, 3, 10),
                (CurlyQuote, 4, 3),
                (PhpArrow, 4, 7),
                (SingleQuote, 4, 10),
            ]
        );
    }

    #[test]
    fn comments_commas_and_numbers() {
        let raw = "{\n  \"Y\": 2018,\t// year\n  \"M\": 04 /* month */\n  \"T\": 1000,\n}";
        let r = repair(raw).unwrap();
        assert_eq!(r.value, serde_json::json!({"Y": 2018, "M": 4, "T": 1000}));
        use RepairKind::*;
        assert_eq!(
            kinds(raw),
            [
                (Comment, 2, 14),
                (LeadingZeroNumber, 3, 8),
                (Comment, 3, 11),
                (MissingComma, 4, 3),
                (TrailingComma, 4, 12),
            ]
        );
    }

    #[test]
    fn placeholders_keep_their_text() {
        let raw = "{\n  \"ID\" : RES.cst_id,     // note\n  “HOST” => 결제요청 도메인, (예: https://testcpay.payple.kr)\n  \"U\" => $PCD_USER_DEFINE1\n}";
        let r = repair(raw).unwrap();
        assert_eq!(r.value["ID"], "RES.cst_id");
        assert_eq!(
            r.value["HOST"],
            "결제요청 도메인, (예: https://testcpay.payple.kr)"
        );
        assert_eq!(r.value["U"], "$PCD_USER_DEFINE1");
        let placeholders: Vec<_> = r
            .repairs
            .iter()
            .filter(|x| x.kind == RepairKind::Placeholder)
            .map(|x| (x.line, x.column, x.found.as_str()))
            .collect();
        assert_eq!(placeholders[0], (2, 10, "RES.cst_id"));
        assert_eq!(placeholders[2], (4, 10, "$PCD_USER_DEFINE1"));
    }

    #[test]
    fn javascript_literals_and_ellipses() {
        let raw = "{ PCD_PAY_TYPE: 'card', PCD_PAY_TOTAL: 1000, ... }";
        let r = repair(raw).unwrap();
        assert_eq!(
            r.value,
            serde_json::json!({"PCD_PAY_TYPE": "card", "PCD_PAY_TOTAL": 1000})
        );
        use RepairKind::*;
        assert_eq!(
            kinds(raw),
            [
                (UnquotedKey, 1, 3),
                (SingleQuote, 1, 17),
                (UnquotedKey, 1, 25),
                (Ellipsis, 1, 46),
                (TrailingComma, 1, 44),
            ]
        );
    }

    #[test]
    fn php_array_syntax() {
        let r = repair("array(\"a\" => 1, \"b\" => array(1, 2))").unwrap();
        assert_eq!(r.value, serde_json::json!({"a": 1, "b": [1, 2]}));
        let r = repair("{\"list\" => [\"k\" => \"v\"]}").unwrap();
        assert_eq!(r.value, serde_json::json!({"list": {"k": "v"}}));
    }

    #[test]
    fn php_array_with_a_space_and_hash_comments_after_values() {
        let raw = "array (\n  'a' => $x, # [필수] note\n  'b' => time() # [선택] last\n)";
        let r = repair(raw).unwrap();
        assert_eq!(r.value, serde_json::json!({"a": "$x", "b": "time()"}));
        let comments: Vec<_> = r
            .repairs
            .iter()
            .filter(|x| x.kind == RepairKind::Comment)
            .map(|x| (x.line, x.column))
            .collect();
        assert_eq!(comments, [(2, 14), (3, 17)]);
        assert_eq!(r.repairs[0].found, "array (");
    }

    #[test]
    fn single_line_members_without_commas() {
        let raw = r#"{ "A": "x" "B": "y", "C": "z" }"#;
        let r = repair(raw).unwrap();
        assert_eq!(r.value, serde_json::json!({"A": "x", "B": "y", "C": "z"}));
        assert_eq!(kinds(raw), [(RepairKind::MissingComma, 1, 12)]);
    }

    #[test]
    fn prose_and_markup_are_errors_with_positions() {
        let e = repair("/* header */\nRequest URL: \"https://x\"").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("not a body"), "{e}");
        let e = repair("<script src=\"x\"></script>").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = repair("{\n \"a\": \"never closed\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 7));
        assert!(repair("").is_err());
        assert!(repair("{\"a\" ~ 1}").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let raw = format!("{}{}", "{\"a\" => ".repeat(10_000), "}".repeat(10_000));
        let e = repair(&raw).unwrap_err();
        assert!(e.message.contains("deeper"), "{e}");
        let raw = "[".repeat(100_000);
        assert!(repair(&raw).is_err());
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_loop() {
        for raw in ["[1, }", "{\"a\": }", "{\"a\": ]", "{\"a\": [\"x\" }"] {
            assert!(repair(raw).is_err(), "{raw}");
        }
    }

    /// A `\u` escape cut short by a multi-byte character (or the end of the text) is kept
    /// as written; it used to be sliced through the character and panic.
    #[test]
    fn a_short_unicode_escape_before_a_multibyte_character_is_kept() {
        for raw in [
            "{\"a\": \"\\u가\", b: 1}",
            "{\"a\": \"\\u0가\", b: 1}",
            "{\"a\": \"\\u00가\", b: 1}",
            "{\"a\": \"\\u00é\", b: 1}",
            "{'a': 1, \"b\": \"\\u4“\"}",
            "{a: \"\\u",
            "{a: \"\\u12",
        ] {
            let _ = repair(raw);
        }
        let r = repair("{\"a\": \"\\u00가\", b: 1}").expect("reads");
        assert_eq!(r.value["a"], "\\u00가");
        // Complete escapes still decode, surrogate pairs included.
        let r = repair("{\"a\": \"\\u00e9\\ud83d\\ude00\\n\", b: 1}").expect("reads");
        assert_eq!(r.value["a"], "é😀\n");
        // A lone surrogate cannot be decoded: kept as written.
        let r = repair("{\"a\": \"\\ud83dx\", b: 1}").expect("reads");
        assert_eq!(r.value["a"], "\\ud83dx");
    }

    #[test]
    fn trailing_semicolon_is_recorded() {
        let raw = "{ a: 1 };";
        assert_eq!(
            kinds(raw),
            [
                (RepairKind::UnquotedKey, 1, 3),
                (RepairKind::TrailingText, 1, 9)
            ]
        );
    }
}
