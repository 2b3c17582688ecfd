# The cluster topology's start-up (docs/scaling.md), sourced by infra/up.sh after its own
# functions (install_kafka, start_registry, make_secure_material, ...), which it reuses.
# Same rules as the single-node stack: loopback only (plus, as root, clickhouse-2's private
# veth pair), starts nothing that already answers, returns once every node has answered a
# real request.

install_zookeeper() {
  maven_classpath zookeeper "Apache ZooKeeper $ZOOKEEPER_VERSION" "$REPO_DIR/infra/cluster/zookeeper-pom.xml"
}

start_zookeeper() {
  if zookeeper_ready; then log "zookeeper already answers on port $VIGIL_CLUSTER_ZOOKEEPER_PORT: starting nothing"; return; fi
  pid_alive zookeeper && { wait_ready zookeeper zookeeper_ready; return; }
  install_zookeeper
  local dir="$INFRA_DIR/zookeeper" data="$INFRA_DIR/data/zookeeper"
  mkdir -p "$data" "$LOG_DIR/zookeeper"
  fill_template "$REPO_DIR/infra/cluster/zoo.cfg.template" "$dir/zoo.cfg" "DATA_DIR=$data" "PORT=$VIGIL_CLUSTER_ZOOKEEPER_PORT" \
    "ADDRESS=$CLUSTER_ZOOKEEPER_HOST"
  log "starting zookeeper $ZOOKEEPER_VERSION on $CLUSTER_ZOOKEEPER_HOST:$VIGIL_CLUSTER_ZOOKEEPER_PORT"
  setsid nohup java -Xms64m -Xmx192m -Dzookeeper.log.dir="$LOG_DIR/zookeeper" \
    -Dlog4j2.configurationFile="$REPO_DIR/infra/cluster/zookeeper-log4j2.properties" \
    -cp "$(cat "$dir/classpath.txt")" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
    > "$LOG_DIR/zookeeper.out" 2>&1 &
  echo $! > "$RUN_DIR/zookeeper.pid"
  wait_ready zookeeper zookeeper_ready
}

# start_kafka_node N: broker+controller N of 3; formats its storage once, with the cluster id
# all three share.
start_kafka_node() {
  local n="$1" name="kafka-$1"
  if kafka_node_ready "$n"; then log "$name already answers on port ${CLUSTER_KAFKA_PORTS[n - 1]}: starting nothing"; return; fi
  pid_alive "$name" && return
  local dir="$INFRA_DIR/kafka" data="$INFRA_DIR/data/$name" cp voters="" i
  cp="$(cat "$dir/classpath.txt")"
  for i in 1 2 3; do voters+="$i@127.0.0.1:${CLUSTER_KAFKA_CONTROLLER_PORTS[i - 1]},"; done
  mkdir -p "$data" "$LOG_DIR/$name"
  fill_template "$REPO_DIR/infra/cluster/kafka.properties.template" "$dir/$name.properties" \
    "NODE_ID=$n" "VOTERS=${voters%,}" "PORT=${CLUSTER_KAFKA_PORTS[n - 1]}" \
    "CONTROLLER_PORT=${CLUSTER_KAFKA_CONTROLLER_PORTS[n - 1]}" "DATA_DIR=$data"
  local jvm=(-Dkafka.logs.dir="$LOG_DIR/$name" -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.properties")
  if [[ ! -f "$data/meta.properties" ]]; then
    log "formatting $name storage in $data"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format --ignore-formatted -t "$(cat "$INFRA_DIR/data/kafka-cluster-id")" \
      -c "$dir/$name.properties" > "$LOG_DIR/$name-format.log" 2>&1 \
      || die "$name storage format failed; see $LOG_DIR/$name-format.log"
  fi
  log "starting $name (kafka $KAFKA_VERSION) on 127.0.0.1:${CLUSTER_KAFKA_PORTS[n - 1]} (controller ${CLUSTER_KAFKA_CONTROLLER_PORTS[n - 1]})"
  # Three brokers and two other JVMs share the machine: small heaps.
  setsid nohup java -Xms128m -Xmx384m -XX:+UseG1GC "${jvm[@]}" -cp "$cp" kafka.Kafka "$dir/$name.properties" \
    > "$LOG_DIR/$name.out" 2>&1 &
  echo $! > "$RUN_DIR/$name.pid"
}

start_cluster_kafka() {
  install_kafka
  if [[ ! -s "$INFRA_DIR/data/kafka-cluster-id" ]]; then
    mkdir -p "$INFRA_DIR/data"
    java -cp "$(cat "$INFRA_DIR/kafka/classpath.txt")" kafka.tools.StorageTool random-uuid > "$INFRA_DIR/data/kafka-cluster-id" \
      || die "kafka StorageTool random-uuid failed"
  fi
  local n
  for n in 1 2 3; do start_kafka_node "$n"; done
}

wait_cluster_kafka() {
  local n
  for n in 1 2 3; do pid_alive "kafka-$n" && wait_ready "kafka-$n" kafka_node_ready "$n"; done
  # A broker answers before the quorum has registered the others.
  local start=$SECONDS
  until kafka_cluster_ready; do
    (( SECONDS - start > READY_TIMEOUT_SECONDS )) && die "the three Kafka brokers did not all register in ${READY_TIMEOUT_SECONDS}s; see $LOG_DIR/kafka-*/server.log"
    sleep 0.5
  done
}

# start_clickhouse_node N: replica-N of shard ceil(N / 2), on the single-node config template
# plus config.d/cluster.xml (remote_servers, macros, zookeeper, distributed_ddl).
start_clickhouse_node() {
  local n="$1" name="clickhouse-$1"
  local http="${CLUSTER_CLICKHOUSE_HTTP_PORTS[n - 1]}"
  if clickhouse_node_ready "$n"; then log "$name already answers on port $http: starting nothing"; return; fi
  pid_alive "$name" && return
  local conf="$INFRA_DIR/$name/conf" data="$INFRA_DIR/data/$name" shards="" s i
  mkdir -p "$conf/config.d" "$data/tmp" "$data/user_files" "$data/format_schemas" "$LOG_DIR/$name"
  local user_pattern='^[A-Za-z_][A-Za-z0-9_]*$'
  [[ "$CLICKHOUSE_USER" =~ $user_pattern ]] || die "CLICKHOUSE_USER '$CLICKHOUSE_USER' is not a valid ClickHouse user name"
  fill_template "$REPO_DIR/infra/clickhouse/config.xml.template" "$conf/config.xml" \
    "LOG_DIR=$(xml_escape "$LOG_DIR/$name")" "DATA_DIR=$(xml_escape "$data")" "CONF_DIR=$(xml_escape "$conf")" \
    "HTTP_PORT=$http" "TCP_PORT=${CLUSTER_CLICKHOUSE_TCP_PORTS[n - 1]}" "INTERSERVER_PORT=${CLUSTER_CLICKHOUSE_INTERSERVER_PORTS[n - 1]}"
  fill_template "$REPO_DIR/infra/clickhouse/users.xml.template" "$conf/users.xml" \
    "USER=$CLICKHOUSE_USER" "PASSWORD_SHA256=$(sha256_hex "$CLICKHOUSE_PASSWORD")"
  rm -f "$conf/users.d/netns.xml"
  if cluster_uses_netns; then
    mkdir -p "$conf/users.d"
    fill_template "$REPO_DIR/infra/cluster/clickhouse-netns-users.xml.template" "$conf/users.d/netns.xml" \
      "USER=$CLICKHOUSE_USER" "VETH_SUBNET=$CLUSTER_VETH_SUBNET.0/30"
  fi
  for (( s = 1; s <= VIGIL_CLUSTER_SHARDS; s++ )); do
    # Inserts through a Distributed table go to one replica of the shard; replication copies them.
    shards+="            <shard><internal_replication>true</internal_replication>"$'\n'
    for i in $(( 2 * s - 1 )) $(( 2 * s )); do
      shards+="                <replica><host>${CLUSTER_CLICKHOUSE_HOSTS[i - 1]}</host><port>${CLUSTER_CLICKHOUSE_TCP_PORTS[i - 1]}</port>"
      shards+="<user>$CLICKHOUSE_USER</user><password>$(xml_escape "$CLICKHOUSE_PASSWORD")</password></replica>"$'\n'
    done
    shards+="            </shard>"$'\n'
  done
  local listen="" address
  for address in $(printf '%s\n' "${CLUSTER_CLICKHOUSE_CLIENT_HOSTS[n - 1]}" "${CLUSTER_CLICKHOUSE_HOSTS[n - 1]}" | sort -u); do
    listen+="    <listen_host>$address</listen_host>"$'\n'
  done
  fill_template "$REPO_DIR/infra/cluster/clickhouse-cluster.xml.template" "$conf/config.d/cluster.xml" \
    "CLUSTER=$VIGIL_CLUSTER_NAME" "SHARDS=${shards%$'\n'}" "SHARD=$(printf %02d $(( (n + 1) / 2 )))" "REPLICA=replica-$n" "LISTEN_HOSTS=${listen%$'\n'}" \
    "INTERSERVER_HOST=${CLUSTER_CLICKHOUSE_HOSTS[n - 1]}" "ZOOKEEPER_HOST=$CLUSTER_ZOOKEEPER_HOST" "ZOOKEEPER_PORT=$VIGIL_CLUSTER_ZOOKEEPER_PORT"
  # Replica 2 in its network namespace when it has one (`ip netns exec` execs in place: the pid is the server's).
  local netns=()
  (( n == 2 )) && cluster_uses_netns && netns=(ip netns exec "$CLUSTER_NETNS")
  log "starting $name on $(clickhouse_node_url "$n") (tcp ${CLUSTER_CLICKHOUSE_TCP_PORTS[n - 1]})${netns:+ in network namespace $CLUSTER_NETNS}"
  setsid nohup "${netns[@]}" clickhouse-server --config-file="$conf/config.xml" > "$LOG_DIR/$name.out" 2>&1 &
  echo $! > "$RUN_DIR/$name.pid"
}

# clickhouse-2's network namespace and veth pair (infra/cluster/lib.sh), made when missing and
# root can; its link set up in any case (infra:up also heals a partition left behind). Without
# root or `ip netns` the topology stays on loopback and says so.
make_cluster_netns() {
  if [[ "$VIGIL_CLUSTER_SHARDS" != 1 ]]; then
    log "two shards: every node on loopback (no network namespace for clickhouse-2, no partition fault test)"
    return
  fi
  if ! cluster_netns_exists; then
    if (( EUID != 0 )) || ! ip netns add "$CLUSTER_NETNS" 2>/dev/null; then
      log "no network namespace for clickhouse-2 (needs root and 'ip netns'): every node on loopback, the partition fault test cannot run"
      return
    fi
    if [[ -n "$(ip -o addr show to "$CLUSTER_VETH_SUBNET.0/30")" ]]; then
      ip netns del "$CLUSTER_NETNS"
      die "$CLUSTER_VETH_SUBNET.0/30 (derived from VIGIL_CLUSTER_ZOOKEEPER_PORT) is already in use on this machine: choose another ZooKeeper port"
    fi
    log "making network namespace $CLUSTER_NETNS for clickhouse-2: veth $CLUSTER_VETH_HOST $CLUSTER_VETH_SUBNET.1 <-> $CLUSTER_VETH_NETNS $CLUSTER_VETH_SUBNET.2"
    ip link add "$CLUSTER_VETH_HOST" type veth peer name "$CLUSTER_VETH_NETNS" netns "$CLUSTER_NETNS" \
      && ip addr add "$CLUSTER_VETH_SUBNET.1/30" dev "$CLUSTER_VETH_HOST" \
      && ip -n "$CLUSTER_NETNS" addr add "$CLUSTER_VETH_SUBNET.2/30" dev "$CLUSTER_VETH_NETNS" \
      || { ip netns del "$CLUSTER_NETNS"; die "could not make the veth pair of $CLUSTER_NETNS"; }
    cluster_set_addresses
  fi
  ip link set "$CLUSTER_VETH_HOST" up && ip -n "$CLUSTER_NETNS" link set lo up && ip -n "$CLUSTER_NETNS" link set "$CLUSTER_VETH_NETNS" up \
    || die "could not set the links of $CLUSTER_NETNS up"
}

cluster_up() {
  require_tools
  make_cluster_netns
  # The registry keeps its https side, which needs the local CA's server certificate.
  make_secure_material
  start_zookeeper
  local n
  for n in $(cluster_clickhouse_node_numbers); do start_clickhouse_node "$n"; done
  start_cluster_kafka
  start_registry
  for n in $(cluster_clickhouse_node_numbers); do pid_alive "clickhouse-$n" && wait_ready "clickhouse-$n" clickhouse_node_ready "$n"; done
  wait_cluster_kafka
  pid_alive registry && wait_ready registry registry_ready
  log "cluster up: kafka $KAFKA_BROKERS | zookeeper $CLUSTER_ZOOKEEPER_HOST:$VIGIL_CLUSTER_ZOOKEEPER_PORT | clickhouse $(for n in $(cluster_clickhouse_node_numbers); do printf '%s ' "$(clickhouse_node_url "$n")"; done)(cluster '$VIGIL_CLUSTER_NAME', $VIGIL_CLUSTER_SHARDS shard(s) × 2 replicas) | registry $SCHEMA_REGISTRY_URL | logs $LOG_DIR"
  log "services on the cluster: $(cluster_client_env | tr '\n' ' ')"
}
