//! The mock's clock and time formats, from payple-support: a [`Clock`] the tests move by hand
//! (token lifetimes and the result-inquiry budget are measured on it, so tests never sleep),
//! and the UTC and Korean (UTC+9) formats of its answers.

pub use payple_support::Clock;
pub(crate) use payple_support::civil::{kst_digits, utc_digits, utc_rfc3339_millis as utc_rfc3339};
