import { ClickHouseHttpError, credentialsOf, errorAnswer, httpStatusOf, insertFromFile, outputFormatOf, parseParams, statementOf } from './protocol';

describe('chdb-http protocol', () => {
  it('keeps an INSERT body as bytes and reads it from a file, whatever its format', () => {
    const data = Buffer.from([0, 255, 10, 13]);
    const statement = statementOf('INSERT INTO t (a, b) FORMAT RowBinary', data);
    expect(statement).toEqual({ kind: 'insert-data', head: 'INSERT INTO t (a, b)', format: 'RowBinary', data });
    expect(insertFromFile('INSERT INTO t (a, b)', 'RowBinary', "/tmp/it's")).toBe("INSERT INTO t (a, b) FROM INFILE '/tmp/it\\'s' FORMAT RowBinary");
  });

  it('concatenates the query parameter and a body that is not INSERT data, as the server does', () => {
    expect(statementOf('SELECT', Buffer.from('1'))).toEqual({ kind: 'text', sql: 'SELECT\n1' });
    expect(statementOf(undefined, Buffer.from('SELECT 2'))).toEqual({ kind: 'text', sql: 'SELECT 2' });
    expect(() => statementOf(undefined, Buffer.alloc(0))).toThrow(/Empty query/);
  });

  it("treats every parameter but the interface's own as a setting, and refuses what it does not implement", () => {
    const request = parseParams(new URLSearchParams('query=SELECT+1&database=vigil&query_id=q1&max_threads=2&date_time_input_format=best_effort'));
    expect(request).toMatchObject({ urlQuery: 'SELECT 1', database: 'vigil', queryId: 'q1', defaultFormat: 'TabSeparated' });
    expect(request.settings).toEqual([
      ['max_threads', '2'],
      ['date_time_input_format', 'best_effort'],
    ]);
    expect(() => parseParams(new URLSearchParams('param_x=1'))).toThrow(ClickHouseHttpError);
    expect(() => parseParams(new URLSearchParams('compress=1'))).toThrow(/not implemented/);
  });

  it('names the output format from the FORMAT clause, else default_format', () => {
    expect(outputFormatOf('SELECT 1 FORMAT JSONEachRow', 'TabSeparated')).toBe('JSONEachRow');
    expect(outputFormatOf('SELECT 1', 'CSV')).toBe('CSV');
  });

  it('maps codes to the statuses of HTTPHandler.cpp', () => {
    expect(httpStatusOf(516)).toBe(403); // AUTHENTICATION_FAILED
    expect(httpStatusOf(115)).toBe(404); // UNKNOWN_SETTING
    expect(httpStatusOf(62)).toBe(400); // SYNTAX_ERROR
    expect(httpStatusOf(252)).toBe(500); // TOO_MANY_PARTS: not in the table
  });

  it("answers an input error once, naming the request body rather than the adapter's file", () => {
    // The message chDB 26.7 gives for a truncated RowBinary body read through FROM INFILE.
    const engineError = Object.assign(
      new Error(
        'Code: 33. DB::Exception: Code: 33. DB::Exception: Cannot read all data. Bytes read: 3. Bytes expected: 8: (at row 1)\n' +
          ': (in file/uri /data/x.RowBinary): While executing BinaryRowInputFormat. (CANNOT_READ_ALL_DATA) (version 26.7.2.1). (CANNOT_READ_ALL_DATA)',
      ),
      { clickhouseCode: 33 },
    );
    const answer = errorAnswer(engineError, '26.7.2.1', '/data/x.RowBinary');
    expect(answer.status).toBe(500);
    expect(answer.code).toBe(33);
    expect(answer.body).toBe(
      'Code: 33. DB::Exception: Cannot read all data. Bytes read: 3. Bytes expected: 8: (at row 1)\n' +
        ': (in file/uri HTTP request body): While executing BinaryRowInputFormat. (CANNOT_READ_ALL_DATA) (version 26.7.2.1)\n',
    );
  });

  it('reads credentials from Basic auth, then X-ClickHouse headers, then URL parameters', () => {
    const basic = `Basic ${Buffer.from('u:p:w').toString('base64')}`;
    expect(credentialsOf({ authorization: basic }, new URLSearchParams())).toEqual({ user: 'u', password: 'p:w' });
    expect(credentialsOf({ 'x-clickhouse-user': 'h', 'x-clickhouse-key': 'k' }, new URLSearchParams())).toEqual({ user: 'h', password: 'k' });
    expect(credentialsOf({}, new URLSearchParams('user=q&password=s'))).toEqual({ user: 'q', password: 's' });
    expect(credentialsOf({}, new URLSearchParams())).toEqual({ user: 'default', password: '' });
  });
});
