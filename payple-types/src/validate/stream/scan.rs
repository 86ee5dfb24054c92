//! The byte scanner: the validator's one pass over a body, without serde's machinery.
//!
//! It reads the JSON grammar itself (strings found eight bytes at a time, keys and values
//! borrowed from the body) and feeds
//! the same checks as the serde reader ([`ObjectCheck`], [`ValueSeed`], [`ItemSeed`]), so a
//! body gives the same findings either way (`tests/differential.rs` compares the two).
//!
//! The body is raw bytes, checked for UTF-8 on the way rather than in a pass of its own:
//! outside strings the grammar admits ASCII only; a string whose text a check reads is
//! made a `&str` (std's check), and any other string is checked by [`utf8`] only if it
//! holds a byte above ASCII. So a body the scanner accepts is UTF-8, and one that is not
//! makes it give up (the caller then reports it).
//!
//! It accepts no more than serde_json does: whatever it is not sure of (a syntax error,
//! nesting deeper than [`MAX_DEPTH`], a number or escape it leaves to serde_json and
//! serde_json refuses, a body that is not an object) makes it give up with [`Bail`], and
//! the caller runs the serde reader on the body instead, which gives the exact error
//! message. So the scanner only decides bodies that serde_json reads.

use super::{
    Cow, FieldShape, FieldSpec, Got, ItemSeed, ObjectCheck, Part, Path, Top, TypeCode, ValueSeed,
    check_value_set_and_format, de, find_field_bytes, fmt, mismatch, same_bytes,
    value_set_and_format_hold,
};
use crate::validate::Cx;
use serde::de::Visitor;
use serde_json::Value;

/// The scanner gives up on a body; the serde reader decides it instead.
#[derive(Debug)]
pub(in crate::validate) struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the serde reader")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Bail
    }
}

/// Nesting the scanner reads; deeper bodies go to the serde reader (which refuses more
/// than 128 levels).
const MAX_DEPTH: usize = 100;

/// Validates `text`, a whole body, into `cx`. `Err(Bail)`: the serde reader must decide
/// (the findings in `cx` are then incomplete and must be discarded).
pub(in crate::validate) fn body(cx: &mut Cx<'_>, bytes: &[u8]) -> Result<(), Bail> {
    let mut sc = Scanner {
        bytes,
        whole: None,
        pos: 0,
        depth: 0,
    };
    sc.ws();
    if sc.peek() != Some(b'{') {
        // Not an object: rare, and the serde reader describes it.
        return Err(Bail);
    }
    sc.pos += 1;
    let ep = cx.ep;
    let top = Top {
        method_field: ep.payment_method_field,
        result: match cx.part {
            Part::Response => ep.result.as_ref(),
            Part::Request => None,
        },
    };
    sc.object(cx, ep.fields(cx.part), &Path::Root, Some(top))?;
    sc.ws();
    if sc.pos == sc.bytes.len() {
        Ok(())
    } else {
        Err(Bail)
    }
}

/// The type-code letters of each byte that may stand in a string as it is: the ASCII
/// characters' letters, except `"` and `\` (which end or escape a string); control
/// characters and non-ASCII bytes have none.
static PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = crate::generated::ASCII_MASKS[i];
        i += 1;
    }
    t[b'"' as usize] = 0;
    t[b'\\' as usize] = 0;
    t
};

struct Scanner<'t> {
    bytes: &'t [u8],
    /// The whole body as text, once something needed it (an undocumented key): later
    /// texts are slices of it.
    whole: Option<&'t str>,
    /// The next byte to read.
    pos: usize,
    /// Objects and arrays open.
    depth: usize,
}

/// Whether `b` is UTF-8 (RFC 3629: no over-long forms, no surrogates, nothing above
/// U+10FFFF), for the strings the scanner checks without making them a `&str`.
fn utf8(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&first) = b.get(i) {
        if first < 0x80 {
            i += 1;
            continue;
        }
        // Three bytes (Hangul and most of the BMP), the common case, in one test: two
        // continuation bytes, neither over-long (below U+0800) nor a surrogate.
        if let (0xE0..=0xEF, Some(&[c1, c2])) = (first, b.get(i + 1..i + 3)) {
            let point = (u32::from(first & 0x0F) << 12)
                | (u32::from(c1 & 0x3F) << 6)
                | u32::from(c2 & 0x3F);
            if (c1 & 0xC0) != 0x80
                || (c2 & 0xC0) != 0x80
                || point < 0x800
                || (0xD800..=0xDFFF).contains(&point)
            {
                return false;
            }
            i += 3;
            continue;
        }
        // The allowed range of the second byte, and the number of continuation bytes.
        let (second, more) = match first {
            0xC2..=0xDF => (0x80..=0xBF, 1),
            0xF0 => (0x90..=0xBF, 3),
            0xF1..=0xF3 => (0x80..=0xBF, 3),
            0xF4 => (0x80..=0x8F, 3),
            _ => return false,
        };
        if !b.get(i + 1).is_some_and(|c| second.contains(c)) {
            return false;
        }
        for k in 2..=more {
            if !b.get(i + k).is_some_and(|c| (0x80..=0xBF).contains(c)) {
                return false;
            }
        }
        i += 1 + more;
    }
    true
}

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

impl<'t> Scanner<'t> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `b` if it is next.
    #[inline]
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    fn expect(&mut self, b: u8) -> Result<(), Bail> {
        if self.eat(b) { Ok(()) } else { Err(Bail) }
    }

    /// Skips JSON whitespace.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn enter(&mut self) -> Result<(), Bail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Bail)
        } else {
            Ok(())
        }
    }

    /// After a member or item: `,` (true, whitespace skipped) or `close` (false).
    #[inline]
    fn next_or_close(&mut self, close: u8) -> Result<bool, Bail> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.ws();
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(Bail),
        }
    }

    /// Bytes `start..end` (between the quotes of a string) as text.
    #[inline]
    fn text(&self, start: usize, end: usize) -> Result<&'t str, Bail> {
        match self.whole {
            Some(whole) => whole.get(start..end).ok_or(Bail),
            None => std::str::from_utf8(self.bytes.get(start..end).ok_or(Bail)?).map_err(|_| Bail),
        }
    }

    /// Makes the whole body text (one check), so that the texts taken after this are
    /// slices of it: for bodies that need many (undocumented keys).
    #[cold]
    fn whole_text(&mut self) -> Result<(), Bail> {
        if self.whole.is_none() {
            self.whole = Some(std::str::from_utf8(self.bytes).map_err(|_| Bail)?);
        }
        Ok(())
    }

    /// The first position from `at` holding `"`, `\` or a control character (the end of
    /// the body if none): eight bytes at a time, as serde_json does.
    #[inline]
    fn stop(&self, at: usize) -> usize {
        self.stop_ascii(at).0
    }

    /// [`Scanner::stop`], and whether the bytes before the stop are all ASCII.
    #[inline(always)]
    fn stop_ascii(&self, mut at: usize) -> (usize, bool) {
        const ONES: u64 = splat(1);
        const HIGH: u64 = splat(0x80);
        let mut any = 0u64;
        while let Some(chunk) = self.bytes.get(at..at + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let w = u64::from_le_bytes(w);
            let ctrl = w.wrapping_sub(splat(0x20)) & !w;
            let q = w ^ splat(b'"');
            let q = q.wrapping_sub(ONES) & !q;
            let bs = w ^ splat(b'\\');
            let bs = bs.wrapping_sub(ONES) & !bs;
            let hit = (ctrl | q | bs) & HIGH;
            if hit != 0 {
                let stop = (hit.trailing_zeros() / 8) as usize;
                // Only the bytes before the stop count (the stop itself is ASCII).
                let before = if stop == 0 { 0 } else { w << (64 - 8 * stop) };
                return (at + stop, (any | before) & HIGH == 0);
            }
            any |= w;
            at += 8;
        }
        while let Some(&b) = self.bytes.get(at) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            any |= u64::from(b);
            at += 1;
        }
        (at, any & HIGH == 0)
    }

    /// A string whose opening quote is consumed: borrowed from the body unless it has
    /// escapes (those serde_json decodes, refusing what it refuses).
    #[inline]
    fn string(&mut self) -> Result<Cow<'t, str>, Bail> {
        let start = self.pos;
        let end = self.stop(start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return self.text(start, end).map(Cow::Borrowed);
        }
        self.escaped(start, end).map(Cow::Owned)
    }

    /// A string whose opening quote is consumed, checked as [`Scanner::string`] checks it
    /// without making it a `&str`: the range of its bytes when it has no escape, else
    /// (`Err`) its decoded text. For keys [`Scanner::expected_key`] did not match, and for
    /// skipped values.
    #[inline]
    fn raw_string(&mut self) -> Result<Result<(usize, usize), String>, Bail> {
        let start = self.pos;
        let (end, ascii) = self.stop_ascii(start);
        if self.bytes.get(end) == Some(&b'"') {
            if !ascii && !utf8(&self.bytes[start..end]) {
                return Err(Bail);
            }
            self.pos = end + 1;
            return Ok(Ok((start, end)));
        }
        self.escaped(start, end).map(Err)
    }

    /// The key at the current position (its opening quote consumed) when it is the name
    /// of one of `fields`: compared in place, closing quote included, so the key need not
    /// be read first. Field names have no character a JSON string escapes (tested), so the
    /// bytes equal the key. The field the body's order suggests (`hint`, or the one after
    /// it) is tried first, by its current and its legacy names; then, unless `first_only`,
    /// every field by its current name (one byte tells most of them apart: the closing
    /// quote must follow the name). A legacy name elsewhere is left to the lookup.
    #[inline]
    fn expected_key(
        &mut self,
        fields: &'static [FieldSpec],
        hint: usize,
        first_only: bool,
    ) -> Option<(usize, &'static str)> {
        let is = |name: &str| self.key_is(name);
        // The suggested fields by any of their names (a legacy name stands where the
        // field would), then the others by their current name.
        let near = fields
            .iter()
            .enumerate()
            .skip(hint)
            .take(2)
            .find_map(|(i, f)| {
                if is(f.name) {
                    return Some((i, f.name));
                }
                f.legacy_names.iter().find(|l| is(l)).map(|l| (i, *l))
            });
        let (i, name) = match near {
            Some(found) => found,
            None if first_only => return None,
            None => fields
                .iter()
                .enumerate()
                .find(|(_, f)| is(f.name))
                .map(|(i, f)| (i, f.name))?,
        };
        self.pos += name.len() + 1;
        Some((i, name))
    }

    /// Whether the key at the current position (its opening quote consumed) is `name`.
    #[inline(always)]
    fn key_is(&self, name: &str) -> bool {
        let end = self.pos + name.len();
        self.bytes.get(end) == Some(&b'"')
            && self
                .bytes
                .get(self.pos..end)
                .is_some_and(|raw| same_bytes(raw, name.as_bytes()))
    }

    /// A string with escapes from `start` (after the opening quote); `at` is its first
    /// escape (or what stopped the scan).
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, start: usize, mut at: usize) -> Result<String, Bail> {
        loop {
            match self.bytes.get(at) {
                Some(b'"') => break,
                // The escaped byte is read by serde_json below; here it only must not end
                // the string.
                Some(b'\\') => at = self.stop(at + 2),
                _ => return Err(Bail),
            }
        }
        let quoted = self.text(start - 1, at + 1)?;
        let decoded: String = serde_json::from_str(quoted).map_err(|_| Bail)?;
        self.pos = at + 1;
        Ok(decoded)
    }

    /// A literal (`true`, `false`, `null`) at the current position.
    #[inline]
    fn literal(&mut self, word: &[u8]) -> Result<(), Bail> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A number, by the JSON grammar: where it starts, and `Some(n)` for a plain
    /// non-negative integer of at most 19 digits, which needs no further reading. Other
    /// numbers are read by serde_json, and the scanner gives up if serde_json refuses them
    /// (out of range).
    fn number(&mut self) -> Result<(usize, Option<u64>), Bail> {
        let start = self.pos;
        let negative = self.eat(b'-');
        let mut n: u64 = 0;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    self.pos += 1;
                }
            }
            _ => return Err(Bail),
        }
        let digits = self.pos - start;
        let mut plain = !negative && digits <= 19;
        if self.eat(b'.') {
            plain = false;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            plain = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.digits()?;
        }
        Ok((start, plain.then_some(n)))
    }

    /// One or more digits.
    fn digits(&mut self) -> Result<(), Bail> {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        if self.pos == start { Err(Bail) } else { Ok(()) }
    }

    /// The number from `start` to the current position, not plain, as serde_json reads it.
    #[cold]
    fn number_value(&self, start: usize) -> Result<serde_json::Number, Bail> {
        match serde_json::from_str::<Value>(self.text(start, self.pos)?) {
            Ok(Value::Number(n)) => Ok(n),
            _ => Err(Bail),
        }
    }

    /// Skips any value, checking its syntax; returns its JSON type.
    fn skip(&mut self) -> Result<&'static str, Bail> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                let _ = self.raw_string()?;
                Ok("string")
            }
            Some(b'{') => {
                self.pos += 1;
                self.enter()?;
                self.ws();
                if !self.eat(b'}') {
                    loop {
                        self.expect(b'"')?;
                        let _ = self.raw_string()?;
                        self.ws();
                        self.expect(b':')?;
                        self.ws();
                        self.skip()?;
                        if !self.next_or_close(b'}')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok("object")
            }
            Some(b'[') => {
                self.pos += 1;
                self.enter()?;
                self.ws();
                if !self.eat(b']') {
                    loop {
                        self.skip()?;
                        if !self.next_or_close(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok("array")
            }
            Some(b't') => self.literal(b"true").map(|()| "boolean"),
            Some(b'f') => self.literal(b"false").map(|()| "boolean"),
            Some(b'n') => self.literal(b"null").map(|()| "null"),
            Some(b'-' | b'0'..=b'9') => {
                if let (start, None) = self.number()? {
                    self.number_value(start)?;
                }
                Ok("number")
            }
            _ => Err(Bail),
        }
    }

    /// The value at the current position as a tree (for a finding that shows it).
    #[cold]
    #[inline(never)]
    fn tree(&mut self) -> Result<Value, Bail> {
        let start = self.pos;
        self.skip()?;
        serde_json::from_str(self.text(start, self.pos)?).map_err(|_| Bail)
    }

    /// The members of an object whose `{` is consumed, checked against `fields`.
    fn object(
        &mut self,
        cx: &mut Cx<'_>,
        fields: &'static [FieldSpec],
        path: &Path<'_>,
        top: Option<Top<'_>>,
    ) -> Result<(), Bail> {
        self.enter()?;
        let mut obj = ObjectCheck::new(fields, top);
        self.ws();
        if !self.eat(b'}') {
            loop {
                self.expect(b'"')?;
                // Only the few fields of a small object are all compared. Once an object
                // has an undocumented key it may have many (a hostile body): those keys are
                // read and looked up once, not compared with every field first.
                // Nor are the many fields of a top level (whose keys mostly come in
                // order; the others are often legacy names, found by the lookup).
                let first_only = fields.len() > 16 || !obj.undocumented.is_empty();
                let member = match self.expected_key(fields, obj.hint, first_only) {
                    Some((i, name)) => Some(obj.member(cx, path, i, name)),
                    None => match self.raw_string()? {
                        Ok((start, end)) => {
                            match find_field_bytes(fields, &self.bytes[start..end], obj.hint) {
                                Some((i, name)) => Some(obj.member(cx, path, i, name)),
                                None => {
                                    // Perhaps many more: the whole body made text once.
                                    self.whole_text()?;
                                    let key = Cow::Borrowed(self.text(start, end)?);
                                    obj.undocumented(cx, path, &key);
                                    None
                                }
                            }
                        }
                        Err(decoded) => obj.key(cx, path, &Cow::Owned(decoded)),
                    },
                };
                self.ws();
                self.expect(b':')?;
                self.ws();
                match member {
                    None => {
                        self.skip()?;
                    }
                    Some(m) => {
                        let f = &fields[m.index];
                        let got = self.value(cx, f, Path::Key(path, m.name))?;
                        obj.got(m, got);
                    }
                }
                if !self.next_or_close(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        obj.finish(cx, path, top);
        Ok(())
    }

    /// The string at the current position (its opening quote consumed), when it is not
    /// empty, has no escape and fits scalar field `f`'s type code: read and checked
    /// against the code in one loop where the code admits only some ASCII characters (a
    /// table lookup per byte), found eight bytes at a time and measured where it admits any
    /// character. Consumes it and returns its bytes, and whether they are ASCII (bytes above
    /// ASCII are not yet checked). `None` (nothing consumed): the general path decides,
    /// and reports.
    #[inline]
    fn plain_value(&mut self, f: &FieldSpec) -> Option<(&'t [u8], bool)> {
        let FieldShape::Scalar = f.shape else {
            return None;
        };
        let (mask, max_len) = match f.type_code {
            Some(TypeCode { mask, max_len, .. }) => (mask, max_len),
            None => (None, None),
        };
        let start = self.pos;
        let (end, ascii) = match mask {
            Some(mask) => {
                // The table admits ASCII characters only.
                let mut end = start;
                while let Some(&b) = self.bytes.get(end) {
                    if PLAIN[usize::from(b)] & mask == 0 {
                        break;
                    }
                    end += 1;
                }
                (end, true)
            }
            None => self.stop_ascii(start),
        };
        if end == start || self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        let raw = self.bytes.get(start..end)?;
        // No more characters than bytes; only a long value needs counting (the bytes that
        // do not continue a character; the general path decides if the bytes are not UTF-8).
        if let Some(max) = max_len
            && raw.len() > max as usize
            && raw.iter().filter(|&&b| !(0x80..0xC0).contains(&b)).count() > max as usize
        {
            return None;
        }
        self.pos = end + 1;
        Some((raw, ascii))
    }

    /// The value of documented field `f`: a plain string (most values) here, anything
    /// else in [`Scanner::other_value`].
    #[inline]
    fn value(
        &mut self,
        cx: &mut Cx<'_>,
        f: &'static FieldSpec,
        path: Path<'_>,
    ) -> Result<Got<'t>, Bail> {
        if self.peek() == Some(b'"') {
            let start = self.pos + 1;
            self.pos = start;
            if let Some((raw, ascii)) = self.plain_value(f) {
                // What `ValueSeed` would do with it, the type code known to hold: on the
                // bytes when no rule keeps the text and they pass (most values).
                if !f.captured
                    && (ascii || utf8(raw))
                    && value_set_and_format_hold(f, raw) == Some(true)
                {
                    return Ok(Got::Value(None));
                }
                // A kept value that is one of the documented values (the payment method,
                // the status): the spec's own text, equal to the body's.
                if f.captured
                    && f.formats.is_empty()
                    && let Some(v) = f.values.iter().find(|v| v.as_bytes() == raw)
                {
                    return Ok(Got::Value(Some(Cow::Borrowed(v))));
                }
                let s = self.text(start, start + raw.len())?;
                check_value_set_and_format(cx, f, &path, s);
                return Ok(Got::Value(f.captured.then_some(Cow::Borrowed(s))));
            }
            self.pos -= 1;
        }
        self.other_value(cx, f, path)
    }

    /// A value of documented field `f` that is not a plain string, through [`ValueSeed`].
    #[inline(never)]
    fn other_value(
        &mut self,
        cx: &mut Cx<'_>,
        f: &'static FieldSpec,
        path: Path<'_>,
    ) -> Result<Got<'t>, Bail> {
        let seed = ValueSeed {
            cx,
            field: f,
            path,
            capture: f.captured,
        };
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                match self.string()? {
                    Cow::Borrowed(s) => seed.visit_borrowed_str(s),
                    Cow::Owned(s) => seed.visit_str(&s),
                }
            }
            Some(b'{') => {
                if let FieldShape::Object(inner) = f.shape {
                    self.pos += 1;
                    self.object(seed.cx, inner, &seed.path, None)?;
                } else {
                    let tree = self.tree()?;
                    mismatch(seed.cx, f, &seed.path, &tree);
                }
                Ok(Got::Value(None))
            }
            Some(b'[') => {
                if let FieldShape::List(inner) = f.shape {
                    self.pos += 1;
                    self.items(seed.cx, f, inner, &seed.path)?;
                } else {
                    let tree = self.tree()?;
                    mismatch(seed.cx, f, &seed.path, &tree);
                }
                Ok(Got::Value(None))
            }
            Some(b't') => {
                self.literal(b"true")?;
                seed.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                seed.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                seed.visit_unit()
            }
            Some(b'-' | b'0'..=b'9') => match self.number()? {
                (_, Some(n)) => seed.visit_u64(n),
                (start, None) => {
                    // The visit serde_json makes for the number.
                    let n = self.number_value(start)?;
                    if let Some(u) = n.as_u64() {
                        seed.visit_u64(u)
                    } else if let Some(i) = n.as_i64() {
                        seed.visit_i64(i)
                    } else if let Some(x) = n.as_f64() {
                        seed.visit_f64(x)
                    } else {
                        Err(Bail)
                    }
                }
            },
            _ => Err(Bail),
        }
    }

    /// The items of documented list `f` (its `[` consumed): each an object of `fields`.
    fn items(
        &mut self,
        cx: &mut Cx<'_>,
        f: &'static FieldSpec,
        fields: &'static [FieldSpec],
        path: &Path<'_>,
    ) -> Result<(), Bail> {
        self.enter()?;
        self.ws();
        if !self.eat(b']') {
            let mut i = 0usize;
            loop {
                let item = Path::Index(path, i);
                if self.eat(b'{') {
                    self.object(cx, fields, &item, None)?;
                } else {
                    let what = self.skip()?;
                    let seed = ItemSeed {
                        cx: &mut *cx,
                        field: f,
                        fields,
                        path: item,
                    };
                    seed.not_object(what);
                }
                i += 1;
                if !self.next_or_close(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::utf8;
    use proptest::prelude::*;

    /// Every one- to four-byte sequence around the boundaries of the encoding (over-long
    /// forms, surrogates, the end of Unicode, truncations), alone and between ASCII.
    #[test]
    fn utf8_agrees_with_std_on_every_boundary_sequence() {
        let edges = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        let mut checked = 0usize;
        for &a in &edges {
            for &b in &edges {
                for &c in &edges {
                    for &d in &edges {
                        for len in 1..=4 {
                            let seq = &[a, b, c, d][..len];
                            let padded: Vec<u8> = [b"x", seq, b"y"].concat();
                            for bytes in [seq, &padded[..]] {
                                assert_eq!(
                                    utf8(bytes),
                                    std::str::from_utf8(bytes).is_ok(),
                                    "{bytes:x?}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 1_000_000);
    }

    proptest! {
        #[test]
        fn utf8_agrees_with_std(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
        }

        #[test]
        fn utf8_accepts_every_string(s in ".{0,32}") {
            prop_assert!(utf8(s.as_bytes()));
        }
    }
}
