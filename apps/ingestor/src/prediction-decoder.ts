import { LIMITS, loadSchema } from '@vigil/contracts';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';

/**
 * The ingest hot path for predictions: writes the JSONEachRow line straight from the
 * Avro bytes of the contract's own PredictionEvent schema. Plain ASCII strings (ids,
 * feature names, categories) are copied byte for byte, so no event object, Date, map
 * object, key array or intermediate string is created; that garbage and its creation
 * cost about two thirds of the ingestor's CPU (docs/ingest.md, Throughput).
 *
 * It only accepts what it can prove the reference path (AvroDecoder → validatePrediction
 * → predictionRow) turns into the very same line. Anything else (another writer schema,
 * truncated or trailing bytes, a value validation would refuse, a map key that a JS
 * object would reorder or merge: integer-like, `__proto__`, duplicate) returns
 * undefined, and the caller takes the reference path, which produces the row or the
 * exact dead letter it always did.
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
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const PROTO = Buffer.from('__proto__');
const EMPTY = Buffer.alloc(0);
const MAX_DECIMALS = 6;
const SHORT_DECIMAL_LIMIT = 1e9;

/** Thrown inside the decoder only, to leave for the reference path; never escapes (one instance: no stack per record). */
const NOT_DIRECT = new Error('record left to the reference path');

const fragment = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const F = {
  modelId: fragment('{"model_id":'),
  modelVersion: fragment(',"model_version":'),
  eventTime: fragment(',"event_time":'),
  eventId: fragment(',"event_id":'),
  eventTimeMs: fragment(',"event_time_ms":'),
  entityId: fragment(',"entity_id":'),
  task: [fragment(',"task":"CLASSIFICATION"'), fragment(',"task":"REGRESSION"')],
  numericNames: fragment(',"numeric_feature_names":'),
  numericValues: fragment(',"numeric_feature_values":'),
  categoricalNames: fragment(',"categorical_feature_names":'),
  categoricalValues: fragment(',"categorical_feature_values":'),
  predictedClass: fragment(',"predicted_class":'),
  scoreNames: fragment(',"score_names":'),
  scoreValues: fragment(',"score_values":'),
  predictedValue: fragment(',"predicted_value":'),
  latencyMs: fragment(',"latency_ms":'),
  tagNames: fragment(',"tag_names":'),
  tagValues: fragment(',"tag_values":'),
  schemaId: fragment(',"schema_id":'),
  partition: fragment(',"kafka_partition":'),
  offset: fragment(',"kafka_offset":'),
  ingestedAt: fragment(',"ingested_at":'),
  null: fragment('null'),
};

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
 * find duplicates cheaply, values as numbers or byte ranges (start -1 for null). Typed
 * arrays with a count: no per-record allocation and no array length changes.
 */
class Entries {
  count = 0;
  keyStart = new Int32Array(64);
  keyEnd = new Int32Array(64);
  hash = new Int32Array(64);
  number = new Float64Array(64);
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
    const number = new Float64Array(size);
    number.set(this.number);
    this.number = number;
  }
}

class Decoder {
  private input: Buffer = EMPTY;
  private pos = 0;
  private out = Buffer.allocUnsafe(64 * 1024);
  private at = 0;
  private wroteNonAscii = false;
  private readonly digits: number[] = [];
  private readonly numeric = new Entries(ValueKind.NullableDouble);
  private readonly categorical = new Entries(ValueKind.NullableString);
  private readonly scores = new Entries(ValueKind.Double);
  private readonly tags = new Entries(ValueKind.String);

  row(value: Buffer, schemaId: number, partition: number, offset: string, nowMs: number): string | undefined {
    this.input = value;
    this.pos = HEADER_LENGTH;
    this.at = 0;
    this.wroteNonAscii = false;
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

  private decode(schemaId: number, partition: number, offset: string, nowMs: number): string {
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
    const predictedValue = this.present() ? this.double() : null;
    const latencyMs = this.finite(this.double());
    if (latencyMs < 0 || latencyMs > LIMITS.maxLatencyMs) throw NOT_DIRECT;
    this.map(this.tags, Infinity);
    if (this.pos !== this.input.length) throw NOT_DIRECT;
    if (task === 0) {
      if (predictedClass === null) throw NOT_DIRECT;
      this.checkId(predictedClass);
    } else if (predictedValue === null || !Number.isFinite(predictedValue)) {
      throw NOT_DIRECT;
    }

    // Same keys, order and text as JSON.stringify in predictionRow.
    this.bytes(F.modelId);
    this.string(modelId);
    this.bytes(F.modelVersion);
    this.string(modelVersion);
    this.bytes(F.eventTime);
    this.number(Math.floor(eventTimeMs / 1000));
    this.bytes(F.eventId);
    this.string(eventId);
    this.bytes(F.eventTimeMs);
    this.number(eventTimeMs);
    this.bytes(F.entityId);
    this.nullable(entityId);
    this.bytes(F.task[task]);
    this.bytes(F.numericNames);
    this.keys(this.numeric);
    this.bytes(F.numericValues);
    this.values(this.numeric);
    this.bytes(F.categoricalNames);
    this.keys(this.categorical);
    this.bytes(F.categoricalValues);
    this.values(this.categorical);
    this.bytes(F.predictedClass);
    this.nullable(predictedClass);
    this.bytes(F.scoreNames);
    this.keys(this.scores);
    this.bytes(F.scoreValues);
    this.values(this.scores);
    this.bytes(F.predictedValue);
    this.nullable(predictedValue);
    this.bytes(F.latencyMs);
    this.number(latencyMs);
    this.bytes(F.tagNames);
    this.keys(this.tags);
    this.bytes(F.tagValues);
    this.values(this.tags);
    this.bytes(F.schemaId);
    this.number(schemaId);
    this.bytes(F.partition);
    this.number(partition);
    this.bytes(F.offset);
    this.number(Number(offset));
    this.bytes(F.ingestedAt);
    this.number(Math.floor(nowMs / 1000));
    this.byte(0x7d);
    return this.out.toString(this.wroteNonAscii ? 'utf8' : 'latin1', 0, this.at);
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

  private double(): number {
    if (this.pos + 8 > this.input.length) throw NOT_DIRECT;
    const value = this.input.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  private finite(value: number): number {
    if (!Number.isFinite(value)) throw NOT_DIRECT;
    return value;
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
        if (end - start === PROTO.length && input.compare(PROTO, 0, PROTO.length, start, end) === 0) throw NOT_DIRECT;
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
      entries.valueStart[n] = 0;
      entries.number[n] = this.finite(this.double());
    } else {
      const { start, end } = this.span();
      entries.valueStart[n] = start;
      entries.valueEnd[n] = end;
    }
  }

  // Writing

  private ensure(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + bytes));
    this.out.copy(bigger, 0, 0, this.at);
    this.out = bigger;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.out[this.at++] = b;
  }

  private bytes(fragment: Uint8Array): void {
    this.ensure(fragment.length);
    const out = this.out;
    const at = this.at;
    for (let i = 0; i < fragment.length; i++) out[at + i] = fragment[i];
    this.at = at + fragment.length;
  }

  /** JSON text of a number, as JSON.stringify writes it (NaN and infinities as null). */
  private number(value: number): void {
    if (!Number.isFinite(value)) {
      this.bytes(F.null);
      return;
    }
    if (this.shortDecimal(value)) return;
    const text = String(value);
    this.ensure(text.length);
    const out = this.out;
    const at = this.at;
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    this.at = at + text.length;
  }

  /**
   * Numbers with at most MAX_DECIMALS decimals below 1e9 in magnitude (integers, amounts,
   * rounded values) written without String(), whose shortest-round-trip formatting was
   * the largest single cost. k / 10^d is correctly rounded, so `k / 10^d === value` means
   * the decimal k·10^-d reads back as value; below 1e9 a double's spacing is under
   * 10^-MAX_DECIMALS, so that decimal is the only one with d decimals that does, and the
   * smallest such d gives the shortest text: the digits String() writes (fixed notation
   * from 1e-6 up; prediction-decoder.spec.ts compares them on random values).
   */
  private shortDecimal(value: number): boolean {
    if (!(value > -SHORT_DECIMAL_LIMIT && value < SHORT_DECIMAL_LIMIT)) return false;
    let scale = 1;
    for (let decimals = 0; decimals <= MAX_DECIMALS; decimals++) {
      const k = Math.round(value * scale);
      if (k / scale === value) {
        this.decimal(k, decimals);
        return true;
      }
      scale *= 10;
    }
    return false;
  }

  /** Writes k·10^-decimals in fixed notation (k has no trailing zero when decimals > 0). */
  private decimal(k: number, decimals: number): void {
    const digits = this.digits;
    let length = 0;
    let n = Math.abs(k);
    // Double modulo is a C call in V8; int32 modulo is not.
    if (n < 2 ** 31) {
      let small = n | 0;
      do {
        digits[length++] = small % 10;
        small = (small / 10) | 0;
      } while (small > 0);
    } else {
      do {
        digits[length++] = n % 10;
        n = Math.floor(n / 10);
      } while (n > 0);
    }
    while (length <= decimals) digits[length++] = 0;
    this.ensure(length + 2);
    const out = this.out;
    let at = this.at;
    if (k < 0) out[at++] = 0x2d;
    for (let i = length - 1; i >= 0; i--) {
      if (i === decimals - 1) out[at++] = 0x2e;
      out[at++] = 0x30 + digits[i];
    }
    this.at = at;
  }

  /** A JSON string: printable ASCII without quote or backslash is copied; anything else goes through JSON.stringify. */
  private string({ start, end }: Span): void {
    const input = this.input;
    this.ensure(end - start + 2);
    const out = this.out;
    let at = this.at;
    out[at++] = QUOTE;
    for (let i = start; i < end; i++) {
      const b = input[i];
      if (b < SPACE || b >= 0x80 || b === QUOTE || b === BACKSLASH) {
        this.escaped(JSON.stringify(input.toString('utf8', start, end)));
        return;
      }
      out[at++] = b;
    }
    out[at++] = QUOTE;
    this.at = at;
  }

  private escaped(json: string): void {
    this.ensure(Buffer.byteLength(json));
    this.at += this.out.write(json, this.at, 'utf8');
    this.wroteNonAscii = true;
  }

  private nullable(value: Span | number | null): void {
    if (value === null) this.bytes(F.null);
    else if (typeof value === 'number') this.number(value);
    else this.string(value);
  }

  private keys(entries: Entries): void {
    this.byte(0x5b);
    for (let k = 0; k < entries.count; k++) {
      if (k > 0) this.byte(0x2c);
      this.string({ start: entries.keyStart[k], end: entries.keyEnd[k] });
    }
    this.byte(0x5d);
  }

  private values(entries: Entries): void {
    const numbers = entries.kind === ValueKind.NullableDouble || entries.kind === ValueKind.Double;
    this.byte(0x5b);
    for (let k = 0; k < entries.count; k++) {
      if (k > 0) this.byte(0x2c);
      if (entries.valueStart[k] === -1) this.bytes(F.null);
      else if (numbers) this.number(entries.number[k]);
      else this.string({ start: entries.valueStart[k], end: entries.valueEnd[k] });
    }
    this.byte(0x5d);
  }
}

const decoder = new Decoder();

/**
 * The JSONEachRow line predictionRow would produce for this record, or undefined when
 * the record must take the reference path.
 */
export function directPredictionRow(value: Buffer, schemaId: number, partition: number, offset: string, nowMs: number): string | undefined {
  return decoder.row(value, schemaId, partition, offset, nowMs);
}
