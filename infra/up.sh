#!/usr/bin/env bash
# Brings up the local stack natively on loopback (no Docker): Apache Kafka (KRaft),
# Apicurio Registry (Confluent-compatible API) and ClickHouse. Idempotent: installs what
# is missing, starts nothing that already answers, and returns once each server has
# answered a real request. Downloads, data and logs live under .infra/ (git-ignored).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$RUN_DIR" "$LOG_DIR"

require_tools() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  command -v clickhouse-server >/dev/null || missing+=(clickhouse-server clickhouse-client)
  if (( ${#missing[@]} > 0 )); then apt_install "${missing[@]}"; fi
  [[ -d "$REPO_DIR/node_modules/kafkajs" ]] || die "node_modules missing: run 'npm ci' first"
}

start_clickhouse() {
  if clickhouse_ready; then log "clickhouse already answers at $CLICKHOUSE_URL: starting nothing"; return; fi
  is_loopback "$(url_host "$CLICKHOUSE_URL")" || die "ClickHouse at $CLICKHOUSE_URL does not answer and is not local"
  pid_alive clickhouse && { wait_ready clickhouse clickhouse_ready; return; }
  local conf="$INFRA_DIR/clickhouse/conf" data="$INFRA_DIR/data/clickhouse"
  mkdir -p "$conf" "$data/tmp" "$data/user_files" "$data/format_schemas" "$LOG_DIR/clickhouse"
  sed -e "s#@LOG_DIR@#$LOG_DIR/clickhouse#g" -e "s#@DATA_DIR@#$data#g" -e "s#@CONF_DIR@#$conf#g" \
      -e "s#@HTTP_PORT@#$(url_port "$CLICKHOUSE_URL")#g" -e "s#@TCP_PORT@#$CLICKHOUSE_TCP_PORT#g" \
      -e "s#@INTERSERVER_PORT@#$CLICKHOUSE_INTERSERVER_PORT#g" \
      "$REPO_DIR/infra/clickhouse/config.xml.template" > "$conf/config.xml"
  sed -e "s#@USER@#$CLICKHOUSE_USER#g" -e "s#@PASSWORD@#$CLICKHOUSE_PASSWORD#g" \
      "$REPO_DIR/infra/clickhouse/users.xml.template" > "$conf/users.xml"
  log "starting clickhouse on $CLICKHOUSE_URL"
  setsid nohup clickhouse-server --config-file="$conf/config.xml" > "$LOG_DIR/clickhouse.out" 2>&1 &
  echo $! > "$RUN_DIR/clickhouse.pid"
  wait_ready clickhouse clickhouse_ready
}

install_kafka() {
  local dir="$INFRA_DIR/kafka" pom="$REPO_DIR/infra/kafka/pom.xml"
  mkdir -p "$dir"
  if [[ ! -s "$dir/classpath.txt" || "$pom" -nt "$dir/classpath.txt" ]]; then
    log "resolving Apache Kafka $KAFKA_VERSION from Maven Central"
    mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$dir/classpath.txt" >"$LOG_DIR/kafka-mvn.log" 2>&1 \
      || die "maven could not resolve Kafka; see $LOG_DIR/kafka-mvn.log"
  fi
}

start_kafka() {
  if kafka_ready; then log "kafka already answers at $KAFKA_BROKERS: starting nothing"; return; fi
  is_loopback "$(kafka_host)" || die "Kafka at $KAFKA_BROKERS does not answer and is not local"
  pid_alive kafka && { wait_ready kafka kafka_ready; return; }
  install_kafka
  local dir="$INFRA_DIR/kafka" data="$INFRA_DIR/data/kafka" cp
  cp="$(cat "$dir/classpath.txt")"
  mkdir -p "$data" "$LOG_DIR/kafka"
  sed -e "s#@PORT@#$(kafka_port)#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$data#g" \
      "$REPO_DIR/infra/kafka/server.properties.template" > "$dir/server.properties"
  local jvm=(-Dkafka.logs.dir="$LOG_DIR/kafka" -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.properties")
  if [[ ! -f "$data/meta.properties" ]]; then
    log "formatting Kafka storage in $data"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$(java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" > "$LOG_DIR/kafka-format.log" 2>&1 \
      || die "Kafka storage format failed; see $LOG_DIR/kafka-format.log"
  fi
  log "starting kafka $KAFKA_VERSION on $KAFKA_BROKERS"
  setsid nohup java -Xms256m -Xmx768m -XX:+UseG1GC "${jvm[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" \
    > "$LOG_DIR/kafka.out" 2>&1 &
  echo $! > "$RUN_DIR/kafka.pid"
}

install_registry() {
  local dir="$INFRA_DIR/apicurio/$APICURIO_VERSION"
  if [[ ! -f "$dir/apicurio-registry-app-$APICURIO_VERSION-runner.jar" ]]; then
    log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central"
    mkdir -p "$dir" "$INFRA_DIR/downloads"
    mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$INFRA_DIR/downloads" >"$LOG_DIR/apicurio-mvn.log" 2>&1 \
      || die "maven could not fetch Apicurio Registry; see $LOG_DIR/apicurio-mvn.log"
    tar -xzf "$INFRA_DIR/downloads/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$dir"
  fi
}

start_registry() {
  if registry_ready; then log "schema registry already answers at $SCHEMA_REGISTRY_URL: starting nothing"; return; fi
  is_loopback "$(url_host "$SCHEMA_REGISTRY_URL")" || die "registry at $SCHEMA_REGISTRY_URL does not answer and is not local"
  pid_alive registry && { wait_ready registry registry_ready; return; }
  install_registry
  local dir="$INFRA_DIR/apicurio/$APICURIO_VERSION" data="$INFRA_DIR/data/apicurio"
  mkdir -p "$data"
  log "starting apicurio registry $APICURIO_VERSION on $SCHEMA_REGISTRY_URL"
  # H2 on disk, so schema ids stay valid for the records Kafka keeps across restarts.
  setsid nohup java -Xms128m -Xmx512m \
    -Dquarkus.http.host="$(url_host "$SCHEMA_REGISTRY_URL")" -Dquarkus.http.port="$(url_port "$SCHEMA_REGISTRY_URL")" \
    -Dapicurio.datasource.url="jdbc:h2:file:$data/registry" \
    -jar "$dir/apicurio-registry-app-$APICURIO_VERSION-runner.jar" > "$LOG_DIR/registry.out" 2>&1 &
  echo $! > "$RUN_DIR/registry.pid"
}

require_tools
start_clickhouse
# Both JVMs start side by side; then wait for each.
start_kafka
start_registry
pid_alive kafka && wait_ready kafka kafka_ready
pid_alive registry && wait_ready registry registry_ready
log "stack up: kafka $KAFKA_BROKERS | registry $SCHEMA_REGISTRY_URL | clickhouse $CLICKHOUSE_URL | logs $LOG_DIR"
