import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/service-process';
import { eventually } from '../support/stack';

/** A server binary (prometheus, prometheus-alertmanager) started by a test on a free port. */
export interface ExternalServer {
  child: ChildProcess;
  output: string;
  url: string;
}

export function startServer(command: string, args: string[], url: string): ExternalServer {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server: ExternalServer = { child, output: '', url };
  const keep = (chunk: Buffer) => {
    server.output = (server.output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return server;
}

export async function stopServer(server: ExternalServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** GET as JSON; undefined while the server does not answer 2xx. */
export async function json<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

/**
 * Debian's prometheus-alertmanager on a free loopback port, clustering off, grouping by
 * model with 1-s waits; `receiverYaml` is the receiver's body (indented under its name).
 * Resolves once the server answering is this one (its configuration names `receiver`).
 */
export async function startAlertmanager(dir: string, receiver: string, receiverYaml: string[] = []): Promise<ExternalServer> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      `  receiver: ${receiver}`,
      '  group_by: [model]',
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      `  - name: ${receiver}`,
      ...receiverYaml,
      '',
    ].join('\n'),
  );
  const server = startServer(
    'prometheus-alertmanager',
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    `http://127.0.0.1:${port}`,
  );
  await eventually(
    () => json<{ config: { original: string } }>(`${server.url}/api/v2/status`),
    (s) => (s?.config.original ?? '').includes(receiver) || server.child.exitCode !== null,
    30_000,
  );
  if (server.child.exitCode !== null) throw new Error(`alertmanager exited:\n${server.output}`);
  return server;
}
