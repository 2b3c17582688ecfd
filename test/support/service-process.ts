import type { InfrastructureConfig } from '@vigil/common';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bearer, testApiTokensVariable } from './api-tokens';
import { eventually } from './stack';

export const REPO = join(__dirname, '..', '..');

export type VigilApp = 'ingestor' | 'monitor' | 'orchestrator';
/** Every service a test can start: the dashboard reads ClickHouse only (test/dashboard). */
export type VigilService = VigilApp | 'dashboard';

/** The environment a service needs to reach the test's stack, database and topics. */
export function serviceEnv(config: InfrastructureConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: config.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: config.schemaRegistry.url,
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_USER: config.clickhouse.user,
    CLICKHOUSE_PASSWORD: config.clickhouse.password,
    CLICKHOUSE_DATABASE: config.clickhouse.database,
    ...(config.clickhouse.cluster && { CLICKHOUSE_CLUSTER: config.clickhouse.cluster }),
    VIGIL_TOPIC_PREFIX: config.topicPrefix,
    VIGIL_API_TOKENS: testApiTokensVariable(),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** Every service process a test file started that has not exited yet. */
const liveChildren = new Set<ChildProcess>();

function killLeftovers(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

// In jest this runs after the test file's own hooks (they sit inside its describe blocks):
// whatever a failed test or a failed afterAll left running is killed, so no service outlives
// its file. The benchmarks (bench/) import this module outside jest: there, at process exit.
// Looked up on globalThis because the benchmarks compile without jest's types.
const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
if (jestAfterAll) jestAfterAll(killLeftovers);
else process.once('exit', killLeftovers);

/** A Vigil service as a real child process, so a test can SIGKILL it like a crash would. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  /** The last 50 kB of its stdout and stderr, for failure messages. */
  output = '';

  constructor(
    readonly app: VigilService,
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `entry`: the script and its arguments, the service's own main.ts unless a test-only entry is named. */
  start(env: Record<string, string> = {}, entry: string[] = [`apps/${this.app}/src/main.ts`]): void {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...entry], {
      cwd: REPO,
      env: { ...process.env, ...this.env, ...env, HTTP_PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    liveChildren.add(child);
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        liveChildren.delete(child);
        resolve(code);
      }),
    );
  }

  /** Starts it and waits until /health answers 200; fails with its output if it exits first. */
  async startHealthy(env: Record<string, string> = {}, timeoutMs = 90_000): Promise<void> {
    this.start(env);
    await eventually(
      async () => (this.running ? ((await this.tryGet('/health'))?.status ?? 0) : -1),
      (status) => status === 200 || status === -1,
      timeoutMs,
    );
    if (!this.running) throw new Error(`${this.app} exited with ${await this.exited()}:\n${this.output}`);
  }

  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null);
  }

  /** Sends `signal` (SIGKILL: no shutdown hooks, no commit, no flush) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.child!.kill(signal);
    await this.exit;
  }

  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  /** Sends `signal` without waiting: SIGSTOP freezes the process (like a long pause of its host), SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** A GET with the test's read token (docs/api-auth.md). */
  async get<T>(path: string): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.url}${path}`, { headers: bearer('read') });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Like `get`, but undefined while the service does not answer (starting, killed). */
  async tryGet<T>(path: string): Promise<HttpAnswer<T> | undefined> {
    try {
      return await this.get<T>(path);
    } catch {
      return undefined;
    }
  }

  /** A change with the test's write token. */
  async send<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...bearer('write') },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  put<T>(path: string, body: unknown): Promise<HttpAnswer<T>> {
    return this.send<T>('PUT', path, body);
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }
}
