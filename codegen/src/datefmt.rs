// Date, time and digit-string formats declared in spec/payple.yaml (`formats:`).
//
// This file is compiled twice from one source: as `payple_codegen::datefmt` (the spec lint
// checks examples with it and the JSON Schema generator derives regular expressions from
// it) and, copied by payple-types' build script, as `payple_types::datefmt` (the validator
// and the models parse values with it). It therefore uses only `core` and `std` and has no
// inner attributes.

/// One piece of a format pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Piece {
    /// One or more ASCII digits (the whole pattern `digits`).
    Digits,
    /// `YYYY`: four-digit year.
    Year,
    /// `MM`: month 01-12.
    Month,
    /// `DD`: day of the month, checked against the month (and year, when the pattern has one).
    Day,
    /// `hh`: hour 00-23.
    Hour,
    /// `mm`: minute 00-59.
    Minute,
    /// `ss`: second 00-59.
    Second,
    /// `SSS`: millisecond 000-999.
    Milli,
    /// A character written as is.
    Literal(char),
}

impl Piece {
    /// How many digits a numeric piece takes (0 for `Digits` and literals).
    pub fn width(self) -> usize {
        match self {
            Piece::Year => 4,
            Piece::Milli => 3,
            Piece::Month | Piece::Day | Piece::Hour | Piece::Minute | Piece::Second => 2,
            Piece::Digits | Piece::Literal(_) => 0,
        }
    }
}

/// Reads a pattern such as `YYYY-MM-DD hh:mm:ss` or `digits` into pieces.
///
/// Date tokens must come in the order `YYYY`, `MM`, `DD` with only literal characters
/// between them, so that a calendar check (and its regular expression) stays exact.
pub fn compile(pattern: &str) -> Result<Vec<Piece>, String> {
    if pattern == "digits" {
        return Ok(vec![Piece::Digits]);
    }
    let tokens: [(&str, Piece); 7] = [
        ("YYYY", Piece::Year),
        ("SSS", Piece::Milli),
        ("MM", Piece::Month),
        ("DD", Piece::Day),
        ("hh", Piece::Hour),
        ("mm", Piece::Minute),
        ("ss", Piece::Second),
    ];
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(ch) = rest.chars().next() {
        if let Some((tok, piece)) = tokens.iter().find(|(t, _)| rest.starts_with(t)) {
            if out.contains(piece) {
                return Err(format!("`{tok}` appears twice in pattern `{pattern}`"));
            }
            out.push(*piece);
            rest = &rest[tok.len()..];
        } else if ch.is_ascii_alphanumeric() {
            return Err(format!(
                "pattern `{pattern}` has `{ch}`, which is neither a token (YYYY MM DD hh mm ss SSS) nor punctuation; write `digits` or a template such as `YYYY-MM-DD hh:mm:ss`"
            ));
        } else {
            out.push(Piece::Literal(ch));
            rest = &rest[ch.len_utf8()..];
        }
    }
    if !out.iter().any(|p| p.width() > 0) {
        return Err(format!("pattern `{pattern}` has no date or time token"));
    }
    let pos = |p: Piece| out.iter().position(|x| *x == p);
    let date: Vec<usize> = [Piece::Year, Piece::Month, Piece::Day]
        .into_iter()
        .filter_map(pos)
        .collect();
    if date.windows(2).any(|w| w[0] > w[1])
        || date.windows(2).any(|w| {
            out[w[0] + 1..w[1]]
                .iter()
                .any(|p| !matches!(p, Piece::Literal(_)))
        })
    {
        return Err(format!(
            "pattern `{pattern}`: write the date tokens in the order YYYY, MM, DD with only punctuation between them"
        ));
    }
    Ok(out)
}

/// A date and time as read from a value; each part is `None` when the format has no token
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// Year.
    pub year: Option<u16>,
    /// Month, 1-12.
    pub month: Option<u8>,
    /// Day of the month, 1-31.
    pub day: Option<u8>,
    /// Hour, 0-23.
    pub hour: Option<u8>,
    /// Minute, 0-59.
    pub minute: Option<u8>,
    /// Second, 0-59.
    pub second: Option<u8>,
    /// Millisecond, 0-999.
    pub milli: Option<u16>,
}

/// Why a value does not have its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    /// The characters do not have the pattern's shape (position in characters).
    Shape {
        /// Where the value stops following the pattern.
        at: usize,
    },
    /// The shape is right but the calendar or clock says no (month 13, 31 April, hour 24).
    Calendar {
        /// Which part is out of range: `month`, `day`, `hour`, `minute`, `second`.
        part: &'static str,
        /// Its value.
        value: u16,
    },
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar.
pub fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1-12) of `year`; February has 29 days when the year is unknown.
pub fn days_in_month(year: Option<u16>, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => {
            if year.is_none_or(is_leap) {
                29
            } else {
                28
            }
        }
        _ => 31,
    }
}

/// Reads `value` with `pieces`; `Ok` holds the parts the format has.
pub fn parse(pieces: &[Piece], value: &str) -> Result<DateTime, FormatError> {
    let bytes = value.as_bytes();
    // Byte position; every byte accepted before a failure is ASCII except non-ASCII
    // literals, so `chars` (the position reported) advances with it.
    let mut at = 0usize;
    let mut chars = 0usize;
    let mut dt = DateTime::default();
    for piece in pieces {
        let w = match *piece {
            Piece::Digits => {
                let n = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if n == 0 {
                    return Err(FormatError::Shape { at: chars });
                }
                at += n;
                chars += n;
                continue;
            }
            Piece::Literal(c) => {
                let ok = if c.is_ascii() {
                    bytes.get(at) == Some(&(c as u8))
                } else {
                    value[at..].starts_with(c)
                };
                if !ok {
                    return Err(FormatError::Shape { at: chars });
                }
                at += c.len_utf8();
                chars += 1;
                continue;
            }
            p => p.width(),
        };
        let mut n = 0u16;
        for k in 0..w {
            match bytes.get(at + k) {
                Some(d) if d.is_ascii_digit() => n = n * 10 + u16::from(d - b'0'),
                _ => return Err(FormatError::Shape { at: chars + k }),
            }
        }
        at += w;
        chars += w;
        // Values fit: at most four digits.
        let small = n as u8;
        match piece {
            Piece::Year => dt.year = Some(n),
            Piece::Month => dt.month = Some(small),
            Piece::Day => dt.day = Some(small),
            Piece::Hour => dt.hour = Some(small),
            Piece::Minute => dt.minute = Some(small),
            Piece::Second => dt.second = Some(small),
            Piece::Milli => dt.milli = Some(n),
            Piece::Digits | Piece::Literal(_) => {}
        }
    }
    if at != bytes.len() {
        return Err(FormatError::Shape { at: chars });
    }
    check_calendar(&dt)?;
    Ok(dt)
}

fn check_calendar(dt: &DateTime) -> Result<(), FormatError> {
    let out = |part: &'static str, v: u8| FormatError::Calendar {
        part,
        value: u16::from(v),
    };
    if let Some(m) = dt.month
        && !(1..=12).contains(&m)
    {
        return Err(out("month", m));
    }
    if let Some(d) = dt.day {
        let max = dt.month.map_or(31, |m| days_in_month(dt.year, m));
        if d == 0 || d > max {
            return Err(out("day", d));
        }
    }
    if let Some(h) = dt.hour
        && h > 23
    {
        return Err(out("hour", h));
    }
    if let Some(m) = dt.minute
        && m > 59
    {
        return Err(out("minute", m));
    }
    if let Some(s) = dt.second
        && s > 59
    {
        return Err(out("second", s));
    }
    Ok(())
}

impl core::fmt::Display for FormatError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FormatError::Shape { at } => {
                write!(f, "the value stops following the pattern at position {at}")
            }
            FormatError::Calendar { part, value } => {
                write!(f, "{part} {value} is outside the calendar")
            }
        }
    }
}
