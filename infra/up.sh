#!/usr/bin/env bash
# Brings up the local stack natively on loopback (no Docker): Apache Kafka (KRaft),
# Apicurio Registry (Confluent-compatible API) and ClickHouse, each with its secured side
# (Kafka SASL_SSL listener with ACLs, registry over TLS, ClickHouse https; docs/security.md).
# Idempotent: installs what is missing, starts nothing that already answers, and returns
# once each server has answered a real request. Downloads, data and logs live under .infra/ (git-ignored).
# `--cluster` (or VIGIL_TOPOLOGY=cluster) starts the cluster topology instead (infra/cluster/up.sh,
# docs/scaling.md), under .infra/cluster/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$RUN_DIR" "$LOG_DIR"

require_tools() {
  local missing=()
  # A JDK, not a JRE: infra/kafka/ScramCredentials.java runs as a single-file source program.
  command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  command -v openssl >/dev/null || missing+=(openssl)
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
  mkdir -p "$conf/config.d" "$conf/users.d"
  local user_pattern='^[A-Za-z_][A-Za-z0-9_]*$'
  [[ "$CLICKHOUSE_USER" =~ $user_pattern ]] || die "CLICKHOUSE_USER '$CLICKHOUSE_USER' is not a valid ClickHouse user name"
  fill_template "$REPO_DIR/infra/clickhouse/config.xml.template" "$conf/config.xml" \
    "LOG_DIR=$(xml_escape "$LOG_DIR/clickhouse")" "DATA_DIR=$(xml_escape "$data")" "CONF_DIR=$(xml_escape "$conf")" \
    "HTTP_PORT=$(url_port "$CLICKHOUSE_URL")" "TCP_PORT=$CLICKHOUSE_TCP_PORT" "INTERSERVER_PORT=$CLICKHOUSE_INTERSERVER_PORT"
  fill_template "$REPO_DIR/infra/clickhouse/tls.xml.template" "$conf/config.d/tls.xml" "HTTPS_PORT=$CLICKHOUSE_HTTPS_PORT" \
    "TLS_CERT_FILE=$(xml_escape "$SECURE_DIR/server.pem")" "TLS_KEY_FILE=$(xml_escape "$SECURE_DIR/server.key")"
  # Only hashes reach the config; the templating takes any password (tested with a&b#c<d'"$).
  fill_template "$REPO_DIR/infra/clickhouse/users.xml.template" "$conf/users.xml" \
    "USER=$CLICKHOUSE_USER" "PASSWORD_SHA256=$(sha256_hex "$CLICKHOUSE_PASSWORD")"
  fill_template "$REPO_DIR/infra/clickhouse/service-user.xml.template" "$conf/users.d/service-user.xml" \
    "SERVICE_USER=$CLICKHOUSE_SERVICE_USER" "SERVICE_PASSWORD_SHA256=$(sha256_hex "$(credential clickhouse "$CLICKHOUSE_SERVICE_USER")")"
  log "starting clickhouse on $CLICKHOUSE_URL"
  setsid nohup clickhouse-server --config-file="$conf/config.xml" > "$LOG_DIR/clickhouse.out" 2>&1 &
  echo $! > "$RUN_DIR/clickhouse.pid"
  wait_ready clickhouse clickhouse_ready
}

install_kafka() {
  maven_classpath kafka "Apache Kafka $KAFKA_VERSION" "$REPO_DIR/infra/kafka/pom.xml"
}

start_kafka() {
  if kafka_ready; then log "kafka already answers at $KAFKA_BROKERS: starting nothing"; return; fi
  is_loopback "$(kafka_host)" || die "Kafka at $KAFKA_BROKERS does not answer and is not local"
  pid_alive kafka && { wait_ready kafka kafka_ready; return; }
  install_kafka
  local dir="$INFRA_DIR/kafka" data="$INFRA_DIR/data/kafka" cp
  cp="$(cat "$dir/classpath.txt")"
  mkdir -p "$data" "$LOG_DIR/kafka"
  local plain_users="" name
  for name in $(kafka_principals); do plain_users+="user_$name=\"$(credential kafka "$name")\" "; done
  fill_template "$REPO_DIR/infra/kafka/server.properties.template" "$dir/server.properties" \
    "PORT=$(kafka_port)" "CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT" "SASL_SSL_PORT=$KAFKA_SASL_SSL_PORT" "DATA_DIR=$data" \
    "TLS_KEYSTORE_FILE=$SECURE_DIR/server-keystore.pem" "TLS_CA_FILE=$SECURE_DIR/ca.pem" "PLAIN_USERS=${plain_users% }"
  local jvm=(-Dkafka.logs.dir="$LOG_DIR/kafka" -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.properties")
  if [[ ! -f "$data/meta.properties" ]]; then
    log "formatting Kafka storage in $data"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$(java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" > "$LOG_DIR/kafka-format.log" 2>&1 \
      || die "Kafka storage format failed; see $LOG_DIR/kafka-format.log"
  fi
  log "starting kafka $KAFKA_VERSION on $KAFKA_BROKERS (SASL_SSL on $(kafka_host):$KAFKA_SASL_SSL_PORT)"
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
  log "starting apicurio registry $APICURIO_VERSION on $SCHEMA_REGISTRY_URL (https on port $SCHEMA_REGISTRY_HTTPS_PORT)"
  # H2 on disk, so schema ids stay valid for the records Kafka keeps across restarts.
  setsid nohup java -Xms128m -Xmx512m \
    -Dquarkus.http.host="$(url_host "$SCHEMA_REGISTRY_URL")" -Dquarkus.http.port="$(url_port "$SCHEMA_REGISTRY_URL")" \
    -Dquarkus.http.ssl-port="$SCHEMA_REGISTRY_HTTPS_PORT" -Dquarkus.http.insecure-requests=enabled \
    -Dquarkus.http.ssl.certificate.files="$SECURE_DIR/server.pem" -Dquarkus.http.ssl.certificate.key-files="$SECURE_DIR/server.key" \
    -Dapicurio.datasource.url="jdbc:h2:file:$data/registry" \
    -jar "$dir/apicurio-registry-app-$APICURIO_VERSION-runner.jar" > "$LOG_DIR/registry.out" 2>&1 &
  echo $! > "$RUN_DIR/registry.pid"
}

# The local CA, one server certificate for all three servers (127.0.0.1 and localhost),
# and a random password per Kafka principal and for ClickHouse's service user; made once.
make_secure_material() {
  load_kafka_principals
  ( umask 077; mkdir -p "$SECURE_DIR" )
  chmod 700 "$SECURE_DIR"
  if [[ ! -s "$SECURE_DIR/client.pem" ]]; then
    log "making the local CA and server certificate in $SECURE_DIR"
    ( umask 077; cd "$SECURE_DIR"
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout ca.key -out ca.pem -subj "/CN=Vigil local CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > server.ext
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 -extfile server.ext -out server.pem 2>/dev/null
      cat server.key server.pem > server-keystore.pem
      # A client certificate for mutual TLS (KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE).
      openssl req -newkey rsa:2048 -nodes -sha256 -keyout client.key -out client.csr -subj "/CN=vigil-client" 2>/dev/null
      printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > client.ext
      openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 -extfile client.ext -out client.pem 2>/dev/null
      rm -f server.csr server.ext client.csr client.ext ca.srl
      chmod 644 ca.pem ) || die "openssl could not make the certificates in $SECURE_DIR"
  fi
  local name
  touch "$SECURE_DIR/credentials"; chmod 600 "$SECURE_DIR/credentials"
  for name in $(kafka_principals); do ensure_credential kafka "$name"; done
  ensure_credential clickhouse "$CLICKHOUSE_SERVICE_USER"
}

# credential SERVER NAME: the generated password (file lines: "server name password").
credential() { awk -v s="$1" -v n="$2" '$1 == s && $2 == n { print $3 }' "$SECURE_DIR/credentials"; }
ensure_credential() {
  [[ -n "$(credential "$1" "$2")" ]] || printf '%s %s %s\n' "$1" "$2" "$(openssl rand -hex 16)" >> "$SECURE_DIR/credentials"
}

# SCRAM credentials live in the cluster metadata: (re)created whenever the credentials
# file changed since they were last written; the ACLs of docs/security.md are applied on
# every start (idempotent).
configure_kafka_security() {
  if ! (exec 3<>"/dev/tcp/$(kafka_host)/$KAFKA_SASL_SSL_PORT") 2>/dev/null; then
    log "warning: kafka has no SASL_SSL listener on port $KAFKA_SASL_SSL_PORT (started before it existed): restart it with infra:down and infra:up"
    return
  fi
  local marker="$INFRA_DIR/data/kafka/vigil-scram.sha256" want cp
  want="$(sha256sum < "$SECURE_DIR/credentials" | cut -d' ' -f1)"
  if [[ "$(cat "$marker" 2>/dev/null)" != "$want" ]]; then
    cp="$(cat "$INFRA_DIR/kafka/classpath.txt")"
    java -cp "$cp" -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.properties" \
      "$REPO_DIR/infra/kafka/ScramCredentials.java" "$(kafka_host):$(kafka_port)" "$SECURE_DIR/credentials" \
      >> "$LOG_DIR/kafka-scram.log" 2>&1 || die "creating SCRAM credentials failed; see $LOG_DIR/kafka-scram.log"
    printf '%s\n' "$want" > "$marker"
    log "kafka SCRAM credentials created for: $(kafka_principals | tr '\n' ' ')"
  fi
  kafka_security_tool apply-acls >> "$LOG_DIR/kafka-acls.log" 2>&1 || die "applying Kafka ACLs failed; see $LOG_DIR/kafka-acls.log"
}

if [[ "$VIGIL_TOPOLOGY" == cluster ]]; then
  source "$REPO_DIR/infra/cluster/up.sh"
  cluster_up
  exit 0
fi
require_tools
make_secure_material
start_clickhouse
# `infra/up.sh clickhouse`: that server alone (the templating test starts a private one).
if [[ "${1:-}" == "clickhouse" ]]; then exit 0; fi
# Both JVMs start side by side; then wait for each.
start_kafka
start_registry
pid_alive kafka && wait_ready kafka kafka_ready
pid_alive kafka && configure_kafka_security
pid_alive registry && wait_ready registry registry_ready
log "stack up: kafka $KAFKA_BROKERS | registry $SCHEMA_REGISTRY_URL | clickhouse $CLICKHOUSE_URL | logs $LOG_DIR"
log "secured: kafka SASL_SSL $(kafka_host):$KAFKA_SASL_SSL_PORT | registry https port $SCHEMA_REGISTRY_HTTPS_PORT | clickhouse https port $CLICKHOUSE_HTTPS_PORT | CA and credentials in $SECURE_DIR"
