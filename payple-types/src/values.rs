//! Value types used by the generated models and for building requests: tolerant
//! deserializers, amounts, secrets and type-code-checked strings.

use crate::runtime::{TypeCode, TypeCodeError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An amount in won, as Payple sends it: documented as a string (`"1000"`), sometimes sent
/// as a JSON number (`1000`). Both are accepted; the text is kept exactly.
///
/// ```
/// let a: payple_types::Amount = "1000".parse().unwrap();
/// assert_eq!(a.won(), Some(1000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Amount(String);

impl Amount {
    /// The amount as a number, when the text is an integer.
    pub fn won(&self) -> Option<i64> {
        self.0.trim().parse().ok()
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<i64> for Amount {
    fn from(v: i64) -> Self {
        Amount(v.to_string())
    }
}

impl FromStr for Amount {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Amount(s.to_string()))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A secret or personal value (keys, tokens, card and account numbers, names). It
/// serializes as itself, so requests can be built, but `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself; the caller takes responsibility for where it goes.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: FromStr> FromStr for Secret<T> {
    type Err = T::Err;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Secret)
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T> From<T> for Secret<T> {
    fn from(v: T) -> Self {
        Secret(v)
    }
}

/// A string checked against a type code at construction. `MASK` has one bit per alphabet
/// letter (see [`letters`](crate::letters)); `u8::MAX` admits any character. `MAX` is the
/// maximum length in characters, 0 for none.
///
/// ```
/// use payple_types::{Coded, letters};
/// type OrderDate = Coded<{ letters::N }, 8>;
/// assert_eq!(OrderDate::new("20200320").unwrap().as_str(), "20200320");
/// assert!(OrderDate::new("2020-03-20").is_err());
/// assert_eq!(OrderDate::type_code().to_string(), "N(8)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Coded<const MASK: u8, const MAX: u32>(String);

impl<const MASK: u8, const MAX: u32> Coded<MASK, MAX> {
    /// The type code these values satisfy.
    pub fn type_code() -> TypeCode {
        let mut notation = String::new();
        if MASK == u8::MAX {
            notation.push_str("String");
        } else {
            for (i, l) in crate::generated::ALPHABET.iter().enumerate() {
                if MASK & (1 << i) != 0 {
                    notation.push(l.letter);
                }
            }
        }
        if MAX > 0 {
            notation.push_str(&format!("({MAX})"));
        }
        TypeCode {
            notation: Box::leak(notation.into_boxed_str()),
            mask: (MASK != u8::MAX).then_some(MASK),
            max_len: (MAX > 0).then_some(MAX),
        }
    }

    /// Checks and wraps a value.
    pub fn new(value: impl Into<String>) -> Result<Self, TypeCodeError> {
        let value = value.into();
        let code = TypeCode {
            notation: "",
            mask: (MASK != u8::MAX).then_some(MASK),
            max_len: (MAX > 0).then_some(MAX),
        };
        code.check(&value)?;
        Ok(Coded(value))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MASK: u8, const MAX: u32> fmt::Display for Coded<MASK, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MASK: u8, const MAX: u32> Serialize for Coded<MASK, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MASK: u8, const MAX: u32> Deserialize<'de> for Coded<MASK, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Coded::new(s).map_err(serde::de::Error::custom)
    }
}

/// Tolerant deserializers used by the generated models: drift in Payple's answers must never
/// make deserialization fail. Strict checking is [`crate::validate`].
pub mod lenient {
    use serde::{Deserialize, Deserializer, de::DeserializeOwned};
    use serde_json::Value;
    use std::str::FromStr;

    /// A documented string that may arrive as a string, number or boolean; `null` is absent.
    pub fn from_text<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        let text = match Value::deserialize(d)? {
            Value::Null => return Ok(None),
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => other.to_string(),
        };
        text.parse().map(Some).map_err(serde::de::Error::custom)
    }

    /// A request field the documentation requires: as [`from_text`], and `null` is an
    /// error (a missing key is serde's missing-field error).
    pub fn required_text<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        from_text(d)?.ok_or_else(|| serde::de::Error::custom(REQUIRED))
    }

    /// A required list of objects: as [`list`], and anything but a list is an error.
    pub fn required_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        list(d)?.ok_or_else(|| serde::de::Error::custom(REQUIRED))
    }

    /// A required nested object: anything but an object of the documented shape is an
    /// error.
    pub fn required_object<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        object(d)?.ok_or_else(|| serde::de::Error::custom(REQUIRED))
    }

    const REQUIRED: &str = "no value where the documentation requires one";

    /// A list of objects; items that are not objects of the documented shape are skipped
    /// (the validator reports them), anything but a list is absent.
    pub fn list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => Some(
                items
                    .into_iter()
                    .filter_map(|v| serde_json::from_value(v).ok())
                    .collect(),
            ),
            _ => None,
        })
    }

    /// A nested object; anything else is absent.
    pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(serde_json::from_value(Value::deserialize(d)?).ok())
    }
}
