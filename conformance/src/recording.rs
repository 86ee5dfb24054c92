//! The recording format: one JSON file per recorded exchange (see the crate README).

use crate::fsio::{BODY_READ_CAP, RECORDING_READ_CAP, read_capped};
use payple_types::{EndpointSpec, Kind, Part};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// One recorded exchange.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// Endpoint id, e.g. `cpay.result_inquiry`.
    pub endpoint: String,
    /// Environment the exchange was recorded in (`test`, `live`, ...).
    pub environment: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Where the exchange comes from.
    pub source: RecordingSource,
    /// Free text: what the recording shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The request, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RecordedRequest>,
    /// The response, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Which body is validated (default `response`).
    #[serde(default)]
    pub part: PartName,
    /// Exactly the findings the validator must report for that body.
    pub expect: Vec<ExpectedFinding>,
}

/// Where a recording comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingSource {
    /// Synthetic, copied from the documentation, or captured live.
    pub kind: SourceKind,
    /// Documentation page or other reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The origin of a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Written by hand to exercise the validator.
    Synthetic,
    /// Copied from Payple's documentation.
    DocSample,
    /// Captured from real traffic (and redacted).
    Live,
}

/// The recorded request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers as sent.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body as sent (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body as sent, base64 (standard alphabet), for bodies that are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// The recorded response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers as received.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body exactly as received (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body exactly as received, base64 (standard alphabet), for bodies that are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// `request` or `response`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartName {
    /// Validate the request body.
    Request,
    /// Validate the response body.
    #[default]
    Response,
}

impl From<PartName> for Part {
    fn from(p: PartName) -> Part {
        match p {
            PartName::Request => Part::Request,
            PartName::Response => Part::Response,
        }
    }
}

/// One expected finding: its kind and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    /// Finding kind, e.g. `success_code_mismatch`.
    pub kind: String,
    /// JSON pointer (`""` for the whole body).
    pub pointer: String,
}

/// A recording read from disk and checked for consistency.
#[derive(Debug, Clone)]
pub struct LoadedRecording {
    /// The parsed recording.
    pub recording: Recording,
    /// The whole file as a JSON value (every string in it is scanned for secrets).
    pub raw: serde_json::Value,
    /// The endpoint it names.
    pub endpoint: &'static EndpointSpec,
    /// The part validated.
    pub part: Part,
    /// The body validated, capped at [`BODY_READ_CAP`] bytes.
    pub body: Vec<u8>,
    /// The request body, when recorded.
    pub request_body: Option<Vec<u8>>,
    /// The response body, when recorded.
    pub response_body: Option<Vec<u8>>,
}

/// Reads and checks one recording file. Every problem is a sentence naming the file.
pub fn load(path: &Path) -> Result<LoadedRecording, String> {
    let shown = path.display();
    let file = fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let bytes = read_capped(file, RECORDING_READ_CAP + 1)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() > RECORDING_READ_CAP {
        return Err(format!(
            "{shown}: the recording is larger than {RECORDING_READ_CAP} bytes"
        ));
    }
    parse(&bytes).map_err(|e| format!("{shown}: {e}"))
}

/// Parses and checks a recording from the bytes of its file.
pub fn parse(bytes: &[u8]) -> Result<LoadedRecording, String> {
    let raw: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a valid recording (not JSON): {e}"))?;
    let recording: Recording =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid recording: {e}"))?;
    let endpoint = crate::find_endpoint(&recording.endpoint)?;
    for e in &recording.expect {
        e.kind.parse::<Kind>().map_err(|why| {
            format!(
                "expect: {why} (kinds: {})",
                Kind::ALL.map(|k| k.as_str()).join(", ")
            )
        })?;
    }
    let request_body = match &recording.request {
        Some(r) => body_bytes("request", r.body.as_deref(), r.body_base64.as_deref())?,
        None => None,
    };
    let response_body = match &recording.response {
        Some(r) => body_bytes("response", r.body.as_deref(), r.body_base64.as_deref())?,
        None => None,
    };
    let part = Part::from(recording.part);
    let validated = match part {
        Part::Request => &request_body,
        Part::Response => &response_body,
    };
    let Some(body) = validated else {
        return Err(format!(
            "`part` is {part} but the recording has no {part} body"
        ));
    };
    let mut body = body.clone();
    body.truncate(BODY_READ_CAP);
    Ok(LoadedRecording {
        recording,
        raw,
        endpoint,
        part,
        body,
        request_body,
        response_body,
    })
}

fn body_bytes(
    what: &str,
    text: Option<&str>,
    b64: Option<&str>,
) -> Result<Option<Vec<u8>>, String> {
    match (text, b64) {
        (Some(_), Some(_)) => Err(format!(
            "{what}: give either `body` or `body_base64`, not both"
        )),
        (Some(t), None) => Ok(Some(t.as_bytes().to_vec())),
        (None, Some(b)) => decode_base64(b)
            .map(Some)
            .ok_or_else(|| format!("{what}: `body_base64` is not valid base64")),
        (None, None) => Ok(None),
    }
}

/// Decodes standard base64 (padding optional, ASCII whitespace ignored).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let trimmed = clean
        .strip_suffix(b"==")
        .or_else(|| clean.strip_suffix(b"="));
    let data = trimmed.unwrap_or(&clean);
    if data.len() % 4 == 1 || (trimmed.is_some() && !clean.len().is_multiple_of(4)) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    for chunk in data.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_round_trips() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("/w==").as_deref(), Some(&[0xffu8][..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("a"), None);
        assert_eq!(decode_base64("a$=="), None);
    }
}
