/** Socket and TLS failures explained the same way for Kafka, the registry and ClickHouse. */

/** TLS verification codes of Node's tls module that mean "this certificate is not trusted here". */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** Node's messages for those codes. */
const UNTRUSTED_MESSAGES =
  /unable to verify the first certificate|self[- ]signed certificate in certificate chain|self[- ]signed certificate|unable to get local issuer certificate/i;

export interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and everything it wraps (kafkajs keeps the first cause in `originalError`, Node in `cause`). */
export function errorChain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && out.length < 8) {
    const e = current as ErrorLike;
    out.push(e);
    current = e.originalError ?? e.cause;
  }
  return out;
}

/** What a failed TLS, socket or SASL step says, in words an operator can act on; undefined for anything else. */
export function explainTransportFailure(error: unknown, tlsExpected: boolean, caVariable: string): { failure: string; hint: string } | undefined {
  const errors = errorChain(error);
  const codes = errors.map((e) => e.code ?? '');
  const text = errors.map((e) => `${e.name ?? ''} ${e.message ?? ''}`).join(' | ');
  // Some clients keep only Node's message (the registry client's HTTP layer does): match its text too.
  const untrusted = codes.find((c) => UNTRUSTED_CERTIFICATE.has(c)) ?? UNTRUSTED_MESSAGES.exec(text)?.[0];
  if (untrusted) {
    return { failure: `the server's TLS certificate is not trusted (${untrusted})`, hint: `set ${caVariable} to the CA that signed the server's certificate` };
  }
  if (codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return { failure: "the server's TLS certificate does not name this host", hint: 'connect with a host name the certificate lists' };
  }
  if (codes.includes('ECONNREFUSED')) return { failure: 'connection refused: nothing listens there', hint: 'check the address and port' };
  if (codes.includes('ENOTFOUND')) return { failure: 'host name not found', hint: 'check the host name' };
  if (tlsExpected && /wrong version number|packet length too long|unknown protocol|disconnected before secure TLS|EPROTO/i.test(`${text} ${codes.join(' ')}`)) {
    return { failure: 'TLS handshake failed: the port does not speak TLS', hint: 'use the TLS port or a non-TLS protocol for this one' };
  }
  return undefined;
}
