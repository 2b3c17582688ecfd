import { ConnectionFailureError, errorChain, explainTransportFailure } from '@vigil/common';
import type { KafkaSettings } from './kafka';

/**
 * Turns what kafkajs throws when it cannot connect into one explanation. The broker
 * closing the connection without a word (`KafkaJSConnectionClosedError`) is what a
 * listener does when the client speaks the wrong protocol to it: plaintext to a TLS or
 * SASL port.
 */
export function explainKafkaFailure(error: unknown, settings: KafkaSettings): ConnectionFailureError {
  const security = settings.security ?? { protocol: 'PLAINTEXT' as const };
  const mechanism = security.sasl ? `${security.protocol} ${security.sasl.mechanism} as ${security.sasl.username}` : security.protocol;
  const address = settings.brokers.join(',');
  const fail = (failure: string, hint: string) => new ConnectionFailureError('kafka', address, mechanism, failure, hint);
  const errors = errorChain(error);
  const names = errors.map((e) => e.name ?? '');
  const text = errors.map((e) => e.message ?? '').join(' | ');
  if (names.includes('KafkaJSSASLAuthenticationError') || /SASL .* authentication failed|Authentication failed/i.test(text)) {
    return fail('authentication failed: the broker refused the SASL credentials', 'check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM');
  }
  if (/unsupported SASL mechanism|UNSUPPORTED_SASL_MECHANISM/i.test(`${text} ${errors.map((e) => e.type ?? '').join(' ')}`)) {
    return fail('the listener does not offer this SASL mechanism', 'set KAFKA_SASL_MECHANISM to one the broker enables');
  }
  const transport = explainTransportFailure(error, Boolean(security.tls), 'KAFKA_SSL_CA_FILE');
  if (transport) return fail(transport.failure, transport.hint);
  if (names.includes('KafkaJSConnectionClosedError') || /Closed connection/i.test(text)) {
    return fail(
      'the broker closed the connection during the handshake: the listener expects another security protocol',
      security.protocol === 'SASL_SSL' ? 'check that the port is the SASL_SSL listener' : 'set KAFKA_SECURITY_PROTOCOL (and SASL settings) to what the listener requires',
    );
  }
  if (/Connection timeout|Request .* timed out|ETIMEDOUT/i.test(text)) {
    return fail('no answer within the connection timeout (a TLS listener waiting for a plaintext client, or a firewall)', 'check KAFKA_SECURITY_PROTOCOL and the address');
  }
  return fail(errors.at(-1)?.message ?? String(error), 'see the broker log');
}

/** Registry failures: the client reports HTTP statuses, and socket or TLS errors as a status 400 carrying only Node's message. */
export function explainRegistryFailure(error: unknown, url: string, user: string | undefined): ConnectionFailureError {
  const mechanism = `${url.startsWith('https://') ? 'https' : 'http'}${user ? ` basic auth as ${user}` : ''}`;
  const fail = (failure: string, hint: string) => new ConnectionFailureError('schema-registry', url, mechanism, failure, hint);
  const status = (error as { status?: number }).status;
  if (status === 401 || status === 403) {
    return fail(`the registry refused the credentials (HTTP ${status})`, 'check SCHEMA_REGISTRY_USER and SCHEMA_REGISTRY_PASSWORD');
  }
  const transport = explainTransportFailure(error, url.startsWith('https://'), 'SCHEMA_REGISTRY_CA_FILE');
  if (transport) return fail(transport.failure, transport.hint);
  const message = error instanceof Error ? error.message : String(error);
  if (/socket hang up|ECONNRESET|Parse Error|HPE_/i.test(message)) {
    return fail('the connection was dropped: the port speaks another protocol (https to an http port, or the reverse)', 'check the scheme and port of SCHEMA_REGISTRY_URL');
  }
  return fail(message, 'check SCHEMA_REGISTRY_URL');
}
