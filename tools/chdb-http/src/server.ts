import { Mutex } from 'async-mutex';
import { Session } from 'chdb';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  Credentials,
  HttpQueryRequest,
  Statement,
  authenticationFailed,
  contentTypeOf,
  credentialsOf,
  errorAnswer,
  insertFromFile,
  outputFormatOf,
  parseParams,
  quoteIdentifier,
  quoteLiteral,
  statementOf,
} from './protocol';

const gunzipAsync = promisify(gunzip);

export interface ChdbHttpOptions {
  /** Where the engine keeps its databases (a persistent chDB Session). */
  dataDir: string;
  /** The one user the adapter accepts, like a server's users.xml with one user. */
  user: string;
  password: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface ChdbHttpServer {
  url: string;
  port: number;
  /** The engine's version, e.g. 26.7.2.1. */
  version: string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server speaking the part of ClickHouse's HTTP interface that
 * @clickhouse/client uses, over the chDB engine. Test infrastructure, see README.md beside it.
 *
 * One engine session serves every request, so requests run one at a time: each sets its
 * database and settings, runs, and puts the settings back before the next starts. The engine
 * runs queries off the event loop (`queryAsync`), so the server keeps accepting connections
 * while a long query runs, but later requests wait for it.
 */
export async function startChdbHttpServer(options: ChdbHttpOptions): Promise<ChdbHttpServer> {
  const session = new Session(options.dataDir, { connectionArgs: ['--session_timezone=UTC'] });
  const inboxDir = join(options.dataDir, '.http-insert-bodies');
  mkdirSync(inboxDir, { recursive: true });
  const version = (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  const engine = new Mutex();
  const expected = credentialDigest(options);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, errorAnswer(error, version)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://adapter');
    const body = await readBody(req);
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' }).end(`There is no handle ${url.pathname}\n`);
      return;
    }
    const credentials = credentialsOf(req.headers, url.searchParams);
    if (!timingSafeEqual(credentialDigest(credentials), expected)) throw authenticationFailed(credentials.user);
    const request = parseParams(url.searchParams);
    const statement = statementOf(request.urlQuery, body);
    const queryId = request.queryId ?? randomUUID();
    const bodyFile = statement.kind === 'insert-data' ? join(inboxDir, `${randomUUID()}.${statement.format}`) : undefined;
    try {
      const result = await engine.runExclusive(() => run(request, statement, bodyFile));
      res.writeHead(200, {
        'Content-Type': contentTypeOf(result.format),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': result.format,
        'X-ClickHouse-Timezone': 'UTC',
        'X-ClickHouse-Server-Display-Name': 'chdb-http',
        'X-ClickHouse-Summary': JSON.stringify({
          read_rows: String(result.rowsRead),
          read_bytes: String(result.bytesRead),
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        }),
        ...(request.sessionId ? { 'X-ClickHouse-Session-Id': request.sessionId } : {}),
      });
      res.end(result.bytes);
    } catch (error) {
      reply(res, errorAnswer(error, version, bodyFile), queryId);
    } finally {
      if (bodyFile) rmSync(bodyFile, { force: true });
    }
  }

  async function run(request: HttpQueryRequest, statement: Statement, bodyFile: string | undefined) {
    await session.queryAsync(`USE ${quoteIdentifier(request.database)}`);
    const applied: string[] = [];
    try {
      for (const [name, value] of request.settings) {
        await session.queryAsync(`SET ${name} = ${quoteLiteral(value)}`);
        applied.push(name);
      }
      let sql: string;
      let format: string;
      if (statement.kind === 'insert-data' && bodyFile) {
        writeFileSync(bodyFile, statement.data);
        sql = insertFromFile(statement.head, statement.format, bodyFile);
        format = request.defaultFormat;
      } else if (statement.kind === 'text') {
        sql = statement.sql;
        format = outputFormatOf(sql, request.defaultFormat);
      } else {
        throw new Error('an INSERT with data needs a file for its body');
      }
      const result = await session.queryAsync(sql, { format: request.defaultFormat });
      return { format, bytes: Buffer.from(result.bytes()), rowsRead: result.rowsRead, bytesRead: result.bytesRead, elapsed: result.elapsed };
    } finally {
      for (const name of applied) await session.queryAsync(`SET ${name} = DEFAULT`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    version,
    close: async () => {
      await closeServer(server);
      await engine.waitForUnlock();
      session.close();
    },
  };
}

function reply(res: ServerResponse, answer: ReturnType<typeof errorAnswer>, queryId?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .writeHead(answer.status, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(answer.code),
      ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}),
    })
    .end(answer.body);
}

/** Hashing both sides first gives equal-length inputs, so the comparison is constant-time. */
function credentialDigest({ user, password }: Credentials): Buffer {
  return createHash('sha256').update(user).update('\0').update(password).digest();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipAsync(raw) : raw;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
