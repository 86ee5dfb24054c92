//! # payple-codegen
//!
//! Loads the Payple YAML spec, lints it (every error with `file:line:column`), and generates
//! typed Rust models (quote + prettyplease) and JSON Schemas (draft 2020-12) from it.
//!
//! The spec ships inside this crate, so a crate's `build.rs` can generate models for just
//! the endpoints it uses, the way `prost-build` compiles chosen `.proto` files:
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     payple_codegen::Builder::new()
//!         .endpoint("cpay.result_inquiry")
//!         .endpoint("hub.token")
//!         .generate_to_out_dir("payple.rs")?;
//!     Ok(())
//! }
//! ```
//!
//! and then, in the crate (which depends on `payple-types` and `serde`):
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/payple.rs"));
//! ```
//!
//! The generated models are tolerant (unknown fields kept, unknown enum values kept, amounts
//! as strings or numbers); strict checking is `payple_types::validate`.

#![forbid(unsafe_code)]

/// Date, time and digit-string formats (the same source is compiled into payple-types).
pub mod datefmt;
/// Consumer-visible changes between two versions of the spec (`payple-spec-diff`).
pub mod diff;
pub mod export;
pub mod load;
pub mod model;
pub mod openapi;
pub mod raw;
pub mod rust;
pub mod schema;
pub mod typecode;

pub use load::{SpecError, SpecErrors, SpecFile};
pub use model::Spec;

use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_spec.rs"));
}

/// The spec files compiled into this crate: (path relative to `spec/`, contents).
pub fn embedded_files() -> Vec<SpecFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| SpecFile {
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// Loads and lints the spec compiled into this crate.
pub fn embedded_spec() -> Result<Spec, SpecErrors> {
    load::load(&embedded_files())
}

/// Loads and lints a spec directory.
pub fn load_dir(dir: &Path) -> Result<Spec, Error> {
    let files = load::read_dir(dir).map_err(Error::Io)?;
    load::load(&files).map_err(Error::Spec)
}

/// Everything that can go wrong while generating.
#[derive(Debug)]
pub enum Error {
    /// The spec has errors (each with file:line:column).
    Spec(SpecErrors),
    /// Reading the spec or writing output failed.
    Io(std::io::Error),
    /// An endpoint id asked for is not in the spec.
    UnknownEndpoint(String),
    /// `OUT_DIR` is not set (not running inside a build script).
    NoOutDir,
    /// The generated code did not parse (a generator bug), with the parser's message.
    Syntax(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(e) => write!(f, "{e}"),
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::UnknownEndpoint(id) => write!(
                f,
                "unknown endpoint `{id}`; run `payple-conformance endpoints` for the list"
            ),
            Error::NoOutDir => write!(f, "OUT_DIR is not set; call this from a build script"),
            Error::Syntax(e) => write!(f, "generated code does not parse: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// The output of one generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Formatted Rust source.
    pub rust: String,
    /// JSON Schemas: (endpoint id, `request` | `response`, pretty JSON).
    pub schemas: Vec<(String, &'static str, String)>,
}

/// Configures and runs generation, like `prost_build::Config`.
#[derive(Debug, Clone)]
pub struct Builder {
    spec_dir: Option<PathBuf>,
    endpoints: Vec<String>,
    options: rust::Options,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder over the embedded spec, generating every endpoint, for use outside
    /// `payple-types` (generated code refers to `::payple_types`).
    pub fn new() -> Self {
        Self {
            spec_dir: None,
            endpoints: Vec::new(),
            options: rust::Options::default(),
        }
    }

    /// Reads the spec from a directory instead of the embedded copy, and makes the build
    /// script rerun when any of its files change.
    pub fn spec_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spec_dir = Some(dir.into());
        self
    }

    /// Generates this endpoint (call repeatedly); with none named, every endpoint.
    pub fn endpoint(mut self, id: impl Into<String>) -> Self {
        self.endpoints.push(id.into());
        self
    }

    /// Generates these endpoints.
    pub fn endpoints<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.endpoints.extend(ids.into_iter().map(Into::into));
        self
    }

    /// The path generated code uses for the runtime crate (default `::payple_types`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.options.runtime = path.into();
        self
    }

    /// Also emits the validator tables, alphabet, catalogs and samples. Used by
    /// `payple-types` itself; other crates use the tables already in `payple-types`.
    #[doc(hidden)]
    pub fn with_validator_tables(mut self) -> Self {
        self.options.validator_tables = true;
        self
    }

    /// Loads the spec (and, for a directory, prints `cargo:rerun-if-changed` for each file).
    pub fn load(&self) -> Result<Spec, Error> {
        let mut spec = match &self.spec_dir {
            Some(dir) => {
                let files = load::read_dir(dir).map_err(Error::Io)?;
                if std::env::var_os("OUT_DIR").is_some() {
                    println!("cargo:rerun-if-changed={}", dir.display());
                    for f in &files {
                        println!("cargo:rerun-if-changed={}", dir.join(&f.path).display());
                    }
                }
                load::load(&files).map_err(Error::Spec)?
            }
            None => embedded_spec().map_err(Error::Spec)?,
        };
        if !self.endpoints.is_empty() {
            for id in &self.endpoints {
                if spec.endpoint(id).is_none() {
                    return Err(Error::UnknownEndpoint(id.clone()));
                }
            }
            spec.retain_endpoints(&self.endpoints);
        }
        Ok(spec)
    }

    /// Generates Rust source and schemas in memory.
    pub fn generate(&self) -> Result<Generated, Error> {
        let spec = self.load()?;
        let tokens = rust::generate(&spec, &self.options);
        let rust = rust::format(tokens).map_err(Error::Syntax)?;
        let mut schemas = Vec::new();
        for ep in &spec.endpoints {
            for part in [model::Part::Request, model::Part::Response] {
                let text = serde_json::to_string_pretty(&schema::endpoint_schema(&spec, ep, part))
                    .expect("schemas serialize");
                schemas.push((ep.id.clone(), part.as_str(), text));
            }
        }
        Ok(Generated { rust, schemas })
    }

    /// Generates into `$OUT_DIR/<file_name>` (written atomically) and returns the path.
    pub fn generate_to_out_dir(&self, file_name: &str) -> Result<PathBuf, Error> {
        let out = std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?;
        let path = PathBuf::from(out).join(file_name);
        let generated = self.generate()?;
        write_atomic(&path, generated.rust.as_bytes()).map_err(Error::Io)?;
        Ok(path)
    }
}

/// Writes a file through a temporary sibling and a rename, so readers never see half a file
/// (creating its folder first); see [`payple_support::fsio::write_atomic`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    payple_support::fsio::write_atomic_create_dirs(path, bytes)
}

/// The source of [`datefmt`], for crates that compile the same format reader into their
/// own runtime (payple-types' build script writes it next to the generated code).
pub const DATEFMT_SOURCE: &str = include_str!("datefmt.rs");
