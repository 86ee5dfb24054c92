//! Generates models for two endpoints from the spec shipped in payple-codegen, and the
//! codegen test fixture, so that both outputs are compiled.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    payple_codegen::Builder::new()
        .endpoint("cpay.result_inquiry")
        .endpoint("hub.token")
        .generate_to_out_dir("payple.rs")?;
    payple_codegen::Builder::new()
        .spec_dir("../../codegen/tests/fixtures/spec")
        .generate_to_out_dir("fixture.rs")?;
    Ok(())
}
