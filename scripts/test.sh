#!/usr/bin/env bash
# `npm test`: everything from a fresh clone. Installs the npm dependencies if missing,
# type-checks, lints, then runs the unit and integration tests (the integration project
# brings the local stack up itself and stops what it started), then the Python SDK's
# tests (scripts/test-python.sh), which run even when jest failed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npx eslint .
status=0
npx jest --selectProjects unit integration "$@" || status=$?
bash scripts/test-python.sh || status=$?
exit "$status"
