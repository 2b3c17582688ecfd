import { isUtf8 } from 'node:buffer';
import { ForSchemaOptions, Schema, Type, types } from 'avsc';

/**
 * Reading records by what their writer schema says, not by the name it claims:
 * - `contractReaderType` builds the type a consumer reads into (maps become
 *   null-prototype objects, so a key such as `__proto__` is kept as data; strings are
 *   checked to be UTF-8 as they are read);
 * - `schemaIncompatibilities` lists, field by field, why a writer schema cannot be read
 *   as a contract (Avro schema resolution), so such records are refused with that reason;
 * - `avroBodyProblem` walks a body along its writer schema and names the field where it
 *   is truncated or carries a string that is not UTF-8 (which avsc would silently turn
 *   into U+FFFD). It costs about as much as decoding, so decoders run it only when
 *   decoding failed or `hasReplacementCharacter` finds a U+FFFD in what was decoded.
 * Pure functions over avsc types: no registry, no I/O.
 */

type Tap = { buf: Buffer; pos: number };

/**
 * avsc reads a map into `{}`, where `val['__proto__'] = x` sets the prototype and drops
 * the entry. This map type reads into a null-prototype object instead; a resolver built
 * from it copies its `_read` (avsc MapType._update), so resolved reads keep it too.
 */
class NullPrototypeMapType extends types.MapType {
  _read(tap: AvscTap): unknown {
    const values = this.valuesType as unknown as { _read(tap: AvscTap): unknown };
    const map = Object.create(null) as Record<string, unknown>;
    for (let n = tap.readLong(); n !== 0; n = tap.readLong()) {
      if (n < 0) {
        n = -n;
        tap.readLong(); // block size in bytes
      }
      for (; n > 0; n--) {
        const key = readCheckedString(tap) as string;
        map[key] = values._read(tap);
      }
    }
    return map;
  }
}

type AvscTap = Tap & { readLong(): number; readString(): string };

/** Thrown by a checked string read; decoders then name the field through avroBodyProblem. */
export class InvalidUtf8Error extends Error {
  constructor() {
    super('invalid UTF-8 in a string');
  }
}

/** A string's bytes, refused when not UTF-8 (avsc would decode them into U+FFFD). */
function readCheckedString(tap: AvscTap): string | undefined {
  const length = tap.readLong();
  const buf = tap.buf;
  const start = tap.pos;
  const end = start + length;
  if (length < 0) {
    tap.pos = buf.length + 1; // avsc's _invalidate: the decode reports a truncated body
    return undefined;
  }
  tap.pos = end;
  if (end > buf.length) return undefined;
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) {
      if (!isUtf8(buf.subarray(start, end))) throw new InvalidUtf8Error();
      break;
    }
  }
  return buf.toString('utf8', start, end);
}

/** avsc's string type, reading through readCheckedString; a resolver copies its `_read` (StringType._update). */
class CheckedStringType extends types.StringType {
  _read(tap: AvscTap): string | undefined {
    return readCheckedString(tap);
  }
}

function readerTypes(schema: Schema, opts: ForSchemaOptions): Type | undefined {
  if (
    schema === 'string' ||
    (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'string' && !('logicalType' in schema))
  ) {
    return new CheckedStringType();
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || (schema as { type?: unknown }).type !== 'map') return undefined;
  return new NullPrototypeMapType(schema as never, opts);
}

const checkedReaders = new WeakSet<Type>();

/**
 * The type a consumer reads a contract into; `logicalTypes` as the registry client uses
 * them. Its maps are null-prototype objects and its strings (map keys included) are
 * checked to be UTF-8 while read (InvalidUtf8Error).
 */
export function contractReaderType(schema: object, logicalTypes: ForSchemaOptions['logicalTypes']): Type {
  const type = Type.forSchema(schema as Schema, { logicalTypes, typeHook: readerTypes });
  checkedReaders.add(type);
  return type;
}

/** True for a type from contractReaderType: what it decodes needs no U+FFFD scan. */
export function checksUtf8(type: Type): boolean {
  return checkedReaders.has(type);
}

const describe = (type: Type): string => JSON.stringify(type.schema());

/**
 * Why records written with `writer` cannot be read as `reader` (empty when they can):
 * one entry per contract field that is missing without a default or whose type does
 * not resolve, e.g. `entityId: expected ["null","string"], found ["null","long"]`.
 */
export function schemaIncompatibilities(reader: Type, writer: Type): string[] {
  if (!(reader instanceof types.RecordType)) throw new TypeError('the contract must be an Avro record');
  if (!(writer instanceof types.RecordType)) return [`expected a record, found ${describe(writer)}`];
  const problems: string[] = [];
  for (const field of reader.fields) {
    const written = [field.name, ...field.aliases].map((name) => writer.field(name)).find((f) => f !== undefined);
    if (written === undefined) {
      if (field.defaultValue() === undefined) problems.push(`${field.name}: missing (the contract gives it no default)`);
      continue;
    }
    try {
      field.type.createResolver(written.type);
    } catch {
      problems.push(`${field.name}: expected ${describe(field.type)}, found ${describe(written.type)}`);
    }
  }
  if (problems.length === 0) {
    try {
      reader.createResolver(writer);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

class Truncated extends Error {}
class NotUtf8 extends Error {}
class Corrupt extends Error {}

/**
 * What is wrong with the Avro body `buffer[start..]` read as `writer`, or undefined when
 * it is a whole record with valid UTF-8 strings and nothing after it. Names the field.
 */
export function avroBodyProblem(writer: Type, buffer: Buffer, start: number): string | undefined {
  const tap = { buf: buffer, pos: start };
  const path: string[] = [];
  try {
    walk(writer, tap, path);
  } catch (error) {
    const where = path.length > 0 ? ` in field ${path.join('.')}` : '';
    if (error instanceof Truncated) return `truncated: the body ends${where} (${buffer.length - start} bytes)`;
    if (error instanceof NotUtf8) return `invalid UTF-8${where}`;
    if (error instanceof Corrupt) return `${error.message}${where}`;
    throw error;
  }
  if (tap.pos !== buffer.length) return `${buffer.length - tap.pos} trailing bytes after the record`;
  return undefined;
}

function varint(tap: Tap): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    if (tap.pos >= tap.buf.length) throw new Truncated();
    const b = tap.buf[tap.pos++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
    if (scale > 2 ** 63) throw new Corrupt('varint longer than 10 bytes');
  }
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}

function skip(tap: Tap, bytes: number): void {
  if (bytes < 0) throw new Corrupt(`negative length ${bytes}`);
  if (tap.pos + bytes > tap.buf.length) throw new Truncated();
  tap.pos += bytes;
}

function string(tap: Tap, utf8: boolean): void {
  const length = varint(tap);
  const start = tap.pos;
  skip(tap, length);
  if (utf8 && !isUtf8(tap.buf.subarray(start, tap.pos))) throw new NotUtf8();
}

/** Blocks of an array or map: count, or negative count then byte size; zero ends. */
function blocks(tap: Tap, item: () => void): void {
  for (let n = varint(tap); n !== 0; n = varint(tap)) {
    if (n < 0) {
      n = -n;
      varint(tap);
    }
    for (; n > 0; n--) item();
  }
}

function walk(type: Type, tap: Tap, path: string[]): void {
  if (type instanceof types.LogicalType) return walk(type.underlyingType, tap, path);
  switch (type.typeName) {
    case 'null':
      return;
    case 'boolean':
      return skip(tap, 1);
    case 'int':
    case 'long':
    case 'enum':
      varint(tap);
      return;
    case 'float':
      return skip(tap, 4);
    case 'double':
      return skip(tap, 8);
    case 'bytes':
      return string(tap, false);
    case 'string':
      return string(tap, true);
    case 'fixed':
      return skip(tap, (type as types.FixedType).size);
    case 'array':
      return blocks(tap, () => walk((type as types.ArrayType).itemsType, tap, path));
    case 'map': {
      const values = (type as types.MapType).valuesType;
      return blocks(tap, () => {
        path.push('<key>');
        string(tap, true);
        path.pop();
        walk(values, tap, path);
      });
    }
    case 'record':
    case 'error':
      for (const field of (type as types.RecordType).fields) {
        path.push(field.name);
        walk(field.type, tap, path);
        path.pop();
      }
      return;
    default: {
      // union:wrapped / union:unwrapped
      const branches = (type as types.UnwrappedUnionType).types;
      const index = varint(tap);
      if (index < 0 || index >= branches.length) throw new Corrupt(`union branch ${index} of ${branches.length}`);
      return walk(branches[index], tap, path);
    }
  }
}

/**
 * True when a decoded value holds U+FFFD in any string, map key included: the only way
 * invalid UTF-8 shows after avsc decoded it (a sent U+FFFD also shows, and passes
 * avroBodyProblem). Plain JS, far cheaper than walking the bytes.
 */
export function hasReplacementCharacter(value: unknown): boolean {
  if (typeof value === 'string') return value.indexOf('\uFFFD') !== -1;
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return false;
  if (Array.isArray(value)) return value.some(hasReplacementCharacter);
  for (const key in value) {
    if (key.indexOf('\uFFFD') !== -1 || hasReplacementCharacter((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
