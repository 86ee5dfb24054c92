//! Lints the Payple spec: `payple-spec-lint [SPEC_DIR]` (default `spec`, else the embedded copy).
//! Prints every error as `file:line:column: error: message`; exits 1 on errors, 2 on I/O errors.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("spec"));
    let files = match payple_codegen::load::read_dir(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    match payple_codegen::load::load(&files) {
        Ok(spec) => {
            let fields: usize = spec
                .endpoints
                .iter()
                .map(|e| e.request.len() + e.response.len())
                .sum();
            let samples: usize = spec.endpoints.iter().map(|e| e.samples.len()).sum();
            let codes: usize = spec.catalogs.iter().map(|c| c.codes.len()).sum();
            println!(
                "spec OK: {} endpoints, {fields} top-level fields, {samples} samples, {} catalogs with {codes} codes",
                spec.endpoints.len(),
                spec.catalogs.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
