// Project `cluster` (npm run test:cluster): brings the cluster topology of infra/up.sh
// --cluster up when it does not already answer, points every test and service at it
// (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL, CLICKHOUSE_CLUSTER, from
// infra/cluster/lib.sh), and remembers whether it started it so that teardown stops only that.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const repo = join(__dirname, '..', '..');
const clusterEnv = { ...process.env, VIGIL_TOPOLOGY: 'cluster' };

function infra(script) {
  return execFileSync('bash', ['-c', `source infra/lib.sh && ${script}`], { cwd: repo, env: clusterEnv, encoding: 'utf8' });
}

function clusterAnswers() {
  try {
    infra('zookeeper_ready && for n in $(cluster_clickhouse_node_numbers); do clickhouse_node_ready "$n" || exit 1; done && kafka_cluster_ready && registry_ready');
    return true;
  } catch {
    return false;
  }
}

module.exports = async () => {
  if (process.env.VIGIL_TEST_STARTED_CLUSTER !== undefined) return;
  const started = Date.now();
  if (clusterAnswers()) {
    process.env.VIGIL_TEST_STARTED_CLUSTER = '';
  } else {
    execFileSync('bash', [join(repo, 'infra/up.sh')], { cwd: repo, env: clusterEnv, stdio: 'inherit' });
    process.env.VIGIL_TEST_STARTED_CLUSTER = '1';
  }
  for (const line of infra('cluster_client_env').trim().split('\n')) {
    const at = line.indexOf('=');
    process.env[line.slice(0, at)] = line.slice(at + 1);
  }
  console.log(
    `\n[cluster] ${process.env.VIGIL_TEST_STARTED_CLUSTER ? 'started' : 'already running'} in ${Math.round((Date.now() - started) / 1000)} s: ` +
      `Kafka ${process.env.KAFKA_BROKERS}, ClickHouse ${process.env.CLICKHOUSE_URL} (cluster ${process.env.CLICKHOUSE_CLUSTER})`,
  );
};
