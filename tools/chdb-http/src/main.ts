/**
 * Runs the chDB HTTP adapter as a process. Settings (all optional):
 *   CHDB_HTTP_HOST (127.0.0.1), CHDB_HTTP_PORT (0: a free port),
 *   CHDB_HTTP_DATA_DIR (a fresh temporary directory, deleted at exit),
 *   CHDB_HTTP_USER (default), CHDB_HTTP_PASSWORD (empty),
 *   CHDB_HTTP_PARENT_PID (exit when that process is gone, so a killed test run leaves no adapter behind).
 * Prints one JSON line `{"message":"listening","url":…,"version":…}` on stdout once it answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChdbHttpServer } from './server';

function log(level: 'log' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, context: 'chdb-http', message, ...fields });
  (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
}

function portOf(text: string | undefined): number {
  const port = Number(text ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`CHDB_HTTP_PORT must be a port number, got ${text}`);
  return port;
}

async function main(): Promise<void> {
  const env = process.env;
  // When the parent that reads our output is gone, a log line has nowhere to go: drop it
  // rather than die of EPIPE before the data directory is cleaned up.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const ownDataDir = env.CHDB_HTTP_DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'chdb-http-'));
  const server = await startChdbHttpServer({
    host: env.CHDB_HTTP_HOST ?? '127.0.0.1',
    port: portOf(env.CHDB_HTTP_PORT),
    dataDir: env.CHDB_HTTP_DATA_DIR ?? ownDataDir!,
    user: env.CHDB_HTTP_USER ?? 'default',
    password: env.CHDB_HTTP_PASSWORD ?? '',
  });
  log('log', 'listening', { url: server.url, version: server.version });

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log('log', 'stopping', { why });
    await server.close();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const parent = env.CHDB_HTTP_PARENT_PID ? Number(env.CHDB_HTTP_PARENT_PID) : undefined;
  if (parent) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        void stop(`parent process ${parent} is gone`);
      }
    }, 1000).unref();
  }
}

main().catch((error: unknown) => {
  log('error', 'could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
