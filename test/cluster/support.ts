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

/** The pid infra/up.sh recorded for a node (kafka-1…3, clickhouse-1…2, zookeeper, registry). */
export function nodePid(node: string): number {
  return Number(infra(`cat "$RUN_DIR/${node}.pid"`).trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to a node and waits until its process is gone. */
export async function stopNode(node: string, signal: NodeJS.Signals): Promise<void> {
  const pid = nodePid(node);
  process.kill(pid, signal);
  const deadline = Date.now() + 60_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${node} (pid ${pid}) still running 60 s after ${signal}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** infra/up.sh --cluster: starts every node that does not answer and waits until all do. */
export function startMissingNodes(): void {
  execFileSync('bash', ['infra/up.sh'], { cwd: REPO, env: { ...process.env, VIGIL_TOPOLOGY: 'cluster' }, stdio: 'pipe' });
}
