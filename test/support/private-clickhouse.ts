import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO } from './service-process';
import { eventually } from './stack';

/**
 * A throwaway clickhouse-server (infra/clickhouse/*.template) in a temp dir, on free
 * ports, for tests that stop and restart ClickHouse (the shared one serves other tests).
 * `start` checks that the server answering on the port is this one: its data path is
 * this temp dir.
 */
export class PrivateClickHouse {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-ch-'));
  private readonly data = join(this.dir, 'data');
  private server: ChildProcess | undefined;
  private httpPort = 0;

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Picks free ports and writes the config once; later starts reuse both (and the data). */
  private async configure(): Promise<void> {
    if (this.httpPort !== 0) return;
    for (const sub of ['tmp', 'user_files', 'format_schemas']) mkdirSync(join(this.data, sub), { recursive: true });
    const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
    const fill = (template: string) =>
      readFileSync(join(REPO, 'infra', 'clickhouse', template), 'utf8')
        .replaceAll('@LOG_DIR@', this.dir)
        .replaceAll('@DATA_DIR@', this.data)
        .replaceAll('@CONF_DIR@', this.dir)
        .replaceAll('@HTTP_PORT@', String(http))
        .replaceAll('@TCP_PORT@', String(tcp))
        .replaceAll('@INTERSERVER_PORT@', String(interserver))
        .replaceAll('@USER@', 'default')
        .replaceAll('@PASSWORD@', '');
    writeFileSync(join(this.dir, 'config.xml'), fill('config.xml.template'));
    writeFileSync(join(this.dir, 'users.xml'), fill('users.xml.template'));
    this.httpPort = http;
  }

  async start(): Promise<void> {
    await this.configure();
    const server = spawn('clickhouse-server', [`--config-file=${join(this.dir, 'config.xml')}`], { stdio: 'ignore' });
    this.server = server;
    const dataPath = async (): Promise<string | null> => {
      if (server.exitCode !== null) throw new Error(`clickhouse-server exited with ${server.exitCode} (see ${this.dir})`);
      try {
        const response = await fetch(`${this.url}/?query=${encodeURIComponent("SELECT data_path FROM system.databases WHERE name = 'system'")}`);
        return response.ok ? (await response.text()).trim() : null;
      } catch {
        return null;
      }
    };
    const answered = await eventually(dataPath, (path) => path !== null, 30_000);
    if (!answered!.startsWith(this.data)) throw new Error(`another ClickHouse answers on ${this.url} (data path ${answered})`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
