#!/usr/bin/env bash
# Checks the generated OpenAPI documents (openapi/*.openapi.json) with the tools people
# already use on OpenAPI, installed at pinned versions into a temporary directory:
#
#   1. openapi-spec-validator (PyPI): each document is valid OpenAPI 3.1;
#   2. Redocly CLI `lint` (npm) with the committed ruleset ./redocly.yaml: zero problems;
#      and the rendered HTML reference docs/html/*.html (Redocly `build-docs`, rebuilt by
#      scripts/build-html-docs.sh into a temporary directory) is byte-for-byte current;
#   3. openapi-typescript (npm): TypeScript types generated from each document compile with
#      `tsc --strict`, together with every documented JSON sample that the spec does not
#      mark as deviating, typed as its operation's request or response body;
#   4. datamodel-code-generator (PyPI): pydantic models generated from each document load
#      every documented JSON sample (a sample whose x-payple-expect lists deviations may be
#      refused; it is reported, not failed);
#   5. Schemathesis (PyPI) against the local mock (payple-conformance mock, built here by
#      cargo), bounded: the documented examples, then 10 generated cases per operation,
#      seed 1, positive mode; checks not_a_server_error, status_code_conformance,
#      response_schema_conformance and content_type_conformance, 0 failures. hub and global
#      run with a bearer token fetched from the mock with the token operation's documented
#      sample; operations the mock does not serve are left out: template paths (a URL
#      Payple hands over at run time), post-backs to the partner and the browser script.
#
# Any missing tool is an error: this script is the check (the Rust tests do not run these
# tools). `.ci/run` calls it; run it by hand the same way: `bash scripts/check-openapi.sh`.
# Needs python3 (with venv) and Node.js with npm; as root, a machine without npm gets
# Debian's nodejs and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

OPENAPI_SPEC_VALIDATOR=0.9.0
DATAMODEL_CODE_GENERATOR=0.97.0
SCHEMATHESIS=4.32.5
REDOCLY_CLI=2.77.0            # needs Node.js 20.19+ or 22.12+
REDOCLY_CLI_OLD_NODE=1.34.20  # for an older Node.js (Debian's 18), same rules
OPENAPI_TYPESCRIPT=7.13.0
TYPESCRIPT=5.9.3

shopt -s nullglob
docs=(openapi/*.openapi.json)
[ "${#docs[@]}" -gt 0 ] || { echo "error: no openapi/*.openapi.json" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

retry() {
  local attempt
  for attempt in 1 2 3; do
    if "$@"; then return 0; fi
    [ "$attempt" -eq 3 ] && return 1
    sleep 5
  done
}

# --- Tools -------------------------------------------------------------------------------
python3 -m venv "$work/venv"
retry "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR" \
  "datamodel-code-generator==$DATAMODEL_CODE_GENERATOR" "schemathesis==$SCHEMATHESIS"

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Node.js/npm missing: installing Debian's nodejs and npm"
    (apt-get update -qq && apt-get install -y -qq nodejs npm) >/dev/null
  fi
fi
command -v npm >/dev/null 2>&1 || { echo "error: npm is required (Node.js)" >&2; exit 1; }
redocly=$REDOCLY_CLI
if ! node -e '
  const [a, b] = process.versions.node.split(".").map(Number);
  process.exit((a === 20 && b >= 19) || a > 22 || (a === 22 && b >= 12) ? 0 : 1);'; then
  redocly=$REDOCLY_CLI_OLD_NODE
fi
retry npm install --silent --no-audit --no-fund --prefix "$work/npm" \
  "@redocly/cli@$redocly" "openapi-typescript@$OPENAPI_TYPESCRIPT" "typescript@$TYPESCRIPT" \
  >/dev/null
bin="$work/npm/node_modules/.bin"
echo "tools: openapi-spec-validator $OPENAPI_SPEC_VALIDATOR, @redocly/cli $redocly," \
  "openapi-typescript $OPENAPI_TYPESCRIPT, typescript $TYPESCRIPT," \
  "datamodel-code-generator $DATAMODEL_CODE_GENERATOR, schemathesis $SCHEMATHESIS;" \
  "node $(node --version)"

# --- 1. openapi-spec-validator -----------------------------------------------------------
for doc in "${docs[@]}"; do
  "$work/venv/bin/openapi-spec-validator" "$doc"
done

# --- 2. Redocly lint ---------------------------------------------------------------------
# Exit status 1 on any error; the ruleset makes every remaining rule an error.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$bin/redocly" lint --config redocly.yaml --format stylish "${docs[@]}" 2>&1 |
  grep -v -e '^ *║' -e '^ *╔' -e '^ *╚' || true
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$bin/redocly" lint --config redocly.yaml --format summary "${docs[@]}" >/dev/null 2>&1 ||
  { echo "error: redocly lint found problems (above)" >&2; exit 1; }
echo "redocly lint: 0 problems"

# --- 2b. The rendered HTML reference (docs/html) is current --------------------------------
# Redocly's output is reproducible (no dates, random ids or paths), so the pages are compared
# byte for byte. Only the pinned version renders the committed pages; the older CLI an older
# Node.js gets renders differently, so there the comparison cannot be made (said loudly).
if [ "$redocly" = "$REDOCLY_CLI" ]; then
  REDOCLY="$bin/redocly" bash scripts/build-html-docs.sh "$work/html" >/dev/null
  stale=()
  for page in "$work"/html/*.html; do
    cmp -s "$page" "docs/html/$(basename "$page")" || stale+=("docs/html/$(basename "$page")")
  done
  for page in docs/html/*.html; do
    [ -e "$work/html/$(basename "$page")" ] || stale+=("$page (extra)")
  done
  if [ "${#stale[@]}" -gt 0 ]; then
    printf 'out of date: %s\n' "${stale[@]}" >&2
    echo "error: the HTML reference is not current; run: bash scripts/build-html-docs.sh" >&2
    exit 1
  fi
  echo "html reference: docs/html/*.html current (redocly build-docs $redocly)"
else
  echo "warning: NOT CHECKED: docs/html needs @redocly/cli $REDOCLY_CLI (Node.js 20.19+ or 22.12+; found $(node --version))" >&2
fi

# --- 3. openapi-typescript + tsc --strict ------------------------------------------------
mkdir -p "$work/ts"
for doc in "${docs[@]}"; do
  name=$(basename "$doc" .openapi.json)
  "$bin/openapi-typescript" "$doc" -o "$work/ts/$name.ts" --silent
done
# One file per document that types each clean JSON sample as its body.
node - "$work/ts" "${docs[@]}" <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [outDir, ...docs] = process.argv.slice(2);
let typed = 0;
for (const file of docs) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const name = path.basename(file, ".openapi.json");
  const lines = [`import type { operations } from "./${name}";`, ""];
  let n = 0;
  const visit = (op) => {
    const id = JSON.stringify(op.operationId);
    const add = (content, type) => {
      for (const [media, m] of Object.entries(content || {})) {
        for (const [key, ex] of Object.entries(m.examples || {})) {
          if ((ex["x-payple-expect"] || []).length) continue;
          lines.push(`// ${op.operationId} ${key}`);
          lines.push(`export const sample${n++}: ${type(JSON.stringify(media))} = ${JSON.stringify(ex.value)};`);
        }
      }
    };
    add(op.requestBody?.content, (mt) => `NonNullable<operations[${id}]["requestBody"]>["content"][${mt}]`);
    add(op.responses?.["200"]?.content, (mt) => `operations[${id}]["responses"][200]["content"][${mt}]`);
  };
  for (const item of Object.values(doc.paths || {})) Object.values(item).forEach(visit);
  for (const item of Object.values(doc.webhooks || {})) Object.values(item).forEach(visit);
  fs.writeFileSync(path.join(outDir, `${name}.samples.ts`), lines.join("\n") + "\n");
  typed += n;
}
console.log(`typescript: ${typed} documented samples typed against the generated types`);
JS
"$bin/tsc" --strict --noEmit --skipLibCheck false --target es2022 --module es2022 \
  --moduleResolution bundler "$work"/ts/*.ts
echo "tsc --strict: the generated types and the typed samples compile"

# --- 4. datamodel-code-generator: pydantic models load the samples -----------------------
mkdir -p "$work/py"
for doc in "${docs[@]}"; do
  "$work/venv/bin/datamodel-codegen" --input "$doc" --input-file-type openapi \
    --output "$work/py" --output-model-type pydantic_v2.BaseModel --formatters builtin \
    2>"$work/py.log" || { cat "$work/py.log" >&2; exit 1; }
done
"$work/venv/bin/python" - "$work/py" "${docs[@]}" <<'PY'
import importlib, json, keyword, sys
out, docs = sys.argv[1], sys.argv[2:]
sys.path.insert(0, out)
loaded = deviating_refused = failed = 0
for path in docs:
    doc = json.load(open(path, encoding="utf-8"))
    def media(op, webhook):
        body = (op.get("requestBody") or {}).get("content") or {}
        yield from (("response" if webhook else "request", m) for m in body.values())
        answer = ((op.get("responses") or {}).get("200") or {}).get("content") or {}
        yield from (("response", m) for m in answer.values())
    for key, webhook in (("paths", False), ("webhooks", True)):
        for item in (doc.get(key) or {}).values():
            for op in item.values():
                for part, m in media(op, webhook):
                    for name, ex in (m.get("examples") or {}).items():
                        endpoint = ex["x-payple-endpoint"]
                        service, short = endpoint.split(".", 1)
                        if keyword.iskeyword(service):  # `global` becomes package `global_`
                            service += "_"
                        model = getattr(importlib.import_module(f"{service}.{short}"), part.capitalize())
                        try:
                            model.model_validate(ex["value"])
                            loaded += 1
                        except Exception as e:  # pydantic.ValidationError
                            if ex.get("x-payple-expect"):
                                deviating_refused += 1
                                print(f"refused (documented deviation): {endpoint} {name}")
                            else:
                                failed += 1
                                print(f"FAILED: {endpoint} {name}: {e}")
print(f"pydantic: {loaded} documented samples loaded, {deviating_refused} deviating samples refused, {failed} failed")
sys.exit(1 if failed or not loaded else 0)
PY

# --- 5. Schemathesis against the local mock ----------------------------------------------
cargo build -q --locked -p payple-conformance --bin payple-conformance
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
"$target_dir/debug/payple-conformance" mock >"$work/mock.log" 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ "$(grep -c '^[a-z]* *http://' "$work/mock.log" || true)" -ge 3 ] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; exit 1; }
  sleep 0.2
done
for doc in "${docs[@]}"; do
  service=$(basename "$doc" .openapi.json)
  url=$(awk -v s="$service" '$1 == s { print $2 }' "$work/mock.log")
  [ -n "$url" ] || { echo "error: the mock printed no URL for $service" >&2; exit 1; }
  # What the mock serves (from the document itself): every operation but template paths,
  # partner URLs and scripts; and the bearer token of the service, if it has one.
  readarray -t plan < <("$work/venv/bin/python" - "$doc" "$url" <<'PY'
import json, re, sys, urllib.request
doc, url = json.load(open(sys.argv[1], encoding="utf-8")), sys.argv[2]
skip = []
for path, item in doc["paths"].items():
    for op in item.values():
        kinds = {e["url"]["kind"] for e in op["x-payple-endpoints"]}
        if "{" in path or kinds & {"partner_url", "script"}:
            skip.append(re.escape(op["operationId"]))
print("^(" + "|".join(skip) + ")$" if skip else "^$")
token = ""
for scheme in (doc["components"].get("securitySchemes") or {}).values():
    token_op = scheme.get("x-payple-token-endpoint")
    for path, item in doc["paths"].items():
        for op in item.values():
            if op["operationId"] != token_op:
                continue
            media = op["requestBody"]["content"]["application/json"]
            sample = next(iter(media["examples"].values()))["value"]
            req = urllib.request.Request(url + path, data=json.dumps(sample).encode(),
                                         headers={"Content-Type": "application/json"})
            token = json.load(urllib.request.urlopen(req, timeout=10)).get("access_token", "")
print(token)
PY
  )
  auth=()
  [ -n "${plan[1]:-}" ] && auth=(-H "Authorization: Bearer ${plan[1]}")
  echo "schemathesis: $service at $url"
  # Run from the temporary directory: Schemathesis keeps a cache in the working directory.
  (cd "$work" && "$work/venv/bin/schemathesis" run "$repo/$doc" --url "$url" "${auth[@]}" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --mode positive --phases examples,fuzzing --max-examples 10 --seed 1 \
    --exclude-operation-id-regex "${plan[0]}" --no-color) >"$work/st.log" 2>&1 ||
    { cat "$work/st.log"; echo "error: schemathesis found failures on $service" >&2; exit 1; }
  grep -E "^ *(Selected|Tested):|generated|No issues found" "$work/st.log"
done

echo "openapi checks passed"
