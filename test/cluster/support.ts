// Helpers of the cluster suite (test/cluster): where each node listens, from the same
// variables and defaults as infra/cluster/lib.sh, and stopping or starting one node.
import { execFileSync } from 'node:child_process';
import { REPO } from '../support/service-process';

function infra(script: string): string {
  return execFileSync('bash', ['-c', `source infra/lib.sh && ${script}`], {
    cwd: REPO,
    env: { ...process.env, VIGIL_TOPOLOGY: 'cluster' },
    encoding: 'utf8',
  });
}

/** The HTTP URL of each ClickHouse replica. */
export function replicaUrls(): string[] {
  return infra(`printf 'http://127.0.0.1:%s\\n' "\${CLUSTER_CLICKHOUSE_HTTP_PORTS[@]}"`).trim().split('\n');
}
