//! # payple-live
//!
//! Checks Payple's test hosts for API drift (see the crate README).

#![forbid(unsafe_code)]

pub mod client;
pub mod clock;
pub mod config;
pub mod redact;

pub use client::{CallError, Client, Exchange};
pub use clock::Clock;
pub use config::{Config, Credentials};
pub mod drift;
pub mod report;
pub mod scenario;

pub use drift::{Baseline, Drift, Level};
pub use report::{Format, RunReport, run, run_blocking};
