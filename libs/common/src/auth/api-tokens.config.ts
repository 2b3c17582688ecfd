import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { env, parseEnv } from '../validation/env-schema';
import { ApiTokenSet } from './api-tokens';

/** The HTTP API's token variables, with their documented defaults (README "Configuration", docs/api-auth.md). */
export const apiAuthEnvShape = {
  VIGIL_API_TOKENS_FILE: env.optionalText(),
  VIGIL_API_TOKENS: env.optionalText(),
};

export const API_TOKENS_HOWTO =
  'set VIGIL_API_TOKENS_FILE to a JSON file (mode 0600) of [{"name": "...", "role": "read"|"write", "sha256": "<sha256 hex of the token>"}] ' +
  'or VIGIL_API_TOKENS to the same JSON; see docs/api-auth.md';

export interface LoadedApiTokens {
  tokens: ApiTokenSet;
  /** Things worth a warning at start (never containing a token). */
  warnings: string[];
}

/** Reads and validates the configured tokens; throws with a message naming the variable and entry. */
export function loadApiTokens(environment: NodeJS.ProcessEnv = process.env): LoadedApiTokens {
  const { VIGIL_API_TOKENS_FILE: file, VIGIL_API_TOKENS: inline } = parseEnv(z.object(apiAuthEnvShape), environment, 'invalid API token configuration');
  const sources: [string, unknown][] = [];
  const warnings: string[] = [];
  if (file !== '') {
    const source = `VIGIL_API_TOKENS_FILE=${file}`;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) !== 0) warnings.push(`${source} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it`);
    } catch (cause) {
      throw new Error(`${source}: cannot read the token file: ${(cause as Error).message}`);
    }
    sources.push([source, parseJson(text, source)]);
  }
  if (inline.trim() !== '') sources.push(['VIGIL_API_TOKENS', parseJson(inline, 'VIGIL_API_TOKENS')]);
  const tokens = ApiTokenSet.fromSources(sources);
  if (tokens.size === 0) warnings.push(`no API tokens are configured: every route but /health and /metrics answers 401; ${API_TOKENS_HOWTO}`);
  return { tokens, warnings };
}

/** JSON.parse, with an error that says where, and never echoes the text (it may hold tokens). */
function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const position = /position \d+/.exec((cause as Error).message)?.[0];
    throw new Error(`${source}: not valid JSON${position ? ` (at ${position})` : ''}; expected [{"name", "role", "sha256" | "token"}, …]`);
  }
}
