//! Generates the models, validator tables and schemas of every endpoint from the spec
//! embedded in payple-codegen (rebuilt whenever a spec file changes).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The date and time format reader, one source shared with the spec lint.
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(e) = std::fs::write(out.join("datefmt.rs"), payple_codegen::DATEFMT_SOURCE) {
        eprintln!("cannot write datefmt.rs to OUT_DIR: {e}");
        std::process::exit(1);
    }
    let result = payple_codegen::Builder::new()
        .runtime_path("crate")
        .with_validator_tables()
        .generate_to_out_dir("payple_generated.rs");
    if let Err(e) = result {
        // Each spec error on its own line, file:line:column first, then fail the build.
        for line in e.to_string().lines() {
            println!("cargo:warning={line}");
        }
        eprintln!("{e}");
        std::process::exit(1);
    }
}
