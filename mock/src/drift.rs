//! Response drift: deliberate deviations from the spec applied to the mock's answers.

use payple_types::{FieldSpec, Part, Role, endpoint};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// One mutation of an endpoint's responses, to see how a client copes with Payple changing
/// its answers. `endpoint` is an endpoint id such as `cpay.result_inquiry`.
///
/// CLI syntax (see [`Drift::from_str`]):
/// `rename:EP:FROM:TO`, `drop:EP:FIELD`, `add:EP:FIELD:VALUE`, `lengthen:EP:FIELD`,
/// `code:EP:CODE`, `prefix:EP`.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    /// Moves the value of top-level field `from` to the undocumented key `to`.
    RenameField {
        /// Endpoint id.
        endpoint: String,
        /// Documented name.
        from: String,
        /// New name.
        to: String,
    },
    /// Removes a top-level field.
    DropField {
        /// Endpoint id.
        endpoint: String,
        /// Field name.
        field: String,
    },
    /// Adds (or overwrites) a top-level field.
    AddField {
        /// Endpoint id.
        endpoint: String,
        /// Field name.
        field: String,
        /// Its value.
        value: Value,
    },
    /// Makes a string field one character longer than its type code allows (ten times
    /// longer, at least 300 characters, when the code has no maximum).
    LengthenValue {
        /// Endpoint id.
        endpoint: String,
        /// Field name.
        field: String,
    },
    /// Replaces the result code (the endpoint's code field; `result_msg` for `cpay.auth`).
    ChangeResultCode {
        /// Endpoint id.
        endpoint: String,
        /// The new code.
        code: String,
    },
    /// Puts the test environment's documented prefix (`[test]`, payple.yaml
    /// `message_prefix`) in front of the result code, as Payple's test hosts are documented
    /// to show it.
    TestPrefix {
        /// Endpoint id.
        endpoint: String,
    },
}

/// A drift specification that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftParseError(pub String);

impl fmt::Display for DriftParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DriftParseError {}

impl FromStr for Drift {
    type Err = DriftParseError;

    /// Reads `rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE`,
    /// `drop:hub.token:expires_in`, `add:hub.token:new_field:x` (the value is read as JSON
    /// when it is valid JSON, else as a string), `lengthen:cpay.auth:cst_id`,
    /// `code:cpay.result_inquiry:PCHK0001`. The endpoint id must exist in the spec.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| DriftParseError(format!("drift `{s}`: {why}"));
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| err("expected KIND:ENDPOINT:..."))?;
        let (ep, rest) = rest.split_once(':').unwrap_or((rest, ""));
        if endpoint(ep).is_none() {
            return Err(err(&format!("unknown endpoint `{ep}`")));
        }
        let endpoint = ep.to_string();
        let nonempty = |v: &str, what: &str| {
            if v.is_empty() {
                Err(err(&format!("{what} is empty")))
            } else {
                Ok(v.to_string())
            }
        };
        match kind {
            "rename" => {
                let (from, to) = rest
                    .split_once(':')
                    .ok_or_else(|| err("expected rename:ENDPOINT:FROM:TO"))?;
                Ok(Drift::RenameField {
                    endpoint,
                    from: nonempty(from, "FROM")?,
                    to: nonempty(to, "TO")?,
                })
            }
            "drop" => Ok(Drift::DropField {
                endpoint,
                field: nonempty(rest, "FIELD")?,
            }),
            "add" => {
                let (field, value) = rest
                    .split_once(':')
                    .ok_or_else(|| err("expected add:ENDPOINT:FIELD:VALUE"))?;
                let value =
                    serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
                Ok(Drift::AddField {
                    endpoint,
                    field: nonempty(field, "FIELD")?,
                    value,
                })
            }
            "lengthen" => Ok(Drift::LengthenValue {
                endpoint,
                field: nonempty(rest, "FIELD")?,
            }),
            "code" => Ok(Drift::ChangeResultCode {
                endpoint,
                code: nonempty(rest, "CODE")?,
            }),
            "prefix" if rest.is_empty() => Ok(Drift::TestPrefix { endpoint }),
            "prefix" => Err(err("expected prefix:ENDPOINT")),
            other => Err(err(&format!(
                "unknown kind `{other}`; use rename, drop, add, lengthen, code or prefix"
            ))),
        }
    }
}

impl fmt::Display for Drift {
    /// The CLI form, e.g. `rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::RenameField { endpoint, from, to } => write!(f, "rename:{endpoint}:{from}:{to}"),
            Drift::DropField { endpoint, field } => write!(f, "drop:{endpoint}:{field}"),
            Drift::AddField {
                endpoint,
                field,
                value,
            } => match value {
                Value::String(s) => write!(f, "add:{endpoint}:{field}:{s}"),
                other => write!(f, "add:{endpoint}:{field}:{other}"),
            },
            Drift::LengthenValue { endpoint, field } => write!(f, "lengthen:{endpoint}:{field}"),
            Drift::ChangeResultCode { endpoint, code } => write!(f, "code:{endpoint}:{code}"),
            Drift::TestPrefix { endpoint } => write!(f, "prefix:{endpoint}"),
        }
    }
}

impl Drift {
    /// The endpoint id the drift applies to.
    pub fn endpoint(&self) -> &str {
        match self {
            Drift::RenameField { endpoint, .. }
            | Drift::DropField { endpoint, .. }
            | Drift::AddField { endpoint, .. }
            | Drift::LengthenValue { endpoint, .. }
            | Drift::ChangeResultCode { endpoint, .. }
            | Drift::TestPrefix { endpoint } => endpoint,
        }
    }

    /// Applies the drift to a response body of `endpoint_id` (no-op for other endpoints or
    /// bodies that are not objects).
    pub fn apply(&self, endpoint_id: &str, body: &mut Value) {
        if self.endpoint() != endpoint_id {
            return;
        }
        let Some(obj) = body.as_object_mut() else {
            return;
        };
        match self {
            Drift::RenameField { from, to, .. } => {
                if let Some(v) = obj.remove(from) {
                    obj.insert(to.clone(), v);
                }
            }
            Drift::DropField { field, .. } => {
                obj.remove(field);
            }
            Drift::AddField { field, value, .. } => {
                obj.insert(field.clone(), value.clone());
            }
            Drift::LengthenValue { field, .. } => {
                let spec = endpoint(endpoint_id)
                    .and_then(|ep| ep.fields(Part::Response).iter().find(|f| f.matches(field)));
                let current = obj
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                obj.insert(field.clone(), Value::String(lengthen(&current, spec)));
            }
            Drift::ChangeResultCode { code, .. } => {
                let field = endpoint(endpoint_id)
                    .and_then(|ep| {
                        ep.result
                            .map(|r| r.code_field)
                            .or_else(|| Role::Message.field(ep, Part::Response))
                    })
                    .unwrap_or_default();
                obj.insert(field.to_string(), Value::String(code.clone()));
            }
            Drift::TestPrefix { .. } => {
                let field = endpoint(endpoint_id).and_then(|ep| ep.result.map(|r| r.code_field));
                let prefix = payple_types::MESSAGE_PREFIXES.first();
                if let (Some(field), Some(prefix)) = (field, prefix)
                    && let Some(Value::String(code)) = obj.get_mut(field)
                    && !code.starts_with(prefix)
                {
                    *code = format!("{prefix} {code}");
                }
            }
        }
    }
}

/// A value one character past the field's maximum, made of characters its code admits.
fn lengthen(current: &str, spec: Option<&FieldSpec>) -> String {
    let code = spec.and_then(|f| f.type_code);
    let fill = code
        .map(|c| {
            ['9', 'x', 'X', '가', '-']
                .into_iter()
                .find(|ch| c.check(&ch.to_string()).is_ok())
                .unwrap_or('x')
        })
        .unwrap_or('x');
    let target = match code.and_then(|c| c.max_len) {
        Some(max) => max as usize + 1,
        None => (current.chars().count() * 10).max(300),
    };
    let mut out: String = current.chars().take(target).collect();
    while out.chars().count() < target {
        out.push(fill);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let d: Drift = "rename:cpay.result_inquiry:PCD_PAY_MSG:PCD_PAY_MESSAGE"
            .parse()
            .unwrap();
        assert_eq!(
            d,
            Drift::RenameField {
                endpoint: "cpay.result_inquiry".into(),
                from: "PCD_PAY_MSG".into(),
                to: "PCD_PAY_MESSAGE".into()
            }
        );
        assert!(matches!(
            "drop:hub.token:expires_in".parse::<Drift>().unwrap(),
            Drift::DropField { .. }
        ));
        assert_eq!(
            "add:hub.token:new_field:x".parse::<Drift>().unwrap(),
            Drift::AddField {
                endpoint: "hub.token".into(),
                field: "new_field".into(),
                value: Value::String("x".into())
            }
        );
        assert!(matches!(
            "add:hub.token:n:12".parse::<Drift>().unwrap(),
            Drift::AddField {
                value: Value::Number(_),
                ..
            }
        ));
        assert!(matches!(
            "lengthen:cpay.auth:cst_id".parse::<Drift>().unwrap(),
            Drift::LengthenValue { .. }
        ));
        assert!(matches!(
            "code:cpay.result_inquiry:PCHK0001"
                .parse::<Drift>()
                .unwrap(),
            Drift::ChangeResultCode { .. }
        ));
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "",
            "rename",
            "rename:nope.x:a:b",
            "rename:hub.token:a",
            "drop:hub.token:",
            "shuffle:hub.token:x",
        ] {
            assert!(bad.parse::<Drift>().is_err(), "{bad}");
        }
    }
}
