//! Small text helpers for reports: XML escaping (JUnit reports) and the one-line form of a
//! parser's error message.

use std::fmt::Write as _;

/// Escapes text for XML 1.0 content (`attribute == false`) or a double- or single-quoted
/// attribute value. Characters XML 1.0 does not allow (most control characters, U+FFFE,
/// U+FFFF) are removed; in attributes, tab and line breaks are written as character
/// references so that they survive attribute normalisation.
pub fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The first line of a parser's error message, trimmed, without a leading `error: ` and a
/// trailing ` at line …` (for messages printed after a `file:line:column:` of their own).
pub fn one_line_message(message: &str) -> String {
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let mut line = message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if let Some(at) = line.rfind(" at line ") {
        line.truncate(at);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_content_and_attributes() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{1}\u{fffe}c", false),
            "a&lt;b&gt;&amp;&quot;&apos;c"
        );
        assert_eq!(xml_escape("x\ty\nz\r", false), "x\ty\nz&#13;");
        assert_eq!(xml_escape("x\ty\nz\r", true), "x&#9;y&#10;z&#13;");
        assert_eq!(xml_escape("한글", true), "한글");
    }

    #[test]
    fn parser_messages_on_one_line() {
        assert_eq!(
            one_line_message("error: unknown field `x` at line 3 column 1\n  snippet"),
            "unknown field `x`"
        );
        assert_eq!(one_line_message("  plain  "), "plain");
        assert_eq!(one_line_message(""), "");
        assert_eq!(one_line_message("error: "), "");
    }
}
