# Shared settings and helpers for infra/*.sh. Every host and port comes from the
# environment, with the documented defaults below (see README "Configuration").
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A relative VIGIL_INFRA_DIR is taken from the repository root, so that every tool sees
# the same directory (maven, run with -f, resolves relative paths against the pom's folder).
INFRA_DIR="${VIGIL_INFRA_DIR:-.infra}"
[[ "$INFRA_DIR" == /* ]] || INFRA_DIR="$REPO_DIR/$INFRA_DIR"
# The topology (docs/scaling.md): `single` (default, one server of each) or `cluster` (three
# Kafka brokers, ZooKeeper, two ClickHouse replicas; infra/cluster/lib.sh). `--cluster` among
# the arguments of infra/up.sh, down.sh or status.sh (which source this file) chooses it too.
for topology_arg in "$@"; do [[ "$topology_arg" == --cluster ]] && VIGIL_TOPOLOGY=cluster; done
VIGIL_TOPOLOGY="${VIGIL_TOPOLOGY:-single}"
# The cluster keeps its own downloads, data, logs and pid files beside the single-node ones.
[[ "$VIGIL_TOPOLOGY" == cluster ]] && INFRA_DIR="$INFRA_DIR/cluster"
RUN_DIR="$INFRA_DIR/run"
LOG_DIR="$INFRA_DIR/logs"

KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_VERSION="4.1.1"
SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
CLICKHOUSE_USER="${CLICKHOUSE_USER:-default}"
CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
CLICKHOUSE_INTERSERVER_PORT="${CLICKHOUSE_INTERSERVER_PORT:-9009}"
# The secured side of the same servers (docs/security.md): Kafka SASL_SSL listener,
# ClickHouse https_port, the registry over TLS. Certificates and generated credentials
# live in $SECURE_DIR (0700; keys and credentials 0600).
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-9094}"
CLICKHOUSE_HTTPS_PORT="${CLICKHOUSE_HTTPS_PORT:-8443}"
SCHEMA_REGISTRY_HTTPS_PORT="${SCHEMA_REGISTRY_HTTPS_PORT:-8444}"
SECURE_DIR="$INFRA_DIR/secure"
# The password-protected ClickHouse user of the secured side (password generated in $SECURE_DIR).
CLICKHOUSE_SERVICE_USER="vigil_service"
# Generous on 2 cores: two JVMs and ClickHouse start side by side.
READY_TIMEOUT_SECONDS="${VIGIL_READY_TIMEOUT_SECONDS:-180}"

export KAFKA_BROKERS SCHEMA_REGISTRY_URL CLICKHOUSE_URL CLICKHOUSE_USER CLICKHOUSE_PASSWORD

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# "host:port" of the first broker, and host/port of a URL.
kafka_host() { local b="${KAFKA_BROKERS%%,*}"; echo "${b%:*}"; }
kafka_port() { local b="${KAFKA_BROKERS%%,*}"; echo "${b##*:}"; }
url_host() { local u="${1#*://}"; u="${u%%/*}"; echo "${u%:*}"; }
url_port() { local u="${1#*://}"; u="${u%%/*}"; [[ "$u" == *:* ]] && echo "${u##*:}" || echo 80; }
# The secured side's URLs: same host and path as the plaintext ones, on the https ports.
registry_https_url() { local rest="${SCHEMA_REGISTRY_URL#*://}"; echo "https://$(url_host "$SCHEMA_REGISTRY_URL"):$SCHEMA_REGISTRY_HTTPS_PORT/${rest#*/}"; }
clickhouse_https_url() { echo "https://$(url_host "$CLICKHOUSE_URL"):$CLICKHOUSE_HTTPS_PORT"; }
is_loopback() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

# The Kafka principals and ACLs come from one table, libs/messaging/src/acls.ts.
kafka_security_tool() {
  ( cd "$REPO_DIR" && node -r ts-node/register/transpile-only -r tsconfig-paths/register infra/kafka-security.ts "$@" )
}
# Read once per script (load_kafka_principals) because ts-node takes seconds to start.
load_kafka_principals() { KAFKA_PRINCIPALS_LIST="$(kafka_security_tool principals)" || die "cannot list the Kafka principals"; }
kafka_principals() { printf '%s\n' "$KAFKA_PRINCIPALS_LIST"; }

kafka_ready() { node "$REPO_DIR/infra/kafka-ready.js" >/dev/null 2>&1; }
registry_ready() { curl -fsS --max-time 5 "$SCHEMA_REGISTRY_URL/subjects" >/dev/null 2>&1; }
# Credentials go to curl on stdin (-H @-), never on a command line other users can read.
clickhouse_ready() {
  [[ "$(printf 'Authorization: Basic %s\n' "$(printf '%s:%s' "$CLICKHOUSE_USER" "$CLICKHOUSE_PASSWORD" | base64 -w0)" \
    | curl -fsS --max-time 5 -H @- --data-binary 'SELECT 1' "$CLICKHOUSE_URL/" 2>/dev/null)" == "1" ]]
}

# fill_template TEMPLATE OUT KEY=VALUE...: replaces every @KEY@ with VALUE, taken
# literally (no sed: any character is safe in a value), and writes OUT readable by its
# owner only (generated configs may hold credentials or their hashes).
fill_template() {
  local text out="$2" pair
  text="$(<"$1")"
  shift 2
  for pair in "$@"; do text="${text//"@${pair%%=*}@"/"${pair#*=}"}"; done
  ( umask 077; printf '%s\n' "$text" > "$out" )
  chmod 600 "$out"
}
# xml_escape VALUE: the value as XML character data.
xml_escape() {
  local v="${1//&/"&amp;"}"
  v="${v//</"&lt;"}"; v="${v//>/"&gt;"}"; v="${v//\"/"&quot;"}"
  printf '%s' "${v//\'/"&apos;"}"
}
sha256_hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

pid_alive() { [[ -f "$RUN_DIR/$1.pid" ]] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# wait_ready NAME CHECK_FN [ARG...]: polls until the server answers a real request.
wait_ready() {
  local name="$1" check="$2" start=$SECONDS
  while ! "$check" "${@:3}"; do
    if ! pid_alive "$name"; then
      die "$name exited during start-up; see $LOG_DIR/$name.out and $LOG_DIR/$name/"
    fi
    if (( SECONDS - start > READY_TIMEOUT_SECONDS )); then
      die "$name not ready after ${READY_TIMEOUT_SECONDS}s; see $LOG_DIR/$name.out"
    fi
    sleep 0.5
  done
  log "$name ready in $((SECONDS - start))s"
}

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  log "installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

case "$VIGIL_TOPOLOGY" in
  single) ;;
  cluster) source "$REPO_DIR/infra/cluster/lib.sh"; cluster_check_settings; cluster_set_addresses ;;
  *) die "VIGIL_TOPOLOGY must be 'single' or 'cluster', got '$VIGIL_TOPOLOGY'" ;;
esac

# Resolves a pom's dependencies into "$INFRA_DIR/<name>/classpath.txt" (again only when the pom
# is newer): Kafka and ZooKeeper come from Maven Central this way.
maven_classpath() {
  local name="$1" label="$2" pom="$3" dir="$INFRA_DIR/$1"
  mkdir -p "$dir"
  if [[ ! -s "$dir/classpath.txt" || "$pom" -nt "$dir/classpath.txt" ]]; then
    log "resolving $label from Maven Central"
    mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$dir/classpath.txt" >"$LOG_DIR/$name-mvn.log" 2>&1 \
      || die "maven could not resolve $label; see $LOG_DIR/$name-mvn.log"
  fi
}
