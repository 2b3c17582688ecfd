#!/usr/bin/env bash
# One line per server: whether it answers a real request, and whether this project started it.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

report() {
  local name="$1" where="$2" check="$3" state="down" owner=""
  "$check" && state="up"
  if pid_alive "$name"; then
    owner="started by infra/up.sh, pid $(cat "$RUN_DIR/$name.pid"), rss $(( $(ps -o rss= -p "$(cat "$RUN_DIR/$name.pid")") / 1024 )) MiB"
  else
    owner="not started by this project"
  fi
  printf '%-11s %-5s %-45s %s\n' "$name" "$state" "$where" "$owner"
}
report kafka "$KAFKA_BROKERS" kafka_ready
report registry "$SCHEMA_REGISTRY_URL" registry_ready
report clickhouse "$CLICKHOUSE_URL" clickhouse_ready
