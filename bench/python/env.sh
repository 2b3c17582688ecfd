#!/usr/bin/env bash
# Makes (once) the git-ignored .venv-bench with the Python reference tools the benches and
# tools/fixtures compare against, and prints its python's path on stdout.
# Usage: PY=$(bash bench/python/env.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-bench"
req="$root/bench/python/requirements.txt"
stamp="$venv/.requirements"
if [[ ! -x $venv/bin/python ]] || ! cmp -s "$req" "$stamp"; then
  python3 -m venv "$venv" >&2 || { echo "python3 -m venv failed: install python3-venv (Debian/Ubuntu)" >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
echo "$venv/bin/python"
