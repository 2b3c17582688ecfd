import { StorageUnavailableError } from '@vigil/common';
import { classifyClickHouseError, explainClickHouseFailure } from './clickhouse';

const settings = { url: 'https://127.0.0.1:8443', user: 'vigil_service', password: 's3cret', database: 'vigil' };
/** Errors as @clickhouse/client 1.23 and Node 20 report them (seen against the local stack's https port). */
const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('explainClickHouseFailure', () => {
  it.each([
    [
      'wrong password on 18.16',
      withCode('Code: 193, e.displayText() = DB::Exception: Wrong password for user vigil_service'),
      'authentication failed (Code 193): the server refused the user or password',
    ],
    [
      'refused login on modern servers',
      withCode('Code: 516. DB::Exception: vigil_service: Authentication failed. (AUTHENTICATION_FAILED)'),
      'authentication failed (Code 516): the server refused the user or password',
    ],
    [
      'unknown CA',
      withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      "the server's TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    ],
    ['https to the http port', withCode('write EPROTO ...:ssl3_get_record:wrong version number', 'EPROTO'), 'TLS handshake failed: the port does not speak TLS'],
  ])('%s', (_case, error, failure) => {
    const fields = explainClickHouseFailure(error, settings).toLogFields();
    expect(fields).toEqual({ server: 'clickhouse', address: settings.url, mechanism: 'https as vigil_service', failure, hint: expect.any(String) });
    expect(JSON.stringify(fields)).not.toContain('s3cret');
  });

  it('http to the https port: the server resets the connection', () => {
    const explained = explainClickHouseFailure(withCode('read ECONNRESET', 'ECONNRESET'), { ...settings, url: 'http://127.0.0.1:8443' });
    expect(explained.failure).toBe('the connection was dropped: the port speaks another protocol (https to an http port, or the reverse)');
    expect(explained.mechanism).toBe('http as vigil_service');
  });
});

describe('classifyClickHouseError', () => {
  it.each([
    ['18.16', withCode('Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries. Maximum: 100, e.what() = DB::Exception')],
    ['modern servers', withCode('Too many simultaneous queries. Maximum: 100. ', '202')],
  ])('a server at max_concurrent_queries (%s) is retriable', (_case, error) => {
    expect(classifyClickHouseError(error, 'insert into t')).toBeInstanceOf(StorageUnavailableError);
  });

  it('rethrows an SQL error as it is', () => {
    const error = withCode("Code: 60, e.displayText() = DB::Exception: Table vigil.t doesn't exist");
    expect(classifyClickHouseError(error, 'insert into t')).toBe(error);
  });
});
