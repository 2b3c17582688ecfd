/**
 * The pure part of the adapter: how a ClickHouse HTTP request maps onto statements for the
 * chDB engine, and how an engine error maps back onto ClickHouse's HTTP answer. No I/O.
 * Behaviour follows ClickHouse's `src/Server/HTTPHandler.cpp`.
 */

/** URL parameters the HTTP interface consumes itself; every other parameter is a setting. */
const RESERVED_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'quota_key',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'wait_end_of_query',
  'buffer_size',
  'stacktrace',
  'role',
  'client_protocol_version',
]);

/** Parameters of the real interface that the adapter does not implement (see the README). */
const UNSUPPORTED_PARAMS = new Set(['compress', 'decompress']);

export interface HttpQueryRequest {
  /** `query` URL parameter, when present. */
  urlQuery: string | undefined;
  database: string;
  defaultFormat: string;
  queryId: string | undefined;
  sessionId: string | undefined;
  /** Settings in the order given; the engine validates names and values. */
  settings: Array<[string, string]>;
}

/** A ClickHouse-style failure: code, name and message, as the server would report them. */
export class ClickHouseHttpError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseParams(params: URLSearchParams): HttpQueryRequest {
  const settings: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (RESERVED_PARAMS.has(name)) continue;
    if (UNSUPPORTED_PARAMS.has(name) || name.startsWith('param_')) {
      throw new ClickHouseHttpError(48, 'NOT_IMPLEMENTED', `URL parameter '${name}' is not implemented by the chDB HTTP adapter`);
    }
    if (!SETTING_NAME.test(name)) {
      throw new ClickHouseHttpError(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
    }
    settings.push([name, value]);
  }
  return {
    urlQuery: params.get('query') ?? undefined,
    database: params.get('database') ?? 'default',
    defaultFormat: params.get('default_format') ?? 'TabSeparated',
    queryId: params.get('query_id') ?? undefined,
    sessionId: params.get('session_id') ?? undefined,
    settings,
  };
}

/** What to run: a statement text, or an INSERT whose data is the request body, kept as bytes. */
export type Statement = { kind: 'text'; sql: string } | { kind: 'insert-data'; head: string; format: string; data: Buffer };

/** `INSERT INTO t [(cols)] [SETTINGS …] FORMAT F` with the data following it in the body. */
const INSERT_WITH_DATA = /^\s*(INSERT\s+INTO\s[\s\S]*?)\s+FORMAT\s+([A-Za-z0-9_]+)\s*$/i;

/**
 * ClickHouse concatenates the `query` parameter and the body. For an INSERT whose data is in
 * the body the bytes must reach the engine untouched (RowBinary is not text), so the data is
 * kept apart and later handed over as a file (`INSERT … FROM INFILE`).
 */
export function statementOf(urlQuery: string | undefined, body: Buffer): Statement {
  if (urlQuery !== undefined && body.length > 0) {
    const insert = INSERT_WITH_DATA.exec(urlQuery);
    if (insert) return { kind: 'insert-data', head: insert[1], format: insert[2], data: body };
    return { kind: 'text', sql: `${urlQuery}\n${body.toString('utf8')}` };
  }
  const sql = urlQuery ?? body.toString('utf8');
  if (sql.trim() === '') throw new ClickHouseHttpError(62, 'SYNTAX_ERROR', 'Empty query');
  return { kind: 'text', sql };
}

/** `INSERT INTO t (a, b) FROM INFILE '<path>' FORMAT RowBinary`: the engine reads the body's bytes from the file. */
export function insertFromFile(head: string, format: string, path: string): string {
  return `${head} FROM INFILE ${quoteLiteral(path)} FORMAT ${format}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** The format the answer is in: the statement's own FORMAT clause, else `default_format`. */
export function outputFormatOf(sql: string, defaultFormat: string): string {
  const match = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(sql);
  return match ? match[1] : defaultFormat;
}

export function contentTypeOf(format: string): string {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TSV|TabSeparated)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (/^RowBinary|^Native|^Parquet|^Arrow/i.test(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

/** ClickHouse's exceptionCodeToHTTPStatus (HTTPHandler.cpp), for the codes that are not 500. */
const STATUS_BY_CODE = new Map<number, number>([
  [194, 401], // REQUIRED_PASSWORD
  [192, 403], // UNKNOWN_USER
  [193, 403], // WRONG_PASSWORD
  [516, 403], // AUTHENTICATION_FAILED
  [36, 400], // BAD_ARGUMENTS
  [6, 400], // CANNOT_PARSE_TEXT
  [25, 400], // CANNOT_PARSE_ESCAPE_SEQUENCE
  [26, 400], // CANNOT_PARSE_QUOTED_STRING
  [27, 400], // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  [38, 400], // CANNOT_PARSE_DATE
  [41, 400], // CANNOT_PARSE_DATETIME
  [72, 400], // CANNOT_PARSE_NUMBER
  [53, 400], // TYPE_MISMATCH
  [62, 400], // SYNTAX_ERROR
  [117, 400], // INCORRECT_DATA
  [60, 404], // UNKNOWN_TABLE
  [46, 404], // UNKNOWN_FUNCTION
  [47, 404], // UNKNOWN_IDENTIFIER
  [50, 404], // UNKNOWN_TYPE
  [56, 404], // UNKNOWN_STORAGE
  [81, 404], // UNKNOWN_DATABASE
  [115, 404], // UNKNOWN_SETTING
  [63, 404], // UNKNOWN_AGGREGATE_FUNCTION
  [73, 404], // UNKNOWN_FORMAT
  [48, 501], // NOT_IMPLEMENTED
  [159, 408], // TIMEOUT_EXCEEDED
]);

export function httpStatusOf(code: number): number {
  return STATUS_BY_CODE.get(code) ?? 500;
}

export interface ErrorAnswer {
  status: number;
  code: number;
  body: string;
}

/**
 * The answer a server of `version` gives for an engine error: `Code: N. DB::Exception: … (NAME)
 * (version V)`. chDB repeats the "Code: N. DB::Exception:" prefix for errors raised while
 * reading input, and names the file it read the body from; both are put back as a server says them.
 */
export function errorAnswer(error: unknown, version: string, bodyFile?: string): ErrorAnswer {
  if (error instanceof ClickHouseHttpError) {
    return answer(error.code, `Code: ${error.code}. DB::Exception: ${error.message}. (${error.codeName})`, version);
  }
  const message = error instanceof Error ? error.message : String(error);
  const engineCode = (error as { clickhouseCode?: unknown } | undefined)?.clickhouseCode;
  const match = /^Code: (\d+)\. /.exec(message);
  const code = typeof engineCode === 'number' ? engineCode : match ? Number(match[1]) : 1001;
  if (!match) return answer(code, `Code: ${code}. DB::Exception: ${message}. (STD_EXCEPTION)`, version);
  let text = message.replace(new RegExp(`^(Code: ${code}\\. DB::Exception: )\\1`), '$1');
  if (bodyFile) text = text.split(bodyFile).join('HTTP request body');
  // "… (NAME) (version V). (NAME)": the inner error already ends with its name.
  text = text.replace(/ \(version [0-9.]+\)\. \([A-Z0-9_]+\)$/, '');
  return answer(code, text, version);
}

function answer(code: number, text: string, version: string): ErrorAnswer {
  return { status: httpStatusOf(code), code, body: `${text} (version ${version})\n` };
}

export interface Credentials {
  user: string;
  password: string;
}

/**
 * Who the request claims to be, in the server's order of precedence: Basic auth, then the
 * X-ClickHouse-User/Key headers, then the `user`/`password` URL parameters; `default` with
 * an empty password when none is given.
 */
export function credentialsOf(headers: Record<string, string | string[] | undefined>, params: URLSearchParams): Credentials {
  const authorization = headerValue(headers.authorization);
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const headerUser = headerValue(headers['x-clickhouse-user']);
  if (headerUser !== undefined) return { user: headerUser, password: headerValue(headers['x-clickhouse-key']) ?? '' };
  return { user: params.get('user') ?? 'default', password: params.get('password') ?? '' };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The modern server's refusal of a wrong user or password (it no longer says which). */
export function authenticationFailed(user: string): ClickHouseHttpError {
  return new ClickHouseHttpError(516, 'AUTHENTICATION_FAILED', `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
}
