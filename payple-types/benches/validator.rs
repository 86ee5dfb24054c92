//! The validator against `serde_json::from_slice::<Value>` alone and against Value + the
//! `jsonschema` crate on the same schemas. Results and how to read them: BENCHMARKS.md.
//!
//! `cargo bench -p payple-types --bench validator`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payple_types::{EndpointSpec, Part, endpoint, validate_bytes};
use serde_json::Value;
use std::hint::black_box;

fn sample(ep: &EndpointSpec, id: &str) -> &'static str {
    ep.samples
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{} has sample {id}", ep.id))
        .raw
}

fn schema_validator(ep: &EndpointSpec, part: Part) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(ep.schema(part)).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Three ways to check the same bodies: parse only, parse + jsonschema, the validator.
fn compare(c: &mut Criterion, name: &str, ep: &'static EndpointSpec, bodies: &[Vec<u8>]) {
    let schema = schema_validator(ep, Part::Response);
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("serde_json_value_parse", |b| {
        b.iter(|| {
            for body in bodies {
                black_box(serde_json::from_slice::<Value>(black_box(body)).expect("json"));
            }
        })
    });
    group.bench_function("value_parse_plus_jsonschema", |b| {
        b.iter(|| {
            for body in bodies {
                let v: Value = serde_json::from_slice(black_box(body)).expect("json");
                // Collect every error, as the validator collects every finding.
                black_box(schema.iter_errors(&v).count());
            }
        })
    });
    group.bench_function("payple_validate_bytes", |b| {
        b.iter(|| {
            for body in bodies {
                black_box(validate_bytes(ep, Part::Response, black_box(body)));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let card = endpoint("cpay.result_inquiry").expect("endpoint");
    let card_body = sample(card, "card_response").as_bytes().to_vec();
    compare(
        c,
        "card_result_inquiry",
        card,
        std::slice::from_ref(&card_body),
    );
    // The same endpoint, a documented body the validator finds nothing wrong with.
    let clean = sample(card, "transfer_response").as_bytes().to_vec();
    compare(c, "transfer_result_inquiry_clean", card, &[clean]);
    let batch = vec![card_body; 100];
    compare(c, "card_result_inquiry_batch_100", card, &batch);

    let hub = endpoint("hub.request_info_inquiry").expect("endpoint");
    let mut list_body: Value = serde_json::from_str(sample(hub, "response")).expect("json");
    let item = list_body["list"][0].clone();
    list_body["list"] = Value::Array(vec![item; 60]);
    list_body["count"] = Value::String("60".into());
    let list_bytes = serde_json::to_vec(&list_body).expect("serializes");
    compare(c, "hub_request_info_60_items", hub, &[list_bytes]);
}

criterion_group!(validator, benches);
criterion_main!(validator);
