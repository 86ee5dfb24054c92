//! The validator proper: serde seeds that check a body while it is deserialized.
//!
//! Keys and strings are borrowed from the input where the deserializer allows it; pointers
//! and messages are only built for findings. Checks that need the whole object (payment
//! method, conditional requirements, success codes) are resolved when the object closes,
//! from the few sibling values captured on the way.

use super::{Cx, Kind, json_type, pointer_token, shown};
use crate::runtime::*;
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

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
        self.cx.push(
            Kind::MalformedBody,
            "",
            None,
            None,
            Some("a JSON object".into()),
            Some(format!("a JSON {what}")),
            format!("the body is a JSON {what}, not an object"),
        );
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
        check_object(self.cx, fields, "", Some(top), map)
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
}

/// The field a key names: its current name first, then legacy names.
fn find_field(fields: &[FieldSpec], key: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.name == key)
        .or_else(|| fields.iter().position(|f| f.legacy_names.contains(&key)))
}

fn pointer_of(prefix: &str, key: &str) -> String {
    if key.contains(['~', '/']) {
        format!("{prefix}/{}", pointer_token(key))
    } else {
        let mut p = String::with_capacity(prefix.len() + 1 + key.len());
        p.push_str(prefix);
        p.push('/');
        p.push_str(key);
        p
    }
}

fn index_of(fields: &[FieldSpec], name: &str) -> Option<usize> {
    fields.iter().position(|f| f.name == name)
}

/// Checks one object against `fields`; `top` is `Some` for the body itself.
fn check_object<'de, M: MapAccess<'de>>(
    cx: &mut Cx<'_>,
    fields: &'static [FieldSpec],
    prefix: &str,
    top: Option<Top<'_>>,
    mut map: M,
) -> Result<(), M::Error> {
    // Fields whose value a later decision needs: condition targets, and at the top level the
    // payment-method, status and code fields.
    let mut wanted = Bits::new(fields.len());
    for f in fields {
        if let Requirement::When { field, .. } = f.required
            && let Some(i) = index_of(fields, field)
        {
            wanted.set(i);
        }
    }
    if let Some(t) = top {
        let names = [
            t.method_field,
            t.result.map(|r| r.code_field),
            t.result.and_then(|r| r.status.map(|(s, _)| s)),
        ];
        for i in names
            .into_iter()
            .flatten()
            .filter_map(|n| index_of(fields, n))
        {
            wanted.set(i);
        }
    }
    let method_field = top.and_then(|t| t.method_field);
    let mut seen = Bits::new(fields.len());
    let mut captured: Vec<(usize, Cow<'de, str>)> = Vec::new();
    // (insert position in findings, field index, key) of fields that may not apply.
    let mut maybe_not_applicable: Vec<(usize, usize, Cow<'de, str>)> = Vec::new();
    let mut undocumented: Vec<Cow<'de, str>> = Vec::new();
    let mut legacy_keys: Vec<Cow<'de, str>> = Vec::new();

    while let Some(key) = map.next_key_seed(KeySeed)? {
        let Some(i) = find_field(fields, &key) else {
            let pointer = pointer_of(prefix, &key);
            if undocumented.contains(&key) {
                duplicate(cx, &pointer, &key);
            } else {
                cx.push(
                    Kind::UndocumentedField,
                    &pointer,
                    None,
                    None,
                    None,
                    None,
                    format!(
                        "`{key}` is not a documented field of {} {}",
                        cx.ep.id, cx.part
                    ),
                );
                undocumented.push(key);
            }
            map.next_value_seed(Skip(1))?;
            continue;
        };
        let f = &fields[i];
        if f.legacy_names.is_empty() {
            if seen.get(i) {
                duplicate(cx, &pointer_of(prefix, &key), &key);
            }
        } else if legacy_keys.contains(&key) {
            duplicate(cx, &pointer_of(prefix, &key), &key);
        } else {
            // A field sent under its current and a legacy name is two keys, not a duplicate.
            legacy_keys.push(key.clone());
        }
        seen.set(i);
        if *key != *f.name {
            cx.push(
                Kind::LegacyFieldName,
                &pointer_of(prefix, &key),
                Some(f.name),
                None,
                Some(f.name.to_string()),
                Some(key.to_string()),
                format!("`{key}` is the legacy name of `{}`", f.name),
            );
        }
        if method_field.is_some() && f.applies != Applies::Both {
            maybe_not_applicable.push((cx.findings.len(), i, key.clone()));
        }
        let got = map.next_value_seed(ValueSeed {
            cx: &mut *cx,
            field: f,
            prefix,
            key: &key,
            capture: wanted.get(i),
        })?;
        if let Some(text) = got {
            captured.push((i, text));
        }
    }

    let value_of = |i: usize| -> Option<&str> {
        captured
            .iter()
            .rev()
            .find(|(j, _)| *j == i)
            .map(|(_, t)| t.as_ref())
    };
    let method = method_field.map(|name| match index_of(fields, name).and_then(value_of) {
        Some("card") => Applies::Card,
        Some("transfer") => Applies::Transfer,
        _ => Applies::Both,
    });

    if let Some(m) = method.filter(|m| *m != Applies::Both) {
        for (at, i, key) in maybe_not_applicable.into_iter().rev() {
            let f = &fields[i];
            if f.applies.admits(m) {
                continue;
            }
            let finding = cx.finding(
                Kind::NotApplicable,
                &pointer_of(prefix, &key),
                Some(f.name),
                None,
                Some(format!("{} only", f.applies.as_str())),
                Some(m.as_str().to_string()),
                format!(
                    "`{}` applies to {} payments but the body is a {} payment",
                    f.name,
                    f.applies.as_str(),
                    m.as_str()
                ),
            );
            cx.findings.insert(at, finding);
        }
    }

    for (i, f) in fields.iter().enumerate() {
        if seen.get(i) {
            continue;
        }
        let method_ok = match (f.applies, method) {
            (Applies::Both, _) | (_, None) => true,
            (a, Some(m)) => a == m,
        };
        let condition_ok = match f.required {
            Requirement::Always => true,
            Requirement::Never => false,
            Requirement::When { field, values } => match index_of(fields, field) {
                Some(j) if seen.get(j) => match values {
                    None => true,
                    Some(vals) => value_of(j).is_some_and(|s| vals.contains(&s)),
                },
                _ => false,
            },
        };
        if method_ok && condition_ok {
            let why = match f.required {
                Requirement::When { field, .. } => format!(" (required because of `{field}`)"),
                _ => String::new(),
            };
            cx.push(
                Kind::MissingRequired,
                &pointer_of(prefix, f.name),
                Some(f.name),
                f.type_code.as_ref(),
                Some("present".into()),
                Some("absent".into()),
                format!("required field `{}` is missing{why}", f.name),
            );
        }
    }

    if let Some(r) = top.and_then(|t| t.result) {
        let code = index_of(fields, r.code_field).and_then(value_of);
        let status = r.status.and_then(|(name, success)| {
            index_of(fields, name)
                .filter(|&i| seen.get(i))
                .map(|i| (name, success, value_of(i)))
        });
        if let Some(code) = code {
            check_result(cx, r, code, status, method.unwrap_or(Applies::Both));
        }
    }
    Ok(())
}

fn duplicate(cx: &mut Cx<'_>, pointer: &str, key: &str) {
    cx.push(
        Kind::MalformedBody,
        pointer,
        None,
        None,
        Some("each key once".into()),
        Some(key.to_string()),
        format!(
            "`{key}` appears more than once in one object; JSON parsers disagree about which value counts"
        ),
    );
}

fn check_result(
    cx: &mut Cx<'_>,
    r: &ResultSpec,
    code: &str,
    status: Option<(&str, &str, Option<&str>)>,
    method: Applies,
) {
    let pointer = pointer_of("", r.code_field);
    if !r.catalog.is_empty() && !r.catalog.iter().any(|e| e.code == code) {
        cx.push(
            Kind::UnknownResultCode,
            &pointer,
            Some(r.code_field),
            None,
            None,
            Some(code.to_string()),
            format!("result code `{code}` is not in the response-code catalog"),
        );
    }
    let Some((status_field, success, status)) = status else {
        return;
    };
    let says_success = status == Some(success);
    let is_success_code = r.is_success_code(code, method);
    if says_success == is_success_code {
        return;
    }
    let expected: Vec<&str> = r
        .success_codes
        .iter()
        .filter(|(_, a)| a.admits(method))
        .map(|(c, _)| *c)
        .collect();
    let message = if says_success {
        format!(
            "`{status_field}` is `{success}` but `{code}` is not a success code for {} (expected {})",
            if method == Applies::Both {
                "this endpoint"
            } else {
                method.as_str()
            },
            expected.join(" or ")
        )
    } else {
        format!("`{status_field}` does not say `{success}` but `{code}` is a success code")
    };
    cx.push(
        Kind::SuccessCodeMismatch,
        &pointer,
        Some(r.code_field),
        None,
        Some(if says_success {
            expected.join(" | ")
        } else {
            "a failure code".into()
        }),
        Some(code.to_string()),
        message,
    );
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

/// The value of a documented field; yields the string when `capture` is set.
struct ValueSeed<'c, 'a, 'k> {
    cx: &'c mut Cx<'a>,
    field: &'static FieldSpec,
    prefix: &'k str,
    key: &'k str,
    capture: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_, '_, '_> {
    fn pointer(&self) -> String {
        pointer_of(self.prefix, self.key)
    }

    fn string(self, s: &str) {
        let f = self.field;
        if !matches!(f.shape, FieldShape::Scalar) {
            self.mismatch(&Value::String(s.to_string()));
            return;
        }
        if let Some(code) = &f.type_code
            && let Err(why) = code.check(s)
        {
            let what = match why {
                TypeCodeError::BadChar { .. } if f.sensitive => {
                    "a character is outside the admitted classes".to_string()
                }
                other => other.to_string(),
            };
            let pointer = self.pointer();
            self.cx.push(
                Kind::TypeCodeViolation,
                &pointer,
                Some(f.name),
                Some(code),
                Some(code.notation.to_string()),
                Some(shown_str(s, f.sensitive)),
                format!("`{}` is documented as {}: {what}", f.name, code.notation),
            );
        }
        if !f.values.is_empty() && !f.values.contains(&s) {
            let pointer = self.pointer();
            self.cx.push(
                Kind::InvalidValue,
                &pointer,
                Some(f.name),
                f.type_code.as_ref(),
                Some(f.values.join(" | ")),
                Some(shown_str(s, f.sensitive)),
                format!(
                    "`{}` is not one of the documented values {}",
                    f.name,
                    f.values.join(", ")
                ),
            );
        }
    }

    fn mismatch(self, other: &Value) {
        let f = self.field;
        let expected = match f.shape {
            FieldShape::Scalar => "string",
            FieldShape::Object(_) => "object",
            FieldShape::List(_) => "array",
        };
        let pointer = self.pointer();
        self.cx.push(
            Kind::JsonTypeMismatch,
            &pointer,
            Some(f.name),
            f.type_code.as_ref(),
            Some(expected.into()),
            Some(format!(
                "{} {}",
                json_type(other),
                shown(other, f.sensitive)
            )),
            format!(
                "`{}` is documented as a JSON {expected} but is a {}",
                f.name,
                json_type(other)
            ),
        );
    }
}

fn shown_str(s: &str, sensitive: bool) -> String {
    if sensitive {
        return format!("<redacted: {} characters>", s.chars().count());
    }
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s.to_string()
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let capture = self.capture;
        self.string(v);
        Ok(capture.then_some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let capture = self.capture;
        self.string(v);
        Ok(capture.then(|| Cow::Owned(v.to_string())))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.mismatch(&Value::Bool(v));
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.mismatch(&Value::from(v));
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.mismatch(&Value::from(v));
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.mismatch(&Value::from(v));
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.mismatch(&Value::Null);
        Ok(None)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        match self.field.shape {
            FieldShape::Object(fields) => {
                let pointer = self.pointer();
                check_object(self.cx, fields, &pointer, None, map)?;
            }
            _ => {
                let value = Value::deserialize(MapAccessDeserializer::new(map))?;
                self.mismatch(&value);
            }
        }
        Ok(None)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        match self.field.shape {
            FieldShape::List(fields) => {
                let pointer = self.pointer();
                let mut i = 0usize;
                loop {
                    let item_pointer = format!("{pointer}/{i}");
                    let seed = ItemSeed {
                        cx: &mut *self.cx,
                        field: self.field,
                        fields,
                        pointer: &item_pointer,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
                self.mismatch(&value);
            }
        }
        Ok(None)
    }
}

/// One item of a documented list: must be an object.
struct ItemSeed<'c, 'a, 'p> {
    cx: &'c mut Cx<'a>,
    field: &'static FieldSpec,
    fields: &'static [FieldSpec],
    pointer: &'p str,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ItemSeed<'_, '_, '_> {
    fn not_object(self, what: &'static str) {
        let name = self.field.name;
        self.cx.push(
            Kind::JsonTypeMismatch,
            self.pointer,
            Some(name),
            None,
            Some("object".into()),
            Some(what.into()),
            format!("items of `{name}` are objects, this one is a {what}"),
        );
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<(), M::Error> {
        check_object(self.cx, self.fields, self.pointer, None, map)
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
