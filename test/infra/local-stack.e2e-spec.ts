/**
 * Hygiene of the local stack's generated files (infra/up.sh), on a private ClickHouse
 * started by the script itself in a temporary VIGIL_INFRA_DIR on free ports, with a
 * password made of every character that broke the old sed templating: only its SHA-256
 * reaches users.xml, every generated config, key and credential file is 0600, and the
 * server accepts exactly that password over http and https.
 */
import { createClickHouse } from '@vigil/storage';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO } from '../support/service-process';
import { nativeStackMissing } from '../support/native-stack';

const PASSWORD = 'a&b#c<d\'"$';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

const nativeMissing = nativeStackMissing('test/infra/local-stack', 'infra/up.sh itself and a clickhouse-server binary');

(nativeMissing ? describe.skip : describe)('infra/up.sh: generated configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-infra-'));
  let env: NodeJS.ProcessEnv;
  let httpPort: number;
  let httpsPort: number;

  beforeAll(async () => {
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    env = {
      ...process.env,
      VIGIL_INFRA_DIR: dir,
      CLICKHOUSE_URL: `http://127.0.0.1:${httpPort}`,
      CLICKHOUSE_HTTPS_PORT: String(httpsPort),
      CLICKHOUSE_TCP_PORT: String(await freePort()),
      CLICKHOUSE_INTERSERVER_PORT: String(await freePort()),
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: PASSWORD,
    };
    execFileSync('bash', [join(REPO, 'infra/up.sh'), 'clickhouse'], { cwd: REPO, env, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => {
    execFileSync('bash', [join(REPO, 'infra/down.sh')], { cwd: REPO, env, stdio: 'pipe' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('users.xml holds the SHA-256 of the password, never the password', () => {
    const users = readFileSync(join(dir, 'clickhouse/conf/users.xml'), 'utf8');
    expect(users).toContain(`<password_sha256_hex>${createHash('sha256').update(PASSWORD).digest('hex')}</password_sha256_hex>`);
    expect(users).not.toContain(PASSWORD);
    expect(users).not.toContain('<password>');
  });

  it('every generated config, key and credential file is readable by its owner only', () => {
    const conf = join(dir, 'clickhouse/conf');
    for (const file of ['config.xml', 'users.xml', 'config.d/tls.xml', 'users.d/service-user.xml']) expect({ file, mode: mode(join(conf, file)) }).toEqual({ file, mode: '600' });
    const secure = join(dir, 'secure');
    expect(mode(secure)).toBe('700');
    for (const file of readdirSync(secure)) {
      // The CA certificate is public by nature; everything else there is a key or a credential.
      expect({ file, mode: mode(join(secure, file)) }).toEqual({ file, mode: file === 'ca.pem' ? '644' : '600' });
    }
  });

  it('the server takes exactly that password, over http and over https with the stack CA', async () => {
    const ca = readFileSync(join(dir, 'secure/ca.pem'));
    for (const [url, tls] of [
      [`http://127.0.0.1:${httpPort}`, undefined],
      [`https://127.0.0.1:${httpsPort}`, ca],
    ] as const) {
      const client = (password: string) => createClickHouse({ url, user: 'default', password, database: 'default', ca: tls });
      const good = client(PASSWORD);
      const bad = client('a&b#c<d');
      try {
        const rows = await (await good.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json<{ one: number }>();
        expect(rows).toEqual([{ one: 1 }]);
        await expect(bad.query({ query: 'SELECT 1' })).rejects.toThrow(/Code: (193|516)/);
      } finally {
        await Promise.all([good.close(), bad.close()]);
      }
    }
  });
});
