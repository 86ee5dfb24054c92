//! The byte scanner: the validator's one pass over a body, without serde's machinery.
//!
//! It reads the JSON grammar itself (strings found eight bytes at a time, keys and values
//! borrowed from the body, which the caller has checked to be UTF-8 in one call) and feeds
//! the same checks as the serde reader ([`ObjectCheck`], [`ValueSeed`], [`ItemSeed`]), so a
//! body gives the same findings either way (`tests/differential.rs` compares the two).
//!
//! It accepts no more than serde_json does: whatever it is not sure of (a syntax error,
//! nesting deeper than [`MAX_DEPTH`], a number or escape it leaves to serde_json and
//! serde_json refuses, a body that is not an object) makes it give up with [`Bail`], and
//! the caller runs the serde reader on the body instead, which gives the exact error
//! message. So the scanner only decides bodies that serde_json reads.

use super::{
    Cow, FieldShape, FieldSpec, Got, ItemSeed, ObjectCheck, Part, Path, Top, TypeCode, ValueSeed,
    check_value_set_and_format, de, fmt, mismatch, same_bytes,
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
pub(in crate::validate) fn body(cx: &mut Cx<'_>, text: &str) -> Result<(), Bail> {
    let mut sc = Scanner {
        text,
        bytes: text.as_bytes(),
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
    text: &'t str,
    bytes: &'t [u8],
    /// The next byte to read.
    pos: usize,
    /// Objects and arrays open.
    depth: usize,
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

    /// The first position from `at` holding `"`, `\` or a control character (the end of
    /// the body if none): eight bytes at a time, as serde_json does.
    #[inline]
    fn stop(&self, mut at: usize) -> usize {
        const ONES: u64 = splat(1);
        const HIGH: u64 = splat(0x80);
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
                return at + (hit.trailing_zeros() / 8) as usize;
            }
            at += 8;
        }
        while let Some(&b) = self.bytes.get(at) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            at += 1;
        }
        at
    }

    /// A string whose opening quote is consumed: borrowed from the body unless it has
    /// escapes (those serde_json decodes, refusing what it refuses).
    #[inline]
    fn string(&mut self) -> Result<Cow<'t, str>, Bail> {
        let start = self.pos;
        let end = self.stop(start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return self.text.get(start..end).map(Cow::Borrowed).ok_or(Bail);
        }
        self.escaped(start, end).map(Cow::Owned)
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
        let quoted = self.text.get(start - 1..=at).ok_or(Bail)?;
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

    /// A number's text, by the JSON grammar; `Some(n)` for a plain non-negative integer of
    /// at most 19 digits, which needs no further reading. Other numbers are read by
    /// serde_json, and the scanner gives up if serde_json refuses them (out of range).
    fn number(&mut self) -> Result<(&'t str, Option<u64>), Bail> {
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
        let text = self.text.get(start..self.pos).ok_or(Bail)?;
        if plain {
            return Ok((text, Some(n)));
        }
        Ok((text, None))
    }

    /// One or more digits.
    fn digits(&mut self) -> Result<(), Bail> {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        if self.pos == start { Err(Bail) } else { Ok(()) }
    }

    /// A number that is not plain, as serde_json reads it.
    #[cold]
    fn number_value(text: &str) -> Result<serde_json::Number, Bail> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Number(n)) => Ok(n),
            _ => Err(Bail),
        }
    }

    /// Skips any value, checking its syntax; returns its JSON type.
    fn skip(&mut self) -> Result<&'static str, Bail> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string()?;
                Ok("string")
            }
            Some(b'{') => {
                self.pos += 1;
                self.enter()?;
                self.ws();
                if !self.eat(b'}') {
                    loop {
                        self.expect(b'"')?;
                        self.string()?;
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
                if let (text, None) = self.number()? {
                    Self::number_value(text)?;
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
        let text = self.text.get(start..self.pos).ok_or(Bail)?;
        serde_json::from_str(text).map_err(|_| Bail)
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
                    None => {
                        let key = self.string()?;
                        obj.key(cx, path, &key)
                    }
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
    /// character. `None` (nothing consumed): the general path decides, and reports.
    #[inline]
    fn plain_value(&mut self, f: &FieldSpec) -> Option<&'t str> {
        let FieldShape::Scalar = f.shape else {
            return None;
        };
        let (mask, max_len) = match f.type_code {
            Some(TypeCode { mask, max_len, .. }) => (mask, max_len),
            None => (None, None),
        };
        let start = self.pos;
        let end = match mask {
            Some(mask) => {
                let mut end = start;
                while let Some(&b) = self.bytes.get(end) {
                    if PLAIN[usize::from(b)] & mask == 0 {
                        break;
                    }
                    end += 1;
                }
                end
            }
            None => self.stop(start),
        };
        if end == start || self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        let s = self.text.get(start..end)?;
        // No more characters than bytes; only a long value needs counting.
        if let Some(max) = max_len
            && s.len() > max as usize
            && s.chars().count() > max as usize
        {
            return None;
        }
        self.pos = end + 1;
        Some(s)
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
            self.pos += 1;
            if let Some(s) = self.plain_value(f) {
                // What `ValueSeed` would do with it, the type code known to hold.
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
                (text, None) => {
                    // The visit serde_json makes for the number.
                    let n = Self::number_value(text)?;
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
