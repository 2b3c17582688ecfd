import { explainKafkaFailure, explainRegistryFailure } from './connection-failure';
import { KafkaSettings } from './kafka';

/** Errors shaped as kafkajs 2.2.4 and Node 20 throw them (seen against the local stack's SASL_SSL listener). */
function kafkaError(name: string, message: string, originalError?: object): Error {
  return Object.assign(new Error(message), { name, originalError });
}
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

const sasl: KafkaSettings = {
  brokers: ['127.0.0.1:9094'],
  clientId: 'test',
  security: { protocol: 'SASL_SSL', sasl: { mechanism: 'scram-sha-512', username: 'vigil-producer', password: 's3cret' }, tls: { rejectUnauthorized: true } },
};
const plaintext: KafkaSettings = { brokers: ['127.0.0.1:9094'], clientId: 'test' };

describe('explainKafkaFailure', () => {
  it.each([
    [
      'wrong credentials',
      sasl,
      kafkaError(
        'KafkaJSSASLAuthenticationError',
        'SASL SCRAM SHA512 authentication failed, Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      'authentication failed: the broker refused the SASL credentials',
    ],
    [
      'unknown CA',
      sasl,
      kafkaError(
        'KafkaJSNonRetriableError',
        'unable to verify the first certificate',
        kafkaError(
          'KafkaJSConnectionError',
          'Connection error: unable to verify the first certificate',
          nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
        ),
      ),
      "the server's TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    ],
    [
      'plaintext to a SASL_SSL port',
      plaintext,
      kafkaError('KafkaJSNumberOfRetriesExceeded', 'Closed connection', kafkaError('KafkaJSConnectionClosedError', 'Closed connection')),
      'the broker closed the connection during the handshake: the listener expects another security protocol',
    ],
    [
      'TLS to a plaintext port',
      sasl,
      kafkaError(
        'KafkaJSNumberOfRetriesExceeded',
        'Client network socket disconnected before secure TLS connection was established',
        nodeError('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'),
      ),
      'TLS handshake failed: the port does not speak TLS',
    ],
    [
      'nothing listening',
      plaintext,
      kafkaError('KafkaJSNumberOfRetriesExceeded', 'connect ECONNREFUSED 127.0.0.1:9094', nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9094')),
      'connection refused: nothing listens there',
    ],
  ])('%s', (_case, settings, error, failure) => {
    const explained = explainKafkaFailure(error, settings);
    expect(explained.toLogFields()).toMatchObject({ server: 'kafka', address: '127.0.0.1:9094', failure });
    expect(JSON.stringify(explained.toLogFields())).not.toContain('s3cret');
  });

  it('names the protocol, mechanism and user it tried', () => {
    expect(explainKafkaFailure(new Error('x'), sasl).mechanism).toBe('SASL_SSL scram-sha-512 as vigil-producer');
    expect(explainKafkaFailure(new Error('x'), plaintext).mechanism).toBe('PLAINTEXT');
  });
});

describe('explainRegistryFailure', () => {
  const url = 'https://127.0.0.1:8444/apis/ccompat/v7';
  it.each([
    ['refused credentials', Object.assign(new Error('Unauthorized'), { status: 401 }), 'the registry refused the credentials (HTTP 401)'],
    // The registry client's HTTP layer keeps only Node's message, as a status 400.
    [
      'unknown CA',
      Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: unable to verify the first certificate'), { status: 400 }),
      "the server's TLS certificate is not trusted (unable to verify the first certificate)",
    ],
    [
      'https to an http port',
      Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: write EPROTO ... wrong version number'), { status: 400 }),
      'TLS handshake failed: the port does not speak TLS',
    ],
  ])('%s', (_case, error, failure) => {
    expect(explainRegistryFailure(error, url, 'reader').toLogFields()).toMatchObject({ server: 'schema-registry', address: url, mechanism: 'https basic auth as reader', failure });
  });

  it('http to an https port: the server drops the connection', () => {
    const error = Object.assign(new Error('Confluent_Schema_Registry - Error, status 400: socket hang up'), { status: 400 });
    expect(explainRegistryFailure(error, 'http://127.0.0.1:8444/apis/ccompat/v7', undefined).failure).toBe(
      'the connection was dropped: the port speaks another protocol (https to an http port, or the reverse)',
    );
  });
});
