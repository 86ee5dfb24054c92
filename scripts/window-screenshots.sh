#!/usr/bin/env bash
# Regenerates the screenshots of the mock's payment window in docs/guides/img/ from the
# browser tests (mock/tests/browser.rs), which save them only when PAYPLE_WINDOW_SCREENSHOTS
# names a folder. Needs Chromium and chromedriver (apt-get install chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
PAYPLE_BROWSER_TESTS=required PAYPLE_WINDOW_SCREENSHOTS="$shots" \
  cargo test -q --locked -p payple-mock --test browser payment_window_in_a_real_browser
mkdir -p docs/guides/img
for png in "$shots"/*.png; do
  name=$(basename "$png")
  cp "$png" "docs/guides/img/.$name.tmp"
  mv "docs/guides/img/.$name.tmp" "docs/guides/img/$name"
  echo "wrote docs/guides/img/$name"
done
