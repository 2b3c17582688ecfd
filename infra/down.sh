#!/usr/bin/env bash
# Stops the servers that infra/up.sh started (and only those); data stays in .infra/data.
# `--reset` also deletes the data (topics, schemas, tables). `--cluster` (or VIGIL_TOPOLOGY=cluster):
# the cluster topology's servers, clickhouse-2's network namespace, and data (docs/scaling.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

stop() {
  local name="$1" pidfile="$RUN_DIR/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 30s: killing"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    fi
  fi
  rm -f "$pidfile"
}

stop registry
if [[ "$VIGIL_TOPOLOGY" == cluster ]]; then
  # All brokers at once: stopped one after the other, the last two lose the controller
  # quorum and cannot finish a controlled shutdown (the last waited out its 30 s).
  for node in $(cluster_kafka_nodes); do stop "$node" & done
  wait
  # Every ClickHouse server with a pid file, whatever VIGIL_CLUSTER_SHARDS says now.
  for pidfile in "$RUN_DIR"/clickhouse-*.pid; do [[ -e "$pidfile" ]] && stop "$(basename "$pidfile" .pid)"; done
  stop zookeeper
  # Its veth pair goes with it.
  if cluster_netns_exists; then
    log "deleting network namespace $CLUSTER_NETNS"
    ip netns del "$CLUSTER_NETNS"
  fi
else
  stop kafka
  stop clickhouse
fi
if [[ " $* " == *" --reset "* ]]; then
  log "deleting data in $INFRA_DIR/data"
  rm -rf "$INFRA_DIR/data"
fi
