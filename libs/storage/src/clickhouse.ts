import { ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ConnectionFailureError, explainTransportFailure, StorageUnavailableError } from '@vigil/common';

export interface ClickHouseSettings {
  url: string;
  user: string;
  password: string;
  database: string;
  /** PEM CA bundle that signed an https server's certificate (CLICKHOUSE_CA_FILE). */
  ca?: Buffer;
  /** The cluster the tables are replicated and distributed on (CLICKHOUSE_CLUSTER; docs/scaling.md). */
  cluster?: string;
}

/**
 * Settings sent with every request. Each one is accepted by ClickHouse 18.16 and 26.x
 * alike, so every statement behaves the same on both:
 * - `date_time_input_format: 'best_effort'`: ISO timestamps with `Z` parse on 18.16;
 * - `output_format_json_quote_64bit_integers: 1`: (U)Int64 come back as JSON strings, as
 *   18.16 always did and 25.8+ only does with this setting (default 0 there).
 */
export const PORTABLE_SETTINGS = {
  date_time_input_format: 'best_effort',
  output_format_json_quote_64bit_integers: 1,
} as const;

/**
 * The official client, with its console logging off (errors reach our logger) and a
 * request timeout that turns a hung server into a retriable error.
 */
export function createClickHouse(settings: ClickHouseSettings, database = settings.database): ClickHouseClient {
  return createClient({
    url: settings.url,
    username: settings.user,
    password: settings.password,
    database,
    ...(settings.ca && { tls: { ca_cert: settings.ca } }),
    request_timeout: 30_000,
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: { ...PORTABLE_SETTINGS, ...(settings.cluster && CLUSTER_SETTINGS) },
  });
}

/**
 * Sent on a cluster: an insert into a Distributed table returns once a replica of each
 * shard has the rows (not once they are queued on the receiving server's disk), so the
 * ingestor commits offsets only for stored rows. That is one replica of each shard: the
 * others fetch the part moments later. `in_order` sends reads and writes to the same
 * replica of each remote shard (the first one healthy, in `remote_servers` order), so a
 * read after a write sees it; with the default `random`, 43 of 80 reads right after an
 * insert into a remote shard found no row (two shards, docs/scaling.md "Two shards").
 */
export const CLUSTER_SETTINGS = { insert_distributed_sync: 1, load_balancing: 'in_order' } as const;

/** ClickHouse 18.16 sends no exception code header: read "Code: N" from the message. */
export function clickhouseErrorCode(error: unknown): number | undefined {
  // Servers that send the type suffix (19.x+) get it parsed by the client into `code`, and the message loses "Code: N".
  const parsed = (error as { code?: unknown } | undefined)?.code;
  if (typeof parsed === 'string' && /^\d+$/.test(parsed)) return Number(parsed);
  const match = /Code: (\d+)/.exec(error instanceof Error ? error.message : String(error));
  return match ? Number(match[1]) : undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** 202 TOO_MANY_SIMULTANEOUS_QUERIES: the server is at max_concurrent_queries and refused the statement before running it. */
const BUSY_CODES = new Set([202]);

/**
 * Wraps a failed call: connection-level failures, timeouts and a server refusing work it
 * has no room for become StorageUnavailableError (retry later); SQL errors are rethrown as they are.
 */
export function classifyClickHouseError(error: unknown, what: string): Error {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const serverCode = clickhouseErrorCode(error);
  if ((code && NETWORK_CODES.has(code)) || (serverCode !== undefined && BUSY_CODES.has(serverCode)) || /timeout|socket hang up|ECONNREFUSED|ECONNRESET/i.test(message)) {
    return new StorageUnavailableError(`ClickHouse unavailable during ${what}: ${message}`, error);
  }
  return error instanceof Error ? error : new Error(message);
}

/** The rows of a SELECT as JSON objects; a failure is classified as above (`what` names the read in the error). */
export async function selectRows<T>(client: ClickHouseClient, query: string, what: string): Promise<T[]> {
  try {
    return await (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  } catch (error) {
    throw classifyClickHouseError(error, what);
  }
}

/** Codes of a refused login: 516 AUTHENTICATION_FAILED (modern servers), 193 WRONG_PASSWORD and 192 UNKNOWN_USER (18.16). */
const AUTHENTICATION_CODES = new Set([192, 193, 516]);

/** What a failed first request to ClickHouse means, in one explanation (never the password). */
export function explainClickHouseFailure(error: unknown, settings: ClickHouseSettings): ConnectionFailureError {
  const tls = settings.url.startsWith('https://');
  const mechanism = `${tls ? 'https' : 'http'} as ${settings.user}`;
  const fail = (failure: string, hint: string) => new ConnectionFailureError('clickhouse', settings.url, mechanism, failure, hint);
  const code = clickhouseErrorCode(error);
  if (code !== undefined && AUTHENTICATION_CODES.has(code)) {
    return fail(`authentication failed (Code ${code}): the server refused the user or password`, 'check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD');
  }
  const transport = explainTransportFailure(error, tls, 'CLICKHOUSE_CA_FILE');
  if (transport) return fail(transport.failure, transport.hint);
  const message = error instanceof Error ? error.message : String(error);
  if (/socket hang up|ECONNRESET|Parse Error|HPE_/i.test(`${message} ${(error as { code?: string }).code ?? ''}`)) {
    return fail('the connection was dropped: the port speaks another protocol (https to an http port, or the reverse)', 'check the scheme and port of CLICKHOUSE_URL');
  }
  return fail(code !== undefined ? `the server refused the first statement (Code ${code}): ${message.split('\n')[0]}` : message, 'see the ClickHouse server log');
}
