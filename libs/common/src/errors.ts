/**
 * The error classes the event loops branch on: one `instanceof` decides whether a
 * record goes to the dead-letter topic or the whole batch waits and retries.
 */

/** Why a record was rejected; stored with every dead letter. */
export type RejectionReason = 'undecodable' | 'unknown-schema' | 'invalid-record' | 'unsupported-event-type' | 'incompatible-schema' | 'refused-by-storage';

/** A record that can never be processed: route it to the dead letter, keep going. */
export abstract class RejectedRecordError extends Error {
  abstract readonly reason: RejectionReason;
  readonly retriable = false;
}

/** Bytes that are not a Confluent-framed Avro record of a schema we can read. */
export class DecodeError extends RejectedRecordError {
  readonly reason = 'undecodable' as const;
}

/** The record names a schema id the registry does not know. */
export class UnknownSchemaError extends RejectedRecordError {
  readonly reason = 'unknown-schema' as const;
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is not known to the schema registry`);
  }
}

/** Decoded fine, but a field breaks the contract (missing, wrong type, absurd value). */
export class ValidationError extends RejectedRecordError {
  readonly reason = 'invalid-record' as const;
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A well-formed record of a schema this consumer does not handle on this topic. */
export class UnsupportedEventTypeError extends RejectedRecordError {
  readonly reason = 'unsupported-event-type' as const;
}

/**
 * The writer schema claims to be (or could be) the topic's contract, but its fields
 * cannot be read as it (Avro schema resolution): the message names each field with the
 * expected and the found type.
 */
export class IncompatibleSchemaError extends RejectedRecordError {
  readonly reason = 'incompatible-schema' as const;
}

/** ClickHouse (or another store) cannot take writes right now: pause, back off, retry. */
export class StorageUnavailableError extends Error {
  readonly retriable = true;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Which server a connection failure concerns. */
export type ConnectionServer = 'kafka' | 'schema-registry' | 'clickhouse';

/**
 * A service cannot reach or authenticate to one of its servers at start-up. Carries
 * what an operator needs in one log line: the server, its address, the mechanism tried
 * (security protocol, SASL mechanism, user name: never a password) and what failed.
 */
export class ConnectionFailureError extends Error {
  constructor(
    readonly server: ConnectionServer,
    readonly address: string,
    readonly mechanism: string,
    readonly failure: string,
    readonly hint: string,
  ) {
    super(`${server} at ${address} (${mechanism}): ${failure}`);
  }

  /** The fields of the one log line the service writes before it exits. */
  toLogFields(): Record<string, string> {
    return { server: this.server, address: this.address, mechanism: this.mechanism, failure: this.failure, hint: this.hint };
  }
}
