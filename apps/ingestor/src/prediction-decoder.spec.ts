import { loadSchema, PredictionEvent, validatePrediction } from '@vigil/contracts';
import { contractReaderType, LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { directPredictionRow, isContractPredictionSchema } from './prediction-decoder';
import { EncodedRow, predictionRow } from './rows';
import { predictionEvent } from '../../../test/support/events';

const contract = Type.forSchema(loadSchema('prediction-event') as never, { logicalTypes: LOGICAL_TYPES });
const reader = contractReaderType(loadSchema('prediction-event'), LOGICAL_TYPES);
const resolver = reader.createResolver(contract);
const NOW = Date.UTC(2026, 10, 28, 12);
const SCHEMA_ID = 7;
const framed = (body: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0, SCHEMA_ID]), body]);
const encode = (event: PredictionEvent): Buffer => framed(contract.toBuffer(event));

/** The reference path: avsc → validatePrediction → predictionRow; undefined where it refuses the record. */
function reference(value: Buffer, offset: string): EncodedRow | undefined {
  try {
    const { value: event, offset: end } = reader.decode(value, 5, resolver);
    if (end !== value.length || event === undefined) return undefined;
    return predictionRow(validatePrediction(event as PredictionEvent, NOW), SCHEMA_ID, { topic: 't', partition: 2, offset, timestampMs: NOW });
  } catch {
    return undefined;
  }
}

const direct = (value: Buffer, offset = '41'): EncodedRow | undefined => directPredictionRow(value, SCHEMA_ID, 2, offset, NOW);

const base = predictionEvent(1, {
  modelVersion: 'v3',
  eventTime: new Date(NOW - 60_000),
  entityId: 'customer-9',
  numericFeatures: { amount: 12.5, age: null, ratio: 0.000001, big: 123456789.123456, tiny: 1e-7, neg: -0.25, zero: -0 },
  categoricalFeatures: { city: 'Paris', note: null },
  scores: { yes: 0.1 + 0.2, no: 0.7 },
  latencyMs: 4,
  tags: { country: 'FR' },
});

describe('directPredictionRow', () => {
  it('writes exactly the row of the reference path for the contract schema', () => {
    const value = encode(base);
    expect(direct(value)).toEqual(reference(value, '41'));
    expect(direct(value)?.day).toBe(Math.floor((NOW - 60_000) / 86_400_000)); // eventTime's UTC day
  });

  it('copies the bits of edge doubles (subnormals, ±max, -0, values 18.16 text parsing gets 1 ulp off)', () => {
    const edges = [5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 909.387638427892, 0.1 + 0.2];
    const event = { ...base, numericFeatures: Object.fromEntries(edges.map((v, i) => [`e${i}`, v])) };
    const row = direct(encode(event));
    expect(row).toEqual(reference(encode(event), '41'));
    for (const v of edges) {
      const bits = Buffer.alloc(8);
      bits.writeDoubleLE(v);
      // Nullable(Float64) in RowBinary: flag byte 0 then the 8 bytes.
      expect(row?.bytes.includes(Buffer.concat([Buffer.from([0]), bits]))).toBe(true);
    }
  });

  it('matches the reference on strings that need escaping and non-ASCII text', () => {
    const event = { ...base, entityId: 'a"b\\c\n\u0001', categoricalFeatures: { ville: 'Besançon', clé: '東京', e: '' }, tags: { 'q"': 'x\ty' } };
    const value = encode(event);
    expect(direct(value)).toEqual(reference(value, '41'));
  });

  it('keeps __proto__, constructor and toString as keys like the reference', () => {
    const keys = Object.fromEntries([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['toString', 'z'],
    ]) as Record<string, string>;
    const value = encode({ ...base, tags: keys, categoricalFeatures: keys });
    expect(direct(value)).toBeDefined();
    expect(direct(value)).toEqual(reference(value, '41'));
  });

  it('writes the same doubles as the reference (random doubles, short decimals, integers, edges)', () => {
    // Seeded LCG (Numerical Recipes constants) so a failure is reproducible.
    let seed = 12345;
    const random = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const values: number[] = [0, -0, 1, -1, 0.1, 0.000001, 0.0000015, 999999999.999999, 1e9, -1e9, 1e21, 5e-324, Number.MAX_VALUE, 2 ** 53];
    for (let i = 0; i < 3000; i++) {
      const magnitude = 10 ** Math.floor(random() * 24 - 12);
      values.push((random() - 0.5) * magnitude, Math.round(random() * 1e6) / 10 ** Math.floor(random() * 8), Math.floor(random() * 1e9) - 5e8);
    }
    // In events of LIMITS.maxFeatures (1 000) numeric features, the most the reference path accepts.
    for (let from = 0; from < values.length; from += 1_000) {
      const numericFeatures: Record<string, number> = {};
      values.slice(from, from + 1_000).forEach((v, i) => (numericFeatures[`f${i}`] = v));
      const value = encode({ ...base, numericFeatures, latencyMs: 0.000123 });
      const row = direct(value);
      expect(row).toBeDefined();
      expect(row).toEqual(reference(value, '41'));
    }
  });

  it('leaves to the reference path what it cannot prove identical, and refuses nothing itself', () => {
    const cases: PredictionEvent[] = [
      { ...base, numericFeatures: { '2': 1, '1': 2 } }, // integer-like keys: a JS object reorders them
      { ...base, latencyMs: Number.NaN },
      { ...base, latencyMs: -1 },
      { ...base, eventId: '   ' },
      { ...base, modelId: 'm'.repeat(257) },
      { ...base, eventTime: new Date(Date.UTC(1999, 0, 1)) },
      { ...base, eventTime: new Date(NOW + 2 * 86_400_000) },
      { ...base, numericFeatures: { x: Number.POSITIVE_INFINITY } },
      { ...base, scores: { yes: Number.NaN } },
      { ...base, predictedClass: null },
      { ...base, task: 'REGRESSION', predictedValue: null },
    ];
    for (const event of cases) {
      let value: Buffer;
      try {
        value = encode(event);
      } catch {
        continue; // avsc refuses to write it: such bytes never reach the ingestor from an avsc writer
      }
      expect(direct(value)).toBeUndefined();
    }
    const good = encode(base);
    expect(direct(Buffer.concat([good, Buffer.from([0])]))).toBeUndefined(); // trailing byte
    expect(direct(good.subarray(0, good.length - 1))).toBeUndefined(); // truncated
    // A map written twice under one key: the reference keeps one entry, so it is left to it.
    const duplicate = framed(contract.toBuffer({ ...base, tags: { country: 'FR', countrz: 'DE' } }));
    const at = duplicate.lastIndexOf(Buffer.from('countrz'));
    duplicate.write('country', at, 'latin1');
    expect(direct(duplicate)).toBeUndefined();
    expect(reference(duplicate, '41')).toBeDefined();
    // Invalid UTF-8 ("Paris" → "\xffaris"): left to the reference path, which dead-letters it.
    const notUtf8 = encode(base);
    notUtf8[notUtf8.indexOf(Buffer.from('Paris'))] = 0xff;
    expect(direct(notUtf8)).toBeUndefined();
  });

  it('keeps a regression prediction and a classification with a NaN predicted value like the reference', () => {
    for (const event of [
      { ...base, task: 'REGRESSION' as const, predictedClass: null, predictedValue: 41.5 },
      { ...base, predictedValue: Number.NaN },
    ]) {
      const value = encode(event);
      expect(direct(value)).toEqual(reference(value, '41'));
    }
  });

  it('recognises only the contract schema as its layout', () => {
    expect(isContractPredictionSchema(Type.forSchema(loadSchema('prediction-event') as never, { logicalTypes: LOGICAL_TYPES }))).toBe(true);
    const evolved = loadSchema('prediction-event');
    evolved.fields = [...evolved.fields, { name: 'extra', type: ['null', 'string'], default: null } as never];
    expect(isContractPredictionSchema(Type.forSchema(evolved as never, { logicalTypes: LOGICAL_TYPES }))).toBe(false);
    expect(isContractPredictionSchema(Type.forSchema(loadSchema('label-event') as never, { logicalTypes: LOGICAL_TYPES }))).toBe(false);
    // Same bytes, but eventTime decodes to a number the reference path refuses: not this layout.
    const plainLong = loadSchema('prediction-event');
    plainLong.fields = plainLong.fields.map((f) => (f.name === 'eventTime' ? { ...f, type: 'long' } : f));
    expect(isContractPredictionSchema(Type.forSchema(plainLong as never, { logicalTypes: LOGICAL_TYPES }))).toBe(false);
  });
});
