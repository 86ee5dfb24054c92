//! The workspace's dependency graph stays one-way: support -> codegen -> types ->
//! mock / live -> conformance, dev-dependencies included (no cycle such as live ->
//! conformance -> live), and payple-types keeps serde and serde_json as its only
//! dependencies. Reads `cargo metadata --no-deps` (the declared dependencies of the
//! workspace's own packages: no resolution, no network, well under a second).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Each workspace package's layer: a package may depend (in any way) only on packages of a
/// lower layer, or of its own layer without a cycle.
const LAYERS: &[(&str, u8)] = &[
    ("payple-support", 0),
    ("payple-codegen", 1),
    ("payple-types", 2),
    ("payple-mock", 3),
    ("payple-live", 3),
    ("payple-conformance", 4),
    ("payple-subset-consumer", 4),
];

/// package -> [(dependency, kind)], for dependencies on workspace packages, and the
/// normal dependencies of every package by name.
struct Graph {
    internal: BTreeMap<String, Vec<(String, String)>>,
    normal: BTreeMap<String, BTreeSet<String>>,
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let mut internal = BTreeMap::new();
    let mut normal = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap().to_string();
        let mut edges = Vec::new();
        let mut plain = BTreeSet::new();
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap().to_string();
            let kind = d["kind"].as_str().unwrap_or("normal").to_string();
            if kind == "normal" {
                plain.insert(dep.clone());
            }
            if names.contains(&dep) {
                edges.push((dep, kind));
            }
        }
        internal.insert(name.clone(), edges);
        normal.insert(name, plain);
    }
    Graph { internal, normal }
}

fn layer(name: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is a new workspace package: give it a layer in LAYERS"))
        .1
}

#[test]
fn dependencies_point_down_the_layers() {
    let g = graph();
    assert!(g.internal.len() >= 6, "{:?}", g.internal.keys());
    for (pkg, edges) in &g.internal {
        for (dep, kind) in edges {
            assert!(
                layer(dep) <= layer(pkg),
                "{pkg} has a {kind} dependency on {dep}, a crate of a higher layer"
            );
        }
    }
}

type Edges = BTreeMap<String, Vec<(String, String)>>;

/// A cycle of `edges` as `a -> b -> a`, if there is one (depth-first search: a package met
/// again while on the stack closes a cycle).
fn find_cycle(edges: &Edges) -> Option<String> {
    fn visit(
        edges: &Edges,
        pkg: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Result<(), String> {
        if let Some(at) = stack.iter().position(|p| p == pkg) {
            return Err(format!("{} -> {pkg}", stack[at..].join(" -> ")));
        }
        if done.contains(pkg) {
            return Ok(());
        }
        stack.push(pkg.to_string());
        for (dep, _) in edges.get(pkg).into_iter().flatten() {
            visit(edges, dep, stack, done)?;
        }
        stack.pop();
        done.insert(pkg.to_string());
        Ok(())
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|pkg| visit(edges, pkg, &mut Vec::new(), &mut done).err())
}

#[test]
fn no_dependency_cycle_dev_dependencies_included() {
    if let Some(cycle) = find_cycle(&graph().internal) {
        panic!("dependency cycle: {cycle}");
    }
}

#[test]
fn a_dev_dependency_cycle_is_found() {
    let edge = |from: &str, to: &str, kind: &str| {
        (from.to_string(), vec![(to.to_string(), kind.to_string())])
    };
    let mut edges: Edges = [
        edge("payple-live", "payple-types", "normal"),
        edge("payple-conformance", "payple-live", "normal"),
        edge("payple-types", "payple-support", "normal"),
    ]
    .into_iter()
    .collect();
    assert_eq!(find_cycle(&edges), None);
    edges
        .get_mut("payple-live")
        .unwrap()
        .push(("payple-conformance".into(), "dev".into()));
    let cycle = find_cycle(&edges).unwrap();
    assert!(
        cycle == "payple-conformance -> payple-live -> payple-conformance"
            || cycle == "payple-live -> payple-conformance -> payple-live",
        "{cycle}"
    );
}

#[test]
fn payple_types_and_this_crate_stay_lean() {
    let g = graph();
    let types: Vec<&str> = g.normal["payple-types"]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        types,
        ["serde", "serde_json"],
        "payple-types is what every consumer compiles: serde and serde_json only (issue 12)"
    );
    let support: Vec<&str> = g.normal["payple-support"]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(support, ["serde_json"]);
}
