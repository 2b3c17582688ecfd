/**
 * The adapter under the official client, as the services use it: started on a free port over
 * a fresh chDB data directory.
 */
import { ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ChdbHttpServer, startChdbHttpServer } from './server';

const PASSWORD = 'a&b#c<d\'"$';
let dataDir: string;
let server: ChdbHttpServer;
let client: ClickHouseClient;

function clientFor(password: string, database = 'adapter_test'): ClickHouseClient {
  return createClient({ url: server.url, username: 'vigil', password, database, log: { level: ClickHouseLogLevel.OFF } });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chdb-http-spec-'));
  server = await startChdbHttpServer({ dataDir, user: 'vigil', password: PASSWORD, host: '127.0.0.1', port: 0 });
  const admin = clientFor(PASSWORD, 'default');
  await admin.command({ query: 'CREATE DATABASE IF NOT EXISTS adapter_test' });
  await admin.close();
  client = clientFor(PASSWORD);
  await client.command({
    query: 'CREATE TABLE t (id UInt64, x Float64, s String, n Nullable(Int32)) ENGINE = MergeTree ORDER BY id',
  });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('chDB HTTP adapter', () => {
  it('answers /ping and reports the engine it runs', async () => {
    expect(await client.ping()).toEqual({ success: true });
    // The engine bundled by chdb 3.4.0 (node_modules/chdb: libchdb 26.7).
    expect(server.version).toMatch(/^26\.7\./);
    const rows = await client.query({ query: 'SELECT version() AS v, currentDatabase() AS db', format: 'JSONEachRow' });
    expect(await rows.json()).toEqual([{ v: server.version, db: 'adapter_test' }]);
  });

  it('inserts JSONEachRow and RowBinary bodies and stores doubles bit-exactly', async () => {
    await client.insert({ table: 't', values: [{ id: 1, x: 0.1, s: 'json', n: null }], format: 'JSONEachRow' });
    // RowBinary: UInt64 LE, Float64 LE, String as LEB128 length + bytes, Nullable as a 0/1 flag + value.
    const x = 5e-324; // the smallest subnormal, which 18.16's JSON parser turns into 0
    const row = Buffer.alloc(8 + 8 + 1 + 3 + 1 + 4);
    row.writeBigUInt64LE(2n, 0);
    row.writeDoubleLE(x, 8);
    row.writeUInt8(3, 16);
    row.write('bin', 17, 'latin1');
    row.writeUInt8(0, 20);
    row.writeInt32LE(-7, 21);
    await client.exec({ query: 'INSERT INTO t (id, x, s, n) FORMAT RowBinary', values: Readable.from([row]) });
    const rows = await client.query({
      query: 'SELECT id, reinterpretAsUInt64(x) AS bits, s, n FROM t ORDER BY id',
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    // Bits of 0.1: 0x3FB999999999999A = 4591870180066957722; of 5e-324: 0x0000000000000001 = 1.
    expect(await rows.json()).toEqual([
      { id: '1', bits: '4591870180066957722', s: 'json', n: null },
      { id: '2', bits: '1', s: 'bin', n: -7 },
    ]);
  });

  it('applies settings from the URL for one request only, and refuses unknown ones as the server does', async () => {
    const quoted = await client.query({
      query: 'SELECT toUInt64(3) AS n',
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(await quoted.json()).toEqual([{ n: '3' }]);
    // 26.x's default (since 25.8) is 0: numbers again once the setting is gone.
    const plain = await client.query({ query: 'SELECT toUInt64(3) AS n', format: 'JSONEachRow' });
    expect(await plain.json()).toEqual([{ n: 3 }]);

    const refused = client.command({
      query: 'SELECT 1',
      clickhouse_settings: { allow_experimental_low_cardinality_type: 1 } as Record<string, number>,
    });
    await expect(refused).rejects.toMatchObject({
      code: '115',
      type: 'UNKNOWN_SETTING',
      message: expect.stringContaining("Unknown setting 'allow_experimental_low_cardinality_type'"),
    });
  });

  it('returns engine errors with the code, name and HTTP status of a ClickHouse server', async () => {
    const response = await fetch(`${server.url}/?database=adapter_test`, {
      method: 'POST',
      body: 'SELECT * FROM missing_table',
      headers: { 'X-ClickHouse-User': 'vigil', 'X-ClickHouse-Key': PASSWORD },
    });
    // UNKNOWN_TABLE (60) is a 404 in HTTPHandler.cpp's exceptionCodeToHTTPStatus.
    expect(response.status).toBe(404);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await response.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\) \(version 26\.7\.[0-9.]+\)\n$/s);

    const badRow = client.exec({ query: 'INSERT INTO t FORMAT RowBinary', values: Readable.from([Buffer.from([1, 2, 3])]) });
    await expect(badRow).rejects.toMatchObject({ code: '33', type: 'CANNOT_READ_ALL_DATA' });
    await expect(badRow).rejects.toThrow(/HTTP request body/);
  });

  it('accepts the configured password and refuses a wrong one with AUTHENTICATION_FAILED', async () => {
    const wrong = clientFor('not-it');
    try {
      await expect(wrong.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toMatchObject({
        code: '516',
        type: 'AUTHENTICATION_FAILED',
      });
    } finally {
      await wrong.close();
    }
    const response = await fetch(`${server.url}/?query=SELECT+1&user=vigil&password=nope`);
    // AUTHENTICATION_FAILED is a 403 in exceptionCodeToHTTPStatus.
    expect(response.status).toBe(403);
  });

  it('runs queries sent as GET with the query in the URL', async () => {
    const auth = Buffer.from(`vigil:${PASSWORD}`).toString('base64');
    const response = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT count() FROM adapter_test.t')}`, {
      headers: { Authorization: `Basic ${auth}` },
    });
    expect(response.status).toBe(200);
    // Two rows inserted above; TabSeparated is the HTTP default format.
    expect(await response.text()).toBe('2\n');
  });
});
