import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryCompatibilityError } from '@kafkajs/confluent-schema-registry/dist/errors';
import { DecodeError, UnknownSchemaError } from '@vigil/common';
import { Resolver, Type, types } from 'avsc';
import { Agent } from 'node:https';
import { avroBodyProblem, checksUtf8, hasReplacementCharacter } from './avro-reading';

export interface SchemaRegistrySettings {
  url: string;
  user?: string;
  password?: string;
  /** PEM CA bundle that signed an https registry's certificate (SCHEMA_REGISTRY_CA_FILE). */
  ca?: Buffer;
}

/** Confluent wire format: magic byte 0, then the schema id as a big-endian int32. */
const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function createSchemaRegistry(settings: SchemaRegistrySettings): SchemaRegistry {
  const auth = settings.user ? { username: settings.user, password: settings.password ?? '' } : undefined;
  // The client's http module picks https from the URL; this agent only adds the CA.
  const agent = settings.ca ? new Agent({ ca: settings.ca, keepAlive: true }) : undefined;
  return new SchemaRegistry({ host: settings.url, auth, ...(agent && { agent }) }, { [SchemaType.AVRO]: { logicalTypes: LOGICAL_TYPES } });
}

/** The schema id a Confluent-framed record names, or a DecodeError for anything else. */
export function readSchemaId(buffer: Buffer): number {
  if (buffer.length < HEADER_LENGTH || buffer.readUInt8(0) !== MAGIC_BYTE) {
    throw new DecodeError('not a Confluent-framed Avro record (missing magic byte 0 and schema id)');
  }
  return buffer.readInt32BE(1);
}

/**
 * Registers a schema under a subject with the given compatibility and returns its id.
 * An incompatible change surfaces as the registry's own message.
 *
 * The client sets a new subject's compatibility just after registering it, so a second
 * service registering the same new subject in between sees the registry default (NONE)
 * and refuses, or both set it and the second gets a conflict (409). That window is
 * milliseconds: retry a few times before failing.
 */
export async function registerAvroSchema(
  registry: SchemaRegistry,
  subject: string,
  schema: object,
  compatibility: 'BACKWARD' | 'FORWARD' | 'FULL' | 'NONE' = 'BACKWARD',
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: compatibility as never });
      return id;
    } catch (error) {
      const raced = error instanceof ConfluentSchemaRegistryCompatibilityError || (error as { status?: number }).status === 409;
      if (!raced || attempt >= COMPATIBILITY_RACE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

const COMPATIBILITY_RACE_ATTEMPTS = 5;

/**
 * Decodes Confluent-framed Avro, mapping every failure to a typed error: unknown
 * schema ids and corrupt bodies must dead-letter the record, not crash the consumer.
 * Registry outages are rethrown unchanged (retriable).
 */
export class AvroDecoder {
  private readonly writerTypes = new Map<number, Type>();
  private readonly resolvers = new Map<Type, Map<number, Resolver>>();

  constructor(private readonly registry: SchemaRegistry) {}

  /** Decodes with the record's own writer schema. */
  async decode<T>(buffer: Buffer): Promise<{ schemaId: number; value: T }> {
    const schemaId = readSchemaId(buffer);
    const type = await this.writerType(schemaId);
    return { schemaId, value: decodeBody(type, type, undefined, buffer, schemaId) as T };
  }

  /**
   * Decodes into `reader` (a contract type) through Avro schema resolution. The caller
   * has checked the writer schema resolves (schemaIncompatibilities); a resolver is
   * built once per schema id.
   */
  async decodeAs<T>(buffer: Buffer, reader: Type): Promise<{ schemaId: number; value: T }> {
    const schemaId = readSchemaId(buffer);
    const writer = await this.writerType(schemaId);
    let perId = this.resolvers.get(reader);
    if (!perId) this.resolvers.set(reader, (perId = new Map()));
    let resolver = perId.get(schemaId);
    if (!resolver) perId.set(schemaId, (resolver = reader.createResolver(writer)));
    return { schemaId, value: decodeBody(writer, reader, resolver, buffer, schemaId) as T };
  }

  /** The writer schema of a registered id; UnknownSchemaError when the registry has none. */
  async writerType(schemaId: number): Promise<Type> {
    const cached = this.writerTypes.get(schemaId);
    if (cached) return cached;
    try {
      const type = (await this.registry.getSchema(schemaId)) as Type;
      this.writerTypes.set(schemaId, type);
      return type;
    } catch (error) {
      if ((error as { status?: number }).status === 404) throw new UnknownSchemaError(schemaId);
      throw error;
    }
  }
}

/**
 * Decodes the body; when that fails (a contract reader throws on a non-UTF-8 string), or
 * a string of another reader came out with U+FFFD, the body is walked
 * along its writer schema so a truncated body or a non-UTF-8 string is named as such, not
 * reported as something else or decoded into replacement characters.
 */
function decodeBody(writer: Type, reader: Type, resolver: Resolver | undefined, buffer: Buffer, schemaId: number): unknown {
  const refuse = (problem: string): DecodeError => new DecodeError(`Avro body does not match schema id ${schemaId}: ${problem}`);
  let decoded: { value: unknown; offset: number };
  try {
    decoded = reader.decode(buffer, HEADER_LENGTH, resolver);
  } catch (error) {
    throw refuse(avroBodyProblem(writer, buffer, HEADER_LENGTH) ?? (error as Error).message);
  }
  const { value, offset } = decoded;
  if (value === undefined || offset < 0) throw refuse(avroBodyProblem(writer, buffer, HEADER_LENGTH) ?? 'truncated record');
  if (offset !== buffer.length) throw refuse(`${buffer.length - offset} trailing bytes after the record`);
  if (!checksUtf8(reader) && hasReplacementCharacter(value)) {
    const problem = avroBodyProblem(writer, buffer, HEADER_LENGTH);
    if (problem !== undefined) throw refuse(problem);
  }
  return value;
}

/** timestamp-millis as a JS Date on both sides, so events carry real Dates. */
class DateType extends types.LogicalType {
  protected override _fromValue(value: number): Date {
    return new Date(value);
  }
  protected override _toValue(value: Date | number): number | undefined {
    if (value instanceof Date) return value.getTime();
    return typeof value === 'number' ? value : undefined;
  }
  protected override _resolve(type: Type): ((v: number) => number) | undefined {
    if (Type.isType(type, 'long', 'logical:timestamp-millis')) return (v) => v;
    return undefined;
  }
}

export const LOGICAL_TYPES = { 'timestamp-millis': DateType };
