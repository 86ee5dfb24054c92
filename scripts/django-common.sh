# shellcheck shell=bash
# Shared by scripts/check-django-client.sh and scripts/check-django-browser.sh (sourced, not
# run): the pinned versions of the Django app payple-hj3415 and what it needs, a throwaway
# work folder removed on exit together with the mock, a venv with the pins (plus whatever
# the caller names), and the local mock started from this checkout.
#
# After `source scripts/django-common.sh`: $work, $venv (after django_venv) and, after
# start_mock, $mock_pid and $cpay (the mock's cpay URL).

PAYPLE_HJ3415=0.1.2
DJANGO=4.2.30
REQUESTS=2.34.2

work=$(mktemp -d)
mock_pid=""
cleanup() {
  # Stop the mock and wait for it, so that it writes nothing while its folder is removed;
  # a failure here must not turn a passed check into a failed one.
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work" || true
}
trap cleanup EXIT

# A venv with the app, Django and requests at their pins and the extra requirements given
# as arguments; PAYPLE_DJANGO_VENV reuses one that already has them.
django_venv() {
  venv="${PAYPLE_DJANGO_VENV:-$work/venv}"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    for attempt in 1 2 3; do
      if "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "payple-hj3415==$PAYPLE_HJ3415" "Django==$DJANGO" "requests==$REQUESTS" "$@"; then break; fi
      [ "$attempt" -eq 3 ] && exit 1
      sleep 10
    done
  fi
}

# The mock of this checkout on free ports, logging redacted JSON Lines to $work/mock.jsonl.
start_mock() {
  cargo build -q --locked -p payple-conformance --bin payple-conformance
  local target_dir
  target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  "$target_dir/debug/payple-conformance" mock --log "$work/mock.jsonl" >"$work/mock.out" 2>"$work/mock.err" &
  mock_pid=$!
  cpay=""
  for _ in $(seq 100); do
    cpay=$(awk '$1 == "cpay" { print $2 }' "$work/mock.out" 2>/dev/null || true)
    [ -n "$cpay" ] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.err" >&2; exit 1; }
    sleep 0.2
  done
  [ -n "$cpay" ] || { echo "error: the mock printed no cpay URL" >&2; exit 1; }
}
