//! # payple-support
//!
//! Small runtime helpers that several payple-spec crates need (payple-codegen, payple-mock,
//! payple-live, payple-conformance), kept in one place so that none of them carries its own
//! copy. The crate knows nothing about Payple: no field name, path or limit lives here (those
//! come from the spec through payple-types). It depends on `std` and `serde_json` only.
//!
//! * [`clock`]: the system clock or a manual one that tests move by hand.
//! * [`civil`]: calendar dates from Unix time, and the UTC and Korean (UTC+9) time formats.
//! * [`fsio`]: atomic file writes.
//! * [`redact`]: recognising and removing secrets (card numbers, bearer tokens, known values).
//! * [`rate`]: a sliding-window rate budget.
//! * [`text`]: XML escaping for reports, and one-line parser error messages.

#![forbid(unsafe_code)]

pub mod civil;
pub mod clock;
pub mod fsio;
pub mod rate;
pub mod redact;
pub mod text;

pub use clock::Clock;
pub use rate::RateBudget;
