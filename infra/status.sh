#!/usr/bin/env bash
# One line per server: whether it answers a real request, and whether this project started it.
# `--cluster` (or VIGIL_TOPOLOGY=cluster): one line per node of the cluster topology.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

report() {
  local name="$1" where="$2" check="$3" state="down" owner=""
  "$check" "${@:4}" && state="up"
  if pid_alive "$name"; then
    owner="started by infra/up.sh, pid $(cat "$RUN_DIR/$name.pid"), rss $(( $(ps -o rss= -p "$(cat "$RUN_DIR/$name.pid")") / 1024 )) MiB"
  else
    owner="not started by this project"
  fi
  printf '%-13s %-5s %-45s %s\n' "$name" "$state" "$where" "$owner"
}
if [[ "$VIGIL_TOPOLOGY" == cluster ]]; then
  # One line per node of the cluster topology (docs/scaling.md), then what services use.
  for n in 1 2 3; do report "kafka-$n" "127.0.0.1:${CLUSTER_KAFKA_PORTS[n - 1]}" kafka_node_ready "$n"; done
  for n in $(cluster_clickhouse_node_numbers); do report "clickhouse-$n" "$(clickhouse_node_url "$n")" clickhouse_node_ready "$n"; done
  report zookeeper "$CLUSTER_ZOOKEEPER_HOST:$VIGIL_CLUSTER_ZOOKEEPER_PORT" zookeeper_ready
  if cluster_uses_netns; then
    # LOWER_UP missing on the host end: the partition fault test (or a person) cut the link.
    link="$(ip -br link show "$CLUSTER_VETH_HOST" 2>/dev/null)"
    [[ "$link" == *LOWER_UP* ]] && state=up || state=cut
    printf '%-13s %-5s %-45s %s\n' netns "$state" "$CLUSTER_NETNS" "clickhouse-2's: veth $CLUSTER_VETH_HOST $CLUSTER_VETH_SUBNET.1 <-> $CLUSTER_VETH_NETNS $CLUSTER_VETH_SUBNET.2"
  else
    printf '%-13s %-5s %-45s %s\n' netns none "$CLUSTER_NETNS" "clickhouse-2 on loopback (a namespace needs root and one shard): no partition fault test"
  fi
  report registry "$SCHEMA_REGISTRY_URL" registry_ready
  cluster_client_env
  exit 0
fi
report kafka "$KAFKA_BROKERS" kafka_ready
report registry "$SCHEMA_REGISTRY_URL" registry_ready
report clickhouse "$CLICKHOUSE_URL" clickhouse_ready
# The secured side (docs/security.md): same processes, other ports.
secure_report() {
  local name="$1" where="$2" check="$3" state="down"
  "$check" && state="up"
  printf '%-13s %-5s %-45s %s\n' "$name" "$state" "$where" "secured side (CA and credentials in $SECURE_DIR)"
}
kafka_sasl_ssl_ready() { (exec 3<>"/dev/tcp/$(kafka_host)/$KAFKA_SASL_SSL_PORT") 2>/dev/null; }
registry_https_ready() { curl -fsS --max-time 5 --cacert "$SECURE_DIR/ca.pem" "$(registry_https_url)/subjects" >/dev/null 2>&1; }
clickhouse_https_ready() { curl -fsS --max-time 5 --cacert "$SECURE_DIR/ca.pem" "$(clickhouse_https_url)/ping" >/dev/null 2>&1; }
secure_report kafka "SASL_SSL $(kafka_host):$KAFKA_SASL_SSL_PORT" kafka_sasl_ssl_ready
secure_report registry "$(registry_https_url)" registry_https_ready
secure_report clickhouse "$(clickhouse_https_url)" clickhouse_https_ready
