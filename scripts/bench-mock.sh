#!/usr/bin/env bash
# Throughput of the local mock side by side with Prism (BENCHMARKS.md, "Mock throughput"):
# the same load generator (mock/benches/throughput.rs: 32 keep-alive connections, every
# answer checked) measures
#
#   1. payple-mock, in process, release build: cpay partner auth and a ledger-backed result
#      inquiry;
#   2. Prism (@stoplight/prism-cli, pinned below, installed from npm into a temporary
#      directory) serving openapi/cpay.openapi.json in its default static mode on 127.0.0.1,
#      request logging off: the same auth request, and the same inquiry request at the
#      document's template path /{return_url}/result_inquiry.
#
#   bash scripts/bench-mock.sh [SECONDS]     # measured seconds per call (default 10)
#
# Needs Node.js with npm (Prism 5 needs Node.js 18+). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_CLI=5.16.0
seconds=${1:-10}
connections=32

work=$(mktemp -d)
prism_pid=
cleanup() {
  if [ -n "$prism_pid" ]; then kill "$prism_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v npm >/dev/null 2>&1 || { echo "error: npm is required (Node.js)" >&2; exit 1; }
npm install --silent --no-audit --no-fund --prefix "$work/npm" "@stoplight/prism-cli@$PRISM_CLI" \
  >/dev/null
cargo bench -q --locked -p payple-mock --bench throughput --no-run 2>/dev/null

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version); prism $PRISM_CLI"

echo
cargo bench -q --locked -p payple-mock --bench throughput -- \
  --connections "$connections" --seconds "$seconds"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/npm/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$port" --verboseLevel error \
  openapi/cpay.openapi.json >"$work/prism.log" 2>&1 &
prism_pid=$!
for _ in $(seq 150); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$prism_pid" 2>/dev/null || { cat "$work/prism.log" >&2; exit 1; }
  sleep 0.2
done
echo
cargo bench -q --locked -p payple-mock --bench throughput -- \
  --connections "$connections" --seconds "$seconds" \
  --target "http://127.0.0.1:$port" --inquiry-path /bench/result_inquiry
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
