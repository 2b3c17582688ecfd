import { randomBytes } from 'node:crypto';
import { sha256 } from '@vigil/common';

/**
 * The API tokens every test service is started with (fresh per test process): the
 * services get only their SHA-256 digests, the tests present the tokens.
 */
export const TEST_API_TOKENS = {
  write: { name: 'test-writer', token: randomBytes(24).toString('hex') },
  read: { name: 'test-reader', token: randomBytes(24).toString('hex') },
} as const;

/** VIGIL_API_TOKENS for a service under test. */
export function testApiTokensVariable(): string {
  return JSON.stringify((['write', 'read'] as const).map((role) => ({ name: TEST_API_TOKENS[role].name, role, sha256: sha256(TEST_API_TOKENS[role].token).toString('hex') })));
}

export function bearer(role: keyof typeof TEST_API_TOKENS): { authorization: string } {
  return { authorization: `Bearer ${TEST_API_TOKENS[role].token}` };
}
