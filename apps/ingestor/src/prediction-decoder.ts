import { LIMITS, loadSchema } from '@vigil/contracts';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { isUtf8 } from 'node:buffer';
import { RowBinaryWriter } from './row-binary';
import { dayOf, EncodedRow, TASK_ENUM } from './rows';

/**
 * The ingest hot path for predictions: writes the RowBinary row straight from the Avro
 * bytes of the contract's own PredictionEvent schema. Strings (ids, feature names,
 * categories) and doubles are copied byte for byte (Avro and RowBinary both store
 * doubles as little-endian IEEE 754), so no event object, Date, map object, key array or
 * intermediate string is created; that garbage and its creation cost about two thirds of
 * the ingestor's CPU (docs/ingest.md, Throughput).
 *
 * It only accepts what it can prove the reference path (AvroDecoder → validatePrediction
 * → predictionRow) turns into the very same row. Anything else (another writer schema,
 * truncated or trailing bytes, a string that is not UTF-8, a value validation would
 * refuse, a map key that a JS object would reorder or merge: integer-like, duplicate)
 * returns undefined, and the caller takes the reference path, which produces the row or
 * the exact dead letter it always did.
 */

/** The writer schema this decoder reads: the registered PredictionEvent contract. */
const CONTRACT = Type.forSchema(loadSchema('prediction-event') as never, { logicalTypes: LOGICAL_TYPES });
const CONTRACT_SCHEMA = JSON.stringify(CONTRACT.schema({ exportAttrs: true }));

/** True when records written with `writer` have exactly the byte layout read below. */
export function isContractPredictionSchema(writer: Type): boolean {
  // Canonical equality ignores logical types; the reference path's Date depends on them.
  return writer.equals(CONTRACT) && JSON.stringify(writer.schema({ exportAttrs: true })) === CONTRACT_SCHEMA;
}

const HEADER_LENGTH = 5;
/** A longer varint may exceed 2^49: left to avsc. */
const MAX_VARINT_BYTES = 7;
const SPACE = 0x20;
const EMPTY = Buffer.alloc(0);
const TASKS = [TASK_ENUM.CLASSIFICATION, TASK_ENUM.REGRESSION];

/** Thrown inside the decoder only, to leave for the reference path; never escapes (one instance: no stack per record). */
const NOT_DIRECT = new Error('record left to the reference path');

/** Where a string sits in the input: its bytes are copied later, once the record is known to be valid. */
interface Span {
  start: number;
  end: number;
}

/** How a map's values are encoded: ["null","double"], ["null","string"], "double", "string". */
const enum ValueKind {
  NullableDouble,
  NullableString,
  Double,
  String,
}

/**
 * The entries of one map, reused for every record: keys as byte ranges plus a hash to
 * find duplicates cheaply, values as byte ranges (a double's 8 bytes, or a string;
 * start -1 for null). Typed arrays with a count: no per-record allocation and no array
 * length changes.
 */
class Entries {
  count = 0;
  keyStart = new Int32Array(64);
  keyEnd = new Int32Array(64);
  hash = new Int32Array(64);
  valueStart = new Int32Array(64);
  valueEnd = new Int32Array(64);

  constructor(readonly kind: ValueKind) {}

  grow(): void {
    const size = this.keyStart.length * 2;
    const int32 = (from: Int32Array): Int32Array<ArrayBuffer> => {
      const to = new Int32Array(size);
      to.set(from);
      return to;
    };
    this.keyStart = int32(this.keyStart);
    this.keyEnd = int32(this.keyEnd);
    this.hash = int32(this.hash);
    this.valueStart = int32(this.valueStart);
    this.valueEnd = int32(this.valueEnd);
  }
}

class Decoder {
  private input: Buffer = EMPTY;
  private pos = 0;
  private readonly out = new RowBinaryWriter();
  private readonly numeric = new Entries(ValueKind.NullableDouble);
  private readonly categorical = new Entries(ValueKind.NullableString);
  private readonly scores = new Entries(ValueKind.Double);
  private readonly tags = new Entries(ValueKind.String);

  row(value: Buffer, schemaId: number, partition: number, offset: string, nowMs: number): EncodedRow | undefined {
    this.input = value;
    this.pos = HEADER_LENGTH;
    this.out.reset();
    try {
      return this.decode(schemaId, partition, offset, nowMs);
    } catch (error) {
      if (error === NOT_DIRECT) return undefined;
      throw error;
    } finally {
      // The record may be a slice of a whole fetch response: not kept alive between calls.
      this.input = EMPTY;
    }
  }

  private decode(schemaId: number, partition: number, offset: string, nowMs: number): EncodedRow {
    const eventId = this.idSpan();
    const modelId = this.idSpan();
    const modelVersion = this.idSpan();
    const eventTimeMs = this.long();
    // validatePrediction's window, which also rules out an invalid Date.
    if (!(eventTimeMs >= LIMITS.minEventTime && eventTimeMs <= nowMs + LIMITS.maxClockSkewMs)) throw NOT_DIRECT;
    const entityId = this.present() ? this.span() : null;
    const task = this.long();
    if (task !== 0 && task !== 1) throw NOT_DIRECT;
    this.map(this.numeric, LIMITS.maxFeatures);
    this.map(this.categorical, LIMITS.maxFeatures);
    const predictedClass = this.present() ? this.span() : null;
    this.map(this.scores, Infinity);
    const predictedValue = this.present() ? this.doubleAt() : -1;
    const latencyAt = this.doubleAt();
    const latencyMs = this.input.readDoubleLE(latencyAt);
    if (!(latencyMs >= 0 && latencyMs <= LIMITS.maxLatencyMs)) throw NOT_DIRECT;
    this.map(this.tags, Infinity);
    if (this.pos !== this.input.length) throw NOT_DIRECT;
    if (task === 0) {
      if (predictedClass === null) throw NOT_DIRECT;
      this.checkId(predictedClass);
    } else if (predictedValue === -1 || !Number.isFinite(this.input.readDoubleLE(predictedValue))) {
      throw NOT_DIRECT;
    }

    // Same columns and bytes as predictionRow (rows.ts).
    const out = this.out;
    this.string(modelId);
    this.string(modelVersion);
    out.uint32(Math.floor(eventTimeMs / 1000));
    this.string(eventId);
    out.uint64(eventTimeMs);
    this.nullableString(entityId);
    out.uint8(TASKS[task]);
    this.keys(this.numeric);
    this.values(this.numeric);
    this.keys(this.categorical);
    this.values(this.categorical);
    this.nullableString(predictedClass);
    this.keys(this.scores);
    this.values(this.scores);
    if (predictedValue === -1) {
      out.uint8(1);
    } else {
      out.uint8(0);
      out.float64Bytes(this.input, predictedValue);
    }
    out.float64Bytes(this.input, latencyAt);
    this.keys(this.tags);
    this.values(this.tags);
    out.uint32(schemaId);
    out.uint32(partition);
    out.uint64(Number(offset));
    return { bytes: out.finish(), day: dayOf(eventTimeMs) };
  }

  // Reading

  /** Zigzag varint. Int32 arithmetic up to 4 bytes (lengths, counts, branches); the rare longer ones in doubles. */
  private long(): number {
    const input = this.input;
    let pos = this.pos;
    let n = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= input.length) throw NOT_DIRECT;
      const b = input[pos++];
      n |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return (n >>> 1) ^ -(n & 1);
      }
    }
    let f = n;
    let scale = 2 ** 28;
    for (let i = 4; i < MAX_VARINT_BYTES; i++) {
      if (pos >= input.length) throw NOT_DIRECT;
      const b = input[pos++];
      f += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        const half = Math.floor(f / 2);
        return f - half * 2 === 1 ? -half - 1 : half;
      }
      scale *= 128;
    }
    throw NOT_DIRECT;
  }

  /** Where the next double's 8 bytes are; moves past them. */
  private doubleAt(): number {
    if (this.pos + 8 > this.input.length) throw NOT_DIRECT;
    const at = this.pos;
    this.pos += 8;
    return at;
  }

  private span(): Span {
    const length = this.long();
    if (length < 0 || this.pos + length > this.input.length) throw NOT_DIRECT;
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  /** A field validatePrediction checks with requireId. */
  private idSpan(): Span {
    const span = this.span();
    this.checkId(span);
    return span;
  }

  /** requireId: non-blank and at most maxIdLength UTF-16 units. */
  private checkId({ start, end }: Span): void {
    const input = this.input;
    let blank = true;
    for (let i = start; i < end; i++) {
      const b = input[i];
      if (b >= 0x80) {
        const text = input.toString('utf8', start, end);
        if (text.length > LIMITS.maxIdLength || text.trim().length === 0) throw NOT_DIRECT;
        return;
      }
      if (b > SPACE) blank = false;
      else if (b !== SPACE && (b < 0x09 || b > 0x0d)) blank = false;
    }
    if (blank || end - start > LIMITS.maxIdLength) throw NOT_DIRECT;
  }

  /** ["null", X] union branch: false for null, true for X. */
  private present(): boolean {
    const branch = this.long();
    if (branch === 0) return false;
    if (branch === 1) return true;
    throw NOT_DIRECT;
  }

  private map(entries: Entries, maxEntries: number): void {
    entries.count = 0;
    const input = this.input;
    for (let count = this.long(); count !== 0; count = this.long()) {
      // A negative block count is followed by the block's size in bytes.
      if (count < 0) {
        count = -count;
        this.long();
      }
      for (let i = 0; i < count; i++) {
        const { start, end } = this.span();
        const first = input[start];
        // Integer-like keys are enumerated first by a JS object; digit-led keys are left to the reference path.
        if (first >= 0x30 && first <= 0x39) throw NOT_DIRECT;
        let hash = end - start;
        for (let j = start; j < end; j++) hash = (Math.imul(hash, 31) + input[j]) | 0;
        const n = entries.count;
        for (let k = 0; k < n; k++) {
          if (entries.hash[k] === hash && input.compare(input, entries.keyStart[k], entries.keyEnd[k], start, end) === 0) throw NOT_DIRECT;
        }
        if (n === entries.keyStart.length) entries.grow();
        entries.keyStart[n] = start;
        entries.keyEnd[n] = end;
        entries.hash[n] = hash;
        this.mapValue(entries, n);
        entries.count = n + 1;
      }
    }
    if (entries.count > maxEntries) throw NOT_DIRECT;
  }

  private mapValue(entries: Entries, n: number): void {
    const kind = entries.kind;
    if ((kind === ValueKind.NullableDouble || kind === ValueKind.NullableString) && !this.present()) {
      entries.valueStart[n] = -1;
    } else if (kind === ValueKind.NullableDouble || kind === ValueKind.Double) {
      const at = this.doubleAt();
      if (!Number.isFinite(this.input.readDoubleLE(at))) throw NOT_DIRECT;
      entries.valueStart[n] = at;
    } else {
      const { start, end } = this.span();
      entries.valueStart[n] = start;
      entries.valueEnd[n] = end;
    }
  }

  // Writing

  /** A string's bytes as they are, once known to be UTF-8 (the reference path refuses anything else). */
  private string({ start, end }: Span): void {
    this.bytesOf(start, end);
  }

  private bytesOf(start: number, end: number): void {
    if (!this.out.stringBytes(this.input, start, end) && !isUtf8(this.input.subarray(start, end))) throw NOT_DIRECT;
  }

  private nullableString(value: Span | null): void {
    if (value === null) {
      this.out.uint8(1);
    } else {
      this.out.uint8(0);
      this.string(value);
    }
  }

  private keys(entries: Entries): void {
    this.out.varint(entries.count);
    for (let k = 0; k < entries.count; k++) this.bytesOf(entries.keyStart[k], entries.keyEnd[k]);
  }

  private values(entries: Entries): void {
    const out = this.out;
    const kind = entries.kind;
    const nullable = kind === ValueKind.NullableDouble || kind === ValueKind.NullableString;
    const numbers = kind === ValueKind.NullableDouble || kind === ValueKind.Double;
    out.varint(entries.count);
    for (let k = 0; k < entries.count; k++) {
      const start = entries.valueStart[k];
      if (nullable) {
        out.uint8(start === -1 ? 1 : 0);
        if (start === -1) continue;
      }
      if (numbers) out.float64Bytes(this.input, start);
      else this.bytesOf(start, entries.valueEnd[k]);
    }
  }
}

const decoder = new Decoder();

/**
 * The RowBinary row predictionRow would produce for this record, or undefined when the
 * record must take the reference path.
 */
export function directPredictionRow(value: Buffer, schemaId: number, partition: number, offset: string, nowMs: number): EncodedRow | undefined {
  return decoder.row(value, schemaId, partition, offset, nowMs);
}
