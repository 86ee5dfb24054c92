//! Payple type codes (`aN(255)`, `N(8)`, `String(20)` ...) read against the alphabet that
//! `spec/payple.yaml` defines.

use std::fmt;

/// One letter of the type-code alphabet and the characters it admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterClass {
    /// The letter as written in codes (`N`, `a`, `A`, `S`, `H`).
    pub letter: char,
    /// A short English name, e.g. "digits".
    pub name: String,
    /// Inclusive character ranges.
    pub ranges: Vec<(char, char)>,
    /// Why we read the letter this way (the alphabet is inferred).
    pub basis: String,
}

/// An older word notation (`String`, `Number`, `Date`) and the letters it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordClass {
    /// The word as written, e.g. `String`.
    pub word: String,
    /// The letters admitted, `None` for any character.
    pub mask: Option<u8>,
    /// Why we read the word this way.
    pub basis: String,
}

/// The whole alphabet, in the order the spec lists it (bit `i` of a mask is letter `i`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alphabet {
    /// The letters.
    pub letters: Vec<LetterClass>,
    /// The word notations.
    pub words: Vec<WordClass>,
}

/// A parsed type code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCode {
    /// The code exactly as written, e.g. `aN(255)`.
    pub notation: String,
    /// The character classes admitted (bit per alphabet letter); `None` admits any character.
    pub mask: Option<u8>,
    /// The maximum length in characters, if any.
    pub max_len: Option<u32>,
}

impl fmt::Display for TypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.notation)
    }
}

/// Why a value does not satisfy a type code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The value is longer than the code allows.
    TooLong {
        /// Characters in the value.
        len: usize,
        /// The maximum.
        max: u32,
    },
    /// A character outside the admitted classes.
    BadChar {
        /// The character.
        ch: char,
        /// Its position (in characters).
        at: usize,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::TooLong { len, max } => {
                write!(f, "{len} characters, more than the maximum {max}")
            }
            Violation::BadChar { ch, at } => {
                write!(
                    f,
                    "character {ch:?} at position {at} is outside the admitted classes"
                )
            }
        }
    }
}

impl Alphabet {
    /// The letters as a string, e.g. `NaASH`, for messages.
    pub fn letters_list(&self) -> String {
        self.letters
            .iter()
            .map(|l| l.letter.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The mask of a letters string such as `aNS`.
    pub fn mask_of(&self, letters: &str) -> Result<u8, String> {
        let mut mask = 0u8;
        for ch in letters.chars() {
            let Some(i) = self.letters.iter().position(|l| l.letter == ch) else {
                return Err(format!(
                    "unknown type-code letter `{ch}`; the alphabet in spec/payple.yaml has {}",
                    self.letters_list()
                ));
            };
            let bit = 1u8 << i;
            if mask & bit != 0 {
                return Err(format!("letter `{ch}` appears twice"));
            }
            mask |= bit;
        }
        Ok(mask)
    }

    /// Parses a type code such as `aN(255)`, `N(8)`, `String` or `Number(20)`.
    pub fn parse(&self, code: &str) -> Result<TypeCode, String> {
        let code_trim = code.trim();
        if code_trim.is_empty() {
            return Err("empty type code".into());
        }
        let (head, len) = match code_trim.find('(') {
            None => (code_trim, None),
            Some(open) => {
                let Some(inner) = code_trim[open + 1..].strip_suffix(')') else {
                    return Err(format!("`{code_trim}`: a length must be closed with `)`"));
                };
                (&code_trim[..open], Some(inner))
            }
        };
        let max_len = match len {
            None => None,
            Some("") => {
                return Err(format!(
                    "`{code_trim}`: the parentheses are empty; write the maximum length, e.g. `N(8)`"
                ));
            }
            Some(digits) => match digits.parse::<u32>() {
                Ok(0) => return Err(format!("`{code_trim}`: the length must be at least 1")),
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(format!(
                        "`{code_trim}`: the length `{digits}` is not a whole number"
                    ));
                }
            },
        };
        if let Some(word) = self.words.iter().find(|w| w.word == head) {
            return Ok(TypeCode {
                notation: code_trim.to_string(),
                mask: word.mask,
                max_len,
            });
        }
        if head.is_empty() || !head.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "`{code_trim}` is not a type code; write letters and a length such as `aN(255)`, or a word such as `String(20)`"
            ));
        }
        let mask = self
            .mask_of(head)
            .map_err(|e| format!("`{code_trim}`: {e}"))?;
        if max_len.is_none() {
            return Err(format!(
                "`{code_trim}`: a compact code needs its length, e.g. `{head}(20)`"
            ));
        }
        Ok(TypeCode {
            notation: code_trim.to_string(),
            mask: Some(mask),
            max_len,
        })
    }

    /// The mask bit of the first letter admitting `ch`, or 0.
    pub fn char_mask(&self, ch: char) -> u8 {
        let mut m = 0;
        for (i, l) in self.letters.iter().enumerate() {
            if l.ranges.iter().any(|&(lo, hi)| lo <= ch && ch <= hi) {
                m |= 1 << i;
            }
        }
        m
    }

    /// Checks a value against a code.
    pub fn check(&self, code: &TypeCode, value: &str) -> Result<(), Violation> {
        let mut len = 0usize;
        for (at, ch) in value.chars().enumerate() {
            len += 1;
            if let Some(mask) = code.mask
                && self.char_mask(ch) & mask == 0
            {
                return Err(Violation::BadChar { ch, at });
            }
        }
        if let Some(max) = code.max_len
            && len > max as usize
        {
            return Err(Violation::TooLong { len, max });
        }
        Ok(())
    }

    /// A JSON-Schema / ECMA-262 pattern equivalent to a mask.
    pub fn pattern(&self, mask: u8) -> String {
        let mut class = String::new();
        for (i, l) in self.letters.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            for &(lo, hi) in &l.ranges {
                push_escaped(&mut class, lo);
                if hi != lo {
                    class.push('-');
                    push_escaped(&mut class, hi);
                }
            }
        }
        format!("^[{class}]*$")
    }
}

fn push_escaped(out: &mut String, ch: char) {
    if ch.is_ascii_alphanumeric() {
        out.push(ch);
    } else {
        out.push_str(&format!("\\u{:04X}", ch as u32));
    }
}

/// Parses a range written `a-z` (or a single character).
pub fn parse_range(text: &str) -> Result<(char, char), String> {
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [c] => Ok((*c, *c)),
        [lo, '-', hi] if lo <= hi => Ok((*lo, *hi)),
        [lo, '-', hi] => Err(format!("range `{text}` runs backwards ({lo} > {hi})")),
        _ => Err(format!(
            "`{text}` is not a character range; write it as `a-z` (first character, '-', last character)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alphabet() -> Alphabet {
        let l = |letter, ranges: &[(char, char)]| LetterClass {
            letter,
            name: String::new(),
            ranges: ranges.to_vec(),
            basis: String::new(),
        };
        Alphabet {
            letters: vec![
                l('N', &[('0', '9')]),
                l('a', &[('a', 'z')]),
                l('A', &[('A', 'Z')]),
            ],
            words: vec![WordClass {
                word: "String".into(),
                mask: None,
                basis: String::new(),
            }],
        }
    }

    #[test]
    fn parses_and_checks_codes() {
        let a = alphabet();
        let code = a.parse("aN(5)").expect("valid code");
        assert_eq!(code.mask, Some(0b011));
        assert_eq!(code.max_len, Some(5));
        assert!(a.check(&code, "ab12").is_ok());
        assert_eq!(
            a.check(&code, "abcdef"),
            Err(Violation::TooLong { len: 6, max: 5 })
        );
        assert_eq!(
            a.check(&code, "aB"),
            Err(Violation::BadChar { ch: 'B', at: 1 })
        );
        assert_eq!(a.parse("String").expect("word").mask, None);
    }

    #[test]
    fn rejects_malformed_codes() {
        let a = alphabet();
        assert!(
            a.parse("aN(abc)")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(
            a.parse("Q(3)")
                .unwrap_err()
                .contains("unknown type-code letter `Q`")
        );
        assert!(
            a.parse("N()")
                .unwrap_err()
                .contains("parentheses are empty")
        );
        assert!(a.parse("NN(2)").unwrap_err().contains("twice"));
        assert!(a.parse("aN").unwrap_err().contains("needs its length"));
    }

    #[test]
    fn pattern_escapes_non_alphanumerics() {
        let mut a = alphabet();
        a.letters.push(LetterClass {
            letter: 'S',
            name: String::new(),
            ranges: vec![(' ', '/')],
            basis: String::new(),
        });
        assert_eq!(a.pattern(0b1001), "^[0-9\\u0020-\\u002F]*$");
    }
}
