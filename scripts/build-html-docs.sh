#!/usr/bin/env bash
# Renders the HTML API reference docs/html/{cpay,hub,global}.html from the exported OpenAPI
# documents (openapi/*.openapi.json) with Redocly CLI `build-docs`, at the version
# scripts/check-openapi.sh pins (REDOCLY_CLI there; one pin for lint and docs).
#
#   bash scripts/build-html-docs.sh            # regenerate docs/html/ (commit the result)
#   bash scripts/build-html-docs.sh OUT_DIR    # render into OUT_DIR instead
#
# REDOCLY=/path/to/redocly uses an installed CLI (scripts/check-openapi.sh passes its own
# and compares the output with the committed files); otherwise the pinned version is
# installed from npm into a temporary directory. The pages are prerendered (readable
# without JavaScript) and load Redoc's script from Redocly's CDN, pinned with an SRI hash,
# for search and expanding; `--inlineBundle` would add about 2.3 MB of JavaScript to each
# page. The output is byte-for-byte reproducible (no dates, random ids or paths in it).
# Needs Node.js 20.19+ or 22.12+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^REDOCLY_CLI=\([0-9][0-9.]*\).*/\1/p' scripts/check-openapi.sh)
[ -n "$version" ] || { echo "error: no REDOCLY_CLI pin in scripts/check-openapi.sh" >&2; exit 1; }
out=${1:-docs/html}

shopt -s nullglob
docs=(openapi/*.openapi.json)
[ "${#docs[@]}" -gt 0 ] || { echo "error: no openapi/*.openapi.json" >&2; exit 1; }

redocly=${REDOCLY:-}
if [ -z "$redocly" ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is required (Node.js)" >&2; exit 1; }
  tools=$(mktemp -d)
  trap 'rm -rf "$tools"' EXIT
  npm install --silent --no-audit --no-fund --prefix "$tools" "@redocly/cli@$version" >/dev/null
  redocly="$tools/node_modules/.bin/redocly"
fi
found=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$redocly" --version 2>/dev/null | tail -n 1)
[ "$found" = "$version" ] ||
  { echo "error: $redocly is version ${found:-unknown}, the pin is $version" >&2; exit 1; }

mkdir -p "$out"
# Each page is rendered next to its final name and renamed into place (atomic).
for doc in "${docs[@]}"; do
  service=$(basename "$doc" .openapi.json)
  tmp="$out/.$service.html.tmp$$"
  if ! REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$redocly" build-docs --config redocly.yaml "$doc" -o "$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -f "$tmp" "$tmp.log"
    exit 1
  fi
  rm -f "$tmp.log"
  mv -f "$tmp" "$out/$service.html"
  echo "wrote $out/$service.html ($(wc -c <"$out/$service.html") bytes)"
done
# Pages of services that no longer have a document.
for page in "$out"/*.html; do
  [ -e "openapi/$(basename "$page" .html).openapi.json" ] || { rm -f "$page"; echo "removed $page"; }
done
