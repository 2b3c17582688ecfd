import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokenSet, grants, MIN_TOKEN_LENGTH, sha256 } from './api-tokens';
import { loadApiTokens } from './api-tokens.config';

const DEPLOYER_TOKEN = 'deployer-token-0123456789abcdef';
const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';

describe('ApiTokenSet', () => {
  it('hashes with SHA-256: the digest of "abc" is the FIPS 180-2 test vector', () => {
    // FIPS 180-2, appendix B.1.
    expect(sha256('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('authenticates plain and hashed entries, and nothing else', () => {
    const tokens = ApiTokenSet.fromSources([
      [
        'test',
        [
          { name: 'ci-deployer', role: 'write', sha256: sha256(DEPLOYER_TOKEN).toString('hex') },
          { name: 'grafana', role: 'read', token: VIEWER_TOKEN },
        ],
      ],
    ]);
    expect(tokens.size).toBe(2);
    expect(tokens.authenticate(DEPLOYER_TOKEN)).toEqual({ name: 'ci-deployer', role: 'write' });
    expect(tokens.authenticate(VIEWER_TOKEN)).toEqual({ name: 'grafana', role: 'read' });
    expect(tokens.authenticate(`${VIEWER_TOKEN}x`)).toBeNull();
    expect(tokens.authenticate('')).toBeNull();
    expect(tokens.describe()).toEqual([
      { name: 'ci-deployer', role: 'write' },
      { name: 'grafana', role: 'read' },
    ]);
  });

  it('accepts upper-case hex digests', () => {
    const tokens = ApiTokenSet.fromSources([['test', [{ name: 'a', role: 'read', sha256: sha256(VIEWER_TOKEN).toString('hex').toUpperCase() }]]]);
    expect(tokens.authenticate(VIEWER_TOKEN)?.name).toBe('a');
  });

  it('write implies read; read does not imply write', () => {
    expect(grants('write', 'read')).toBe(true);
    expect(grants('write', 'write')).toBe(true);
    expect(grants('read', 'read')).toBe(true);
    expect(grants('read', 'write')).toBe(false);
  });

  it.each([
    [{ role: 'read', token: VIEWER_TOKEN }, 'entry 0: "name" must be 1 to 64 characters'],
    [{ name: 'has space', role: 'read', token: VIEWER_TOKEN }, 'entry 0: "name" must be'],
    [{ name: 'a', role: 'admin', token: VIEWER_TOKEN }, 'entry 0 ("a"): "role" must be "read" or "write"'],
    [{ name: 'a', role: 'read' }, 'give exactly one of "sha256" (hex digest of the token) or "token"'],
    [{ name: 'a', role: 'read', token: VIEWER_TOKEN, sha256: sha256(VIEWER_TOKEN).toString('hex') }, 'give exactly one of'],
    [{ name: 'a', role: 'read', sha256: 'abc' }, '"sha256" must be 64 hexadecimal characters'],
    [{ name: 'a', role: 'read', token: 'x'.repeat(MIN_TOKEN_LENGTH - 1) }, `"token" must be a string of at least ${MIN_TOKEN_LENGTH} characters`],
    [{ name: 'a', role: 'read', token: VIEWER_TOKEN, scope: 'all' }, 'unknown key(s) scope'],
    ['a string', 'entry 0: expected an object'],
  ])('refuses %j with a message naming the entry', (entry, message) => {
    expect(() => ApiTokenSet.fromSources([['VIGIL_API_TOKENS', [entry]]])).toThrow(message);
  });

  it('never echoes a token in an error', () => {
    const tooShort = 'short-secret'; // 12 characters, under MIN_TOKEN_LENGTH
    let message = '';
    try {
      ApiTokenSet.fromSources([['VIGIL_API_TOKENS', [{ name: 'a', role: 'read', token: tooShort }]]]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('"token" must be');
    expect(message).not.toContain(tooShort);
  });

  it('refuses duplicate names and the same token under two names, across sources', () => {
    expect(() =>
      ApiTokenSet.fromSources([
        ['file', [{ name: 'a', role: 'read', token: VIEWER_TOKEN }]],
        ['VIGIL_API_TOKENS', [{ name: 'a', role: 'write', token: DEPLOYER_TOKEN }]],
      ]),
    ).toThrow('VIGIL_API_TOKENS: entry 0 ("a"): the name is already used by file: entry 0 ("a")');
    expect(() =>
      ApiTokenSet.fromSources([
        [
          'file',
          [
            { name: 'a', role: 'read', token: VIEWER_TOKEN },
            { name: 'b', role: 'write', sha256: sha256(VIEWER_TOKEN).toString('hex') },
          ],
        ],
      ]),
    ).toThrow('file: entry 1 ("b"): the same token as file: entry 0 ("a")');
  });
});

describe('loadApiTokens', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tokens-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and the variable together', () => {
    const file = join(dir, 'tokens.json');
    writeFileSync(file, JSON.stringify([{ name: 'ci-deployer', role: 'write', token: DEPLOYER_TOKEN }]), { mode: 0o600 });
    const { tokens, warnings } = loadApiTokens({ VIGIL_API_TOKENS_FILE: file, VIGIL_API_TOKENS: JSON.stringify([{ name: 'grafana', role: 'read', token: VIEWER_TOKEN }]) });
    expect(tokens.describe().map((t) => t.name)).toEqual(['ci-deployer', 'grafana']);
    expect(warnings).toEqual([]);
  });

  it('warns when the file is readable by others', () => {
    const file = join(dir, 'tokens.json');
    writeFileSync(file, '[]');
    chmodSync(file, 0o644);
    expect(loadApiTokens({ VIGIL_API_TOKENS_FILE: file }).warnings[0]).toBe(`VIGIL_API_TOKENS_FILE=${file} is readable by other users (mode 0644): chmod 600 it`);
  });

  it('warns, and says how, when no token is configured', () => {
    const { tokens, warnings } = loadApiTokens({});
    expect(tokens.size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no API tokens are configured');
    expect(warnings[0]).toContain('VIGIL_API_TOKENS_FILE');
  });

  it('names a missing file and bad JSON without echoing the text', () => {
    expect(() => loadApiTokens({ VIGIL_API_TOKENS_FILE: join(dir, 'absent.json') })).toThrow(`VIGIL_API_TOKENS_FILE=${join(dir, 'absent.json')}: cannot read the token file`);
    const text = `[{"name": "a", "role": "read", "token": "${VIEWER_TOKEN}"`;
    let message = '';
    try {
      loadApiTokens({ VIGIL_API_TOKENS: text });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^VIGIL_API_TOKENS: not valid JSON/);
    expect(message).not.toContain(VIEWER_TOKEN);
  });
});
