// Helpers of the cluster suite (test/cluster): where each node listens, from the same
// variables and defaults as infra/cluster/lib.sh, and stopping or starting one node.
import { execFileSync, spawn } from 'node:child_process';
import { REPO } from '../support/service-process';

function infra(script: string): string {
  return execFileSync('bash', ['-c', `source infra/lib.sh && ${script}`], {
    cwd: REPO,
    env: { ...process.env, VIGIL_TOPOLOGY: 'cluster' },
    encoding: 'utf8',
  });
}

/** The HTTP URL of each ClickHouse replica, as clients on this host reach it. */
export function replicaUrls(): string[] {
  return infra('for n in $(cluster_clickhouse_node_numbers); do clickhouse_node_url "$n"; done').trim().split('\n');
}

/**
 * Cuts (`down`) or heals (`up`) clickhouse-2's veth link (cluster_partition in
 * infra/cluster/lib.sh). Throws infra's reason where the topology has no namespace for it.
 */
export function setReplica2Link(state: 'down' | 'up'): void {
  try {
    infra(`cluster_partition ${state}`);
  } catch (error) {
    throw new Error(`cannot ${state === 'down' ? 'partition' : 'heal'} clickhouse-2: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`);
  }
}

export interface HttpAnswer {
  ok: boolean;
  /** The response body, or curl's error. */
  text: string;
  ms: number;
}

/**
 * One query to replica 2's HTTP interface through curl, from this host or from inside its
 * network namespace (where its own clients are during a partition); never fails, the answer
 * says how it went. The credentials go to curl on stdin, as in infra/lib.sh.
 */
export function queryReplica2(from: 'host' | 'replica2-side', query: string, credentials: { user: string; password: string }, maxSeconds: number): Promise<HttpAnswer> {
  const inNamespace = from === 'replica2-side' ? 'cluster_on_replica2_side ' : '';
  const started = Date.now();
  const curl = spawn(
    'bash',
    ['-c', `source infra/lib.sh && ${inNamespace}curl -sS --fail-with-body --max-time ${maxSeconds} -H @- --data-binary "$1" "$(clickhouse_node_url 2)/"`, 'query', query],
    { cwd: REPO, env: { ...process.env, VIGIL_TOPOLOGY: 'cluster' } },
  );
  let output = '';
  curl.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  curl.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  curl.stdin.end(`Authorization: Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}\n`);
  return new Promise((resolve) => curl.on('close', (status) => resolve({ ok: status === 0, text: output.trim(), ms: Date.now() - started })));
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
