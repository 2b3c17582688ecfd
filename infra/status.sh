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
# The secured side (docs/security.md): same processes, other ports.
secure_report() {
  local name="$1" where="$2" check="$3" state="down"
  "$check" && state="up"
  printf '%-11s %-5s %-45s %s\n' "$name" "$state" "$where" "secured side (CA and credentials in $SECURE_DIR)"
}
kafka_sasl_ssl_ready() { (exec 3<>"/dev/tcp/$(kafka_host)/$KAFKA_SASL_SSL_PORT") 2>/dev/null; }
registry_https_ready() { curl -fsS --max-time 5 --cacert "$SECURE_DIR/ca.pem" "$(registry_https_url)/subjects" >/dev/null 2>&1; }
clickhouse_https_ready() { curl -fsS --max-time 5 --cacert "$SECURE_DIR/ca.pem" "$(clickhouse_https_url)/ping" >/dev/null 2>&1; }
secure_report kafka "SASL_SSL $(kafka_host):$KAFKA_SASL_SSL_PORT" kafka_sasl_ssl_ready
secure_report registry "$(registry_https_url)" registry_https_ready
secure_report clickhouse "$(clickhouse_https_url)" clickhouse_https_ready
