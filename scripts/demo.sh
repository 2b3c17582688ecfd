#!/usr/bin/env bash
# `npm run demo`: sets everything up on a fresh clone, starts the three services with
# settings sized for a few-minute story, tells the story (apps/simulator/src/demo), then
# keeps the services running so the printed curls work, until Ctrl-C. It ends after the
# story instead with `--exit` or DEMO_EXIT=1, and by default when stdout is not a terminal
# (CI, a pipe); DEMO_EXIT=0 keeps the services running even then. The services stop on
# every exit; the stack (Kafka, registry, ClickHouse) stays up.
# Service ports: DEMO_INGESTOR_PORT, DEMO_MONITOR_PORT, DEMO_ORCHESTRATOR_PORT, DEMO_DASHBOARD_PORT (3001-3004).
# Every run uses fresh topics (demo.<timestamp>.*) and a fresh ClickHouse database
# (vigil_demo_<timestamp>), so reruns start clean; earlier demo databases are dropped in
# the background (on ClickHouse 18.16 a DROP of tables just written can take a minute).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] error: %s\n' "$*" >&2; exit 1; }

exit_after_story="${DEMO_EXIT:-}"
for arg in "$@"; do
  case "$arg" in
    --exit) exit_after_story=1 ;;
    *) die "unknown argument '$arg' (usage: npm run demo [-- --exit])" ;;
  esac
done
[[ -z "$exit_after_story" || "$exit_after_story" == 0 || "$exit_after_story" == 1 ]] \
  || die "DEMO_EXIT must be 0 (keep the services running after the story) or 1 (exit), got '$exit_after_story'"
if [[ -z "$exit_after_story" ]]; then
  if [[ -t 1 ]]; then exit_after_story=0; else exit_after_story=1; fi
fi

LOG_DIR=.infra/logs/services
STAMP="$(date -u +%Y%m%d%H%M%S)"
export VIGIL_TOPIC_PREFIX="demo.${STAMP}."
export CLICKHOUSE_DATABASE="vigil_demo_${STAMP}"
export CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
export CLICKHOUSE_USER="${CLICKHOUSE_USER:-default}"
export CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-}"
# Three partitions: group joins settle faster than with six, and one model uses one anyway.
export VIGIL_TOPIC_PARTITIONS=3
# Sized for minutes, not days: snapshots every 2 s, a 300-label rolling window (about 8 s
# of labels at 40 predictions/s), verdicts from 150 labels.
export MONITOR_METRIC_WINDOW=300
INGESTOR_PORT="${DEMO_INGESTOR_PORT:-3001}"
MONITOR_PORT="${DEMO_MONITOR_PORT:-3002}"
ORCHESTRATOR_PORT="${DEMO_ORCHESTRATOR_PORT:-3003}"
DASHBOARD_PORT="${DEMO_DASHBOARD_PORT:-3004}"
export DEMO_INGESTOR_URL="http://127.0.0.1:${INGESTOR_PORT}"
export DEMO_MONITOR_URL="http://127.0.0.1:${MONITOR_PORT}"
export DEMO_ORCHESTRATOR_URL="http://127.0.0.1:${ORCHESTRATOR_PORT}"

declare -A PIDS=()

stop_services() {
  local name pid
  for name in "${!PIDS[@]}"; do
    pid="${PIDS[$name]}"
    kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    pid="${PIDS[$name]}"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within 10 s: killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if (( ${#PIDS[@]} > 0 )); then
    say "services stopped (logs in $LOG_DIR/). The stack is still running: 'npm run infra:down' stops it."
  fi
  PIDS=()
}
# Ctrl-C once the story has ended is how a user leaves the demo: that exit is a success.
story_done=0
trap stop_services EXIT
trap 'if (( story_done )); then exit 0; else exit 130; fi' INT TERM

# The newest source (or build setting) is newer than the oldest compiled entry point, or
# one is missing: build. A fresh clone's `npm ci` has just built (the `prepare` script).
build_needed() {
  local entry
  for entry in dist/apps/{ingestor,monitor,orchestrator}/src/main.js dist/apps/simulator/src/demo/main.js; do
    [[ -f "$entry" ]] || return 0
    [[ -z "$(find apps libs bench infra \( -name '*.ts' -o -name '*.json' \) -newer "$entry" -print -quit)" ]] || return 0
    [[ -z "$(find tsconfig.json tsconfig.build.json package-lock.json -newer "$entry" -print -quit 2>/dev/null)" ]] || return 0
  done
  return 1
}

[ -d node_modules ] || npm ci
npm run infra:up
if build_needed; then
  npm run build || die "the build failed (see above); the demo runs the compiled services"
else
  say "dist/ is newer than the sources: not rebuilding"
fi

for port in "$INGESTOR_PORT" "$MONITOR_PORT" "$ORCHESTRATOR_PORT" "$DASHBOARD_PORT"; do
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:${port}/"; then
    die "port ${port} is already in use: is another demo or Vigil service running?"
  fi
done

clickhouse() {
  curl -fsS -u "${CLICKHOUSE_USER}:${CLICKHOUSE_PASSWORD}" "${CLICKHOUSE_URL}/" --data-binary "$1"
}
earlier="$(clickhouse "SELECT name FROM system.databases WHERE startsWith(name, 'vigil_demo_')")" \
  || die "could not reach ClickHouse at ${CLICKHOUSE_URL}"
if [[ -n "$earlier" ]]; then
  say "dropping $(wc -l <<<"$earlier") ClickHouse database(s) of earlier demo runs in the background"
  (for db in $earlier; do clickhouse "DROP DATABASE IF EXISTS ${db}" || true; done) >/dev/null 2>&1 &
  disown
fi

# This run's API tokens (docs/api-auth.md): the services get only their SHA-256 digests;
# the tokens themselves sit in 0600 files that the story and the printed curls read, so
# they appear in no log, argv or environment.
TOKEN_DIR="${VIGIL_INFRA_DIR:-.infra}/demo/api-tokens"
(umask 077 && mkdir -p "$TOKEN_DIR" && chmod 700 "$TOKEN_DIR" && node -e '
  const { createHash, randomBytes } = require("node:crypto");
  const { writeFileSync } = require("node:fs");
  const dir = process.argv[1];
  const entries = [["demo-operator", "write"], ["demo-viewer", "read"]].map(([name, role]) => {
    const token = randomBytes(32).toString("hex");
    writeFileSync(`${dir}/${role}.token`, `${token}\n`, { mode: 0o600 });
    return { name, role, sha256: createHash("sha256").update(token).digest("hex") };
  });
  writeFileSync(`${dir}/tokens.json`, JSON.stringify(entries, null, 2), { mode: 0o600 });
' "$TOKEN_DIR") || die "could not write the demo API tokens to $TOKEN_DIR"
export VIGIL_API_TOKENS_FILE="$TOKEN_DIR/tokens.json"
export DEMO_API_READ_TOKEN_FILE="$TOKEN_DIR/read.token"
export DEMO_API_WRITE_TOKEN_FILE="$TOKEN_DIR/write.token"

mkdir -p "$LOG_DIR"
start_service() {
  local name="$1" port="$2"; shift 2
  # In a session of its own, so Ctrl-C reaches only the story and this script, whose exit
  # stops the services (SIGTERM, SIGKILL after 10 s). Otherwise each Node would take the
  # SIGINT too (Node handles it even though bash ignores it for background jobs), and the
  # loop after the story could report a service that stopped first as having exited.
  # setsid and env exec (the child is not a group leader), so $! is the service's pid.
  setsid env HTTP_PORT="$port" "$@" node -r ./bin/register-paths.js "dist/apps/${name}/src/main.js" >"$LOG_DIR/${name}.log" 2>&1 &
  PIDS[$name]=$!
}
wait_healthy() {
  local name="$1" port="$2" started=$SECONDS deadline=$((SECONDS + 90))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${port}/health")" == 200 ]]; do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      tail -n 20 "$LOG_DIR/${name}.log" >&2 || true
      die "$name exited during start-up: see $LOG_DIR/${name}.log"
    fi
    (( SECONDS < deadline )) || die "$name did not answer 200 on :${port}/health within 90 s: see $LOG_DIR/${name}.log"
    sleep 0.5
  done
  say "$name is healthy on http://127.0.0.1:${port} after $((SECONDS - started)) s (log: $LOG_DIR/${name}.log)"
}
start_service ingestor "$INGESTOR_PORT" INGESTOR_GROUP_ID="demo-${STAMP}-ingestor"
# The first service registers the contracts on the fresh topics alone: registrations of a
# new subject racing each other can see the registry's default compatibility and fail.
wait_healthy ingestor "$INGESTOR_PORT"
start_service monitor "$MONITOR_PORT" MONITOR_GROUP_ID="demo-${STAMP}-monitor" \
  MONITOR_SNAPSHOT_INTERVAL_MS=2000 MONITOR_CHECKPOINT_INTERVAL_MS=5000 MONITOR_CONFIG_REFRESH_MS=2000 \
  MONITOR_MIN_LABELS=150 MONITOR_REFERENCE_SIZE=500 MONITOR_DRIFT_WINDOW=300 \
  MONITOR_ESTIMATION_REFERENCE_SIZE=600 MONITOR_ESTIMATION_WINDOW=300
start_service orchestrator "$ORCHESTRATOR_PORT" ORCHESTRATOR_GROUP_ID="demo-${STAMP}-orchestrator" \
  ORCHESTRATOR_TRANSACTIONAL_ID="demo-${STAMP}-orchestrator" ORCHESTRATOR_POLICIES=config/policies.demo.json \
  ORCHESTRATOR_SESSION_TIMEOUT_MS=10000

wait_healthy monitor "$MONITOR_PORT"
wait_healthy orchestrator "$ORCHESTRATOR_PORT"

# The dashboard (docs/dashboard.md) reads this run's database. The read token rides in the
# URL's fragment: browsers never send a fragment to the server, and the page moves it to
# sessionStorage and out of the address bar.
start_service dashboard "$DASHBOARD_PORT"
wait_healthy dashboard "$DASHBOARD_PORT"
DASHBOARD_URL="http://127.0.0.1:${DASHBOARD_PORT}/#token=$(cat "$DEMO_API_READ_TOKEN_FILE")"
say "dashboard: ${DASHBOARD_URL}"

# Where a user can look while the services run.
SERVICE_URLS=("dashboard    ${DASHBOARD_URL}" "ingestor     ${DEMO_INGESTOR_URL}" "monitor      ${DEMO_MONITOR_URL}" "orchestrator ${DEMO_ORCHESTRATOR_URL}")

node -r ./bin/register-paths.js dist/apps/simulator/src/demo/main.js
story_done=1

(( exit_after_story )) && exit 0
say "the services keep running so the curls above work; Ctrl-C stops them (npm run demo -- --exit ends after the story):"
for url in "${SERVICE_URLS[@]}"; do say "  $url"; done
while true; do
  for name in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$name]}" 2>/dev/null || die "$name exited: see $LOG_DIR/${name}.log"
  done
  # In the background and waited for: bash runs the INT trap at once, not after a sleep.
  sleep 1 & wait $!
done
