#!/usr/bin/env bash
# The Python SDK's tests (sdks/python/tests), run by `npm test` after jest: a virtual
# environment in .venv-sdk (git-ignored), the SDK installed from source with its test
# extras, then pytest against the local stack. Like jest's global setup, it starts the
# stack when it is down and stops it afterwards. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-sdk
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" || { echo "python3 -m venv failed: install python3-venv (Debian/Ubuntu)" >&2; exit 1; }
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "./sdks/python[test]"
if ! bash -c 'source infra/lib.sh && kafka_ready && registry_ready && clickhouse_ready' >/dev/null 2>&1; then
  bash infra/up.sh
  trap 'bash infra/down.sh' EXIT
fi
"$venv/bin/python" -m pytest sdks/python/tests "$@"
