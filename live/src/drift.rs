//! Drift: a live answer compared with the spec (the validator's findings) and with the
//! scenario's previous baseline (the shape of the answer, never its values).

use payple_types::{EndpointSpec, FieldShape, FieldSpec, Finding, Severity};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Version of the baseline format.
pub const BASELINE_FORMAT: u32 = 1;

/// How serious a drift item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Breaks clients built on the spec or the previous answer.
    #[serde(rename = "ERR")]
    Err,
    /// A change clients should look at.
    #[serde(rename = "WARN")]
    Warn,
    /// Worth knowing; does not count as drift.
    #[serde(rename = "INFO")]
    Info,
}

impl Level {
    /// `ERR`, `WARN` or `INFO`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
        }
    }
}

/// One drift item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Stable rule id (see the README table).
    pub rule: String,
    /// Level.
    pub level: Level,
    /// JSON pointer in the response (`""` for the whole body).
    pub pointer: String,
    /// What changed, in words (no secret values).
    pub message: String,
}

/// The shape of one value in a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    /// JSON type: `string`, `number`, `boolean`, `null`, `object`, `array`.
    #[serde(rename = "type")]
    pub json_type: String,
    /// Longest string length seen (characters), for strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<usize>,
}

/// A (kind, pointer) pair of a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KnownFinding {
    /// Finding kind.
    pub kind: String,
    /// JSON pointer.
    pub pointer: String,
}

/// The redacted snapshot of one scenario's answer: keys, JSON types, value lengths, result
/// code. It holds no value of any field except the result code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`BASELINE_FORMAT`].
    pub format: u32,
    /// Scenario name.
    pub scenario: String,
    /// Endpoint id.
    pub endpoint: String,
    /// HTTP status.
    pub status: u16,
    /// The result code, when the endpoint has one.
    pub result_code: Option<String>,
    /// Whether the answer reported success.
    pub success: Option<bool>,
    /// Shape per JSON pointer; array items are merged under `*`.
    pub fields: BTreeMap<String, Shape>,
    /// The validator's findings at the time (accepted deviations).
    pub findings: Vec<KnownFinding>,
}

fn walk(v: &Value, at: &str, out: &mut BTreeMap<String, Shape>) {
    let len = match v {
        Value::String(s) => Some(s.chars().count()),
        _ => None,
    };
    let entry = out.entry(at.to_string()).or_insert_with(|| Shape {
        json_type: payple_types::json_type(v).to_string(),
        max_len: None,
    });
    entry.max_len = match (entry.max_len, len) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                walk(x, &format!("{at}/{}", payple_types::pointer_token(k)), out);
            }
        }
        Value::Array(items) => {
            for x in items {
                walk(x, &format!("{at}/*"), out);
            }
        }
        _ => {}
    }
}

/// The result code and success of an answer, per the endpoint's result semantics.
pub fn result_of(ep: &EndpointSpec, body: &Value) -> (Option<String>, Option<bool>) {
    let Some(r) = ep.result else {
        // No result block (cpay.auth): the status field alone.
        let ok = ep
            .status_field()
            .and_then(|(f, success)| body.get(f).and_then(Value::as_str).map(|s| s == success));
        return (None, ok);
    };
    let code = body.get(r.code_field).and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let success = match r.status {
        Some((field, ok)) => body.get(field).and_then(Value::as_str).map(|s| s == ok),
        None => code
            .as_deref()
            .map(|c| r.is_success_code(c, payple_types::Applies::Both)),
    };
    (code, success)
}

/// The baseline of an answer.
pub fn baseline(
    scenario: &str,
    ep: &EndpointSpec,
    status: u16,
    body: Option<&Value>,
    findings: &[Finding],
) -> Baseline {
    let mut fields = BTreeMap::new();
    let (mut result_code, mut success) = (None, None);
    if let Some(b) = body {
        walk(b, "", &mut fields);
        (result_code, success) = result_of(ep, b);
    }
    let mut known: Vec<KnownFinding> = findings
        .iter()
        .map(|f| KnownFinding {
            kind: f.kind.as_str().into(),
            pointer: f.pointer.to_string(),
        })
        .collect();
    known.sort();
    known.dedup();
    Baseline {
        format: BASELINE_FORMAT,
        scenario: scenario.into(),
        endpoint: ep.id.into(),
        status,
        result_code,
        success,
        fields,
        findings: known,
    }
}

/// The field spec at a pointer (`*` for list items), when the spec documents it.
pub fn field_at(fields: &'static [FieldSpec], pointer: &str) -> Option<&'static FieldSpec> {
    let mut current = fields;
    let mut found = None;
    let mut parts = pointer.split('/').skip(1).peekable();
    while let Some(p) = parts.next() {
        let key = payple_types::pointer_key(p);
        let f = current.iter().find(|f| f.matches(&key))?;
        found = Some(f);
        current = match f.shape {
            FieldShape::Scalar => &[],
            FieldShape::Object(sub) => sub,
            FieldShape::List(sub) => {
                if parts.peek() == Some(&"*") {
                    parts.next();
                }
                sub
            }
        };
    }
    found
}

fn under_any(p: &str, parents: &[&String]) -> bool {
    parents
        .iter()
        .any(|q| p.len() > q.len() && p.starts_with(q.as_str()) && p.as_bytes()[q.len()] == b'/')
}

/// Every drift item of one answer: spec findings, then differences from the baseline.
pub fn compare(
    ep: &EndpointSpec,
    previous: Option<&Baseline>,
    live: &Baseline,
    findings: &[Finding],
) -> Vec<Drift> {
    let mut out = Vec::new();
    for f in findings {
        let known = previous.is_some_and(|b| {
            b.findings
                .iter()
                .any(|k| k.kind == f.kind.as_str() && k.pointer == f.pointer)
        });
        let level = if known {
            Level::Info
        } else {
            match f.severity {
                Severity::Error => Level::Err,
                Severity::Warning => Level::Warn,
                Severity::Info => Level::Info,
            }
        };
        out.push(Drift {
            rule: format!("spec-violation:{}", f.kind.as_str()),
            level,
            pointer: f.pointer.to_string(),
            message: if known {
                format!("{} (already in the baseline)", f.message())
            } else {
                f.message().into_owned()
            },
        });
    }
    // Values longer than their documented type code allows.
    for (p, s) in &live.fields {
        if let (Some(len), Some(f)) = (s.max_len, field_at(ep.response, p))
            && let Some(max) = f.type_code.and_then(|t| t.max_len)
            && len > max as usize
        {
            out.push(Drift {
                rule: "value-too-long".into(),
                level: Level::Err,
                pointer: p.clone(),
                message: format!(
                    "`{}` has {len} characters; its type code {} allows {max}",
                    f.name,
                    f.type_code.map(|t| t.notation).unwrap_or("")
                ),
            });
        }
    }
    let Some(prev) = previous else {
        out.push(Drift {
            rule: "baseline-missing".into(),
            level: Level::Info,
            pointer: String::new(),
            message:
                "no baseline for this scenario yet; run `payple-conformance record` to create one"
                    .into(),
        });
        return out;
    };
    if prev.status != live.status {
        out.push(Drift {
            rule: "http-status-changed".into(),
            level: Level::Warn,
            pointer: String::new(),
            message: format!("HTTP status {} (baseline {})", live.status, prev.status),
        });
    }
    let removed: Vec<&String> = prev
        .fields
        .keys()
        .filter(|p| !live.fields.contains_key(*p))
        .collect();
    for p in &removed {
        if !under_any(p, &removed) {
            out.push(Drift {
                rule: "field-removed".into(),
                level: Level::Err,
                pointer: (*p).clone(),
                message: format!("`{p}` was in the baseline answer and is gone"),
            });
        }
    }
    let added: Vec<&String> = live
        .fields
        .keys()
        .filter(|p| !prev.fields.contains_key(*p))
        .collect();
    for p in &added {
        if under_any(p, &added) {
            continue;
        }
        let documented = field_at(ep.response, p).is_some();
        out.push(Drift {
            rule: "field-added".into(),
            level: if documented { Level::Info } else { Level::Warn },
            pointer: (*p).clone(),
            message: if documented {
                format!("`{p}` is new compared with the baseline (documented in the spec)")
            } else {
                format!("`{p}` is new compared with the baseline and undocumented")
            },
        });
    }
    for (p, s) in &live.fields {
        let Some(old) = prev.fields.get(p) else {
            continue;
        };
        if old.json_type != s.json_type {
            out.push(Drift {
                rule: "type-changed".into(),
                level: Level::Err,
                pointer: p.clone(),
                message: format!("JSON type {} (baseline {})", s.json_type, old.json_type),
            });
        } else if let (Some(a), Some(b)) = (old.max_len, s.max_len)
            && b > a
            && !field_at(ep.response, p).is_some_and(|f| f.volatile)
        {
            out.push(Drift {
                rule: "value-longer".into(),
                level: Level::Info,
                pointer: p.clone(),
                message: format!("{b} characters (baseline {a})"),
            });
        }
    }
    if prev.result_code != live.result_code {
        let code = live.result_code.clone().unwrap_or_else(|| "(none)".into());
        let was = prev.result_code.clone().unwrap_or_else(|| "(none)".into());
        let pointer = ep
            .result
            .map(|r| format!("/{}", r.code_field))
            .unwrap_or_default();
        let documented = ep.result.is_some_and(|r| {
            live.result_code
                .as_deref()
                .is_some_and(|c| r.catalog.iter().any(|e| e.code == c))
        });
        let (rule, level, message) = if prev.success == Some(true) && live.success == Some(true) {
            (
                "success-code-changed",
                Level::Err,
                format!("success is now reported as {code} (baseline {was})"),
            )
        } else if documented {
            (
                "result-code-changed",
                Level::Warn,
                format!("result code {code} (baseline {was}); documented in the catalog"),
            )
        } else {
            (
                "result-code-new",
                Level::Warn,
                format!("result code {code} (baseline {was}) is not in the spec's catalog"),
            )
        };
        out.push(Drift {
            rule: rule.into(),
            level,
            pointer,
            message,
        });
    } else if prev.success != live.success {
        out.push(Drift {
            rule: "result-status-changed".into(),
            level: Level::Warn,
            pointer: String::new(),
            message: format!(
                "success {:?} (baseline {:?}) with the same result code",
                live.success, prev.success
            ),
        });
    }
    out
}
