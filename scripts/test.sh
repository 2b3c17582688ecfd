#!/usr/bin/env bash
# `npm test`: everything from a fresh clone. Installs the npm dependencies if missing,
# type-checks, lints, then runs the unit and integration tests: the integration projects
# bring the local stack up themselves and stop what they started; `integration-ch26` runs
# the storage-touching suites again on ClickHouse 26.x (tools/chdb-http); then the Python
# SDK's tests (scripts/test-python.sh), which run even when jest failed.
# Arguments go to jest (`npm test -- test/ingest`). The run always ends: jest exits once the
# tests are done even if a test left a connection open (forceExit in jest.config.js), and
# a wall-clock limit (VIGIL_TEST_TIMEOUT_S, default 1500 s) kills jest and everything it
# started, and fails the run, if it ever gets stuck anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/dashboard/web/tsconfig.json --noEmit
npx eslint .
limit="${VIGIL_TEST_TIMEOUT_S:-1500}"
[[ "$limit" =~ ^[1-9][0-9]*$ ]] || { echo "[test] VIGIL_TEST_TIMEOUT_S must be a whole number of seconds, got '$limit'" >&2; exit 2; }
# Every project unless the arguments choose (`npm test -- --selectProjects unit`). The
# projects go last: `--selectProjects` would take a test path after it for a project name.
projects=(--selectProjects unit integration integration-ch26)
for arg in "$@"; do [[ "$arg" == --selectProjects* ]] && projects=(); done
status=0
# timeout signals its whole process group: jest, its workers and the services tests spawned.
timeout --kill-after=20 "$limit" npx jest "$@" "${projects[@]}" || status=$?
if (( status == 124 || status == 137 )); then
  echo "[test] FAILED: jest was still running after ${limit} s (VIGIL_TEST_TIMEOUT_S) and was killed with every process it started" >&2
fi
# The Python SDK's suite, unless the run was narrowed to some jest projects.
if (( ${#projects[@]} > 0 )); then
  python_status=0
  timeout --kill-after=20 "$limit" bash scripts/test-python.sh || python_status=$?
  if (( python_status == 124 || python_status == 137 )); then
    echo "[test] FAILED: the Python SDK's tests were still running after ${limit} s and were killed" >&2
  fi
  (( python_status == 0 )) || status=$python_status
fi
exit "$status"
