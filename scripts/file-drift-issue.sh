#!/usr/bin/env bash
# What the nightly workflow (.github/workflows/nightly.yml) does with the exit code of
# `payple-conformance live`: `scripts/file-drift-issue.sh EXIT_CODE REPORT.md`.
#
#   0  no drift: nothing to do.
#   1  drift: opens ONE issue labelled $DRIFT_LABEL (default api-drift) with the Markdown
#      report as its body, or, when one is open already, replaces its body with the new
#      report and comments on it. Needs the GitHub CLI `gh` (GH_TOKEN, GH_REPO set).
#   2  outage (network error, timeout, 5xx, authentication refused): a warning and a line in
#      the job summary ($GITHUB_STEP_SUMMARY, when set); no issue.
#
# RUN_URL (the workflow run's address) is linked from the issue. Exits 0 when the code was
# handled, 1 when a `gh` call failed or the code is not one of those, 2 on a usage error.
# Tested with a stand-in `gh` by conformance/tests/nightly_workflow.rs.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 EXIT_CODE REPORT.md" >&2
  exit 2
fi
code="$1"
report="$2"
label="${DRIFT_LABEL:-api-drift}"
run_url="${RUN_URL:-}"

case "$code" in
  0)
    echo "no drift: no issue filed"
    ;;
  1)
    if [ ! -f "$report" ]; then
      echo "error: drift reported but the report $report is missing" >&2
      exit 1
    fi
    body=$(mktemp)
    trap 'rm -f "$body"' EXIT
    # An issue body holds at most 65,536 characters.
    {
      head -c 60000 "$report"
      printf '\n\nReports of this run: %s\n' "$run_url"
    } >"$body"
    # The label may exist already; any other problem shows in the calls below.
    gh label create "$label" --color D93F0B \
      --description "Payple API drift found by the nightly live check" >/dev/null 2>&1 || true
    number=$(gh issue list --label "$label" --state open --limit 1 \
      --json number --jq '.[0].number // empty')
    if [ -n "$number" ]; then
      gh issue edit "$number" --body-file "$body"
      gh issue comment "$number" --body "Drift still present: $run_url"
      echo "drift: updated issue #$number"
    else
      gh issue create --title "Payple API drift detected" --label "$label" \
        --body-file "$body"
      echo "drift: opened an issue"
    fi
    ;;
  2)
    echo "::warning title=Payple could not be checked::The live check could not run (network error, timeout, 5xx or authentication refused); no drift issue was opened. See the job summary and the payple-live-reports artifact."
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      {
        echo
        echo "**Outage, not drift:** the live check could not run, so no drift issue was opened."
      } >>"$GITHUB_STEP_SUMMARY"
    fi
    ;;
  *)
    echo "error: unexpected exit code \`$code\` of the live check" >&2
    exit 1
    ;;
esac
