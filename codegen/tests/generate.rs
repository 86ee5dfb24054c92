//! Golden tests of the generator on a small fixture spec, and of the real spec's loading.

use payple_codegen::{Builder, rust, schema};
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec")
}

#[test]
fn fixture_rust_snapshot() {
    let generated = Builder::new()
        .spec_dir(fixture_dir())
        .generate()
        .expect("fixture generates");
    insta::assert_snapshot!("fixture_models", generated.rust);
}

#[test]
fn fixture_rust_with_validator_tables_snapshot() {
    let spec = payple_codegen::load_dir(&fixture_dir()).expect("fixture loads");
    let tokens = rust::generate(
        &spec,
        &rust::Options {
            runtime: "crate".into(),
            validator_tables: true,
        },
    );
    let text = rust::format(tokens).expect("parses");
    insta::assert_snapshot!("fixture_tables", text);
}

#[test]
fn fixture_response_schema_snapshot() {
    let spec = payple_codegen::load_dir(&fixture_dir()).expect("fixture loads");
    let ep = spec.endpoint("demo.pay").expect("endpoint");
    let s = schema::endpoint_schema(&spec, ep, payple_codegen::model::Part::Response);
    insta::assert_json_snapshot!("fixture_response_schema", s);
}

#[test]
fn real_result_inquiry_schema_snapshot() {
    let spec = payple_codegen::embedded_spec().expect("the shipped spec loads");
    let ep = spec.endpoint("cpay.result_inquiry").expect("endpoint");
    let s = schema::endpoint_schema(&spec, ep, payple_codegen::model::Part::Response);
    insta::assert_json_snapshot!("cpay_result_inquiry_response_schema", s);
}

#[test]
fn the_embedded_spec_equals_the_spec_directory() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec");
    let on_disk = payple_codegen::load::read_dir(&dir).expect("spec readable");
    let embedded = payple_codegen::embedded_files();
    let names =
        |v: &[payple_codegen::SpecFile]| v.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(names(&on_disk), names(&embedded));
}

#[test]
fn builder_generates_a_chosen_subset() {
    let generated = Builder::new()
        .endpoint("cpay.result_inquiry")
        .generate()
        .expect("generates");
    assert!(generated.rust.contains("pub mod cpay {"));
    assert!(generated.rust.contains("pub mod result_inquiry {"));
    assert!(!generated.rust.contains("pub mod hub_token"));
    assert_eq!(generated.schemas.len(), 2);
    assert!(generated.rust.contains("::payple_types::Secret"));
}

#[test]
fn builder_rejects_an_unknown_endpoint() {
    let err = Builder::new()
        .endpoint("cpay.nope")
        .generate()
        .expect_err("unknown id");
    assert_eq!(
        err.to_string(),
        "unknown endpoint `cpay.nope`; run `payple-conformance endpoints` for the list"
    );
}

/// One enum per field meaning: per service, one shared enum for each field name that has a
/// documented value set (not one per endpoint and part, which gave 101 enums for 23 names).
#[test]
fn one_shared_enum_per_field_with_values() {
    let spec = payple_codegen::embedded_spec().expect("spec loads");
    let generated = Builder::new().generate().expect("generates");
    let file = syn::parse_file(&generated.rust).expect("parses");
    let mut enums: Vec<(String, String)> = Vec::new();
    for item in &file.items {
        if let syn::Item::Mod(m) = item
            && let Some((_, items)) = &m.content
        {
            for i in items {
                if let syn::Item::Enum(e) = i {
                    enums.push((m.ident.to_string(), e.ident.to_string()));
                }
            }
        }
    }
    fn names(
        fields: &[payple_codegen::model::Field],
        out: &mut std::collections::BTreeSet<String>,
    ) {
        for f in fields {
            if !f.values.is_empty() {
                out.insert(f.name.clone());
            }
            names(&f.fields, out);
        }
    }
    let mut expected = 0;
    for service in &spec.services {
        let mut distinct = std::collections::BTreeSet::new();
        for ep in spec.endpoints.iter().filter(|e| e.service == service.id) {
            names(&ep.request, &mut distinct);
            names(&ep.response, &mut distinct);
        }
        let got = enums.iter().filter(|(m, _)| *m == service.id).count();
        assert_eq!(got, distinct.len(), "{}: {enums:?}", service.id);
        expected += distinct.len();
    }
    assert_eq!(enums.len(), expected);
    println!("{} shared enums", enums.len());
    assert!(
        enums.len() < 30,
        "{} enums: one per field meaning, not per endpoint",
        enums.len()
    );
    assert!(
        enums
            .iter()
            .all(|(_, e)| !e.starts_with("Request") && !e.starts_with("Response")),
        "{enums:?}"
    );
}
