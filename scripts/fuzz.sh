#!/usr/bin/env bash
# Builds the cargo-fuzz targets of fuzz/ (the validator, the documentation-sample reader,
# the spec loader, the mock's request handling) and runs each for N seconds: `scripts/fuzz.sh [SECONDS] [TARGET...]`
# (default 60 s each, every target; FUZZ_SECONDS also sets the time). Needs a nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz --version 0.13.2 --locked`).
#
# Each target starts from its committed seeds (fuzz/seeds/<target>/) and the inputs earlier
# runs kept (fuzz/corpus/<target>/, not committed). Exits non-zero on the first crash
# (a panic, an assertion of the target, a sanitizer report), an input slower than 30 s or a
# process above 2 GB; libFuzzer then prints the input and keeps it in
# fuzz/artifacts/<target>/. Reproduce with `cargo +nightly fuzz run <target> <that file>`.
# Built with debug assertions and overflow checks, so that an overflow counts as a crash too,
# and without a sanitizer (FUZZ_SANITIZER=address adds AddressSanitizer): the code fuzzed has
# no `unsafe` of its own, and AddressSanitizer makes the spec loader ten times slower.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
sanitizer="${FUZZ_SANITIZER:-none}"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(validator doc_sample spec_loader mock_request)
fi
case "$seconds" in
  '' | *[!0-9]*)
    echo "error: the time is a whole number of seconds, not \`$seconds\`" >&2
    exit 2
    ;;
esac
if ! cargo "+$toolchain" fuzz --version >/dev/null 2>&1; then
  echo "error: cargo-fuzz with the $toolchain toolchain is needed:" >&2
  echo "  rustup toolchain install $toolchain && cargo install cargo-fuzz --version 0.13.2 --locked" >&2
  exit 2
fi

# Optimized, with debug assertions and overflow checks (cargo-fuzz's default).
cargo "+$toolchain" fuzz build --sanitizer "$sanitizer"
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "fuzzing $target for ${seconds}s"
  cargo "+$toolchain" fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
done
echo "fuzzing: ${#targets[@]} target(s), ${seconds}s each, no crash"
