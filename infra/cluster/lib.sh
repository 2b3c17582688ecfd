# Settings of the cluster topology (docs/scaling.md), sourced by infra/lib.sh when
# VIGIL_TOPOLOGY=cluster (or `--cluster` on infra:up/down/status). Every port comes from the
# environment with the documented defaults below, all in 19000-19999 so that the cluster
# never collides with a single-node stack on its default ports or on an offset of them.
# The single-node variables (KAFKA_BROKERS, CLICKHOUSE_URL, ...) are set here from these.
VIGIL_CLUSTER_KAFKA_PORTS="${VIGIL_CLUSTER_KAFKA_PORTS:-19092,19192,19292}"
VIGIL_CLUSTER_KAFKA_CONTROLLER_PORTS="${VIGIL_CLUSTER_KAFKA_CONTROLLER_PORTS:-19093,19193,19293}"
VIGIL_CLUSTER_ZOOKEEPER_PORT="${VIGIL_CLUSTER_ZOOKEEPER_PORT:-19181}"
# ClickHouse shards of two replicas each: 1 (what the cluster suite runs on) or 2 (four
# servers, docs/scaling.md "Two shards"). Node n is replica-n of shard ceil(n / 2).
VIGIL_CLUSTER_SHARDS="${VIGIL_CLUSTER_SHARDS:-1}"
if [[ "$VIGIL_CLUSTER_SHARDS" == 2 ]]; then
  VIGIL_CLUSTER_CLICKHOUSE_HTTP_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_HTTP_PORTS:-19123,19124,19125,19126}"
  VIGIL_CLUSTER_CLICKHOUSE_TCP_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_TCP_PORTS:-19000,19001,19002,19003}"
  VIGIL_CLUSTER_CLICKHOUSE_INTERSERVER_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_INTERSERVER_PORTS:-19009,19010,19011,19012}"
fi
VIGIL_CLUSTER_CLICKHOUSE_HTTP_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_HTTP_PORTS:-19123,19124}"
VIGIL_CLUSTER_CLICKHOUSE_TCP_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_TCP_PORTS:-19000,19001}"
VIGIL_CLUSTER_CLICKHOUSE_INTERSERVER_PORTS="${VIGIL_CLUSTER_CLICKHOUSE_INTERSERVER_PORTS:-19009,19010}"
VIGIL_CLUSTER_REGISTRY_PORT="${VIGIL_CLUSTER_REGISTRY_PORT:-19081}"
VIGIL_CLUSTER_REGISTRY_HTTPS_PORT="${VIGIL_CLUSTER_REGISTRY_HTTPS_PORT:-19444}"
# The name of the ClickHouse cluster in remote_servers: what CLICKHOUSE_CLUSTER names.
VIGIL_CLUSTER_NAME="${VIGIL_CLUSTER_NAME:-vigil}"
ZOOKEEPER_VERSION="3.9.5"

IFS=, read -r -a CLUSTER_KAFKA_PORTS <<< "$VIGIL_CLUSTER_KAFKA_PORTS"
IFS=, read -r -a CLUSTER_KAFKA_CONTROLLER_PORTS <<< "$VIGIL_CLUSTER_KAFKA_CONTROLLER_PORTS"
IFS=, read -r -a CLUSTER_CLICKHOUSE_HTTP_PORTS <<< "$VIGIL_CLUSTER_CLICKHOUSE_HTTP_PORTS"
IFS=, read -r -a CLUSTER_CLICKHOUSE_TCP_PORTS <<< "$VIGIL_CLUSTER_CLICKHOUSE_TCP_PORTS"
IFS=, read -r -a CLUSTER_CLICKHOUSE_INTERSERVER_PORTS <<< "$VIGIL_CLUSTER_CLICKHOUSE_INTERSERVER_PORTS"

cluster_check_settings() {
  local port_pattern='^[1-9][0-9]{0,4}$' name_pattern='^[A-Za-z_][A-Za-z0-9_]*$' p
  (( ${#CLUSTER_KAFKA_PORTS[@]} == 3 && ${#CLUSTER_KAFKA_CONTROLLER_PORTS[@]} == 3 )) \
    || die "VIGIL_CLUSTER_KAFKA_PORTS and VIGIL_CLUSTER_KAFKA_CONTROLLER_PORTS need three ports each (three brokers)"
  [[ "$VIGIL_CLUSTER_SHARDS" == 1 || "$VIGIL_CLUSTER_SHARDS" == 2 ]] || die "VIGIL_CLUSTER_SHARDS must be 1 or 2, got '$VIGIL_CLUSTER_SHARDS'"
  local nodes=$(( 2 * VIGIL_CLUSTER_SHARDS ))
  (( ${#CLUSTER_CLICKHOUSE_HTTP_PORTS[@]} == nodes && ${#CLUSTER_CLICKHOUSE_TCP_PORTS[@]} == nodes && ${#CLUSTER_CLICKHOUSE_INTERSERVER_PORTS[@]} == nodes )) \
    || die "VIGIL_CLUSTER_CLICKHOUSE_{HTTP,TCP,INTERSERVER}_PORTS need $nodes ports each ($VIGIL_CLUSTER_SHARDS shard(s) of two replicas)"
  for p in "${CLUSTER_KAFKA_PORTS[@]}" "${CLUSTER_KAFKA_CONTROLLER_PORTS[@]}" "${CLUSTER_CLICKHOUSE_HTTP_PORTS[@]}" \
    "${CLUSTER_CLICKHOUSE_TCP_PORTS[@]}" "${CLUSTER_CLICKHOUSE_INTERSERVER_PORTS[@]}" "$VIGIL_CLUSTER_ZOOKEEPER_PORT" \
    "$VIGIL_CLUSTER_REGISTRY_PORT" "$VIGIL_CLUSTER_REGISTRY_HTTPS_PORT"; do
    [[ "$p" =~ $port_pattern ]] && (( p <= 65535 )) || die "'$p' is not a port (VIGIL_CLUSTER_* variables)"
  done
  [[ "$VIGIL_CLUSTER_NAME" =~ $name_pattern ]] || die "VIGIL_CLUSTER_NAME '$VIGIL_CLUSTER_NAME' is not a valid cluster name"
}

# clickhouse-2 runs in a network namespace of its own, joined to the host by a veth pair, so
# that the partition fault test can cut it from ZooKeeper and replica 1 (cluster_partition)
# while both sides keep running. Making one needs root (`ip netns`); without it the topology
# stays all-loopback and only that test cannot run. The names and the /30 subnet
# (10.<port high byte>.<port low byte>.0) derive from the ZooKeeper port, so that clusters on
# other ports on the same machine never share them; veth names stay under 15 characters.
# With two shards every node stays on loopback: replica 2 must also reach the other shard's
# servers, which inside the namespace its own loopback would answer.
CLUSTER_NETNS="vigil-$VIGIL_CLUSTER_ZOOKEEPER_PORT"
CLUSTER_VETH_HOST="vg${VIGIL_CLUSTER_ZOOKEEPER_PORT}h"
CLUSTER_VETH_NETNS="vg${VIGIL_CLUSTER_ZOOKEEPER_PORT}n"
cluster_netns_exists() { [[ -e "/run/netns/$CLUSTER_NETNS" ]]; }
cluster_uses_netns() { [[ "$VIGIL_CLUSTER_SHARDS" == 1 ]] && cluster_netns_exists; }
# The addresses of the ClickHouse replicas and ZooKeeper (infra/lib.sh calls this once the
# ports are checked; up.sh again once it has made the namespace). CLUSTER_CLICKHOUSE_HOSTS:
# where each replica is known inside the cluster (remote_servers, interserver_http_host);
# CLUSTER_CLICKHOUSE_CLIENT_HOSTS: where this host's clients reach it (replica 1 keeps
# loopback, which CLICKHOUSE_URL names). With the namespace ZooKeeper listens on the host end
# of the veth only; without it everything is loopback.
cluster_set_addresses() {
  CLUSTER_VETH_SUBNET="10.$((VIGIL_CLUSTER_ZOOKEEPER_PORT >> 8)).$((VIGIL_CLUSTER_ZOOKEEPER_PORT & 255))"
  if cluster_uses_netns; then
    CLUSTER_ZOOKEEPER_HOST="$CLUSTER_VETH_SUBNET.1"
    CLUSTER_CLICKHOUSE_HOSTS=("$CLUSTER_VETH_SUBNET.1" "$CLUSTER_VETH_SUBNET.2")
    CLUSTER_CLICKHOUSE_CLIENT_HOSTS=(127.0.0.1 "$CLUSTER_VETH_SUBNET.2")
  else
    CLUSTER_ZOOKEEPER_HOST=127.0.0.1
    CLUSTER_CLICKHOUSE_HOSTS=()
    local n
    for (( n = 0; n < 2 * VIGIL_CLUSTER_SHARDS; n++ )); do CLUSTER_CLICKHOUSE_HOSTS+=(127.0.0.1); done
    CLUSTER_CLICKHOUSE_CLIENT_HOSTS=("${CLUSTER_CLICKHOUSE_HOSTS[@]}")
  fi
}
# The partition (`cluster_partition down`) and its heal (`up`): the namespace end of the veth
# set down cuts both directions (packets to replica 2 are dropped, replica 2 finds no route
# out) while each side's own addresses keep answering on its side. Setting the host end down
# instead would remove the host's route to the /30 with it: connections to replica 2's address
# then left by the default route (here one was answered by whatever lies behind it).
cluster_partition() {
  cluster_uses_netns || die "clickhouse-2 has no network namespace ($CLUSTER_NETNS): infra/up.sh --cluster makes one only with one shard, as root, with 'ip netns' working, so this topology cannot partition it"
  ip -n "$CLUSTER_NETNS" link set "$CLUSTER_VETH_NETNS" "$1"
}
# Runs a command on replica 2's side of the partition (inside its namespace).
cluster_on_replica2_side() { ip netns exec "$CLUSTER_NETNS" "$@"; }

# What the services and infra's own probes use on this topology (cluster_client_env prints it).
KAFKA_BROKERS="$(printf '127.0.0.1:%s,' "${CLUSTER_KAFKA_PORTS[@]}")"
KAFKA_BROKERS="${KAFKA_BROKERS%,}"
SCHEMA_REGISTRY_URL="http://127.0.0.1:$VIGIL_CLUSTER_REGISTRY_PORT/apis/ccompat/v7"
SCHEMA_REGISTRY_HTTPS_PORT="$VIGIL_CLUSTER_REGISTRY_HTTPS_PORT"
CLICKHOUSE_URL="http://127.0.0.1:${CLUSTER_CLICKHOUSE_HTTP_PORTS[0]}"

# The node names infra uses for pid files, logs and status lines.
cluster_kafka_nodes() { echo kafka-1 kafka-2 kafka-3; }
cluster_clickhouse_node_numbers() { seq 1 $(( 2 * VIGIL_CLUSTER_SHARDS )); }
cluster_clickhouse_nodes() { cluster_clickhouse_node_numbers | sed 's/^/clickhouse-/'; }

cluster_client_env() {
  printf 'KAFKA_BROKERS=%s\nSCHEMA_REGISTRY_URL=%s\nCLICKHOUSE_URL=%s\nCLICKHOUSE_CLUSTER=%s\n' \
    "$KAFKA_BROKERS" "$SCHEMA_REGISTRY_URL" "$CLICKHOUSE_URL" "$VIGIL_CLUSTER_NAME"
}

# Probes of one node each (a real request).
kafka_node_ready() { KAFKA_BROKERS="127.0.0.1:${CLUSTER_KAFKA_PORTS[$1 - 1]}" node "$REPO_DIR/infra/kafka-ready.js" >/dev/null 2>&1; }
# All three brokers registered with the quorum, seen from the first.
kafka_cluster_ready() { node "$REPO_DIR/infra/kafka-ready.js" 3 >/dev/null 2>&1; }
clickhouse_node_url() { echo "http://${CLUSTER_CLICKHOUSE_CLIENT_HOSTS[$1 - 1]}:${CLUSTER_CLICKHOUSE_HTTP_PORTS[$1 - 1]}"; }
clickhouse_node_ready() { CLICKHOUSE_URL="$(clickhouse_node_url "$1")" clickhouse_ready; }
# `srvr` names the server's mode once it serves requests (`ruok` answers imok before that).
zookeeper_ready() {
  local reply
  reply="$( { exec 3<>"/dev/tcp/$CLUSTER_ZOOKEEPER_HOST/$VIGIL_CLUSTER_ZOOKEEPER_PORT" && printf srvr >&3 && timeout 2 cat <&3; } 2>/dev/null )"
  [[ "$reply" == *"Mode: "* ]]
}
