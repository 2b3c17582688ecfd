import { createHash, timingSafeEqual } from 'node:crypto';

/** `write` implies `read`. */
export type ApiRole = 'read' | 'write';

/** Who is calling: the configured token's name (recorded with every change it makes) and its role. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

/**
 * The shortest plain token accepted: 16 characters of a random alphabet are ~96 bits,
 * beyond any online guessing through an HTTP API.
 */
export const MIN_TOKEN_LENGTH = 16;

/** Names are stored in ClickHouse rows and logged, so they stay plain and short. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

interface ConfiguredToken extends ApiPrincipal {
  /** SHA-256 of the token: plain tokens are hashed at load, so only digests are kept in memory. */
  digest: Buffer;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The configured API tokens. A presented token is hashed and compared with every
 * configured digest by `timingSafeEqual` (equal lengths, no early exit), so neither the
 * comparison nor which entry matched shows in the response time.
 */
export class ApiTokenSet {
  private constructor(private readonly tokens: readonly ConfiguredToken[]) {}

  static empty(): ApiTokenSet {
    return new ApiTokenSet([]);
  }

  /**
   * Entries from several sources (`[source, parsed JSON]`), checked together: each entry is
   * `{name, role: "read"|"write", sha256: <64 hex>}` or `{name, role, token}`. Errors name
   * the source and the entry, never a token.
   */
  static fromSources(sources: readonly (readonly [string, unknown])[]): ApiTokenSet {
    const tokens: ConfiguredToken[] = [];
    const names = new Map<string, string>();
    const digests = new Map<string, string>();
    for (const [source, parsed] of sources) {
      if (!Array.isArray(parsed)) throw new Error(`${source}: expected a JSON array of {"name", "role", "sha256" | "token"} entries`);
      parsed.forEach((entry: unknown, index) => {
        const token = parseEntry(entry, `${source}: entry ${index}`);
        const where = `${source}: entry ${index} ("${token.name}")`;
        const earlier = names.get(token.name);
        if (earlier) throw new Error(`${where}: the name is already used by ${earlier}; names must be unique (they record who changed what)`);
        const hex = token.digest.toString('hex');
        const same = digests.get(hex);
        if (same) throw new Error(`${where}: the same token as ${same}; give each caller its own token`);
        names.set(token.name, where);
        digests.set(hex, where);
        tokens.push(token);
      });
    }
    return new ApiTokenSet(tokens);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The principal whose token this is, or null. */
  authenticate(presented: string): ApiPrincipal | null {
    const digest = sha256(presented);
    let match: ConfiguredToken | null = null;
    for (const token of this.tokens) {
      if (timingSafeEqual(digest, token.digest) && match === null) match = token;
    }
    return match ? { name: match.name, role: match.role } : null;
  }

  /** Names and roles, for the start-up log line. */
  describe(): ApiPrincipal[] {
    return this.tokens.map(({ name, role }) => ({ name, role }));
  }
}

export function grants(role: ApiRole, needed: ApiRole): boolean {
  return needed === 'read' || role === 'write';
}

function parseEntry(entry: unknown, where: string): ConfiguredToken {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected an object {"name", "role", "sha256" | "token"}`);
  const { name, role, sha256: hex, token, ...rest } = entry as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw new Error(`${where}: unknown key(s) ${unknownKeys.join(', ')}; allowed: name, role, sha256, token`);
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`${where}: "name" must be 1 to 64 characters of letters, digits and _ . @ : - (starting with a letter or digit)`);
  }
  const named = `${where} ("${name}")`;
  if (role !== 'read' && role !== 'write') throw new Error(`${named}: "role" must be "read" or "write"`);
  if ((hex === undefined) === (token === undefined)) throw new Error(`${named}: give exactly one of "sha256" (hex digest of the token) or "token"`);
  if (hex !== undefined) {
    if (typeof hex !== 'string' || !SHA256_HEX.test(hex)) throw new Error(`${named}: "sha256" must be 64 hexadecimal characters (sha256sum of the token)`);
    return { name, role, digest: Buffer.from(hex, 'hex') };
  }
  if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || token.trim() !== token) {
    throw new Error(`${named}: "token" must be a string of at least ${MIN_TOKEN_LENGTH} characters without surrounding spaces (e.g. openssl rand -hex 32)`);
  }
  return { name, role, digest: sha256(token) };
}
