//! The validator proper: the checks of one object ([`ObjectCheck`]) and of one value
//! ([`ValueSeed`]), fed by one of two readers. The byte scanner ([`scan`]) reads raw bodies
//! in one pass; the serde seeds below read parsed values (`validate_value`) and whatever
//! body the scanner leaves to serde (a syntax error above all).
//!
//! Keys and strings are borrowed from the input where the reader allows it; pointers are
//! only written out for findings, and messages only when a finding is shown. Checks that
//! need the whole object (payment method, conditional requirements, success codes) are
//! resolved when the object closes, from the few sibling values captured on the way.

use super::{Breach, Cx, Detail, Draft, Kind, json_type, pointer_token, shown, shown_str};
use crate::runtime::*;
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

mod scan;
pub(super) use scan::body as scan_body;

/// Visitor methods for every scalar, each reporting `$report(<JSON type>)` for a place
/// where an object was expected.
macro_rules! scalars_are_not_objects {
    ($report:ident) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            self.$report("string");
            Ok(())
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            self.$report("boolean");
            Ok(())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            self.$report("number");
            Ok(())
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            self.$report("number");
            Ok(())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            self.$report("number");
            Ok(())
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            self.$report("null");
            Ok(())
        }
    };
}

/// The whole body: must be an object.
pub(super) struct BodySeed<'c, 'a> {
    pub(super) cx: &'c mut Cx<'a>,
}

impl<'de> DeserializeSeed<'de> for BodySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl BodySeed<'_, '_> {
    fn not_an_object(self, what: &'static str) {
        let draft = Draft {
            expected: Some("a JSON object".into()),
            actual: Some(format!("a JSON {what}").into()),
            ..Draft::new(Kind::MalformedBody, Detail::NotAnObject)
        };
        self.cx.push(Cow::Borrowed(""), draft);
    }
}

impl<'de> Visitor<'de> for BodySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<(), M::Error> {
        let ep = self.cx.ep;
        let fields = ep.fields(self.cx.part);
        let top = Top {
            method_field: ep.payment_method_field,
            result: match self.cx.part {
                Part::Response => ep.result.as_ref(),
                Part::Request => None,
            },
        };
        check_object(self.cx, fields, &Path::Root, Some(top), map)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element_seed(Skip(1))?.is_some() {}
        self.not_an_object("array");
        Ok(())
    }

    scalars_are_not_objects!(not_an_object);
}

/// What only the top level of a body has.
#[derive(Clone, Copy)]
struct Top<'r> {
    method_field: Option<&'static str>,
    result: Option<&'r ResultSpec>,
}

/// A bit set over field indexes; inline up to 128 fields, on the heap beyond.
enum Bits {
    Inline(u128),
    Heap(Vec<u64>),
}

impl Bits {
    fn new(n: usize) -> Self {
        if n <= 128 {
            Bits::Inline(0)
        } else {
            Bits::Heap(vec![0; n.div_ceil(64)])
        }
    }
    fn get(&self, i: usize) -> bool {
        match self {
            Bits::Inline(b) => b & (1 << i) != 0,
            Bits::Heap(v) => v[i / 64] & (1 << (i % 64)) != 0,
        }
    }
    fn set(&mut self, i: usize) {
        match self {
            Bits::Inline(b) => *b |= 1 << i,
            Bits::Heap(v) => v[i / 64] |= 1 << (i % 64),
        }
    }
    fn clear(&mut self, i: usize) {
        match self {
            Bits::Inline(b) => *b &= !(1 << i),
            Bits::Heap(v) => v[i / 64] &= !(1 << (i % 64)),
        }
    }
}

/// The field a key names, and the spec's spelling of the name it matched (the current name
/// or a legacy one; the linter keeps all of them distinct). Bodies mostly follow the
/// documented order, skipping absent fields, so the search starts after the previous match
/// (`hint`) and wraps around.
fn find_field(fields: &[FieldSpec], key: &str, hint: usize) -> Option<(usize, &'static str)> {
    find_field_bytes(fields, key.as_bytes(), hint)
}

/// [`find_field`] on a key's bytes.
fn find_field_bytes(
    fields: &[FieldSpec],
    key: &[u8],
    hint: usize,
) -> Option<(usize, &'static str)> {
    let named = |f: &FieldSpec| named_as(f, key);
    let start = hint.min(fields.len());
    let (before, after) = fields.split_at(start);
    for (at, f) in after.iter().enumerate() {
        if let Some(n) = named(f) {
            return Some((start + at, n));
        }
    }
    for (i, f) in before.iter().enumerate() {
        if let Some(n) = named(f) {
            return Some((i, n));
        }
    }
    None
}

/// The name of `f` that `key` is (its current or a legacy name).
#[inline(always)]
fn named_as(f: &FieldSpec, key: &[u8]) -> Option<&'static str> {
    if same_bytes(f.name.as_bytes(), key) {
        return Some(f.name);
    }
    f.legacy_names
        .iter()
        .copied()
        .find(|l| same_bytes(l.as_bytes(), key))
}

/// String equality tuned for field names, which share long prefixes (`PCD_PAY_`) and differ
/// near the end: length, then the last eight bytes, then the rest eight at a time, without
/// a call to `memcmp`.
#[inline]
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same`] on bytes.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        // Short names (`list`, `cst_id`).
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    if word(a, n - 8) != word(b, n - 8) {
        return false;
    }
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    true
}

/// The undocumented keys of one object: a short list (no hashing, no allocation beyond the
/// list's) up to a handful, a hash table beyond, so that a body of 100,000 distinct keys is
/// checked for duplicates in linear time.
enum KeySet<'de> {
    Few(Vec<Cow<'de, str>>),
    Many(Box<ManyKeys<'de>>),
}

/// Many keys, compared exactly but kept compact. `keys` holds them in body order; `slots`
/// holds one 8-byte [`Slot`] per key: the top 40 bits of the key's hash (SipHash under this
/// process's random key, so that a body cannot aim at collisions) and the key's place in
/// `keys`. A key whose 40 hash bits an earlier, different key already has (at 200,000 keys,
/// about one chance in 5,000,000 for each new key) goes to `other`, compared whole. A table of the keys
/// themselves is three times as large and re-reads every key when it grows: 200,000 keys
/// then cost 14 times what 20,000 do, where this one stays near 10.
struct ManyKeys<'de, S = RandomState> {
    hasher: S,
    keys: Vec<Cow<'de, str>>,
    slots: HashSet<Slot, BuildHasherDefault<Prehashed>>,
    other: HashSet<Cow<'de, str>>,
}

impl<'de> ManyKeys<'de> {
    fn new() -> Self {
        ManyKeys::with_hasher(RandomState::new())
    }
}

impl<'de, S: BuildHasher> ManyKeys<'de, S> {
    fn with_hasher(hasher: S) -> Self {
        ManyKeys {
            hasher,
            keys: Vec::new(),
            slots: HashSet::default(),
            other: HashSet::new(),
        }
    }

    /// Adds `key`; false if it was there already.
    #[allow(clippy::ptr_arg, reason = "a borrowed key is kept as a reference")]
    fn insert(&mut self, key: &Cow<'de, str>) -> bool {
        let probe = Slot::probe(self.hasher.hash_one(&**key));
        let taken = match self.slots.get(&probe) {
            Some(slot) => {
                if self.keys.get(slot.place()).is_some_and(|k| same(k, key)) {
                    return false;
                }
                true
            }
            None => false,
        };
        if !self.other.is_empty() && self.other.contains(&**key) {
            return false;
        }
        match probe.with_place(self.keys.len()) {
            Some(slot) if !taken => {
                self.slots.insert(slot);
                self.keys.push(key.clone());
            }
            _ => {
                self.other.insert(key.clone());
            }
        }
        true
    }
}

/// The top 40 bits of a key's hash and, below them, the key's place in
/// [`ManyKeys::keys`]. Slots are equal, and hash alike, by their hash bits alone, so that a
/// probe with the hash bits finds the slot with the place.
#[derive(Clone, Copy)]
struct Slot(u64);

impl Slot {
    /// Room for 16,777,216 keys; a body of 4 MiB has fewer than 1,000,000. Keys beyond
    /// go to [`ManyKeys::other`].
    const PLACE_BITS: u32 = 24;

    fn probe(hash: u64) -> Slot {
        Slot(hash >> Self::PLACE_BITS << Self::PLACE_BITS)
    }

    /// The slot for the key at `place`, if the place fits.
    fn with_place(self, place: usize) -> Option<Slot> {
        let place = u64::try_from(place)
            .ok()
            .filter(|p| p >> Self::PLACE_BITS == 0)?;
        Some(Slot(self.0 | place))
    }

    fn hash_bits(self) -> u64 {
        self.0 >> Self::PLACE_BITS
    }

    fn place(self) -> usize {
        usize::try_from(self.0 & ((1 << Self::PLACE_BITS) - 1)).unwrap_or(usize::MAX)
    }
}

impl PartialEq for Slot {
    fn eq(&self, other: &Slot) -> bool {
        self.hash_bits() == other.hash_bits()
    }
}

impl Eq for Slot {}

impl std::hash::Hash for Slot {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Spread the 40 bits over all 64: the table reads both the low bits (where to
        // look) and the top seven (a tag).
        state.write_u64(self.hash_bits().wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }
}

/// The hasher of a table whose keys are hashes already: passes a `u64` through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by `Slot`; folds any other input in.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl<'de> KeySet<'de> {
    /// Keys kept in the list before it becomes a set.
    const FEW: usize = 8;

    fn new() -> Self {
        KeySet::Few(Vec::new())
    }

    /// Whether no key was added.
    fn is_empty(&self) -> bool {
        matches!(self, KeySet::Few(v) if v.is_empty())
    }

    /// Adds `key`; false if it was there already. A borrowed key is copied as a
    /// reference; only keys with escapes (owned) are copied whole.
    #[allow(clippy::ptr_arg, reason = "a borrowed key is kept as a reference")]
    fn insert(&mut self, key: &Cow<'de, str>) -> bool {
        match self {
            KeySet::Few(v) => {
                if v.iter().any(|k| same(k, key)) {
                    return false;
                }
                if v.len() < Self::FEW {
                    v.push(key.clone());
                } else {
                    let mut many = Box::new(ManyKeys::new());
                    for k in v.drain(..) {
                        many.insert(&k);
                    }
                    many.insert(key);
                    *self = KeySet::Many(many);
                }
                true
            }
            KeySet::Many(many) => many.insert(key),
        }
    }
}

/// A short list kept on the stack; the lists of one object hold a handful of entries.
struct Few<T, const N: usize> {
    head: [Option<T>; N],
    len: usize,
    rest: Vec<T>,
}

impl<T, const N: usize> Few<T, N> {
    fn new() -> Self {
        Few {
            head: [const { None }; N],
            len: 0,
            rest: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, item: T) {
        match self.head.get_mut(self.len) {
            Some(slot) => *slot = Some(item),
            None => self.rest.push(item),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        // Only the slots filled so far.
        let filled = self.len.min(N);
        self.head[..filled].iter().flatten().chain(&self.rest)
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        let filled = self.len.min(N);
        self.head[..filled]
            .iter_mut()
            .flatten()
            .chain(&mut self.rest)
    }
}

/// Where a value sits, as a chain of borrowed steps; rendered as a JSON pointer only when a
/// finding needs it, so the clean path builds no strings.
#[derive(Clone, Copy)]
enum Path<'p> {
    /// The body itself.
    Root,
    /// A member of the object at the parent path.
    Key(&'p Path<'p>, &'p str),
    /// An item of the list at the parent path.
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn write(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                out.push('/');
                if key.bytes().any(|b| b == b'~' || b == b'/') {
                    out.push_str(&pointer_token(key));
                } else {
                    out.push_str(key);
                }
            }
            Path::Index(parent, i) => {
                parent.write(out);
                out.push('/');
                out.push_str(itoa(i, &mut [0; 20]));
            }
        }
    }

    /// The JSON pointer (RFC 6901).
    fn pointer(&self) -> String {
        let mut out = String::with_capacity(24);
        self.write(&mut out);
        out
    }

    /// The pointer of this path, which names field `f` (a member of its parent): borrowed
    /// from the spec at the top level of a body.
    fn field_pointer(&self, f: &FieldSpec) -> Cow<'static, str> {
        if let Path::Key(Path::Root, key) = *self
            && let Some(p) = f.top_pointer(key)
        {
            return Cow::Borrowed(p);
        }
        Cow::Owned(self.pointer())
    }

    /// The pointer of member `key` (a name of field `f`) of this object: borrowed from the
    /// spec at the top level of a body.
    fn field_member(&self, f: &FieldSpec, key: &str) -> Cow<'static, str> {
        if let Path::Root = self
            && let Some(p) = f.top_pointer(key)
        {
            return Cow::Borrowed(p);
        }
        Cow::Owned(self.member(key))
    }

    /// The pointer of member `key` of this object.
    fn member(&self, key: &str) -> String {
        if let Path::Root = self
            && !key.bytes().any(|b| b == b'~' || b == b'/')
        {
            // A top-level member (most findings): one allocation of the exact size.
            let mut out = String::with_capacity(key.len() + 1);
            out.push('/');
            out.push_str(key);
            return out;
        }
        Path::Key(self, key).pointer()
    }
}

/// `n` in decimal, without the formatting machinery.
fn itoa(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or("0")
}

fn index_of(fields: &[FieldSpec], name: &str) -> Option<usize> {
    fields.iter().position(|f| same(f.name, name))
}

/// Checks one object against `fields`; `top` is `Some` for the body itself.
fn check_object<'de, M: MapAccess<'de>>(
    cx: &mut Cx<'_>,
    fields: &'static [FieldSpec],
    path: &Path<'_>,
    top: Option<Top<'_>>,
    mut map: M,
) -> Result<(), M::Error> {
    let mut obj = ObjectCheck::new(fields, top);
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match obj.key(cx, path, &key) {
            None => map.next_value_seed(Skip(1))?,
            Some(m) => {
                let f = &fields[m.index];
                let got = map.next_value_seed(ValueSeed {
                    cx: &mut *cx,
                    field: f,
                    path: Path::Key(path, m.name),
                    capture: f.captured,
                })?;
                obj.got(m, got);
            }
        }
    }
    obj.finish(cx, path, top);
    Ok(())
}

/// A documented member of an object, as [`ObjectCheck::key`] found it.
#[derive(Clone, Copy)]
struct Member {
    /// The field's index in the object's fields.
    index: usize,
    /// The name the body used (current or legacy), as the spec spells it.
    name: &'static str,
    /// The field was seen before in this object.
    again: bool,
    /// Findings made before the value was read: where a blank's findings go.
    at: usize,
    /// The key's number in the object.
    nth: usize,
}

/// The state of one object while its members stream past: the same checks whichever
/// reader (serde's or the byte scanner's) delivers the keys and values.
struct ObjectCheck<'de> {
    fields: &'static [FieldSpec],
    method_field: Option<&'static str>,
    seen: Bits,
    /// Values a rule reads later; most objects (list items) have none.
    captured: Few<(usize, Cow<'de, str>), 4>,
    /// (insert position in findings, key number, field index, key) of fields that may not
    /// apply.
    maybe_not_applicable: Few<(usize, usize, usize, &'static str), 16>,
    undocumented: KeySet<'de>,
    /// The names seen of fields that have legacy names.
    names_seen: Few<&'static str, 4>,
    /// Fields sent as `""` or `null` where that may read as absent: (field index, key,
    /// null?, insert position in findings, key number). Resolved once the object is
    /// complete.
    blanks: Vec<(usize, &'static str, bool, usize, usize)>,
    blank_bits: Bits,
    hint: usize,
    /// The number of the key in the object: orders findings placed at one position.
    nth: usize,
}

impl<'de> ObjectCheck<'de> {
    fn new(fields: &'static [FieldSpec], top: Option<Top<'_>>) -> Self {
        ObjectCheck {
            fields,
            method_field: top.and_then(|t| t.method_field),
            seen: Bits::new(fields.len()),
            captured: Few::new(),
            maybe_not_applicable: Few::new(),
            undocumented: KeySet::new(),
            names_seen: Few::new(),
            blanks: Vec::new(),
            blank_bits: Bits::new(fields.len()),
            hint: 0,
            nth: 0,
        }
    }

    /// A key: the documented member it names, or `None` for an undocumented key (reported;
    /// the caller skips its value).
    #[inline]
    #[allow(clippy::ptr_arg, reason = "a borrowed key is kept as a reference")]
    fn key(&mut self, cx: &mut Cx<'_>, path: &Path<'_>, key: &Cow<'de, str>) -> Option<Member> {
        match find_field(self.fields, key, self.hint) {
            Some((i, name)) => Some(self.member(cx, path, i, name)),
            None => {
                self.undocumented(cx, path, key);
                None
            }
        }
    }

    /// A key that names no field of the object (reported; the caller skips its value).
    #[allow(clippy::ptr_arg, reason = "a borrowed key is kept as a reference")]
    fn undocumented(&mut self, cx: &mut Cx<'_>, path: &Path<'_>, key: &Cow<'de, str>) {
        self.nth += 1;
        self.undocumented_key(cx, path, key);
    }

    /// A key that names field `i` of the object, as `name` (its current or a legacy name).
    #[inline(always)]
    fn member(&mut self, cx: &mut Cx<'_>, path: &Path<'_>, i: usize, name: &'static str) -> Member {
        self.nth += 1;
        self.hint = i + 1;
        let f = &self.fields[i];
        // Seen before, under this name or another of the field's names.
        let again = self.seen.get(i);
        if again || !f.legacy_names.is_empty() {
            self.names(cx, path, f, name, again);
        }
        self.seen.set(i);
        if self.method_field.is_some() && f.applies != Applies::Both {
            self.maybe_not_applicable
                .push((cx.findings.len(), self.nth, i, name));
        }
        Member {
            index: i,
            name,
            again,
            at: cx.findings.len(),
            nth: self.nth,
        }
    }

    /// A field seen before or with legacy names: duplicates and legacy names.
    #[inline(never)]
    fn names(
        &mut self,
        cx: &mut Cx<'_>,
        path: &Path<'_>,
        f: &'static FieldSpec,
        name: &'static str,
        again: bool,
    ) {
        if f.legacy_names.is_empty() {
            if again {
                duplicate(cx, path, name);
            }
            // Only a field with legacy names can be named otherwise.
            return;
        }
        if self.names_seen.iter().any(|n| same(n, name)) {
            duplicate(cx, path, name);
        } else {
            // A field sent under its current and a legacy name is two keys, not a duplicate.
            self.names_seen.push(name);
        }
        if !same(name, f.name) {
            legacy_name(cx, path, f, name);
        }
    }

    #[cold]
    #[inline(never)]
    #[allow(clippy::ptr_arg, reason = "a borrowed key is kept as a reference")]
    fn undocumented_key(&mut self, cx: &mut Cx<'_>, path: &Path<'_>, key: &Cow<'de, str>) {
        if !self.undocumented.insert(key) {
            duplicate(cx, path, key);
        } else if !cx.count_if_full(Kind::UndocumentedField, None) {
            let detail = Detail::Undocumented {
                endpoint: cx.ep.id,
                part: cx.part,
            };
            cx.push(
                path.member(key).into(),
                Draft::new(Kind::UndocumentedField, detail),
            );
        }
    }

    /// What the value of member `m` turned out to be.
    #[inline]
    fn got(&mut self, m: Member, got: Got<'de>) {
        let i = m.index;
        match got {
            // One value per field, the last (as in serde_json's trees): a field repeated
            // 100,000 times keeps the end-of-object checks as short as ever.
            Got::Value(Some(text)) => {
                let slot = if m.again {
                    self.captured.iter_mut().find(|(j, _)| *j == i)
                } else {
                    None
                };
                match slot {
                    Some(slot) => slot.1 = text,
                    None => self.captured.push((i, text)),
                }
            }
            Got::Value(None) => {}
            Got::Blank { null } => {
                self.blank_bits.set(i);
                if matches!(self.fields[i].required, Requirement::When(_)) {
                    self.blanks.push((i, m.name, null, m.at, m.nth));
                }
            }
        }
    }

    /// The checks that need the whole object: payment method, requirements, blanks that
    /// turn out to be required, fields that do not apply, success codes.
    fn finish(&mut self, cx: &mut Cx<'_>, path: &Path<'_>, top: Option<Top<'_>>) {
        let fields = self.fields;
        let method_field = self.method_field;
        let seen = &self.seen;
        let captured = &self.captured;
        let maybe_not_applicable = &self.maybe_not_applicable;
        let blanks = &self.blanks;
        let mut blank_bits = std::mem::replace(&mut self.blank_bits, Bits::Inline(0));
        // The values a rule reads (few per object), by field index and by name.
        let value_of = |i: usize| -> Option<&str> {
            captured
                .iter()
                .rev()
                .find(|(j, _)| *j == i)
                .map(|(_, t)| t.as_ref())
        };
        let value_named = |name: &str| -> Option<&str> {
            captured
                .iter()
                .rev()
                .find(|(j, _)| same(fields[*j].name, name))
                .map(|(_, t)| t.as_ref())
        };
        let method = method_field.map(|name| match value_named(name) {
            Some("card") => Applies::Card,
            Some("transfer") => Applies::Transfer,
            _ => Applies::Both,
        });

        // Success or failure of the answer (top level of a response only).
        let outcome = top.and_then(|t| t.result).and_then(|r| {
            let status = r.status.and_then(|(name, _)| value_named(name));
            let code = value_named(r.code_field).filter(|c| !c.is_empty());
            r.outcome(status, code, method.unwrap_or(Applies::Both))
        });
        let facts = Facts {
            fields,
            method,
            outcome,
        };
        // Blanks whose field is required here are values after all: check them as such.
        let required_blanks: Vec<(usize, &'static str, bool, usize, usize)> = if blanks.is_empty() {
            Vec::new()
        } else {
            blanks
                .iter()
                // `null` stays absent (a required one is then missing); `""` becomes a value.
                .filter(|(_, _, null, ..)| !null)
                .filter(|(i, ..)| match fields[*i].required {
                    Requirement::When(c) => facts.holds(&c, seen, &blank_bits, &value_of),
                    _ => false,
                })
                .copied()
                .collect()
        };
        for &(i, ..) in &required_blanks {
            blank_bits.clear(i);
        }
        for (i, key, _null, at, nth) in required_blanks {
            let f = &fields[i];
            let before = cx.findings.len();
            let member = Path::Key(path, key);
            check_text(cx, f, &member, "");
            // Keep body order: the new findings go where the value was (placed below, in one
            // pass with those of fields that do not apply).
            for finding in cx.findings.drain(before..).collect::<Vec<_>>() {
                cx.pending.push((at, 2 * nth + 1, finding));
            }
        }
        // Present: seen, and not a blank that reads as absent.
        let present = |i: usize| seen.get(i) && !blank_bits.get(i);

        if let Some(m) = method.filter(|m| *m != Applies::Both) {
            for &(at, nth, i, key) in maybe_not_applicable.iter() {
                let f = &fields[i];
                if f.applies.admits(m) {
                    continue;
                }
                let only = match f.applies {
                    Applies::Card => "card only",
                    Applies::Transfer => "transfer only",
                    Applies::Both => "both",
                };
                let draft = Draft {
                    field: Some(f.name),
                    expected: Some(only.into()),
                    actual: Some(m.as_str().into()),
                    ..Draft::new(
                        Kind::NotApplicable,
                        Detail::NotApplicable { applies: f.applies },
                    )
                };
                if !cx.count_if_full(Kind::NotApplicable, Some(f.name)) {
                    cx.push_at(at, 2 * nth, path.field_member(f, key), draft);
                }
            }
        }
        cx.place_pending();

        // A required field that is absent.
        let missing = |cx: &mut Cx<'_>, i: usize| {
            let f = &fields[i];
            if matches!(f.required, Requirement::Never) {
                return;
            }
            let method_ok = match (f.applies, method) {
                (Applies::Both, _) | (_, None) => true,
                (a, Some(m)) => a == m,
            };
            let condition_ok = method_ok
                && match &f.required {
                    Requirement::Always => true,
                    Requirement::Never => false,
                    Requirement::When(c) => facts.holds(c, seen, &blank_bits, &value_of),
                };
            if condition_ok {
                missing_required(cx, path, f);
            }
        };
        // The fields not present, in field order: from the bit sets when they are inline,
        // so that an object with every field present costs one test.
        match (seen, &blank_bits) {
            (Bits::Inline(s), Bits::Inline(b)) => {
                let all = match fields.len() {
                    0 => 0,
                    n => u128::MAX >> (128 - n.min(128)),
                };
                let mut rest = !(s & !b) & all;
                while rest != 0 {
                    let i = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    missing(cx, i);
                }
            }
            _ => {
                for i in 0..fields.len() {
                    if !present(i) {
                        missing(cx, i);
                    }
                }
            }
        }

        if let Some(r) = top.and_then(|t| t.result) {
            let code = value_named(r.code_field);
            let status = r
                .status
                .and_then(|(name, success)| match value_named(name) {
                    Some(v) => Some((name, success, Some(v))),
                    // Present but not a string, or absent.
                    None => index_of(fields, name)
                        .filter(|&i| present(i))
                        .map(|_| (name, success, None)),
                });
            if let Some(code) = code {
                check_result(cx, r, code, status, method.unwrap_or(Applies::Both));
            }
        }
    }
}

/// Reports required field `f` of the object at `path` as missing (out of line: the checks
/// that lead here stay small).
#[cold]
#[inline(never)]
fn missing_required(cx: &mut Cx<'_>, path: &Path<'_>, f: &'static FieldSpec) {
    let (because, on, method) = match f.required {
        Requirement::When(c) => (c.sibling.map(|s| s.field), c.on, c.method),
        _ => (None, Outcome::Any, Applies::Both),
    };
    let draft = Draft {
        rule: f.rules.required_rule,
        at_most_warning: f.required_contested,
        field: Some(f.name),
        type_code: f.type_code.map(|t| t.notation),
        expected: Some("present".into()),
        actual: Some("absent".into()),
        ..Draft::new(
            Kind::MissingRequired,
            Detail::Missing {
                because,
                on,
                method,
            },
        )
    };
    cx.push(path.field_member(f, f.name), draft);
}

/// What a conditional requirement reads once an object is complete.
struct Facts {
    fields: &'static [FieldSpec],
    method: Option<Applies>,
    outcome: Option<Outcome>,
}

impl Facts {
    /// Whether every part of `c` holds.
    fn holds<'v>(
        &self,
        c: &Condition,
        seen: &Bits,
        blank: &Bits,
        value_of: &dyn Fn(usize) -> Option<&'v str>,
    ) -> bool {
        let sibling_ok = match c.sibling {
            None => true,
            Some(s) => {
                let present =
                    s.index < self.fields.len() && seen.get(s.index) && !blank.get(s.index);
                if s.absent {
                    !present
                } else {
                    present
                        && match s.values {
                            None => true,
                            Some(vals) => value_of(s.index).is_some_and(|v| vals.contains(&v)),
                        }
                }
            }
        };
        let method_ok = c.method == Applies::Both || self.method == Some(c.method);
        let on_ok = match c.on {
            Outcome::Any => true,
            on => self.outcome == Some(on),
        };
        sibling_ok && method_ok && on_ok
    }
}

/// Reports field `f` sent under its legacy name `name`.
#[cold]
#[inline(never)]
fn legacy_name(cx: &mut Cx<'_>, path: &Path<'_>, f: &'static FieldSpec, name: &'static str) {
    let draft = Draft {
        field: Some(f.name),
        expected: Some(f.name.into()),
        actual: Some(name.into()),
        ..Draft::new(Kind::LegacyFieldName, Detail::Legacy)
    };
    cx.push(path.field_member(f, name), draft);
}

fn duplicate(cx: &mut Cx<'_>, path: &Path<'_>, key: &str) {
    if cx.count_if_full(Kind::MalformedBody, None) {
        return;
    }
    let pointer = path.member(key);
    let draft = Draft {
        expected: Some("each key once".into()),
        actual: Some(key.to_string().into()),
        ..Draft::new(Kind::MalformedBody, Detail::Duplicate)
    };
    cx.push(pointer.into(), draft);
}

fn check_result(
    cx: &mut Cx<'_>,
    r: &ResultSpec,
    code: &str,
    status: Option<(&'static str, &'static str, Option<&str>)>,
    method: Applies,
) {
    let pointer = || Path::Root.member(r.code_field);
    if !r.catalog.is_empty() && r.lookup(code).is_none() {
        let draft = Draft {
            field: Some(r.code_field),
            actual: Some(code.to_string().into()),
            ..Draft::new(Kind::UnknownResultCode, Detail::UnknownCode)
        };
        cx.push(pointer().into(), draft);
    }
    let Some((status_field, success, status)) = status else {
        return;
    };
    let says_success = status == Some(success);
    let is_success_code = r.is_success_code(code, method);
    if says_success == is_success_code {
        method_pairing(cx, r, code, says_success, method);
        return;
    }
    let expected: Cow<'static, str> = if says_success {
        let codes: Vec<&str> = r
            .success_codes
            .iter()
            .filter(|(_, a)| a.admits(method))
            .map(|(c, _)| *c)
            .collect();
        codes.join(" | ").into()
    } else {
        "a failure code".into()
    };
    let draft = Draft {
        rule: Some(r.success_rule),
        field: Some(r.code_field),
        expected: Some(expected),
        actual: Some(code.to_string().into()),
        ..Draft::new(
            Kind::SuccessCodeMismatch,
            Detail::SuccessMismatch {
                status_field,
                success,
                says_success,
                method,
            },
        )
    };
    cx.push(pointer().into(), draft);
}

/// The weaker per-method pairing of success codes (`method_codes`): a success code that
/// the pairing gives to the other method is a warning, never an error.
fn method_pairing(
    cx: &mut Cx<'_>,
    r: &ResultSpec,
    code: &str,
    says_success: bool,
    method: Applies,
) {
    let Some(rule) = r.method_rule else { return };
    if !says_success || method == Applies::Both {
        return;
    }
    let code = strip_test_prefix(code);
    let mine = || {
        r.method_codes
            .iter()
            .filter(|(_, a)| *a == method)
            .map(|(c, _)| *c)
    };
    if mine().next().is_none() || mine().any(|c| c == code) {
        return;
    }
    let mine: Vec<&str> = mine().collect();
    let draft = Draft {
        rule: Some(rule),
        at_most_warning: true,
        field: Some(r.code_field),
        expected: Some(mine.join(" | ").into()),
        actual: Some(code.to_string().into()),
        ..Draft::new(Kind::SuccessCodeMismatch, Detail::MethodCode { method })
    };
    cx.push(Path::Root.member(r.code_field).into(), draft);
}

/// An object key, borrowed from the input when possible.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// What a documented field's value turned out to be.
enum Got<'de> {
    /// A value; its text when the field is captured.
    Value(Option<Cow<'de, str>>),
    /// `""` or `null` in a field that is not always required: absent, unless a condition
    /// makes the field required (resolved when the object closes).
    Blank { null: bool },
}

/// The value of a documented field; yields the string when `capture` is set.
struct ValueSeed<'c, 'a, 'p> {
    cx: &'c mut Cx<'a>,
    field: &'static FieldSpec,
    path: Path<'p>,
    capture: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = Got<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Whether `""` (or `null`) in `f` may read as absent: the spec declares the leniency and
/// the field is not always required.
fn blank_is_absent(f: &FieldSpec, null: bool) -> bool {
    let declared = if null {
        crate::generated::WIRE_LENIENCY.null_is_absent.is_some()
    } else {
        crate::generated::WIRE_LENIENCY
            .empty_string_is_absent
            .is_some()
    };
    // `null` is absent everywhere: a required field sent as `null` is missing.
    declared && (null || !matches!(f.required, Requirement::Always))
}

/// The checks of a string value: type code, value set, format.
fn check_text(cx: &mut Cx<'_>, f: &'static FieldSpec, path: &Path<'_>, s: &str) {
    if !matches!(f.shape, FieldShape::Scalar) {
        mismatch(cx, f, path, &Value::String(s.to_string()));
        return;
    }
    if let Some(code) = &f.type_code
        && let Err(why) = code.check(s)
    {
        // A bad character stops the check; the length (a separate rule, with its own
        // evidence) is still measured.
        let too_long = match (&why, code.max_len) {
            (TypeCodeError::BadChar { .. }, Some(max)) => {
                let len = s.chars().count();
                (len > max as usize).then_some(Breach::TooLong { len, max })
            }
            _ => None,
        };
        // Both broken: one finding (one fingerprint per kind and pointer), for the length,
        // the documented rule.
        let why = match too_long {
            Some(Breach::TooLong { len, max }) => TypeCodeError::TooLong { len, max },
            _ => why,
        };
        let (breach, rule) = match why {
            TypeCodeError::TooLong { len, max } => {
                (Breach::TooLong { len, max }, f.rules.type_rule)
            }
            TypeCodeError::BadChar { ch, at } => (
                Breach::BadChar {
                    ch: (!f.sensitive).then_some(ch),
                    at,
                },
                // Which characters a letter admits is our reading of the notation.
                crate::generated::ALPHABET_RULE,
            ),
            // Compiled codes are valid; a bad one would be a generator bug.
            TypeCodeError::BadCode(_) => (Breach::BadChar { ch: None, at: 0 }, f.rules.type_rule),
        };
        let draft = Draft {
            rule: Some(rule),
            field: Some(f.name),
            type_code: Some(code.notation),
            expected: Some(code.notation.into()),
            actual: Some(shown_str(s, f.sensitive).into()),
            ..Draft::new(Kind::TypeCodeViolation, Detail::TypeCode(breach))
        };
        cx.push(path.field_pointer(f), draft);
    }
    check_value_set_and_format(cx, f, path, s);
}

/// The checks of a string value after its type code: value set, format.
#[inline]
fn check_value_set_and_format(cx: &mut Cx<'_>, f: &'static FieldSpec, path: &Path<'_>, s: &str) {
    if !f.values.is_empty() && !f.values.contains(&s) {
        not_in_value_set(cx, f, path, s);
    }
    if !f.formats.is_empty() && !f.formats.iter().any(|fm| has_format(fm, s)) {
        not_in_format(cx, f, path, s);
    }
}

/// Reports value `s` of field `f`, which is not in the field's value set.
#[cold]
#[inline(never)]
fn not_in_value_set(cx: &mut Cx<'_>, f: &'static FieldSpec, path: &Path<'_>, s: &str) {
    let (kind, detail) = if f.values_open {
        (
            Kind::UnknownValue,
            Detail::UnknownValue { values: f.values },
        )
    } else {
        (
            Kind::InvalidValue,
            Detail::InvalidValue { values: f.values },
        )
    };
    let draft = Draft {
        rule: Some(f.rules.values_rule),
        at_most_warning: f.values_open,
        field: Some(f.name),
        type_code: f.type_code.map(|t| t.notation),
        expected: Some(f.values.join(" | ").into()),
        actual: Some(shown_str(s, f.sensitive).into()),
        ..Draft::new(kind, detail)
    };
    cx.push(path.field_pointer(f), draft);
}

/// Reports value `s` of field `f`, which has none of the field's formats.
#[cold]
#[inline(never)]
fn not_in_format(cx: &mut Cx<'_>, f: &'static FieldSpec, path: &Path<'_>, s: &str) {
    // The reason, for the message: the first format's.
    if let Some(Err(e)) = f.formats.first().map(|fm| fm.parse(s)) {
        let patterns: Vec<&str> = f.formats.iter().map(|fm| fm.pattern).collect();
        let draft = Draft {
            rule: Some(f.rules.format_rule),
            field: Some(f.name),
            type_code: f.type_code.map(|t| t.notation),
            expected: Some(patterns.join(" | ").into()),
            actual: Some(shown_str(s, f.sensitive).into()),
            ..Draft::new(Kind::InvalidFormat, Detail::Format(e))
        };
        cx.push(path.field_pointer(f), draft);
    }
}

/// Whether `s` has format `fm`; digit strings (amounts, counts) without the general reader.
#[inline]
fn has_format(fm: &FormatSpec, s: &str) -> bool {
    fits_format(fm, s.as_bytes()).unwrap_or_else(|| crate::datefmt::parse(fm.pieces, s).is_ok())
}

/// Whether `b` has format `fm`, decided on the bytes; `None` when only the general reader
/// can tell ([`fits_pieces`]).
#[inline]
fn fits_format(fm: &FormatSpec, b: &[u8]) -> Option<bool> {
    match fm.pieces {
        [crate::datefmt::Piece::Digits] => Some(!b.is_empty() && b.iter().all(u8::is_ascii_digit)),
        pieces => fits_pieces(pieces, b),
    }
}

/// Whether ASCII value `raw` of field `f` passes [`check_value_set_and_format`], decided on
/// the bytes; `None` when only the text can tell (a format the byte check leaves to the
/// general reader).
#[inline]
fn value_set_and_format_hold(f: &FieldSpec, raw: &[u8]) -> Option<bool> {
    if !f.values.is_empty() && !f.values.iter().any(|v| v.as_bytes() == raw) {
        return Some(false);
    }
    if f.formats.is_empty() {
        return Some(true);
    }
    let mut undecided = false;
    for fm in f.formats {
        match fits_format(fm, raw) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => undecided = true,
        }
    }
    if undecided { None } else { Some(false) }
}

/// Whether `s` has the shape and calendar of `pieces`, for patterns of fixed-width digit
/// pieces and ASCII literals (`YYYY-MM-DD hh:mm:ss`), without building a
/// [`crate::datefmt::DateTime`]; `None` for other patterns (the general reader decides).
/// Agrees with `datefmt::parse(..).is_ok()` (tested).
#[inline]
fn fits_pieces(pieces: &[crate::datefmt::Piece], b: &[u8]) -> Option<bool> {
    use crate::datefmt::Piece;
    let mut at = 0usize;
    let (mut year, mut month, mut day) = (None, None, 0u8);
    for piece in pieces {
        let width = match *piece {
            Piece::Literal(c) => {
                if !c.is_ascii() {
                    return None;
                }
                if b.get(at) != Some(&(c as u8)) {
                    return Some(false);
                }
                at += 1;
                continue;
            }
            Piece::Digits => return None,
            Piece::Year => 4,
            Piece::Milli => 3,
            Piece::Month | Piece::Day | Piece::Hour | Piece::Minute | Piece::Second => 2,
        };
        let Some(digits) = b.get(at..at + width) else {
            return Some(false);
        };
        at += width;
        let mut n = 0u16;
        for &d in digits {
            let v = d.wrapping_sub(b'0');
            if v > 9 {
                return Some(false);
            }
            n = n * 10 + u16::from(v);
        }
        // Ranges (a year and a millisecond take any value of their width).
        let fits = match piece {
            Piece::Year => {
                year = Some(n);
                true
            }
            Piece::Month => {
                month = Some(n as u8);
                (1..=12).contains(&n)
            }
            Piece::Day => {
                day = n as u8;
                (1..=31).contains(&n)
            }
            Piece::Hour => n <= 23,
            Piece::Minute | Piece::Second => n <= 59,
            _ => true,
        };
        if !fits {
            return Some(false);
        }
    }
    if at != b.len() {
        return Some(false);
    }
    if day != 0 && month.is_some_and(|m| day > crate::datefmt::days_in_month(year, m)) {
        return Some(false);
    }
    Some(true)
}

/// A JSON type other than the documented one.
fn mismatch(cx: &mut Cx<'_>, f: &'static FieldSpec, path: &Path<'_>, other: &Value) {
    let expected = match f.shape {
        FieldShape::Scalar => "string",
        FieldShape::Object(_) => "object",
        FieldShape::List(_) => "array",
    };
    let got = json_type(other);
    let draft = Draft {
        rule: Some(f.rules.type_rule),
        field: Some(f.name),
        type_code: f.type_code.map(|t| t.notation),
        expected: Some(expected.into()),
        actual: Some(format!("{got} {}", shown(other, f.sensitive)).into()),
        ..Draft::new(Kind::JsonTypeMismatch, Detail::JsonType { got })
    };
    cx.push(path.field_pointer(f), draft);
}

impl<'de> ValueSeed<'_, '_, '_> {
    fn string(self, s: &str) -> Option<Got<'de>> {
        if s.is_empty() && blank_is_absent(self.field, false) {
            return Some(Got::Blank { null: false });
        }
        check_text(self.cx, self.field, &self.path, s);
        None
    }

    /// A JSON number: a lenient form of a digit string where the spec declares it, else a
    /// type mismatch.
    fn number(self, n: Value, whole: bool) -> Got<'de> {
        let f = self.field;
        let lenient = crate::generated::WIRE_LENIENCY.number_for_numeric_string;
        match lenient {
            Some(rule) if whole && f.numeric && matches!(f.shape, FieldShape::Scalar) => {
                let draft = Draft {
                    rule: Some(rule),
                    at_most_warning: true,
                    field: Some(f.name),
                    type_code: f.type_code.map(|t| t.notation),
                    expected: Some("string".into()),
                    actual: Some(shown(&n, f.sensitive).into()),
                    ..Draft::new(Kind::LenientForm, Detail::Lenient)
                };
                self.cx.push(self.path.field_pointer(f), draft);
            }
            _ => mismatch(self.cx, f, &self.path, &n),
        }
        Got::Value(None)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = Got<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let capture = self.capture;
        if let Some(blank) = self.string(v) {
            return Ok(blank);
        }
        Ok(Got::Value(capture.then_some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let capture = self.capture;
        if let Some(blank) = self.string(v) {
            return Ok(blank);
        }
        Ok(Got::Value(capture.then(|| Cow::Owned(v.to_string()))))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        mismatch(self.cx, self.field, &self.path, &Value::Bool(v));
        Ok(Got::Value(None))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.number(Value::from(v), v >= 0))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.number(Value::from(v), true))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.number(Value::from(v), v >= 0.0 && v.fract() == 0.0))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if blank_is_absent(self.field, true) {
            return Ok(Got::Blank { null: true });
        }
        mismatch(self.cx, self.field, &self.path, &Value::Null);
        Ok(Got::Value(None))
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        match self.field.shape {
            FieldShape::Object(fields) => {
                check_object(self.cx, fields, &self.path, None, map)?;
            }
            _ => {
                let value = Value::deserialize(MapAccessDeserializer::new(map))?;
                mismatch(self.cx, self.field, &self.path, &value);
            }
        }
        Ok(Got::Value(None))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        match self.field.shape {
            FieldShape::List(fields) => {
                let mut i = 0usize;
                loop {
                    let seed = ItemSeed {
                        cx: &mut *self.cx,
                        field: self.field,
                        fields,
                        path: Path::Index(&self.path, i),
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
                mismatch(self.cx, self.field, &self.path, &value);
            }
        }
        Ok(Got::Value(None))
    }
}

/// One item of a documented list: must be an object.
struct ItemSeed<'c, 'a, 'p> {
    cx: &'c mut Cx<'a>,
    field: &'static FieldSpec,
    fields: &'static [FieldSpec],
    path: Path<'p>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ItemSeed<'_, '_, '_> {
    fn not_object(self, what: &'static str) {
        let draft = Draft {
            rule: Some(self.field.rules.type_rule),
            field: Some(self.field.name),
            expected: Some("object".into()),
            actual: Some(what.into()),
            ..Draft::new(Kind::JsonTypeMismatch, Detail::ItemNotObject)
        };
        self.cx.push(self.path.pointer().into(), draft);
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<(), M::Error> {
        check_object(self.cx, self.fields, &self.path, None, map)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element_seed(Skip(1))?.is_some() {}
        self.not_object("array");
        Ok(())
    }

    scalars_are_not_objects!(not_object);
}

/// The deepest nesting a skipped value may have (as serde_json allows for trees).
const MAX_SKIP_DEPTH: usize = 128;

/// Skips a value the spec does not describe, refusing nesting deeper than
/// [`MAX_SKIP_DEPTH`] so that a hostile body is reported instead of walked.
#[derive(Clone, Copy)]
struct Skip(usize);

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let inner = self.deeper::<M::Error>()?;
        while map.next_key_seed(inner)?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let inner = self.deeper::<S::Error>()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
}

impl Skip {
    fn deeper<E: de::Error>(self) -> Result<Skip, E> {
        if self.0 >= MAX_SKIP_DEPTH {
            Err(E::custom(format!(
                "nesting deeper than {MAX_SKIP_DEPTH} levels"
            )))
        } else {
            Ok(Skip(self.0 + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_agrees_with_string_equality() {
        let names = [
            "",
            "a",
            "list",
            "cst_id",
            "PCD_PAY",
            "PCD_PAY_",
            "PCD_PAY_RST",
            "PCD_PAY_MST",
            "XCD_PAY_RST",
            "PCD_PAY_CARDNAME",
            "QCD_PAY_CARDNAME",
            "PCD_PAY_CARDNAMF",
            "PCD_PAY_CARDTRADENUM",
            "PCD_PAX_CARDTRADENUM",
            "PCD_PAY_CARDTRADENUN",
            "결제완료_PCD_PAY",
        ];
        for a in names {
            for b in names {
                assert_eq!(same(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn fields_are_found_in_any_order_and_by_legacy_name() {
        let ep = crate::endpoint("cpay.result_inquiry").expect("known");
        let fields = ep.response;
        for (i, f) in fields.iter().enumerate() {
            for hint in [0, i, i + 1, fields.len(), fields.len() + 5] {
                assert_eq!(find_field(fields, f.name, hint), Some((i, f.name)));
                for l in f.legacy_names {
                    assert_eq!(find_field(fields, l, hint), Some((i, *l)));
                }
            }
        }
        assert_eq!(find_field(fields, "PCD_NOT_A_FIELD", 0), None);
    }

    /// Every key hashes alike: each after the first collides.
    #[derive(Default)]
    struct Constant;

    impl Hasher for Constant {
        fn finish(&self) -> u64 {
            0x1234_5678_9abc_def0
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn many_keys_are_exact_even_when_hashes_collide() {
        let keys: Vec<String> = (0..300).map(|i| format!("k{}", i % 100)).collect();
        let mut real = ManyKeys::new();
        let mut colliding = ManyKeys::with_hasher(BuildHasherDefault::<Constant>::default());
        let mut set = KeySet::new();
        for (i, k) in keys.iter().enumerate() {
            let key = if i % 2 == 0 {
                Cow::Borrowed(k.as_str())
            } else {
                Cow::Owned(k.clone())
            };
            let new = i < 100;
            assert_eq!(real.insert(&key), new, "{k}");
            assert_eq!(colliding.insert(&key), new, "{k}");
            assert_eq!(set.insert(&key), new, "{k}");
        }
        assert_eq!(colliding.keys.len(), 1);
        assert_eq!(colliding.other.len(), 99);
        assert_eq!(real.keys.len() + real.other.len(), 100);
        assert!(matches!(set, KeySet::Many(_)));
    }

    #[test]
    fn slots_compare_by_hash_bits_and_carry_their_place() {
        let probe = Slot::probe(u64::MAX);
        let slot = probe.with_place(77).expect("fits");
        assert!(slot == probe);
        assert_eq!(slot.place(), 77);
        assert!(probe.with_place(1 << Slot::PLACE_BITS).is_none());
        assert!(Slot::probe(0) != probe);
    }

    /// The scanner compares field names with the raw bytes of a key
    /// ([`scan`]'s `expected_key`): that is exact only for names without a character a JSON
    /// string escapes.
    #[test]
    fn field_names_need_no_escapes() {
        fn walk(fields: &[FieldSpec]) {
            for f in fields {
                for name in std::iter::once(&f.name).chain(f.legacy_names) {
                    assert!(
                        !name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20),
                        "{name:?}"
                    );
                }
                if let FieldShape::Object(inner) | FieldShape::List(inner) = f.shape {
                    walk(inner);
                }
            }
        }
        for ep in crate::endpoints() {
            walk(ep.request);
            walk(ep.response);
        }
    }

    /// The fixed-width fast path of the date formats agrees with the general reader.
    #[test]
    fn date_fast_path_agrees_with_the_reader() {
        let mut formats: Vec<FormatSpec> = Vec::new();
        fn walk(fields: &[FieldSpec], out: &mut Vec<FormatSpec>) {
            for f in fields {
                for fm in f.formats {
                    if !out.iter().any(|o| o.id == fm.id) {
                        out.push(*fm);
                    }
                }
                if let FieldShape::Object(inner) | FieldShape::List(inner) = f.shape {
                    walk(inner, out);
                }
            }
        }
        for ep in crate::endpoints() {
            walk(ep.request, &mut formats);
            walk(ep.response, &mut formats);
        }
        assert!(formats.iter().any(|f| fits_pieces(f.pieces, b"").is_some()));
        let mut values = vec![
            String::new(),
            "2021-10-26 10:55:03".into(),
            "2024-02-29 23:59:59".into(),
            "2023-02-29 00:00:00".into(),
            "20231345".into(),
            "9639-70-36 99:99:99".into(),
            "2021-10-26T10:55:03".into(),
            "２０２１".into(),
            "2021-1-26 10:55:03".into(),
            "2021-10-26 10:55:03 ".into(),
        ];
        // Every date of a few years and every time of a few hours, with the digits shifted.
        for y in [0u16, 1900, 2000, 2023, 2024, 9999] {
            for m in 0..=13u8 {
                for d in 0..=32u8 {
                    values.push(format!("{y:04}{m:02}{d:02}"));
                    values.push(format!(
                        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                        d,
                        m * 5,
                        d * 2
                    ));
                    values.push(format!(
                        "{y:04}{m:02}{d:02}{:02}{:02}{:02}{:03}",
                        d,
                        m * 5,
                        d * 2,
                        d
                    ));
                    values.push(format!("{y:04}{m:02}"));
                }
            }
        }
        for fm in &formats {
            for v in &values {
                if let Some(fast) = fits_pieces(fm.pieces, v.as_bytes()) {
                    assert_eq!(fast, fm.parse(v).is_ok(), "{} {v:?}", fm.pattern);
                }
                assert_eq!(
                    has_format(fm, v),
                    fm.parse(v).is_ok(),
                    "{} {v:?}",
                    fm.pattern
                );
            }
        }
    }

    #[test]
    fn pointers_escape_keys_and_number_items() {
        let root = Path::Root;
        let list = Path::Key(&root, "a/b~c");
        let item = Path::Index(&list, 107);
        assert_eq!(item.member("x"), "/a~1b~0c/107/x");
        assert_eq!(Path::Index(&root, 0).pointer(), "/0");
        assert_eq!(root.pointer(), "");
    }
}
