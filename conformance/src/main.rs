//! The `payple-conformance` command.
fn main() {}
